// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_taskgroups.py, test by test.
// Each test names the CPython test it re-creates. IsolatedAsyncioTestCase becomes
// asyncio.run on a virtual-time loop; `async with TaskGroup() as g:` is
// `yield* asyncio.taskGroup(function* (g) {...})` (or `tg.run(body)` for a group
// made beforehand).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import {
  BaseExceptionGroup, CancelledError, ExceptionGroup, KeyboardInterrupt, RuntimeError, ValueError,
} from "../../src/index.js";
import type { Coroutine, Task, TaskGroup } from "../../src/index.js";
import { check, raises } from "./_assertions.js";
import { runTest } from "./_test-utils.js";

class MyExc extends Error {
  override name = "MyExc";
}

// Python's `class MyBaseExc(BaseException)`: JavaScript has no BaseException
// (docs/differences.md), so it is an ordinary Error here and the group raised is an
// ExceptionGroup, which is a BaseExceptionGroup as the CPython tests assert.
class MyBaseExc extends Error {
  override name = "MyBaseExc";
}

/** Python's ZeroDivisionError (what `1 / 0` raises). */
class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}

function divideByZero(): never {
  throw new ZeroDivisionError("division by zero");
}

/** get_error_types(): the set of the classes of the group's members. */
function errorTypes(eg: unknown): Set<unknown> {
  assert.ok(eg instanceof BaseExceptionGroup, String(eg));
  return new Set(eg.exceptions.map((e) => e.constructor));
}

/** test_utils.await_without_task: drives `coro` from a plain callback, where no task runs; returns what it raised. */
function* awaitWithoutTask(coro: Coroutine<unknown>): Coroutine<unknown> {
  const loop = asyncio.getRunningLoop();
  const done = loop.createFuture<unknown>();
  loop.callSoon(() => {
    try {
      coro.next();
      done.setResult(null);
    } catch (e) {
      done.setResult(e);
    }
  });
  return yield* done;
}

// test_taskgroups.py TestTaskGroup.test_taskgroup_01
test("test_taskgroups.TestTaskGroup.test_taskgroup_01", () =>
  runTest(function* () {
    function* foo1(): Coroutine<number> {
      yield* asyncio.sleep(0.1);
      return 42;
    }
    function* foo2(): Coroutine<number> {
      yield* asyncio.sleep(0.2);
      return 11;
    }
    let t1!: Task<number>, t2!: Task<number>;
    yield* asyncio.taskGroup(function* (g) {
      t1 = g.createTask(foo1());
      t2 = g.createTask(foo2());
    });
    assert.equal(t1.result(), 42);
    assert.equal(t2.result(), 11);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_02
test("test_taskgroups.TestTaskGroup.test_taskgroup_02", () =>
  runTest(function* () {
    function* foo1(): Coroutine<number> {
      yield* asyncio.sleep(0.1);
      return 42;
    }
    function* foo2(): Coroutine<number> {
      yield* asyncio.sleep(0.2);
      return 11;
    }
    let t1!: Task<number>, t2!: Task<number>;
    yield* asyncio.taskGroup(function* (g) {
      t1 = g.createTask(foo1());
      yield* asyncio.sleep(0.15);
      t2 = g.createTask(foo2());
    });
    assert.equal(t1.result(), 42);
    assert.equal(t2.result(), 11);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_03
test("test_taskgroups.TestTaskGroup.test_taskgroup_03", () =>
  runTest(function* () {
    function* foo1(): Coroutine<number> {
      yield* asyncio.sleep(1);
      return 42;
    }
    function* foo2(): Coroutine<number> {
      yield* asyncio.sleep(0.2);
      return 11;
    }
    let t1!: Task<number>, t2!: Task<number>;
    yield* asyncio.taskGroup(function* (g) {
      t1 = g.createTask(foo1());
      yield* asyncio.sleep(0.15);
      // Cancelling one child explicitly does not disturb the others.
      t1.cancel();
      t2 = g.createTask(foo2());
    });
    assert.ok(t1.cancelled());
    assert.equal(t2.result(), 11);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_04
test("test_taskgroups.TestTaskGroup.test_taskgroup_04", () =>
  runTest(function* () {
    let NUM = 0;
    let t2Cancel = false;
    let t2: Task<void> | null = null;
    function* foo1(): Coroutine<void> {
      yield* asyncio.sleep(0.1);
      divideByZero();
    }
    function* foo2(): Coroutine<void> {
      try {
        yield* asyncio.sleep(1);
      } catch (e) {
        if (e instanceof CancelledError) t2Cancel = true;
        throw e;
      }
      NUM += 1;
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(foo1());
        t2 = g.createTask(foo2());
      });
      NUM += 10;
    }
    const eg = yield* raises(ExceptionGroup, () => asyncio.createTask(runner()));
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
    assert.equal(NUM, 0);
    assert.ok(t2Cancel);
    assert.ok(t2!.cancelled());
  }));

// test_taskgroups.py TestTaskGroup.test_cancel_children_on_child_error
test("test_taskgroups.TestTaskGroup.test_cancel_children_on_child_error", () =>
  runTest(function* () {
    let NUM = 0;
    let t2Cancel = false;
    let runnerCancel = false;
    function* foo1(): Coroutine<void> {
      yield* asyncio.sleep(0.1);
      divideByZero();
    }
    function* foo2(): Coroutine<void> {
      try {
        yield* asyncio.sleep(5);
      } catch (e) {
        if (e instanceof CancelledError) t2Cancel = true;
        throw e;
      }
      NUM += 1;
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(foo1());
        g.createTask(foo1());
        g.createTask(foo1());
        g.createTask(foo2());
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) runnerCancel = true;
          throw e;
        }
      });
      NUM += 10;
    }
    const eg = yield* raises(ExceptionGroup, () => asyncio.createTask(runner()));
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
    assert.equal(NUM, 0);
    assert.ok(t2Cancel);
    assert.ok(runnerCancel);
  }));

// test_taskgroups.py TestTaskGroup.test_cancellation
test("test_taskgroups.TestTaskGroup.test_cancellation", () =>
  runTest(function* () {
    let NUM = 0;
    function* foo(): Coroutine<void> {
      try {
        yield* asyncio.sleep(5);
      } catch (e) {
        if (e instanceof CancelledError) NUM += 1;
        throw e;
      }
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        for (let i = 0; i < 5; i++) g.createTask(foo());
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    yield* raises(CancelledError, () => r);
    assert.equal(NUM, 5);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_07
test("test_taskgroups.TestTaskGroup.test_taskgroup_07", () =>
  runTest(function* () {
    let NUM = 0;
    function* foo(): Coroutine<void> {
      try {
        yield* asyncio.sleep(5);
      } catch (e) {
        if (e instanceof CancelledError) NUM += 1;
        throw e;
      }
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        for (let i = 0; i < 5; i++) g.createTask(foo());
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) NUM += 10;
          throw e;
        }
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    yield* raises(CancelledError, () => r);
    assert.equal(NUM, 15);
  }));

/** foo() of several tests: raises ZeroDivisionError when cancelled. */
function* crashOnCancel(): Coroutine<void> {
  try {
    yield* asyncio.sleep(10);
  } finally {
    divideByZero();
  }
}

// test_taskgroups.py TestTaskGroup.test_taskgroup_08
test("test_taskgroups.TestTaskGroup.test_taskgroup_08", () =>
  runTest(function* () {
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        for (let i = 0; i < 5; i++) g.createTask(crashOnCancel());
        yield* asyncio.sleep(10);
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_09
test("test_taskgroups.TestTaskGroup.test_taskgroup_09", () =>
  runTest(function* () {
    let t1: Task<number> | null = null;
    let t2: Task<number> | null = null;
    function* foo1(): Coroutine<number> {
      yield* asyncio.sleep(1);
      return 42;
    }
    function* foo2(): Coroutine<number> {
      yield* asyncio.sleep(2);
      return 11;
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        t1 = g.createTask(foo1());
        t2 = g.createTask(foo2());
        yield* asyncio.sleep(0.1);
        divideByZero();
      });
    }
    const eg = yield* raises(ExceptionGroup, () => runner());
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
    assert.ok(t1!.cancelled());
    assert.ok(t2!.cancelled());
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_10
test("test_taskgroups.TestTaskGroup.test_taskgroup_10", () =>
  runTest(function* () {
    let t1: Task<number> | null = null;
    let t2: Task<number> | null = null;
    function* foo1(): Coroutine<number> {
      yield* asyncio.sleep(1);
      return 42;
    }
    function* foo2(): Coroutine<number> {
      yield* asyncio.sleep(2);
      return 11;
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        t1 = g.createTask(foo1());
        t2 = g.createTask(foo2());
        divideByZero();
      });
    }
    const eg = yield* raises(ExceptionGroup, () => runner());
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
    assert.ok(t1!.cancelled());
    assert.ok(t2!.cancelled());
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_11
test("test_taskgroups.TestTaskGroup.test_taskgroup_11", () =>
  runTest(function* () {
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* () {
        yield* asyncio.taskGroup(function* (g2) {
          for (let i = 0; i < 5; i++) g2.createTask(crashOnCancel());
          yield* asyncio.sleep(10);
        });
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([ExceptionGroup]));
    assert.deepEqual(errorTypes(eg.exceptions[0]), new Set([ZeroDivisionError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_12
test("test_taskgroups.TestTaskGroup.test_taskgroup_12", () =>
  runTest(function* () {
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g1) {
        g1.createTask(asyncio.sleep(10));
        yield* asyncio.taskGroup(function* (g2) {
          for (let i = 0; i < 5; i++) g2.createTask(crashOnCancel());
          yield* asyncio.sleep(10);
        });
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([ExceptionGroup]));
    assert.deepEqual(errorTypes(eg.exceptions[0]), new Set([ZeroDivisionError]));
  }));

function* crashAfter(t: number): Coroutine<void> {
  yield* asyncio.sleep(t);
  throw new ValueError(String(t));
}

// test_taskgroups.py TestTaskGroup.test_taskgroup_13
test("test_taskgroups.TestTaskGroup.test_taskgroup_13", () =>
  runTest(function* () {
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g1) {
        g1.createTask(crashAfter(0.1));
        yield* asyncio.taskGroup(function* (g2) {
          g2.createTask(crashAfter(10));
        });
      });
    }
    const r = asyncio.createTask(runner());
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([ValueError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_14
test("test_taskgroups.TestTaskGroup.test_taskgroup_14", () =>
  runTest(function* () {
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g1) {
        g1.createTask(crashAfter(10));
        yield* asyncio.taskGroup(function* (g2) {
          g2.createTask(crashAfter(0.1));
        });
      });
    }
    const r = asyncio.createTask(runner());
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([ExceptionGroup]));
    assert.deepEqual(errorTypes(eg.exceptions[0]), new Set([ValueError]));
  }));

function* crashSoon(delay: number): Coroutine<void> {
  yield* asyncio.sleep(delay);
  divideByZero();
}

// test_taskgroups.py TestTaskGroup.test_taskgroup_15
test("test_taskgroups.TestTaskGroup.test_taskgroup_15", () =>
  runTest(function* () {
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g1) {
        g1.createTask(crashSoon(0.3));
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) yield* asyncio.sleep(0.5);
          throw e;
        }
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_16
test("test_taskgroups.TestTaskGroup.test_taskgroup_16", () =>
  runTest(function* () {
    function* nestedRunner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g1) {
        g1.createTask(crashSoon(0.3));
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) yield* asyncio.sleep(0.5);
          throw e;
        }
      });
    }
    function* runner(): Coroutine<void> {
      const t = asyncio.createTask(nestedRunner());
      yield* t;
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_17
test("test_taskgroups.TestTaskGroup.test_taskgroup_17", () =>
  runTest(function* () {
    let NUM = 0;
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* () {
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (e instanceof CancelledError) NUM += 10;
          throw e;
        }
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    yield* raises(CancelledError, () => r);
    assert.equal(NUM, 10);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_18
test("test_taskgroups.TestTaskGroup.test_taskgroup_18", () =>
  runTest(function* () {
    let NUM = 0;
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* () {
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          NUM += 10;
          // Replacing the cancellation by another error: odd, but supported.
          throw new MyExc();
        }
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.1);
    assert.ok(!r.done());
    r.cancel();
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([MyExc]));
    assert.equal(NUM, 10);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_19
test("test_taskgroups.TestTaskGroup.test_taskgroup_19", () =>
  runTest(function* () {
    function* nested(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new MyExc();
      }
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(crashSoon(0.1));
        yield* nested();
      });
    }
    const r = asyncio.createTask(runner());
    const eg = yield* raises(ExceptionGroup, () => r);
    assert.deepEqual(errorTypes(eg), new Set([MyExc, ZeroDivisionError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_20
test("test_taskgroups.TestTaskGroup.test_taskgroup_20", () =>
  runTest(function* () {
    function* nested(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new KeyboardInterrupt();
      }
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(crashSoon(0.1));
        yield* nested();
      });
    }
    yield* raises(KeyboardInterrupt, () => runner());
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_20a
test("test_taskgroups.TestTaskGroup.test_taskgroup_20a", () =>
  runTest(function* () {
    function* nested(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new MyBaseExc();
      }
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(crashSoon(0.1));
        yield* nested();
      });
    }
    const eg = yield* raises(BaseExceptionGroup, () => runner());
    assert.deepEqual(errorTypes(eg), new Set([MyBaseExc, ZeroDivisionError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_21a
test("test_taskgroups.TestTaskGroup.test_taskgroup_21a", () =>
  runTest(function* () {
    function* crashSoonBase(): Coroutine<void> {
      yield* asyncio.sleep(0.1);
      throw new MyBaseExc();
    }
    function* nested(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new TypeError();
      }
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(crashSoonBase());
        yield* nested();
      });
    }
    const eg = yield* raises(BaseExceptionGroup, () => runner());
    assert.deepEqual(errorTypes(eg), new Set([MyBaseExc, TypeError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_22
test("test_taskgroups.TestTaskGroup.test_taskgroup_22", () =>
  runTest(function* () {
    function* foo1(): Coroutine<number> {
      yield* asyncio.sleep(1);
      return 42;
    }
    function* foo2(): Coroutine<number> {
      yield* asyncio.sleep(2);
      return 11;
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(foo1());
        g.createTask(foo2());
      });
    }
    const r = asyncio.createTask(runner());
    yield* asyncio.sleep(0.05);
    r.cancel();
    yield* raises(CancelledError, () => r);
  }));

/** The number of running tasks a TaskGroup's repr shows (Python's `len(g._tasks)`). */
function tasksOf(g: TaskGroup): number {
  return Number(/tasks=(\d+)/.exec(String(g))?.[1] ?? 0);
}

// test_taskgroups.py TestTaskGroup.test_taskgroup_23
test("test_taskgroups.TestTaskGroup.test_taskgroup_23", () =>
  runTest(function* () {
    function* doJob(delay: number): Coroutine<void> {
      yield* asyncio.sleep(delay);
    }
    yield* asyncio.taskGroup(function* (g) {
      for (let count = 0; count < 10; count++) {
        yield* asyncio.sleep(0.1);
        g.createTask(doJob(0.3));
        if (count === 5) assert.ok(tasksOf(g) < 5, String(g));
      }
      yield* asyncio.sleep(1.35);
      assert.equal(tasksOf(g), 0);
    });
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_24
test("test_taskgroups.TestTaskGroup.test_taskgroup_24", () =>
  runTest(function* () {
    function* coro1(delay: number): Coroutine<void> {
      yield* asyncio.sleep(delay);
    }
    function* root(g: TaskGroup): Coroutine<void> {
      yield* asyncio.sleep(0.1);
      g.createTask(coro1(0.1));
      g.createTask(coro1(0.2));
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(root(g));
      });
    }
    yield* runner();
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_25
test("test_taskgroups.TestTaskGroup.test_taskgroup_25", () =>
  runTest(function* () {
    let nhydras = 0;
    function* hydra(g: TaskGroup): Coroutine<void> {
      nhydras += 1;
      yield* asyncio.sleep(0.01);
      g.createTask(hydra(g));
      g.createTask(hydra(g));
    }
    function* hercules(): Coroutine<void> {
      while (nhydras < 10) yield* asyncio.sleep(0.015);
      divideByZero();
    }
    function* runner(): Coroutine<void> {
      yield* asyncio.taskGroup(function* (g) {
        g.createTask(hydra(g));
        g.createTask(hercules());
      });
    }
    const eg = yield* raises(ExceptionGroup, () => runner());
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
    assert.ok(nhydras >= 10);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_task_name
test("test_taskgroups.TestTaskGroup.test_taskgroup_task_name", () =>
  runTest(function* () {
    function* coro(): Coroutine<void> {
      yield* asyncio.sleep(0);
    }
    yield* asyncio.taskGroup(function* (g) {
      const t = g.createTask(coro(), { name: "yolo" });
      assert.equal(t.getName(), "yolo");
    });
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_task_context
test("test_taskgroups.TestTaskGroup.test_taskgroup_task_context", () =>
  runTest(function* () {
    const cvar = new asyncio.ContextVar<number>("cvar");
    function* coro(val: number): Coroutine<void> {
      yield* asyncio.sleep(0);
      cvar.set(val);
    }
    yield* asyncio.taskGroup(function* (g) {
      const ctx = asyncio.copyContext();
      assert.equal(ctx.get(cvar), undefined);
      const t1 = g.createTask(coro(1), { context: ctx });
      yield* t1;
      assert.equal(ctx.get(cvar), 1);
      const t2 = g.createTask(coro(2), { context: ctx });
      yield* t2;
      assert.equal(ctx.get(cvar), 2);
    });
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_no_create_task_after_failure
test("test_taskgroups.TestTaskGroup.test_taskgroup_no_create_task_after_failure", () =>
  runTest(function* () {
    function* coro1(): Coroutine<void> {
      yield* asyncio.sleep(0.001);
      divideByZero();
    }
    function* coro2(g: TaskGroup): Coroutine<void> {
      try {
        yield* asyncio.sleep(1);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        const c1 = coro1();
        assert.throws(() => g.createTask(c1), RuntimeError);
        // CPython 3.12 then awaits c1 to get its ZeroDivisionError; tsyncio closes a
        // refused coroutine, as CPython 3.13 does (docs/differences.md), so c1 is finished.
        assert.deepEqual(c1.next(), { done: true, value: undefined });
      }
    }
    const eg = yield* raises(ExceptionGroup, () =>
      asyncio.taskGroup(function* (g) {
        g.createTask(coro1());
        g.createTask(coro2(g));
      }));
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_context_manager_exit_raises
test("test_taskgroups.TestTaskGroup.test_taskgroup_context_manager_exit_raises", () =>
  runTest(function* () {
    class CustomException extends Error {
      override name = "CustomException";
    }
    function* raiseExc(): Coroutine<void> {
      throw new CustomException();
    }
    // contextlib.asynccontextmanager whose exit raises: the body runs inside try/finally.
    function* database(body: () => Coroutine<void>): Coroutine<void> {
      try {
        yield* body();
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new CustomException();
      }
    }
    function* main(): Coroutine<void> {
      const task = asyncio.currentTask()!;
      try {
        yield* asyncio.taskGroup(function* (tg) {
          yield* database(function* () {
            tg.createTask(raiseExc());
            yield* asyncio.sleep(1);
          });
        });
      } catch (e) {
        // except* CustomException as err:
        const [err, rest] = check(e, BaseExceptionGroup).split(CustomException);
        assert.equal(rest, null);
        assert.ok(err !== null);
        assert.equal(task.cancelling(), 0);
        assert.equal(err.exceptions.length, 2);
        return;
      }
      assert.fail("CustomException not raised");
    }
    yield* asyncio.createTask(main());
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_already_entered
test("test_taskgroups.TestTaskGroup.test_taskgroup_already_entered", () =>
  runTest(function* () {
    const tg = new asyncio.TaskGroup();
    yield* tg.run(function* () {
      yield* raises(RuntimeError, () => asyncio.asyncWith(tg, function* () {}), /has already been entered/);
    });
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_double_enter
test("test_taskgroups.TestTaskGroup.test_taskgroup_double_enter", () =>
  runTest(function* () {
    const tg = new asyncio.TaskGroup();
    yield* tg.run(function* () {});
    yield* raises(RuntimeError, () => asyncio.asyncWith(tg, function* () {}), /has already been entered/);
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_finished
test("test_taskgroups.TestTaskGroup.test_taskgroup_finished", () =>
  runTest(function* () {
    const tg = new asyncio.TaskGroup();
    yield* tg.run(function* () {});
    const coro = asyncio.sleep(0);
    assert.throws(() => tg.createTask(coro), (e: unknown) => e instanceof RuntimeError && /is finished/.test(e.message));
    yield* coro;
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_not_entered
test("test_taskgroups.TestTaskGroup.test_taskgroup_not_entered", () =>
  runTest(function* () {
    const tg = new asyncio.TaskGroup();
    const coro = asyncio.sleep(0);
    assert.throws(() => tg.createTask(coro), (e: unknown) => e instanceof RuntimeError && /has not been entered/.test(e.message));
    yield* coro;
  }));

// test_taskgroups.py TestTaskGroup.test_taskgroup_without_parent_task
test("test_taskgroups.TestTaskGroup.test_taskgroup_without_parent_task", () =>
  runTest(function* () {
    const tg = new asyncio.TaskGroup();
    const err = yield* awaitWithoutTask(tg.enter());
    check(err, RuntimeError, /parent task/);
    const coro = asyncio.sleep(0);
    assert.throws(() => tg.createTask(coro), (e: unknown) => e instanceof RuntimeError && /has not been entered/.test(e.message));
    yield* coro;
  }));
