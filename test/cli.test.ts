// The `tsyncio` command, run as a real process: run (generator, async, failing main, --debug, Ctrl-C), --version, repl on piped stdin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The children run outside debug mode unless a test asks for it (the suite may run under TSYNCIO_DEBUG=1).
const childEnv: NodeJS.ProcessEnv = { ...process.env, TSYNCIO_DEBUG: "" };

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "tsyncio.mjs");
const fixture = (name: string): string => join("test", "fixtures", `${name}.ts`);

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin as a user would (plain node, no loader flags), with `input` on stdin. */
function tsyncio(args: string[], input = ""): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

test("--version prints the package version", async () => {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const r = await tsyncio(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `tsyncio ${version}\n`);
});

test("run: a generator main gets its arguments in process.argv, as Python's sys.argv", async () => {
  const r = await tsyncio(["run", fixture("cli-generator"), "one", "--two"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '["one","--two"]\na b Task-1 true\ndebug=false\n');
});

test("run: an async main that imports the package by name shares the CLI's loop", async () => {
  const r = await tsyncio(["run", fixture("cli-async")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "42 done false\n");
});

test("run: an uncaught exception prints a traceback, the class and message, the task's name; exit 1", async () => {
  const r = await tsyncio(["run", fixture("cli-failing")]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines[0], "Traceback (most recent call last):");
  assert.match(r.stderr, /\n {2}File ".*cli-failing\.ts", line 6, in worker\n {4}throw new asyncio\.ValueError\("bad value 7"\);\n/);
  assert.equal(lines.at(-2), "ValueError: bad value 7");
  assert.equal(lines.at(-1), "(raised in task 'the-worker')");
});

test("run --debug turns on debug mode", async () => {
  const r = await tsyncio(["run", "--debug", fixture("cli-generator")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "[]\na b Task-1 true\ndebug=true\n");
});

test("run: a missing module exits 2; an unknown command exits 2 with the usage", async () => {
  const r = await tsyncio(["run", "test/fixtures/cli-no-such-module.ts"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /can't open file '.*cli-no-such-module\.ts': \[Errno 2\] No such file or directory/);
  const u = await tsyncio(["frobnicate"]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /^usage: tsyncio/);
});

/** Debug mode's "Executing <Handle ...> took 0.284 seconds" lines, which a loaded machine may add anywhere. */
function withoutSlowCallbackWarnings(text: string): string {
  return text.replace(/^Executing .* took \d+\.\d+ seconds\n/gm, "");
}

test("run --debug: SIGUSR2 prints the task tree, Ctrl-C prints it again and exits 130 with KeyboardInterrupt", async () => {
  const child = spawn(process.execPath, [bin, "run", "--debug", fixture("cli-hang")], { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waitFor = (pred: () => boolean): Promise<void> => new Promise((resolve) => {
    const check = (): void => {
      if (pred()) resolve();
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    check();
  });
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  try {
    await waitFor(() => stdout.includes("ready\n"));
    child.kill("SIGUSR2");
    await waitFor(() => stderr.includes("(T) sleeper"));
    const tree = withoutSlowCallbackWarnings(stderr);
    assert.match(tree, /^└── \(T\) Task-1 main\(\) waiting on Task 'sleeper'\n/);
    assert.match(tree, /\n {4}└── \(T\) sleeper sleeper\(\) waiting on <Future pending> created at sleeper \(.*cli-hang\.ts:5:\d+\)\n/);
    child.kill("SIGINT");
    assert.equal(await exited, 130);
    assert.equal(stderr.split("(T) sleeper sleeper()").length, 3, stderr);
    assert.match(stderr, /\nKeyboardInterrupt\n$/);
  } finally {
    clearTimeout(timer);
    // A failed assertion must not leave the child holding the test process open.
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

test("repl on piped stdin: top-level await, a task created in one input and awaited in a later one", async () => {
  const input = [
    "await asyncio.sleep(0.01, 42)",
    'const t = asyncio.createTask(asyncio.sleep(0.05, "later"), { name: "bg" })',
    "t.getName()",
    "t.done()",
    "await t",
    "t.done()",
    "function* double(x) { yield* asyncio.sleep(0); return 2 * x; }",
    "await double(21)",
    "const [p, q] = await asyncio.gather(double(1), double(2))",
    "[p,",
    " q]",
    "asyncio.getRunningLoop().isRunning()",
    'throw new asyncio.ValueError("oops")',
    "await asyncio.waitFor(asyncio.sleep(10), 0.01)",
    "",
  ].join("\n");
  const r = await tsyncio(["repl"], input);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "42\n'bg'\nfalse\n'later'\ntrue\n42\n[ 2, 4 ]\ntrue\n");
  assert.match(r.stderr, /^tsyncio REPL /);
  assert.match(r.stderr, /\nValueError: oops\n/);
  assert.match(r.stderr, /\nTimeoutError\n/);
  assert.match(r.stderr, /exiting asyncio REPL\.\.\.\n$/);
});

test("repl as Node's: multi-statement input with top-level await and persisting declarations, static and dynamic imports, Python reprs", async () => {
  const input = [
    "const t0 = 1; await asyncio.sleep(0.01); t0",
    "t0 + 1",
    'import { readFileSync } from "node:fs"',
    "typeof readFileSync",
    'import * as os from "node:os"; typeof os.cpus',
    'import path, { join as j } from "node:path"',
    'j("a", "b") === path.join("a", "b")',
    'const fsp = await import("node:fs/promises"); typeof fsp.readFile',
    "asyncio.getRunningLoop()",
    "asyncio.getRunningLoop().createFuture()",
    "asyncio.getRunningLoop().callLater(1000, () => {})",
    'const task = asyncio.createTask(asyncio.sleep(0.01), { name: "t1" }); await task; task',
    "function f(a,",
    "  b) { return a + b; }",
    "f(1, 2)",
    'throw new RangeError("x")',
    "t0",
    "",
  ].join("\n");
  const r = await tsyncio(["repl"], input);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 8), [
    "1", "2", "'function'", "'function'", "true", "'function'",
    "<SelectorEventLoop running=True closed=False debug=False>",
    "<Future pending>",
  ]);
  assert.match(lines[8]!, /^<TimerHandle when=[\d.]+ <anonymous>\(\)>$/);
  assert.match(lines[9]!, /^<Task finished name='t1' coro=<\w+\(\)> result=None>$/);
  assert.deepEqual(lines.slice(10), ["3", "1", ""]);
  assert.match(r.stderr, /Traceback \(most recent call last\):\n {2}File "REPL\d+", line 1, in <module>\nRangeError: x\n/);
  assert.doesNotMatch(r.stderr, /SyntaxError|Uncaught/);
});
