// Conformance: re-creates the test methods CPython 3.13.0 added to
// test_futures.py. The 3.12.1 tests are in futures-cpython.test.ts.
// 3.13 turns a StopIteration given to set_exception() into a RuntimeError
// (cause: the StopIteration); tsyncio keeps 3.12's TypeError at the call
// (docs/differences.md), so these tests assert that documented behaviour.
// test_future_iter_get_referents_segfault is skipped (SKIPPED.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { InvalidStateError, StopIteration } from "../../src/index.js";

/** BaseFutureTests.test_stop_iteration_exception with its stop_iteration_class. */
function stopIterationException(StopIterationClass: new () => Error): void {
  const loop = asyncio.newEventLoop();
  try {
    const exc = new StopIterationClass();
    const f = loop.createFuture<unknown>();
    assert.throws(() => f.setException(exc), (e: unknown) =>
      e instanceof TypeError && /StopIteration .* cannot be raised/.test(e.message));
    // The future is left pending, as 3.12 leaves it.
    assert.equal(f.cancelled(), false);
    assert.equal(f.done(), false);
    assert.throws(() => f.exception(), InvalidStateError);
  } finally {
    loop.close();
  }
}

// test_futures.py (3.13) BaseFutureTests.test_stop_iteration_exception
test("test_futures.py (3.13) BaseFutureTests.test_stop_iteration_exception", () => {
  stopIterationException(StopIteration);
});

// test_futures.py (3.13) BaseFutureTests.test_stop_iteration_subclass_exception
test("test_futures.py (3.13) BaseFutureTests.test_stop_iteration_subclass_exception", () => {
  class MyStopIteration extends StopIteration {}
  stopIterationException(MyStopIteration);
});
