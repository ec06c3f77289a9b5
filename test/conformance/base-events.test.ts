// Conformance: the loop core as CPython 3.12's test_base_events.py and the
// callback/timer parts of test_events.py check it: ready-queue order, timers,
// stop/close/run semantics, one running loop, policies, exception handlers,
// debug mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { RuntimeError, ValueError } from "../../src/index.js";
import type { LogRecord } from "../../src/core/log.js";

const { VirtualTimeLoop } = asyncio.testing;

/** Runs one loop iteration (the `stop(); runForever()` idiom: stop before run means one iteration). */
async function runOnce(loop: asyncio.AbstractEventLoop): Promise<void> {
  loop.stop();
  await loop.runForever();
}

/** Calls `body` with a loop, closing it afterwards. */
async function withLoop<T, L extends asyncio.BaseEventLoop = asyncio.BaseEventLoop>(
  body: (loop: L) => T | Promise<T>,
  make: () => L = () => new VirtualTimeLoop() as unknown as L,
): Promise<T> {
  const loop = make();
  // Reprs are checked exactly; debug mode (TSYNCIO_DEBUG) would add creation sites.
  loop.setDebug(false);
  try {
    return await body(loop);
  } finally {
    if (loop.isRunning()) loop.stop();
    else loop.close();
  }
}

/** Collects what the asyncio logger emits while `body` runs. */
async function captureLog<T>(body: () => T | Promise<T>): Promise<[T, LogRecord[]]> {
  const records: LogRecord[] = [];
  asyncio.logger.setSink((r) => records.push(r));
  try {
    return [await body(), records];
  } finally {
    asyncio.logger.setSink(null);
  }
}

const realLoop = (): asyncio.BaseEventLoop => new asyncio.SelectorEventLoop();

// ---- ready queue ------------------------------------------------------------

test("callSoon runs callbacks in FIFO order with their arguments", () =>
  withLoop(async (loop) => {
    const seen: unknown[] = [];
    for (let i = 0; i < 50; i++) loop.callSoon((a: number, b: string) => seen.push(`${a}${b}`), i, "x");
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => `${i}x`));
  }));

test("an iteration runs only what was ready when it began; callbacks it schedules wait for the next one", () =>
  withLoop(async (loop) => {
    const seen: string[] = [];
    loop.callSoon(() => {
      seen.push("a");
      loop.callSoon(() => seen.push("c"));
    });
    loop.callSoon(() => seen.push("b"));
    await runOnce(loop);
    assert.deepEqual(seen, ["a", "b"]);
    await runOnce(loop);
    assert.deepEqual(seen, ["a", "b", "c"]);
  }));

test("Handle: cancel() prevents the call, cancelled(), repr", () =>
  withLoop(async (loop) => {
    let called = false;
    function cb(_n: number, _s: string): void {
      called = true;
    }
    const h = loop.callSoon(cb, 1, "two");
    assert.ok(h instanceof asyncio.Handle);
    assert.equal(String(h), "<Handle cb(1, 'two')>");
    assert.equal(h.cancelled(), false);
    h.cancel();
    h.cancel();
    assert.equal(h.cancelled(), true);
    assert.equal(String(h), "<Handle cancelled>");
    await runOnce(loop);
    assert.equal(called, false);
  }));

test("callSoon refuses non-callables and generator functions in debug mode (TypeError)", () =>
  withLoop((loop) => {
    loop.setDebug(true);
    assert.throws(() => loop.callSoon(42 as unknown as () => void), TypeError);
    assert.throws(() => loop.callSoon(function* () {} as unknown as () => void), /coroutines cannot be used with callSoon\(\)/);
    assert.throws(() => loop.callLater(1, "x" as unknown as () => void), TypeError);
  }));

// ---- timers -----------------------------------------------------------------

test("timers fire in (when, sequence) order; equal deadlines keep scheduling order", () =>
  withLoop(async (loop) => {
    const seen: string[] = [];
    loop.callLater(3, () => seen.push("c"));
    loop.callLater(1, () => seen.push("a1"));
    loop.callAt(loop.time() + 2, () => seen.push("b"));
    loop.callLater(1, () => seen.push("a2"));
    loop.callLater(1, () => seen.push("a3"));
    loop.callLater(4, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(seen, ["a1", "a2", "a3", "b", "c"]);
    assert.equal(loop.time(), 4);
  }));

test("a timer never fires before its deadline (real clock)", () =>
  withLoop(async (loop) => {
    const late: boolean[] = [];
    const delays = [0.001, 0.005, 0.01, 0.02, 0.003, 0.015];
    let n = 0;
    for (const d of delays) {
      const h: asyncio.TimerHandle = loop.callLater(d, () => {
        late.push(loop.time() >= h.when());
        if (++n === delays.length) loop.stop();
      });
    }
    const when = loop.time() + 0.012;
    loop.callAt(when, () => late.push(loop.time() >= when));
    await loop.runForever();
    assert.equal(late.length, delays.length + 1);
    assert.ok(late.every((x) => x));
  }, realLoop));

test("a timer never fires before its deadline (virtual clock)", () =>
  withLoop(async (loop) => {
    const ok: boolean[] = [];
    for (const d of [5, 0.5, 3600, 1e-9, 2]) {
      const h: asyncio.TimerHandle = loop.callLater(d, () => ok.push(loop.time() >= h.when()));
    }
    loop.callLater(3601, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(ok, [true, true, true, true, true]);
  }));

test("callLater with zero or negative delay runs on a later iteration, after callSoon callbacks", () =>
  withLoop(async (loop) => {
    const seen: string[] = [];
    loop.callLater(-1, () => seen.push("neg"));
    loop.callLater(0, () => seen.push("zero"));
    loop.callSoon(() => seen.push("soon"));
    loop.callLater(0.001, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(seen, ["soon", "neg", "zero"]);
  }));

test("callLater/callAt: when() is the absolute deadline; bad delay types raise TypeError", () =>
  withLoop((loop) => {
    const t0 = loop.time();
    const h = loop.callLater(10, () => {});
    assert.ok(h instanceof asyncio.TimerHandle);
    assert.equal(h.when(), t0 + 10);
    const h2 = loop.callAt(123.5, () => {});
    assert.equal(h2.when(), 123.5);
    assert.throws(() => loop.callLater(null as unknown as number, () => {}), TypeError);
    assert.throws(() => loop.callLater("1" as unknown as number, () => {}), TypeError);
    assert.throws(() => loop.callAt(undefined as unknown as number, () => {}), TypeError);
    h.cancel();
    assert.equal(h.cancelled(), true);
  }));

test("callLater(NaN)/callAt(NaN) raise ValueError and leave the timer heap intact: a later sleep wakes on time", () =>
  withLoop(async (loop) => {
    assert.throws(() => loop.callLater(NaN, () => {}), (e: unknown) => e instanceof ValueError && /NaN/.test(String(e)));
    assert.throws(() => loop.callAt(NaN, () => {}), (e: unknown) => e instanceof ValueError && /NaN/.test(String(e)));
    assert.equal(loop._scheduled.length, 0);
    // A NaN entry at the head of the heap used to hide every later timer:
    // this sleep then waited for an unrelated timer (none here: forever).
    const done = await loop.runUntilComplete(asyncio.waitFor(asyncio.sleep(0.01, "woke"), 5));
    assert.equal(done, "woke");
  }, realLoop));

test("debug mode: a timer scheduled a day or more ahead logs a warning that delays are seconds; shorter ones do not", () =>
  withLoop(async (loop) => {
    loop.setDebug(true);
    assert.equal(loop.longDelayWarning, 86400);
    const [, records] = await captureLog(async () => {
      loop.callLater(100000, () => {}).cancel();
      loop.callLater(3600, () => {}).cancel();
      await loop.runUntilComplete(asyncio.waitFor(asyncio.sleep(0), 90000));
    });
    const warnings = records.filter((r) => r.levelName === "WARNING").map((r) => r.message);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^A timer was scheduled 100000 seconds \(1\.2 days\) ahead: .*in seconds, as in Python, not milliseconds; if 100000 meant milliseconds, pass 100 instead/);
    assert.match(warnings[1]!, /90000 seconds .*pass 90 instead/);
    loop.longDelayWarning = 1000;
    const [, lower] = await captureLog(() => loop.callLater(2000, () => {}).cancel());
    assert.match(lower[0]!.message, /pass 2 instead/);
    loop.longDelayWarning = Infinity;
    const [, none] = await captureLog(() => loop.callLater(500000, () => {}).cancel());
    assert.equal(none.length, 0);
  }));

test("no long-delay warning outside debug mode", () =>
  withLoop(async (loop) => {
    const [, records] = await captureLog(() => loop.callLater(100000, () => {}).cancel());
    assert.equal(records.length, 0);
  }));

test("cancelled timers do not run and are purged (head at once, the rest when they dominate)", () =>
  withLoop(async (loop) => {
    const cb = (): void => assert.fail("cancelled timer ran");
    loop.callLater(3000, () => {});
    for (let i = 0; i < 2; i++) loop.callLater(3600, cb).cancel();
    for (let i = 0; i < 2; i++) loop.callLater(100, cb).cancel();
    assert.equal(loop._timerCancelledCount, 4);
    await runOnce(loop);
    // The two at the head are gone; the two behind the live timer wait.
    assert.equal(loop._timerCancelledCount, 2);
    assert.equal(loop._scheduled.length, 3);
    for (let i = 0; i < 50; i++) loop.callLater(3600, () => {});
    for (let i = 0; i < 51; i++) loop.callLater(3600, cb).cancel();
    assert.equal(loop._scheduled.length, 104);
    await runOnce(loop);
    assert.equal(loop._scheduled.length, 51);
    assert.ok(loop._scheduled.items.every((h) => !h.cancelled()));
    assert.equal(loop._timerCancelledCount, 0);
  }));

test("time() is monotonic", () =>
  withLoop((loop) => {
    let prev = loop.time();
    for (let i = 0; i < 1000; i++) {
      const t = loop.time();
      assert.ok(t >= prev);
      prev = t;
    }
  }, realLoop));

// ---- running and stopping ---------------------------------------------------

test("stop() before runForever(): one iteration, then runForever returns", () =>
  withLoop(async (loop) => {
    const seen: string[] = [];
    loop.callSoon(() => {
      seen.push("first");
      loop.callSoon(() => seen.push("second"));
    });
    loop.callLater(0, () => seen.push("timer-due"));
    loop.stop();
    await loop.runForever();
    assert.deepEqual(seen, ["first", "timer-due"]);
    assert.equal(loop.isRunning(), false);
  }));

test("stop() during a batch: the batch finishes; what it schedules waits for the next run", () =>
  withLoop(async (loop) => {
    const seen: string[] = [];
    loop.callSoon(() => {
      seen.push("a");
      loop.stop();
      loop.callSoon(() => seen.push("later"));
    });
    loop.callSoon(() => seen.push("b"));
    await loop.runForever();
    assert.deepEqual(seen, ["a", "b"]);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    assert.deepEqual(seen, ["a", "b", "later"]);
  }));

test("runForever can be run again after it returned; isRunning follows it", () =>
  withLoop(async (loop) => {
    const states: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      loop.callSoon(() => {
        states.push(loop.isRunning());
        loop.stop();
      });
      await loop.runForever();
      states.push(loop.isRunning());
    }
    assert.deepEqual(states, [true, false, true, false, true, false]);
  }));

test("runUntilComplete: result, exception, a future of another loop (ValueError), non-awaitable (TypeError)", () =>
  withLoop(async (loop) => {
    assert.equal(await loop.runUntilComplete((function* () { return 3; })()), 3);
    await assert.rejects(loop.runUntilComplete((function* () { throw new ValueError("x"); })()), ValueError);
    const f = loop.createFuture<string>();
    loop.callLater(1, () => f.setResult("late"));
    assert.equal(await loop.runUntilComplete(f), "late");
    const other = new VirtualTimeLoop();
    try {
      await assert.rejects(async () => loop.runUntilComplete(other.createFuture()), ValueError);
    } finally {
      other.close();
    }
    await assert.rejects(async () => loop.runUntilComplete(42 as unknown as asyncio.Future<number>), TypeError);
  }));

test("runUntilComplete: the loop stopped before the future completed is RuntimeError", () =>
  withLoop(async (loop) => {
    const f = loop.createFuture();
    loop.callSoon(() => loop.stop());
    await assert.rejects(loop.runUntilComplete(f), (e: unknown) =>
      e instanceof RuntimeError && e.message === "Event loop stopped before Future completed.");
  }));

test("runUntilComplete accepts a promise", () =>
  withLoop(async (loop) => {
    assert.equal(await loop.runUntilComplete(new Promise<number>((r) => setTimeout(() => r(9), 1))), 9);
  }, realLoop));

test("callSoonThreadsafe from a Node callback wakes an idle loop", () =>
  withLoop(async (loop) => {
    const t = setTimeout(() => loop.callSoonThreadsafe(() => loop.stop()), 5);
    await loop.runForever();
    clearTimeout(t);
    assert.equal(loop.isRunning(), false);
  }, realLoop));

// ---- close ------------------------------------------------------------------

test("close(): idempotent, discards pending callbacks, closed loop refuses work (RuntimeError)", async () => {
  const loop = new VirtualTimeLoop();
  let ran = false;
  loop.callSoon(() => (ran = true));
  loop.callLater(1, () => (ran = true));
  assert.equal(loop.isClosed(), false);
  loop.close();
  assert.equal(loop.isClosed(), true);
  loop.close();
  assert.equal(loop._ready.length, 0);
  assert.equal(loop._scheduled.length, 0);
  const closed = (e: unknown): boolean => e instanceof RuntimeError && e.message === "Event loop is closed";
  assert.throws(() => loop.callSoon(() => {}), closed);
  assert.throws(() => loop.callSoonThreadsafe(() => {}), closed);
  assert.throws(() => loop.callLater(1, () => {}), closed);
  assert.throws(() => loop.callAt(1, () => {}), closed);
  let finallyRan = false;
  const coro = (function* () {
    try {
      yield* asyncio.sleep(1);
    } finally {
      finallyRan = true;
    }
  })();
  assert.throws(() => loop.createTask(coro), closed);
  await assert.rejects(async () => loop.runForever(), closed);
  await assert.rejects(async () => loop.runUntilComplete(loop.createFuture()), closed);
  assert.equal(ran, false);
  assert.equal(finallyRan, false);
});

test("close() while running is RuntimeError", () =>
  withLoop(async (loop) => {
    let err: unknown = null;
    loop.callSoon(() => {
      try {
        loop.close();
      } catch (e) {
        err = e;
      }
      loop.stop();
    });
    await loop.runForever();
    assert.ok(err instanceof RuntimeError);
    assert.equal((err as Error).message, "Cannot close a running event loop");
    assert.equal(loop.isClosed(), false);
  }));

// ---- one running loop -------------------------------------------------------

test("one loop at a time: running it twice, or a second loop, is RuntimeError", () =>
  withLoop(async (loop) => {
    const other = new VirtualTimeLoop();
    const errors: unknown[] = [];
    loop.callSoon(() => {
      for (const f of [() => loop.runForever(), () => loop.runUntilComplete(loop.createFuture()), () => other.runForever()]) {
        try {
          void f();
          errors.push(null);
        } catch (e) {
          errors.push(e instanceof RuntimeError ? e.message : e);
        }
      }
      loop.stop();
    });
    await loop.runForever();
    other.close();
    assert.deepEqual(errors, [
      "This event loop is already running",
      "This event loop is already running",
      "Cannot run the event loop while another loop is running",
    ]);
  }));

test("run() and Runner.run() from a running loop are RuntimeError", () =>
  withLoop(async (loop) => {
    // The async function must start while the loop runs, so a task calls it.
    const results = await loop.runUntilComplete((function* () {
      return yield* asyncio.ensureFuture(check());
    })());
    async function check(): Promise<string[]> {
      const out: string[] = [];
      for (const f of [() => asyncio.run((function* () {})()), () => new asyncio.Runner().run((function* () {})())]) {
        try {
          await f();
        } catch (e) {
          out.push(e instanceof RuntimeError ? e.message : String(e));
        }
      }
      return out;
    }
    assert.deepEqual(results, [
      "asyncio.run() cannot be called from a running event loop",
      "Runner.run() cannot be called from a running event loop",
    ]);
  }));

test("getRunningLoop: RuntimeError outside a loop, the loop inside its callbacks", () =>
  withLoop(async (loop) => {
    assert.throws(() => asyncio.getRunningLoop(), (e: unknown) => e instanceof RuntimeError && e.message === "no running event loop");
    assert.equal(asyncio._getRunningLoop(), null);
    let inside: unknown = null;
    loop.callSoon(() => {
      inside = asyncio.getRunningLoop();
      loop.stop();
    });
    await loop.runForever();
    assert.equal(inside, loop);
    assert.equal(asyncio._getRunningLoop(), null);
    assert.throws(() => asyncio.getRunningLoop(), RuntimeError);
  }));

// ---- policies ---------------------------------------------------------------

test("policies: default, custom, reset; getEventLoop/setEventLoop/newEventLoop go through the policy", () =>
  withLoop(async (loop) => {
    try {
      assert.ok(asyncio.getEventLoopPolicy() instanceof asyncio.DefaultEventLoopPolicy);
      assert.throws(() => asyncio.setEventLoopPolicy({} as asyncio.AbstractEventLoopPolicy), TypeError);

      const made: asyncio.AbstractEventLoop[] = [];
      class Policy extends asyncio.DefaultEventLoopPolicy {
        override newEventLoop(): asyncio.AbstractEventLoop {
          const l = new VirtualTimeLoop();
          made.push(l);
          return l;
        }
      }
      const policy = new Policy();
      asyncio.setEventLoopPolicy(policy);
      assert.equal(asyncio.getEventLoopPolicy(), policy);
      const l1 = asyncio.newEventLoop();
      assert.deepEqual(made, [l1]);
      asyncio.setEventLoop(l1);
      assert.equal(asyncio.getEventLoop(), l1);
      // While a loop runs, getEventLoop() returns it whatever the policy holds.
      let seen: unknown = null;
      loop.callSoon(() => {
        seen = asyncio.getEventLoop();
        loop.stop();
      });
      await loop.runForever();
      assert.equal(seen, loop);
      assert.throws(() => asyncio.setEventLoop(42 as unknown as asyncio.AbstractEventLoop), TypeError);
      asyncio.setEventLoop(null);
      assert.throws(() => asyncio.getEventLoop(), RuntimeError);
      l1.close();
      // run() uses the policy's newEventLoop when no loopFactory is given.
      await asyncio.run((function* () {})());
      assert.equal(made.length, 2);
      assert.equal(made[1]!.isClosed(), true);
    } finally {
      asyncio.setEventLoopPolicy(null);
    }
    assert.ok(asyncio.getEventLoopPolicy() instanceof asyncio.DefaultEventLoopPolicy);
  }));

// ---- exception handlers -------------------------------------------------------

test("an exception in a callback goes to the default handler, which logs it with Python's message", () =>
  withLoop(async (loop) => {
    function zeroError(): void {
      throw new ValueError("division by zero");
    }
    const [, records] = await captureLog(async () => {
      loop.callSoon(zeroError);
      loop.callLater(0.01, zeroError);
      loop.callLater(0.02, () => loop.stop());
      await loop.runForever();
    });
    assert.equal(records.length, 2);
    for (const r of records) {
      assert.equal(r.levelName, "ERROR");
      assert.match(r.message, /^Exception in callback zeroError\(\)/);
      assert.match(r.message, /handle: <(Timer)?Handle /);
      assert.ok(r.exception instanceof ValueError);
    }
  }));

test("setExceptionHandler: custom handler gets (loop, context); null restores the default; non-callable is TypeError", () =>
  withLoop(async (loop) => {
    assert.equal(loop.getExceptionHandler(), null);
    assert.throws(() => loop.setExceptionHandler("spam" as unknown as asyncio.ExceptionHandler), /A callable object or None is expected/);
    const calls: [asyncio.AbstractEventLoop, asyncio.ExceptionContext][] = [];
    const handler: asyncio.ExceptionHandler = (l, c) => void calls.push([l, c]);
    loop.setExceptionHandler(handler);
    assert.equal(loop.getExceptionHandler(), handler);
    const err = new ValueError("x");
    function failing(): void {
      throw err;
    }
    const h = loop.callSoon(failing);
    await runOnce(loop);
    assert.equal(calls.length, 1);
    const [l, ctx] = calls[0]!;
    assert.equal(l, loop);
    assert.deepEqual(Object.keys(ctx).sort(), ["exception", "handle", "message"]);
    assert.equal(ctx.exception, err);
    assert.equal(ctx.handle, h);
    assert.match(ctx.message, /^Exception in callback failing\(\)/);

    loop.setExceptionHandler(null);
    const [, records] = await captureLog(async () => {
      loop.callSoon(failing);
      await runOnce(loop);
    });
    assert.equal(calls.length, 1);
    assert.equal(records.length, 1);
  }));

test("a handler that raises: the default handler logs 'Unhandled error in exception handler' with the original context", () =>
  withLoop(async (loop) => {
    loop.setExceptionHandler(() => {
      throw new TypeError("spam");
    });
    const [, records] = await captureLog(async () => {
      loop.callSoon(() => {
        throw new ValueError("orig");
      });
      await runOnce(loop);
    });
    assert.equal(records.length, 1);
    assert.match(records[0]!.message, /^Unhandled error in exception handler/);
    assert.match(records[0]!.message, /context: /);
    assert.ok(records[0]!.exception instanceof TypeError);
  }));

test("a broken defaultExceptionHandler is guarded (Python's two fallback messages)", async () => {
  let lastContext: asyncio.ExceptionContext | null = null;
  class Loop extends VirtualTimeLoop {
    override defaultExceptionHandler(context: asyncio.ExceptionContext): void {
      lastContext = context;
      throw new ValueError("spam");
    }
  }
  await withLoop(async (loop) => {
    const [, r1] = await captureLog(async () => {
      loop.callSoon(() => {
        throw new RangeError("zero");
      });
      await runOnce(loop);
    });
    assert.deepEqual(r1.map((r) => r.message), ["Exception in default exception handler"]);
    loop.setExceptionHandler(() => {
      throw new ValueError("ham");
    });
    const [, r2] = await captureLog(async () => {
      loop.callSoon(() => {
        throw new RangeError("zero");
      });
      await runOnce(loop);
    });
    assert.equal(r2.length, 1);
    assert.match(r2[0]!.message, /Exception in default exception handler while handling an unexpected error in custom exception handler/);
    const inner = (lastContext as asyncio.ExceptionContext | null)?.context as asyncio.ExceptionContext;
    assert.ok(inner.exception instanceof RangeError);
  }, () => new Loop());
});

test("callExceptionHandler / defaultExceptionHandler: message default, keys sorted, values repr'd", () =>
  withLoop(async (loop) => {
    const [, records] = await captureLog(() => {
      loop.callExceptionHandler({ message: "", exception: new ValueError("v"), zeta: 1, alpha: "a" });
      loop.defaultExceptionHandler({ message: "plain" });
    });
    assert.equal(records[0]!.message, "Unhandled exception in event loop\nalpha: 'a'\nzeta: 1");
    assert.ok(records[0]!.exception instanceof ValueError);
    assert.equal(records[1]!.message, "plain");
    assert.equal(records[1]!.exception, undefined);
  }));

test("the custom handler runs inside the context of the task, future or handle concerned", () =>
  withLoop(async (loop) => {
    const v = new asyncio.ContextVar<string>("v", { default: "outer" });
    const seen: string[] = [];
    loop.setExceptionHandler((_l, ctx) => void seen.push(`${ctx.message}:${v.get()}`));
    const ctx = new asyncio.Context();
    ctx.run(() => v.set("handle-ctx"));
    loop.callSoon(asyncio.inContext(ctx, () => {
      throw new ValueError();
    }));
    await runOnce(loop);
    const taskCtx = new asyncio.Context();
    taskCtx.run(() => v.set("task-ctx"));
    const t = loop.createTask((function* () {})(), { context: taskCtx });
    loop.callExceptionHandler({ message: "about-task", task: t });
    await loop.runUntilComplete(t);
    assert.equal(seen.length, 2);
    assert.match(seen[0]!, /^Exception in callback .*:handle-ctx$/);
    assert.equal(seen[1], "about-task:task-ctx");
  }));

// ---- task factory -------------------------------------------------------------

test("setTaskFactory: invalid is TypeError; a factory receives (loop, coro[, {context}]); names are set afterwards", () =>
  withLoop(async (loop) => {
    assert.throws(() => loop.setTaskFactory(1 as unknown as asyncio.TaskFactory), /task factory must be a callable or None/);
    assert.equal(loop.getTaskFactory(), null);
    class MyTask<T> extends asyncio.Task<T> {}
    const calls: unknown[] = [];
    const factory: asyncio.TaskFactory = (l, coro, opts) => {
      calls.push(opts === undefined ? "no-opts" : Object.keys(opts));
      return new MyTask(coro, { loop: l, context: opts?.context ?? null });
    };
    loop.setTaskFactory(factory);
    assert.equal(loop.getTaskFactory(), factory);
    const t = loop.createTask((function* () { return 1; })(), { name: "named" });
    assert.ok(t instanceof MyTask);
    assert.equal(t.getName(), "named");
    loop.createTask((function* () {})(), { context: new asyncio.Context() });
    assert.deepEqual(calls, ["no-opts", ["context"]]);
    assert.equal(await loop.runUntilComplete(t), 1);
    loop.setTaskFactory(null);
    assert.equal(loop.createTask((function* () {})()).constructor, asyncio.Task);
    await runOnce(loop);
  }));

// ---- debug mode -------------------------------------------------------------

test("debug mode: TSYNCIO_DEBUG turns it on for new loops; setDebug/getDebug", () => {
  const saved = process.env.TSYNCIO_DEBUG;
  try {
    process.env.TSYNCIO_DEBUG = "1";
    const a = new VirtualTimeLoop();
    assert.equal(a.getDebug(), true);
    a.close();
    process.env.TSYNCIO_DEBUG = "";
    const b = new VirtualTimeLoop();
    assert.equal(b.getDebug(), false);
    b.setDebug(true);
    assert.equal(b.getDebug(), true);
    b.close();
  } finally {
    if (saved === undefined) delete process.env.TSYNCIO_DEBUG;
    else process.env.TSYNCIO_DEBUG = saved;
  }
});

test("debug mode: a slow callback is logged with the handle; a fast one is not", () =>
  withLoop(async (loop) => {
    loop.setDebug(true);
    assert.equal(loop.slowCallbackDuration, 0.1);
    function slowCallback(): void {
      loop.advance(0.25);
    }
    function fastCallback(): void {}
    const [, records] = await captureLog(async () => {
      loop.callSoon(slowCallback);
      loop.callSoon(fastCallback);
      await runOnce(loop);
    });
    const warnings = records.filter((r) => r.levelName === "WARNING");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /^Executing <Handle slowCallback\(\) created at .*base-events\.test\.ts.*> took 0\.250 seconds$/);
  }, () => new VirtualTimeLoop()));

test("debug mode: a slow task step is logged with the task's repr", () =>
  withLoop(async (loop) => {
    loop.setDebug(true);
    const [, records] = await captureLog(async () => {
      const t = loop.createTask((function* slowStep() {
        loop.advance(1);
      })(), { name: "Slowpoke" });
      await loop.runUntilComplete(t);
    });
    const warnings = records.filter((r) => r.levelName === "WARNING");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /^Executing <Task .*name='Slowpoke'.*> took 1\.000 seconds$/);
  }, () => new VirtualTimeLoop()));

test("debug mode: handles and futures record where they were created; the handler gets source_traceback", () =>
  withLoop(async (loop) => {
    loop.setDebug(true);
    const contexts: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => void contexts.push(c));
    const h = loop.callSoon(function boom() {
      throw new ValueError("b");
    });
    const f = loop.createFuture();
    await runOnce(loop);
    assert.equal(contexts.length, 1);
    assert.equal(contexts[0]!.handle, h);
    assert.match(String(contexts[0]!.source_traceback), /base-events\.test\.ts/);
    assert.match(String(h), /^<Handle boom\(\) created at .*base-events\.test\.ts/);
    assert.match(String(f._sourceTraceback), /base-events\.test\.ts/);
  }));

test("debug mode: the default handler shows where the failing handle was created", () =>
  withLoop(async (loop) => {
    loop.setDebug(true);
    const [, records] = await captureLog(async () => {
      loop.callSoon(() => loop.callExceptionHandler({ message: "inside" }));
      await runOnce(loop);
    });
    assert.equal(records.length, 1);
    assert.match(records[0]!.message, /^inside\nhandle_traceback: Handle created at \(most recent call last\):\n.*base-events\.test\.ts/s);
  }));

test("debug mode: scheduling on a loop while another loop runs is refused (Python's _check_thread)", async () => {
  const other = asyncio.newEventLoop();
  other.setDebug(true);
  const loop = asyncio.newEventLoop();
  const seen: string[] = [];
  try {
    await loop.runUntilComplete((function* (): asyncio.Coroutine<void> {
      assert.throws(() => other.callSoon(() => {}), (e: unknown) =>
        e instanceof RuntimeError && /other than the current one/.test((e as Error).message));
      assert.throws(() => other.callLater(1, () => {}), RuntimeError);
      // callSoonThreadsafe is the sanctioned way to hand work to another loop.
      other.callSoonThreadsafe(() => seen.push("threadsafe"));
      yield* asyncio.sleep(0);
    })());
    other.callSoon(() => other.stop());
    await other.runForever();
    assert.deepEqual(seen, ["threadsafe"]);
  } finally {
    loop.close();
    other.close();
  }
});
