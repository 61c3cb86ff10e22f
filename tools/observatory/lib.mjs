// Helpers of scan.mjs: arguments, the scan itself, the report and the
// verdict. Kept apart from the command so that lib.test.mjs can test them.
//
// The scan is the package's own exported scan(), and nothing else of the
// package is called: its scoring and grading are not reimplemented here.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

import { scan } from "@mdn/mdn-http-observatory";

// LOOPBACK_HOSTS are the hosts this tool scans: the names Quire's
// zero-config certificate covers that the package can put in a URL. Only
// for them is the empty HSTS preload list stub exact (see ensurePreloadList).
export const LOOPBACK_HOSTS = ["127.0.0.1", "localhost"];

// HTTPS_PORT and HTTP_PORT are the only ports the package's scan() reaches:
// it takes a host name and no port.
export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;

// GRADES lists the Observatory's published grades from best to worst. A
// grade the scan returns that is not here is an error (see gradeAtLeast),
// so a change of scale cannot pass unnoticed.
export const GRADES = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"];

// UsageError is a mistake in the command line (exit status 2).
export class UsageError extends Error {}

const OPTIONS = {
  host: { type: "string", default: "127.0.0.1" },
  "min-grade": { type: "string", default: "A+" },
  "allow-failed-tests": { type: "boolean", default: false },
  ca: { type: "string" },
  json: { type: "string" },
  timeout: { type: "string", default: "60" },
  help: { type: "boolean", short: "h", default: false },
};

// USAGE is printed by --help and after a usage error.
export const USAGE = `usage: node scan.mjs [options]

Runs the Mozilla HTTP Observatory's tests (the scan() of
@mdn/mdn-http-observatory) against a local Quire listening on
https://HOST:${HTTPS_PORT} and http://HOST:${HTTP_PORT}, and exits 0 only if the
grade is at least --min-grade and, unless --allow-failed-tests, every test
passes.

  --host H              ${LOOPBACK_HOSTS.join(" or ")} (default 127.0.0.1)
  --ca FILE             PEM certificate to trust, e.g. <data_dir>/tls/cert.pem;
                        without it a self-signed certificate fails HSTS and
                        redirection as "invalid certificate"
  --min-grade G         lowest passing grade: ${GRADES.join(" ")} (default A+)
  --allow-failed-tests  judge by the grade alone
  --json FILE           also write the full result as JSON
  --timeout S           give up after S seconds (default 60)

Exit status: 0 pass, 1 below the bar, 2 usage error or scan failure.`;

// parseOptions turns argv into validated options or throws UsageError.
export function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(e.message);
  }
  const o = {
    host: values.host,
    minGrade: values["min-grade"],
    allowFailedTests: values["allow-failed-tests"],
    ca: values.ca,
    json: values.json,
    timeoutSeconds: Number(values.timeout),
    help: values.help,
  };
  if (!LOOPBACK_HOSTS.includes(o.host)) {
    throw new UsageError(`--host must be one of ${LOOPBACK_HOSTS.join(", ")}, not ${JSON.stringify(o.host)}`);
  }
  if (!GRADES.includes(o.minGrade)) {
    throw new UsageError(`--min-grade must be one of ${GRADES.join(" ")}`);
  }
  if (!/^[0-9]{1,3}$/.test(values.timeout) || o.timeoutSeconds < 1 || o.timeoutSeconds > 600) {
    throw new UsageError("--timeout must be a whole number of seconds from 1 to 600");
  }
  return o;
}

// gradeAtLeast reports whether grade is as good as min or better.
export function gradeAtLeast(grade, min) {
  const g = GRADES.indexOf(grade);
  const m = GRADES.indexOf(min);
  if (g < 0 || m < 0) {
    throw new Error(`unknown grade ${JSON.stringify(g < 0 ? grade : min)}`);
  }
  return g <= m;
}

// installedVersion returns the version of the installed package.
export function installedVersion() {
  return JSON.parse(readFileSync(path.join(packageDir(), "package.json"), "utf8")).version;
}

// packageDir returns the directory of the installed package.
function packageDir() {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("@mdn/mdn-http-observatory/package.json"));
}

// ensurePreloadList makes sure the HSTS preload list the HSTS and
// redirection tests read exists. The package's install script downloads it
// from Chromium's source, which is out of reach here (and install scripts
// are off, see .npmrc), so an empty list is written instead: exact for
// loopback hosts, which are never on the list. It returns "stub" when the
// list in use is empty and "downloaded" otherwise.
export function ensurePreloadList() {
  const file = path.join(packageDir(), "conf", "hsts-preload.json");
  if (!existsSync(file)) {
    writeFileSync(file, "{}\n");
  }
  const entries = Object.keys(JSON.parse(readFileSync(file, "utf8"))).length;
  return entries === 0 ? "stub" : "downloaded";
}

// runScan scans o.host on ports 443 and 80 with the package's scan() and
// returns its result: { scan, tests }.
export async function runScan(o) {
  return scan(o.host);
}

// verdict judges a result against the options: ok, and the reasons when not.
export function verdict(result, o) {
  const reasons = [];
  if (!gradeAtLeast(result.scan.grade, o.minGrade)) {
    reasons.push(`grade ${result.scan.grade} is below ${o.minGrade}`);
  }
  const failed = Object.entries(result.tests).filter(([, t]) => !t.pass).map(([name]) => name);
  if (failed.length > 0 && !o.allowFailedTests) {
    reasons.push(`failed: ${failed.join(", ")}`);
  }
  return { ok: reasons.length === 0, reasons };
}

// formatReport renders a result for people: the grade and score, then one
// line per test, then the explanation of every test that failed or cost
// points.
export function formatReport(result, target) {
  const s = result.scan;
  const lines = [
    `Mozilla HTTP Observatory ${installedVersion()} (algorithm ${s.algorithmVersion}) on ${target}`,
    `Grade ${s.grade}   score ${s.score}   tests passed ${s.testsPassed}/${s.testsQuantity}   final status ${s.statusCode}`,
    "",
    `  ${"test".padEnd(31)} ${"pass".padEnd(5)} ${"score".padStart(5)}  result`,
  ];
  for (const [name, t] of Object.entries(result.tests)) {
    const mod = t.scoreModifier > 0 ? `+${t.scoreModifier}` : String(t.scoreModifier);
    lines.push(`  ${name.padEnd(31)} ${(t.pass ? "yes" : "NO").padEnd(5)} ${mod.padStart(5)}  ${t.result}`);
  }
  const costly = Object.entries(result.tests).filter(([, t]) => !t.pass || t.scoreModifier < 0);
  if (costly.length > 0) {
    lines.push("");
    for (const [name, t] of costly) {
      lines.push(`  ${name}: ${plainText(t.scoreDescription ?? "")}`);
    }
  }
  return lines.join("\n");
}

// plainText strips the HTML tags and entities of a score description.
export function plainText(html) {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
