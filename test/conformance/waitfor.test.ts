// Conformance: CPython 3.12's test_waitfor.py, test by test. Each test names the
// CPython test it re-creates; IsolatedAsyncioTestCase becomes asyncio.run on a
// virtual-time loop, so SlowTask's clock is the loop's (time.monotonic there).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, TimeoutError } from "../../src/index.js";
import type { Coroutine, Future, Task } from "../../src/index.js";
import { raises } from "./_assertions.js";
import { runTest } from "./_test-utils.js";

// A very small timeout: it passes the check "timeout > 0" but has almost no effect.
const EPSILON = 0.0001;

/** test_waitfor.py SlowTask: runs for TASK_TIMEOUT seconds, ignoring cancel requests. */
class SlowTask {
  static readonly TASK_TIMEOUT = 0.2;
  exited = false;

  *run(): Coroutine<void> {
    const loop = asyncio.getRunningLoop();
    const exitat = loop.time() + SlowTask.TASK_TIMEOUT;
    for (;;) {
      const tosleep = exitat - loop.time();
      if (tosleep <= 0) break;
      try {
        yield* asyncio.sleep(tosleep);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
    }
    this.exited = true;
  }
}

// test_waitfor.py AsyncioWaitForTest.test_asyncio_wait_for_cancelled
test("test_waitfor.AsyncioWaitForTest.test_asyncio_wait_for_cancelled", () =>
  runTest(function* () {
    const t = new SlowTask();
    const waitfortask = asyncio.createTask(asyncio.waitFor(t.run(), SlowTask.TASK_TIMEOUT * 2));
    yield* asyncio.sleep(0);
    waitfortask.cancel();
    yield* asyncio.wait([waitfortask]);
    assert.ok(t.exited);
  }));

// test_waitfor.py AsyncioWaitForTest.test_asyncio_wait_for_timeout
test("test_waitfor.AsyncioWaitForTest.test_asyncio_wait_for_timeout", () =>
  runTest(function* () {
    const t = new SlowTask();
    try {
      yield* asyncio.waitFor(t.run(), SlowTask.TASK_TIMEOUT / 2);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
    assert.ok(t.exited);
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_future_done
test("test_waitfor.AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_future_done", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const fut = loop.createFuture<string>();
    fut.setResult("done");
    const ret = yield* asyncio.waitFor(fut, 0);
    assert.equal(ret, "done");
    assert.ok(fut.done());
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
test("test_waitfor.AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started", () =>
  runTest(function* () {
    let fooStarted = false;
    function* foo(): Coroutine<void> {
      fooStarted = true;
    }
    yield* raises(TimeoutError, asyncio.waitFor(foo(), 0));
    assert.equal(fooStarted, false);
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0 (both subtests)
test("test_waitfor.AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    for (const timeout of [0, -1]) {
      let fooRunning: boolean | null = null;
      const started = loop.createFuture<void>();
      function* foo(): Coroutine<string> {
        fooRunning = true;
        started.setResult(undefined);
        try {
          yield* asyncio.sleep(10);
        } finally {
          fooRunning = false;
        }
        return "done";
      }
      const fut = asyncio.createTask(foo());
      yield* started;
      yield* raises(TimeoutError, asyncio.waitFor(fut, timeout));
      assert.ok(fut.done());
      // it should have been cancelled due to the timeout
      assert.ok(fut.cancelled());
      assert.equal(fooRunning, false);
    }
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for
test("test_waitfor.AsyncioWaitForTest.test_wait_for", () =>
  runTest(function* () {
    let fooRunning: boolean | null = null;
    function* foo(): Coroutine<string> {
      fooRunning = true;
      try {
        yield* asyncio.sleep(300); // support.LONG_TIMEOUT
      } finally {
        fooRunning = false;
      }
      return "done";
    }
    const fut = asyncio.createTask(foo());
    yield* raises(TimeoutError, asyncio.waitFor(fut, 0.1));
    assert.ok(fut.done());
    // it should have been cancelled due to the timeout
    assert.ok(fut.cancelled());
    assert.equal(fooRunning, false);
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_blocking
test("test_waitfor.AsyncioWaitForTest.test_wait_for_blocking", () =>
  runTest(function* () {
    function* coro(): Coroutine<string> {
      return "done";
    }
    const res = yield* asyncio.waitFor(coro(), null);
    assert.equal(res, "done");
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_race_condition
test("test_waitfor.AsyncioWaitForTest.test_wait_for_race_condition", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const fut = loop.createFuture<string>();
    const task = asyncio.waitFor(fut, 0.2);
    loop.callSoon((v: string) => fut.setResult(v), "ok");
    const res = yield* task;
    assert.equal(res, "ok");
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_cancellation_race_condition
test("test_waitfor.AsyncioWaitForTest.test_wait_for_cancellation_race_condition", () =>
  runTest(function* () {
    function* inner(): Coroutine<number> {
      yield* raises(CancelledError, asyncio.sleep(1));
      return 1;
    }
    const result = yield* asyncio.waitFor(inner(), 0.01);
    assert.equal(result, 1);
  }));

/** A task that, cancelled, sleeps EPSILON before re-raising; sets `done.value` when it ends. */
function* slowToCancel(done: { value: boolean }): Coroutine<void> {
  try {
    yield* asyncio.sleep(10);
  } catch (e) {
    if (e instanceof CancelledError) yield* asyncio.sleep(EPSILON);
    throw e;
  } finally {
    done.value = true;
  }
}

// test_waitfor.py AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation
test("test_waitfor.AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation", () =>
  runTest(function* () {
    const taskDone = { value: false };
    const innerTask = asyncio.createTask(slowToCancel(taskDone));
    const e = yield* raises(TimeoutError, asyncio.waitFor(innerTask, EPSILON));
    assert.ok(taskDone.value);
    // Python chains the CancelledError as __context__; tsyncio as `cause`.
    assert.ok((e as Error & { cause?: unknown }).cause instanceof CancelledError);
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation_w_timeout_0
test("test_waitfor.AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation_w_timeout_0", () =>
  runTest(function* () {
    const taskDone = { value: false };
    function* foo(): Coroutine<void> {
      const innerTask = asyncio.createTask(slowToCancel(taskDone));
      yield* asyncio.sleep(EPSILON);
      yield* asyncio.waitFor(innerTask, 0);
    }
    const e = yield* raises(TimeoutError, foo());
    assert.ok(taskDone.value);
    assert.ok((e as Error & { cause?: unknown }).cause instanceof CancelledError);
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_reraises_exception_during_cancellation
test("test_waitfor.AsyncioWaitForTest.test_wait_for_reraises_exception_during_cancellation", () =>
  runTest(function* () {
    class FooException extends Error {}
    function* foo(): Coroutine<void> {
      function* inner(): Coroutine<void> {
        try {
          yield* asyncio.sleep(0.2);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new FooException();
        }
      }
      const innerTask = asyncio.createTask(inner());
      yield* asyncio.waitFor(innerTask, EPSILON);
    }
    yield* raises(FooException, foo());
  }));

/** test_waitfor.py AsyncioWaitForTest._test_cancel_wait_for */
function* testCancelWaitFor(timeout: number | null): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  function* blockingCoroutine(): Coroutine<void> {
    const fut = loop.createFuture<void>();
    // Block: fut result is never set
    yield* fut;
  }
  const task = asyncio.createTask(blockingCoroutine());
  const wait = asyncio.createTask(asyncio.waitFor(task, timeout));
  loop.callSoon(() => wait.cancel());
  yield* raises(CancelledError, wait);
  // Python issue #23219: cancelling the wait must also cancel the task
  assert.ok(task.cancelled());
}

// test_waitfor.py AsyncioWaitForTest.test_cancel_blocking_wait_for
test("test_waitfor.AsyncioWaitForTest.test_cancel_blocking_wait_for", () => runTest(() => testCancelWaitFor(null)));

// test_waitfor.py AsyncioWaitForTest.test_cancel_wait_for
test("test_waitfor.AsyncioWaitForTest.test_cancel_wait_for", () => runTest(() => testCancelWaitFor(60.0)));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_cancel_suppressed
test("test_waitfor.AsyncioWaitForTest.test_wait_for_cancel_suppressed", () =>
  runTest(function* () {
    // GH-86296: a task that suppresses CancelledError and returns a value: waitFor returns it.
    function* return42(): Coroutine<number | undefined> {
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        if (e instanceof CancelledError) return 42;
        throw e;
      }
      return undefined;
    }
    const res = yield* asyncio.waitFor(return42(), 0.1);
    assert.equal(res, 42);
  }));

// test_waitfor.py AsyncioWaitForTest.test_wait_for_issue86296
test("test_waitfor.AsyncioWaitForTest.test_wait_for_issue86296", () =>
  runTest(function* () {
    // GH-86296: the task gets cancelled and does not run to completion.
    function* inner(): Coroutine<string> {
      return "done";
    }
    const innerTask = asyncio.createTask(inner());
    let reachedEnd = false;
    function* waitForCoro(): Coroutine<void> {
      yield* asyncio.waitFor(innerTask, 100);
      yield* asyncio.sleep(1);
      reachedEnd = true;
    }
    const task = asyncio.createTask(waitForCoro());
    assert.ok(!task.done());
    // Run the task
    yield* asyncio.sleep(0);
    task.cancel();
    yield* raises(CancelledError, task);
    assert.ok(innerTask.done());
    assert.equal(yield* innerTask, "done");
    assert.equal(reachedEnd, false);
  }));

// ---- WaitForShieldTests ---------------------------------------------------------

// test_waitfor.py WaitForShieldTests.test_zero_timeout
test("test_waitfor.WaitForShieldTests.test_zero_timeout", () =>
  runTest(function* () {
    function* coro(): Coroutine<string> {
      yield* asyncio.sleep(0.01);
      return "done";
    }
    const task = asyncio.createTask(coro());
    let shieldedTask: Future<string> | null = null;
    yield* raises(TimeoutError, (function* () {
      shieldedTask = asyncio.shield(task);
      yield* asyncio.waitFor(shieldedTask, 0);
    })());
    // Task is running in background
    assert.ok(!task.done());
    assert.ok(!task.cancelled());
    assert.ok(shieldedTask!.cancelled());
    // Wait for the task to complete
    yield* asyncio.sleep(0.1);
    assert.ok(task.done());
  }));

// test_waitfor.py WaitForShieldTests.test_none_timeout
test("test_waitfor.WaitForShieldTests.test_none_timeout", () =>
  runTest(function* () {
    function* coro(): Coroutine<string> {
      yield* asyncio.sleep(0.1);
      return "done";
    }
    const task: Task<string> = asyncio.createTask(coro());
    yield* asyncio.waitFor(asyncio.shield(task), null);
    assert.ok(task.done());
    assert.equal(yield* task, "done");
  }));

// test_waitfor.py WaitForShieldTests.test_shielded_timeout
test("test_waitfor.WaitForShieldTests.test_shielded_timeout", () =>
  runTest(function* () {
    function* coro(): Coroutine<string> {
      yield* asyncio.sleep(0.1);
      return "done";
    }
    const task = asyncio.createTask(coro());
    yield* raises(TimeoutError, asyncio.waitFor(asyncio.shield(task), 0.01));
    assert.ok(!task.done());
    assert.ok(!task.cancelled());
    assert.equal(yield* task, "done");
  }));
