// Conformance: re-creates the test methods that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_timeouts.py (the 3.12.1 file is in timeouts-cpython.test.ts;
// 3.13's test_timeout_exception_context is 3.12's test_timeout_exception_cause renamed).
// `async with asyncio.timeout(d):` is `yield* asyncio.timeout(d, function* () {...})`.
// Python links an exception raised while handling another through `__context__`;
// JavaScript has no such link (docs/differences.md), so of CPython's chain checks these
// tests keep the ones that exist here: which exception comes out, and no `cause`
// (Python's `__cause__`) on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { ExceptionGroup, KeyError, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

/** Python's ZeroDivisionError (what `1 / 0` raises). */
class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}

/** `with self.assertRaises(cls) as cm:` around a coroutine body; returns cm.exception. */
function* raises<E>(cls: abstract new (...args: never[]) => E, body: () => Coroutine<unknown>): Coroutine<E> {
  try {
    yield* body();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`${cls.name} not raised`);
}

// test_timeouts.py (3.13) TimeoutTests.test_foreign_exception_on_timeout_2
test("test_timeouts.py (3.13) TimeoutTests.test_foreign_exception_on_timeout_2", () =>
  run(function* () {
    const e = yield* raises(ZeroDivisionError, () =>
      asyncio.timeout(0.01, function* () {
        try {
          try {
            throw new ValueError();
          } finally {
            yield* asyncio.sleep(1);
          }
        } finally {
          try {
            throw new KeyError();
          } finally {
            // eslint-disable-next-line no-unsafe-finally
            throw new ZeroDivisionError("division by zero");
          }
        }
      }));
    assert.equal(e.cause, undefined);
    // The timeout's cancellation was withdrawn although a foreign error left the block.
    assert.equal(asyncio.currentTask()!.cancelling(), 0);
  }));

// test_timeouts.py (3.13) TimeoutTests.test_timeout_taskgroup
test("test_timeouts.py (3.13) TimeoutTests.test_timeout_taskgroup", () =>
  run(function* () {
    function* task(): Coroutine<void> {
      try {
        yield* asyncio.sleep(2);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new ZeroDivisionError("division by zero");
      }
    }
    const eg = yield* raises(ExceptionGroup, () =>
      asyncio.timeout(0.01, function* () {
        yield* asyncio.taskGroup(function* (tg) {
          tg.createTask(task());
          try {
            throw new ValueError();
          } finally {
            yield* asyncio.sleep(1);
          }
        });
      }));
    assert.equal(eg.cause, undefined);
    assert.equal(eg.exceptions.length, 1, String(eg));
    const e1 = eg.exceptions[0]!;
    assert.ok(e1 instanceof ZeroDivisionError, String(e1));
    assert.equal(e1.cause, undefined);
    assert.equal(asyncio.currentTask()!.cancelling(), 0);
  }));
