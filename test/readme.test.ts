// The README's quick start must run as printed, and the package entry points
// named in package.json ("tsyncio", "tsyncio/socket", "tsyncio/contextvars")
// must resolve in both module systems.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("the README quick start runs and prints what it says", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const m = /## Quick start\n\n```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "README has a Quick start code block");
  // Run it against the sources (dist/ may be older than src/ during development).
  const code = m[1]!.replace(/from "tsyncio"/g, `from ${JSON.stringify(join(root, "src", "index.ts"))}`);
  const dir = mkdtempSync(join(root, ".tmp-readme-"));
  try {
    const file = join(dir, "quickstart.ts");
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 120_000 });
    assert.equal(out, "[ 2, 4 ]\nhello\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the package entry points resolve by name in ESM and CommonJS", () => {
  const esm = execFileSync(process.execPath, ["--input-type=module", "-e",
    'import * as a from "tsyncio"; import * as s from "tsyncio/socket"; import * as c from "tsyncio/contextvars";' +
    'console.log(typeof a.run, typeof a.getRunningLoop, typeof s.Socket, typeof s.socketpair, typeof c.ContextVar)'],
  { cwd: root, encoding: "utf8" });
  assert.equal(esm.trim(), "function function function function function");
  const cjs = execFileSync(process.execPath, ["-e",
    'const a = require("tsyncio"); const s = require("tsyncio/socket"); const c = require("tsyncio/contextvars");' +
    'console.log(typeof a.run, typeof a.getRunningLoop, typeof s.Socket, typeof s.socketpair, typeof c.ContextVar)'],
  { cwd: root, encoding: "utf8" });
  assert.equal(cjs.trim(), "function function function function function");
});
