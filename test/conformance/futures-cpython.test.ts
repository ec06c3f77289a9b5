// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_futures.py and
// test_futures2.py, test by test (futures.test.ts checks the same module by topic).
// Each test names the CPython test it re-creates. The C and Python Future classes
// (CFutureTests/CSubFutureTests/PyFutureTests...) are one class here, so each mixin
// test appears once. test_utils.TestCase's loop is a VirtualTimeLoop that is not
// running; run_briefly() runs the loop for one short task, as CPython's. The "logger.error" of
// the traceback-logger tests is the loop's exception handler, whose default logs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, InvalidStateError, RuntimeError, StopIteration } from "../../src/index.js";
import type { Coroutine, Future } from "../../src/index.js";
import { copyFutureState, setResultUnlessCancelled } from "../../src/core/futures.js";
import { raisesSync } from "./_assertions.js";
import { gcCollect, runBriefly, runTest } from "./_test-utils.js";

/** test_utils.TestCase with new_test_loop(): a loop that is closed afterwards; the current loop is unset, as TestCase does. */
async function withLoop<T>(body: (loop: asyncio.testing.VirtualTimeLoop) => T | Promise<T>): Promise<T> {
  const loop = new asyncio.testing.VirtualTimeLoop();
  loop.setDebug(false);
  asyncio.setEventLoop(null);
  try {
    return await body(loop);
  } finally {
    loop.close();
    asyncio.setEventLoopPolicy(null);
  }
}

/** BaseFutureTests._new_future(loop=self.loop). Local, not _test-utils' newFuture: test_future_repr expects the
 *  creation site recorded in the repr to be in this file, as CPython's points into test_futures.py. */
function newFuture<T = unknown>(loop: asyncio.AbstractEventLoop): Future<T> {
  return new asyncio.Future<T>({ loop });
}

function _fakefunc(f: unknown): unknown {
  return f;
}
function first_cb(): void {}
function last_cb(): void {}

/** test_futures.py's DuckFuture: not a Future, but duck-type compatible with it. */
class DuckFuture {
  _asyncio_future_blocking = false;
  private _cancelled = false;
  private _result: unknown = null;
  private _exception: unknown = null;
  cancel(): boolean {
    if (this.done()) return false;
    this._cancelled = true;
    return true;
  }
  cancelled(): boolean {
    return this._cancelled;
  }
  done(): boolean {
    return this._cancelled || this._result !== null || this._exception !== null;
  }
  result(): unknown {
    assert.ok(!this.cancelled());
    if (this._exception !== null) throw this._exception;
    return this._result;
  }
  exception(): unknown {
    assert.ok(!this.cancelled());
    return this._exception;
  }
  setResult(result: unknown): void {
    assert.ok(!this.done());
    assert.notEqual(result, null);
    this._result = result;
  }
  setException(exception: unknown): void {
    assert.ok(!this.done());
    assert.notEqual(exception, null);
    this._exception = exception;
  }
  *[Symbol.iterator](): Generator<unknown, unknown, unknown> {
    if (!this.done()) {
      this._asyncio_future_blocking = true;
      yield this;
    }
    assert.ok(this.done());
    return this.result();
  }
}

// ---- DuckTests ------------------------------------------------------------------

// test_futures.py DuckTests.test_wrap_future
test("test_futures.DuckTests.test_wrap_future", () =>
  withLoop(() => {
    const f = new DuckFuture();
    const g = asyncio.wrapFuture(f as unknown as Future<unknown>);
    assert.equal(g, f);
  }));

// test_futures.py DuckTests.test_ensure_future
test("test_futures.DuckTests.test_ensure_future", () =>
  withLoop(() => {
    const f = new DuckFuture();
    const g = asyncio.ensureFuture(f as unknown as Future<unknown>);
    assert.equal(g, f);
  }));

// ---- BaseFutureTests ------------------------------------------------------------

// test_futures.py BaseFutureTests.test_isfuture
test("test_futures.BaseFutureTests.test_isfuture", () =>
  withLoop((loop) => {
    class MyFuture {
      _asyncio_future_blocking: boolean | null = false;
    }
    assert.equal(asyncio.isfuture(MyFuture), false);
    assert.equal(asyncio.isfuture(new MyFuture()), true);
    assert.equal(asyncio.isfuture(1), false);
    const f = newFuture(loop);
    assert.equal(asyncio.isfuture(f), true);
    assert.equal(asyncio.isfuture(asyncio.Future), false);
    f.cancel();
  }));

// test_futures.py BaseFutureTests.test_initial_state
test("test_futures.BaseFutureTests.test_initial_state", () =>
  withLoop((loop) => {
    const f = newFuture(loop);
    assert.equal(f.cancelled(), false);
    assert.equal(f.done(), false);
    f.cancel();
    assert.equal(f.cancelled(), true);
  }));

// test_futures.py BaseFutureTests.test_constructor_without_loop
test("test_futures.BaseFutureTests.test_constructor_without_loop", () =>
  withLoop(() => {
    raisesSync(RuntimeError, () => new asyncio.Future(), /no current event loop/);
  }));

// test_futures.py BaseFutureTests.test_constructor_use_running_loop
test("test_futures.BaseFutureTests.test_constructor_use_running_loop", () =>
  withLoop(async (loop) => {
    // The future comes back in an array: a promise never resolves to a thenable, it
    // would wait for the future instead (docs/differences.md).
    function* t(): Coroutine<[Future<unknown>]> {
      return [new asyncio.Future()];
    }
    const [f] = await loop.runUntilComplete(t());
    assert.equal(f.getLoop(), loop);
  }));

// test_futures.py BaseFutureTests.test_constructor_use_global_loop
test("test_futures.BaseFutureTests.test_constructor_use_global_loop", () =>
  withLoop((loop) => {
    asyncio.setEventLoop(loop);
    const f = new asyncio.Future();
    assert.equal(f.getLoop(), loop);
  }));

// test_futures.py BaseFutureTests.test_future_cancel_message_getter
test("test_futures.BaseFutureTests.test_future_cancel_message_getter", () =>
  withLoop(async (loop) => {
    const f = newFuture(loop);
    // Python's private _cancel_message is tsyncio's _cancelMessage.
    assert.equal(f._cancelMessage, null);
    f.cancel("my message");
    await assert.rejects(loop.runUntilComplete(f), (e: unknown) => e instanceof CancelledError && e.message === "my message");
    assert.equal(f._cancelMessage, "my message");
  }));

// test_futures.py BaseFutureTests.test_future_cancel_message_setter
test("test_futures.BaseFutureTests.test_future_cancel_message_setter", () =>
  withLoop(async (loop) => {
    const f = newFuture(loop);
    f.cancel("my message");
    f._cancelMessage = "my new message";
    assert.equal(f._cancelMessage, "my new message");
    // The new message is the one the CancelledError carries.
    await assert.rejects(loop.runUntilComplete(f), (e: unknown) => e instanceof CancelledError && e.message === "my new message");
    assert.equal(f._cancelMessage, "my new message");
  }));

// test_futures.py BaseFutureTests.test_cancel
test("test_futures.BaseFutureTests.test_cancel", () =>
  withLoop((loop) => {
    const f = newFuture(loop);
    assert.equal(f.cancel(), true);
    assert.equal(f.cancelled(), true);
    assert.equal(f.done(), true);
    raisesSync(CancelledError, () => f.result());
    raisesSync(CancelledError, () => f.exception());
    raisesSync(InvalidStateError, () => f.setResult(null));
    raisesSync(InvalidStateError, () => f.setException(null));
    assert.equal(f.cancel(), false);
  }));

// test_futures.py BaseFutureTests.test_result
test("test_futures.BaseFutureTests.test_result", () =>
  withLoop((loop) => {
    const f = newFuture<number | null>(loop);
    raisesSync(InvalidStateError, () => f.result());
    f.setResult(42);
    assert.equal(f.cancelled(), false);
    assert.equal(f.done(), true);
    assert.equal(f.result(), 42);
    assert.equal(f.exception(), null);
    raisesSync(InvalidStateError, () => f.setResult(null));
    raisesSync(InvalidStateError, () => f.setException(null));
    assert.equal(f.cancel(), false);
  }));

// test_futures.py BaseFutureTests.test_exception
test("test_futures.BaseFutureTests.test_exception", () =>
  withLoop((loop) => {
    const exc = new RuntimeError();
    const f = newFuture(loop);
    raisesSync(InvalidStateError, () => f.exception());
    // StopIteration cannot be raised into a Future (CPython issue26221).
    raisesSync(TypeError, () => f.setException(StopIteration), /StopIteration .* cannot be raised/);
    f.setException(exc);
    assert.equal(f.cancelled(), false);
    assert.equal(f.done(), true);
    raisesSync(RuntimeError, () => f.result());
    assert.equal(f.exception(), exc);
    raisesSync(InvalidStateError, () => f.setResult(null));
    raisesSync(InvalidStateError, () => f.setException(null));
    assert.equal(f.cancel(), false);
  }));

// test_futures.py BaseFutureTests.test_exception_class
test("test_futures.BaseFutureTests.test_exception_class", () =>
  withLoop((loop) => {
    const f = newFuture(loop);
    f.setException(RuntimeError);
    assert.ok(f.exception() instanceof RuntimeError);
  }));

// test_futures.py BaseFutureTests.test_yield_from_twice
test("test_futures.BaseFutureTests.test_yield_from_twice", () =>
  withLoop((loop) => {
    const f = newFuture<number>(loop);
    function* fixture(): Generator<unknown, void, unknown> {
      yield "A";
      const x = yield* f;
      yield ["B", x];
      const y = yield* f;
      yield ["C", y];
    }
    const g = fixture();
    assert.equal(g.next().value, "A");
    assert.equal(g.next().value, f); // the first `yield* f` yields f
    f.setResult(42);
    assert.deepEqual(g.next().value, ["B", 42]);
    // The second `yield* f` does not yield f.
    assert.deepEqual(g.next().value, ["C", 42]);
  }));

// test_futures.py BaseFutureTests.test_future_repr
test("test_futures.BaseFutureTests.test_future_repr", () =>
  withLoop((loop) => {
    loop.setDebug(true);
    const fPendingDebug = newFuture(loop);
    // Python: `<Future pending created at FILE:LINE>`, the frame that created it.
    assert.match(String(fPendingDebug), /^<Future pending created at .*futures-cpython\.test\.ts:\d+(:\d+)?\)?>$/);
    fPendingDebug.cancel();

    loop.setDebug(false);
    const fPending = newFuture(loop);
    assert.equal(String(fPending), "<Future pending>");
    fPending.cancel();

    const fCancelled = newFuture(loop);
    fCancelled.cancel();
    assert.equal(String(fCancelled), "<Future cancelled>");

    const fResult = newFuture(loop);
    fResult.setResult(4);
    assert.equal(String(fResult), "<Future finished result=4>");
    assert.equal(fResult.result(), 4);

    const exc = new RuntimeError();
    const fException = newFuture(loop);
    fException.setException(exc);
    assert.equal(String(fException), "<Future finished exception=RuntimeError()>");
    assert.equal(fException.exception(), exc);

    const fOneCallbacks = newFuture(loop);
    fOneCallbacks.addDoneCallback(_fakefunc);
    assert.equal(String(fOneCallbacks), "<Future pending cb=[_fakefunc()]>");
    fOneCallbacks.cancel();
    assert.equal(String(fOneCallbacks), "<Future cancelled>");

    const fTwoCallbacks = newFuture(loop);
    fTwoCallbacks.addDoneCallback(first_cb);
    fTwoCallbacks.addDoneCallback(last_cb);
    assert.equal(String(fTwoCallbacks), "<Future pending cb=[first_cb(), last_cb()]>");

    const fManyCallbacks = newFuture(loop);
    fManyCallbacks.addDoneCallback(first_cb);
    for (let i = 0; i < 8; i++) fManyCallbacks.addDoneCallback(_fakefunc);
    fManyCallbacks.addDoneCallback(last_cb);
    assert.equal(String(fManyCallbacks), "<Future pending cb=[first_cb(), <8 more>, last_cb()]>");
    fManyCallbacks.cancel();
    assert.equal(String(fManyCallbacks), "<Future cancelled>");
  }));

// test_futures.py BaseFutureTests.test_copy_state
test("test_futures.BaseFutureTests.test_copy_state", () =>
  withLoop((loop) => {
    // asyncio.futures._copy_future_state is tsyncio's copyFutureState (src/core/futures.ts).
    const f = newFuture<number>(loop);
    f.setResult(10);
    const newf = newFuture<number>(loop);
    copyFutureState(f, newf);
    assert.ok(newf.done());
    assert.equal(newf.result(), 10);

    const fException = newFuture(loop);
    fException.setException(new RuntimeError());
    const newfException = newFuture(loop);
    copyFutureState(fException, newfException);
    assert.ok(newfException.done());
    raisesSync(RuntimeError, () => newfException.result());

    const fCancelled = newFuture(loop);
    fCancelled.cancel();
    const newfCancelled = newFuture(loop);
    copyFutureState(fCancelled, newfCancelled);
    assert.ok(newfCancelled.cancelled());
  }));

// test_futures.py BaseFutureTests.test_iter
test("test_futures.BaseFutureTests.test_iter", () =>
  withLoop((loop) => {
    const fut = newFuture(loop);
    function* coro(): Generator<unknown, void, unknown> {
      yield* fut;
    }
    function t(): void {
      // Unpacking steps the coroutine twice, as `arg1, arg2 = coro()` does.
      const [arg1, arg2] = coro();
      void arg1;
      void arg2;
    }
    raisesSync(RuntimeError, t, /await wasn't used/);
    fut.cancel();
  }));

/** A loop whose exception handler (the default one logs with logger.error) records its calls. */
function recordErrors(loop: asyncio.AbstractEventLoop): asyncio.ExceptionContext[] {
  const calls: asyncio.ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => void calls.push(ctx));
  return calls;
}

// test_futures.py BaseFutureTests.test_tb_logger_abandoned
test("test_futures.BaseFutureTests.test_tb_logger_abandoned", () =>
  withLoop(async (loop) => {
    const calls = recordErrors(loop);
    (() => newFuture(loop))();
    await gcCollect();
    assert.equal(calls.length, 0);
  }));

// test_futures.py BaseFutureTests.test_tb_logger_not_called_after_cancel
test("test_futures.BaseFutureTests.test_tb_logger_not_called_after_cancel", () =>
  withLoop(async (loop) => {
    const calls = recordErrors(loop);
    (() => {
      const fut = newFuture(loop);
      fut.setException(new Error());
      fut.cancel();
    })();
    await gcCollect();
    assert.equal(calls.length, 0);
  }));

// test_futures.py BaseFutureTests.test_tb_logger_result_unretrieved
test("test_futures.BaseFutureTests.test_tb_logger_result_unretrieved", () =>
  withLoop(async (loop) => {
    const calls = recordErrors(loop);
    (() => newFuture(loop).setResult(42))();
    await gcCollect();
    assert.equal(calls.length, 0);
  }));

// test_futures.py BaseFutureTests.test_tb_logger_result_retrieved
test("test_futures.BaseFutureTests.test_tb_logger_result_retrieved", () =>
  withLoop(async (loop) => {
    const calls = recordErrors(loop);
    (() => {
      const fut = newFuture(loop);
      fut.setResult(42);
      fut.result();
    })();
    await gcCollect();
    assert.equal(calls.length, 0);
  }));

// test_futures.py BaseFutureTests.test_tb_logger_exception_unretrieved
test("test_futures.BaseFutureTests.test_tb_logger_exception_unretrieved", () =>
  withLoop(async (loop) => {
    const calls = recordErrors(loop);
    (() => newFuture(loop).setException(new RuntimeError("boom")))();
    await runBriefly(loop);
    await gcCollect();
    assert.equal(calls.length, 1);
  }));

// test_futures.py BaseFutureTests.test_tb_logger_exception_retrieved
test("test_futures.BaseFutureTests.test_tb_logger_exception_retrieved", () =>
  withLoop(async (loop) => {
    const calls = recordErrors(loop);
    (() => {
      const fut = newFuture(loop);
      fut.setException(new RuntimeError("boom"));
      fut.exception();
    })();
    await gcCollect();
    assert.equal(calls.length, 0);
  }));

// test_futures.py BaseFutureTests.test_tb_logger_exception_result_retrieved
test("test_futures.BaseFutureTests.test_tb_logger_exception_result_retrieved", () =>
  withLoop(async (loop) => {
    const calls = recordErrors(loop);
    (() => {
      const fut = newFuture(loop);
      fut.setException(new RuntimeError("boom"));
      raisesSync(RuntimeError, () => fut.result());
    })();
    await gcCollect();
    assert.equal(calls.length, 0);
  }));

/** runTest(arg) of the wrap_future tests: the argument and the id of the thread that ran it (a worker thread's threadId). */
const runInThread = (arg: string): [string, number] => [arg, require("node:worker_threads").threadId as number];
declare const require: (id: string) => { threadId: number };

// test_futures.py BaseFutureTests.test_wrap_future
test("test_futures.BaseFutureTests.test_wrap_future", () =>
  withLoop(async (loop) => {
    const ex = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const f1 = ex.submit(runInThread, "oi");
      const f2 = asyncio.wrapFuture(f1, { loop });
      const [res, ident] = await loop.runUntilComplete(f2);
      assert.ok(asyncio.isfuture(f2));
      assert.equal(res, "oi");
      const { threadId } = await import("node:worker_threads");
      assert.notEqual(ident, threadId);
    } finally {
      await ex.shutdown(true);
    }
  }));

// test_futures.py BaseFutureTests.test_wrap_future_future
test("test_futures.BaseFutureTests.test_wrap_future_future", () =>
  withLoop((loop) => {
    const f1 = newFuture(loop);
    const f2 = asyncio.wrapFuture(f1);
    assert.equal(f2, f1);
  }));

// test_futures.py BaseFutureTests.test_wrap_future_without_loop
test("test_futures.BaseFutureTests.test_wrap_future_without_loop", () =>
  withLoop(async () => {
    const ex = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const f1 = ex.submit(runInThread, "oi");
      raisesSync(RuntimeError, () => asyncio.wrapFuture(f1), /no current event loop/);
      await f1;
    } finally {
      await ex.shutdown(true);
    }
  }));

// test_futures.py BaseFutureTests.test_wrap_future_use_running_loop
test("test_futures.BaseFutureTests.test_wrap_future_use_running_loop", () =>
  withLoop(async (loop) => {
    const ex = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const f1 = ex.submit(runInThread, "oi");
      // In an array: runUntilComplete's promise would adopt a returned future (docs/differences.md).
      function* t(): Coroutine<[Future<[string, number]>]> {
        return [asyncio.wrapFuture(f1)];
      }
      const [f2] = await loop.runUntilComplete(t());
      assert.equal(f2.getLoop(), loop);
      await f1;
    } finally {
      await ex.shutdown(true);
    }
  }));

// test_futures.py BaseFutureTests.test_wrap_future_use_global_loop
test("test_futures.BaseFutureTests.test_wrap_future_use_global_loop", () =>
  withLoop(async (loop) => {
    asyncio.setEventLoop(loop);
    const ex = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const f1 = ex.submit(runInThread, "oi");
      const f2 = asyncio.wrapFuture(f1);
      assert.equal(f2.getLoop(), loop);
      await f1;
    } finally {
      await ex.shutdown(true);
    }
  }));

// test_futures.py BaseFutureTests.test_wrap_future_cancel
test("test_futures.BaseFutureTests.test_wrap_future_cancel", () =>
  withLoop(async (loop) => {
    const f1 = new asyncio.ConcurrentFuture<number>();
    const f2 = asyncio.wrapFuture(f1, { loop });
    f2.cancel();
    await runBriefly(loop);
    assert.ok(f1.cancelled());
    assert.ok(f2.cancelled());
  }));

// test_futures.py BaseFutureTests.test_wrap_future_cancel2
test("test_futures.BaseFutureTests.test_wrap_future_cancel2", () =>
  withLoop(async (loop) => {
    const f1 = new asyncio.ConcurrentFuture<number>();
    const f2 = asyncio.wrapFuture(f1, { loop });
    f1.setResult(42);
    f2.cancel();
    await runBriefly(loop);
    assert.ok(!f1.cancelled());
    assert.equal(f1.result(), 42);
    assert.ok(f2.cancelled());
  }));

// test_futures.py BaseFutureTests.test_future_source_traceback
test("test_futures.BaseFutureTests.test_future_source_traceback", () =>
  withLoop((loop) => {
    loop.setDebug(true);
    const future = new asyncio.Future({ loop }); const line = Number(/:(\d+):\d+\)?$/.exec(new Error().stack!.split("\n")[1]!)![1]);
    // Python's private _source_traceback shows in the debug repr: this file, this line.
    const m = /created at .*futures-cpython\.test\.ts:(\d+)/.exec(String(future));
    assert.ok(m !== null, String(future));
    assert.equal(Number(m[1]), line);
    future.cancel();
  }));

/** check_future_exception_never_retrieved(debug). */
async function checkFutureExceptionNeverRetrieved(debug: boolean): Promise<void> {
  await withLoop(async (loop) => {
    loop.setDebug(debug);
    const calls = recordErrors(loop);
    class MemoryError extends Error {
      override name = "MemoryError";
    }
    const exc = new MemoryError();
    (() => newFuture(loop).setException(exc))();
    await runBriefly(loop);
    await gcCollect();
    assert.equal(calls.length, 1);
    assert.match(calls[0]!.message, /^Future exception was never retrieved/s);
    assert.equal(calls[0]!.exception, exc);
  });
}

// test_futures.py BaseFutureTests.test_future_exception_never_retrieved
test("test_futures.BaseFutureTests.test_future_exception_never_retrieved", () => checkFutureExceptionNeverRetrieved(false));

// test_futures.py BaseFutureTests.test_future_exception_never_retrieved_debug
test("test_futures.BaseFutureTests.test_future_exception_never_retrieved_debug", () => checkFutureExceptionNeverRetrieved(true));

// test_futures.py BaseFutureTests.test_set_result_unless_cancelled
test("test_futures.BaseFutureTests.test_set_result_unless_cancelled", () =>
  withLoop((loop) => {
    // asyncio.futures._set_result_unless_cancelled is tsyncio's setResultUnlessCancelled.
    const fut = newFuture<number>(loop);
    fut.cancel();
    setResultUnlessCancelled(fut, 2);
    assert.ok(fut.cancelled());
  }));

// test_futures.py BaseFutureTests.test_future_stop_iteration_args
test("test_futures.BaseFutureTests.test_future_stop_iteration_args", () =>
  withLoop((loop) => {
    const fut = newFuture<[number, number]>(loop);
    fut.setResult([1, 2]);
    const fi = fut[Symbol.iterator]();
    // Python's StopIteration carrying the result is the iterator's final { done: true, value }.
    const r = fi.next();
    assert.equal(r.done, true);
    assert.deepEqual(r.value, [1, 2]);
  }));

// ---- BaseFutureDoneCallbackTests ------------------------------------------------

function makeCallback(bag: unknown[], thing: unknown): (f: unknown) => void {
  return function bag_appender() {
    bag.push(thing);
  };
}

// test_futures.py BaseFutureDoneCallbackTests.test_callbacks_remove_first_callback
test("test_futures.BaseFutureDoneCallbackTests.test_callbacks_remove_first_callback", () =>
  withLoop(async (loop) => {
    const bag: number[] = [];
    const f = newFuture<string>(loop);
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    f.addDoneCallback(cb3);
    f.removeDoneCallback(cb1);
    f.removeDoneCallback(cb1);
    assert.deepEqual(bag, []);
    f.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [17, 100]);
    assert.equal(f.result(), "foo");
  }));

// test_futures.py BaseFutureDoneCallbackTests.test_callbacks_remove_first_and_second_callback
test("test_futures.BaseFutureDoneCallbackTests.test_callbacks_remove_first_and_second_callback", () =>
  withLoop(async (loop) => {
    const bag: number[] = [];
    const f = newFuture<string>(loop);
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    f.addDoneCallback(cb3);
    f.removeDoneCallback(cb1);
    f.removeDoneCallback(cb2);
    f.removeDoneCallback(cb1);
    assert.deepEqual(bag, []);
    f.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [100]);
    assert.equal(f.result(), "foo");
  }));

// test_futures.py BaseFutureDoneCallbackTests.test_callbacks_remove_third_callback
test("test_futures.BaseFutureDoneCallbackTests.test_callbacks_remove_third_callback", () =>
  withLoop(async (loop) => {
    const bag: number[] = [];
    const f = newFuture<string>(loop);
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    f.addDoneCallback(cb3);
    f.removeDoneCallback(cb3);
    f.removeDoneCallback(cb3);
    assert.deepEqual(bag, []);
    f.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [42, 17]);
    assert.equal(f.result(), "foo");
  }));

// test_futures.py BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_result
test("test_futures.BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_result", () =>
  withLoop(async (loop) => {
    const bag: number[] = [];
    const f = newFuture<string>(loop);
    f.addDoneCallback(makeCallback(bag, 42));
    f.addDoneCallback(makeCallback(bag, 17));
    assert.deepEqual(bag, []);
    f.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [42, 17]);
    assert.equal(f.result(), "foo");
  }));

// test_futures.py BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_exception
test("test_futures.BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_exception", () =>
  withLoop(async (loop) => {
    const bag: number[] = [];
    const f = newFuture(loop);
    f.addDoneCallback(makeCallback(bag, 100));
    assert.deepEqual(bag, []);
    const exc = new RuntimeError();
    f.setException(exc);
    await runBriefly(loop);
    assert.deepEqual(bag, [100]);
    assert.equal(f.exception(), exc);
  }));

// test_futures.py BaseFutureDoneCallbackTests.test_remove_done_callback
test("test_futures.BaseFutureDoneCallbackTests.test_remove_done_callback", () =>
  withLoop(async (loop) => {
    const bag: number[] = [];
    const f = newFuture<string>(loop);
    const cb1 = makeCallback(bag, 1);
    const cb2 = makeCallback(bag, 2);
    const cb3 = makeCallback(bag, 3);
    f.addDoneCallback(cb1);
    f.addDoneCallback(cb2);
    assert.equal(f.removeDoneCallback(cb2), 1);
    assert.equal(f.removeDoneCallback(cb3), 0);
    f.addDoneCallback(cb2);
    for (let i = 0; i < 5; i++) f.addDoneCallback(cb1);
    assert.equal(f.removeDoneCallback(cb1), 6);
    assert.deepEqual(bag, []);
    f.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [2]);
    assert.equal(f.result(), "foo");
  }));

// test_futures.py BaseFutureDoneCallbackTests.test_schedule_callbacks_list_mutation_1
test("test_futures.BaseFutureDoneCallbackTests.test_schedule_callbacks_list_mutation_1", () =>
  withLoop(async (loop) => {
    const calls: string[] = [];
    const str = (): void => void calls.push("str");
    function mut(f: Future<number>): void {
      f.removeDoneCallback(str);
    }
    const fut = newFuture<number>(loop);
    fut.addDoneCallback(mut);
    fut.addDoneCallback(str);
    fut.addDoneCallback(str);
    fut.setResult(1);
    await runBriefly(loop);
    // The callbacks were scheduled when the future finished: removing one then changes nothing.
    assert.deepEqual(calls, ["str", "str"]);
  }));

// ---- test_futures2.py ------------------------------------------------------------

/** Python's ZeroDivisionError (what `1/0` raises). */
class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}

// test_futures2.py FutureTests.test_future_traceback
test("test_futures2.FutureTests.test_future_traceback", () =>
  runTest(function* () {
    function* raise_exc(): Coroutine<never> {
      throw new TypeError("42");
    }
    const future = new asyncio.Task(raise_exc());
    for (let i = 0; i < 5; i++) {
      try {
        yield* future;
      } catch (e) {
        assert.ok(e instanceof TypeError);
        // Awaiting the failed task again does not grow the traceback: raise_exc appears once.
        assert.equal((e.stack ?? "").split("at raise_exc (").length - 1, 1, e.stack);
        continue;
      }
      assert.fail("TypeError was not raised");
    }
  }));

// test_futures2.py FutureTests.test_task_exc_handler_correct_context
test("test_futures2.FutureTests.test_task_exc_handler_correct_context", () =>
  runTest(function* () {
    const name = new asyncio.ContextVar("name", { default: "foo" });
    let excHandlerCalled = false;
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler(() => {
      assert.equal(name.get(), "bar");
      excHandlerCalled = true;
    });
    function* task(): Coroutine<void> {
      name.set("bar");
      throw new ZeroDivisionError("division by zero");
    }
    (() => new asyncio.Task(task()))();
    yield* asyncio.sleep(0);
    yield* asyncio.wrapFuture(gcCollect());
    assert.ok(excHandlerCalled);
  }));

// test_futures2.py FutureTests.test_handle_exc_handler_correct_context
test("test_futures2.FutureTests.test_handle_exc_handler_correct_context", () =>
  runTest(function* () {
    const name = new asyncio.ContextVar("name", { default: "foo" });
    let excHandlerCalled = false;
    const loop = asyncio.getRunningLoop();
    loop.setExceptionHandler(() => {
      assert.equal(name.get(), "bar");
      excHandlerCalled = true;
    });
    loop.callSoon(() => {
      name.set("bar");
      throw new ZeroDivisionError("division by zero");
    });
    yield* asyncio.sleep(0);
    assert.ok(excHandlerCalled);
  }));

// test_futures2.py FutureReprTests.test_recursive_repr_for_pending_tasks
test("test_futures2.FutureReprTests.test_recursive_repr_for_pending_tasks", () =>
  runTest(function* () {
    function* func(): Coroutine<Set<asyncio.Task<unknown>>> {
      return asyncio.allTasks();
    }
    // The repr must not recurse forever: the task is inside its own result.
    const t = new asyncio.Task(func());
    const waiter = yield* asyncio.waitFor(t, 10);
    assert.ok(waiter.has(t));
    assert.ok(String(t).includes("..."), String(t));
  }));
