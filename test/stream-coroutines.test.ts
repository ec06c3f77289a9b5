// StreamReader.read() and StreamWriter.drain() return coroutines written as
// objects (LazyCoroutine, core/tasks.ts), not generators: what a user sees
// must be what a generator coroutine shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as asyncio from "../src/index.js";
import { StreamReader, StreamReaderProtocol, StreamWriter, type AbstractEventLoop, type Coroutine } from "../src/index.js";
import { Transport } from "../src/core/transports.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const B = (s: string): Buffer => Buffer.from(s, "latin1");

/** A transport with no I/O that only remembers whether it was closed. */
class QuietTransport extends Transport {
  closing = false;
  override write(_data: Uint8Array): void {}
  override isClosing(): boolean {
    return this.closing;
  }
  override close(): void {
    this.closing = true;
  }
}

function pair(loop: AbstractEventLoop): { reader: StreamReader; proto: StreamReaderProtocol; writer: StreamWriter } {
  const reader = new StreamReader({ loop });
  const proto = new StreamReaderProtocol(reader, null, loop);
  const tr = new QuietTransport();
  proto.connectionMade(tr);
  return { reader, proto, writer: new StreamWriter(tr, proto, reader, loop) };
}

for (const debug of [false, true]) {
  test(`read() and drain() are coroutines: lazy, named in task reprs, generators to 'yield without *', awaitable from async code (debug ${debug})`, async () => {
    await asyncio.run((function* () {
      const loop = asyncio.getRunningLoop();
      const { reader, proto, writer } = pair(loop);
      const rd = reader.read(5);
      const dr = writer.drain();
      for (const co of [rd, dr]) {
        assert.ok(asyncio.iscoroutine(co));
        assert.equal(Object.prototype.toString.call(co), "[object Generator]");
      }
      // Lazy: an exception set before the first resumption is what it raises.
      reader.setException(new asyncio.ValueError("boom"));
      assert.throws(() => rd.next(), /boom/);
      assert.throws(() => dr.next(), /boom/);
      // Finished by the exception, as a generator is.
      assert.deepEqual(rd.next(), { done: true, value: undefined });

      const { reader: r2, proto: p2, writer: w2 } = pair(loop);
      const t = asyncio.createTask(r2.read(3));
      assert.match(String(t), /coro=<read\(\)>/);
      p2.pauseWriting();
      const d = asyncio.createTask(w2.drain());
      assert.match(String(d), /coro=<drain\(\)>/);
      yield* asyncio.sleep(0);
      assert.match(String(t), /wait_for=<Future pending/);
      r2.feedData(B("abcdef"));
      assert.equal((yield* t).toString(), "abc");
      assert.equal(d.done(), false);
      p2.resumeWriting();
      yield* d;

      function* slip(): Coroutine<void> {
        yield r2.read(1) as never;
      }
      const [bad] = yield* asyncio.gather(asyncio.createTask(slip()), { returnExceptions: true });
      assert.ok(bad instanceof asyncio.RuntimeError);
      assert.match((bad as Error).message, /^yield was used instead of yield\* for generator in task /);
      void proto;
    })(), { debug });
  });

  test(`await read() and drain() from an async function run them as tasks (debug ${debug})`, async () => {
    const got = await asyncio.run((function* () {
      const loop = asyncio.getRunningLoop();
      const { reader, writer } = pair(loop);
      const p = (async () => {
        const a = await reader.read(2);
        await writer.drain();
        const b = await reader.read(-1);
        return `${a}|${b}`;
      })();
      yield* asyncio.sleep(0);
      reader.feedData(B("xyz"));
      yield* asyncio.sleep(0);
      reader.feedData(B("w"));
      reader.feedEof();
      return yield* asyncio.wrapFuture(p);
    })(), { debug });
    assert.equal(got, "xy|zw");
  });

  test(`a read cancelled while waiting raises CancelledError at the caller's yield*, finally blocks run, the next read works (debug ${debug})`, async () => {
    const seen: string[] = [];
    await asyncio.run((function* () {
      const loop = asyncio.getRunningLoop();
      const { reader } = pair(loop);
      function* consumer(): Coroutine<void> {
        try {
          yield* reader.read(10);
        } catch (e) {
          seen.push(`caught ${(e as Error).name} ${(e as Error).message}`);
          throw e;
        } finally {
          seen.push("finally");
        }
      }
      const t = asyncio.createTask(consumer());
      yield* asyncio.sleep(0);
      t.cancel("stop");
      const [r] = yield* asyncio.gather(t, { returnExceptions: true });
      assert.ok(r instanceof asyncio.CancelledError);
      const t2 = asyncio.createTask(reader.read(10));
      yield* asyncio.sleep(0);
      reader.feedData(B("hello"));
      assert.equal((yield* t2).toString(), "hello");
    })(), { debug });
    assert.deepEqual(seen, ["caught CancelledError stop", "finally"]);
  });

  test(`a read resumed by hand follows the generator protocol (debug ${debug})`, async () => {
    await asyncio.run((function* () {
      const loop = asyncio.getRunningLoop();
      const { reader } = pair(loop);
      const co = reader.read(4);
      const first = co.next();
      assert.equal(first.done, false);
      assert.ok(first.value instanceof asyncio.Future);
      // Resumed with its future still pending: what `yield* fut` raises.
      assert.throws(() => co.next(), (e: unknown) => e instanceof asyncio.RuntimeError && e.message === "await wasn't used with future");
      assert.deepEqual(co.next(), { done: true, value: undefined });
      // throw() into a new one comes straight out; return() closes it.
      reader.feedData(B("ab"));
      assert.throws(() => reader.read(1).throw(new asyncio.ValueError("in")), /in/);
      assert.deepEqual(reader.read(1).return(undefined as never), { done: true, value: undefined });
      const r = reader.read(1).next();
      assert.equal(r.done, true);
      assert.equal(String(r.value), "a");
      yield* asyncio.sleep(0);
    })(), { debug });
  });
}

/** Runs a script with node --expose-gc (through tsx) and returns its stderr. */
function stderrOf(script: string): string {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root, encoding: "utf8", env: { ...process.env, TSYNCIO_DEBUG: "" },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test("read() and drain() dropped without yield* warn 'was never awaited' (with where in debug mode); awaited or closed ones do not", () => {
  const stderr = stderrOf(`
    import * as asyncio from "./src/index.ts";
    function dropRead(r) { r.read(10); }
    function dropDrain(w) { w.drain(); }
    for (const debug of [false, true]) {
      await asyncio.run((function* () {
        const loop = asyncio.getRunningLoop();
        const reader = new asyncio.StreamReader({ loop });
        const proto = new asyncio.StreamReaderProtocol(reader, null, loop);
        const w = new asyncio.StreamWriter({ write() {}, isClosing() { return false; }, close() {} }, proto, reader, loop);
        dropRead(reader);
        dropDrain(w);
        reader.read(1).return(undefined);
        reader.feedData(Buffer.from("x"));
        yield* reader.read(1);
        yield* w.drain();
      })(), { debug });
      for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
      console.error("--");
    }
  `);
  const [plain, debugged] = stderr.split("--\n");
  const warnings = (s: string): string[] => s.split("\n").filter((l) => l.includes("RuntimeWarning")).map((l) => l.replace(/^\(node:\d+\) /, "")).sort();
  assert.deepEqual(warnings(plain!), ["RuntimeWarning: coroutine 'drain' was never awaited", "RuntimeWarning: coroutine 'read' was never awaited"]);
  assert.match(debugged!, /coroutine 'read' was never awaited\nCoroutine created at \(most recent call first\)\n\s+at StreamReader\.read .*\n\s+at dropRead /);
  assert.match(debugged!, /coroutine 'drain' was never awaited\nCoroutine created at \(most recent call first\)\n\s+at StreamWriter\.drain .*\n\s+at dropDrain /);
});

test("a coroutine left unstarted while the loop runs more iterations in the same job warns only if it is never awaited", () => {
  // The loop drops started coroutines from the check between iterations of
  // one job (core/base-events.ts's batch): unstarted ones must stay in it.
  const stderr = stderrOf(`
    import * as asyncio from "./src/index.ts";
    await asyncio.run((function* () {
      const reader = new asyncio.StreamReader();
      const kept = asyncio.sleep(0);
      const keptRead = reader.read(1);
      asyncio.sleep(0, "dropped");
      for (let i = 0; i < 20; i++) yield* asyncio.sleep(0);
      yield* kept;
      reader.feedData(Buffer.from("y"));
      console.error("read " + (yield* keptRead).toString());
    })());
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  `);
  assert.match(stderr, /read y/);
  assert.deepEqual(stderr.split("\n").filter((l) => l.includes("RuntimeWarning")).map((l) => l.replace(/^\(node:\d+\) /, "")), ["RuntimeWarning: coroutine 'sleep' was never awaited"]);
});

test("a coroutine made in a loop callback warns 'was never awaited' once dropped, also when the batch ends with an exception; one awaited in a later job does not", () => {
  // Coroutines made while the loop runs callbacks are looked at when the batch
  // ends (core/base-events.ts), not by a flush queued per job.
  const stderr = stderrOf(`
    import * as asyncio from "./src/index.ts";
    const loop = asyncio.newEventLoop();
    let kept;
    loop.callSoon(() => { kept = asyncio.sleep(0, "kept"); asyncio.sleep(0, "dropped"); });
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    console.error("kept " + (await loop.runUntilComplete(kept)));
    loop.callSoon(() => { asyncio.sleep(0, "dropped before SystemExit"); throw new asyncio.SystemExit(0); });
    try { await loop.runForever(); } catch (e) { console.error("raised " + e.name); }
    loop.close();
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  `);
  assert.match(stderr, /kept kept\nraised SystemExit\n/);
  assert.deepEqual(stderr.split("\n").filter((l) => l.includes("RuntimeWarning")).map((l) => l.replace(/^\(node:\d+\) /, "")), [
    "RuntimeWarning: coroutine 'sleep' was never awaited", "RuntimeWarning: coroutine 'sleep' was never awaited",
  ]);
});

test("one coroutine dropped among many awaited, thrown into or closed in the same job still warns 'was never awaited', once", () => {
  // The check counts the coroutines resumed since they were made (next, throw
  // or return, core/tasks.ts) and reads their states only when some were not.
  const stderr = stderrOf(`
    import * as asyncio from "./src/index.ts";
    await asyncio.run((function* () {
      const reader = new asyncio.StreamReader();
      reader.feedData(Buffer.from("abcdefgh"));
      yield* reader.read(1);
      try { reader.read(1).throw(new Error("into")); } catch (e) { console.error("thrown " + e.message); }
      reader.read(1).return(undefined);
      asyncio.sleep(0, "dropped");
      for (let i = 0; i < 3; i++) console.error("read " + (yield* reader.read(1)).toString());
    })());
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  `);
  assert.match(stderr, /thrown into\nread b\nread c\nread d\n/);
  assert.deepEqual(stderr.split("\n").filter((l) => l.includes("RuntimeWarning")).map((l) => l.replace(/^\(node:\d+\) /, "")), ["RuntimeWarning: coroutine 'sleep' was never awaited"]);
});
