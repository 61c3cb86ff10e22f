#!/usr/bin/env node
// Runs the Mozilla HTTP Observatory's tests against a local Quire, prints
// the grade, the score and every test's result, and exits 0 only if the
// grade is at least --min-grade (A+ by default) and every test passed.
// The scan is the package's own scan(), which reaches only ports 443 and
// 80. `node scan.mjs --help` lists the options; run.sh starts a Quire on
// those ports and calls it.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const argv = process.argv.slice(2);

// Node reads NODE_EXTRA_CA_CERTS only when it starts, and the package
// builds its own HTTPS agents, so a certificate to trust (--ca) means
// running this script again with the variable set. That happens before the
// package is loaded.
const early = parseArgs({ args: argv, options: { ca: { type: "string" } }, strict: false }).values;
if (typeof early.ca === "string") {
  const ca = path.resolve(early.ca);
  if (process.env.NODE_EXTRA_CA_CERTS !== ca) {
    let pem = "";
    try {
      pem = readFileSync(ca, "utf8");
    } catch (e) {
      console.error(`scan: --ca: ${e.message}`);
      process.exit(2);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      console.error(`scan: --ca: ${ca} holds no PEM certificate`);
      process.exit(2);
    }
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...argv], {
      stdio: "inherit",
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
    });
    process.exit(child.status ?? 2);
  }
}

let lib;
try {
  lib = await import("./lib.mjs");
} catch (e) {
  console.error(`scan: cannot load the scanner (run npm ci in ${path.dirname(fileURLToPath(import.meta.url))}): ${e.message}`);
  process.exit(2);
}

let o;
try {
  o = lib.parseOptions(argv);
} catch (e) {
  if (!(e instanceof lib.UsageError)) {
    throw e;
  }
  console.error(`scan: ${e.message}\n\n${lib.USAGE}`);
  process.exit(2);
}
if (o.help) {
  console.log(lib.USAGE);
  process.exit(0);
}

setTimeout(() => {
  console.error(`scan: no result after ${o.timeoutSeconds}s`);
  process.exit(2);
}, o.timeoutSeconds * 1000).unref();

const target = `https://${o.host}:${lib.HTTPS_PORT} (plain HTTP on port ${lib.HTTP_PORT})`;
let preload;
let result;
try {
  preload = lib.ensurePreloadList();
  result = await lib.runScan(o);
} catch (e) {
  console.error(`scan: ${target}: ${e.message}`);
  process.exit(2);
}

console.log(lib.formatReport(result, target));
console.log(
  `\nHSTS preload list: ${preload === "stub" ? "empty (loopback hosts are never on it)" : "downloaded"}; ` +
    `certificate: ${o.ca ? `trusted from ${o.ca}` : "system roots only"}`,
);
if (o.json) {
  writeFileSync(o.json, JSON.stringify({ target, preloadList: preload, ...result }, null, 2) + "\n");
}
const v = lib.verdict(result, o);
if (v.ok) {
  console.log(`PASS: grade ${result.scan.grade} (at least ${o.minGrade})${o.allowFailedTests ? "" : ", every test passed"}`);
  process.exit(0);
}
console.log(`FAIL: ${v.reasons.join("; ")}`);
process.exit(1);
