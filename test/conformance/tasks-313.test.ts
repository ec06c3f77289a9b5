// Conformance: re-creates the test methods that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_tasks.py (the 3.12.1 file is in tasks-cpython.test.ts).
// BaseTaskTests runs once per C/Python Task in CPython; tsyncio has one Task, so once here.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { ValueError } from "../../src/index.js";
import type { Coroutine, Future, Task } from "../../src/index.js";

/** A fresh virtual-time loop, closed afterwards. */
async function withLoop(body: (loop: asyncio.testing.VirtualTimeLoop) => Promise<void>): Promise<void> {
  asyncio.setEventLoop(null);
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    await body(loop);
  } finally {
    if (!loop.isClosed()) loop.close();
    asyncio.setEventLoop(null);
  }
}

function* coro<T>(i: T): Coroutine<T> {
  return i;
}

// test_tasks.py (3.13) BaseTaskTests.test_uncancel_resets_must_cancel
test("test_tasks.py (3.13) BaseTaskTests.test_uncancel_resets_must_cancel", () =>
  withLoop(async (loop) => {
    const fut: Future<null> = loop.createFuture();
    const task = new asyncio.Task((function* () {
      yield* fut;
      return 42;
    })(), { loop });
    await loop.runUntilComplete(asyncio.sleep(0));
    fut.setResult(null);
    try {
      task.cancel();
      assert.equal(task.cancelling(), 1);
      assert.equal(task._mustCancel, true);
      task.uncancel();
      assert.equal(task.cancelling(), 0);
      assert.equal(task._mustCancel, false);
    } finally {
      assert.equal(await loop.runUntilComplete(task), 42);
    }
  }));

// test_tasks.py (3.13) BaseTaskTests.test_as_completed_same_tasks_in_as_out
test("test_tasks.py (3.13) BaseTaskTests.test_as_completed_same_tasks_in_as_out", () =>
  withLoop(async (loop) => {
    function* tryAsyncIterator(aws: Iterable<asyncio.Awaitable<unknown>>): Coroutine<Set<unknown>> {
      const out = new Set<unknown>();
      const it = asyncio.aiter(asyncio.asCompleted(aws));
      const END = Symbol("end");
      for (let f; (f = yield* asyncio.anext(it, END)) !== END;) out.add(f);
      return out;
    }
    // Coroutines are not given back (a finished coroutine cannot be awaited again).
    const in1 = new Set<unknown>([coro(0), coro(1), coro(2), coro(3)]);
    const out1 = await loop.runUntilComplete(tryAsyncIterator(in1 as Set<asyncio.Awaitable<unknown>>));
    assert.equal(out1.size, 4);
    for (const x of out1) assert.ok(!in1.has(x), "got an original coroutine out of asCompleted");
    // Tasks come back as they are.
    const taskB = loop.createTask(coro("b"));
    const taskD = loop.createTask(coro("d"));
    const in2 = new Set<unknown>([coro("a"), taskB, coro("c"), taskD]);
    const out2 = await loop.runUntilComplete(tryAsyncIterator(in2 as Set<asyncio.Awaitable<unknown>>));
    assert.deepEqual(new Set([...in2].filter((x) => out2.has(x))), new Set([taskB, taskD]));
  }));

// test_tasks.py (3.13) BaseTaskTests.test_as_completed_resume_iterator
test("test_tasks.py (3.13) BaseTaskTests.test_as_completed_resume_iterator", () =>
  withLoop(async (loop) => {
    function* tryIterator(aws: Coroutine<number>[]): Coroutine<number[]> {
      let iterations = 0;
      const iterator = asyncio.asCompleted(aws);
      const collected: number[] = [];
      for (const f of iterator) {
        collected.push(yield* f);
        iterations += 1;
        if (iterations === 2) break;
      }
      assert.equal(collected.length, 2);
      for (const f of iterator) collected.push(yield* f);
      return collected;
    }
    function* tryAsyncIterator(aws: Coroutine<number>[]): Coroutine<number[]> {
      let iterations = 0;
      const iterator = asyncio.aiter(asyncio.asCompleted(aws));
      const collected: number[] = [];
      const END = Symbol("end");
      for (let f; (f = yield* asyncio.anext(iterator, END)) !== END;) {
        collected.push(yield* (f as Task<number>));
        iterations += 1;
        if (iterations === 2) break;
      }
      assert.equal(collected.length, 2);
      for (let f; (f = yield* asyncio.anext(iterator, END)) !== END;) collected.push(yield* (f as Task<number>));
      return collected;
    }
    for (const foo of [tryIterator, tryAsyncIterator]) {
      const results = await loop.runUntilComplete(foo([coro(0), coro(1), coro(2), coro(3)]));
      assert.deepEqual([...results].sort(), [0, 1, 2, 3], foo.name);
    }
  }));

// test_tasks.py (3.13) BaseTaskTests.test_sleep_when_delay_is_nan
test("test_tasks.py (3.13) BaseTaskTests.test_sleep_when_delay_is_nan", () =>
  withLoop(async (loop) => {
    const t = new asyncio.Task((function* sleeper(): Coroutine<void> {
      yield* asyncio.sleep(NaN);
    })(), { loop });
    await assert.rejects(loop.runUntilComplete(t), ValueError);
  }));
