// Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier: the behaviour
// CPython's test_locks.py checks (3.12, with the fairness fixes of its later
// bug-fix releases, which 3.13 shares), written against tsyncio's API.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import {
  Barrier, BoundedSemaphore, BrokenBarrierError, CancelledError, Condition, Event, Lock, RuntimeError, Semaphore,
  TimeoutError, ValueError, type Coroutine, type Future, type Task,
} from "../src/index.js";
import { atest, raises } from "./helpers/virtual.js";

const { sleep, createTask, gather, getRunningLoop } = asyncio;
const { VirtualTimeLoop } = asyncio.testing;

/** Python's `callSoon(task.cancel)`. */
function cancelSoon(t: Task<unknown>): void {
  getRunningLoop().callSoon(() => t.cancel());
}

// ---- Lock -------------------------------------------------------------------

atest("Lock: repr shows the state and the waiters", function* () {
  const lock = new Lock();
  assert.equal(String(lock), "<Lock [unlocked]>");
  yield* lock.acquire();
  assert.equal(String(lock), "<Lock [locked]>");
  const t = createTask(lock.acquire());
  yield* sleep(0);
  assert.equal(String(lock), "<Lock [locked, waiters:1]>");
  lock.release();
  yield* t;
  assert.equal(String(lock), "<Lock [locked]>");
});

atest("Lock: acquire() returns true; waiters get the lock in FIFO order, one per release()", function* () {
  const lock = new Lock();
  const result: number[] = [];
  assert.equal(yield* lock.acquire(), true);
  function* c(n: number): Coroutine<boolean> {
    if (yield* lock.acquire()) result.push(n);
    return true;
  }
  const t1 = createTask(c(1));
  const t2 = createTask(c(2));
  yield* sleep(0);
  assert.deepEqual(result, []);
  lock.release();
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  const t3 = createTask(c(3));
  lock.release();
  yield* sleep(0);
  assert.deepEqual(result, [1, 2]);
  lock.release();
  yield* sleep(0);
  assert.deepEqual(result, [1, 2, 3]);
  for (const t of [t1, t2, t3]) assert.equal(t.result(), true);
});

atest("Lock: a cancelled acquire() leaves no waiter behind", function* () {
  const lock = new Lock();
  yield* lock.acquire();
  const task = createTask(lock.acquire());
  cancelSoon(task);
  yield* raises(CancelledError, task);
  assert.equal(lock._waiters!.length, 0);
  assert.equal(lock.locked(), true);
});

atest("Lock: a waiter cancelled while the holder releases is skipped (cancel race)", function* () {
  const lock = new Lock();
  function* lockit(blocker: Future<void> | null): Coroutine<void> {
    yield* lock.acquire();
    try {
      if (blocker !== null) yield* blocker;
    } finally {
      lock.release();
    }
  }
  const fa = getRunningLoop().createFuture<void>();
  const ta = createTask(lockit(fa));
  yield* sleep(0);
  assert.equal(lock.locked(), true);
  const tb = createTask(lockit(null));
  yield* sleep(0);
  assert.equal(lock._waiters!.length, 1);
  const tc = createTask(lockit(null));
  yield* sleep(0);
  assert.equal(lock._waiters!.length, 2);
  fa.setResult();
  tb.cancel();
  assert.equal(lock._waiters!.at(0)!.cancelled(), true);
  yield* sleep(0);
  assert.equal(lock.locked(), false);
  assert.equal(ta.done(), true);
  assert.equal(tb.cancelled(), true);
  yield* tc;
});

atest("Lock: cancelling the woken waiter and releasing at once hands the lock to one task only", function* () {
  const lock = new Lock();
  let lockCount = 0;
  let callCount = 0;
  function* lockit(): Coroutine<void> {
    callCount += 1;
    yield* lock.acquire();
    lockCount += 1;
  }
  yield* lock.acquire();
  const t1 = createTask(lockit());
  const t2 = createTask(lockit());
  const t3 = createTask(lockit());
  yield* sleep(0);
  getRunningLoop().callSoon(() => {
    t1.cancel();
    lock.release();
  });
  yield* raises(CancelledError, t1);
  assert.equal(lockCount, 1);
  assert.equal(callCount, 3);
  assert.equal(t1.cancelled(), true);
  assert.equal(t2.done(), true);
  t3.cancel();
  yield* sleep(0);
  assert.equal(t3.cancelled(), true);
});

atest("Lock: a woken waiter that is cancelled before it runs wakes the next one", function* () {
  const lock = new Lock();
  yield* lock.acquire();
  const tb = createTask(lock.acquire());
  yield* sleep(0);
  assert.equal(lock._waiters!.length, 1);
  const tc = createTask(lock.acquire());
  tb.cancel();
  lock.release();
  yield* sleep(0);
  assert.equal(lock.locked(), true);
  assert.equal(tb.cancelled(), true);
  assert.equal(yield* tc, true);
});

atest("Lock: the fast path is not taken while a live waiter is queued (fairness)", function* () {
  const lock = new Lock();
  const order: string[] = [];
  yield* lock.acquire();
  const waiter = createTask((function* () {
    yield* lock.acquire();
    order.push("waiter");
    lock.release();
  })());
  yield* sleep(0);
  lock.release();
  // The lock is free but the woken waiter has not run yet: a newcomer queues behind it.
  assert.equal(lock.locked(), false);
  yield* lock.acquire();
  order.push("newcomer");
  lock.release();
  yield* waiter;
  assert.deepEqual(order, ["waiter", "newcomer"]);
});

atest("Lock: release() of an unlocked lock raises RuntimeError", function* () {
  const lock = new Lock();
  assert.throws(() => lock.release(), (e: unknown) => e instanceof RuntimeError && e.message === "Lock is not acquired.");
  yield* lock.acquire();
  lock.release();
  assert.equal(lock.locked(), false);
});

atest("Lock: hold() runs the body locked, returns its result and releases, also on error", function* () {
  const lock = new Lock();
  const r = yield* lock.hold(function* () {
    assert.equal(lock.locked(), true);
    yield* sleep(0);
    return 42;
  });
  assert.equal(r, 42);
  assert.equal(lock.locked(), false);
  yield* raises(ValueError, lock.hold(function* () {
    throw new ValueError("boom");
  }), /boom/);
  assert.equal(lock.locked(), false);
});

atest("Lock: hold() cancelled while waiting for the lock does not release it", function* () {
  const lock = new Lock();
  yield* lock.acquire();
  let ran = false;
  const t = createTask(lock.hold(function* () {
    ran = true;
  }));
  yield* sleep(0);
  t.cancel();
  yield* raises(CancelledError, t);
  assert.equal(ran, false);
  assert.equal(lock.locked(), true);
  lock.release();
});

atest("Lock: async functions await acquire(), and `await using` releases", function* () {
  const lock = new Lock();
  const order: string[] = [];
  async function user(name: string): Promise<void> {
    await lock.acquire();
    await using _held = lock;
    order.push(`${name} in`);
    await sleep(0.01);
    order.push(`${name} out`);
  }
  yield* asyncio.wrapFuture(Promise.all([user("a"), user("b")]));
  assert.deepEqual(order, ["a in", "a out", "b in", "b out"]);
  assert.equal(lock.locked(), false);
  const r = yield* asyncio.wrapFuture((async () => lock.hold(function* () {
    return "held";
  }))());
  assert.equal(r, "held");
});

test("Lock: a lock used by two loops raises RuntimeError", async () => {
  const lock = new Lock();
  const loop1 = new VirtualTimeLoop();
  try {
    await loop1.runUntilComplete((function* () {
      yield* lock.acquire();
      const t = createTask(lock.acquire());
      yield* sleep(0);
      lock.release();
      yield* t;
      lock.release();
    })());
  } finally {
    loop1.close();
  }
  await asyncio.run((function* () {
    // The fast path touches no loop.
    yield* lock.acquire();
    yield* raises(RuntimeError, lock.acquire(), /is bound to a different event loop/);
    lock.release();
  })(), { loopFactory: () => new VirtualTimeLoop() });
});

// ---- Event ------------------------------------------------------------------

atest("Event: repr shows set/unset and the waiters", function* () {
  const ev = new Event();
  assert.equal(String(ev), "<Event [unset]>");
  const t = createTask(ev.wait());
  yield* sleep(0);
  assert.equal(String(ev), "<Event [unset, waiters:1]>");
  ev.set();
  assert.equal(String(ev), "<Event [set, waiters:1]>");
  yield* t;
  assert.equal(String(ev), "<Event [set]>");
});

atest("Event: set() wakes every waiter; they resume in the order their tasks were scheduled", function* () {
  const ev = new Event();
  assert.equal(ev.isSet(), false);
  const result: number[] = [];
  function* c(n: number): Coroutine<void> {
    if (yield* ev.wait()) result.push(n);
  }
  const t1 = createTask(c(1));
  const t2 = createTask(c(2));
  yield* sleep(0);
  assert.deepEqual(result, []);
  const t3 = createTask(c(3));
  ev.set();
  yield* sleep(0);
  // t3 never waited: its first step runs before the woken tasks' next steps.
  assert.deepEqual(result, [3, 1, 2]);
  for (const t of [t1, t2, t3]) assert.equal(t.result(), undefined);
});

atest("Event: wait() on a set event returns true at once", function* () {
  const ev = new Event();
  ev.set();
  assert.equal(yield* ev.wait(), true);
});

atest("Event: a cancelled wait() removes its waiter", function* () {
  const ev = new Event();
  const w = createTask(ev.wait());
  cancelSoon(w);
  yield* raises(CancelledError, w);
  assert.equal(ev._waiters.length, 0);
});

atest("Event: clear(); set() then clear() still wakes the waiters that were waiting", function* () {
  const ev = new Event();
  ev.set();
  assert.equal(ev.isSet(), true);
  ev.clear();
  assert.equal(ev.isSet(), false);
  const result: number[] = [];
  const t = createTask((function* () {
    if (yield* ev.wait()) result.push(1);
    return true;
  })());
  yield* sleep(0);
  ev.set();
  ev.clear();
  assert.equal(ev.isSet(), false);
  ev.set();
  ev.set();
  assert.equal(ev._waiters.length, 1);
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  assert.equal(ev._waiters.length, 0);
  assert.equal(t.result(), true);
});

// ---- Condition --------------------------------------------------------------

atest("Condition: wait() releases the lock; notify(n) wakes n waiters, each re-acquiring in turn", function* () {
  const cond = new Condition();
  const result: number[] = [];
  function* c(n: number): Coroutine<boolean> {
    yield* cond.acquire();
    if (yield* cond.wait()) result.push(n);
    return true;
  }
  const t1 = createTask(c(1));
  const t2 = createTask(c(2));
  const t3 = createTask(c(3));
  yield* sleep(0);
  assert.deepEqual(result, []);
  assert.equal(cond.locked(), false);

  assert.equal(yield* cond.acquire(), true);
  cond.notify();
  yield* sleep(0);
  assert.deepEqual(result, []);
  assert.equal(cond.locked(), true);

  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  assert.equal(cond.locked(), true);

  cond.notify(2);
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  assert.equal(cond.locked(), true);

  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, [1, 2]);
  assert.equal(cond.locked(), true);

  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, [1, 2, 3]);
  assert.equal(cond.locked(), true);
  for (const t of [t1, t2, t3]) assert.equal(t.result(), true);
});

atest("Condition: a cancelled wait() removes its waiter and still returns holding the lock", function* () {
  const cond = new Condition();
  yield* cond.acquire();
  const w = createTask(cond.wait());
  cancelSoon(w);
  yield* raises(CancelledError, w);
  assert.equal(cond._waiters.length, 0);
  assert.equal(cond.locked(), true);
});

atest("Condition: cancelled after being notified, while the lock is contested: it waits for the lock", function* () {
  const cond = new Condition();
  yield* cond.acquire();
  const waitTask = createTask(cond.wait());
  yield* sleep(0);
  assert.equal(cond.locked(), false);
  yield* cond.acquire();
  cond.notify();
  getRunningLoop().callSoon(() => waitTask.cancel());
  getRunningLoop().callSoon(() => cond.release());
  try {
    yield* waitTask;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
  }
  assert.equal(cond.locked(), true);
});

atest("Condition: cancelled while re-acquiring after notify: CancelledError once the lock is back", function* () {
  let waited = false;
  const cond = new Condition();
  const waiter = createTask(cond.hold(function* () {
    waited = true;
    yield* cond.wait();
  }));
  yield* sleep(0);
  yield* cond.acquire();
  cond.notify();
  yield* sleep(0);
  waiter.cancel();
  yield* sleep(0);
  cond.release();
  yield* sleep(0);
  assert.equal(waiter.cancelled(), true);
  assert.equal(waited, true);
  assert.equal(cond.locked(), false);
});

atest("Condition: wait() and notify() without the lock raise RuntimeError", function* () {
  const cond = new Condition();
  yield* raises(RuntimeError, cond.wait(), /^cannot wait on un-acquired lock$/);
  assert.throws(() => cond.notify(), /^RuntimeError: cannot notify on un-acquired lock$/);
  assert.throws(() => cond.notifyAll(), RuntimeError);
});

atest("Condition: waitFor() waits until the predicate is truthy and returns its value", function* () {
  const cond = new Condition();
  let presult = false;
  const result: number[] = [];
  const t = createTask((function* () {
    yield* cond.acquire();
    if (yield* cond.waitFor(() => presult)) {
      result.push(1);
      cond.release();
    }
    return true;
  })());
  yield* sleep(0);
  assert.deepEqual(result, []);
  yield* cond.acquire();
  cond.notify();
  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, []);
  presult = true;
  yield* cond.acquire();
  cond.notify();
  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  assert.equal(t.result(), true);
});

atest("Condition: waitFor() with a true predicate needs no lock; a false one raises RuntimeError", function* () {
  const cond = new Condition();
  assert.deepEqual(yield* cond.waitFor(() => [1, 2, 3]), [1, 2, 3]);
  yield* raises(RuntimeError, cond.waitFor(() => false));
});

atest("Condition: notify(1), then notify(1) and notify(2048), wake waiters in FIFO order", function* () {
  const cond = new Condition();
  const result: number[] = [];
  function* c(n: number): Coroutine<boolean> {
    yield* cond.acquire();
    if (yield* cond.wait()) {
      result.push(n);
      cond.release();
    }
    return true;
  }
  const tasks = [createTask(c(1)), createTask(c(2)), createTask(c(3))];
  yield* sleep(0);
  assert.deepEqual(result, []);
  yield* cond.acquire();
  cond.notify(1);
  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  yield* cond.acquire();
  cond.notify(1);
  cond.notify(2048);
  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, [1, 2, 3]);
  for (const t of tasks) assert.equal(t.result(), true);
});

atest("Condition: notifyAll() wakes every waiter", function* () {
  const cond = new Condition();
  const result: number[] = [];
  function* c(n: number): Coroutine<void> {
    yield* cond.acquire();
    if (yield* cond.wait()) {
      result.push(n);
      cond.release();
    }
  }
  const tasks = [createTask(c(1)), createTask(c(2))];
  yield* sleep(0);
  yield* cond.acquire();
  cond.notifyAll();
  cond.release();
  yield* sleep(0);
  assert.deepEqual(result, [1, 2]);
  for (const t of tasks) assert.equal(t.done(), true);
});

atest("Condition: repr; hold() and `await using`", function* () {
  const cond = new Condition();
  assert.equal(String(cond), "<Condition [unlocked]>");
  yield* cond.acquire();
  assert.equal(String(cond), "<Condition [locked]>");
  const w = createTask(cond.wait());
  yield* sleep(0);
  assert.equal(String(cond), "<Condition [unlocked, waiters:1]>");
  w.cancel();
  yield* raises(CancelledError, w);
  cond.release();
  assert.equal(yield* cond.hold(function* () {
    assert.equal(cond.locked(), true);
    return "x";
  }), "x");
  assert.equal(cond.locked(), false);
  yield* asyncio.wrapFuture((async () => {
    await cond.acquire();
    await using _c = cond;
    assert.equal(cond.locked(), true);
  })());
  assert.equal(cond.locked(), false);
});

atest("Condition: an explicit lock is shared with the condition", function* () {
  function* f(lock: Lock | null, cond: Condition | null): Coroutine<void> {
    const l = lock ?? new Lock();
    const c = cond ?? new Condition(l);
    assert.equal(c._lock, l);
    assert.equal(c.locked(), false);
    yield* c.hold(function* () {
      assert.equal(l.locked(), true);
      assert.equal(c.locked(), true);
    });
    assert.equal(l.locked(), false);
    yield* l.hold(function* () {
      assert.equal(c.locked(), true);
    });
    assert.equal(c.locked(), false);
  }
  yield* f(null, null);
  yield* f(new Lock(), null);
  const lock = new Lock();
  yield* f(lock, new Condition(lock));
});

atest("Condition: a lock or condition bound to another loop raises RuntimeError", function* () {
  const other = new VirtualTimeLoop();
  try {
    const lock = new Lock();
    lock._loop = other;
    yield* lock.hold(function* () {
      const cond = new Condition(lock);
      // The lock is held: acquiring waits on it and discovers the mismatch.
      yield* raises(RuntimeError, cond.acquire(), /is bound to a different event loop/);
    });
    const lock2 = new Lock();
    yield* lock2.hold(function* () {
      const cond = new Condition(lock2);
      cond._loop = other;
      yield* raises(RuntimeError, cond.wait(), /is bound to a different event loop/);
    });
  } finally {
    other.close();
  }
});

atest("Condition: wait() under waitFor() with a timeout raises TimeoutError and keeps the lock", function* () {
  const cond = new Condition();
  yield* cond.hold(function* () {
    yield* raises(TimeoutError, asyncio.waitFor(cond.wait(), 0.5));
    assert.equal(cond.locked(), true);
  });
});

atest("Condition: the CancelledError of a cancelled wait is re-raised unchanged (same object, message)", function* () {
  const cond = new Condition();
  let raised: CancelledError | null = null;
  const task = createTask(cond.hold(function* () {
    raised = yield* raises(CancelledError, cond.waitFor(() => false));
    throw raised;
  }));
  yield* sleep(0);
  task.cancel("foo");
  const err = yield* raises(CancelledError, task);
  assert.equal(err.message, "foo");
  assert.equal(err, raised);
});

atest("Condition: the CancelledError received while re-acquiring is re-raised unchanged", function* () {
  const cond = new Condition();
  let wake = false;
  let raised: CancelledError | null = null;
  const task = createTask(cond.hold(function* () {
    raised = yield* raises(CancelledError, cond.waitFor(() => wake));
    throw raised;
  }));
  yield* sleep(0);
  yield* cond.acquire();
  wake = true;
  cond.notify();
  yield* sleep(0);
  task.cancel("foo");
  cond.release();
  const err = yield* raises(CancelledError, task);
  assert.equal(err.message, "foo");
  assert.equal(err, raised);
});

function* lostWakeupScenario(sleepBeforeCancel: boolean): Coroutine<void> {
  const cond = new Condition();
  let state = 0;
  function* consumer(): Coroutine<void> {
    yield* cond.hold(function* () {
      for (;;) {
        yield* cond.waitFor(() => state !== 0);
        if (state < 0) return;
        state -= 1;
      }
    });
  }
  const c = [createTask(consumer()), createTask(consumer())];
  yield* sleep(0);
  yield* cond.hold(function* () {
    state += 1;
    cond.notify(1);
    // Either cancelled while still queued for the wakeup, or while re-acquiring the lock.
    if (sleepBeforeCancel) yield* sleep(0);
    c[0]!.cancel();
    try {
      yield* asyncio.timeout(0.01, function* () {
        yield* cond.waitFor(() => state === 0);
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
    // The notification went to the other consumer instead of being lost.
    assert.equal(state, 0);
    state = -1;
    cond.notifyAll();
  });
  yield* c[1]!;
  assert.equal(c[0]!.cancelled(), true);
}

atest("Condition: a task cancelled as it is notified passes the wakeup on (waiting)", () => lostWakeupScenario(false));
atest("Condition: a task cancelled as it is notified passes the wakeup on (re-locking)", () => lostWakeupScenario(true));

atest("Condition: repeated cancellation while re-acquiring still returns holding the lock", function* () {
  const cond = new Condition();
  let heldAfter = false;
  const t = createTask((function* () {
    yield* cond.acquire();
    try {
      yield* cond.wait();
    } finally {
      heldAfter = cond.locked();
    }
  })());
  yield* sleep(0);
  yield* cond.acquire();
  t.cancel();
  yield* sleep(0);
  t.cancel();
  yield* sleep(0);
  t.cancel();
  yield* sleep(0);
  assert.equal(t.done(), false);
  cond.release();
  yield* raises(CancelledError, t);
  assert.equal(heldAfter, true);
});

// ---- Semaphore --------------------------------------------------------------

atest("Semaphore: initial value, ValueError below zero, repr", function* () {
  assert.equal(new Semaphore(0).locked(), true);
  assert.throws(() => new Semaphore(-1), (e: unknown) =>
    e instanceof ValueError && e.message === "Semaphore initial value must be >= 0");
  const sem = new Semaphore();
  assert.equal(sem._value, 1);
  assert.equal(sem.locked(), false);
  assert.equal(String(sem), "<Semaphore [unlocked, value:1]>");
  yield* sem.acquire();
  assert.equal(String(sem), "<Semaphore [locked]>");
  const t = createTask(sem.acquire());
  yield* sleep(0);
  assert.equal(String(sem), "<Semaphore [locked, waiters:1]>");
  sem.release();
  yield* t;
});

atest("Semaphore: acquire() decrements; waiters are woken by release() in order", function* () {
  const sem = new Semaphore(3);
  const result: number[] = [];
  assert.equal(yield* sem.acquire(), true);
  assert.equal(yield* sem.acquire(), true);
  assert.equal(sem.locked(), false);
  function* c(n: number): Coroutine<boolean> {
    yield* sem.acquire();
    result.push(n);
    return true;
  }
  const t1 = createTask(c(1));
  const t2 = createTask(c(2));
  const t3 = createTask(c(3));
  yield* sleep(0);
  assert.deepEqual(result, [1]);
  assert.equal(sem.locked(), true);
  assert.equal(sem._waiters!.length, 2);
  assert.equal(sem._value, 0);
  const t4 = createTask(c(4));
  sem.release();
  sem.release();
  assert.equal(sem._value, 0);
  yield* sleep(0);
  assert.equal(sem._value, 0);
  assert.deepEqual(result, [1, 2, 3]);
  assert.equal(sem.locked(), true);
  assert.equal(sem._waiters!.length, 1);
  assert.equal(t1.result(), true);
  assert.equal(t4.done(), false);
  sem.release();
  yield* gather(t2, t3, t4);
  assert.deepEqual(result, [1, 2, 3, 4]);
});

atest("Semaphore: a cancelled acquire() leaves no live waiter", function* () {
  const sem = new Semaphore();
  yield* sem.acquire();
  const acquire = createTask(sem.acquire());
  cancelSoon(acquire);
  yield* raises(CancelledError, acquire);
  assert.ok(sem._waiters === null || [...sem._waiters].every((w) => w.done()));
});

atest("Semaphore: waiters cancelled before being woken do not swallow a release()", function* () {
  const sem = new Semaphore(0);
  const [t1, t2, t3, t4] = [0, 1, 2, 3].map(() => createTask(sem.acquire()));
  yield* sleep(0);
  t1!.cancel();
  t2!.cancel();
  sem.release();
  yield* sleep(0);
  yield* sleep(0);
  assert.equal(t3!.done(), true);
  assert.equal(t4!.done(), false);
  t3!.cancel();
  t4!.cancel();
  yield* sleep(0);
});

atest("Semaphore: no hang when the first waiter is cancelled as the unit is released", function* () {
  const sem = new Semaphore(0);
  const t1 = createTask(sem.acquire());
  const t2 = createTask(sem.acquire());
  yield* sleep(0);
  t1.cancel();
  sem.release();
  yield* sleep(0);
  yield* sleep(0);
  assert.equal(sem.locked(), true);
  assert.equal(t2.done(), true);
});

atest("Semaphore: a woken waiter cancelled before running gives its unit back", function* () {
  const sem = new Semaphore(1);
  let t2: Task<void> | null = null;
  const t1 = createTask((function* () {
    yield* sem.hold(function* () {
      yield* sleep(0);
    });
    // t2 was just handed the unit but has not run yet.
    t2!.cancel();
  })());
  t2 = createTask(sem.hold(function* () {
    assert.fail("never runs");
  }));
  const [r1, r2] = yield* gather(t1, t2, { returnExceptions: true });
  assert.equal(r1, undefined);
  assert.ok(r2 instanceof CancelledError);
  assert.equal(sem._value, 1);
  yield* asyncio.waitFor(sem.acquire(), 1.0);
});

atest("BoundedSemaphore: release() beyond the initial value raises ValueError", function* () {
  const sem = new BoundedSemaphore();
  assert.throws(() => sem.release(), (e: unknown) =>
    e instanceof ValueError && e.message === "BoundedSemaphore released too many times");
  yield* sem.acquire();
  sem.release();
  assert.throws(() => sem.release(), ValueError);
  const b2 = new BoundedSemaphore(2);
  yield* b2.acquire();
  yield* b2.acquire();
  b2.release();
  b2.release();
  assert.throws(() => b2.release(), ValueError);
  assert.equal(String(b2), "<BoundedSemaphore [unlocked, value:2]>");
});

atest("Semaphore: release() with no waiters; hold() and `await using`", function* () {
  const sem = new Semaphore();
  yield* sem.acquire();
  assert.equal(sem.locked(), true);
  sem.release();
  assert.equal(sem.locked(), false);
  assert.equal(yield* sem.hold(function* () {
    assert.equal(sem.locked(), true);
    return 7;
  }), 7);
  assert.equal(sem._value, 1);
  yield* asyncio.wrapFuture((async () => {
    await sem.acquire();
    await using _s = sem;
    assert.equal(sem._value, 0);
  })());
  assert.equal(sem._value, 1);
});

atest("Semaphore: FIFO: a task that releases and re-acquires queues behind the others", function* () {
  const sem = new Semaphore(1);
  const result: string[] = [];
  function* coro(tag: string): Coroutine<void> {
    yield* sem.acquire();
    result.push(`${tag}_1`);
    yield* sleep(0.01);
    sem.release();
    yield* sem.acquire();
    result.push(`${tag}_2`);
    yield* sleep(0.01);
    sem.release();
  }
  yield* asyncio.taskGroup(function* (tg) {
    tg.createTask(coro("c1"));
    tg.createTask(coro("c2"));
    tg.createTask(coro("c3"));
  });
  assert.deepEqual(result, ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
});

atest("Semaphore: FIFO: releasing and re-acquiring at once does not jump the queue", function* () {
  const sem = new Semaphore(1);
  const result: number[] = [];
  const t1 = createTask((function* () {
    yield* sem.acquire();
    result.push(1);
  })());
  const t2 = createTask((function* () {
    yield* sem.acquire();
    result.push(2);
    sem.release();
    yield* sem.acquire();
    result.push(4);
  })());
  const t3 = createTask((function* () {
    yield* sem.acquire();
    result.push(3);
  })());
  yield* sleep(0);
  sem.release();
  sem.release();
  yield* gather(t1, t2, t3);
  assert.deepEqual(result, [1, 2, 3, 4]);
});

atest("Semaphore: FIFO: a cancelled waiter is skipped", function* () {
  const sem = new Semaphore(0);
  const result: number[] = [];
  const mk = (n: number) => createTask((function* () {
    yield* sem.acquire();
    result.push(n);
  })());
  const tasks = [mk(1), mk(2), mk(3)];
  yield* sleep(0);
  tasks[0]!.cancel();
  yield* sleep(0);
  sem.release();
  sem.release();
  yield* gather(...tasks, { returnExceptions: true });
  assert.deepEqual(result, [2, 3]);
});

atest("Semaphore: a successful acquire() wakes every waiter the value allows", function* () {
  const sem = new Semaphore(0);
  const result: number[] = [];
  let t4: Task<boolean> | null = null;
  function* c4(): Coroutine<boolean> {
    result.push(4);
    return true;
  }
  const t1 = createTask((function* () {
    assert.equal(sem._value, 0);
    yield* sem.acquire();
    assert.equal(sem._value, 0);
    t4 = createTask(c4());
    result.push(1);
    return true;
  })());
  const t2 = createTask((function* () {
    sem.release();
    sem.release();
    sem.release();
    assert.equal(sem._value, 2);
    assert.equal(sem.locked(), true);
    yield* sem.acquire();
    result.push(2);
    return true;
  })());
  const t3 = createTask((function* () {
    yield* sem.acquire();
    assert.equal(sem.locked(), true);
    result.push(3);
    return true;
  })());
  yield* sleep(0);
  assert.equal(sem._value, 2);
  assert.equal(sem._waiters!.length, 3);
  yield* sleep(0);
  yield* gather(t1, t2, t3, t4!);
  assert.deepEqual(result, [1, 2, 3, 4]);
});

// ---- Barrier ----------------------------------------------------------------

const N = 5;

function* gatherTasks<T>(n: number, coro: () => Coroutine<T>): Coroutine<T[]> {
  const tasks = Array.from({ length: n }, () => createTask(coro()));
  return (yield* gather(...tasks)) as T[];
}

atest("Barrier: parties must be > 0; repr through filling, draining, resetting, broken", function* () {
  assert.throws(() => new Barrier(0), (e: unknown) => e instanceof ValueError && e.message === "parties must be > 0");
  assert.throws(() => new Barrier(-4), ValueError);
  const barrier = new Barrier(N);
  assert.equal(barrier.parties, N);
  assert.equal(String(barrier), `<Barrier [filling, waiters:0/${N}]>`);
  const waiters: Task<number>[] = [];
  for (let i = 0; i < 2; i++) waiters.push(createTask(barrier.wait()));
  yield* sleep(0);
  assert.equal(String(barrier), `<Barrier [filling, waiters:2/${N}]>`);
  for (let i = 0; i < barrier.parties - barrier.nWaiting; i++) waiters.push(createTask(barrier.wait()));
  yield* sleep(0);
  assert.match(String(barrier), /draining/);
  for (let i = 0; i < 2; i++) waiters.push(createTask(barrier.wait()));
  yield* sleep(0);
  yield* barrier.reset();
  assert.match(String(barrier), /resetting/);
  for (let i = 0; i < 2; i++) waiters.push(createTask(barrier.wait()));
  yield* sleep(0);
  yield* barrier.abort();
  assert.equal(String(barrier), "<Barrier [broken]>");
  assert.equal(barrier.broken, true);
  yield* gather(...waiters, { returnExceptions: true });
});

atest("Barrier: hold() gives each task a distinct index", function* () {
  const barrier = new Barrier(3);
  const results: number[] = [];
  yield* gatherTasks(3, () => barrier.hold(function* (i) {
    results.push(i);
  }));
  assert.deepEqual([...results].sort(), [0, 1, 2]);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
});

atest("Barrier: wait() returns arrival indexes 0..parties-1 in arrival order", function* () {
  const barrier = new Barrier(3);
  const tasks = [createTask(barrier.wait()), createTask(barrier.wait()), createTask(barrier.wait())];
  assert.deepEqual(yield* gather(...tasks), [0, 1, 2]);
});

atest("Barrier: one party trips at once, also twice in a row", function* () {
  const barrier = new Barrier(1);
  assert.equal(yield* barrier.hold(function* () {
    return true;
  }), true);
  const t1 = createTask(barrier.wait());
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 0);
  const t2 = createTask(barrier.wait());
  yield* sleep(0);
  assert.equal(t1.result(), 0);
  assert.equal(t2.result(), 0);
  assert.equal(barrier.broken, false);
});

atest("Barrier: fills task by task", function* () {
  const barrier = new Barrier(3);
  const t1 = createTask(barrier.wait());
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 1);
  const t2 = createTask(barrier.wait());
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 2);
  assert.match(String(barrier), /filling/);
  const t3 = createTask(barrier.wait());
  yield* sleep(0);
  yield* asyncio.wait([t1, t2, t3]);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
});

atest("Barrier: tasks pass twice; the inner index is returned", function* () {
  const barrier = new Barrier(N);
  const results1: boolean[] = [];
  const results2: boolean[] = [];
  const res = yield* gatherTasks(N, () => barrier.hold(function* () {
    results1.push(true);
    return yield* barrier.hold(function* (i) {
      results2.push(true);
      return i;
    });
  }));
  assert.equal(results1.length, N);
  assert.equal(results2.length, N);
  assert.deepEqual([...res].sort(), [0, 1, 2, 3, 4]);
  assert.equal(barrier.nWaiting, 0);
});

atest("Barrier: draining until the last task leaves", function* () {
  const barrier = new Barrier(N);
  const results: boolean[] = [];
  yield* gatherTasks(N, () => barrier.hold(function* () {
    results.push(String(barrier).includes("draining"));
  }));
  assert.equal(results.length, N);
  assert.equal(results[N - 1], false);
  assert.ok(results.slice(0, N - 1).every((x) => x));
});

atest("Barrier: tasks arriving while it drains are blocked until it refills", function* () {
  const barrier = new Barrier(N);
  const barrierNowaiting = new Barrier(N - 2);
  let rewait = 2;
  yield* gatherTasks(N, function* () {
    yield* barrier.wait();
    if (rewait > 0) {
      rewait -= 1;
      yield* barrier.wait();
    } else {
      yield* barrierNowaiting.wait();
      yield* barrier.wait();
    }
  });
  assert.equal(barrier.nWaiting, 0);
});

atest("Barrier: a cancelled waiter leaves the count", function* () {
  const barrier = new Barrier(3);
  const results: boolean[] = [];
  function* coro(): Coroutine<void> {
    yield* barrier.wait();
    results.push(true);
  }
  const t1 = createTask(coro());
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 1);
  const t2 = createTask(coro());
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 2);
  t1.cancel();
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 1);
  yield* raises(CancelledError, t1);
  const t3 = createTask(coro());
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 2);
  const t4 = createTask(coro());
  yield* gather(t2, t3, t4);
  assert.equal(results.length, 3);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
});

atest("Barrier: reset() of an idle barrier; abort() breaks it", function* () {
  const barrier = new Barrier(1);
  createTask(barrier.reset());
  yield* sleep(0);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
  const b2 = new Barrier(1);
  createTask(b2.abort());
  yield* sleep(0);
  assert.equal(b2.nWaiting, 0);
  assert.equal(b2.broken, true);
  yield* raises(BrokenBarrierError, b2.wait(), /^Barrier aborted$/);
});

atest("Barrier: reset() while tasks wait raises BrokenBarrierError in them, then refills", function* () {
  const barrier = new Barrier(N);
  const results: boolean[] = [];
  const tasks = Array.from({ length: N - 1 }, () => createTask((function* () {
    const e = yield* raises(BrokenBarrierError, barrier.wait(), /^Abort or reset of barrier$/);
    results.push(e instanceof RuntimeError);
  })()));
  yield* sleep(0);
  createTask(barrier.reset());
  yield* gather(...tasks);
  assert.deepEqual(results, Array(N - 1).fill(true));
  assert.equal(barrier.nWaiting, 0);
  assert.doesNotMatch(String(barrier), /resetting/);
  assert.equal(barrier.broken, false);
});

atest("Barrier: reset() by a drained task while the others still drain", function* () {
  const barrier = new Barrier(N);
  const results1: boolean[] = [];
  const rest = Math.floor(N / 2);
  yield* gatherTasks(N, function* () {
    try {
      yield* barrier.wait();
    } catch (e) {
      if (!(e instanceof BrokenBarrierError)) throw e;
      results1.push(true);
      return;
    }
    if (rest === barrier._count) yield* barrier.reset();
  });
  assert.deepEqual(results1, Array(rest).fill(true));
  assert.equal(barrier.nWaiting, 0);
  assert.doesNotMatch(String(barrier), /resetting/);
  assert.equal(barrier.broken, false);
});

atest("Barrier: reset() while half drain and half block; everyone passes again", function* () {
  const barrier = new Barrier(N);
  const results1: boolean[] = [];
  const results2: boolean[] = [];
  const blocking = Math.floor(N / 2);
  let count = 0;
  yield* gatherTasks(N, function* () {
    try {
      yield* barrier.wait();
    } catch (e) {
      if (!(e instanceof BrokenBarrierError)) throw e;
      results1.push(true);
      yield* barrier.wait();
      return;
    }
    count += 1;
    if (count > blocking) {
      yield* barrier.reset();
      yield* barrier.wait();
    } else {
      try {
        yield* barrier.wait();
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        results2.push(true);
      }
    }
  });
  assert.deepEqual(results1, Array(blocking).fill(true));
  assert.deepEqual(results2, []);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
});

atest("Barrier: reset() while tasks wait, and they wait again in finally", function* () {
  const barrier = new Barrier(N);
  const results1: boolean[] = [];
  const results2: boolean[] = [];
  const tasks = Array.from({ length: N - 1 }, () => createTask((function* () {
    try {
      yield* barrier.wait();
    } catch (e) {
      if (!(e instanceof BrokenBarrierError)) throw e;
      results1.push(true);
    } finally {
      yield* barrier.wait();
      results2.push(true);
    }
  })()));
  createTask(barrier.reset());
  yield* sleep(0);
  createTask(barrier.hold(function* () {
    results2.push(true);
  }));
  yield* gather(...tasks);
  assert.equal(barrier.broken, false);
  assert.equal(results1.length, N - 1);
  assert.equal(results2.length, N);
  assert.equal(barrier.nWaiting, 0);
});

atest("Barrier: reset() by the last task out while the others re-wait", function* () {
  const barrier = new Barrier(N);
  const results1: boolean[] = [];
  const results2: boolean[] = [];
  const results3: boolean[] = [];
  let count = 0;
  yield* gatherTasks(N, function* () {
    yield* barrier.wait();
    count += 1;
    if (count === N) {
      yield* barrier.reset();
      yield* barrier.wait();
    } else {
      try {
        yield* barrier.wait();
        results1.push(true);
      } catch {
        results2.push(true);
      }
    }
    yield* barrier.wait();
    results3.push(true);
  });
  assert.equal(barrier.broken, false);
  assert.equal(results1.length, N - 1);
  assert.equal(results2.length, 0);
  assert.equal(results3.length, N);
  assert.equal(barrier.nWaiting, 0);
});

atest("Barrier: abort() while half drain and half block breaks everyone", function* () {
  const barrier = new Barrier(N);
  const results1: boolean[] = [];
  const results2: boolean[] = [];
  const blocking = Math.floor(N / 2);
  let count = 0;
  yield* gatherTasks(N, function* () {
    try {
      yield* barrier.wait();
    } catch (e) {
      if (!(e instanceof BrokenBarrierError)) throw e;
      results1.push(true);
      return;
    }
    count += 1;
    if (count > blocking) {
      yield* barrier.abort();
    } else {
      try {
        yield* barrier.wait();
      } catch (e) {
        if (!(e instanceof BrokenBarrierError)) throw e;
        results2.push(true);
      }
    }
  });
  assert.equal(barrier.broken, true);
  assert.deepEqual(results1, Array(blocking).fill(true));
  assert.deepEqual(results2, Array(N - blocking - 1).fill(true));
  assert.equal(barrier.nWaiting, 0);
});

atest("Barrier: abort() on an error inside the barrier breaks the others", function* () {
  const barrier = new Barrier(N);
  const results1: boolean[] = [];
  const results2: boolean[] = [];
  yield* gatherTasks(N, function* () {
    try {
      yield* barrier.hold(function* (i) {
        if (i === Math.floor(N / 2)) throw new RuntimeError("x");
      });
      yield* barrier.hold(function* () {
        results1.push(true);
      });
    } catch (e) {
      if (e instanceof BrokenBarrierError) results2.push(true);
      else if (e instanceof RuntimeError) yield* barrier.abort();
      else throw e;
    }
  });
  assert.equal(barrier.broken, true);
  assert.equal(results1.length, 0);
  assert.equal(results2.length, N - 1);
  assert.equal(barrier.nWaiting, 0);
});

atest("Barrier: abort() on an error, then reset() makes it usable again", function* () {
  const barrier1 = new Barrier(N);
  const barrier2 = new Barrier(N);
  const results1: boolean[] = [];
  const results2: boolean[] = [];
  const results3: boolean[] = [];
  yield* gatherTasks(N, function* () {
    try {
      const i = yield* barrier1.wait();
      if (i === Math.floor(N / 2)) throw new RuntimeError("x");
      yield* barrier1.wait();
      results1.push(true);
    } catch (e) {
      if (e instanceof BrokenBarrierError) results2.push(true);
      else if (e instanceof RuntimeError) yield* barrier1.abort();
      else throw e;
    }
    const i = yield* barrier2.wait();
    if (i === Math.floor(N / 2)) yield* barrier1.reset();
    yield* barrier2.wait();
    yield* barrier1.wait();
    results3.push(true);
  });
  assert.equal(barrier1.broken, false);
  assert.equal(results1.length, 0);
  assert.equal(results2.length, N - 1);
  assert.equal(results3.length, N);
  assert.equal(barrier1.nWaiting, 0);
});

atest("Barrier: cancellation at every await inside wait() leaves a usable barrier", function* () {
  // Cancel one of three parties after k loop iterations, for every k up to its release.
  for (let k = 0; k < 6; k++) {
    const barrier = new Barrier(2);
    const victim = createTask(barrier.wait());
    for (let i = 0; i < k; i++) yield* sleep(0);
    victim.cancel();
    try {
      yield* victim;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    }
    assert.equal(barrier.nWaiting, 0, `k=${k}`);
    const [a, b] = yield* gather(createTask(barrier.wait()), createTask(barrier.wait()));
    assert.deepEqual([a, b], [0, 1], `k=${k}`);
    assert.equal(barrier._cond.locked(), false);
  }
});

atest("Lock and Semaphore: cancelling any contender at any iteration keeps exclusion and wakes everyone else", function* () {
  for (const capacity of [1, 2]) {
    for (let victim = 0; victim < 4; victim++) {
      for (let k = 0; k < 8; k++) {
        const prim: Lock | Semaphore = capacity === 1 ? new Lock() : new Semaphore(capacity);
        let inside = 0;
        let maxInside = 0;
        const entered: number[] = [];
        const tasks = [0, 1, 2, 3].map((n) => createTask(prim.hold(function* () {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          entered.push(n);
          try {
            yield* sleep(0);
          } finally {
            inside -= 1;
          }
        })));
        for (let i = 0; i < k; i++) yield* sleep(0);
        const cancelled = tasks[victim]!.cancel();
        const results = yield* gather(...tasks, { returnExceptions: true });
        const label = `capacity=${capacity} victim=${victim} k=${k}`;
        assert.ok(maxInside <= capacity, label);
        for (let n = 0; n < 4; n++) {
          if (n === victim && cancelled) assert.ok(results[n] instanceof CancelledError, label);
          else assert.equal(results[n], undefined, label);
        }
        // Everyone but a victim cancelled before entering got in, in FIFO order.
        const expected = [0, 1, 2, 3].filter((n) => n !== victim || entered.includes(victim));
        assert.deepEqual(entered, expected, label);
        assert.equal(prim.locked(), false, label);
        if (prim instanceof Semaphore) assert.equal(prim._value, capacity, label);
      }
    }
  }
});
