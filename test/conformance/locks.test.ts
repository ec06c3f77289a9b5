// Conformance: CPython 3.12's test_locks.py, classes LockTests, EventTests,
// ConditionTests, SemaphoreTests and BarrierTests, test by test. Each test names the CPython test it re-creates;
// IsolatedAsyncioTestCase becomes asyncio.run on a virtual-time loop. Where
// CPython reads the private `_waiters`/`_value`, the test reads the repr
// (`waiters:n`, `value:n`) or uses a real waiting task instead of a mock.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { BrokenBarrierError, CancelledError, RuntimeError, TimeoutError, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import { raises } from "./_assertions.js";
import { runTest } from "./_test-utils.js";

// test_locks.py's STR_RGX_REPR without "object at 0x...": tsyncio objects have no address.
const RGX_REPR = /^<(?<class>.*?) \[(?<extras>(set|unset|locked|unlocked|filling|draining|resetting|broken)(, value:\d)?(, waiters:\d+)?(, waiters:\d+\/\d+)?)\]>$/;

/** The number of waiters a repr shows (0 when it shows none). */
function waitersOf(obj: object): number {
  return Number(/waiters:(\d+)/.exec(String(obj))?.[1] ?? 0);
}

/** Awaits `aw` and asserts it raises CancelledError. */
// ---- LockTests ------------------------------------------------------------------

// test_locks.py LockTests.test_repr
test("test_locks.LockTests.test_repr", () =>
  runTest(function* () {
    const lock = new asyncio.Lock();
    assert.ok(String(lock).endsWith("[unlocked]>"), String(lock));
    assert.match(String(lock), RGX_REPR);
    yield* lock.acquire();
    assert.ok(String(lock).endsWith("[locked]>"), String(lock));
    assert.match(String(lock), RGX_REPR);
  }));

// test_locks.py LockTests.test_lock
test("test_locks.LockTests.test_lock", () =>
  runTest(function* () {
    const lock = new asyncio.Lock();
    // `await lock` is a TypeError: a Lock is not awaitable.
    let raised: unknown = null;
    try {
      yield* (lock as unknown as Iterable<unknown>);
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof TypeError, String(raised));
    assert.ok(!lock.locked());
  }));

// test_locks.py LockTests.test_acquire
test("test_locks.LockTests.test_acquire", () =>
  runTest(function* () {
    const lock = new asyncio.Lock();
    const result: number[] = [];
    assert.ok(yield* lock.acquire());
    function* c(n: number): Coroutine<boolean> {
      if (yield* lock.acquire()) result.push(n);
      return true;
    }
    const t1 = asyncio.createTask(c(1));
    const t2 = asyncio.createTask(c(2));
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    lock.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    const t3 = asyncio.createTask(c(3));
    lock.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1, 2]);
    lock.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1, 2, 3]);
    for (const t of [t1, t2, t3]) {
      assert.ok(t.done());
      assert.ok(t.result());
    }
  }));

// test_locks.py LockTests.test_acquire_cancel
test("test_locks.LockTests.test_acquire_cancel", () =>
  runTest(function* () {
    const lock = new asyncio.Lock();
    assert.ok(yield* lock.acquire());
    const task = asyncio.createTask(lock.acquire());
    asyncio.getRunningLoop().callSoon(() => task.cancel());
    yield* raises(CancelledError, task);
    assert.equal(waitersOf(lock), 0);
  }));

// test_locks.py LockTests.test_cancel_race
test("test_locks.LockTests.test_cancel_race", () =>
  runTest(function* () {
    // A holds the lock, B and C wait; then B is cancelled while A releases:
    // the release must move on to C's waiter.
    const lock = new asyncio.Lock();
    function* lockit(blocker: asyncio.Future<void> | null): Coroutine<void> {
      yield* lock.acquire();
      try {
        if (blocker !== null) yield* blocker;
      } finally {
        lock.release();
      }
    }
    const fa = asyncio.getRunningLoop().createFuture<void>();
    const ta = asyncio.createTask(lockit(fa));
    yield* asyncio.sleep(0);
    assert.ok(lock.locked());
    const tb = asyncio.createTask(lockit(null));
    yield* asyncio.sleep(0);
    assert.equal(waitersOf(lock), 1);
    const tc = asyncio.createTask(lockit(null));
    yield* asyncio.sleep(0);
    assert.equal(waitersOf(lock), 2);
    fa.setResult(undefined);
    tb.cancel();
    yield* asyncio.sleep(0);
    assert.ok(!lock.locked());
    assert.ok(ta.done());
    assert.ok(tb.cancelled());
    yield* tc;
  }));

// test_locks.py LockTests.test_cancel_release_race
test("test_locks.LockTests.test_cancel_release_race", () =>
  runTest(function* () {
    // Issue 32734: acquire 4 locks, cancel the second, release the first: only one lock is taken.
    const loop = asyncio.getRunningLoop();
    const lock = new asyncio.Lock();
    let lockCount = 0;
    let callCount = 0;
    function* lockit(): Coroutine<void> {
      callCount++;
      yield* lock.acquire();
      lockCount++;
    }
    yield* lock.acquire();
    const t1 = asyncio.createTask(lockit());
    const t2 = asyncio.createTask(lockit());
    const t3 = asyncio.createTask(lockit());
    // Start scheduled tasks
    yield* asyncio.sleep(0);
    loop.callSoon(() => {
      t1.cancel();
      lock.release();
    });
    yield* raises(CancelledError, t1);
    // Make sure only one lock was taken, while 3 calls were made to lockit()
    assert.equal(lockCount, 1);
    assert.equal(callCount, 3);
    assert.ok(t1.cancelled() && t2.done());
    // Cleanup the task that is stuck on acquire.
    t3.cancel();
    yield* asyncio.sleep(0);
    assert.ok(t3.cancelled());
  }));

// test_locks.py LockTests.test_finished_waiter_cancelled
test("test_locks.LockTests.test_finished_waiter_cancelled", () =>
  runTest(function* () {
    const lock = new asyncio.Lock();
    yield* lock.acquire();
    assert.ok(lock.locked());
    const tb = asyncio.createTask(lock.acquire());
    yield* asyncio.sleep(0);
    assert.equal(waitersOf(lock), 1);
    // Create a second waiter, wake up the first, and cancel it.
    const tc = asyncio.createTask(lock.acquire());
    tb.cancel();
    lock.release();
    yield* asyncio.sleep(0);
    assert.ok(lock.locked());
    assert.ok(tb.cancelled());
    // Cleanup
    yield* tc;
  }));

// test_locks.py LockTests.test_release_not_acquired
test("test_locks.LockTests.test_release_not_acquired", () => {
  const lock = new asyncio.Lock();
  assert.throws(() => lock.release(), RuntimeError);
});

// test_locks.py LockTests.test_release_no_waiters
test("test_locks.LockTests.test_release_no_waiters", () =>
  runTest(function* () {
    const lock = new asyncio.Lock();
    yield* lock.acquire();
    assert.ok(lock.locked());
    lock.release();
    assert.ok(!lock.locked());
  }));

// test_locks.py LockTests.test_context_manager (`async with lock:` is lock.hold(body))
test("test_locks.LockTests.test_context_manager", () =>
  runTest(function* () {
    const lock = new asyncio.Lock();
    assert.ok(!lock.locked());
    yield* lock.hold(function* () {
      assert.ok(lock.locked());
    });
    assert.ok(!lock.locked());
  }));

// ---- EventTests -----------------------------------------------------------------

// test_locks.py EventTests.test_repr (a real waiting task instead of a mock waiter)
test("test_locks.EventTests.test_repr", () =>
  runTest(function* () {
    const ev = new asyncio.Event();
    assert.ok(String(ev).endsWith("[unset]>"), String(ev));
    assert.equal(RGX_REPR.exec(String(ev))?.groups?.extras, "unset");
    const waiter = asyncio.createTask(ev.wait());
    yield* asyncio.sleep(0);
    assert.ok(String(ev).includes("waiters:1"), String(ev));
    assert.match(String(ev), RGX_REPR);
    ev.set();
    // As in CPython, the woken waiter leaves the list only when it resumes.
    assert.ok(String(ev).endsWith("[set, waiters:1]>"), String(ev));
    assert.match(String(ev), RGX_REPR);
    yield* waiter;
    assert.ok(String(ev).endsWith("[set]>"), String(ev));
  }));

// test_locks.py EventTests.test_wait
test("test_locks.EventTests.test_wait", () =>
  runTest(function* () {
    const ev = new asyncio.Event();
    assert.ok(!ev.isSet());
    const result: number[] = [];
    function* c(n: number): Coroutine<void> {
      if (yield* ev.wait()) result.push(n);
    }
    const t1 = asyncio.createTask(c(1));
    const t2 = asyncio.createTask(c(2));
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    const t3 = asyncio.createTask(c(3));
    ev.set();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [3, 1, 2]);
    for (const t of [t1, t2, t3]) {
      assert.ok(t.done());
      assert.equal(t.result(), undefined);
    }
  }));

// test_locks.py EventTests.test_wait_on_set
test("test_locks.EventTests.test_wait_on_set", () =>
  runTest(function* () {
    const ev = new asyncio.Event();
    ev.set();
    const res = yield* ev.wait();
    assert.ok(res);
  }));

// test_locks.py EventTests.test_wait_cancel
test("test_locks.EventTests.test_wait_cancel", () =>
  runTest(function* () {
    const ev = new asyncio.Event();
    const wait = asyncio.createTask(ev.wait());
    asyncio.getRunningLoop().callSoon(() => wait.cancel());
    yield* raises(CancelledError, wait);
    assert.equal(waitersOf(ev), 0);
  }));

// test_locks.py EventTests.test_clear
test("test_locks.EventTests.test_clear", () =>
  runTest(function* () {
    const ev = new asyncio.Event();
    assert.ok(!ev.isSet());
    ev.set();
    assert.ok(ev.isSet());
    ev.clear();
    assert.ok(!ev.isSet());
  }));

// test_locks.py EventTests.test_clear_with_waiters
test("test_locks.EventTests.test_clear_with_waiters", () =>
  runTest(function* () {
    const ev = new asyncio.Event();
    const result: number[] = [];
    function* c1(): Coroutine<boolean> {
      if (yield* ev.wait()) result.push(1);
      return true;
    }
    const t = asyncio.createTask(c1());
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    ev.set();
    ev.clear();
    assert.ok(!ev.isSet());
    ev.set();
    ev.set();
    assert.equal(waitersOf(ev), 1);
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    assert.equal(waitersOf(ev), 0);
    assert.ok(t.done());
    assert.ok(t.result());
  }));

// ---- ConditionTests -------------------------------------------------------------

// test_locks.py ConditionTests.test_wait
test("test_locks.ConditionTests.test_wait", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    const result: number[] = [];
    function* c(n: number): Coroutine<boolean> {
      yield* cond.acquire();
      if (yield* cond.wait()) result.push(n);
      return true;
    }
    const t1 = asyncio.createTask(c(1));
    const t2 = asyncio.createTask(c(2));
    const t3 = asyncio.createTask(c(3));
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    assert.ok(!cond.locked());
    assert.ok(yield* cond.acquire());
    cond.notify();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    assert.ok(cond.locked());
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    assert.ok(cond.locked());
    cond.notify(2);
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    assert.ok(cond.locked());
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1, 2]);
    assert.ok(cond.locked());
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1, 2, 3]);
    assert.ok(cond.locked());
    for (const t of [t1, t2, t3]) {
      assert.ok(t.done());
      assert.ok(t.result());
    }
  }));

// test_locks.py ConditionTests.test_wait_cancel
test("test_locks.ConditionTests.test_wait_cancel", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    yield* cond.acquire();
    const wait = asyncio.createTask(cond.wait());
    asyncio.getRunningLoop().callSoon(() => wait.cancel());
    yield* raises(CancelledError, wait);
    assert.equal(waitersOf(cond), 0);
    assert.ok(cond.locked());
  }));

// test_locks.py ConditionTests.test_wait_cancel_contested
test("test_locks.ConditionTests.test_wait_cancel_contested", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    yield* cond.acquire();
    assert.ok(cond.locked());
    const waitTask = asyncio.createTask(cond.wait());
    yield* asyncio.sleep(0);
    assert.ok(!cond.locked());
    // Notify, but contest the lock before cancelling
    yield* cond.acquire();
    assert.ok(cond.locked());
    cond.notify();
    const loop = asyncio.getRunningLoop();
    loop.callSoon(() => waitTask.cancel());
    loop.callSoon(() => cond.release());
    try {
      yield* waitTask;
    } catch (e) {
      // Should not happen, since no cancellation points
      if (!(e instanceof CancelledError)) throw e;
    }
    assert.ok(cond.locked());
  }));

// test_locks.py ConditionTests.test_wait_cancel_after_notify (bpo-32841)
test("test_locks.ConditionTests.test_wait_cancel_after_notify", () =>
  runTest(function* () {
    let waited = false;
    const cond = new asyncio.Condition();
    function* waitOnCond(): Coroutine<void> {
      yield* cond.hold(function* () {
        waited = true; // Make sure this area was reached
        yield* cond.wait();
      });
    }
    const waiter = asyncio.createTask(waitOnCond());
    yield* asyncio.sleep(0); // Start waiting
    yield* cond.acquire();
    cond.notify();
    yield* asyncio.sleep(0); // Get to acquire()
    waiter.cancel();
    yield* asyncio.sleep(0); // Activate cancellation
    cond.release();
    yield* asyncio.sleep(0); // Cancellation should occur
    assert.ok(waiter.cancelled());
    assert.ok(waited);
  }));

// test_locks.py ConditionTests.test_wait_unacquired
test("test_locks.ConditionTests.test_wait_unacquired", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    let raised: unknown = null;
    try {
      yield* cond.wait();
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof RuntimeError, String(raised));
  }));

// test_locks.py ConditionTests.test_wait_for
test("test_locks.ConditionTests.test_wait_for", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    let presult = false;
    const predicate = (): boolean => presult;
    const result: number[] = [];
    function* c1(): Coroutine<boolean> {
      yield* cond.acquire();
      if (yield* cond.waitFor(predicate)) {
        result.push(1);
        cond.release();
      }
      return true;
    }
    const t = asyncio.createTask(c1());
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    yield* cond.acquire();
    cond.notify();
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    presult = true;
    yield* cond.acquire();
    cond.notify();
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    assert.ok(t.done());
    assert.ok(t.result());
  }));

// test_locks.py ConditionTests.test_wait_for_unacquired
test("test_locks.ConditionTests.test_wait_for_unacquired", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    // predicate can return true immediately
    const res = yield* cond.waitFor(() => [1, 2, 3]);
    assert.deepEqual(res, [1, 2, 3]);
    let raised: unknown = null;
    try {
      yield* cond.waitFor(() => false);
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof RuntimeError, String(raised));
  }));

// test_locks.py ConditionTests.test_notify
test("test_locks.ConditionTests.test_notify", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    const result: number[] = [];
    function* c(n: number): Coroutine<boolean> {
      yield* cond.acquire();
      if (yield* cond.wait()) {
        result.push(n);
        cond.release();
      }
      return true;
    }
    const tasks = [1, 2, 3].map((n) => asyncio.createTask(c(n)));
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    yield* cond.acquire();
    cond.notify(1);
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    yield* cond.acquire();
    cond.notify(1);
    cond.notify(2048);
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1, 2, 3]);
    for (const t of tasks) {
      assert.ok(t.done());
      assert.ok(t.result());
    }
  }));

// test_locks.py ConditionTests.test_notify_all
test("test_locks.ConditionTests.test_notify_all", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    const result: number[] = [];
    function* c(n: number): Coroutine<boolean> {
      yield* cond.acquire();
      if (yield* cond.wait()) {
        result.push(n);
        cond.release();
      }
      return true;
    }
    const tasks = [1, 2].map((n) => asyncio.createTask(c(n)));
    yield* asyncio.sleep(0);
    assert.deepEqual(result, []);
    yield* cond.acquire();
    cond.notifyAll();
    cond.release();
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1, 2]);
    for (const t of tasks) {
      assert.ok(t.done());
      assert.ok(t.result());
    }
  }));

// test_locks.py ConditionTests.test_notify_unacquired
test("test_locks.ConditionTests.test_notify_unacquired", () => {
  const cond = new asyncio.Condition();
  assert.throws(() => cond.notify(), RuntimeError);
});

// test_locks.py ConditionTests.test_notify_all_unacquired
test("test_locks.ConditionTests.test_notify_all_unacquired", () => {
  const cond = new asyncio.Condition();
  assert.throws(() => cond.notifyAll(), RuntimeError);
});

// test_locks.py ConditionTests.test_repr (real waiting tasks instead of mock waiters)
test("test_locks.ConditionTests.test_repr", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    assert.ok(String(cond).includes("unlocked"), String(cond));
    assert.match(String(cond), RGX_REPR);
    yield* cond.acquire();
    assert.ok(String(cond).includes("locked"), String(cond));
    function* waiter(): Coroutine<void> {
      yield* cond.hold(() => cond.wait());
    }
    cond.release();
    const w1 = asyncio.createTask(waiter());
    yield* asyncio.sleep(0);
    assert.ok(String(cond).includes("waiters:1"), String(cond));
    assert.match(String(cond), RGX_REPR);
    const w2 = asyncio.createTask(waiter());
    yield* asyncio.sleep(0);
    assert.ok(String(cond).includes("waiters:2"), String(cond));
    assert.match(String(cond), RGX_REPR);
    w1.cancel();
    w2.cancel();
    yield* asyncio.wait([w1, w2]);
  }));

// test_locks.py ConditionTests.test_context_manager (`async with cond:` is cond.hold(body))
test("test_locks.ConditionTests.test_context_manager", () =>
  runTest(function* () {
    const cond = new asyncio.Condition();
    assert.ok(!cond.locked());
    yield* cond.hold(function* () {
      assert.ok(cond.locked());
    });
    assert.ok(!cond.locked());
  }));

// test_locks.py ConditionTests.test_explicit_lock (without the private `cond._lock is lock` check)
test("test_locks.ConditionTests.test_explicit_lock", () =>
  runTest(function* () {
    function* f(lock?: asyncio.Lock, cond?: asyncio.Condition): Coroutine<void> {
      const l = lock ?? new asyncio.Lock();
      const c = cond ?? new asyncio.Condition(l);
      assert.ok(!l.locked());
      assert.ok(!c.locked());
      yield* c.hold(function* () {
        assert.ok(l.locked());
        assert.ok(c.locked());
      });
      assert.ok(!l.locked());
      assert.ok(!c.locked());
      yield* l.hold(function* () {
        assert.ok(l.locked());
        assert.ok(c.locked());
      });
      assert.ok(!l.locked());
      assert.ok(!c.locked());
    }
    // All should work in the same way.
    yield* f();
    yield* f(new asyncio.Lock());
    const lock = new asyncio.Lock();
    yield* f(lock, new asyncio.Condition(lock));
  }));

// test_locks.py ConditionTests.test_timeout_in_block
test("test_locks.ConditionTests.test_timeout_in_block", () =>
  runTest(function* () {
    const condition = new asyncio.Condition();
    yield* condition.hold(function* () {
      let raised: unknown = null;
      try {
        yield* asyncio.waitFor(condition.wait(), 0.5);
      } catch (e) {
        raised = e;
      }
      assert.ok(raised instanceof TimeoutError, String(raised));
    });
  }));

// ---- SemaphoreTests -------------------------------------------------------------

// test_locks.py SemaphoreTests.test_initial_value_zero
test("test_locks.SemaphoreTests.test_initial_value_zero", () => {
  const sem = new asyncio.Semaphore(0);
  assert.ok(sem.locked());
});

// test_locks.py SemaphoreTests.test_repr (real waiting tasks instead of mock waiters)
test("test_locks.SemaphoreTests.test_repr", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore();
    assert.ok(String(sem).endsWith("[unlocked, value:1]>"), String(sem));
    assert.match(String(sem), RGX_REPR);
    yield* sem.acquire();
    assert.ok(String(sem).endsWith("[locked]>"), String(sem));
    assert.ok(!String(sem).includes("waiters"));
    assert.match(String(sem), RGX_REPR);
    const w1 = asyncio.createTask(sem.acquire());
    yield* asyncio.sleep(0);
    assert.ok(String(sem).includes("waiters:1"), String(sem));
    assert.match(String(sem), RGX_REPR);
    const w2 = asyncio.createTask(sem.acquire());
    yield* asyncio.sleep(0);
    assert.ok(String(sem).includes("waiters:2"), String(sem));
    assert.match(String(sem), RGX_REPR);
    w1.cancel();
    w2.cancel();
    yield* asyncio.wait([w1, w2]);
  }));

// test_locks.py SemaphoreTests.test_semaphore
test("test_locks.SemaphoreTests.test_semaphore", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore();
    assert.match(String(sem), /value:1/);
    // `await sem` is a TypeError: a Semaphore is not awaitable.
    assert.throws(() => {
      const it = (sem as unknown as Iterable<unknown>)[Symbol.iterator];
      return (it as () => unknown).call(sem);
    }, TypeError);
    assert.ok(!sem.locked());
    assert.match(String(sem), /value:1/);
  }));

// test_locks.py SemaphoreTests.test_semaphore_value
test("test_locks.SemaphoreTests.test_semaphore_value", () => {
  assert.throws(() => new asyncio.Semaphore(-1), ValueError);
});

// test_locks.py SemaphoreTests.test_acquire
test("test_locks.SemaphoreTests.test_acquire", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore(3);
    const result: number[] = [];
    assert.ok(yield* sem.acquire());
    assert.ok(yield* sem.acquire());
    assert.ok(!sem.locked());
    function* c(n: number): Coroutine<boolean> {
      yield* sem.acquire();
      result.push(n);
      return true;
    }
    const t1 = asyncio.createTask(c(1));
    const t2 = asyncio.createTask(c(2));
    const t3 = asyncio.createTask(c(3));
    yield* asyncio.sleep(0);
    assert.deepEqual(result, [1]);
    assert.ok(sem.locked());
    assert.equal(waitersOf(sem), 2);
    const t4 = asyncio.createTask(c(4));
    sem.release();
    sem.release();
    assert.ok(sem.locked()); // value 0: the released slots are promised to waiters
    yield* asyncio.sleep(0);
    assert.equal(result.length, 3);
    assert.ok(sem.locked());
    assert.equal(waitersOf(sem), 1);
    assert.ok(t1.done());
    assert.ok(t1.result());
    const raceTasks = [t2, t3, t4];
    assert.equal(raceTasks.filter((t) => t.done() && t.result()).length, 2);
    // cleanup locked semaphore
    sem.release();
    yield* asyncio.gather(...raceTasks);
  }));

// test_locks.py SemaphoreTests.test_acquire_cancel
test("test_locks.SemaphoreTests.test_acquire_cancel", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore();
    yield* sem.acquire();
    const acquire = asyncio.createTask(sem.acquire());
    asyncio.getRunningLoop().callSoon(() => acquire.cancel());
    yield* raises(CancelledError, acquire);
    assert.equal(waitersOf(sem), 0);
  }));

// test_locks.py SemaphoreTests.test_acquire_cancel_before_awoken
test("test_locks.SemaphoreTests.test_acquire_cancel_before_awoken", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore(0);
    const t1 = asyncio.createTask(sem.acquire());
    const t2 = asyncio.createTask(sem.acquire());
    const t3 = asyncio.createTask(sem.acquire());
    const t4 = asyncio.createTask(sem.acquire());
    yield* asyncio.sleep(0);
    t1.cancel();
    t2.cancel();
    sem.release();
    yield* asyncio.sleep(0);
    yield* asyncio.sleep(0);
    assert.equal([t3, t4].filter((t) => t.done()).length, 1);
    assert.ok(t3.done());
    assert.ok(!t4.done());
    t3.cancel();
    t4.cancel();
    yield* asyncio.sleep(0);
  }));

// test_locks.py SemaphoreTests.test_acquire_hang
test("test_locks.SemaphoreTests.test_acquire_hang", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore(0);
    const t1 = asyncio.createTask(sem.acquire());
    const t2 = asyncio.createTask(sem.acquire());
    yield* asyncio.sleep(0);
    t1.cancel();
    sem.release();
    yield* asyncio.sleep(0);
    yield* asyncio.sleep(0);
    assert.ok(sem.locked());
    assert.ok(t2.done());
  }));

// test_locks.py SemaphoreTests.test_acquire_no_hang
test("test_locks.SemaphoreTests.test_acquire_no_hang", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore(1);
    function* c1(): Coroutine<void> {
      yield* sem.hold(function* () {
        yield* asyncio.sleep(0);
      });
      t2.cancel();
    }
    function* c2(): Coroutine<void> {
      yield* sem.hold(function* () {
        assert.fail("c2 must not get the semaphore");
      });
    }
    const t1 = asyncio.createTask(c1());
    const t2 = asyncio.createTask(c2());
    const [r1, r2] = yield* asyncio.gather(t1, t2, { returnExceptions: true });
    assert.equal(r1, undefined);
    assert.ok(r2 instanceof CancelledError);
    yield* asyncio.waitFor(sem.acquire(), 1.0);
  }));

// test_locks.py SemaphoreTests.test_release_not_acquired
test("test_locks.SemaphoreTests.test_release_not_acquired", () => {
  const sem = new asyncio.BoundedSemaphore();
  assert.throws(() => sem.release(), ValueError);
});

// test_locks.py SemaphoreTests.test_release_no_waiters
test("test_locks.SemaphoreTests.test_release_no_waiters", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore();
    yield* sem.acquire();
    assert.ok(sem.locked());
    sem.release();
    assert.ok(!sem.locked());
  }));

// test_locks.py SemaphoreTests.test_acquire_fifo_order
test("test_locks.SemaphoreTests.test_acquire_fifo_order", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore(1);
    const result: string[] = [];
    function* coro(tag: string): Coroutine<void> {
      yield* sem.acquire();
      result.push(`${tag}_1`);
      yield* asyncio.sleep(0.01);
      sem.release();
      yield* sem.acquire();
      result.push(`${tag}_2`);
      yield* asyncio.sleep(0.01);
      sem.release();
    }
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(coro("c1"));
      tg.createTask(coro("c2"));
      tg.createTask(coro("c3"));
    });
    assert.deepEqual(result, ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
  }));

// test_locks.py SemaphoreTests.test_acquire_fifo_order_2
test("test_locks.SemaphoreTests.test_acquire_fifo_order_2", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore(1);
    const result: number[] = [];
    function* c1(): Coroutine<boolean> {
      yield* sem.acquire();
      result.push(1);
      return true;
    }
    function* c2(): Coroutine<boolean> {
      yield* sem.acquire();
      result.push(2);
      sem.release();
      yield* sem.acquire();
      result.push(4);
      return true;
    }
    function* c3(): Coroutine<boolean> {
      yield* sem.acquire();
      result.push(3);
      return true;
    }
    const tasks = [asyncio.createTask(c1()), asyncio.createTask(c2()), asyncio.createTask(c3())];
    yield* asyncio.sleep(0);
    sem.release();
    sem.release();
    yield* asyncio.gather(...tasks);
    assert.deepEqual(result, [1, 2, 3, 4]);
  }));

// test_locks.py SemaphoreTests.test_acquire_fifo_order_3
test("test_locks.SemaphoreTests.test_acquire_fifo_order_3", () =>
  runTest(function* () {
    const sem = new asyncio.Semaphore(0);
    const result: number[] = [];
    function* c(n: number): Coroutine<boolean> {
      yield* sem.acquire();
      result.push(n);
      return true;
    }
    const t1 = asyncio.createTask(c(1));
    const t2 = asyncio.createTask(c(2));
    const t3 = asyncio.createTask(c(3));
    yield* asyncio.sleep(0);
    t1.cancel();
    yield* asyncio.sleep(0);
    sem.release();
    sem.release();
    yield* asyncio.gather(t1, t2, t3, { returnExceptions: true });
    assert.deepEqual(result, [2, 3]);
  }));

// ---- BarrierTests ---------------------------------------------------------------
// test_locks.py's BarrierTests (3.12.1). `async with barrier as i:` is
// `yield* barrier.hold(function* (i) {...})`; `barrier.n_waiting` is `nWaiting`.

const BARRIER_N = 5;

/** BarrierTests.make_tasks(n, coro). */
function makeTasks<T>(n: number, coro: () => Coroutine<T>): asyncio.Task<T>[] {
  return Array.from({ length: n }, () => asyncio.createTask(coro()));
}

/** BarrierTests.gather_tasks(n, coro): the results and the tasks. */
function* gatherTasks<T>(n: number, coro: () => Coroutine<T>): Coroutine<[T[], asyncio.Task<T>[]]> {
  const tasks = makeTasks(n, coro);
  const res = (yield* asyncio.gather(...tasks)) as T[];
  return [res, tasks];
}

// test_locks.py BarrierTests.test_barrier
test("test_locks.BarrierTests.test_barrier", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    assert.ok(String(barrier).includes("filling"));
    // `await barrier` is a TypeError: a Barrier is not awaitable.
    let raised: unknown = null;
    try {
      yield* (barrier as unknown as Iterable<unknown>);
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof TypeError, String(raised));
    assert.ok(String(barrier).includes("filling"));
  }));

// test_locks.py BarrierTests.test_repr
test("test_locks.BarrierTests.test_repr", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    assert.match(String(barrier), RGX_REPR);
    assert.ok(String(barrier).includes("filling"));
    const waiters: asyncio.Task<void>[] = [];
    function* wait(b: asyncio.Barrier): Coroutine<void> {
      yield* b.wait();
    }
    const incr = 2;
    for (let i = 0; i < incr; i++) waiters.push(asyncio.createTask(wait(barrier)));
    yield* asyncio.sleep(0);
    assert.match(String(barrier), RGX_REPR);
    assert.ok(String(barrier).includes(`waiters:${incr}/${BARRIER_N}`), String(barrier));
    assert.ok(String(barrier).includes("filling"));

    // The missing waiters.
    for (let i = 0, n = barrier.parties - barrier.nWaiting; i < n; i++) waiters.push(asyncio.createTask(wait(barrier)));
    yield* asyncio.sleep(0);
    assert.match(String(barrier), RGX_REPR);
    assert.ok(String(barrier).includes("draining"), String(barrier));

    // Some waiters, then a reset.
    for (let i = 0; i < incr; i++) waiters.push(asyncio.createTask(wait(barrier)));
    yield* asyncio.sleep(0);
    yield* barrier.reset();
    assert.match(String(barrier), RGX_REPR);
    assert.ok(String(barrier).includes("resetting"), String(barrier));

    // Some waiters again, then an abort.
    for (let i = 0; i < incr; i++) waiters.push(asyncio.createTask(wait(barrier)));
    yield* asyncio.sleep(0);
    yield* barrier.abort();
    assert.match(String(barrier), RGX_REPR);
    assert.ok(String(barrier).includes("broken"));
    assert.ok(barrier.broken);

    yield* asyncio.gather(...waiters, { returnExceptions: true });
  }));

// test_locks.py BarrierTests.test_barrier_parties
test("test_locks.BarrierTests.test_barrier_parties", () => {
  assert.throws(() => new asyncio.Barrier(0), ValueError);
  assert.throws(() => new asyncio.Barrier(-4), ValueError);
  assert.ok(new asyncio.Barrier(BARRIER_N) instanceof asyncio.Barrier);
});

// test_locks.py BarrierTests.test_context_manager
test("test_locks.BarrierTests.test_context_manager", () =>
  runTest(function* () {
    const N = 3;
    const barrier = new asyncio.Barrier(N);
    const results: number[] = [];
    function* coro(): Coroutine<void> {
      yield* barrier.hold(function* (i) {
        results.push(i);
      });
    }
    yield* gatherTasks(N, coro);
    assert.deepEqual([...results].sort(), [0, 1, 2]);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_filling_one_task
test("test_locks.BarrierTests.test_filling_one_task", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(1);
    function* f(): Coroutine<boolean> {
      return yield* barrier.hold(function* () {
        return true;
      });
    }
    const ret = yield* f();
    assert.ok(ret);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_filling_one_task_twice
test("test_locks.BarrierTests.test_filling_one_task_twice", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(1);
    const t1 = asyncio.createTask(barrier.wait());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 0);
    const t2 = asyncio.createTask(barrier.wait());
    yield* asyncio.sleep(0);
    assert.equal(t1.result(), t2.result());
    assert.equal(t1.done(), t2.done());
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_filling_task_by_task
test("test_locks.BarrierTests.test_filling_task_by_task", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(3);
    const t1 = asyncio.createTask(barrier.wait());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 1);
    assert.ok(String(barrier).includes("filling"));
    const t2 = asyncio.createTask(barrier.wait());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 2);
    assert.ok(String(barrier).includes("filling"));
    const t3 = asyncio.createTask(barrier.wait());
    yield* asyncio.sleep(0);
    yield* asyncio.wait([t1, t2, t3]);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_filling_tasks_wait_twice
test("test_locks.BarrierTests.test_filling_tasks_wait_twice", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results: boolean[] = [];
    function* coro(): Coroutine<void> {
      yield* barrier.hold(function* () {
        results.push(true);
        yield* barrier.hold(function* () {
          results.push(false);
        });
      });
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.equal(results.length, BARRIER_N * 2);
    assert.equal(results.filter((r) => r).length, BARRIER_N);
    assert.equal(results.filter((r) => !r).length, BARRIER_N);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_filling_tasks_check_return_value
test("test_locks.BarrierTests.test_filling_tasks_check_return_value", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const results2: boolean[] = [];
    function* coro(): Coroutine<number> {
      return yield* barrier.hold(function* () {
        results1.push(true);
        return yield* barrier.hold(function* (i) {
          results2.push(true);
          return i;
        });
      });
    }
    const [res] = yield* gatherTasks(BARRIER_N, coro);
    assert.equal(results1.length, BARRIER_N);
    assert.ok(results1.every((r) => r));
    assert.equal(results2.length, BARRIER_N);
    assert.ok(results2.every((r) => r));
    assert.deepEqual([...res].sort(), [0, 1, 2, 3, 4]);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_draining_state
test("test_locks.BarrierTests.test_draining_state", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results: boolean[] = [];
    function* coro(): Coroutine<void> {
      yield* barrier.hold(function* () {
        // The last task out sets the state back to filling.
        results.push(String(barrier).includes("draining"));
      });
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.equal(results.length, BARRIER_N);
    assert.equal(results[results.length - 1], false);
    assert.ok(results.slice(0, BARRIER_N - 1).every((r) => r));
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_blocking_tasks_while_draining
test("test_locks.BarrierTests.test_blocking_tasks_while_draining", () =>
  runTest(function* () {
    const rewait = 2;
    const barrier = new asyncio.Barrier(BARRIER_N);
    const barrierNowaiting = new asyncio.Barrier(BARRIER_N - rewait);
    let rewaitN = rewait;
    function* coro(): Coroutine<void> {
      yield* barrier.wait();
      if (rewaitN > 0) {
        rewaitN -= 1;
        // Only the rewait tasks wait again.
        yield* barrier.wait();
      } else {
        // The others wait for the end of the draining, then for the waiting tasks.
        yield* barrierNowaiting.wait();
        yield* barrier.wait();
      }
    }
    // Success: barrierNowaiting was waited for exactly N-rewait times.
    yield* gatherTasks(BARRIER_N, coro);
  }));

// test_locks.py BarrierTests.test_filling_tasks_cancel_one
test("test_locks.BarrierTests.test_filling_tasks_cancel_one", () =>
  runTest(function* () {
    const N = 3;
    const barrier = new asyncio.Barrier(N);
    const results: boolean[] = [];
    function* coro(): Coroutine<void> {
      yield* barrier.wait();
      results.push(true);
    }
    const t1 = asyncio.createTask(coro());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 1);
    const t2 = asyncio.createTask(coro());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 2);
    t1.cancel();
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 1);
    yield* raises(CancelledError, t1);
    assert.ok(t1.cancelled());
    const t3 = asyncio.createTask(coro());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 2);
    const t4 = asyncio.createTask(coro());
    yield* asyncio.gather(t2, t3, t4);
    assert.equal(results.length, N);
    assert.ok(results.every((r) => r));
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_reset_barrier
test("test_locks.BarrierTests.test_reset_barrier", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(1);
    asyncio.createTask(barrier.reset());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_reset_barrier_while_tasks_waiting
test("test_locks.BarrierTests.test_reset_barrier_while_tasks_waiting", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results: boolean[] = [];
    function* coro(): Coroutine<void> {
      try {
        yield* barrier.wait();
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        results.push(true);
      }
    }
    function* coroReset(): Coroutine<void> {
      yield* barrier.reset();
    }
    // N-1 tasks wait on a barrier of N parties.
    const tasks = makeTasks(BARRIER_N - 1, coro);
    yield* asyncio.sleep(0);
    asyncio.createTask(coroReset());
    yield* asyncio.gather(...tasks);
    assert.equal(results.length, BARRIER_N - 1);
    assert.ok(results.every((r) => r));
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!String(barrier).includes("resetting"));
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_reset_barrier_when_tasks_half_draining
test("test_locks.BarrierTests.test_reset_barrier_when_tasks_half_draining", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const restOfTasks = Math.floor(BARRIER_N / 2);
    function* coro(): Coroutine<void> {
      try {
        yield* barrier.wait();
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        // The tasks still waiting.
        results1.push(true);
        return;
      }
      // A drained task, outside the barrier. CPython reads the private `_count`,
      // tsyncio's `_count` too (the tasks still inside wait()).
      if (restOfTasks === barrier._count) yield* barrier.reset();
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.deepEqual(results1, new Array(restOfTasks).fill(true));
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!String(barrier).includes("resetting"));
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_reset_barrier_when_tasks_half_draining_half_blocking
test("test_locks.BarrierTests.test_reset_barrier_when_tasks_half_draining_half_blocking", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const results2: boolean[] = [];
    const blockingTasks = Math.floor(BARRIER_N / 2);
    let count = 0;
    function* coro(): Coroutine<void> {
      try {
        yield* barrier.wait();
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        // The tasks still waiting, which wait again to reach the parties.
        results1.push(true);
        yield* barrier.wait();
        return;
      }
      count += 1;
      if (count > blockingTasks) {
        // Reset now: the waiting tasks get BrokenBarrierError; then wait again.
        yield* barrier.reset();
        yield* barrier.wait();
      } else {
        try {
          yield* barrier.wait();
        } catch (e) {
          // Never here: the blocked tasks go on to wait.
          if (!(e instanceof BrokenBarrierError)) throw e;
          results2.push(true);
        }
      }
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.deepEqual(results1, new Array(blockingTasks).fill(true));
    assert.deepEqual(results2, []);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!String(barrier).includes("resetting"));
    assert.ok(!barrier.broken);
  }));

// test_locks.py BarrierTests.test_reset_barrier_while_tasks_waiting_and_waiting_again
test("test_locks.BarrierTests.test_reset_barrier_while_tasks_waiting_and_waiting_again", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const results2: boolean[] = [];
    function* coro1(): Coroutine<void> {
      try {
        yield* barrier.wait();
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        results1.push(true);
      } finally {
        yield* barrier.wait();
        results2.push(true);
      }
    }
    function* coro2(): Coroutine<void> {
      yield* barrier.hold(function* () {
        results2.push(true);
      });
    }
    const tasks = makeTasks(BARRIER_N - 1, coro1);
    // The reset: the N-1 waiting tasks get BrokenBarrierError.
    asyncio.createTask(barrier.reset());
    yield* asyncio.sleep(0);
    // The waiting tasks complete in their `finally`.
    asyncio.createTask(coro2());
    yield* asyncio.gather(...tasks);
    assert.ok(!barrier.broken);
    assert.equal(results1.length, BARRIER_N - 1);
    assert.ok(results1.every((r) => r));
    assert.equal(results2.length, BARRIER_N);
    assert.ok(results2.every((r) => r));
    assert.equal(barrier.nWaiting, 0);
  }));

// test_locks.py BarrierTests.test_reset_barrier_while_tasks_draining
test("test_locks.BarrierTests.test_reset_barrier_while_tasks_draining", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const results2: boolean[] = [];
    const results3: boolean[] = [];
    let count = 0;
    function* coro(): Coroutine<void> {
      yield* barrier.wait();
      count += 1;
      if (count === BARRIER_N) {
        // The last task out of the barrier resets it, then waits to reach the parties.
        yield* barrier.reset();
        yield* barrier.wait();
      } else {
        try {
          // The second wait: N-1 tasks get here.
          yield* barrier.wait();
          results1.push(true);
        } catch (e) {
          if (!(e instanceof Error)) throw e;
          // Never here.
          results2.push(true);
        }
      }
      // The last wait passes the barrier again.
      yield* barrier.wait();
      results3.push(true);
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.ok(!barrier.broken);
    assert.ok(results1.every((r) => r));
    assert.equal(results1.length, BARRIER_N - 1);
    assert.equal(results2.length, 0);
    assert.equal(results3.length, BARRIER_N);
    assert.ok(results3.every((r) => r));
    assert.equal(barrier.nWaiting, 0);
  }));

// test_locks.py BarrierTests.test_abort_barrier
test("test_locks.BarrierTests.test_abort_barrier", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(1);
    asyncio.createTask(barrier.abort());
    yield* asyncio.sleep(0);
    assert.equal(barrier.nWaiting, 0);
    assert.ok(barrier.broken);
  }));

// test_locks.py BarrierTests.test_abort_barrier_when_tasks_half_draining_half_blocking
test("test_locks.BarrierTests.test_abort_barrier_when_tasks_half_draining_half_blocking", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const results2: boolean[] = [];
    const blockingTasks = Math.floor(BARRIER_N / 2);
    let count = 0;
    function* coro(): Coroutine<void> {
      try {
        yield* barrier.wait();
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        // The tasks waiting to drain.
        results1.push(true);
        return;
      }
      count += 1;
      if (count > blockingTasks) {
        // Abort now: every task gets BrokenBarrierError.
        yield* barrier.abort();
      } else {
        try {
          yield* barrier.wait();
        } catch (e) {
          if (!(e instanceof BrokenBarrierError)) throw e;
          // The blocked tasks (already drained).
          results2.push(true);
        }
      }
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.ok(barrier.broken);
    assert.deepEqual(results1, new Array(blockingTasks).fill(true));
    assert.deepEqual(results2, new Array(BARRIER_N - blockingTasks - 1).fill(true));
    assert.equal(barrier.nWaiting, 0);
    assert.ok(!String(barrier).includes("resetting"));
  }));

// test_locks.py BarrierTests.test_abort_barrier_when_exception
test("test_locks.BarrierTests.test_abort_barrier_when_exception", () =>
  runTest(function* () {
    const barrier = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const results2: boolean[] = [];
    function* coro(): Coroutine<void> {
      try {
        yield* barrier.hold(function* (i) {
          if (i === Math.floor(BARRIER_N / 2)) throw new RuntimeError();
        });
        yield* barrier.hold(function* () {
          results1.push(true);
        });
      } catch (e) {
        if (e instanceof BrokenBarrierError) results2.push(true);
        else if (e instanceof RuntimeError) yield* barrier.abort();
        else throw e;
      }
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.ok(barrier.broken);
    assert.equal(results1.length, 0);
    assert.equal(results2.length, BARRIER_N - 1);
    assert.ok(results2.every((r) => r));
    assert.equal(barrier.nWaiting, 0);
  }));

// test_locks.py BarrierTests.test_abort_barrier_when_exception_then_resetting
test("test_locks.BarrierTests.test_abort_barrier_when_exception_then_resetting", () =>
  runTest(function* () {
    const barrier1 = new asyncio.Barrier(BARRIER_N);
    const barrier2 = new asyncio.Barrier(BARRIER_N);
    const results1: boolean[] = [];
    const results2: boolean[] = [];
    const results3: boolean[] = [];
    function* coro(): Coroutine<void> {
      try {
        const i = yield* barrier1.wait();
        if (i === Math.floor(BARRIER_N / 2)) throw new RuntimeError();
        yield* barrier1.wait();
        results1.push(true);
      } catch (e) {
        if (e instanceof BrokenBarrierError) results2.push(true);
        else if (e instanceof RuntimeError) yield* barrier1.abort();
        else throw e;
      }
      // Everyone leaves barrier1 before the reset, and nobody enters it before the reset ends.
      const i = yield* barrier2.wait();
      if (i === Math.floor(BARRIER_N / 2)) yield* barrier1.reset();
      yield* barrier2.wait();
      yield* barrier1.wait();
      results3.push(true);
    }
    yield* gatherTasks(BARRIER_N, coro);
    assert.ok(!barrier1.broken);
    assert.equal(results1.length, 0);
    assert.equal(results2.length, BARRIER_N - 1);
    assert.ok(results2.every((r) => r));
    assert.equal(results3.length, BARRIER_N);
    assert.ok(results3.every((r) => r));
    assert.equal(barrier1.nWaiting, 0);
  }));
