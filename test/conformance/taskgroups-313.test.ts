// Conformance: re-creates the test methods that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_taskgroups.py (the 3.12.1 file is in taskgroups.test.ts).
// IsolatedAsyncioTestCase is asyncio.run on a virtual-time loop; `async with TaskGroup()`
// is `yield* asyncio.taskGroup(function* (tg) {...})`; `except* E:` is a catch that
// splits the group and raises the rest again.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { BaseExceptionGroup, CancelledError, RuntimeError, ValueError } from "../../src/index.js";
import type { Coroutine, TaskGroup } from "../../src/index.js";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

type Cls = abstract new (...args: never[]) => Error;

/** `except* cls:` — keeps going if the group holds only `cls` errors, else raises the rest. */
function exceptStar(e: unknown, cls: Cls): void {
  if (!(e instanceof BaseExceptionGroup)) {
    if (e instanceof cls) return;
    throw e;
  }
  const [match, rest] = e.split(cls);
  if (rest !== null) throw rest;
  assert.ok(match !== null);
}

function* raiseAfter(t: number, E: new () => Error): Coroutine<never> {
  yield* asyncio.sleep(t);
  throw new E();
}

// test_taskgroups.py (3.13) TestTaskGroup.test_cancelling_level_preserved
test("test_taskgroups.py (3.13) TestTaskGroup.test_cancelling_level_preserved", () =>
  run(function* () {
    try {
      yield* asyncio.taskGroup(function* (tg) {
        tg.createTask(raiseAfter(0.0, RuntimeError));
      });
    } catch (e) {
      exceptStar(e, RuntimeError);
    }
    assert.equal(asyncio.currentTask()!.cancelling(), 0);
  }));

// test_taskgroups.py (3.13) TestTaskGroup.test_nested_groups_both_cancelled
test("test_taskgroups.py (3.13) TestTaskGroup.test_nested_groups_both_cancelled", () =>
  run(function* () {
    let raisedValue = false;
    try {
      yield* asyncio.taskGroup(function* (outer) {
        let raisedRuntime = false;
        try {
          yield* asyncio.taskGroup(function* (inner) {
            inner.createTask(raiseAfter(0, RuntimeError));
            outer.createTask(raiseAfter(0, ValueError));
          });
        } catch (e) {
          exceptStar(e, RuntimeError);
          raisedRuntime = true;
        }
        assert.ok(raisedRuntime, "RuntimeError not raised");
        assert.equal(asyncio.currentTask()!.cancelling(), 1);
      });
    } catch (e) {
      exceptStar(e, ValueError);
      raisedValue = true;
    }
    assert.ok(raisedValue, "ValueError not raised");
    assert.equal(asyncio.currentTask()!.cancelling(), 0);
  }));

// test_taskgroups.py (3.13) TestTaskGroup.test_error_and_cancel
test("test_taskgroups.py (3.13) TestTaskGroup.test_error_and_cancel", () =>
  run(function* () {
    const event = new asyncio.Event();
    function* raiseError(): Coroutine<never> {
      event.set();
      yield* asyncio.sleep(0);
      throw new RuntimeError();
    }
    function* inner(): Coroutine<void> {
      try {
        yield* asyncio.taskGroup(function* (tg) {
          tg.createTask(raiseError());
          yield* asyncio.sleep(1);
          assert.fail("Sleep in group should have been cancelled");
        });
      } catch (e) {
        exceptStar(e, RuntimeError);
        assert.equal(asyncio.currentTask()!.cancelling(), 1);
      }
      assert.equal(asyncio.currentTask()!.cancelling(), 1);
      yield* asyncio.sleep(1);
      assert.fail("Sleep after group should have been cancelled");
    }
    const t = asyncio.createTask(inner());
    yield* event.wait();
    assert.equal(t.cancelling(), 0);
    t.cancel();
    assert.equal(t.cancelling(), 1);
    try {
      yield* t;
      assert.fail("CancelledError not raised");
    } catch (e) {
      assert.ok(e instanceof CancelledError, String(e));
    }
    assert.ok(t.cancelled());
  }));

// test_taskgroups.py (3.13) TestTaskGroup.test_coro_closed_when_tg_closed
test("test_taskgroups.py (3.13) TestTaskGroup.test_coro_closed_when_tg_closed", () =>
  run(function* () {
    let tg!: TaskGroup;
    yield* asyncio.taskGroup(function* (g) {
      tg = g;
    });
    const coro = asyncio.sleep(0);
    assert.throws(() => tg.createTask(coro), (e: unknown) => e instanceof RuntimeError && /is finished/.test(e.message));
    // The refused coroutine is closed, not left for the caller.
    assert.deepEqual(coro.next(), { done: true, value: undefined });
  }));
