// `async for` inside a coroutine: aiter()/anext() over StreamReader lines, Queue
// items, events (node:events on()) and Node Readables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter, on } from "node:events";
import { Readable } from "node:stream";
import * as asyncio from "../../src/index.js";
import { aiter, anext, Queue, StopAsyncIteration, StreamReader } from "../../src/index.js";
import { inLoop } from "../helpers/loop.js";

test("aiter/anext: a StreamReader's lines until EOF, with Python's `async for` spelled through anext's default", () =>
  inLoop(function* () {
    const reader = new StreamReader();
    reader.feedData(Buffer.from("one\ntwo\nthree"));
    reader.feedEof();
    const lines: string[] = [];
    for (const it = aiter(reader); ;) {
      const line = yield* anext(it, null);
      if (line === null) break;
      lines.push(line.toString());
    }
    assert.deepEqual(lines, ["one\n", "two\n", "three"]);
    let raised: unknown = null;
    try {
      yield* anext(aiter(reader));
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof StopAsyncIteration, "anext without a default raises StopAsyncIteration at the end");
  }),
);

test("aiter: a Queue's items until it is shut down", () =>
  inLoop(function* () {
    const q = new Queue<number>();
    const producer = asyncio.createTask((function* () {
      for (let i = 0; i < 3; i++) {
        yield* q.put(i);
        yield* asyncio.sleep(0);
      }
      q.shutdown();
    })());
    const got: number[] = [];
    for (let item, it = aiter(q); (item = yield* anext(it, null)) !== null;) got.push(item);
    assert.deepEqual(got, [0, 1, 2]);
    yield* producer;
  }),
);

test("aiter: events from node:events on(); cancelling the iterating task removes the listener", () =>
  inLoop(function* () {
    const emitter = new EventEmitter();
    const loop = asyncio.getRunningLoop();
    const seen: unknown[] = [];
    const consumer = asyncio.createTask((function* () {
      for (let args, it = aiter(on(emitter, "tick")); (args = yield* anext(it, null)) !== null;) seen.push((args as unknown[])[0]);
    })());
    yield* asyncio.sleep(0);
    for (let i = 0; i < 3; i++) {
      loop.callSoon(() => emitter.emit("tick", i));
      yield* asyncio.sleep(0.001);
    }
    while (seen.length < 3) yield* asyncio.sleep(0.001);
    assert.equal(emitter.listenerCount("tick"), 1);
    consumer.cancel();
    yield* asyncio.wait([consumer]);
    assert.ok(consumer.cancelled());
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(emitter.listenerCount("tick"), 0);
  }),
);

test("aiter: a Node Readable's chunks; TypeError for what is not async-iterable", () =>
  inLoop(function* () {
    const chunks: string[] = [];
    for (let c, it = aiter<string>(Readable.from(["a", "b", "c"])); (c = yield* anext(it, null)) !== null;) chunks.push(c);
    assert.deepEqual(chunks, ["a", "b", "c"]);
    assert.throws(() => aiter(42 as never), { name: "TypeError", message: "'number' object is not an async iterable" });
    assert.throws(() => anext({} as never), { name: "TypeError", message: "'object' object is not an async iterator" });
  }),
);
