// The package as a user gets it: `npm pack` of this checkout (its "prepare" script builds dist/), the
// tarball installed with real npm into new projects in a temp directory, and programs run there as plain
// node processes. One install skips the install scripts (as `--ignore-scripts` and pnpm do): importing
// tsyncio then names the command that builds the addon. One install runs them: the addon compiles,
// programs run in an ESM and a CommonJS package, and `tsyncio run main.ts` works though the project
// installed no tsx (tsx is a dependency of tsyncio). npm uses its cache first (--prefer-offline): the
// dependencies were fetched when this checkout was installed.
import { after, before, suite, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The environment of a user's shell: none of the npm_* variables `npm test` sets for its scripts. */
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== "INIT_CWD" && k !== "TSYNCIO_DEBUG"),
);
env.npm_config_audit = "false";
env.npm_config_fund = "false";
env.npm_config_update_notifier = "false";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const show = (r: Result): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

let tmp = "";
let tarball = "";

/** A new project in the temp directory: package.json with `extra`, and the given files. */
function project(name: string, extra: Record<string, unknown>, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, ...extra }, null, 2));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "tsyncio-install-"));
  // Packed from a copy, so that "prepare" rebuilding dist/ cannot disturb the other test files, which
  // use this checkout's dist/ meanwhile. The copy borrows this checkout's node_modules (typescript) and
  // build/ (scripts/build.mjs loads the CommonJS build to list its exports; build/ is not packed).
  const copy = join(tmp, "checkout");
  mkdirSync(copy);
  for (const entry of ["package.json", "README.md", "LICENSE", "binding.gyp", "tsconfig.json", "tsconfig.cjs.json",
    "native", "scripts", "bin", "src", "docs"]) {
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  symlinkSync(join(root, "build"), join(copy, "build"), "dir");
  const r = await run("npm", ["pack", "--pack-destination", tmp], copy);
  assert.equal(r.code, 0, show(r));
  tarball = join(tmp, r.stdout.trim().split("\n").at(-1)!);
  assert.ok(existsSync(tarball), show(r));
});

after(() => {
  if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
});

const MAIN_MJS = `import * as asyncio from "tsyncio";
import { socketpair } from "tsyncio/socket";

function* main() {
  const [a, b] = socketpair();
  a.setblocking(false);
  b.setblocking(false);
  const loop = asyncio.getRunningLoop();
  yield* loop.sockSendall(a, Buffer.from("ping"));
  const [data, n] = yield* asyncio.gather(loop.sockRecv(b, 4), asyncio.sleep(0.01, 42));
  a.close();
  b.close();
  return \`\${data} \${n}\`;
}

console.log(await asyncio.run(main()));
`;

const MAIN_CJS = `"use strict";
const asyncio = require("tsyncio");
const { socketpair } = require("tsyncio/socket");

function* main() {
  const [a, b] = socketpair();
  a.setblocking(false);
  b.setblocking(false);
  const loop = asyncio.getRunningLoop();
  yield* loop.sockSendall(a, Buffer.from("ping"));
  const [data, n] = yield* asyncio.gather(loop.sockRecv(b, 4), asyncio.sleep(0.01, 42));
  a.close();
  b.close();
  return \`\${data} \${n} \${typeof module}\`;
}

asyncio.run(main()).then((r) => console.log(r));
`;

const MAIN_TS = `import * as asyncio from "tsyncio";
import type { Coroutine } from "tsyncio";

function* worker(n: number): Coroutine<number> {
  yield* asyncio.sleep(0.01);
  return n * 2;
}

export function* main(): Coroutine<void> {
  const results: number[] = yield* asyncio.gather(worker(1), worker(2));
  console.log(process.argv.slice(2).join(","), results.join(","), asyncio.currentTask()?.getName());
}
`;

// What a TypeScript user writes against the shipped declarations (dist/*.d.ts through "exports"):
// the narrowed types hold without casts, and the misuse in misuse() is the one error.
const TYPES_TS = `import * as asyncio from "tsyncio";
import type { Coroutine } from "tsyncio";
import { AF_INET6, SOCK_STREAM, Socket, socketpair } from "tsyncio/socket";

function* n(): Coroutine<number> {
  return 1;
}

export function* typed(): Coroutine<string> {
  const [a, b] = yield* asyncio.gather(n(), asyncio.sleep(0, "s"), { returnExceptions: true });
  const first: number = a instanceof Error ? 0 : a;
  const second: string = b instanceof Error ? b.message : b;
  const sock = new Socket(AF_INET6, SOCK_STREAM);
  const [host, port, flowinfo, scopeId] = sock.getsockname();
  const [u] = socketpair();
  const path: string = u.getsockname();
  return [first, second, host, port + flowinfo + scopeId, path].join();
}

export function* misuse(): Coroutine<number> {
  const [a] = yield* asyncio.gather(n(), { returnExceptions: true });
  return a;
}
`;

// The two installs run side by side.
suite("the packed tarball installed into a new project", { concurrency: 2 }, () => {
  test("installed with --ignore-scripts, importing tsyncio says the addon was not built and names `npm rebuild tsyncio`", { timeout: 300_000 }, async () => {
    const dir = project("skip-scripts", { type: "module" }, { "main.mjs": MAIN_MJS, "main.cjs": MAIN_CJS });
    const inst = await run("npm", ["install", "--prefer-offline", "--ignore-scripts", tarball], dir);
    assert.equal(inst.code, 0, show(inst));
    assert.ok(!existsSync(join(dir, "node_modules", "tsyncio", "build")), "no addon was built");
    for (const main of ["main.mjs", "main.cjs"]) {
      const r = await run(process.execPath, [main], dir);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /tsyncio's native addon was not built \(.*node_modules[\\/]tsyncio[\\/]build[\\/]Release[\\/]tsyncio\.node is missing\)/);
      assert.match(r.stderr, /Build it with `npm rebuild tsyncio`/);
      assert.doesNotMatch(r.stderr, /Cannot find module/);
    }
  });

  test("installed normally, the addon builds; ESM and CommonJS programs run; `tsyncio run main.ts` needs no tsx in the project", { timeout: 400_000 }, async () => {
    const dir = project("app", { type: "module" }, {
      "main.mjs": MAIN_MJS,
      "main.ts": MAIN_TS,
      "cjs/package.json": JSON.stringify({ type: "commonjs" }),
      "cjs/main.js": MAIN_CJS,
      "cjs/main.ts": MAIN_TS,
      "types.ts": TYPES_TS,
    });
    const inst = await run("npm", ["install", "--prefer-offline", tarball], dir);
    assert.equal(inst.code, 0, show(inst));
    assert.ok(existsSync(join(dir, "node_modules", "tsyncio", "build", "Release", "tsyncio.node")), show(inst));
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: object; devDependencies?: object };
    assert.deepEqual(Object.keys(pkg.dependencies ?? {}), ["tsyncio"], "the project itself depends on tsyncio alone");
    assert.equal(pkg.devDependencies, undefined);

    const esm = await run(process.execPath, ["main.mjs"], dir);
    assert.equal(esm.code, 0, show(esm));
    assert.equal(esm.stdout, "ping 42\n");
    assert.equal(esm.stderr, "");

    const cjs = await run(process.execPath, ["cjs/main.js"], dir);
    assert.equal(cjs.code, 0, show(cjs));
    assert.equal(cjs.stdout, "ping 42 object\n");
    assert.equal(cjs.stderr, "");

    // The project has no TypeScript of its own: this checkout's tsc and @types/node check it.
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const types = await run(process.execPath, [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext",
      "--moduleResolution", "nodenext", "--typeRoots", join(root, "node_modules", "@types"), "--types", "node", "types.ts"], dir);
    const errors = types.stdout.split("\n").filter((l) => / error TS/.test(l));
    const line = TYPES_TS.split("\n").indexOf("  return a;") + 1;
    assert.equal(types.code, 2, show(types));
    assert.equal(errors.length, 1, show(types));
    assert.ok(errors[0]!.startsWith(`types.ts(${line},`), show(types));
    assert.match(errors[0]!, /error TS2322: Type 'number \| Error' is not assignable to type 'number'/);

    const bin = join(dir, "node_modules", ".bin", "tsyncio");
    for (const main of ["main.ts", "cjs/main.ts"]) {
      const r = await run(bin, ["run", main, "a", "b"], dir);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, "a,b 2,4 Task-1\n");
      assert.equal(r.stderr, "");
    }
  });
});
