// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_tasks.py, re-created test by test.
// Each test names the CPython test it re-creates. BaseTaskTests runs in CPython once per
// C/Python Task and Future class; tsyncio has one Task and one Future, so each method is here
// once. TestLoop (a clock driven by a generator) becomes asyncio.testing's VirtualTimeLoop,
// whose clock jumps to the next timer whenever the loop would sleep: the `when` values that
// CPython's generators check are checked here as loop.time() after the fact.
// The topic-by-topic tests written before this file are in tasks.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import {
  CancelledError, InvalidStateError, KeyError, RuntimeError, TimeoutError, ValueError,
} from "../../src/index.js";
import type { Coroutine, Future, Task } from "../../src/index.js";
import { newFuture, newTask, raises, rejects, runBriefly, withLoop, type VirtualTimeLoop } from "./_c1-helpers.js";

/** A ZeroDivisionError stand-in: a distinct Error class with Python's name. */
class ZeroDivisionError extends Error {}
Object.defineProperty(ZeroDivisionError.prototype, "name", { value: "ZeroDivisionError" });

const almostEqual = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-7, `${a} !~ ${b}`);

/** get_innermost_context(): the innermost error of the `cause` chain (Python's __context__ chain). */
function innermostCause(exc: unknown): [unknown, string, number] {
  let depth = 0;
  let e = exc as { cause?: unknown; message?: string };
  while (e.cause !== undefined && e.cause !== null) {
    e = e.cause as { cause?: unknown; message?: string };
    depth += 1;
  }
  return [(e as object).constructor, e.message ?? "", depth];
}

// ---- BaseTaskTests -----------------------------------------------------------------

// test_tasks.py BaseTaskTests.test_task_cancel_message_getter
test("test_tasks.py BaseTaskTests.test_task_cancel_message_getter", () =>
  withLoop(async (loop) => {
    const t = newTask(loop, (function* coro(): Coroutine<void> {})());
    assert.equal(t._cancelMessage, null);
    t.cancel("my message");
    assert.equal(t._cancelMessage, "my message");
    const e = await rejects(CancelledError, loop.runUntilComplete(t));
    assert.equal(e.message, "my message");
  }));

// test_tasks.py BaseTaskTests.test_task_cancel_message_setter
test("test_tasks.py BaseTaskTests.test_task_cancel_message_setter", () =>
  withLoop(async (loop) => {
    const t = newTask(loop, (function* coro(): Coroutine<void> {})());
    t.cancel("my message");
    t._cancelMessage = "my new message";
    assert.equal(t._cancelMessage, "my new message");
    const e = await rejects(CancelledError, loop.runUntilComplete(t));
    assert.equal(e.message, "my new message");
  }));

// test_tasks.py BaseTaskTests.test_other_loop_future
test("test_tasks.py BaseTaskTests.test_other_loop_future", () =>
  withLoop(async (loop) => {
    const otherLoop = asyncio.newEventLoop();
    const fut = newFuture<void>(otherLoop);
    function* run(f: Future<void>): Coroutine<void> {
      yield* f;
    }
    try {
      const e = await rejects(RuntimeError, loop.runUntilComplete(run(fut)));
      assert.match(e.message, /Task .* got Future .* attached/);
    } finally {
      otherLoop.close();
    }
  }));

// test_tasks.py BaseTaskTests.test_task_awaits_on_itself
test("test_tasks.py BaseTaskTests.test_task_awaits_on_itself", () =>
  withLoop(async (loop) => {
    function* t(): Coroutine<void> {
      yield* task;
    }
    const task: Future<void> = asyncio.ensureFuture(t(), { loop });
    const e = await rejects(RuntimeError, loop.runUntilComplete(task));
    assert.match(e.message, /Task cannot await on itself/);
  }));

// test_tasks.py BaseTaskTests.test_task_class
test("test_tasks.py BaseTaskTests.test_task_class", () =>
  withLoop(async (loop) => {
    function* notmuch(): Coroutine<string> {
      return "ok";
    }
    let t = newTask(loop, notmuch());
    await loop.runUntilComplete(t);
    assert.ok(t.done());
    assert.equal(t.result(), "ok");
    assert.equal(t._loop, loop);
    assert.equal(t.getLoop(), loop);

    const loop2 = asyncio.newEventLoop();
    t = newTask(loop2, notmuch());
    assert.equal(t._loop, loop2);
    await loop2.runUntilComplete(t);
    loop2.close();
  }));

// test_tasks.py BaseTaskTests.test_ensure_future_coroutine
test("test_tasks.py BaseTaskTests.test_ensure_future_coroutine", () =>
  withLoop(async (loop) => {
    function* notmuch(): Coroutine<string> {
      return "ok";
    }
    let t = asyncio.ensureFuture(notmuch(), { loop });
    assert.equal(t.getLoop(), loop);
    await loop.runUntilComplete(t);
    assert.ok(t.done());
    assert.equal(t.result(), "ok");

    const a = notmuch();
    assert.throws(() => asyncio.ensureFuture(a), (e: unknown) => e instanceof RuntimeError && /no current event loop/.test(e.message));

    // A Future is a thenable, so the task's result travels in an array through the promise.
    [t] = await loop.runUntilComplete((function* test(): Coroutine<[Future<string>]> {
      return [asyncio.ensureFuture(notmuch())];
    })());
    assert.equal(t.getLoop(), loop);
    await loop.runUntilComplete(t);
    assert.ok(t.done());
    assert.equal(t.result(), "ok");

    asyncio.setEventLoop(loop);
    t = asyncio.ensureFuture(notmuch());
    assert.equal(t.getLoop(), loop);
    await loop.runUntilComplete(t);
    assert.ok(t.done());
    assert.equal(t.result(), "ok");
  }));

// test_tasks.py BaseTaskTests.test_ensure_future_future
test("test_tasks.py BaseTaskTests.test_ensure_future_future", () =>
  withLoop(async (loop) => {
    const fOrig = newFuture<string>(loop);
    fOrig.setResult("ko");
    let f = asyncio.ensureFuture(fOrig);
    await loop.runUntilComplete(f);
    assert.ok(f.done());
    assert.equal(f.result(), "ko");
    assert.equal(f, fOrig);

    const loop2 = asyncio.newEventLoop();
    assert.throws(() => asyncio.ensureFuture(fOrig, { loop: loop2 }), ValueError);
    loop2.close();

    f = asyncio.ensureFuture(fOrig, { loop });
    assert.equal(f, fOrig);
  }));

// test_tasks.py BaseTaskTests.test_ensure_future_task
test("test_tasks.py BaseTaskTests.test_ensure_future_task", () =>
  withLoop(async (loop) => {
    function* notmuch(): Coroutine<string> {
      return "ok";
    }
    const tOrig = newTask(loop, notmuch());
    let t = asyncio.ensureFuture(tOrig);
    await loop.runUntilComplete(t);
    assert.ok(t.done());
    assert.equal(t.result(), "ok");
    assert.equal(t, tOrig);

    const loop2 = asyncio.newEventLoop();
    assert.throws(() => asyncio.ensureFuture(tOrig, { loop: loop2 }), ValueError);
    loop2.close();

    t = asyncio.ensureFuture(tOrig, { loop });
    assert.equal(t, tOrig);
  }));

/** Python's class with __await__: in JavaScript, an awaitable that is neither Future nor coroutine is a thenable. */
// Its then() is called at once by ensureFuture, before the loop runs, so it is given the loop.
class Aw<T> implements PromiseLike<T> {
  constructor(private readonly loop: asyncio.AbstractEventLoop, private readonly make: () => Coroutine<T>) {}
  then<R1 = T, R2 = never>(ok?: ((v: T) => R1 | PromiseLike<R1>) | null, err?: ((e: unknown) => R2 | PromiseLike<R2>) | null): PromiseLike<R1 | R2> {
    return asyncio.ensureFuture(this.make(), { loop: this.loop }).then(ok, err);
  }
}

// test_tasks.py BaseTaskTests.test_ensure_future_awaitable
test("test_tasks.py BaseTaskTests.test_ensure_future_awaitable", () =>
  withLoop(async (loop) => {
    function* coro(): Coroutine<string> {
      return "ok";
    }
    const fut = asyncio.ensureFuture(new Aw(loop, coro), { loop });
    await loop.runUntilComplete(fut);
    assert.equal(fut.result(), "ok");
  }));

// test_tasks.py BaseTaskTests.test_ensure_future_task_awaitable
// An awaitable object becomes a Future fed by its then() (wrapFuture), not a Task around a
// wrapping coroutine: there is no getCoro() to check (docs/differences.md).
test("test_tasks.py BaseTaskTests.test_ensure_future_task_awaitable", () =>
  withLoop(async (loop) => {
    const task = asyncio.ensureFuture(new Aw(loop, () => asyncio.sleep(0, "ok")), { loop });
    await loop.runUntilComplete(task);
    assert.ok(task.done());
    assert.equal(task.result(), "ok");
    assert.ok(task instanceof asyncio.Future);
  }));

// test_tasks.py BaseTaskTests.test_ensure_future_neither
test("test_tasks.py BaseTaskTests.test_ensure_future_neither", () => {
  assert.throws(() => asyncio.ensureFuture("ok" as unknown as Future<string>), TypeError);
});

// test_tasks.py BaseTaskTests.test_ensure_future_error_msg
test("test_tasks.py BaseTaskTests.test_ensure_future_error_msg", () =>
  withLoop((loop) => {
    const loop2 = asyncio.newEventLoop();
    const f = newFuture(loop);
    assert.throws(() => asyncio.ensureFuture(f, { loop: loop2 }),
      (e: unknown) => e instanceof ValueError &&
        /The future belongs to a different loop than the one specified as the loop argument/.test(e.message));
    loop2.close();
  }));

// test_tasks.py BaseTaskTests.test_task_repr
// The coroutine part of the repr is tsyncio's `coro=<name()>` (no state or source location:
// docs/differences.md); the rest is CPython's.
test("test_tasks.py BaseTaskTests.test_task_repr", () =>
  withLoop(async (loop) => {
    loop.setDebug(false);
    function* notmuch(): Coroutine<string> {
      return "abc";
    }
    const gen = notmuch();
    let t = newTask(loop, gen);
    const dummy = function Dummy(): void {};
    t.addDoneCallback(dummy);
    assert.match(String(t), /^<Task pending name='TestTask' coro=<\w+\(\)> cb=\[Dummy\(\)\]>$/);
    t.cancel();
    assert.match(String(t), /^<Task cancelling name='TestTask' coro=<\w+\(\)> cb=\[Dummy\(\)\]>$/);
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.match(String(t), /^<Task cancelled name='TestTask' coro=<\w+\(\)>>$/);
    t = newTask(loop, notmuch());
    await loop.runUntilComplete(t);
    assert.match(String(t), /^<Task finished name='TestTask' coro=<\w+\(\)> result='abc'>$/);
  }));

// test_tasks.py BaseTaskTests.test_task_repr_autogenerated
test("test_tasks.py BaseTaskTests.test_task_repr_autogenerated", () =>
  withLoop(async (loop) => {
    function* notmuch(): Coroutine<number> {
      return 123;
    }
    const t1 = newTask(loop, notmuch(), null);
    const t2 = newTask(loop, notmuch(), null);
    assert.notEqual(String(t1), String(t2));
    const m1 = /^<Task pending name='Task-(\d+)'/.exec(String(t1));
    assert.ok(m1);
    const m2 = /^<Task pending name='Task-(\d+)'/.exec(String(t2));
    assert.ok(m2);
    assert.ok(Number(m1[1]) < Number(m2[1]));
    await loop.runUntilComplete(t1);
    await loop.runUntilComplete(t2);
  }));

// test_tasks.py BaseTaskTests.test_task_set_name_pylong
test("test_tasks.py BaseTaskTests.test_task_set_name_pylong", () =>
  withLoop(async (loop) => {
    function* notmuch(): Coroutine<number> {
      return 123;
    }
    const t = newTask(loop, notmuch(), 987654321 as unknown as string);
    assert.equal(t.getName(), "987654321");
    t.setName(123456789);
    assert.equal(t.getName(), "123456789");
    await loop.runUntilComplete(t);
  }));

// test_tasks.py BaseTaskTests.test_task_repr_name_not_str
// Python's set {6} prints as '{6}'; the JavaScript value's String() is the name here.
test("test_tasks.py BaseTaskTests.test_task_repr_name_not_str", () =>
  withLoop(async (loop) => {
    function* notmuch(): Coroutine<number> {
      return 123;
    }
    const t = newTask(loop, notmuch());
    t.setName({ toString: () => "{6}" });
    assert.equal(t.getName(), "{6}");
    t.setName([6]);
    assert.equal(t.getName(), "6");
    await loop.runUntilComplete(t);
  }));

// test_tasks.py BaseTaskTests.test_task_repr_wait_for
test("test_tasks.py BaseTaskTests.test_task_repr_wait_for", () =>
  withLoop(async (loop) => {
    loop.setDebug(false);
    function* waitFor(f: Future<void>): Coroutine<void> {
      return yield* f;
    }
    const fut = newFuture<void>(loop);
    const task = newTask(loop, waitFor(fut));
    await runBriefly(loop);
    const esc = String(fut).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    assert.match(String(task), new RegExp(`<Task .* wait_for=${esc}>`));
    fut.setResult(undefined);
    await loop.runUntilComplete(task);
  }));

// test_tasks.py BaseTaskTests.test_task_basics
test("test_tasks.py BaseTaskTests.test_task_basics", () =>
  withLoop(async (loop) => {
    function* inner1(): Coroutine<number> {
      return 42;
    }
    function* inner2(): Coroutine<number> {
      return 1000;
    }
    function* outer(): Coroutine<number> {
      const a = yield* inner1();
      const b = yield* inner2();
      return a + b;
    }
    assert.equal(await loop.runUntilComplete(outer()), 1042);
  }));

// test_tasks.py BaseTaskTests.test_exception_chaining_after_await
// Python chains implicitly (__context__); JavaScript code links explicitly with `cause`
// (docs/differences.md), so the check is that the task's error arrives unchanged, with the
// chain the coroutine gave it, while another error is being handled.
test("test_tasks.py BaseTaskTests.test_exception_chaining_after_await", () =>
  withLoop(async () => {
    const loop = asyncio.newEventLoop();
    let checked = false;
    function* raiseError(ctx: unknown): Coroutine<void> {
      throw new ValueError("", { cause: ctx });
    }
    function* run(): Coroutine<void> {
      try {
        throw new KeyError("3");
      } catch (exc) {
        const task = newTask(loop, raiseError(exc));
        try {
          yield* task;
        } catch (e) {
          assert.equal((e as object).constructor, ValueError);
          const chained = (e as Error).cause as Error;
          assert.deepEqual([chained.constructor, chained.message], [KeyError, "3"]);
          checked = true;
        }
      }
    }
    try {
      await loop.runUntilComplete(newTask(loop, run()));
    } finally {
      loop.close();
    }
    assert.ok(checked);
  }));

// test_tasks.py BaseTaskTests.test_exception_chaining_after_await_with_context_cycle
test("test_tasks.py BaseTaskTests.test_exception_chaining_after_await_with_context_cycle", () =>
  withLoop(async () => {
    let hasCycle: boolean | null = null;
    const loop = asyncio.newEventLoop();
    function* processExc(exc: unknown): Coroutine<void> {
      throw exc;
    }
    function* run(): Coroutine<void> {
      try {
        throw new KeyError("a");
      } catch (exc) {
        const task = newTask(loop, processExc(exc));
        try {
          yield* task;
        } catch (e) {
          hasCycle = e === (e as Error).cause;
          assert.equal(e, exc);
        }
      }
    }
    try {
      await loop.runUntilComplete(newTask(loop, run()));
    } finally {
      loop.close();
    }
    assert.equal(hasCycle, false);
  }));

// test_tasks.py BaseTaskTests.test_cancelling
test("test_tasks.py BaseTaskTests.test_cancelling", async () => {
  const loop = asyncio.newEventLoop();
  function* task(): Coroutine<void> {
    yield* asyncio.sleep(10);
  }
  try {
    const t = newTask(loop, task());
    assert.ok(!t.cancelling());
    assert.ok(!String(t).includes(" cancelling "));
    assert.ok(t.cancel());
    assert.ok(t.cancelling());
    assert.ok(String(t).includes(" cancelling "));
    assert.ok(t.cancel());
    await rejects(CancelledError, loop.runUntilComplete(t));
  } finally {
    loop.close();
  }
});

// test_tasks.py BaseTaskTests.test_uncancel_basic
test("test_tasks.py BaseTaskTests.test_uncancel_basic", async () => {
  const loop = asyncio.testing.newVirtualTimeLoop();
  function* task(): Coroutine<void> {
    try {
      yield* asyncio.sleep(10);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      asyncio.currentTask()!.uncancel();
      yield* asyncio.sleep(10);
    }
  }
  try {
    const t = newTask(loop, task());
    await loop.runUntilComplete(asyncio.sleep(0.01));
    assert.ok(t.cancel());
    assert.ok(String(t).includes(" cancelling "));
    assert.equal(t.cancelling(), 1);
    assert.ok(!t.cancelled());
    await loop.runUntilComplete(asyncio.sleep(0.01));
    assert.ok(!String(t).includes(" cancelling "));
    assert.equal(t.cancelling(), 0);
    assert.ok(!t.cancelled());
    assert.ok(t.cancel());
    assert.equal(t.cancelling(), 1);
    assert.ok(!t.cancelled());
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.ok(t.cancelled());
    assert.ok(t.done());
    t.uncancel();
    assert.ok(t.cancelled());
    assert.ok(t.done());
  } finally {
    loop.close();
  }
});

// test_tasks.py BaseTaskTests.test_uncancel_structured_blocks
test("test_tasks.py BaseTaskTests.test_uncancel_structured_blocks", async () => {
  const loop = asyncio.testing.newVirtualTimeLoop();
  function* makeRequestWithTimeout(opts: { sleep: number; timeout: number }): Coroutine<[boolean, boolean, boolean]> {
    const task = asyncio.currentTask()!;
    const l = task.getLoop();
    let timedOut = false;
    let structuredBlockFinished = false;
    let outerCodeReached = false;
    const onTimeout = (): void => {
      timedOut = true;
      task.cancel();
    };
    const timeoutHandle = l.callLater(opts.timeout, onTimeout);
    try {
      let pending: unknown = undefined;
      try {
        yield* asyncio.sleep(opts.sleep);
        structuredBlockFinished = true;
      } catch (e) {
        pending = e;
      } finally {
        timeoutHandle.cancel();
        if (timedOut && task.uncancel() === 0 && pending instanceof CancelledError) {
          // eslint-disable-next-line no-unsafe-finally
          throw new TimeoutError();
        }
      }
      if (pending !== undefined) throw pending;
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      assert.ok(timedOut);
    }
    outerCodeReached = true;
    yield* asyncio.sleep(0);
    return [timedOut, structuredBlockFinished, outerCodeReached];
  }
  try {
    const t1 = newTask(loop, makeRequestWithTimeout({ sleep: 10.0, timeout: 0.1 }));
    let [timedOut, structuredBlockFinished, outerCodeReached] = await loop.runUntilComplete(t1);
    assert.ok(timedOut);
    assert.ok(!structuredBlockFinished);
    assert.ok(outerCodeReached);
    assert.equal(t1.cancelling(), 0);

    const t2 = newTask(loop, makeRequestWithTimeout({ sleep: 0, timeout: 10.0 }));
    [timedOut, structuredBlockFinished, outerCodeReached] = await loop.runUntilComplete(t2);
    assert.ok(!timedOut);
    assert.ok(structuredBlockFinished);
    assert.ok(outerCodeReached);
    assert.equal(t2.cancelling(), 0);
  } finally {
    loop.close();
  }
});

// test_tasks.py BaseTaskTests.test_cancel
test("test_tasks.py BaseTaskTests.test_cancel", () =>
  withLoop(async (loop) => {
    function* task(): Coroutine<number> {
      yield* asyncio.sleep(10.0);
      return 12;
    }
    const t = newTask(loop, task());
    loop.callSoon(() => t.cancel());
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.ok(t.done());
    assert.ok(t.cancelled());
    assert.ok(!t.cancel());
    assert.equal(loop.time(), 0);
  }));

// Python's cases ((), (None,), ('my message',), (5,)): a message is a string in tsyncio, so
// the non-string case (5,) has no counterpart.
const CANCEL_CASES: [string | null | undefined, string][] = [[undefined, ""], [null, ""], ["my message", "my message"]];

// test_tasks.py BaseTaskTests.test_cancel_with_message_then_future_result
test("test_tasks.py BaseTaskTests.test_cancel_with_message_then_future_result", async () => {
  for (const [cancelArg, expected] of CANCEL_CASES) {
    await withLoop(async (loop) => {
      function* sleep(): Coroutine<void> {
        yield* asyncio.sleep(10);
      }
      function* coro(): Coroutine<void> {
        const task = newTask(loop, sleep());
        yield* asyncio.sleep(0);
        if (cancelArg === undefined) task.cancel();
        else task.cancel(cancelArg);
        yield* asyncio.wait([task]);
        task.result();
      }
      const task = newTask(loop, coro());
      const exc = await rejects(CancelledError, loop.runUntilComplete(task));
      assert.equal(exc.message, expected);
      assert.deepEqual(innermostCause(exc), [CancelledError, expected, 0]);
    });
  }
});

// test_tasks.py BaseTaskTests.test_cancel_with_message_then_future_exception
test("test_tasks.py BaseTaskTests.test_cancel_with_message_then_future_exception", async () => {
  for (const [cancelArg, expected] of CANCEL_CASES) {
    await withLoop(async (loop) => {
      function* sleep(): Coroutine<void> {
        yield* asyncio.sleep(10);
      }
      function* coro(): Coroutine<void> {
        const task = newTask(loop, sleep());
        yield* asyncio.sleep(0);
        if (cancelArg === undefined) task.cancel();
        else task.cancel(cancelArg);
        yield* asyncio.wait([task]);
        task.exception();
      }
      const task = newTask(loop, coro());
      const exc = await rejects(CancelledError, loop.runUntilComplete(task));
      assert.equal(exc.message, expected);
      assert.deepEqual(innermostCause(exc), [CancelledError, expected, 0]);
    });
  }
});

// test_tasks.py BaseTaskTests.test_cancellation_exception_context
// `raise ValueError(...) from ex` is `new ValueError(..., { cause: ex })`.
test("test_tasks.py BaseTaskTests.test_cancellation_exception_context", () =>
  withLoop(async (loop) => {
    const fut = loop.createFuture<void>();
    function* sleep(): Coroutine<void> {
      fut.setResult(undefined);
      yield* asyncio.sleep(10);
    }
    function* coro(): Coroutine<void> {
      const innerTask = newTask(loop, sleep());
      yield* fut;
      loop.callSoon(() => innerTask.cancel("msg"));
      try {
        yield* innerTask;
      } catch (ex) {
        if (ex instanceof CancelledError) throw new ValueError("cancelled", { cause: ex });
        throw ex;
      }
    }
    const task = newTask(loop, coro());
    const exc = await rejects(ValueError, loop.runUntilComplete(task));
    assert.equal(exc.message, "cancelled");
    assert.deepEqual(innermostCause(exc), [CancelledError, "msg", 1]);
  }));

// test_tasks.py BaseTaskTests.test_cancel_with_message_before_starting_task
test("test_tasks.py BaseTaskTests.test_cancel_with_message_before_starting_task", () =>
  withLoop(async (loop) => {
    function* sleep(): Coroutine<void> {
      yield* asyncio.sleep(10);
    }
    function* coro(): Coroutine<void> {
      const task = newTask(loop, sleep());
      task.cancel("my message");
      yield* asyncio.wait([task]);
      task.exception();
    }
    const task = newTask(loop, coro());
    const exc = await rejects(CancelledError, loop.runUntilComplete(task));
    assert.equal(exc.message, "my message");
    assert.deepEqual(innermostCause(exc), [CancelledError, "my message", 0]);
  }));

// test_tasks.py BaseTaskTests.test_cancel_yield
test("test_tasks.py BaseTaskTests.test_cancel_yield", () =>
  withLoop(async (loop) => {
    function* task(): Coroutine<number> {
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      return 12;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    t.cancel();
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.ok(t.done());
    assert.ok(t.cancelled());
    assert.ok(!t.cancel());
  }));

// test_tasks.py BaseTaskTests.test_cancel_inner_future
test("test_tasks.py BaseTaskTests.test_cancel_inner_future", () =>
  withLoop(async (loop) => {
    const f = newFuture<void>(loop);
    function* task(): Coroutine<number> {
      yield* f;
      return 12;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    f.cancel();
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.ok(f.cancelled());
    assert.ok(t.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_cancel_both_task_and_inner_future
test("test_tasks.py BaseTaskTests.test_cancel_both_task_and_inner_future", () =>
  withLoop(async (loop) => {
    const f = newFuture<void>(loop);
    function* task(): Coroutine<number> {
      yield* f;
      return 12;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    f.cancel();
    t.cancel();
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.ok(t.done());
    assert.ok(f.cancelled());
    assert.ok(t.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_cancel_task_catching
test("test_tasks.py BaseTaskTests.test_cancel_task_catching", () =>
  withLoop(async (loop) => {
    const fut1 = newFuture<void>(loop);
    const fut2 = newFuture<void>(loop);
    function* task(): Coroutine<number | undefined> {
      yield* fut1;
      try {
        yield* fut2;
      } catch (e) {
        if (e instanceof CancelledError) return 42;
        throw e;
      }
      return undefined;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    assert.equal(t._futWaiter, fut1);
    fut1.setResult(undefined);
    await runBriefly(loop);
    assert.equal(t._futWaiter, fut2);
    t.cancel();
    assert.ok(fut2.cancelled());
    const res = await loop.runUntilComplete(t);
    assert.equal(res, 42);
    assert.ok(!t.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_cancel_task_ignoring
test("test_tasks.py BaseTaskTests.test_cancel_task_ignoring", () =>
  withLoop(async (loop) => {
    const fut1 = newFuture<void>(loop);
    const fut2 = newFuture<void>(loop);
    const fut3 = newFuture<number>(loop);
    function* task(): Coroutine<number> {
      yield* fut1;
      try {
        yield* fut2;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
      const res = yield* fut3;
      return res;
    }
    const t = newTask(loop, task());
    await runBriefly(loop);
    assert.equal(t._futWaiter, fut1);
    fut1.setResult(undefined);
    await runBriefly(loop);
    assert.equal(t._futWaiter, fut2);
    t.cancel();
    assert.ok(fut2.cancelled());
    await runBriefly(loop);
    assert.equal(t._futWaiter, fut3);
    fut3.setResult(42);
    const res = await loop.runUntilComplete(t);
    assert.equal(res, 42);
    assert.ok(!fut3.cancelled());
    assert.ok(!t.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_cancel_current_task
test("test_tasks.py BaseTaskTests.test_cancel_current_task", () =>
  withLoop(async () => {
    const loop = asyncio.testing.newVirtualTimeLoop();
    function* task(): Coroutine<number> {
      t.cancel();
      assert.ok(t._mustCancel);
      yield* asyncio.sleep(100);
      return 12;
    }
    const t: Task<number> = newTask(loop, task());
    assert.ok(!t.cancelled());
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.ok(t.done());
    assert.ok(t.cancelled());
    assert.ok(!t._mustCancel);
    assert.ok(!t.cancel());
    assert.equal(loop.time(), 0);
    loop.close();
  }));

// test_tasks.py BaseTaskTests.test_cancel_at_end
test("test_tasks.py BaseTaskTests.test_cancel_at_end", () =>
  withLoop(async (loop) => {
    // eslint-disable-next-line require-yield
    function* task(): Coroutine<number> {
      t.cancel();
      assert.ok(t._mustCancel);
      return 12;
    }
    const t: Task<number> = newTask(loop, task());
    assert.ok(!t.cancelled());
    await rejects(CancelledError, loop.runUntilComplete(t));
    assert.ok(t.done());
    assert.ok(t.cancelled());
    assert.ok(!t._mustCancel);
    assert.ok(!t.cancel());
  }));

// test_tasks.py BaseTaskTests.test_cancel_awaited_task
test("test_tasks.py BaseTaskTests.test_cancel_awaited_task", () =>
  withLoop(async (loop) => {
    let nestedTask: Task<void> | null = null;
    const fut = newFuture<void>(loop);
    function* nested(): Coroutine<void> {
      yield* fut;
    }
    function* coro(): Coroutine<void> {
      nestedTask = newTask(loop, nested());
      yield* asyncio.sleep(0);
      task.cancel();
      yield* nestedTask;
    }
    const task: Task<void> = newTask(loop, coro());
    await rejects(CancelledError, loop.runUntilComplete(task));
    assert.ok(task.cancelled());
    assert.ok(nestedTask!.cancelled());
    assert.ok(fut.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_cancel_traceback_for_future_result
// A JavaScript stack is where the error was made, not where it travelled (docs/differences.md),
// so the traceback that names both awaits becomes: the CancelledError that reaches the outer
// task is the very one raised at the interrupted `yield* asyncio.sleep(10)` in nested().
test("test_tasks.py BaseTaskTests.test_cancel_traceback_for_future_result", () =>
  withLoop(async (loop) => {
    let raisedInNested: unknown = null;
    function* nested(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        raisedInNested = e;
        throw e;
      }
    }
    function* coro(): Coroutine<void> {
      const task = newTask(loop, nested());
      yield* asyncio.sleep(0);
      task.cancel();
      yield* task; // search target
    }
    const task = newTask(loop, coro());
    const e = await rejects(CancelledError, loop.runUntilComplete(task));
    assert.ok(raisedInNested instanceof CancelledError);
    assert.equal(e, raisedInNested);
  }));

// test_tasks.py BaseTaskTests.test_cancel_traceback_for_future_exception
// As above: the error task.exception() raises is the one raised inside nested().
test("test_tasks.py BaseTaskTests.test_cancel_traceback_for_future_exception", () =>
  withLoop(async (loop) => {
    let raisedInNested: unknown = null;
    function* nested(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        raisedInNested = e;
        throw e;
      }
    }
    function* coro(): Coroutine<void> {
      const task = newTask(loop, nested());
      yield* asyncio.sleep(0);
      task.cancel();
      yield* asyncio.wait([task]);
      task.exception(); // search target
    }
    const task = newTask(loop, coro());
    const e = await rejects(CancelledError, loop.runUntilComplete(task));
    assert.ok(raisedInNested instanceof CancelledError);
    assert.equal(e, raisedInNested);
  }));

// test_tasks.py BaseTaskTests.test_stop_while_run_in_complete
test("test_tasks.py BaseTaskTests.test_stop_while_run_in_complete", () =>
  withLoop(async (loop) => {
    let x = 0;
    function* task(): Coroutine<void> {
      while (x < 10) {
        yield* asyncio.sleep(0.1);
        x += 1;
        if (x === 2) loop.stop();
      }
    }
    const t = newTask(loop, task());
    const e = await rejects(RuntimeError, loop.runUntilComplete(t));
    assert.equal(e.message, "Event loop stopped before Future completed.");
    assert.ok(!t.done());
    assert.equal(x, 2);
    almostEqual(0.2, loop.time());
    t.cancel();
    await rejects(CancelledError, loop.runUntilComplete(t));
  }));
