// Conformance: CPython 3.12's test_locks.py, classes LockTests, EventTests,
// ConditionTests and SemaphoreTests, test by test. Each test names the CPython test it re-creates;
// IsolatedAsyncioTestCase becomes asyncio.run on a virtual-time loop. Where
// CPython reads the private `_waiters`/`_value`, the test reads the repr
// (`waiters:n`, `value:n`) or uses a real waiting task instead of a mock.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, RuntimeError, TimeoutError, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

/** Runs `main` on a fresh virtual-time loop (IsolatedAsyncioTestCase with the virtual loop). */
function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

// test_locks.py's STR_RGX_REPR without "object at 0x...": tsyncio objects have no address.
const RGX_REPR = /^<(?<class>.*?) \[(?<extras>(set|unset|locked|unlocked|filling|draining|resetting|broken)(, value:\d)?(, waiters:\d+)?(, waiters:\d+\/\d+)?)\]>$/;

/** The number of waiters a repr shows (0 when it shows none). */
function waitersOf(obj: object): number {
  return Number(/waiters:(\d+)/.exec(String(obj))?.[1] ?? 0);
}

/** Awaits `aw` and asserts it raises CancelledError. */
function* raisesCancelled(aw: Iterable<unknown>): Coroutine<void> {
  try {
    yield* aw;
  } catch (e) {
    assert.ok(e instanceof CancelledError, String(e));
    return;
  }
  assert.fail("CancelledError not raised");
}

// ---- LockTests ------------------------------------------------------------------

// test_locks.py LockTests.test_repr
test("test_locks.LockTests.test_repr", () =>
  run(function* () {
    const lock = new asyncio.Lock();
    assert.ok(String(lock).endsWith("[unlocked]>"), String(lock));
    assert.match(String(lock), RGX_REPR);
    yield* lock.acquire();
    assert.ok(String(lock).endsWith("[locked]>"), String(lock));
    assert.match(String(lock), RGX_REPR);
  }));

// test_locks.py LockTests.test_lock
test("test_locks.LockTests.test_lock", () =>
  run(function* () {
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
  run(function* () {
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
  run(function* () {
    const lock = new asyncio.Lock();
    assert.ok(yield* lock.acquire());
    const task = asyncio.createTask(lock.acquire());
    asyncio.getRunningLoop().callSoon(() => task.cancel());
    yield* raisesCancelled(task);
    assert.equal(waitersOf(lock), 0);
  }));

// test_locks.py LockTests.test_cancel_race
test("test_locks.LockTests.test_cancel_race", () =>
  run(function* () {
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
  run(function* () {
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
    yield* raisesCancelled(t1);
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
  run(function* () {
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
  run(function* () {
    const lock = new asyncio.Lock();
    yield* lock.acquire();
    assert.ok(lock.locked());
    lock.release();
    assert.ok(!lock.locked());
  }));

// test_locks.py LockTests.test_context_manager (`async with lock:` is lock.hold(body))
test("test_locks.LockTests.test_context_manager", () =>
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
    const ev = new asyncio.Event();
    ev.set();
    const res = yield* ev.wait();
    assert.ok(res);
  }));

// test_locks.py EventTests.test_wait_cancel
test("test_locks.EventTests.test_wait_cancel", () =>
  run(function* () {
    const ev = new asyncio.Event();
    const wait = asyncio.createTask(ev.wait());
    asyncio.getRunningLoop().callSoon(() => wait.cancel());
    yield* raisesCancelled(wait);
    assert.equal(waitersOf(ev), 0);
  }));

// test_locks.py EventTests.test_clear
test("test_locks.EventTests.test_clear", () =>
  run(function* () {
    const ev = new asyncio.Event();
    assert.ok(!ev.isSet());
    ev.set();
    assert.ok(ev.isSet());
    ev.clear();
    assert.ok(!ev.isSet());
  }));

// test_locks.py EventTests.test_clear_with_waiters
test("test_locks.EventTests.test_clear_with_waiters", () =>
  run(function* () {
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
  run(function* () {
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
  run(function* () {
    const cond = new asyncio.Condition();
    yield* cond.acquire();
    const wait = asyncio.createTask(cond.wait());
    asyncio.getRunningLoop().callSoon(() => wait.cancel());
    yield* raisesCancelled(wait);
    assert.equal(waitersOf(cond), 0);
    assert.ok(cond.locked());
  }));

// test_locks.py ConditionTests.test_wait_cancel_contested
test("test_locks.ConditionTests.test_wait_cancel_contested", () =>
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
    const cond = new asyncio.Condition();
    assert.ok(!cond.locked());
    yield* cond.hold(function* () {
      assert.ok(cond.locked());
    });
    assert.ok(!cond.locked());
  }));

// test_locks.py ConditionTests.test_explicit_lock (without the private `cond._lock is lock` check)
test("test_locks.ConditionTests.test_explicit_lock", () =>
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
    const sem = new asyncio.Semaphore();
    yield* sem.acquire();
    const acquire = asyncio.createTask(sem.acquire());
    asyncio.getRunningLoop().callSoon(() => acquire.cancel());
    yield* raisesCancelled(acquire);
    assert.equal(waitersOf(sem), 0);
  }));

// test_locks.py SemaphoreTests.test_acquire_cancel_before_awoken
test("test_locks.SemaphoreTests.test_acquire_cancel_before_awoken", () =>
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
  run(function* () {
    const sem = new asyncio.Semaphore();
    yield* sem.acquire();
    assert.ok(sem.locked());
    sem.release();
    assert.ok(!sem.locked());
  }));

// test_locks.py SemaphoreTests.test_acquire_fifo_order
test("test_locks.SemaphoreTests.test_acquire_fifo_order", () =>
  run(function* () {
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
  run(function* () {
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
  run(function* () {
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
