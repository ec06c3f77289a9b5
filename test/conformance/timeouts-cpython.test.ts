// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_timeouts.py, test by test
// (timeouts.test.ts checks the same module by topic). Each test names the CPython
// test it re-creates. IsolatedAsyncioTestCase becomes asyncio.run on a virtual-time
// loop; `async with asyncio.timeout(d) as cm:` is `yield* asyncio.timeout(d, function* (cm) {...})`,
// and the loop being busy (`time.sleep(x)`) is the virtual clock advanced by x.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, KeyError, RuntimeError, TimeoutError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import { raises } from "./_assertions.js";
import { runTest, virtualLoop } from "./_test-utils.js";

/** Python's ZeroDivisionError (what `1/0` raises). */
class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}

// test_timeouts.py TimeoutTests.test_timeout_basic
test("test_timeouts.TimeoutTests.test_timeout_basic", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0.01, function* (c) {
        cm = c;
        yield* asyncio.sleep(10);
      }));
    assert.ok(cm!.expired());
  }));

// test_timeouts.py TimeoutTests.test_timeout_at_basic
test("test_timeouts.TimeoutTests.test_timeout_at_basic", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    let cm: asyncio.Timeout | null = null;
    const deadline = loop.time() + 0.01;
    yield* raises(TimeoutError, () =>
      asyncio.timeoutAt(deadline, function* (c) {
        cm = c;
        yield* asyncio.sleep(10);
      }));
    assert.ok(cm!.expired());
    assert.equal(cm!.when(), deadline);
  }));

// test_timeouts.py TimeoutTests.test_nested_timeouts
test("test_timeouts.TimeoutTests.test_nested_timeouts", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    let cancelled = false;
    let cm1: asyncio.Timeout | null = null;
    let cm2: asyncio.Timeout | null = null;
    const deadline = loop.time() + 0.01;
    yield* raises(TimeoutError, () =>
      asyncio.timeoutAt(deadline, function* (c1) {
        cm1 = c1;
        // Only the outermost scope turns the cancellation into TimeoutError.
        try {
          yield* asyncio.timeoutAt(deadline, function* (c2) {
            cm2 = c2;
            yield* asyncio.sleep(10);
          });
        } catch (e) {
          if (e instanceof CancelledError) cancelled = true;
          throw e;
        }
      }));
    assert.ok(cancelled);
    assert.ok(cm1!.expired());
    assert.ok(cm2!.expired());
  }));

// test_timeouts.py TimeoutTests.test_waiter_cancelled
test("test_timeouts.TimeoutTests.test_waiter_cancelled", () =>
  runTest(function* () {
    let cancelled = false;
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0.01, function* () {
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) cancelled = true;
          throw e;
        }
      }));
    assert.ok(cancelled);
  }));

// test_timeouts.py TimeoutTests.test_timeout_not_called
test("test_timeouts.TimeoutTests.test_timeout_not_called", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    let cm: asyncio.Timeout | null = null;
    yield* asyncio.timeout(10, function* (c) {
      cm = c;
      yield* asyncio.sleep(0.01);
    });
    const t1 = loop.time();
    assert.ok(!cm!.expired());
    assert.ok(cm!.when()! > t1);
  }));

// test_timeouts.py TimeoutTests.test_timeout_disabled
test("test_timeouts.TimeoutTests.test_timeout_disabled", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* asyncio.timeout(null, function* (c) {
      cm = c;
      yield* asyncio.sleep(0.01);
    });
    assert.ok(!cm!.expired());
    assert.equal(cm!.when(), null);
  }));

// test_timeouts.py TimeoutTests.test_timeout_at_disabled
test("test_timeouts.TimeoutTests.test_timeout_at_disabled", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* asyncio.timeoutAt(null, function* (c) {
      cm = c;
      yield* asyncio.sleep(0.01);
    });
    assert.ok(!cm!.expired());
    assert.equal(cm!.when(), null);
  }));

// test_timeouts.py TimeoutTests.test_timeout_zero
test("test_timeouts.TimeoutTests.test_timeout_zero", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const t0 = loop.time();
    let cm: asyncio.Timeout | null = null;
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0, function* (c) {
        cm = c;
        yield* asyncio.sleep(10);
      }));
    const t1 = loop.time();
    assert.ok(cm!.expired());
    assert.ok(t0 <= cm!.when()! && cm!.when()! <= t1);
  }));

// test_timeouts.py TimeoutTests.test_timeout_zero_sleep_zero
test("test_timeouts.TimeoutTests.test_timeout_zero_sleep_zero", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const t0 = loop.time();
    let cm: asyncio.Timeout | null = null;
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0, function* (c) {
        cm = c;
        yield* asyncio.sleep(0);
      }));
    const t1 = loop.time();
    assert.ok(cm!.expired());
    assert.ok(t0 <= cm!.when()! && cm!.when()! <= t1);
  }));

// test_timeouts.py TimeoutTests.test_timeout_in_the_past_sleep_zero
test("test_timeouts.TimeoutTests.test_timeout_in_the_past_sleep_zero", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const t0 = loop.time();
    let cm: asyncio.Timeout | null = null;
    yield* raises(TimeoutError, () =>
      asyncio.timeout(-11, function* (c) {
        cm = c;
        yield* asyncio.sleep(0);
      }));
    const t1 = loop.time();
    assert.ok(cm!.expired());
    assert.ok(t0 >= cm!.when()! && cm!.when()! <= t1);
  }));

// test_timeouts.py TimeoutTests.test_foreign_exception_passed
test("test_timeouts.TimeoutTests.test_foreign_exception_passed", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* raises(KeyError, () =>
      asyncio.timeout(0.01, function* (c) {
        cm = c;
        throw new KeyError();
      }));
    assert.ok(!cm!.expired());
  }));

// test_timeouts.py TimeoutTests.test_foreign_exception_on_timeout
test("test_timeouts.TimeoutTests.test_foreign_exception_on_timeout", () =>
  runTest(function* () {
    function* crash(): Coroutine<void> {
      try {
        yield* asyncio.sleep(1);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new ZeroDivisionError("division by zero");
      }
    }
    yield* raises(ZeroDivisionError, () =>
      asyncio.timeout(0.01, function* () {
        yield* crash();
      }));
  }));

// test_timeouts.py TimeoutTests.test_foreign_cancel_doesnt_timeout_if_not_expired
test("test_timeouts.TimeoutTests.test_foreign_cancel_doesnt_timeout_if_not_expired", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* raises(CancelledError, () =>
      asyncio.timeout(10, function* (c) {
        cm = c;
        asyncio.currentTask()!.cancel();
        yield* asyncio.sleep(10);
      }));
    assert.ok(!cm!.expired());
  }));

// test_timeouts.py TimeoutTests.test_outer_task_is_not_cancelled
test("test_timeouts.TimeoutTests.test_outer_task_is_not_cancelled", () =>
  runTest(function* () {
    function* outer(): Coroutine<void> {
      yield* raises(TimeoutError, () =>
        asyncio.timeout(0.001, function* () {
          yield* asyncio.sleep(10);
        }));
    }
    const task = asyncio.createTask(outer());
    yield* task;
    assert.ok(!task.cancelled());
    assert.ok(task.done());
  }));

// test_timeouts.py TimeoutTests.test_nested_timeouts_concurrent
test("test_timeouts.TimeoutTests.test_nested_timeouts_concurrent", () =>
  runTest(function* () {
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0.002, function* () {
        yield* raises(TimeoutError, () =>
          asyncio.timeout(0.1, function* () {
            // The loop crunches numbers for 0.01 s: both deadlines pass, the outer one first.
            virtualLoop().advance(0.01);
            yield* asyncio.sleep(1);
          }));
      }));
  }));

// test_timeouts.py TimeoutTests.test_nested_timeouts_loop_busy
test("test_timeouts.TimeoutTests.test_nested_timeouts_loop_busy", () =>
  runTest(function* () {
    const loop = virtualLoop();
    loop.slowCallbackDuration = 10;
    const t0 = loop.time();
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0.1, function* () {
        yield* raises(TimeoutError, () =>
          asyncio.timeout(0.01, function* () {
            // The loop is busy for 0.1 s: both deadlines pass.
            loop.advance(0.1);
            yield* asyncio.sleep(1);
          }));
        // The inner scope raised TimeoutError; the outer one interrupts this sleep.
        yield* asyncio.sleep(10);
      }));
    const t1 = loop.time();
    assert.ok(t0 <= t1 && t1 <= t0 + 1);
  }));

// test_timeouts.py TimeoutTests.test_reschedule
test("test_timeouts.TimeoutTests.test_reschedule", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const fut = loop.createFuture<asyncio.Timeout>();
    const deadline1 = loop.time() + 10;
    const deadline2 = deadline1 + 20;
    function* f(): Coroutine<void> {
      yield* asyncio.timeoutAt(deadline1, function* (cm) {
        fut.setResult(cm);
        yield* asyncio.sleep(50);
      });
    }
    const task = asyncio.createTask(f());
    const cm = yield* fut;
    assert.equal(cm.when(), deadline1);
    cm.reschedule(deadline2);
    assert.equal(cm.when(), deadline2);
    cm.reschedule(null);
    assert.equal(cm.when(), null);
    task.cancel();
    yield* raises(CancelledError, () => task);
    assert.ok(!cm.expired());
  }));

// test_timeouts.py TimeoutTests.test_repr_active
test("test_timeouts.TimeoutTests.test_repr_active", () =>
  runTest(function* () {
    yield* asyncio.timeout(10, function* (cm) {
      assert.match(String(cm), /<Timeout \[active\] when=\d+\.\d*>/);
    });
  }));

// test_timeouts.py TimeoutTests.test_repr_expired
test("test_timeouts.TimeoutTests.test_repr_expired", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0.01, function* (c) {
        cm = c;
        yield* asyncio.sleep(10);
      }));
    assert.equal(String(cm), "<Timeout [expired]>");
  }));

// test_timeouts.py TimeoutTests.test_repr_finished
test("test_timeouts.TimeoutTests.test_repr_finished", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* asyncio.timeout(10, function* (c) {
      cm = c;
      yield* asyncio.sleep(0);
    });
    assert.equal(String(cm), "<Timeout [finished]>");
  }));

// test_timeouts.py TimeoutTests.test_repr_disabled
test("test_timeouts.TimeoutTests.test_repr_disabled", () =>
  runTest(function* () {
    yield* asyncio.timeout(null, function* (cm) {
      assert.equal(String(cm), "<Timeout [active] when=None>");
    });
  }));

// test_timeouts.py TimeoutTests.test_nested_timeout_in_finally
test("test_timeouts.TimeoutTests.test_nested_timeout_in_finally", () =>
  runTest(function* () {
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0.01, function* () {
        try {
          yield* asyncio.sleep(1);
        } finally {
          yield* raises(TimeoutError, () =>
            asyncio.timeout(0.01, function* () {
              yield* asyncio.sleep(10);
            }));
        }
      }));
  }));

// test_timeouts.py TimeoutTests.test_timeout_after_cancellation
test("test_timeouts.TimeoutTests.test_timeout_after_cancellation", () =>
  runTest(function* () {
    try {
      asyncio.currentTask()!.cancel();
      yield* asyncio.sleep(1);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    } finally {
      yield* raises(TimeoutError, () =>
        asyncio.timeout(0.0, function* () {
          yield* asyncio.sleep(1);
        }));
    }
  }));

// test_timeouts.py TimeoutTests.test_cancel_in_timeout_after_cancellation
test("test_timeouts.TimeoutTests.test_cancel_in_timeout_after_cancellation", () =>
  runTest(function* () {
    try {
      asyncio.currentTask()!.cancel();
      yield* asyncio.sleep(1);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    } finally {
      yield* raises(CancelledError, () =>
        asyncio.timeout(1.0, function* () {
          asyncio.currentTask()!.cancel();
          yield* asyncio.sleep(2);
        }));
    }
  }));

// test_timeouts.py TimeoutTests.test_timeout_exception_cause
test("test_timeouts.TimeoutTests.test_timeout_exception_cause", () =>
  runTest(function* () {
    const exc = yield* raises(TimeoutError, () =>
      asyncio.timeout(0, function* () {
        yield* asyncio.sleep(1);
      }));
    // Python's __cause__ is the standard Error.cause (docs/differences.md).
    assert.ok((exc as { cause?: unknown }).cause instanceof CancelledError);
  }));

// test_timeouts.py TimeoutTests.test_timeout_already_entered
test("test_timeouts.TimeoutTests.test_timeout_already_entered", () =>
  runTest(function* () {
    yield* asyncio.timeout(0.01, function* (cm) {
      yield* raises(RuntimeError, () => asyncio.asyncWith(cm, function* () {}), /has already been entered/);
    });
  }));

// test_timeouts.py TimeoutTests.test_timeout_double_enter
test("test_timeouts.TimeoutTests.test_timeout_double_enter", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* asyncio.timeout(0.01, function* (c) {
      cm = c;
    });
    yield* raises(RuntimeError, () => asyncio.asyncWith(cm!, function* () {}), /has already been entered/);
  }));

// test_timeouts.py TimeoutTests.test_timeout_finished
test("test_timeouts.TimeoutTests.test_timeout_finished", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* asyncio.timeout(0.01, function* (c) {
      cm = c;
    });
    assert.throws(() => cm!.reschedule(0.02), (e: unknown) => e instanceof RuntimeError && /finished/.test(e.message));
  }));

// test_timeouts.py TimeoutTests.test_timeout_expired
test("test_timeouts.TimeoutTests.test_timeout_expired", () =>
  runTest(function* () {
    let cm: asyncio.Timeout | null = null;
    yield* raises(TimeoutError, () =>
      asyncio.timeout(0.01, function* (c) {
        cm = c;
        yield* asyncio.sleep(1);
      }));
    assert.throws(() => cm!.reschedule(0.02), (e: unknown) => e instanceof RuntimeError && /expired/.test(e.message));
  }));

// test_timeouts.py TimeoutTests.test_timeout_expiring
test("test_timeouts.TimeoutTests.test_timeout_expiring", () =>
  runTest(function* () {
    yield* asyncio.timeout(0.01, function* (cm) {
      yield* raises(CancelledError, () => asyncio.sleep(1));
      assert.throws(() => cm.reschedule(0.02), (e: unknown) => e instanceof RuntimeError && /expiring/.test(e.message));
    });
  }));

// test_timeouts.py TimeoutTests.test_timeout_not_entered
test("test_timeouts.TimeoutTests.test_timeout_not_entered", () =>
  runTest(function* () {
    const cm = asyncio.timeout(0.01);
    assert.throws(() => cm.reschedule(0.02), (e: unknown) => e instanceof RuntimeError && /has not been entered/.test(e.message));
  }));

// test_timeouts.py TimeoutTests.test_timeout_without_task
test("test_timeouts.TimeoutTests.test_timeout_without_task", () =>
  runTest(function* () {
    const cm = asyncio.timeout(0.01);
    // test_utils.await_without_task: enter the scope from a plain callback, where no task runs.
    const loop = asyncio.getRunningLoop();
    const done = loop.createFuture<unknown>();
    loop.callSoon(() => {
      try {
        cm.enter();
        done.setResult(null);
      } catch (e) {
        done.setResult(e);
      }
    });
    const err = yield* done;
    assert.ok(err instanceof RuntimeError && /task/.test(err.message), String(err));
    assert.throws(() => cm.reschedule(0.02), (e: unknown) => e instanceof RuntimeError && /has not been entered/.test(e.message));
  }));
