// The mistakes a new user makes, each answered by an error (or a debug-mode
// warning) that names the fix: seconds for milliseconds, a Promise where a
// coroutine goes, a generator function not called, an array for gather, text
// for bytes, a loop closed while its run was not awaited; and the stacks of
// errors that leave tsyncio, with tsyncio's own frames folded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";
import { inLoop } from "./helpers/loop.js";

const indexUrl = new URL("../src/index.ts", import.meta.url).href;

/** Runs a module (tsyncio imported as `asyncio`) in a child Node process: its exit status and output. */
function runScript(body: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-mistake-"));
  try {
    const file = join(dir, "main.mts");
    writeFileSync(file, `import * as asyncio from ${JSON.stringify(indexUrl)};\n${body}\n`);
    const r = spawnSync(process.execPath, ["--import", "tsx", file], {
      encoding: "utf8", timeout: 180_000, env: { ...process.env, TSYNCIO_DEBUG: "" },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fetchValue(): Promise<number> {
  await asyncio.sleep(0);
  return 5;
}

test("yield* of a Promise: the TypeError names yield* wrapFuture(promise)", () =>
  inLoop(function* () {
    const t = asyncio.createTask((function* (): Coroutine<number> {
      return yield* (Promise.resolve(1) as unknown as Coroutine<number>);
    })());
    yield* asyncio.wait([t]);
    const e = t.exception();
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /is not iterable .*yield\* wrapFuture\(promise\)/);
    assert.match(e.stack ?? "", /^TypeError: .*yield\* wrapFuture\(promise\)/);
  }));

test("yield (not yield*) of a Promise: 'Task got bad yield' names the Promise and the fix", () =>
  inLoop(function* () {
    const t = asyncio.createTask((function* (): Coroutine<void> {
      yield Promise.resolve(1);
    })());
    yield* asyncio.wait([t]);
    assert.match(String(t.exception()), /^RuntimeError: Task got bad yield: a Promise .*yield\* wrapFuture\(promise\)/);
  }));

test("yield* asyncFn() where the async function uses tsyncio: the process reports the real TypeError with its fix, not a bare CancelledError", () => {
  const r = runScript([
    "async function fetchIt() { await asyncio.sleep(0.01); return 5; }",
    "await asyncio.run(function* main() {",
    "  // @ts-ignore the mistake under test",
    "  yield* fetchIt();",
    "}());",
  ].join("\n"));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /TypeError: .*is not iterable .*yield\* wrapFuture\(promise\)/);
  assert.doesNotMatch(r.stderr, /^CancelledError$/m);
});

test("createTask(asyncFn()): the TypeError names ensureFuture", () =>
  inLoop(function* (loop) {
    assert.throws(() => loop.createTask(fetchValue() as unknown as Coroutine<number>), (e: unknown) =>
      e instanceof TypeError && /^a coroutine was expected, got a Promise .*ensureFuture\(promise\)/.test(e.message));
    yield* asyncio.sleep(0);
  }));

test("asyncio.run(main) with main not called: ValueError 'got the generator function main; did you mean main()?'", async () => {
  function* main(): Coroutine<void> {
    yield* asyncio.sleep(0);
  }
  await assert.rejects(asyncio.run(main as unknown as Coroutine<void>), (e: unknown) =>
    e instanceof asyncio.ValueError && e.message === "a coroutine was expected, got the generator function main; did you mean main()?");
});

test("gather([a, b]): the TypeError says to spread the array", () =>
  inLoop(function* (loop) {
    const a = loop.createFuture<number>();
    const b = loop.createFuture<number>();
    assert.throws(() => asyncio.gather([a, b] as never), (e: unknown) =>
      e instanceof TypeError && /an array; pass the awaitables as separate arguments: gather\(\.\.\.array\)$/.test(e.message));
    a.setResult(1);
    b.setResult(2);
    assert.deepEqual(yield* asyncio.gather(a, b), [1, 2]);
  }));

test("writer.write('text'): the TypeError says Buffer.from(text)", () =>
  inLoop(function* () {
    const server = yield* asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0);
    const port = (server.sockets[0]!.getsockname() as [string, number])[1];
    const [, writer] = yield* asyncio.openConnection("127.0.0.1", port);
    assert.throws(() => writer.write("hello" as never), (e: unknown) =>
      e instanceof TypeError && /^data argument must be a bytes-like object, not 'str'; encode text first: Buffer\.from\(text\)/.test(e.message));
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }));

test("close() while the promise of runUntilComplete() was not awaited: the RuntimeError says to await it", async () => {
  const loop = asyncio.newEventLoop();
  const done = loop.runUntilComplete(asyncio.sleep(0));
  assert.throws(() => loop.close(), (e: unknown) =>
    e instanceof asyncio.RuntimeError && /^Cannot close a running event loop \(.*await them before close\(\)\)$/.test(e.message));
  await done;
  loop.close();
});

test("close() from inside a running callback keeps Python's message alone", async () => {
  const loop = asyncio.newEventLoop();
  let message = "";
  loop.callSoon(() => {
    try {
      loop.close();
    } catch (e) {
      message = (e as Error).message;
    }
    loop.stop();
  });
  await loop.runForever();
  loop.close();
  assert.equal(message, "Cannot close a running event loop");
});

test("an error thrown in a coroutine reaches Node with the user's frames and tsyncio's own frames folded", () => {
  const r = runScript([
    "function* inner() { yield* asyncio.sleep(0); throw new RangeError('boom'); }",
    "await asyncio.run(function* main() { yield* inner(); }());",
  ].join("\n"));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /RangeError: boom\n\s+at inner \(.*main\.mts:\d+:\d+\)/);
  assert.match(r.stderr, /at <tsyncio internals>/);
  assert.doesNotMatch(r.stderr, /[\\/]src[\\/](core|net|sync)[\\/]/);
});

test("console.log and util.inspect show loops, tasks, futures, handles, servers, transports and streams as their Python repr", () =>
  inLoop(function* (loop) {
    const { inspect } = yield* asyncio.wrapFuture(import("node:util"));
    assert.equal(inspect(loop), "<SelectorEventLoop running=True closed=False debug=False>");
    const fut = loop.createFuture<number>();
    assert.equal(inspect(fut), "<Future pending>");
    assert.equal(inspect({ fut }), "{ fut: <Future pending> }");
    const h = loop.callSoon(function cb() {});
    assert.equal(inspect(h), "<Handle cb()>");
    h.cancel();
    const server = yield* asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0);
    assert.equal(inspect(server), String(server));
    assert.match(inspect(server), /^<Server sockets=/);
    const port = (server.sockets[0]!.getsockname() as [string, number])[1];
    const [reader, writer] = yield* asyncio.openConnection("127.0.0.1", port);
    assert.equal(inspect(writer.transport), String(writer.transport));
    assert.match(inspect(writer.transport), /^<_?SelectorSocketTransport fd=\d+/);
    assert.equal(inspect(reader), String(reader));
    assert.equal(inspect(writer), String(writer));
    assert.equal(inspect(new asyncio.Lock()), "<Lock [unlocked]>");
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
    fut.cancel();
  }));
