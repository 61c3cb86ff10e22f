// Tests of scan.mjs and lib.mjs: `npm test` (node --test). The scan tests
// run scan.mjs against small local sites whose headers each case chooses,
// so they show that a missing or weak header fails the run. The package's
// scan() reaches only ports 443 and 80, so those sites listen on
// 127.0.0.1:443 and 127.0.0.1:80: the scan tests need root (or
// net.ipv4.ip_unprivileged_port_start <= 80) and both ports free. Without
// them they are skipped, or fail when QUIRE_OBSERVATORY_REQUIRE_PORTS=1
// (run.sh sets it, having checked the ports itself).

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { gradeAtLeast, GRADES, HTTP_PORT, HTTPS_PORT, parseOptions, plainText, UsageError, verdict } from "./lib.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCAN = path.join(HERE, "scan.mjs");

// REQUIRE_PORTS turns a skipped scan test into a failed one.
const REQUIRE_PORTS = process.env.QUIRE_OBSERVATORY_REQUIRE_PORTS === "1";

// GOOD is a header set that should score A+ with every test passed: the
// policies Quire sends (http/headers.go), plus HSTS on HTTPS.
const GOOD = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "same-origin",
};

// without returns GOOD less the named headers, with the overrides.
function without(names, overrides = {}) {
  const h = { ...GOOD, ...overrides };
  for (const n of names) {
    delete h[n];
  }
  return h;
}

let dir;
let tlsOptions;
// portsProblem says why 127.0.0.1:443 or :80 cannot be bound, or is null.
let portsProblem = null;

// bindProblem tries to listen on 127.0.0.1:port and returns null, or the
// error's code when that fails.
function bindProblem(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", (e) => resolve(e.code ?? e.message));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(null)));
  });
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "quire-observatory-test-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { stdio: "ignore" });
  tlsOptions = { key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) };
  for (const port of [HTTPS_PORT, HTTP_PORT]) {
    const problem = await bindProblem(port);
    if (problem) {
      portsProblem = `cannot listen on 127.0.0.1:${port} (${problem}); the scan tests need root and ports ${HTTPS_PORT} and ${HTTP_PORT} free`;
      break;
    }
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

// listen starts srv on 127.0.0.1:port.
function listen(srv, port) {
  return new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(port, "127.0.0.1", () => {
      srv.off("error", reject);
      resolve();
    });
  });
}

// startSite serves a small HTML page over HTTPS on 127.0.0.1:443 with
// headers, and on plain HTTP (127.0.0.1:80) redirects (308) to it, with the
// same headers less HSTS. It returns a function that closes both.
async function startSite(headers) {
  const plain = { ...headers };
  delete plain["Strict-Transport-Security"];
  const secure = https.createServer(tlsOptions, (req, res) => {
    res.writeHead(200, { ...headers, "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><html><head><title>t</title></head><body>ok</body></html>");
  });
  const redirect = http.createServer((req, res) => {
    res.writeHead(308, { ...plain, Location: `https://127.0.0.1${req.url}` });
    res.end();
  });
  const close = async () => {
    await Promise.all(
      [secure, redirect].filter((srv) => srv.listening).map((srv) => {
        srv.closeAllConnections();
        return new Promise((resolve) => srv.close(resolve));
      }),
    );
  };
  try {
    await listen(secure, HTTPS_PORT);
    await listen(redirect, HTTP_PORT);
  } catch (e) {
    await close();
    throw e;
  }
  return close;
}

// portsTest is test() for a case that listens on ports 443 and 80: skipped
// when they cannot be bound, unless REQUIRE_PORTS.
function portsTest(name, fn) {
  test(name, async (t) => {
    if (portsProblem) {
      if (REQUIRE_PORTS) {
        assert.fail(portsProblem);
      }
      t.skip(portsProblem);
      return;
    }
    await fn(t);
  });
}

// runScan runs scan.mjs with args and returns its exit status, output and
// JSON result (null when it wrote none).
function runScan(args) {
  const json = path.join(dir, `result-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve) => {
    execFile(process.execPath, [SCAN, "--json", json, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      let result = null;
      try {
        result = JSON.parse(readFileSync(json, "utf8"));
      } catch {
        // no result written
      }
      resolve({ code: err ? err.code : 0, stdout, stderr, result });
    });
  });
}

// failedTests lists the names of the tests that did not pass.
function failedTests(result) {
  return Object.entries(result.tests).filter(([, t]) => !t.pass).map(([name]) => name).sort();
}

describe("scan against a local site", () => {
  const cases = [
    { name: "strong headers", headers: GOOD, want: { code: 0, grade: "A+", failed: [] } },
    {
      name: "no headers",
      headers: {},
      want: {
        code: 1,
        failed: ["content-security-policy", "strict-transport-security", "x-content-type-options", "x-frame-options"],
      },
    },
    {
      // A+ too (-10, then the extra credit): caught by the stricter default.
      name: "HSTS shorter than six months",
      headers: without([], { "Strict-Transport-Security": "max-age=300" }),
      want: { code: 1, grade: "A+", failed: ["strict-transport-security"], results: { "strict-transport-security": "hsts-implemented-max-age-less-than-six-months" } },
    },
    {
      name: "CSP allows inline scripts",
      headers: without([], { "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'" }),
      want: { code: 1, failed: ["content-security-policy"] },
    },
    {
      // A+ despite a failed test: only the stricter default catches it.
      name: "no X-Content-Type-Options",
      headers: without(["X-Content-Type-Options"]),
      want: { code: 1, grade: "A+", failed: ["x-content-type-options"] },
    },
    {
      name: "no X-Content-Type-Options, failed tests allowed",
      headers: without(["X-Content-Type-Options"]),
      args: ["--allow-failed-tests"],
      want: { code: 0, grade: "A+", failed: ["x-content-type-options"] },
    },
    {
      name: "no HSTS, minimum B",
      headers: without(["Strict-Transport-Security"]),
      args: ["--min-grade", "B", "--allow-failed-tests"],
      want: { code: 0, grade: "B+", failed: ["strict-transport-security"] },
    },
    {
      name: "no HSTS, minimum A",
      headers: without(["Strict-Transport-Security"]),
      args: ["--min-grade", "A", "--allow-failed-tests"],
      want: { code: 1, grade: "B+", failed: ["strict-transport-security"] },
    },
    {
      name: "certificate not trusted",
      headers: GOOD,
      trust: false,
      want: {
        code: 1,
        failed: ["redirection", "strict-transport-security"],
        results: { redirection: "redirection-invalid-cert", "strict-transport-security": "hsts-invalid-cert" },
      },
    },
  ];
  for (const c of cases) {
    portsTest(c.name, async () => {
      const close = await startSite(c.headers);
      try {
        const ca = c.trust === false ? [] : ["--ca", path.join(dir, "cert.pem")];
        const got = await runScan([...ca, ...(c.args ?? [])]);
        assert.equal(got.code, c.want.code, `exit status; output:\n${got.stdout}${got.stderr}`);
        assert.ok(got.result, `no JSON result; stderr: ${got.stderr}`);
        assert.equal(got.result.target, "https://127.0.0.1:443 (plain HTTP on port 80)");
        assert.equal(got.result.scan.testsQuantity, 10);
        assert.deepEqual(failedTests(got.result), c.want.failed);
        if (c.want.grade) {
          assert.equal(got.result.scan.grade, c.want.grade);
        } else {
          assert.notEqual(got.result.scan.grade, "A+");
        }
        for (const [name, result] of Object.entries(c.want.results ?? {})) {
          assert.equal(got.result.tests[name].result, result, name);
        }
        assert.match(got.stdout, new RegExp(`^Grade ${got.result.scan.grade.replace("+", "\\+")} `, "m"));
        assert.match(got.stdout, c.want.code === 0 ? /^PASS: /m : /^FAIL: /m);
      } finally {
        await close();
      }
    });
  }

  portsTest("nothing listening", async () => {
    const got = await runScan([]);
    assert.equal(got.code, 2);
    assert.match(got.stderr, /seems to be down/);
    assert.equal(got.result, null);
  });
});

describe("usage errors exit 2 before scanning", () => {
  const cases = [
    ["a host that is not loopback", ["--host", "192.0.2.1"]],
    ["an unknown grade", ["--min-grade", "A++"]],
    ["a port (scan() takes none)", ["--https-port", "8443"]],
    ["a timeout of 0", ["--timeout", "0"]],
    ["an unknown option", ["--hots", "127.0.0.1"]],
    ["a missing certificate file", ["--ca", "/nonexistent/cert.pem"]],
  ];
  for (const [name, args] of cases) {
    test(name, async () => {
      const got = await runScan(args);
      assert.equal(got.code, 2, got.stdout + got.stderr);
      assert.equal(got.result, null);
    });
  }
});

describe("parseOptions", () => {
  test("defaults", () => {
    const o = parseOptions([]);
    assert.equal(o.host, "127.0.0.1");
    assert.equal(o.minGrade, "A+");
    assert.equal(o.allowFailedTests, false);
    assert.equal(o.timeoutSeconds, 60);
    assert.equal(o.ca, undefined);
  });
  test("options are read", () => {
    const o = parseOptions(["--host", "localhost", "--min-grade", "B", "--allow-failed-tests", "--timeout", "30"]);
    assert.deepEqual([o.host, o.minGrade, o.allowFailedTests, o.timeoutSeconds], ["localhost", "B", true, 30]);
  });
  test("errors are UsageError", () => {
    assert.throws(() => parseOptions(["--timeout", "0"]), UsageError);
    assert.throws(() => parseOptions(["--timeout", "1.5"]), UsageError);
    assert.throws(() => parseOptions(["--http-port", "8080"]), UsageError);
    assert.throws(() => parseOptions(["--engine", "ports"]), UsageError);
  });
});

describe("gradeAtLeast", () => {
  const cases = [
    ["A+", "A+", true],
    ["A", "A+", false],
    ["A+", "A", true],
    ["B+", "B", true],
    ["B-", "B", false],
    ["F", "F", true],
    ["D-", "C-", false],
  ];
  for (const [grade, min, want] of cases) {
    test(`${grade} >= ${min}`, () => assert.equal(gradeAtLeast(grade, min), want));
  }
  test("grades run from A+ to F", () => {
    assert.equal(GRADES[0], "A+");
    assert.equal(GRADES.at(-1), "F");
  });
  test("an unknown grade throws", () => assert.throws(() => gradeAtLeast("E", "A")));
});

describe("verdict", () => {
  const base = () => ({
    scan: { grade: "A+", score: 130, statusCode: 200, testsPassed: 2, testsQuantity: 2 },
    tests: {
      a: { result: "a-ok", pass: true, scoreModifier: 5 },
      b: { result: "b-ok", pass: true, scoreModifier: 0 },
    },
  });
  test("A+ with every test passed is ok", () => {
    assert.deepEqual(verdict(base(), { minGrade: "A+", allowFailedTests: false }), { ok: true, reasons: [] });
  });
  test("verdict names failed tests unless allowed", () => {
    const r = base();
    r.tests.b.pass = false;
    assert.deepEqual(verdict(r, { minGrade: "A+", allowFailedTests: false }), { ok: false, reasons: ["failed: b"] });
    assert.deepEqual(verdict(r, { minGrade: "A+", allowFailedTests: true }), { ok: true, reasons: [] });
  });
  test("a grade below the minimum fails even when allowed failed tests", () => {
    const r = base();
    r.scan.grade = "A";
    assert.deepEqual(verdict(r, { minGrade: "A+", allowFailedTests: true }), { ok: false, reasons: ["grade A is below A+"] });
    assert.deepEqual(verdict(r, { minGrade: "A-", allowFailedTests: true }), { ok: true, reasons: [] });
  });
  test("an unknown grade throws rather than passes", () => {
    const r = base();
    r.scan.grade = "A++";
    assert.throws(() => verdict(r, { minGrade: "F", allowFailedTests: true }));
  });
});

// The package is used only through its exported API: the bare specifier,
// never a path into its source.
test("only the package's exported API is imported", () => {
  let found = 0;
  for (const file of ["lib.mjs", "scan.mjs"]) {
    const src = readFileSync(path.join(HERE, file), "utf8");
    for (const m of src.matchAll(/["'](@mdn\/mdn-http-observatory[^"']*)["']/g)) {
      found++;
      assert.ok(
        m[1] === "@mdn/mdn-http-observatory" || m[1] === "@mdn/mdn-http-observatory/package.json",
        `${file} uses ${m[1]}`,
      );
    }
  }
  assert.ok(found >= 1, "the package is not imported at all");
});

test("plainText strips markup", () => {
  assert.equal(plainText("<code>X-Frame-Options</code> &amp; <a href='#'>CSP</a>\n ok"), "X-Frame-Options & CSP ok");
});
