// One copy of tsyncio per process: real child processes in temporary projects
// of "type": "module" and "type": "commonjs", each running a program in every
// module flavour through the `tsyncio` command (and plain node), with a
// CommonJS helper that requires tsyncio beside an ESM importer.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const childEnv: NodeJS.ProcessEnv = { ...process.env, TSYNCIO_DEBUG: "" };
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// The helper a CommonJS dependency would be: it requires tsyncio by name.
const HELPER = `const asyncio = require("tsyncio");
exports.later = function* later(v) { yield* asyncio.sleep(0.01); return v; };
exports.isFuture = (f) => f instanceof asyncio.Future;
exports.runningLoop = () => asyncio.getRunningLoop();
exports.Future = asyncio.Future;
exports.Queue = require("tsyncio/contextvars").ContextVar;
`;

const BODY = `function* main() {
  const fut = asyncio.getRunningLoop().createFuture();
  const [a, b] = yield* asyncio.gather(helper.later("cjs"), asyncio.sleep(0.01, "esm"));
  console.log(a, b, helper.isFuture(fut), helper.runningLoop() === asyncio.getRunningLoop(), helper.Future === asyncio.Future,
    helper.Queue === contextvars.ContextVar);
}`;

// ESM syntax: what tsx compiles to require() in a CommonJS project (the reported failure) and runs as ESM otherwise.
const ESM = `import * as asyncio from "tsyncio";
import * as contextvars from "tsyncio/contextvars";
import * as helper from "./helper.cjs";
export ${BODY}
`;
const CJS = `const asyncio = require("tsyncio");
const contextvars = require("tsyncio/contextvars");
const helper = require("./helper.cjs");
exports.main = ${BODY};
`;

function project(type: "module" | "commonjs"): string {
  const dir = mkdtempSync(join(tmpdir(), `tsyncio-${type}-`));
  dirs.push(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", type }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "tsyncio"), "dir");
  writeFileSync(join(dir, "helper.cjs"), HELPER);
  return dir;
}

function runNode(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const EXPECTED = "cjs esm true true true true\n";
const flavours: Record<"module" | "commonjs", Record<string, string>> = {
  module: { ".ts": ESM, ".mts": ESM, ".cts": ESM, ".js": ESM, ".mjs": ESM, ".cjs": CJS },
  commonjs: { ".ts": ESM, ".mts": ESM, ".cts": ESM, ".js": CJS, ".mjs": ESM, ".cjs": CJS },
};

for (const type of ["module", "commonjs"] as const) {
  test(`tsyncio run: a "type": "${type}" project, main in .ts .mts .cts .js .mjs .cjs, shares one tsyncio with a CommonJS helper`, async () => {
    const dir = project(type);
    const bin = join(dir, "node_modules", "tsyncio", "bin", "tsyncio.mjs");
    for (const [ext, text] of Object.entries(flavours[type])) {
      writeFileSync(join(dir, `main${ext}`), text);
      const r = await runNode(dir, [bin, "run", `main${ext}`]);
      assert.equal(r.stderr, "", `main${ext}`);
      assert.equal(r.stdout, EXPECTED, `main${ext}`);
      assert.equal(r.code, 0, `main${ext}`);
    }
  });
}

test("plain node: an ESM program and the CommonJS helper it loads share one loop registry, policy and classes", async () => {
  const dir = project("module");
  writeFileSync(join(dir, "main.mjs"), `${ESM}
await asyncio.run(main());
const policy = asyncio.getEventLoopPolicy();
const { createRequire } = await import("node:module");
console.log(createRequire(import.meta.url)("tsyncio").getEventLoopPolicy() === policy);
`);
  const r = await runNode(dir, ["main.mjs"]);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, `${EXPECTED}true\n`);
  assert.equal(r.code, 0);
});

test("the built CLI (dist/, as run without tsx) shares its copy with the program's require and import", async () => {
  for (const type of ["module", "commonjs"] as const) {
    const dir = project(type);
    const cli = join(root, "dist", "esm", "cli", "cli.js");
    for (const [ext, text] of Object.entries({ ".mjs": ESM, ".cjs": CJS })) {
      writeFileSync(join(dir, `main${ext}`), text);
      const r = await runNode(dir, ["--input-type=module", "-e",
        `const { cliMain } = await import(${JSON.stringify(pathToFileURL(cli).href)}); process.exitCode = await cliMain(["run", "main${ext}"]);`]);
      assert.equal(r.stderr, "", `${type} main${ext}`);
      assert.equal(r.stdout, EXPECTED, `${type} main${ext}`);
      assert.equal(r.code, 0, `${type} main${ext}`);
    }
  }
});
