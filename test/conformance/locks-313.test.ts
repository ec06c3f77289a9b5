// Conformance: re-creates the test methods CPython 3.13.0 added to
// test_locks.py (ConditionTests: cancellation while waiting or re-acquiring;
// SemaphoreTests.test_acquire_fifo_order_4). The 3.12.1 tests are in
// locks.test.ts. IsolatedAsyncioTestCase becomes asyncio.run on a virtual-time
// loop; `async with cond` becomes acquire() + try/finally release().
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, TimeoutError } from "../../src/index.js";
import type { Coroutine, Task } from "../../src/index.js";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

/** Awaits `aw`, asserts it raises CancelledError, and returns that error. */
function* catchCancelled(aw: Iterable<unknown>): Coroutine<CancelledError> {
  try {
    yield* aw;
  } catch (e) {
    assert.ok(e instanceof CancelledError, String(e));
    return e;
  }
  assert.fail("CancelledError not raised");
}

/** The consumer of test_cancelled_wakeup(_relock): consumes `state` until it goes negative. */
function consumerOf(condition: asyncio.Condition, st: { state: number }): () => Coroutine<void> {
  return function* consumer() {
    yield* condition.acquire();
    try {
      for (;;) {
        yield* condition.waitFor(() => st.state !== 0);
        if (st.state < 0) return;
        st.state -= 1;
      }
    } finally {
      condition.release();
    }
  };
}

/** Waits (under the condition) up to 10 ms for the item to be consumed, as `async with timeout(0.01)`. */
function* waitConsumed(condition: asyncio.Condition, st: { state: number }): Coroutine<void> {
  try {
    yield* asyncio.timeout(0.01, () => condition.waitFor(() => st.state === 0));
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
  }
}

// test_locks.py (3.13) ConditionTests.test_cancelled_error_wakeup
test("test_locks.py (3.13) ConditionTests.test_cancelled_error_wakeup", () =>
  run(function* () {
    const wake = false;
    let raised: CancelledError | null = null;
    const cond = new asyncio.Condition();
    function* func(): Coroutine<void> {
      yield* cond.acquire();
      try {
        raised = yield* catchCancelled(cond.waitFor(() => wake));
        throw raised;
      } finally {
        cond.release();
      }
    }
    const task = asyncio.createTask(func());
    yield* asyncio.sleep(0);
    task.cancel("foo");
    const err = yield* catchCancelled(task);
    assert.equal(err.message, "foo");
    assert.equal(err, raised);
  }));

// test_locks.py (3.13) ConditionTests.test_cancelled_error_re_aquire
test("test_locks.py (3.13) ConditionTests.test_cancelled_error_re_aquire", () =>
  run(function* () {
    let wake = false;
    let raised: CancelledError | null = null;
    const cond = new asyncio.Condition();
    function* func(): Coroutine<void> {
      yield* cond.acquire();
      try {
        raised = yield* catchCancelled(cond.waitFor(() => wake));
        throw raised;
      } finally {
        cond.release();
      }
    }
    const task = asyncio.createTask(func());
    yield* asyncio.sleep(0);
    yield* cond.acquire();
    wake = true;
    cond.notify();
    yield* asyncio.sleep(0);
    // The task now waits to re-acquire the lock: cancel it there.
    task.cancel("foo");
    cond.release();
    const err = yield* catchCancelled(task);
    assert.equal(err.message, "foo");
    assert.equal(err, raised);
  }));

// test_locks.py (3.13) ConditionTests.test_cancelled_wakeup
test("test_locks.py (3.13) ConditionTests.test_cancelled_wakeup", () =>
  run(function* () {
    const condition = new asyncio.Condition();
    const st = { state: 0 };
    const consumer = consumerOf(condition, st);
    const c = [asyncio.createTask(consumer()), asyncio.createTask(consumer())];
    yield* asyncio.sleep(0);
    yield* condition.acquire();
    try {
      st.state += 1;
      condition.notify(1);
      // Cancelled while it waits to run after the wakeup: the wakeup is not lost.
      c[0]!.cancel();
      yield* waitConsumed(condition, st);
      assert.equal(st.state, 0);
      st.state = -1;
      condition.notifyAll();
    } finally {
      condition.release();
    }
    yield* c[1]!;
  }));

// test_locks.py (3.13) ConditionTests.test_cancelled_wakeup_relock
test("test_locks.py (3.13) ConditionTests.test_cancelled_wakeup_relock", () =>
  run(function* () {
    const condition = new asyncio.Condition();
    const st = { state: 0 };
    const consumer = consumerOf(condition, st);
    const c = [asyncio.createTask(consumer()), asyncio.createTask(consumer())];
    yield* asyncio.sleep(0);
    yield* condition.acquire();
    try {
      st.state += 1;
      condition.notify(1);
      // Let the woken task settle on re-acquiring the lock, then cancel it there.
      yield* asyncio.sleep(0);
      c[0]!.cancel();
      yield* waitConsumed(condition, st);
      assert.equal(st.state, 0);
      st.state = -1;
      condition.notifyAll();
    } finally {
      condition.release();
    }
    yield* c[1]!;
  }));

// test_locks.py (3.13) SemaphoreTests.test_acquire_fifo_order_4
test("test_locks.py (3.13) SemaphoreTests.test_acquire_fifo_order_4", () =>
  run(function* () {
    const sem = new asyncio.Semaphore(0);
    const result: number[] = [];
    let t4: Task<boolean> | null = null;
    function* c1(): Coroutine<boolean> {
      assert.equal(sem._value, 0);
      yield* sem.acquire();
      // Every waiting task has been woken by now.
      assert.equal(sem._value, 0);
      // A fourth task runs after c3, not c2.
      t4 = asyncio.createTask(c4());
      result.push(1);
      return true;
    }
    function* c2(): Coroutine<boolean> {
      sem.release();
      sem.release();
      sem.release();
      assert.equal(sem._value, 2);
      // Locked, since c1 has not woken up yet.
      assert.ok(sem.locked());
      yield* sem.acquire();
      result.push(2);
      return true;
    }
    function* c3(): Coroutine<boolean> {
      yield* sem.acquire();
      assert.ok(sem.locked());
      result.push(3);
      return true;
    }
    // eslint-disable-next-line require-yield
    function* c4(): Coroutine<boolean> {
      result.push(4);
      return true;
    }
    const t1 = asyncio.createTask(c1());
    const t2 = asyncio.createTask(c2());
    const t3 = asyncio.createTask(c3());
    yield* asyncio.sleep(0);
    assert.equal(sem._value, 2);
    assert.equal(sem._waiters!.length, 3);
    yield* asyncio.sleep(0);
    yield* asyncio.gather(t1, t2, t3, t4!);
    assert.deepEqual(result, [1, 2, 3, 4]);
  }));
