// `async with` (asyncWith) and `except*` (ExceptionGroup.split) inside coroutines, on real servers, locks, task groups and timeouts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { asyncWith, ExceptionGroup, Lock, TaskGroup, TimeoutError, ValueError, KeyError, type StreamReader, type StreamWriter, type Coroutine } from "../../src/index.js";
import { inLoop } from "../helpers/loop.js";

test("asyncWith: `async with server:` closes the server when the body ends", () =>
  inLoop(function* () {
    const server = yield* asyncio.startServer(function* (_r: StreamReader, w: StreamWriter): Coroutine<void> {
      w.close();
    }, "127.0.0.1", 0);
    const port = yield* asyncWith(server, function* (s) {
      assert.equal(s.isServing(), true);
      return (s.sockets[0]!.getsockname() as [string, number])[1];
    });
    assert.ok(port > 0);
    assert.equal(server.isServing(), false);
    assert.equal(server.sockets.length, 0);
  }),
);

test("asyncWith: a Lock is held in the body, a Timeout raises TimeoutError, a TaskGroup waits for its tasks", () =>
  inLoop(function* () {
    const lock = new Lock();
    yield* asyncWith(lock, function* () {
      assert.equal(lock.locked(), true);
    });
    assert.equal(lock.locked(), false);

    let raised: unknown = null;
    try {
      yield* asyncWith(asyncio.timeout(0.01), function* () {
        yield* asyncio.sleep(3600);
      });
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof TimeoutError);

    const results: number[] = [];
    yield* asyncWith(new TaskGroup(), function* (tg) {
      for (const n of [1, 2, 3]) tg.createTask((function* () {
        yield* asyncio.sleep(0.001 * n);
        results.push(n);
      })());
    });
    assert.deepEqual(results, [1, 2, 3]);
    assert.throws(() => asyncWith({} as never, function* () {}).next(), { name: "TypeError" });
  }),
);

test("except*: ExceptionGroup.split() handles each class of a TaskGroup's errors", () =>
  inLoop(function* () {
    const handled: string[] = [];
    try {
      yield* asyncWith(new TaskGroup(), function* (tg) {
        tg.createTask((function* () { throw new ValueError("v"); })());
        tg.createTask((function* () { throw new KeyError("k"); })());
      });
    } catch (e) {
      if (!(e instanceof ExceptionGroup)) throw e;
      const [values, rest] = e.split(ValueError);         // except* ValueError as values:
      if (values !== null) handled.push(...values.exceptions.map((x) => `ValueError ${x.message}`));
      const [keys, rest2] = rest?.split(KeyError) ?? [null, null]; // except* KeyError as keys:
      if (keys !== null) handled.push(...keys.exceptions.map((x) => `KeyError ${x.message}`));
      if (rest2 !== null) throw rest2;                   // what no clause matched propagates
    }
    assert.deepEqual(handled, ["ValueError v", "KeyError k"]);
  }),
);
