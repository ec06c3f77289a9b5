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
import { raises, rejects } from "./_assertions.js";
import { gcCollect, newFuture, newTask, runBriefly, withVirtualLoop, type VirtualTimeLoop } from "./_test-utils.js";
import { callbackEntries } from "../../src/core/futures.js";

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
  withVirtualLoop(async (loop) => {
    const t = newTask(loop, (function* coro(): Coroutine<void> {})());
    assert.equal(t._cancelMessage, null);
    t.cancel("my message");
    assert.equal(t._cancelMessage, "my message");
    const e = await rejects(CancelledError, loop.runUntilComplete(t));
    assert.equal(e.message, "my message");
  }));

// test_tasks.py BaseTaskTests.test_task_cancel_message_setter
test("test_tasks.py BaseTaskTests.test_task_cancel_message_setter", () =>
  withVirtualLoop(async (loop) => {
    const t = newTask(loop, (function* coro(): Coroutine<void> {})());
    t.cancel("my message");
    t._cancelMessage = "my new message";
    assert.equal(t._cancelMessage, "my new message");
    const e = await rejects(CancelledError, loop.runUntilComplete(t));
    assert.equal(e.message, "my new message");
  }));

// test_tasks.py BaseTaskTests.test_other_loop_future
test("test_tasks.py BaseTaskTests.test_other_loop_future", () =>
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
    function* t(): Coroutine<void> {
      yield* task;
    }
    const task: Future<void> = asyncio.ensureFuture(t(), { loop });
    const e = await rejects(RuntimeError, loop.runUntilComplete(task));
    assert.match(e.message, /Task cannot await on itself/);
  }));

// test_tasks.py BaseTaskTests.test_task_class
test("test_tasks.py BaseTaskTests.test_task_class", () =>
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop((loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async () => {
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
  withVirtualLoop(async () => {
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
  withVirtualLoop(async (loop) => {
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
    await withVirtualLoop(async (loop) => {
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
    await withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async () => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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
  withVirtualLoop(async (loop) => {
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

// test_tasks.py BaseTaskTests.test_wait
test("test_tasks.py BaseTaskTests.test_wait", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask(loop, asyncio.sleep(0.1));
    const b = newTask(loop, asyncio.sleep(0.15));
    function* foo(): Coroutine<number> {
      const [done, pending] = yield* asyncio.wait([b, a]);
      assert.deepEqual(done, new Set([a, b]));
      assert.deepEqual(pending, new Set());
      return 42;
    }
    let res = await loop.runUntilComplete(newTask(loop, foo()));
    assert.equal(res, 42);
    almostEqual(0.15, loop.time());
    res = await loop.runUntilComplete(newTask(loop, foo()));
    almostEqual(0.15, loop.time());
    assert.equal(res, 42);
  }));

// test_tasks.py BaseTaskTests.test_wait_duplicate_coroutines
test("test_tasks.py BaseTaskTests.test_wait_duplicate_coroutines", () =>
  withVirtualLoop(async (loop) => {
    function* coro(s: string): Coroutine<string> {
      return s;
    }
    const c = loop.createTask(coro("test"));
    const task = newTask(loop, asyncio.wait([c, c, loop.createTask(coro("spam"))]));
    const [done, pending] = await loop.runUntilComplete(task);
    assert.equal(pending.size, 0);
    assert.deepEqual(new Set([...done].map((f) => f.result())), new Set(["test", "spam"]));
  }));

// test_tasks.py BaseTaskTests.test_wait_errors
test("test_tasks.py BaseTaskTests.test_wait_errors", () =>
  withVirtualLoop(async (loop) => {
    await rejects(ValueError, loop.runUntilComplete(asyncio.wait(new Set<Future<void>>())));
    const sleepCoro = asyncio.sleep(10.0);
    const waitCoro = asyncio.wait([sleepCoro as unknown as Future<void>], { returnWhen: -1 as unknown as asyncio.ReturnWhen });
    await rejects(ValueError, loop.runUntilComplete(waitCoro));
    sleepCoro.return(undefined);
  }));

// test_tasks.py BaseTaskTests.test_wait_first_completed
test("test_tasks.py BaseTaskTests.test_wait_first_completed", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask(loop, asyncio.sleep(10.0));
    const b = newTask(loop, asyncio.sleep(0.1));
    const task = newTask(loop, asyncio.wait([b, a], { returnWhen: asyncio.FIRST_COMPLETED }));
    const [done, pending] = await loop.runUntilComplete(task);
    assert.deepEqual(done, new Set([b]));
    assert.deepEqual(pending, new Set([a]));
    assert.ok(!a.done());
    assert.ok(b.done());
    assert.equal(b.result(), undefined);
    almostEqual(0.1, loop.time());
    loop.advance(10);
    await loop.runUntilComplete(asyncio.wait([a, b]));
  }));

// test_tasks.py BaseTaskTests.test_wait_really_done
test("test_tasks.py BaseTaskTests.test_wait_really_done", () =>
  withVirtualLoop(async (loop) => {
    function* coro1(): Coroutine<void> {
      yield* asyncio.sleep(0);
    }
    function* coro2(): Coroutine<void> {
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
    }
    const a = newTask(loop, coro1());
    const b = newTask(loop, coro2());
    const task = newTask(loop, asyncio.wait([b, a], { returnWhen: asyncio.FIRST_COMPLETED }));
    const [done] = await loop.runUntilComplete(task);
    assert.deepEqual(done, new Set([a, b]));
    assert.ok(a.done());
    assert.equal(a.result(), undefined);
    assert.ok(b.done());
    assert.equal(b.result(), undefined);
  }));

// test_tasks.py BaseTaskTests.test_wait_first_exception
test("test_tasks.py BaseTaskTests.test_wait_first_exception", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask<unknown>(loop, asyncio.sleep(10.0));
    function* exc(): Coroutine<unknown> {
      throw new ZeroDivisionError("err");
    }
    const b = newTask(loop, exc());
    const task = newTask(loop, asyncio.wait([b, a], { returnWhen: asyncio.FIRST_EXCEPTION }));
    const [done, pending] = await loop.runUntilComplete(task);
    assert.deepEqual(done, new Set([b]));
    assert.deepEqual(pending, new Set([a]));
    almostEqual(0, loop.time());
    loop.advance(10);
    await loop.runUntilComplete(asyncio.wait([a, b]));
  }));

// test_tasks.py BaseTaskTests.test_wait_first_exception_in_wait
test("test_tasks.py BaseTaskTests.test_wait_first_exception_in_wait", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask<unknown>(loop, asyncio.sleep(10.0));
    function* exc(): Coroutine<unknown> {
      yield* asyncio.sleep(0.01);
      throw new ZeroDivisionError("err");
    }
    const b = newTask(loop, exc());
    const task = asyncio.wait([b, a], { returnWhen: asyncio.FIRST_EXCEPTION });
    const [done, pending] = await loop.runUntilComplete(task);
    assert.deepEqual(done, new Set([b]));
    assert.deepEqual(pending, new Set([a]));
    almostEqual(0.01, loop.time());
    loop.advance(10);
    await loop.runUntilComplete(asyncio.wait([a, b]));
  }));

// test_tasks.py BaseTaskTests.test_wait_with_exception
test("test_tasks.py BaseTaskTests.test_wait_with_exception", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask<unknown>(loop, asyncio.sleep(0.1));
    function* sleeper(): Coroutine<unknown> {
      yield* asyncio.sleep(0.15);
      throw new ZeroDivisionError("really");
    }
    const b = newTask(loop, sleeper());
    function* foo(): Coroutine<void> {
      const [done, pending] = yield* asyncio.wait([b, a]);
      assert.equal(done.size, 2);
      assert.deepEqual(pending, new Set());
      const errors = new Set([...done].filter((f) => f.exception() !== null));
      assert.equal(errors.size, 1);
    }
    await loop.runUntilComplete(newTask(loop, foo()));
    almostEqual(0.15, loop.time());
    await loop.runUntilComplete(newTask(loop, foo()));
    almostEqual(0.15, loop.time());
  }));

// test_tasks.py BaseTaskTests.test_wait_with_timeout
test("test_tasks.py BaseTaskTests.test_wait_with_timeout", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask(loop, asyncio.sleep(0.1));
    const b = newTask(loop, asyncio.sleep(0.15));
    function* foo(): Coroutine<void> {
      const [done, pending] = yield* asyncio.wait([b, a], { timeout: 0.11 });
      assert.deepEqual(done, new Set([a]));
      assert.deepEqual(pending, new Set([b]));
    }
    await loop.runUntilComplete(newTask(loop, foo()));
    almostEqual(0.11, loop.time());
    loop.advance(10);
    await loop.runUntilComplete(asyncio.wait([a, b]));
  }));

// test_tasks.py BaseTaskTests.test_wait_concurrent_complete
test("test_tasks.py BaseTaskTests.test_wait_concurrent_complete", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask(loop, asyncio.sleep(0.1));
    const b = newTask(loop, asyncio.sleep(0.15));
    const [done, pending] = await loop.runUntilComplete(asyncio.wait([b, a], { timeout: 0.1 }));
    assert.deepEqual(done, new Set([a]));
    assert.deepEqual(pending, new Set([b]));
    almostEqual(0.1, loop.time());
    loop.advance(10);
    await loop.runUntilComplete(asyncio.wait([a, b]));
  }));

// test_tasks.py BaseTaskTests.test_wait_with_iterator_of_tasks
test("test_tasks.py BaseTaskTests.test_wait_with_iterator_of_tasks", () =>
  withVirtualLoop(async (loop) => {
    const a = newTask(loop, asyncio.sleep(0.1));
    const b = newTask(loop, asyncio.sleep(0.15));
    function* foo(): Coroutine<number> {
      const [done, pending] = yield* asyncio.wait([b, a][Symbol.iterator]());
      assert.deepEqual(done, new Set([a, b]));
      assert.deepEqual(pending, new Set());
      return 42;
    }
    const res = await loop.runUntilComplete(newTask(loop, foo()));
    assert.equal(res, 42);
    almostEqual(0.15, loop.time());
  }));

// test_tasks.py BaseTaskTests.test_wait_generator
// A generator object is a coroutine in tsyncio, so wait() refuses it as it refuses a coroutine
// (TypeError naming the fix); the generator of tasks is passed spread into an array
// (docs/differences.md).
test("test_tasks.py BaseTaskTests.test_wait_generator", () =>
  withVirtualLoop(async (loop) => {
    function* func(a: number): Coroutine<number> {
      return a;
    }
    function* main(): Coroutine<void> {
      const tasks = (function* () {
        for (let i = 0; i < 10; i++) yield newTask(loop, func(i));
      })();
      const e = yield* raises(TypeError, asyncio.wait(tasks, { returnWhen: asyncio.ALL_COMPLETED }));
      assert.match(e.message, /^expect a list of futures, not coroutine .*\[\.\.\.gen\]/);
      const [done, pending] = yield* asyncio.wait([...tasks], { returnWhen: asyncio.ALL_COMPLETED });
      assert.equal(done.size, 10);
      assert.equal(pending.size, 0);
    }
    await loop.runUntilComplete(main());
  }));

// test_tasks.py BaseTaskTests.test_as_completed
test("test_tasks.py BaseTaskTests.test_as_completed", () =>
  withVirtualLoop(async (loop) => {
    loop.slowCallbackDuration = 1.0;
    const completed = new Set<string>();
    let timeShifted = false;
    function* sleeper(dt: number, x: string): Coroutine<string> {
      yield* asyncio.sleep(dt);
      completed.add(x);
      if (!timeShifted && completed.has("a") && completed.has("b")) {
        timeShifted = true;
        loop.advance(0.14);
      }
      return x;
    }
    const a = sleeper(0.01, "a");
    const b = sleeper(0.01, "b");
    const c = sleeper(0.15, "c");
    function* foo(): Coroutine<string[]> {
      const values: string[] = [];
      for (const f of asyncio.asCompleted([b, c, a])) values.push(yield* f);
      return values;
    }
    const res = await loop.runUntilComplete(newTask(loop, foo()));
    almostEqual(0.15, loop.time());
    assert.ok(res.slice(0, 2).includes("a"));
    assert.ok(res.slice(0, 2).includes("b"));
    assert.equal(res[2], "c");
  }));

// test_tasks.py BaseTaskTests.test_as_completed_with_timeout
test("test_tasks.py BaseTaskTests.test_as_completed_with_timeout", () =>
  withVirtualLoop(async (loop) => {
    const a = loop.createTask(asyncio.sleep(0.1, "a"));
    const b = loop.createTask(asyncio.sleep(0.15, "b"));
    function* foo(): Coroutine<[number, unknown][]> {
      const values: [number, unknown][] = [];
      for (const f of asyncio.asCompleted([a, b], { timeout: 0.12 })) {
        if (values.length > 0) loop.advance(0.02);
        try {
          const v = yield* f;
          values.push([1, v]);
        } catch (exc) {
          if (!(exc instanceof TimeoutError)) throw exc;
          values.push([2, exc]);
        }
      }
      return values;
    }
    const res = await loop.runUntilComplete(newTask(loop, foo()));
    assert.equal(res.length, 2);
    assert.deepEqual(res[0], [1, "a"]);
    assert.equal(res[1]![0], 2);
    assert.ok(res[1]![1] instanceof TimeoutError);
    almostEqual(0.12, loop.time());
    loop.advance(10);
    await loop.runUntilComplete(asyncio.wait([a, b]));
  }));

// test_tasks.py BaseTaskTests.test_as_completed_with_unused_timeout
test("test_tasks.py BaseTaskTests.test_as_completed_with_unused_timeout", () =>
  withVirtualLoop(async (loop) => {
    const a = asyncio.sleep(0.01, "a");
    function* foo(): Coroutine<void> {
      for (const f of asyncio.asCompleted([a], { timeout: 1 })) {
        const v = yield* f;
        assert.equal(v, "a");
      }
    }
    await loop.runUntilComplete(newTask(loop, foo()));
  }));

// test_tasks.py BaseTaskTests.test_as_completed_reverse_wait
test("test_tasks.py BaseTaskTests.test_as_completed_reverse_wait", () =>
  withVirtualLoop(async (loop) => {
    const a = asyncio.sleep(0.05, "a");
    const b = asyncio.sleep(0.1, "b");
    const fs = new Set([a, b]);
    function* t(): Coroutine<void> {
      const futs = [...asyncio.asCompleted(fs)];
      assert.equal(futs.length, 2);
      const x = yield* futs[1]!;
      assert.equal(x, "a");
      almostEqual(0.05, loop.time());
      loop.advance(0.05);
      const y = yield* futs[0]!;
      assert.equal(y, "b");
      almostEqual(0.1, loop.time());
    }
    await loop.runUntilComplete(t());
  }));

// test_tasks.py BaseTaskTests.test_as_completed_concurrent
test("test_tasks.py BaseTaskTests.test_as_completed_concurrent", () =>
  withVirtualLoop(async (loop) => {
    const a = asyncio.sleep(0.05, "a");
    const b = asyncio.sleep(0.05, "b");
    const fs = new Set([a, b]);
    function* t(): Coroutine<void> {
      const futs = [...asyncio.asCompleted(fs)];
      assert.equal(futs.length, 2);
      const [done] = yield* asyncio.wait(futs.map((fut) => asyncio.ensureFuture(fut)));
      assert.deepEqual(new Set([...done].map((f) => f.result())), new Set(["a", "b"]));
    }
    await loop.runUntilComplete(t());
  }));

// test_tasks.py BaseTaskTests.test_as_completed_duplicate_coroutines
test("test_tasks.py BaseTaskTests.test_as_completed_duplicate_coroutines", () =>
  withVirtualLoop(async (loop) => {
    function* coro(s: string): Coroutine<string> {
      return s;
    }
    function* runner(): Coroutine<string[]> {
      const result: string[] = [];
      const c = coro("ham");
      for (const f of asyncio.asCompleted([c, c, coro("spam")])) result.push(yield* f);
      return result;
    }
    const fut = newTask(loop, runner());
    await loop.runUntilComplete(fut);
    const result = fut.result();
    assert.deepEqual(new Set(result), new Set(["ham", "spam"]));
    assert.equal(result.length, 2);
  }));

// test_tasks.py BaseTaskTests.test_as_completed_coroutine_without_loop
test("test_tasks.py BaseTaskTests.test_as_completed_coroutine_without_loop", () =>
  withVirtualLoop(() => {
    function* coro(): Coroutine<number> {
      return 42;
    }
    const a = coro();
    const futs = asyncio.asCompleted([a]);
    assert.throws(() => [...futs], (e: unknown) => e instanceof RuntimeError && /no current event loop/.test(e.message));
    a.return(0);
  }));

// test_tasks.py BaseTaskTests.test_as_completed_coroutine_use_running_loop
test("test_tasks.py BaseTaskTests.test_as_completed_coroutine_use_running_loop", () =>
  withVirtualLoop(async (loop) => {
    function* coro(): Coroutine<number> {
      return 42;
    }
    function* t(): Coroutine<void> {
      const futs = [...asyncio.asCompleted([coro()])];
      assert.equal(futs.length, 1);
      assert.equal(yield* futs[0]!, 42);
    }
    await loop.runUntilComplete(t());
  }));

// test_tasks.py BaseTaskTests.test_sleep
test("test_tasks.py BaseTaskTests.test_sleep", () =>
  withVirtualLoop(async (loop) => {
    function* sleeper(dt: number, arg: string): Coroutine<string> {
      yield* asyncio.sleep(dt / 2);
      const res = yield* asyncio.sleep(dt / 2, arg);
      return res;
    }
    const t = newTask(loop, sleeper(0.1, "yeah"));
    await loop.runUntilComplete(t);
    assert.ok(t.done());
    assert.equal(t.result(), "yeah");
    almostEqual(0.1, loop.time());
  }));

// test_tasks.py BaseTaskTests.test_sleep_cancel
test("test_tasks.py BaseTaskTests.test_sleep_cancel", () =>
  withVirtualLoop(async (loop) => {
    const t = newTask(loop, asyncio.sleep(10.0, "yeah"));
    const seen: asyncio.TimerHandle[] = [];
    const origCallLater = loop.callLater.bind(loop);
    loop.callLater = ((delay: number, callback: (...a: never[]) => unknown, ...args: never[]) => {
      const h = origCallLater(delay, callback, ...args);
      seen.push(h);
      return h;
    }) as typeof loop.callLater;
    await runBriefly(loop);
    assert.equal(seen.length, 1);
    const handle = seen[0]!;
    assert.ok(!handle.cancelled());
    t.cancel();
    await runBriefly(loop);
    assert.ok(handle.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_task_cancel_sleeping_task
test("test_tasks.py BaseTaskTests.test_task_cancel_sleeping_task", () =>
  withVirtualLoop(async (loop) => {
    function* sleep(dt: number): Coroutine<void> {
      yield* asyncio.sleep(dt);
    }
    function* doit(): Coroutine<string> {
      const sleeper = newTask(loop, sleep(5000));
      loop.callLater(0.1, () => sleeper.cancel());
      try {
        yield* sleeper;
      } catch (e) {
        if (e instanceof CancelledError) return "cancelled";
        throw e;
      }
      return "slept in";
    }
    assert.equal(await loop.runUntilComplete(doit()), "cancelled");
    almostEqual(0.1, loop.time());
  }));

// test_tasks.py BaseTaskTests.test_task_cancel_waiter_future
test("test_tasks.py BaseTaskTests.test_task_cancel_waiter_future", () =>
  withVirtualLoop(async (loop) => {
    const fut = newFuture<void>(loop);
    function* coro(): Coroutine<void> {
      yield* fut;
    }
    const task = newTask(loop, coro());
    await runBriefly(loop);
    assert.equal(task._futWaiter, fut);
    task.cancel();
    await runBriefly(loop);
    await rejects(CancelledError, loop.runUntilComplete(task));
    assert.equal(task._futWaiter, null);
    assert.ok(fut.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_task_set_methods
test("test_tasks.py BaseTaskTests.test_task_set_methods", () =>
  withVirtualLoop(async (loop) => {
    function* notmuch(): Coroutine<string> {
      return "ko";
    }
    const task = newTask(loop, notmuch());
    assert.throws(() => task.setResult("ok"), (e: unknown) => e instanceof RuntimeError && /not support set_result/.test(e.message));
    assert.throws(() => task.setException(new ValueError()),
      (e: unknown) => e instanceof RuntimeError && /not support set_exception/.test(e.message));
    assert.equal(await loop.runUntilComplete(task), "ko");
  }));

// test_tasks.py BaseTaskTests.test_step_result_future
test("test_tasks.py BaseTaskTests.test_step_result_future", () =>
  withVirtualLoop(async (loop) => {
    class Fut<T> extends asyncio.Future<T> {
      cbAdded = false;
      override addDoneCallback(fn: asyncio.DoneCallback<this>, options?: { context?: asyncio.Context | null }): void {
        this.cbAdded = true;
        super.addDoneCallback(fn, options);
      }
    }
    const fut = new Fut<object>({ loop });
    let result: unknown = null;
    function* waitForFuture(): Coroutine<void> {
      result = yield* fut;
    }
    const t = newTask(loop, waitForFuture());
    await runBriefly(loop);
    assert.ok(fut.cbAdded);
    const res = {};
    fut.setResult(res);
    await runBriefly(loop);
    assert.equal(res, result);
    assert.ok(t.done());
    assert.equal(t.result(), undefined);
  }));

// test_tasks.py BaseTaskTests.test_baseexception_during_cancel
test("test_tasks.py BaseTaskTests.test_baseexception_during_cancel", () =>
  withVirtualLoop(async (loop) => {
    function* sleeper(): Coroutine<void> {
      yield* asyncio.sleep(10);
    }
    const baseExc = new asyncio.SystemExit();
    function* notmutch(): Coroutine<void> {
      try {
        yield* sleeper();
      } catch (e) {
        if (e instanceof CancelledError) throw baseExc;
        throw e;
      }
    }
    const task = newTask(loop, notmutch());
    await runBriefly(loop);
    task.cancel();
    assert.ok(!task.done());
    await rejects(asyncio.SystemExit, runBriefly(loop));
    assert.ok(task.done());
    assert.ok(!task.cancelled());
    assert.equal(task.exception(), baseExc);
  }));

// test_tasks.py BaseTaskTests.test_iscoroutinefunction
// A coroutine function is a generator function here (docs/differences.md): Python's plain
// generator function fn1 is a coroutine function in tsyncio, and an async function is not one.
test("test_tasks.py BaseTaskTests.test_iscoroutinefunction", () => {
  function fn(): void {}
  assert.ok(!asyncio.iscoroutinefunction(fn));
  function* fn2(): Coroutine<void> {}
  assert.ok(asyncio.iscoroutinefunction(fn2));
  async function fn3(): Promise<void> {}
  assert.ok(!asyncio.iscoroutinefunction(fn3));
  assert.ok(!asyncio.iscoroutinefunction({}));
});

// test_tasks.py BaseTaskTests.test_coroutine_non_gen_function
test("test_tasks.py BaseTaskTests.test_coroutine_non_gen_function", () =>
  withVirtualLoop(async (loop) => {
    function* func(): Coroutine<string> {
      return "test";
    }
    assert.ok(asyncio.iscoroutinefunction(func));
    const coro = func();
    assert.ok(asyncio.iscoroutine(coro));
    const res = await loop.runUntilComplete(coro);
    assert.equal(res, "test");
  }));

// test_tasks.py BaseTaskTests.test_coroutine_non_gen_function_return_future
test("test_tasks.py BaseTaskTests.test_coroutine_non_gen_function_return_future", () =>
  withVirtualLoop(async (loop) => {
    const fut = newFuture<string>(loop);
    function* func(): Coroutine<[Future<string>]> {
      return [fut];
    }
    function* coro(): Coroutine<void> {
      fut.setResult("test");
    }
    const t1 = newTask(loop, func());
    const t2 = newTask(loop, coro());
    // The future travels in an array: a promise would adopt a returned thenable.
    const [res] = await loop.runUntilComplete(t1);
    assert.equal(res, fut);
    assert.equal(t2.result(), undefined);
  }));

// test_tasks.py BaseTaskTests.test_current_task
test("test_tasks.py BaseTaskTests.test_current_task", () =>
  withVirtualLoop(async (loop) => {
    assert.equal(asyncio.currentTask(loop), null);
    function* coro(): Coroutine<void> {
      assert.equal(asyncio.currentTask(), task);
      assert.equal(asyncio.currentTask(null), task);
      assert.equal(asyncio.currentTask(), task);
    }
    const task: Task<void> = newTask(loop, coro());
    await loop.runUntilComplete(task);
    assert.equal(asyncio.currentTask(loop), null);
  }));

// test_tasks.py BaseTaskTests.test_current_task_with_interleaving_tasks
test("test_tasks.py BaseTaskTests.test_current_task_with_interleaving_tasks", () =>
  withVirtualLoop(async (loop) => {
    assert.equal(asyncio.currentTask(loop), null);
    const fut1 = newFuture<boolean>(loop);
    const fut2 = newFuture<boolean>(loop);
    function* coro1(): Coroutine<void> {
      assert.ok(asyncio.currentTask() === task1);
      yield* fut1;
      assert.ok(asyncio.currentTask() === task1);
      fut2.setResult(true);
    }
    function* coro2(): Coroutine<void> {
      assert.ok(asyncio.currentTask() === task2);
      fut1.setResult(true);
      yield* fut2;
      assert.ok(asyncio.currentTask() === task2);
    }
    const task1: Task<void> = newTask(loop, coro1());
    const task2: Task<void> = newTask(loop, coro2());
    await loop.runUntilComplete(asyncio.wait([task1, task2]));
    assert.equal(asyncio.currentTask(loop), null);
    assert.equal(task1.result(), undefined);
    assert.equal(task2.result(), undefined);
  }));

// test_tasks.py BaseTaskTests.test_yield_future_passes_cancel
test("test_tasks.py BaseTaskTests.test_yield_future_passes_cancel", () =>
  withVirtualLoop(async (loop) => {
    let proof = 0;
    const waiter = newFuture<void>(loop);
    function* inner(): Coroutine<void> {
      try {
        yield* waiter;
      } catch (e) {
        if (e instanceof CancelledError) {
          proof += 1;
          throw e;
        }
        throw e;
      }
      assert.fail("got past sleep() in inner()");
    }
    function* outer(): Coroutine<void> {
      try {
        yield* inner();
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        proof += 100;
        return;
      }
      proof += 10;
    }
    const f = asyncio.ensureFuture(outer(), { loop });
    await runBriefly(loop);
    f.cancel();
    await loop.runUntilComplete(f);
    assert.equal(proof, 101);
    assert.ok(waiter.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_yield_wait_does_not_shield_cancel
// (CPython wraps the wait() in assertWarns(DeprecationWarning); passing a task warns of nothing.)
test("test_tasks.py BaseTaskTests.test_yield_wait_does_not_shield_cancel", () =>
  withVirtualLoop(async (loop) => {
    let proof = 0;
    const waiter = newFuture<void>(loop);
    function* inner(): Coroutine<void> {
      yield* waiter;
      proof += 1;
    }
    function* outer(): Coroutine<void> {
      yield* asyncio.wait([asyncio.createTask(inner())]);
      proof += 100;
    }
    const f = asyncio.ensureFuture(outer(), { loop });
    await runBriefly(loop);
    f.cancel();
    await rejects(CancelledError, loop.runUntilComplete(f));
    waiter.setResult(undefined);
    await runBriefly(loop);
    assert.equal(proof, 1);
  }));

// test_tasks.py BaseTaskTests.test_shield_result
test("test_tasks.py BaseTaskTests.test_shield_result", () =>
  withVirtualLoop(async (loop) => {
    const inner = newFuture<number>(loop);
    const outer = asyncio.shield(inner);
    inner.setResult(42);
    const res = await loop.runUntilComplete(outer);
    assert.equal(res, 42);
  }));

// test_tasks.py BaseTaskTests.test_shield_exception
test("test_tasks.py BaseTaskTests.test_shield_exception", () =>
  withVirtualLoop(async (loop) => {
    const inner = newFuture<number>(loop);
    const outer = asyncio.shield(inner);
    await runBriefly(loop);
    const exc = new RuntimeError("expected");
    inner.setException(exc);
    await runBriefly(loop);
    assert.equal(outer.exception(), exc);
  }));

// test_tasks.py BaseTaskTests.test_shield_cancel_inner
test("test_tasks.py BaseTaskTests.test_shield_cancel_inner", () =>
  withVirtualLoop(async (loop) => {
    const inner = newFuture<number>(loop);
    const outer = asyncio.shield(inner);
    await runBriefly(loop);
    inner.cancel();
    await runBriefly(loop);
    assert.ok(outer.cancelled());
  }));

// test_tasks.py BaseTaskTests.test_shield_cancel_outer
test("test_tasks.py BaseTaskTests.test_shield_cancel_outer", () =>
  withVirtualLoop(async (loop) => {
    const inner = newFuture<number>(loop);
    const outer = asyncio.shield(inner);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    assert.ok(outer.cancelled());
    assert.equal(callbackEntries(outer).length, 0);
  }));

// test_tasks.py BaseTaskTests.test_shield_shortcut
test("test_tasks.py BaseTaskTests.test_shield_shortcut", () =>
  withVirtualLoop(async (loop) => {
    const fut = newFuture<number>(loop);
    fut.setResult(42);
    const res = await loop.runUntilComplete(asyncio.shield(fut));
    assert.equal(res, 42);
  }));

// test_tasks.py BaseTaskTests.test_shield_effect
test("test_tasks.py BaseTaskTests.test_shield_effect", () =>
  withVirtualLoop(async (loop) => {
    let proof = 0;
    const waiter = newFuture<void>(loop);
    function* inner(): Coroutine<void> {
      yield* waiter;
      proof += 1;
    }
    function* outer(): Coroutine<void> {
      yield* asyncio.shield(inner());
      proof += 100;
    }
    const f = asyncio.ensureFuture(outer(), { loop });
    await runBriefly(loop);
    f.cancel();
    await rejects(CancelledError, loop.runUntilComplete(f));
    waiter.setResult(undefined);
    await runBriefly(loop);
    assert.equal(proof, 1);
  }));

// test_tasks.py BaseTaskTests.test_shield_gather
test("test_tasks.py BaseTaskTests.test_shield_gather", () =>
  withVirtualLoop(async (loop) => {
    const child1 = newFuture<number>(loop);
    const child2 = newFuture<number>(loop);
    const parent = asyncio.gather(child1, child2);
    const outer = asyncio.shield(parent);
    await runBriefly(loop);
    outer.cancel();
    await runBriefly(loop);
    assert.ok(outer.cancelled());
    child1.setResult(1);
    child2.setResult(2);
    await runBriefly(loop);
    assert.deepEqual(parent.result(), [1, 2]);
  }));

// test_tasks.py BaseTaskTests.test_gather_shield
test("test_tasks.py BaseTaskTests.test_gather_shield", () =>
  withVirtualLoop(async (loop) => {
    const child1 = newFuture<number>(loop);
    const child2 = newFuture<number>(loop);
    const inner1 = asyncio.shield(child1);
    const inner2 = asyncio.shield(child2);
    const parent = asyncio.gather(inner1, inner2);
    await runBriefly(loop);
    parent.cancel();
    await runBriefly(loop);
    assert.ok(parent.exception() instanceof CancelledError);
    assert.ok(inner1.cancelled());
    assert.ok(inner2.cancelled());
    child1.setResult(1);
    child2.setResult(2);
    await runBriefly(loop);
  }));

// test_tasks.py BaseTaskTests.test_shield_coroutine_without_loop
test("test_tasks.py BaseTaskTests.test_shield_coroutine_without_loop", () =>
  withVirtualLoop(() => {
    function* coro(): Coroutine<number> {
      return 42;
    }
    const inner = coro();
    assert.throws(() => asyncio.shield(inner), (e: unknown) => e instanceof RuntimeError && /no current event loop/.test(e.message));
    inner.return(0);
  }));

// test_tasks.py BaseTaskTests.test_shield_coroutine_use_running_loop
test("test_tasks.py BaseTaskTests.test_shield_coroutine_use_running_loop", () =>
  withVirtualLoop(async (loop) => {
    function* coro(): Coroutine<number> {
      return 42;
    }
    const [outer] = await loop.runUntilComplete((function* t(): Coroutine<[Future<number>]> {
      return [asyncio.shield(coro())];
    })());
    assert.equal(outer.getLoop(), loop);
    const res = await loop.runUntilComplete(outer);
    assert.equal(res, 42);
  }));

// test_tasks.py BaseTaskTests.test_shield_coroutine_use_global_loop
test("test_tasks.py BaseTaskTests.test_shield_coroutine_use_global_loop", () =>
  withVirtualLoop(async (loop) => {
    function* coro(): Coroutine<number> {
      return 42;
    }
    asyncio.setEventLoop(loop);
    const outer = asyncio.shield(coro());
    assert.equal(outer.getLoop(), loop);
    const res = await loop.runUntilComplete(outer);
    assert.equal(res, 42);
  }));

// test_tasks.py BaseTaskTests.test_as_completed_invalid_args
test("test_tasks.py BaseTaskTests.test_as_completed_invalid_args", () =>
  withVirtualLoop(async (loop) => {
    const fut = newFuture<void>(loop);
    // asCompleted() returns 3.13's iterator object (not a coroutine), which runUntilComplete
    // refuses with a TypeError at once, as CPython 3.12's run_until_complete refuses its generator.
    await rejects(TypeError, (async () => loop.runUntilComplete(asyncio.asCompleted(fut as unknown as Iterable<Future<void>>) as unknown as Coroutine<void>))());
    assert.throws(() => asyncio.asCompleted(fut as unknown as Iterable<Future<void>>).next(), TypeError);
    const coro = (function* coroutineFunction(): Coroutine<void> {})();
    await rejects(TypeError, (async () => loop.runUntilComplete(asyncio.asCompleted(coro as unknown as Iterable<Future<void>>) as unknown as Coroutine<void>))());
    assert.throws(() => asyncio.asCompleted(coro as unknown as Iterable<Future<void>>).next(), TypeError);
    coro.return();
  }));

// test_tasks.py BaseTaskTests.test_wait_invalid_args
test("test_tasks.py BaseTaskTests.test_wait_invalid_args", () =>
  withVirtualLoop(async (loop) => {
    const fut = newFuture<void>(loop);
    await rejects(TypeError, loop.runUntilComplete(asyncio.wait(fut as unknown as Iterable<Future<void>>)));
    const coro = (function* coroutineFunction(): Coroutine<void> {})();
    await rejects(TypeError, loop.runUntilComplete(asyncio.wait(coro as unknown as Iterable<Future<void>>)));
    coro.return();
    await rejects(ValueError, loop.runUntilComplete(asyncio.wait([])));
  }));

// test_tasks.py BaseTaskTests.test_log_destroyed_pending_task
test("test_tasks.py BaseTaskTests.test_log_destroyed_pending_task", () =>
  withVirtualLoop(async (loop) => {
    function* killMe(l: asyncio.AbstractEventLoop): Coroutine<void> {
      const future = newFuture<void>(l);
      yield* future;
      throw new Error("code never reached");
    }
    const calls: [unknown, asyncio.ExceptionContext][] = [];
    loop.setDebug(true);
    loop.setExceptionHandler((l, ctx) => void calls.push([l, ctx]));
    let sourceTraceback: string | null = null;
    (() => {
      const task = asyncio.ensureFuture(killMe(loop), { loop });
      assert.deepEqual(asyncio.allTasks(loop), new Set([task]));
      sourceTraceback = task._sourceTraceback;
    })();
    // _run_once: the task runs its first step and waits for its future.
    await runBriefly(loop);
    await gcCollect();
    assert.deepEqual(asyncio.allTasks(loop), new Set());
    assert.equal(calls.length, 1);
    const [l, ctx] = calls[0]!;
    assert.equal(l, loop);
    assert.equal(ctx.message, "Task was destroyed but it is pending!");
    assert.ok(sourceTraceback !== null);
    assert.equal(ctx.source_traceback, sourceTraceback);
  }));

// test_tasks.py BaseTaskTests.test_tb_logger_not_called_after_cancel
test("test_tasks.py BaseTaskTests.test_tb_logger_not_called_after_cancel", () =>
  withVirtualLoop(async (loop) => {
    const errors: asyncio.LogRecord[] = [];
    asyncio.logger.setSink((r) => {
      if (r.level >= asyncio.LogLevel.ERROR) errors.push(r);
    });
    try {
      function* coro(): Coroutine<void> {
        throw new TypeError();
      }
      function* runner(): Coroutine<void> {
        let task: Task<void> | null = newTask(loop, coro());
        yield* asyncio.sleep(0.05);
        task.cancel();
        task = null;
      }
      await loop.runUntilComplete(runner());
      await gcCollect();
      assert.equal(errors.length, 0);
    } finally {
      asyncio.logger.setSink(null);
    }
  }));

// test_tasks.py BaseTaskTests.test_task_source_traceback
test("test_tasks.py BaseTaskTests.test_task_source_traceback", () =>
  withVirtualLoop(async (loop) => {
    loop.setDebug(true);
    const task = newTask(loop, (function* coroutineFunction(): Coroutine<void> {})());
    assert.equal(typeof task._sourceTraceback, "string");
    assert.match(task._sourceTraceback!, /tasks-cpython\.test\.ts:\d+/);
    await loop.runUntilComplete(task);
  }));

// test_tasks.py BaseTaskTests.test_cancel_gather_1
test("test_tasks.py BaseTaskTests.test_cancel_gather_1", () =>
  withVirtualLoop(async (loop) => {
    const fut = newFuture<number>(loop);
    function* create(): Coroutine<[Future<number[]>]> {
      function* childCoro(): Coroutine<number> {
        return yield* fut;
      }
      const gatherFuture = asyncio.gather(childCoro());
      return [asyncio.ensureFuture(gatherFuture)];
    }
    const [gatherTask] = await loop.runUntilComplete(create());
    let cancelResult: boolean | null = null;
    fut.addDoneCallback(() => {
      cancelResult = gatherTask.cancel();
    });
    fut.setResult(42);
    await loop.runUntilComplete(gatherTask);
    assert.equal(cancelResult, false);
    assert.ok(!gatherTask.cancelled());
    assert.deepEqual(gatherTask.result(), [42]);
  }));

// test_tasks.py BaseTaskTests.test_cancel_gather_2
test("test_tasks.py BaseTaskTests.test_cancel_gather_2", async () => {
  for (const [cancelArg, expected] of CANCEL_CASES) {
    await withVirtualLoop(async (loop) => {
      function* t(): Coroutine<void> {
        let time = 0;
        for (;;) {
          time += 0.05;
          yield* asyncio.gather(asyncio.sleep(0.05), { returnExceptions: true });
          if (time > 1) return;
        }
      }
      function* main(): Coroutine<void> {
        const qwe = newTask(loop, t());
        yield* asyncio.sleep(0.2);
        if (cancelArg === undefined) qwe.cancel();
        else qwe.cancel(cancelArg);
        yield* qwe;
      }
      const exc = await rejects(CancelledError, loop.runUntilComplete(main()));
      assert.equal(exc.message, expected);
      assert.deepEqual(innermostCause(exc), [CancelledError, expected, 0]);
    });
  }
});

// test_tasks.py BaseTaskTests.test_exception_traceback
test("test_tasks.py BaseTaskTests.test_exception_traceback", () =>
  withVirtualLoop(async (loop) => {
    function* foo(): Coroutine<void> {
      throw new ZeroDivisionError("division by zero");
    }
    function* main(): Coroutine<void> {
      const task = newTask(loop, foo());
      yield* asyncio.sleep(0);
      const e = task.exception();
      assert.ok(e instanceof ZeroDivisionError);
      assert.match(e.stack ?? "", /\bfoo\b/);
    }
    await loop.runUntilComplete(main());
  }));

// test_tasks.py BaseTaskTests.test_create_task_with_noncoroutine
test("test_tasks.py BaseTaskTests.test_create_task_with_noncoroutine", () =>
  withVirtualLoop((loop) => {
    for (let i = 0; i < 2; i++) {
      assert.throws(() => newTask(loop, 123 as unknown as Coroutine<void>),
        (e: unknown) => e instanceof TypeError && /a coroutine was expected, got 123/.test(e.message));
    }
  }));

// test_tasks.py BaseTaskTests.test_create_task_with_async_function
test("test_tasks.py BaseTaskTests.test_create_task_with_async_function", () =>
  withVirtualLoop(async (loop) => {
    function* coro(): Coroutine<void> {}
    for (let i = 0; i < 2; i++) {
      const task = newTask(loop, coro());
      assert.ok(task instanceof asyncio.Task);
      await loop.runUntilComplete(task);
    }
  }));

/** CoroLikeObject: a hand-written coroutine object (the iterator protocol plus throw/return). */
class CoroLikeObject implements Coroutine<number> {
  next(): IteratorResult<unknown, number> {
    return { done: true, value: 42 };
  }
  throw(e: unknown): IteratorResult<unknown, number> {
    throw e;
  }
  return(): IteratorResult<unknown, number> {
    return { done: true, value: 0 };
  }
  [Symbol.iterator](): this {
    return this;
  }
  [Symbol.dispose](): void {}
}

// test_tasks.py BaseTaskTests.test_create_task_with_asynclike_function
test("test_tasks.py BaseTaskTests.test_create_task_with_asynclike_function", () =>
  withVirtualLoop(async (loop) => {
    for (let i = 0; i < 2; i++) {
      const task = newTask(loop, new CoroLikeObject());
      assert.ok(task instanceof asyncio.Task);
      assert.equal(await loop.runUntilComplete(task), 42);
    }
  }));

// test_tasks.py BaseTaskTests.test_bare_create_task
test("test_tasks.py BaseTaskTests.test_bare_create_task", () =>
  withVirtualLoop(async (loop) => {
    function* inner(): Coroutine<number> {
      return 1;
    }
    function* coro(): Coroutine<void> {
      const task = asyncio.createTask(inner());
      assert.ok(task instanceof asyncio.Task);
      const ret = yield* task;
      assert.equal(ret, 1);
    }
    await loop.runUntilComplete(coro());
  }));

// test_tasks.py BaseTaskTests.test_bare_create_named_task
test("test_tasks.py BaseTaskTests.test_bare_create_named_task", () =>
  withVirtualLoop(async (loop) => {
    function* coroNoop(): Coroutine<void> {}
    function* coro(): Coroutine<void> {
      const task = asyncio.createTask(coroNoop(), { name: "No-op" });
      assert.equal(task.getName(), "No-op");
      yield* task;
    }
    await loop.runUntilComplete(coro());
  }));

// test_tasks.py BaseTaskTests.test_context_1
test("test_tasks.py BaseTaskTests.test_context_1", async () => {
  const cvar = new asyncio.ContextVar<string>("cvar", { default: "nope" });
  function* sub(): Coroutine<void> {
    yield* asyncio.sleep(0.01);
    assert.equal(cvar.get(), "nope");
    cvar.set("something else");
  }
  function* main(): Coroutine<void> {
    assert.equal(cvar.get(), "nope");
    const subtask = newTask(loop, sub());
    cvar.set("yes");
    assert.equal(cvar.get(), "yes");
    yield* subtask;
    assert.equal(cvar.get(), "yes");
  }
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    await loop.runUntilComplete(newTask(loop, main()));
  } finally {
    loop.close();
  }
});

// test_tasks.py BaseTaskTests.test_context_2
test("test_tasks.py BaseTaskTests.test_context_2", async () => {
  const cvar = new asyncio.ContextVar<string>("cvar", { default: "nope" });
  function* main(): Coroutine<void> {
    const futOnDone = (): void => {
      cvar.set("something else");
    };
    assert.equal(cvar.get(), "nope");
    for (let j = 0; j < 2; j++) {
      const fut = newFuture<void>(loop);
      fut.addDoneCallback(futOnDone);
      cvar.set(`yes${j}`);
      loop.callSoon(() => fut.setResult(undefined));
      yield* fut;
      assert.equal(cvar.get(), `yes${j}`);
      for (let i = 0; i < 3; i++) {
        cvar.set(`yes${i}-${j}`);
        yield* asyncio.sleep(0.001);
        assert.equal(cvar.get(), `yes${i}-${j}`);
      }
    }
  }
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    await loop.runUntilComplete(newTask(loop, main()));
  } finally {
    loop.close();
  }
  assert.equal(cvar.get(), "nope");
});

// test_tasks.py BaseTaskTests.test_context_3
test("test_tasks.py BaseTaskTests.test_context_3", async () => {
  const cvar = new asyncio.ContextVar<number>("cvar", { default: -1 });
  const uniform = (a: number, b: number): number => a + Math.random() * (b - a);
  function* sub(num: number): Coroutine<void> {
    for (let i = 0; i < 10; i++) {
      cvar.set(num + i);
      yield* asyncio.sleep(uniform(0.001, 0.05));
      assert.equal(cvar.get(), num + i);
    }
  }
  function* main(): Coroutine<void> {
    const tasks: Task<void>[] = [];
    for (let i = 0; i < 100; i++) tasks.push(loop.createTask(sub(Math.floor(Math.random() * 11))));
    yield* asyncio.gather(...tasks);
  }
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    await loop.runUntilComplete(main());
  } finally {
    loop.close();
  }
  assert.equal(cvar.get(), -1);
});

// test_tasks.py BaseTaskTests.test_context_4
test("test_tasks.py BaseTaskTests.test_context_4", async () => {
  const cvar = new asyncio.ContextVar<number>("cvar");
  function* coro(val: number): Coroutine<void> {
    yield* asyncio.sleep(0);
    cvar.set(val);
  }
  function* main(): Coroutine<(number | undefined)[]> {
    const ret: (number | undefined)[] = [];
    const ctx = asyncio.copyContext();
    ret.push(ctx.get(cvar));
    const t1 = newTask(loop, coro(1), "TestTask", ctx);
    yield* t1;
    ret.push(ctx.get(cvar));
    const t2 = newTask(loop, coro(2), "TestTask", ctx);
    yield* t2;
    ret.push(ctx.get(cvar));
    return ret;
  }
  const loop = asyncio.testing.newVirtualTimeLoop();
  let ret: (number | undefined)[];
  try {
    ret = await loop.runUntilComplete(newTask(loop, main()));
  } finally {
    loop.close();
  }
  assert.deepEqual(ret, [undefined, 1, 2]);
});

// test_tasks.py BaseTaskTests.test_context_5
test("test_tasks.py BaseTaskTests.test_context_5", async () => {
  const cvar = new asyncio.ContextVar<number>("cvar");
  function* coro(val: number): Coroutine<void> {
    yield* asyncio.sleep(0);
    cvar.set(val);
  }
  function* main(): Coroutine<(number | undefined)[]> {
    const ret: (number | undefined)[] = [];
    const ctx = asyncio.copyContext();
    ret.push(ctx.get(cvar));
    const t1 = asyncio.createTask(coro(1), { context: ctx });
    yield* t1;
    ret.push(ctx.get(cvar));
    const t2 = asyncio.createTask(coro(2), { context: ctx });
    yield* t2;
    ret.push(ctx.get(cvar));
    return ret;
  }
  const loop = asyncio.testing.newVirtualTimeLoop();
  let ret: (number | undefined)[];
  try {
    ret = await loop.runUntilComplete(newTask(loop, main()));
  } finally {
    loop.close();
  }
  assert.deepEqual(ret, [undefined, 1, 2]);
});

// test_tasks.py BaseTaskTests.test_context_6
test("test_tasks.py BaseTaskTests.test_context_6", async () => {
  const cvar = new asyncio.ContextVar<number>("cvar");
  function* coro(val: number): Coroutine<void> {
    yield* asyncio.sleep(0);
    cvar.set(val);
  }
  function* main(): Coroutine<(number | undefined)[]> {
    const ret: (number | undefined)[] = [];
    const ctx = asyncio.copyContext();
    ret.push(ctx.get(cvar));
    const t1 = loop.createTask(coro(1), { context: ctx });
    yield* t1;
    ret.push(ctx.get(cvar));
    const t2 = loop.createTask(coro(2), { context: ctx });
    yield* t2;
    ret.push(ctx.get(cvar));
    return ret;
  }
  const loop = asyncio.testing.newVirtualTimeLoop();
  let ret: (number | undefined)[];
  try {
    ret = await loop.runUntilComplete(loop.createTask(main()));
  } finally {
    loop.close();
  }
  assert.deepEqual(ret, [undefined, 1, 2]);
});

// test_tasks.py BaseTaskTests.test_get_coro
test("test_tasks.py BaseTaskTests.test_get_coro", async () => {
  const loop = asyncio.testing.newVirtualTimeLoop();
  const coro = (function* coroutineFunction(): Coroutine<void> {})();
  try {
    const task = newTask(loop, coro);
    await loop.runUntilComplete(task);
    assert.equal(task.getCoro(), coro);
  } finally {
    loop.close();
  }
});

// test_tasks.py BaseTaskTests.test_get_context
test("test_tasks.py BaseTaskTests.test_get_context", async () => {
  const loop = asyncio.testing.newVirtualTimeLoop();
  const coro = (function* coroutineFunction(): Coroutine<void> {})();
  const context = asyncio.copyContext();
  try {
    const task = newTask(loop, coro, "TestTask", context);
    await loop.runUntilComplete(task);
    assert.equal(task.getContext(), context);
  } finally {
    loop.close();
  }
});

// test_tasks.py BaseTaskTests.test_subclasses_ctask_cfuture (added by add_subclass_tests)
test("test_tasks.py BaseTaskTests.test_subclasses_ctask_cfuture", () =>
  withVirtualLoop(async (loop) => {
    const counting = new Map<object, number>();
    class SubTask<T> extends asyncio.Task<T> {
      override addDoneCallback(fn: asyncio.DoneCallback<this>, options?: { context?: asyncio.Context | null }): void {
        counting.set(this, (counting.get(this) ?? 0) + 1);
        super.addDoneCallback(fn, options);
      }
    }
    class SubFuture<T> extends asyncio.Future<T> {
      override addDoneCallback(fn: asyncio.DoneCallback<this>, options?: { context?: asyncio.Context | null }): void {
        counting.set(this, (counting.get(this) ?? 0) + 1);
        super.addDoneCallback(fn, options);
      }
    }
    const fut = new SubFuture<string>({ loop });
    function* func(): Coroutine<string> {
      loop.callSoon(() => fut.setResult("spam"));
      return yield* fut;
    }
    const task = new SubTask(func(), { loop });
    const result = await loop.runUntilComplete(task);
    assert.equal(result, "spam");
    assert.equal(counting.get(task), 1);
    assert.equal(counting.get(fut), 1);
  }));

// ---- SetMethodsTest ------------------------------------------------------------------

// test_tasks.py SetMethodsTest.test_set_result_causes_invalid_state
test("test_tasks.py SetMethodsTest.test_set_result_causes_invalid_state", () =>
  withVirtualLoop(async (loop) => {
    const contexts: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => void contexts.push(ctx));
    function* foo(): Coroutine<number | string> {
      yield* asyncio.sleep(0.1);
      return 10;
    }
    const coro = foo();
    const task = newTask(loop, coro);
    asyncio.Future.prototype.setResult.call(task, "spam");
    assert.equal(await loop.runUntilComplete(task), "spam");
    assert.equal(contexts.length, 1);
    const exc = contexts[0]!.exception;
    assert.ok(exc instanceof InvalidStateError);
    assert.match(exc.message, /step\(\): already done/);
    coro.return(0);
  }));

// test_tasks.py SetMethodsTest.test_set_exception_causes_invalid_state
test("test_tasks.py SetMethodsTest.test_set_exception_causes_invalid_state", () =>
  withVirtualLoop(async (loop) => {
    class MyExc extends Error {}
    const contexts: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => void contexts.push(ctx));
    function* foo(): Coroutine<number> {
      yield* asyncio.sleep(0.1);
      return 10;
    }
    const coro = foo();
    const task = newTask(loop, coro);
    asyncio.Future.prototype.setException.call(task, new MyExc());
    await rejects(MyExc, loop.runUntilComplete(task));
    assert.equal(contexts.length, 1);
    const exc = contexts[0]!.exception;
    assert.ok(exc instanceof InvalidStateError);
    assert.match(exc.message, /step\(\): already done/);
    coro.return(0);
  }));

// ---- BaseCurrentLoopTests --------------------------------------------------------------

// test_tasks.py BaseCurrentLoopTests.test_current_task_no_running_loop
test("test_tasks.py BaseCurrentLoopTests.test_current_task_no_running_loop", () =>
  withVirtualLoop((loop) => {
    assert.equal(asyncio.currentTask(loop), null);
  }));

// test_tasks.py BaseCurrentLoopTests.test_current_task_no_running_loop_implicit
test("test_tasks.py BaseCurrentLoopTests.test_current_task_no_running_loop_implicit", () =>
  withVirtualLoop(() => {
    assert.throws(() => asyncio.currentTask(), (e: unknown) => e instanceof RuntimeError && /no running event loop/.test(e.message));
  }));

// test_tasks.py BaseCurrentLoopTests.test_current_task_with_implicit_loop
test("test_tasks.py BaseCurrentLoopTests.test_current_task_with_implicit_loop", () =>
  withVirtualLoop(async (loop) => {
    function* coro(): Coroutine<void> {
      assert.equal(asyncio.currentTask(loop), task);
      assert.equal(asyncio.currentTask(null), task);
      assert.equal(asyncio.currentTask(), task);
    }
    const task: Task<void> = new asyncio.Task(coro(), { loop });
    await loop.runUntilComplete(task);
    assert.equal(asyncio.currentTask(loop), null);
  }));

// ---- GenericTaskTests ------------------------------------------------------------------

// test_tasks.py GenericTaskTests.test_future_subclass
test("test_tasks.py GenericTaskTests.test_future_subclass", () => {
  assert.ok(asyncio.Task.prototype instanceof asyncio.Future);
});

// ---- GatherTestsBase, FutureGatherTests, CoroutineGatherTests ----------------------------
// GatherTestsBase's methods run in CPython once with futures (FutureGatherTests) and once with
// coroutines awaiting them (CoroutineGatherTests): really different children, so both are here.

/** GatherTestsBase._run_loop: runs the loop while callbacks are ready. */
async function runLoop(loop: asyncio.AbstractEventLoop): Promise<void> {
  const ready = (loop as unknown as { _ready: { length: number } })._ready;
  while (ready.length > 0) await runBriefly(loop);
}

/** test_utils.MockCallback: records its calls. */
function mockCallback(): ((...args: unknown[]) => void) & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const cb = (...args: unknown[]): void => void calls.push(args);
  return Object.assign(cb, { calls });
}

// The future travels in an array: a promise would adopt a Future (a thenable) as its own outcome.
type Gather = (loop: VirtualTimeLoop, futs: Future<unknown>[], opts?: asyncio.GatherOptions) => Promise<[Future<unknown[]>]>;

/** FutureGatherTests: the futures themselves are gathered. */
const futureGather: Gather = async (_loop, futs, opts) =>
  [(opts === undefined ? asyncio.gather(...futs) : asyncio.gather(...futs, opts)) as Future<unknown[]>];

/** CoroutineGatherTests: a coroutine awaits each future; gather() is called inside the loop. */
const coroutineGather: Gather = async (loop, futs, opts) => {
  const coros = futs.map((fut) => (function* coro(): Coroutine<unknown> {
    return yield* fut;
  })());
  return loop.runUntilComplete((function* coro(): Coroutine<[Future<unknown[]>]> {
    return [(opts === undefined ? asyncio.gather(...coros) : asyncio.gather(...coros, opts)) as Future<unknown[]>];
  })());
};

/** GatherTestsBase.setUp: one_loop (the current loop) and other_loop. */
async function withGatherLoops(body: (one: VirtualTimeLoop, other: VirtualTimeLoop) => Promise<void>): Promise<void> {
  await withVirtualLoop(async (one) => {
    const other = asyncio.testing.newVirtualTimeLoop();
    try {
      await body(one, other);
    } finally {
      other.close();
    }
  });
}

async function checkSuccess(gather: Gather, opts?: asyncio.GatherOptions): Promise<void> {
  await withGatherLoops(async (one) => {
    const [a, b, c] = [0, 1, 2].map(() => one.createFuture<number>()) as [Future<number>, Future<number>, Future<number>];
    const [fut] = await gather(one, [a, b, c], opts);
    const cb = mockCallback();
    fut.addDoneCallback(cb);
    b.setResult(1);
    a.setResult(2);
    await runLoop(one);
    assert.equal(cb.calls.length, 0);
    assert.ok(!fut.done());
    c.setResult(3);
    await runLoop(one);
    assert.deepEqual(cb.calls, [[fut]]);
    assert.deepEqual(fut.result(), [2, 1, 3]);
  });
}

async function checkOneException(gather: Gather): Promise<void> {
  await withGatherLoops(async (one) => {
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(() => one.createFuture<number>()) as Future<number>[];
    const [fut] = await gather(one, [a!, b!, c!, d!, e!]);
    const cb = mockCallback();
    fut.addDoneCallback(cb);
    const exc = new ZeroDivisionError();
    a!.setResult(1);
    b!.setException(exc);
    await runLoop(one);
    assert.ok(fut.done());
    assert.deepEqual(cb.calls, [[fut]]);
    assert.equal(fut.exception(), exc);
    c!.setResult(3);
    d!.cancel();
    e!.setException(new RuntimeError());
    e!.exception();
  });
}

async function checkReturnExceptions(gather: Gather): Promise<void> {
  await withGatherLoops(async (one) => {
    const [a, b, c, d] = [0, 1, 2, 3].map(() => one.createFuture<number>()) as Future<number>[];
    const [fut] = await gather(one, [a!, b!, c!, d!], { returnExceptions: true });
    const cb = mockCallback();
    fut.addDoneCallback(cb);
    const exc = new ZeroDivisionError();
    const exc2 = new RuntimeError();
    b!.setResult(1);
    c!.setException(exc);
    a!.setResult(3);
    await runLoop(one);
    assert.ok(!fut.done());
    d!.setException(exc2);
    await runLoop(one);
    assert.ok(fut.done());
    assert.deepEqual(cb.calls, [[fut]]);
    const res = fut.result();
    assert.equal(res.length, 4);
    assert.deepEqual(res.slice(0, 2), [3, 1]);
    assert.equal(res[2], exc);
    assert.equal(res[3], exc2);
  });
}

for (const [cls, gather] of [["FutureGatherTests", futureGather], ["CoroutineGatherTests", coroutineGather]] as const) {
  // test_tasks.py GatherTestsBase.test_success (FutureGatherTests, CoroutineGatherTests)
  test(`test_tasks.py ${cls}.test_success`, async () => {
    await checkSuccess(gather);
    await checkSuccess(gather, { returnExceptions: false });
  });

  // test_tasks.py GatherTestsBase.test_result_exception_success (FutureGatherTests, CoroutineGatherTests)
  test(`test_tasks.py ${cls}.test_result_exception_success`, () => checkSuccess(gather, { returnExceptions: true }));

  // test_tasks.py GatherTestsBase.test_one_exception (FutureGatherTests, CoroutineGatherTests)
  test(`test_tasks.py ${cls}.test_one_exception`, () => checkOneException(gather));

  // test_tasks.py GatherTestsBase.test_return_exceptions (FutureGatherTests, CoroutineGatherTests)
  test(`test_tasks.py ${cls}.test_return_exceptions`, () => checkReturnExceptions(gather));
}

// test_tasks.py GatherTestsBase.test_env_var_debug
// PYTHONASYNCIODEBUG is TSYNCIO_DEBUG, read when a loop is made (Python reads it at import,
// hence its child interpreters; -E and -X dev have no Node counterpart).
test("test_tasks.py GatherTestsBase.test_env_var_debug", () => {
  const saved = process.env.TSYNCIO_DEBUG;
  const debugOfNewLoop = (value: string | undefined): boolean => {
    if (value === undefined) delete process.env.TSYNCIO_DEBUG;
    else process.env.TSYNCIO_DEBUG = value;
    const loop = asyncio.newEventLoop();
    try {
      return loop.getDebug();
    } finally {
      loop.close();
    }
  };
  try {
    assert.equal(debugOfNewLoop(undefined), false);
    assert.equal(debugOfNewLoop(""), false);
    assert.equal(debugOfNewLoop("1"), true);
  } finally {
    if (saved === undefined) delete process.env.TSYNCIO_DEBUG;
    else process.env.TSYNCIO_DEBUG = saved;
  }
});

// test_tasks.py FutureGatherTests.test_constructor_empty_sequence_without_loop
test("test_tasks.py FutureGatherTests.test_constructor_empty_sequence_without_loop", () =>
  withGatherLoops(async () => {
    assert.throws(() => asyncio.gather(), (e: unknown) => e instanceof RuntimeError && /no current event loop/.test(e.message));
  }));

// test_tasks.py FutureGatherTests.test_constructor_empty_sequence_use_running_loop
test("test_tasks.py FutureGatherTests.test_constructor_empty_sequence_use_running_loop", () =>
  withGatherLoops(async (one) => {
    const [fut] = await one.runUntilComplete((function* gather(): Coroutine<[Future<[]>]> {
      return [asyncio.gather()];
    })());
    assert.ok(fut instanceof asyncio.Future);
    assert.equal(fut.getLoop(), one);
    await runLoop(one);
    assert.ok(fut.done());
    assert.deepEqual(fut.result(), []);
  }));

// test_tasks.py FutureGatherTests.test_constructor_empty_sequence_use_global_loop
test("test_tasks.py FutureGatherTests.test_constructor_empty_sequence_use_global_loop", () =>
  withGatherLoops(async (one) => {
    asyncio.setEventLoop(one);
    const fut = asyncio.gather();
    assert.ok(fut instanceof asyncio.Future);
    assert.equal(fut.getLoop(), one);
    await runLoop(one);
    assert.ok(fut.done());
    assert.deepEqual(fut.result(), []);
  }));

// test_tasks.py FutureGatherTests.test_constructor_heterogenous_futures
test("test_tasks.py FutureGatherTests.test_constructor_heterogenous_futures", () =>
  withGatherLoops(async (one, other) => {
    const fut1 = one.createFuture();
    const fut2 = other.createFuture();
    assert.throws(() => asyncio.gather(fut1, fut2), ValueError);
  }));

// test_tasks.py FutureGatherTests.test_constructor_homogenous_futures
test("test_tasks.py FutureGatherTests.test_constructor_homogenous_futures", () =>
  withGatherLoops(async (_one, other) => {
    const children = [0, 1, 2].map(() => other.createFuture());
    let fut = asyncio.gather(...children);
    assert.equal(fut.getLoop(), other);
    await runLoop(other);
    assert.ok(!fut.done());
    fut = asyncio.gather(...children);
    assert.equal(fut.getLoop(), other);
    await runLoop(other);
    assert.ok(!fut.done());
  }));

// test_tasks.py FutureGatherTests.test_one_cancellation
test("test_tasks.py FutureGatherTests.test_one_cancellation", () =>
  withGatherLoops(async (one) => {
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(() => one.createFuture<number>()) as Future<number>[];
    const fut = asyncio.gather(a!, b!, c!, d!, e!);
    const cb = mockCallback();
    fut.addDoneCallback(cb);
    a!.setResult(1);
    b!.cancel();
    await runLoop(one);
    assert.ok(fut.done());
    assert.deepEqual(cb.calls, [[fut]]);
    assert.ok(!fut.cancelled());
    assert.ok(fut.exception() instanceof CancelledError);
    c!.setResult(3);
    d!.cancel();
    e!.setException(new RuntimeError());
    e!.exception();
  }));

// test_tasks.py FutureGatherTests.test_result_exception_one_cancellation
test("test_tasks.py FutureGatherTests.test_result_exception_one_cancellation", () =>
  withGatherLoops(async (one) => {
    const [a, b, c, d, e, f] = [0, 1, 2, 3, 4, 5].map(() => one.createFuture<number>()) as Future<number>[];
    const fut = asyncio.gather(a!, b!, c!, d!, e!, f!, { returnExceptions: true });
    const cb = mockCallback();
    fut.addDoneCallback(cb);
    a!.setResult(1);
    const zde = new ZeroDivisionError();
    b!.setException(zde);
    c!.cancel();
    await runLoop(one);
    assert.ok(!fut.done());
    d!.setResult(3);
    e!.cancel();
    const rte = new RuntimeError();
    f!.setException(rte);
    const res = (await one.runUntilComplete(fut)) as unknown[];
    assert.ok(res[2] instanceof CancelledError);
    assert.ok(res[4] instanceof CancelledError);
    res[2] = res[4] = null;
    assert.deepEqual(res, [1, zde, null, 3, null, rte]);
    assert.deepEqual(cb.calls, [[fut]]);
  }));

// test_tasks.py CoroutineGatherTests.test_constructor_without_loop
test("test_tasks.py CoroutineGatherTests.test_constructor_without_loop", () =>
  withGatherLoops(async () => {
    function* coro(): Coroutine<string> {
      return "abc";
    }
    const gen1 = coro();
    const gen2 = coro();
    assert.throws(() => asyncio.gather(gen1, gen2), (e: unknown) => e instanceof RuntimeError && /no current event loop/.test(e.message));
    gen1.return("");
    gen2.return("");
  }));

// test_tasks.py CoroutineGatherTests.test_constructor_use_running_loop
test("test_tasks.py CoroutineGatherTests.test_constructor_use_running_loop", () =>
  withGatherLoops(async (one) => {
    function* coro(): Coroutine<string> {
      return "abc";
    }
    const gen1 = coro();
    const gen2 = coro();
    const [fut] = await one.runUntilComplete((function* gather(): Coroutine<[Future<string[]>]> {
      return [asyncio.gather(gen1, gen2)];
    })());
    assert.equal(fut.getLoop(), one);
    await one.runUntilComplete(fut);
  }));

// test_tasks.py CoroutineGatherTests.test_constructor_use_global_loop
test("test_tasks.py CoroutineGatherTests.test_constructor_use_global_loop", () =>
  withGatherLoops(async (_one, other) => {
    function* coro(): Coroutine<string> {
      return "abc";
    }
    asyncio.setEventLoop(other);
    const fut = asyncio.gather(coro(), coro());
    assert.equal(fut.getLoop(), other);
    await other.runUntilComplete(fut);
  }));

// test_tasks.py CoroutineGatherTests.test_duplicate_coroutines
test("test_tasks.py CoroutineGatherTests.test_duplicate_coroutines", () =>
  withGatherLoops(async (one) => {
    function* coro(s: string): Coroutine<string> {
      return s;
    }
    const c = coro("abc");
    const [fut] = await one.runUntilComplete((function* g(): Coroutine<[Future<string[]>]> {
      return [asyncio.gather(c, c, coro("def"), c)];
    })());
    await runLoop(one);
    assert.deepEqual(fut.result(), ["abc", "abc", "def", "abc"]);
  }));

// test_tasks.py CoroutineGatherTests.test_cancellation_broadcast
test("test_tasks.py CoroutineGatherTests.test_cancellation_broadcast", () =>
  withGatherLoops(async (one) => {
    let proof = 0;
    const waiter = one.createFuture<void>();
    function* inner(): Coroutine<void> {
      yield* waiter;
      proof += 1;
    }
    const child1 = asyncio.ensureFuture(inner(), { loop: one });
    const child2 = asyncio.ensureFuture(inner(), { loop: one });
    let gatherer: Future<void[]> | null = null;
    function* outer(): Coroutine<void> {
      gatherer = asyncio.gather(child1, child2);
      yield* gatherer;
      proof += 100;
    }
    const f = asyncio.ensureFuture(outer(), { loop: one });
    await runBriefly(one);
    assert.ok(f.cancel());
    await rejects(CancelledError, one.runUntilComplete(f));
    assert.ok(!gatherer!.cancel());
    assert.ok(waiter.cancelled());
    assert.ok(child1.cancelled());
    assert.ok(child2.cancelled());
    await runBriefly(one);
    assert.equal(proof, 0);
  }));

// test_tasks.py CoroutineGatherTests.test_exception_marking
test("test_tasks.py CoroutineGatherTests.test_exception_marking", () =>
  withGatherLoops(async (one) => {
    function* inner(f: Future<void>): Coroutine<void> {
      yield* f;
      throw new RuntimeError("should not be ignored");
    }
    const a = one.createFuture<void>();
    const b = one.createFuture<void>();
    function* outer(): Coroutine<void> {
      yield* asyncio.gather(inner(a), inner(b));
    }
    const f = asyncio.ensureFuture(outer(), { loop: one });
    await runBriefly(one);
    a.setResult(undefined);
    await runBriefly(one);
    b.setResult(undefined);
    await runBriefly(one);
    assert.ok(f.exception() instanceof RuntimeError);
  }));

// test_tasks.py CoroutineGatherTests.test_issue46672
// Python's non-awaitable {} would be gather's options object here; 123 is the non-awaitable.
test("test_tasks.py CoroutineGatherTests.test_issue46672", () =>
  withGatherLoops(async (one) => {
    const contexts: asyncio.ExceptionContext[] = [];
    one.setExceptionHandler((_l, ctx) => void contexts.push(ctx));
    function* coro(s: string): Coroutine<string> {
      return s;
    }
    const c = coro("abc");
    await rejects(TypeError, one.runUntilComplete((function* g(): Coroutine<void> {
      asyncio.gather(c, 123 as unknown as Future<number>);
    })()));
    await runLoop(one);
    assert.deepEqual(contexts, []);
  }));

// ---- RunCoroutineThreadsafeTests ---------------------------------------------------------
// No thread shares the loop in JavaScript: the "other thread" is a Node callback outside the
// loop's steps, and runCoroutineThreadsafe() gives it a Promise (docs/differences.md).

/** RunCoroutineThreadsafeTests.add: waits 0.05 second and returns a + b. */
function* add(loop: asyncio.AbstractEventLoop, a: number, b: number, fail = false, cancel = false): Coroutine<number> {
  yield* asyncio.sleep(0.05);
  if (fail) throw new RuntimeError("Fail!");
  if (cancel) {
    asyncio.currentTask(loop)!.cancel();
    yield* asyncio.sleep(0);
  }
  return a + b;
}

/** RunCoroutineThreadsafeTests.target: from outside the loop, runs add() in it and waits for the result. */
async function target(loop: asyncio.AbstractEventLoop, fail = false, cancel = false): Promise<number> {
  await new Promise((r) => setImmediate(r));
  return asyncio.runCoroutineThreadsafe(add(loop, 1, 2, fail, cancel), loop);
}

// test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe
test("test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe", () =>
  withVirtualLoop(async (loop) => {
    const result = await loop.runUntilComplete(asyncio.wrapFuture(target(loop), { loop }));
    assert.equal(result, 3);
  }));

// test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_with_exception
test("test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_with_exception", () =>
  withVirtualLoop(async (loop) => {
    const e = await rejects(RuntimeError, loop.runUntilComplete(asyncio.wrapFuture(target(loop, true), { loop })));
    assert.equal(e.message, "Fail!");
  }));

// test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_task_cancelled
test("test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_task_cancelled", () =>
  withVirtualLoop(async (loop) => {
    await rejects(CancelledError, loop.runUntilComplete(asyncio.wrapFuture(target(loop, false, true), { loop })));
  }));

// test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_task_factory_exception
test("test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_task_factory_exception", () =>
  withVirtualLoop(async (loop) => {
    class NameError extends Error {}
    const run = asyncio.wrapFuture(target(loop), { loop });
    const calls: [unknown, asyncio.ExceptionContext][] = [];
    loop.setExceptionHandler((l, ctx) => void calls.push([l, ctx]));
    loop.setTaskFactory(() => {
      throw new NameError();
    });
    const e = await rejects(NameError, loop.runUntilComplete(run));
    assert.equal(calls.length, 1);
    const [l, context] = calls[0]!;
    assert.equal(l, loop);
    assert.equal(context.exception, e);
  }));

// ---- SleepTests ------------------------------------------------------------------------

// test_tasks.py SleepTests.test_sleep_zero
test("test_tasks.py SleepTests.test_sleep_zero", () =>
  withVirtualLoop(async (loop) => {
    let result = 0;
    const incResult = (num: number): void => {
      result += num;
    };
    function* coro(): Coroutine<void> {
      loop.callSoon(incResult, 1);
      assert.equal(result, 0);
      const num = yield* asyncio.sleep(0, 10);
      assert.equal(result, 1);
      incResult(num);
    }
    await loop.runUntilComplete(coro());
    assert.equal(result, 11);
  }));

// test_tasks.py BaseTaskTests.test_get_stack
// tsyncio lists frames newest first (docs/differences.md), so the task's own coroutine foo(),
// which CPython's get_stack(limit=1) returns, is the last of the running task's frames.
test("test_tasks.py BaseTaskTests.test_get_stack", () =>
  withVirtualLoop(async (loop) => {
    let T: Task<void> | null = null;
    function* foo(): Coroutine<void> {
      yield* bar();
    }
    function* bar(): Coroutine<void> {
      const f = T!.getStack();
      assert.match(f[f.length - 1]!, /^at foo \(/);
      assert.match(f[0]!, /^at bar \(/);
      assert.equal(T!.getStack({ limit: 1 }).length, 1);
      let out = "";
      T!.printStack({ file: { write: (s: string) => (out += s) } });
      assert.match(out, /^Stack for <Task pending name='Task-\d+' coro=<\w+\(\)>.*> \(most recent call last\):\n/);
      assert.match(out, /\n {2}at foo \(/);
      yield* asyncio.sleep(0);
    }
    function* runner(): Coroutine<void> {
      T = asyncio.ensureFuture(foo(), { loop }) as Task<void>;
      yield* T;
    }
    await loop.runUntilComplete(runner());
  }));
