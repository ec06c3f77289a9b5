// Conformance: Tasks and the task API as CPython 3.12's test_tasks.py checks them:
// cancellation at every kind of suspension, eager tasks, names, currentTask/allTasks,
// stacks, gather/wait/shield/waitFor/asCompleted corner cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, RuntimeError, TimeoutError, ValueError } from "../../src/index.js";
import type { Coroutine, Future, Task } from "../../src/index.js";

const { VirtualTimeLoop } = asyncio.testing;

/** Runs `main` on a fresh virtual-time loop (asyncio.run with the virtual loop). */
function run<T>(main: () => Coroutine<T>, options?: { debug?: boolean }): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: options?.debug ?? false });
}

function* yieldOnce(): Coroutine<void> {
  yield* asyncio.sleep(0);
}

const isCancelled = (msg?: string) => (e: unknown): boolean =>
  e instanceof CancelledError && (msg === undefined || e.message === msg);

// ---- basics -----------------------------------------------------------------

test("a task runs its coroutine and takes its result or exception", async () => {
  await run(function* () {
    const t = asyncio.createTask((function* () {
      yield* asyncio.sleep(1);
      return "r";
    })());
    assert.ok(t instanceof asyncio.Task);
    assert.equal(t.done(), false);
    assert.equal(yield* t, "r");
    const bad = asyncio.createTask((function* () {
      throw new ValueError("v");
    })());
    try {
      yield* bad;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof ValueError);
    }
    assert.ok(bad.exception() instanceof ValueError);
  });
});

test("Task refuses setResult/setException (RuntimeError) and non-coroutines (TypeError)", async () => {
  await run(function* () {
    const t = asyncio.createTask(yieldOnce());
    assert.throws(() => t.setResult(undefined), /Task does not support set_result\(\) operation/);
    assert.throws(() => t.setException(new ValueError()), /Task does not support set_exception\(\) operation/);
    assert.throws(() => new asyncio.Task(42 as unknown as Coroutine<void>), TypeError);
    assert.throws(() => asyncio.getRunningLoop().createTask((() => 1) as unknown as Coroutine<number>), TypeError);
    yield* t;
  });
});

test("createTask outside a running loop is RuntimeError", () => {
  assert.throws(() => asyncio.createTask(yieldOnce()), (e: unknown) => e instanceof RuntimeError && e.message === "no running event loop");
});

test("task names: Task-N by default, the name option, setName; getCoro and getContext", async () => {
  await run(function* () {
    const coro = yieldOnce();
    const t1 = asyncio.createTask(coro);
    assert.match(t1.getName(), /^Task-\d+$/);
    const t2 = asyncio.createTask(yieldOnce(), { name: "worker" });
    assert.equal(t2.getName(), "worker");
    t2.setName(42);
    assert.equal(t2.getName(), "42");
    assert.equal(t1.getCoro(), coro);
    assert.ok(t1.getContext() instanceof asyncio.Context);
    const ctx = new asyncio.Context();
    const t3 = asyncio.createTask(yieldOnce(), { context: ctx });
    assert.equal(t3.getContext(), ctx);
    assert.match(String(t2), /^<Task pending name='42' coro=<.*>>$/);
    yield* asyncio.gather(t1, t2, t3);
    assert.match(String(t2), /^<Task finished name='42' coro=<.*> result=None>$/);
  });
});

test("a task awaiting itself, a bare yield of a value, and yield instead of yield* are RuntimeError", async () => {
  await run(function* () {
    let self: Task<unknown> | null = null;
    const t = asyncio.createTask((function* (): Coroutine<void> {
      yield* asyncio.sleep(0);
      yield* self!;
    })());
    self = t;
    try {
      yield* t;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof RuntimeError);
      assert.match((e as Error).message, /Task cannot await on itself/);
    }
    const bad = asyncio.createTask((function* () {
      yield 42;
    })());
    try {
      yield* bad;
      assert.fail("not raised");
    } catch (e) {
      assert.match((e as Error).message, /Task got bad yield: 42/);
    }
    const gen = asyncio.createTask((function* () {
      yield yieldOnce();
    })());
    try {
      yield* gen;
      assert.fail("not raised");
    } catch (e) {
      assert.match((e as Error).message, /yield was used instead of yield\*/);
    }
  });
});

test("currentTask: the task inside its steps, null in plain callbacks; RuntimeError without a loop", async () => {
  assert.throws(() => asyncio.currentTask(), RuntimeError);
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const me = asyncio.currentTask();
    assert.ok(me instanceof asyncio.Task);
    assert.equal(asyncio.currentTask(loop), me);
    let inCallback: unknown = "unset";
    loop.callSoon(() => (inCallback = asyncio.currentTask()));
    const t = asyncio.createTask((function* () {
      return asyncio.currentTask();
    })());
    assert.equal(yield* t, t);
    assert.equal(inCallback, null);
  });
});

test("allTasks: the pending tasks of the loop, including the current one", async () => {
  await run(function* () {
    const me = asyncio.currentTask()!;
    const a = asyncio.createTask(asyncio.sleep(10));
    const b = asyncio.createTask(yieldOnce());
    const all = asyncio.allTasks();
    assert.ok(all.has(me) && all.has(a) && all.has(b));
    yield* b;
    assert.equal(asyncio.allTasks().has(b), false);
    // `a` now waits on its sleep's future (tracked weakly from then on) and is still listed.
    assert.ok(asyncio.allTasks().has(a));
    a.cancel();
    yield* asyncio.wait([a]);
    assert.deepEqual([...asyncio.allTasks()], [me]);
  });
});

// ---- cancellation -------------------------------------------------------------

/**
 * Starts `body` as a task, lets it reach its suspension point, cancels it
 * with a message and checks that CancelledError came out of the await and
 * that its finally block ran.
 */
function* cancelAt(body: () => Coroutine<unknown>, settle = 1): Coroutine<{ caught: unknown; cleaned: boolean; task: Task<unknown> }> {
  const out = { caught: null as unknown, cleaned: false, task: null as unknown as Task<unknown> };
  const task = asyncio.createTask((function* () {
    try {
      yield* body();
    } catch (e) {
      out.caught = e;
      throw e;
    } finally {
      out.cleaned = true;
    }
  })());
  out.task = task;
  for (let i = 0; i < settle; i++) yield* asyncio.sleep(0);
  assert.equal(task.cancel("stop"), true);
  try {
    yield* task;
    assert.fail("not cancelled");
  } catch (e) {
    assert.ok(isCancelled("stop")(e), `expected CancelledError('stop'), got ${String(e)}`);
  }
  assert.equal(task.cancelled(), true);
  return out;
}

test("cancellation at an await of a future: the future is cancelled, CancelledError at the yield*", async () => {
  await run(function* () {
    const fut = asyncio.getRunningLoop().createFuture();
    const r = yield* cancelAt(function* () {
      yield* fut;
    });
    assert.ok(isCancelled("stop")(r.caught));
    assert.equal(r.cleaned, true);
    assert.equal(fut.cancelled(), true);
  });
});

test("cancellation at sleep(delay): its timer is cancelled too", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop() as asyncio.BaseEventLoop;
    const r = yield* cancelAt(function* () {
      yield* asyncio.sleep(3600);
    });
    assert.ok(isCancelled("stop")(r.caught));
    assert.ok(loop._scheduled.items.every((h) => h.cancelled()));
    assert.ok(loop.time() < 3600);
  });
});

test("cancellation at sleep(0) and before the first step", async () => {
  await run(function* () {
    const r = yield* cancelAt(function* () {
      for (;;) yield* asyncio.sleep(0);
    });
    assert.ok(isCancelled("stop")(r.caught));
    // Cancelled before it ever ran: the body never starts, so no finally runs.
    const r0 = yield* cancelAt(function* () {
      yield* asyncio.sleep(1);
    }, 0);
    assert.equal(r0.caught, null);
    assert.equal(r0.cleaned, false);
  });
});

test("cancellation through nested yield* reaches the innermost await; every finally runs, and may await", async () => {
  await run(function* () {
    const log: string[] = [];
    function* inner(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        log.push("inner-finally");
        yield* asyncio.sleep(1);
        log.push("inner-cleanup-done");
      }
    }
    function* middle(): Coroutine<void> {
      try {
        yield* inner();
      } finally {
        log.push("middle-finally");
      }
    }
    const r = yield* cancelAt(middle);
    assert.ok(isCancelled("stop")(r.caught));
    assert.deepEqual(log, ["inner-finally", "inner-cleanup-done", "middle-finally"]);
  });
});

test("cancellation at gather: the children are cancelled", async () => {
  await run(function* () {
    const a = asyncio.createTask(asyncio.sleep(10));
    const b = asyncio.createTask(asyncio.sleep(20));
    const r = yield* cancelAt(function* () {
      yield* asyncio.gather(a, b);
    });
    assert.ok(r.caught instanceof CancelledError);
    assert.equal(a.cancelled(), true);
    assert.equal(b.cancelled(), true);
  });
});

test("cancellation at shield: the task is cancelled, the shielded work goes on", async () => {
  await run(function* () {
    const inner = asyncio.createTask(asyncio.sleep(5, "done"));
    const r = yield* cancelAt(function* () {
      yield* asyncio.shield(inner);
    });
    assert.ok(r.caught instanceof CancelledError);
    assert.equal(inner.cancelled(), false);
    assert.equal(yield* inner, "done");
  });
});

test("cancellation at waitFor: the inner awaitable is cancelled and CancelledError (not TimeoutError) propagates", async () => {
  await run(function* () {
    const inner = asyncio.createTask(asyncio.sleep(100));
    const r = yield* cancelAt(function* () {
      yield* asyncio.waitFor(inner, 10);
    });
    assert.ok(isCancelled("stop")(r.caught));
    assert.equal(inner.cancelled(), true);
  });
});

test("cancellation at wait: CancelledError; the waited futures are left alone", async () => {
  await run(function* () {
    const f = asyncio.createTask(asyncio.sleep(100));
    const r = yield* cancelAt(function* () {
      yield* asyncio.wait([f]);
    });
    assert.ok(r.caught instanceof CancelledError);
    assert.equal(f.done(), false);
    f.cancel();
  });
});

test("cancellation inside a timeout scope stays a CancelledError", async () => {
  await run(function* () {
    const r = yield* cancelAt(function* () {
      yield* asyncio.timeout(10, function* () {
        yield* asyncio.sleep(100);
      });
    });
    assert.ok(isCancelled("stop")(r.caught));
  });
});

test("a coroutine may swallow the cancellation: the task then completes with its result", async () => {
  await run(function* () {
    const t = asyncio.createTask((function* () {
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        return "swallowed";
      }
      return "slept";
    })());
    yield* asyncio.sleep(0);
    t.cancel();
    assert.equal(yield* t, "swallowed");
    assert.equal(t.cancelled(), false);
    assert.equal(t.cancelling(), 1);
    assert.equal(t.uncancel(), 0);
    assert.equal(t.uncancel(), 0);
  });
});

test("cancelling() counts requests; uncancel() decrements; cancel() of a done task is false", async () => {
  await run(function* () {
    const t = asyncio.createTask(asyncio.sleep(10));
    yield* asyncio.sleep(0);
    assert.equal(t.cancelling(), 0);
    assert.equal(t.cancel(), true);
    assert.equal(t.cancel(), true);
    assert.equal(t.cancelling(), 2);
    assert.equal(t.uncancel(), 1);
    yield* asyncio.wait([t]);
    assert.equal(t.cancelled(), true);
    assert.equal(t.cancel(), false);
  });
});

test("a task cancelling itself while running is cancelled at its next await, or right before it returns", async () => {
  await run(function* () {
    const log: string[] = [];
    const t1 = asyncio.createTask((function* () {
      asyncio.currentTask()!.cancel("self");
      log.push("still running");
      try {
        yield* asyncio.sleep(1);
        log.push("not reached");
      } catch (e) {
        log.push(isCancelled("self")(e) ? "cancelled at await" : String(e));
        throw e;
      }
    })());
    const t2 = asyncio.createTask((function* () {
      asyncio.currentTask()!.cancel();
      return 5;
    })());
    const [r1, r2] = yield* asyncio.gather(t1, t2, { returnExceptions: true });
    assert.deepEqual(log, ["still running", "cancelled at await"]);
    assert.ok(r1 instanceof CancelledError);
    assert.ok(r2 instanceof CancelledError);
    assert.equal(t2.cancelled(), true);
  });
});

test("cancelling a task that awaits another task cancels the inner one; a swallowing inner task is cancelled again", async () => {
  await run(function* () {
    let swallowed = 0;
    const inner = asyncio.createTask((function* () {
      for (;;) {
        try {
          yield* asyncio.sleep(10);
          return "inner";
        } catch (e) {
          if (!(e instanceof CancelledError) || ++swallowed > 1) throw e;
        }
      }
    })());
    const outer = asyncio.createTask((function* () {
      return yield* inner;
    })());
    yield* asyncio.sleep(0);
    outer.cancel();
    yield* asyncio.sleep(0);
    yield* asyncio.sleep(0);
    assert.equal(swallowed, 1);
    assert.equal(outer.done(), false);
    outer.cancel();
    yield* asyncio.wait([outer]);
    assert.equal(inner.cancelled(), true);
    assert.equal(outer.cancelled(), true);
  });
});

test("CancelledError messages: cancel(msg) reaches the coroutine and result(); gather reports the child's cancellation", async () => {
  await run(function* () {
    const t = asyncio.createTask(asyncio.sleep(10));
    yield* asyncio.sleep(0);
    t.cancel("my message");
    yield* asyncio.wait([t]);
    assert.throws(() => t.result(), isCancelled("my message"));
    const child = asyncio.createTask(asyncio.sleep(10));
    const g = asyncio.gather(child, { returnExceptions: true });
    yield* asyncio.sleep(0);
    child.cancel("child msg");
    // As in CPython: the child's own cancellation message is not kept once its coroutine let the error out.
    const [res] = yield* g;
    assert.ok(isCancelled("")(res));
  });
});

test("a cancel() that arrives after the awaited future was cancelled delivers that future's CancelledError", async () => {
  await run(function* () {
    const f = asyncio.getRunningLoop().createFuture();
    const t = asyncio.createTask((function* () {
      try {
        yield* f;
        return "not cancelled";
      } catch (e) {
        return e instanceof CancelledError ? `CancelledError('${e.message}')` : String(e);
      }
    })());
    yield* asyncio.sleep(0);
    f.cancel("ext");
    assert.equal(t.cancel("mine"), true);
    assert.equal(yield* t, "CancelledError('ext')");
    assert.equal(t.cancelling(), 1);
  });
});

// ---- eager tasks --------------------------------------------------------------

test("eagerTaskFactory: the first step runs synchronously inside createTask", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    loop.setTaskFactory(asyncio.eagerTaskFactory);
    const log: string[] = [];
    const outer = asyncio.currentTask();
    const t = loop.createTask((function* () {
      log.push("step1");
      yield* asyncio.sleep(0);
      log.push("step2");
      return 1;
    })(), { name: "eager" });
    log.push("after createTask");
    assert.equal(asyncio.currentTask(), outer);
    assert.equal(t.getName(), "eager");
    assert.ok(asyncio.allTasks().has(t));
    assert.equal(yield* t, 1);
    assert.deepEqual(log, ["step1", "after createTask", "step2"]);

    // A coroutine that never suspends is done when createTask returns.
    const quick = loop.createTask((function* () {
      return "now";
    })());
    assert.equal(quick.done(), true);
    assert.equal(quick.result(), "now");
    assert.equal(quick.getCoro(), null);
    assert.equal(asyncio.allTasks().has(quick), false);
    loop.setTaskFactory(null);
  });
});

test("eager tasks see themselves as the current task during their first step", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    loop.setTaskFactory(asyncio.eagerTaskFactory);
    let seen: unknown = null;
    const holder: { t?: Task<unknown> } = {};
    holder.t = loop.createTask((function* () {
      seen = asyncio.currentTask();
      yield* asyncio.sleep(0);
    })());
    assert.equal(seen, holder.t);
    yield* holder.t;
    loop.setTaskFactory(null);
  });
});

// ---- stacks -------------------------------------------------------------------

test("getStack/printStack: a failed task shows its exception's traceback; a pending one without debug has no stack", async () => {
  await run(function* () {
    const failing = asyncio.createTask((function* () {
      throw new ValueError("oops");
    })());
    yield* asyncio.wait([failing]);
    const frames = failing.getStack();
    assert.ok(frames.length > 0);
    assert.ok(frames.some((f) => f.includes("tasks.test.ts")));
    assert.equal(failing.getStack({ limit: 1 }).length, 1);
    let out = "";
    failing.printStack({ file: { write: (s: string) => (out += s) } });
    assert.match(out, /^Traceback for <Task finished .*\(most recent call last\):\n/);
    assert.match(out, /ValueError: oops\n$/);

    const pending = asyncio.createTask(asyncio.sleep(10));
    yield* asyncio.sleep(0);
    assert.deepEqual(pending.getStack(), []);
    out = "";
    pending.printStack({ file: { write: (s: string) => (out += s) } });
    assert.match(out, /^No stack for <Task pending/);
    pending.cancel();
  });
});

test("getStack in debug mode: where a pending task is suspended", async () => {
  await run(function* () {
    function* waitsHere(): Coroutine<void> {
      yield* asyncio.sleep(10);
    }
    const t = asyncio.createTask(waitsHere());
    yield* asyncio.sleep(0);
    const frames = t.getStack();
    assert.ok(frames.length > 0);
    assert.match(frames[0]!, /waitsHere .*tasks\.test\.ts/);
    let out = "";
    t.printStack({ file: { write: (s: string) => (out += s) } });
    assert.match(out, /^Stack for <Task pending/);
    t.cancel();
  }, { debug: true });
});

// ---- gather -------------------------------------------------------------------

test("gather: results in argument order, whatever the completion order; accepts coroutines, futures, promises", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const f = loop.createFuture<string>();
    loop.callLater(2, () => f.setResult("fut"));
    const res = yield* asyncio.gather(asyncio.sleep(3, "slow"), asyncio.sleep(1, "fast"), f, Promise.resolve("promise"));
    assert.deepEqual(res, ["slow", "fast", "fut", "promise"]);
  });
});

test("gather: the empty gather is []; duplicates are awaited once and reported twice", async () => {
  await run(function* () {
    assert.deepEqual(yield* asyncio.gather(), []);
    let runs = 0;
    const coro = (function* () {
      runs++;
      yield* asyncio.sleep(1);
      return "x";
    })();
    const t = asyncio.createTask(asyncio.sleep(1, "t"));
    assert.deepEqual(yield* asyncio.gather(coro, coro, t, t), ["x", "x", "t", "t"]);
    assert.equal(runs, 1);
  });
});

test("gather: the first exception fails the outer future; the other children keep running", async () => {
  await run(function* () {
    const slow = asyncio.createTask(asyncio.sleep(5, "slow"));
    try {
      yield* asyncio.gather(slow, (function* () {
        yield* asyncio.sleep(1);
        throw new ValueError("first");
      })());
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof ValueError);
    }
    assert.equal(slow.done(), false);
    assert.equal(yield* slow, "slow");
  });
});

test("gather({ returnExceptions: true }): exceptions and cancellations become results", async () => {
  await run(function* () {
    const cancelled = asyncio.createTask(asyncio.sleep(10));
    asyncio.getRunningLoop().callLater(1, () => cancelled.cancel());
    const res = yield* asyncio.gather(
      asyncio.sleep(2, "ok"),
      (function* () {
        throw new ValueError("v");
      })(),
      cancelled,
      { returnExceptions: true },
    );
    assert.equal(res[0], "ok");
    assert.ok(res[1] instanceof ValueError);
    assert.ok(res[2] instanceof CancelledError);
  });
});

test("gather: a cancelled child fails the outer future with CancelledError", async () => {
  await run(function* () {
    const child = asyncio.createTask(asyncio.sleep(10));
    const other = asyncio.createTask(asyncio.sleep(20));
    const g = asyncio.gather(child, other);
    yield* asyncio.sleep(0);
    child.cancel();
    try {
      yield* g;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof CancelledError);
    }
    assert.equal(g.cancelled(), false);
    assert.equal(other.done(), false);
    other.cancel();
  });
});

test("gather: cancel() of the outer future cancels every child; it is false once done", async () => {
  await run(function* () {
    const a = asyncio.createTask(asyncio.sleep(10));
    const b = asyncio.createTask(asyncio.sleep(10));
    const g = asyncio.gather(a, b, { returnExceptions: true });
    yield* asyncio.sleep(0);
    assert.equal(g.cancel("bye"), true);
    try {
      yield* g;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof CancelledError);
    }
    assert.ok(a.cancelled() && b.cancelled());
    assert.equal(g.cancel(), false);
    const done = asyncio.gather(asyncio.sleep(0));
    yield* done;
    assert.equal(done.cancel(), false);
  });
});

// ---- shield -------------------------------------------------------------------

test("shield: the outcome of the inner future passes through; a done one is returned as is", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    assert.equal(yield* asyncio.shield(asyncio.sleep(1, "v")), "v");
    const err = loop.createFuture();
    loop.callSoon(() => err.setException(new ValueError("e")));
    try {
      yield* asyncio.shield(err);
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof ValueError);
    }
    const inner = loop.createFuture();
    const outer = asyncio.shield(inner);
    inner.cancel();
    try {
      yield* outer;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof CancelledError);
    }
    const done = loop.createFuture();
    done.setResult(1);
    assert.equal(asyncio.shield(done), done);
  });
});

test("shield: cancelling the outer future leaves the inner one running", async () => {
  await run(function* () {
    const inner = asyncio.createTask(asyncio.sleep(2, "inner"));
    const outer = asyncio.shield(inner);
    assert.equal(outer.cancel(), true);
    assert.equal(inner.cancelled(), false);
    assert.equal(yield* inner, "inner");
  });
});

// ---- waitFor -------------------------------------------------------------------

test("waitFor: the result when in time; TimeoutError and the inner cancelled when late", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    assert.equal(yield* asyncio.waitFor(asyncio.sleep(1, "in time"), 2), "in time");
    const slow = asyncio.createTask(asyncio.sleep(3600));
    const t0 = loop.time();
    try {
      yield* asyncio.waitFor(slow, 5);
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
      assert.ok(e instanceof asyncio.OSError);
    }
    assert.equal(slow.cancelled(), true);
    assert.ok(loop.time() >= t0 + 5);
  });
});

test("waitFor with timeout null waits as long as it takes", async () => {
  await run(function* () {
    assert.equal(yield* asyncio.waitFor(asyncio.sleep(86400, "eventually"), null), "eventually");
  });
});

test("waitFor with timeout 0 (or less): a done future's result at once; a pending one is cancelled, TimeoutError", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const done = loop.createFuture<number>();
    done.setResult(7);
    assert.equal(yield* asyncio.waitFor(done, 0), 7);
    const pending = loop.createFuture();
    const t0 = loop.time();
    for (const timeout of [0, -1]) {
      const f = timeout === 0 ? pending : loop.createFuture();
      try {
        yield* asyncio.waitFor(f, timeout);
        assert.fail("not raised");
      } catch (e) {
        assert.ok(e instanceof TimeoutError);
      }
      assert.equal(f.cancelled(), true);
    }
    assert.equal(loop.time(), t0);
    // A coroutine with timeout 0 becomes a task that is cancelled before it runs.
    let ran = false;
    try {
      yield* asyncio.waitFor((function* () {
        ran = true;
      })(), 0);
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
    }
    assert.equal(ran, false);
  });
});

test("waitFor: an inner task that swallows the cancellation and returns gives its result", async () => {
  await run(function* () {
    const inner = asyncio.createTask((function* () {
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        if (e instanceof CancelledError) return "late but fine";
        throw e;
      }
      return "never";
    })());
    assert.equal(yield* asyncio.waitFor(inner, 1), "late but fine");
  });
});

test("waitFor: the inner exception propagates", async () => {
  await run(function* () {
    try {
      yield* asyncio.waitFor((function* () {
        yield* asyncio.sleep(1);
        throw new ValueError("inner");
      })(), 10);
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof ValueError);
    }
  });
});

// ---- wait -----------------------------------------------------------------------

test("wait: ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, and a timeout", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const mk = (d: number, fail = false): Task<string> => asyncio.createTask((function* () {
      yield* asyncio.sleep(d);
      if (fail) throw new ValueError(String(d));
      return String(d);
    })());

    let [done, pending] = yield* asyncio.wait([mk(1), mk(2)]);
    assert.equal(done.size, 2);
    assert.equal(pending.size, 0);

    const a = mk(1);
    const b = mk(5);
    [done, pending] = yield* asyncio.wait([a, b], { returnWhen: asyncio.FIRST_COMPLETED });
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...pending], [b]);

    const c = mk(2, true);
    const d = mk(1);
    const e = mk(10);
    [done, pending] = yield* asyncio.wait([c, d, e], { returnWhen: asyncio.FIRST_EXCEPTION });
    assert.deepEqual(new Set(done), new Set([c, d]));
    assert.deepEqual([...pending], [e]);

    // FIRST_EXCEPTION without any exception waits for all.
    [done, pending] = yield* asyncio.wait([mk(1), mk(2)], { returnWhen: asyncio.FIRST_EXCEPTION });
    assert.equal(done.size, 2);

    const t0 = loop.time();
    [done, pending] = yield* asyncio.wait([e, b], { timeout: 1 });
    assert.equal(done.size + pending.size, 2);
    assert.ok(loop.time() >= t0 + 1);
    // wait() never cancels what it returns as pending.
    for (const p of pending) assert.equal(p.cancelled(), false);
    yield* asyncio.wait([e, b]);
  });
});

test("wait: duplicates collapse; already-done futures still take one iteration", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const f = loop.createFuture();
    f.setResult(1);
    const [done, pending] = yield* asyncio.wait([f, f]);
    assert.deepEqual([...done], [f]);
    assert.equal(pending.size, 0);
  });
});

test("wait: empty is ValueError, coroutines are TypeError, a bad returnWhen is ValueError", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    for (const [args, cls, re] of [
      [[[]], ValueError, /Set of Tasks\/Futures is empty/],
      [[[yieldOnce()]], TypeError, /Passing coroutines is forbidden/],
      [[[loop.createFuture()], { returnWhen: "bogus" }], ValueError, /Invalid return_when value: bogus/],
      [[loop.createFuture()], TypeError, /expect a list of futures, not Future/],
    ] as const) {
      try {
        yield* (asyncio.wait as (...a: unknown[]) => Coroutine<unknown>)(...args);
        assert.fail("not raised");
      } catch (e) {
        assert.ok(e instanceof cls, String(e));
        assert.match((e as Error).message, re);
      }
    }
  });
});

// ---- asCompleted ----------------------------------------------------------------

test("asCompleted yields results in completion order", async () => {
  await run(function* () {
    const order: string[] = [];
    for (const next of asyncio.asCompleted([asyncio.sleep(3, "c"), asyncio.sleep(1, "a"), asyncio.sleep(2, "b")])) {
      order.push(yield* next);
    }
    assert.deepEqual(order, ["a", "b", "c"]);
  });
});

test("asCompleted with a timeout: what is not done by then raises TimeoutError", async () => {
  await run(function* () {
    const got: string[] = [];
    const slow = asyncio.createTask(asyncio.sleep(100, "slow"));
    for (const next of asyncio.asCompleted([asyncio.sleep(1, "fast"), slow], { timeout: 10 })) {
      try {
        got.push(yield* next);
      } catch (e) {
        got.push(e instanceof TimeoutError ? "timeout" : String(e));
      }
    }
    assert.deepEqual(got, ["fast", "timeout"]);
    assert.equal(slow.done(), false);
    slow.cancel();
  });
});

test("asCompleted: exceptions come out of the awaited item; a single future is refused (TypeError)", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const it = asyncio.asCompleted([(function* () {
      yield* asyncio.sleep(1);
      throw new ValueError("x");
    })()]);
    for (const next of it) {
      try {
        yield* next;
        assert.fail("not raised");
      } catch (e) {
        assert.ok(e instanceof ValueError);
      }
    }
    assert.throws(() => asyncio.asCompleted(loop.createFuture() as unknown as Future<unknown>[]).next(), TypeError);
  });
});

// ---- sleep ----------------------------------------------------------------------

test("sleep: returns its result after the delay; NaN is ValueError; sleep(0) yields exactly once", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const t0 = loop.time();
    assert.equal(yield* asyncio.sleep(2.5, "r"), "r");
    assert.ok(loop.time() >= t0 + 2.5);
    try {
      yield* asyncio.sleep(NaN);
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof ValueError);
    }
    const log: string[] = [];
    loop.callSoon(() => log.push("callback"));
    log.push("before");
    yield* asyncio.sleep(0);
    log.push("after");
    assert.deepEqual(log, ["before", "callback", "after"]);
  });
});

test("awaiting coroutines and Futures from async functions (they become tasks of the running loop)", async () => {
  const r = await run(function* () {
    return yield* asyncio.ensureFuture((async () => {
      const a = await asyncio.sleep(1, "a");
      const fut = asyncio.getRunningLoop().createFuture<string>();
      asyncio.getRunningLoop().callLater(1, () => fut.setResult("b"));
      const b = await fut;
      const c = await asyncio.gather(asyncio.sleep(1, "c"));
      return [a, b, ...c];
    })());
  });
  assert.deepEqual(r, ["a", "b", "c"]);
});
