// abortable(): a promise-returning Node operation whose AbortSignal is tied to
// the awaiting task. Real operations: fetch against a local tsyncio HTTP
// server, fs.promises.readFile, timers/promises.setTimeout; and once() on real
// EventEmitters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import * as asyncio from "../../src/index.js";
import { abortable, once, TimeoutError, type Coroutine, type StreamReader, type StreamWriter } from "../../src/index.js";
import { inLoop } from "../helpers/loop.js";

/** Records every unhandled rejection while `body` runs and for two macrotasks after it. */
async function noUnhandledRejections(body: () => Promise<void>): Promise<void> {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void seen.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    await body();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  } finally {
    process.removeListener("unhandledRejection", onUnhandled);
  }
  assert.deepEqual(seen, []);
}

test("abortable: the result of the operation, and its rejection raised as it is", () =>
  inLoop(function* () {
    assert.equal(yield* abortable((signal) => delay(1, "value", { signal })), "value");
    const err = new Error("boom");
    let raised: unknown = null;
    try {
      yield* abortable(() => Promise.reject(err));
    } catch (e) {
      raised = e;
    }
    assert.equal(raised, err);
  }),
);

test("abortable: fetch against a local tsyncio HTTP server; waitFor expiring aborts the request and the server sees it", () =>
  noUnhandledRejections(() =>
    inLoop(function* () {
      const requestSeen = asyncio.getRunningLoop().createFuture<string>();
      const clientGone = asyncio.getRunningLoop().createFuture<boolean>();
      // An HTTP server that reads the request and never answers: only the client's abort ends the exchange.
      const server = yield* asyncio.startServer(function* (reader: StreamReader, writer: StreamWriter): Coroutine<void> {
        const head = yield* reader.readuntil("\r\n\r\n");
        const first = !requestSeen.done();
        if (first) requestSeen.setResult(head.toString().split("\r\n")[0]!);
        const rest = yield* reader.read();
        if (first) clientGone.setResult(rest.length === 0);
        writer.close();
      }, "127.0.0.1", 0);
      const port = (server.sockets[0]!.getsockname() as [string, number])[1];
      let seenSignal: AbortSignal | null = null;
      const request = abortable((signal) => {
        seenSignal = signal;
        return fetch(`http://127.0.0.1:${port}/slow`, { signal });
      });
      const waiting = asyncio.ensureFuture(asyncio.waitFor(request, 30));
      assert.equal(yield* requestSeen, "GET /slow HTTP/1.1");
      // The request is in flight on the server: now the timeout expires.
      waiting.cancel();
      yield* asyncio.wait([waiting]);
      assert.ok(waiting.cancelled());
      assert.equal((seenSignal as AbortSignal | null)?.aborted, true);
      assert.equal(yield* clientGone, true, "the server read EOF: the client closed the aborted request's connection");

      const timedOut = asyncio.ensureFuture(asyncio.waitFor(abortable((signal) => fetch(`http://127.0.0.1:${port}/again`, { signal })), 0.05));
      yield* asyncio.wait([timedOut]);
      assert.ok(timedOut.exception() instanceof TimeoutError);
      server.close();
      yield* server.waitClosed();
    }),
  ),
);

test("abortable: fs.promises.readFile with the signal; cancelling the task aborts it and raises CancelledError at once", () =>
  noUnhandledRejections(async () => {
    const dir = await mkdtemp(join(tmpdir(), "tsyncio-abortable-"));
    try {
      const path = join(dir, "big");
      await writeFile(path, Buffer.alloc(32 * 1024 * 1024, 7));
      await inLoop(function* () {
        let seenSignal: AbortSignal | null = null;
        let settled = false;
        const task = asyncio.createTask(abortable((signal) => {
          seenSignal = signal;
          const p = readFile(path, { signal });
          // Watches the promise without handling it (a then without a rejection handler), to know when it settles.
          p.then(() => (settled = true), () => (settled = true));
          return p;
        }));
        yield* asyncio.sleep(0);
        task.cancel();
        yield* asyncio.wait([task]);
        assert.ok(task.cancelled());
        assert.equal((seenSignal as AbortSignal | null)?.aborted, true);
        assert.equal(settled, false, "CancelledError came before the read's promise settled");
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }),
);

test("abortable: timers/promises.setTimeout inside a timeout() scope; the scope expiring aborts the timer", () =>
  noUnhandledRejections(() =>
    inLoop(function* () {
      let seenSignal: AbortSignal | null = null;
      let raised: unknown = null;
      try {
        yield* asyncio.timeout(0.01, function* () {
          yield* abortable((signal) => {
            seenSignal = signal;
            return delay(60_000, undefined, { signal });
          });
        });
      } catch (e) {
        raised = e;
      }
      assert.ok(raised instanceof TimeoutError, String(raised));
      assert.equal((seenSignal as AbortSignal | null)?.aborted, true);
    }),
  ),
);

test("once: waits for one event and returns its arguments; an 'error' event raises", () =>
  inLoop(function* () {
    const emitter = new EventEmitter();
    const loop = asyncio.getRunningLoop();
    loop.callSoon(() => emitter.emit("ready", 1, "two"));
    assert.deepEqual(yield* once(emitter, "ready"), [1, "two"]);
    const boom = new Error("boom");
    loop.callSoon(() => emitter.emit("error", boom));
    let raised: unknown = null;
    try {
      yield* once(emitter, "never");
    } catch (e) {
      raised = e;
    }
    assert.equal(raised, boom);
  }),
);

test("once: cancelling the waiting task removes the listener", () =>
  inLoop(function* () {
    const emitter = new EventEmitter();
    const task = asyncio.createTask(once(emitter, "message"));
    yield* asyncio.sleep(0);
    assert.equal(emitter.listenerCount("message"), 1);
    task.cancel();
    yield* asyncio.wait([task]);
    assert.ok(task.cancelled());
    assert.equal(emitter.listenerCount("message"), 0);
    assert.equal(emitter.listenerCount("error"), 0);
    let raised: unknown = null;
    try {
      yield* asyncio.waitFor(once(emitter, "message"), 0.01);
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof TimeoutError);
    assert.equal(emitter.listenerCount("message"), 0);
  }),
);
