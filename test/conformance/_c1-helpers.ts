// Helpers shared by c1's conformance files (tasks-cpython.test.ts, eager-task-factory.test.ts):
// CPython's test_utils.TestCase set-up (a fresh loop, no current loop) on a virtual clock.
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as asyncio from "../../src/index.js";
import type { Context, Coroutine, Future, Task } from "../../src/index.js";
import type { VirtualTimeLoop } from "../../src/testing.js";

export type { VirtualTimeLoop };

/**
 * test_utils.TestCase with new_test_loop(): no current event loop, a fresh
 * virtual-time loop (TestLoop's clock that moves only when the loop would
 * sleep), closed afterwards whatever happens.
 */
export async function withLoop(body: (loop: VirtualTimeLoop) => Promise<void> | void): Promise<void> {
  asyncio.setEventLoop(null);
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    await body(loop);
  } finally {
    if (!loop.isClosed() && !loop.isRunning()) loop.close();
    asyncio.setEventLoop(null);
  }
}

/** BaseTaskTests.new_task: a Task on `loop`, named 'TestTask' unless told otherwise. */
export function newTask<T>(loop: asyncio.AbstractEventLoop, coro: Coroutine<T>, name: string | null = "TestTask", context?: Context): Task<T> {
  return new asyncio.Task(coro, { loop, name, context: context ?? null });
}

/** test_utils.run_briefly: runs the loop for one short task (a few iterations). */
export async function runBriefly(loop: asyncio.AbstractEventLoop): Promise<void> {
  const t = loop.createTask((function* once(): Coroutine<void> {})());
  (t as { _logDestroyPending: boolean })._logDestroyPending = false;
  await loop.runUntilComplete(t);
}

/** assertRaises around a promise: returns the error, asserting its class. */
export async function rejects<E>(cls: abstract new (...a: never[]) => E, p: PromiseLike<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`${cls.name} not raised`);
}

/** assertRaises inside a coroutine: awaits `aw` and returns what it raises, asserting its class. */
export function* raises<E>(cls: abstract new (...a: never[]) => E, aw: Iterable<unknown>): Coroutine<E> {
  try {
    yield* aw;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`${cls.name} not raised`);
}

/** A future of `loop` (BaseTaskTests.new_future). */
export function newFuture<T>(loop: asyncio.AbstractEventLoop): Future<T> {
  return new asyncio.Future<T>({ loop });
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** support.gc_collect(): collects garbage and lets the finalization callbacks run. */
export async function gcCollect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}
