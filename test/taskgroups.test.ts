// TaskGroup: the behaviour CPython's test_taskgroups.py checks (3.12, and the
// cancellation-count tests 3.13 added), written against tsyncio's API.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import {
  BaseExceptionGroup, CancelledError, ContextVar, ExceptionGroup, KeyboardInterrupt, RuntimeError, SystemExit, TaskGroup,
  copyContext, type Coroutine, type Task,
} from "../src/index.js";
import { atest, raises, type ErrorClass } from "./helpers/virtual.js";

const { sleep, createTask, currentTask, getRunningLoop } = asyncio;
const { VirtualTimeLoop } = asyncio.testing;

/** The exception classes in a group (Python's `{type(e) for e in eg.exceptions}`). */
function errorTypes(eg: BaseExceptionGroup): Set<unknown> {
  return new Set(eg.exceptions.map((e) => e.constructor));
}

class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}
class MyExc extends Error {
  override name = "MyExc";
}

function* crashAfter(t: number, make: () => Error = () => new ZeroDivisionError("division by zero")): Coroutine<never> {
  yield* sleep(t);
  throw make();
}

function* sleepThenReturn<T>(t: number, v: T): Coroutine<T> {
  yield* sleep(t);
  return v;
}

atest("taskGroup: waits for every child and returns the body's result", function* () {
  let t1: Task<number> | null = null;
  let t2: Task<number> | null = null;
  const r = yield* asyncio.taskGroup(function* (g) {
    t1 = g.createTask(sleepThenReturn(0.1, 42));
    t2 = g.createTask(sleepThenReturn(0.2, 11));
    return "body";
  });
  assert.equal(r, "body");
  assert.equal(t1!.result(), 42);
  assert.equal(t2!.result(), 11);
});

atest("taskGroup: tasks created after a wait in the body are awaited too", function* () {
  let t2: Task<number> | null = null;
  yield* asyncio.taskGroup(function* (g) {
    g.createTask(sleepThenReturn(0.1, 42));
    yield* sleep(0.15);
    t2 = g.createTask(sleepThenReturn(0.2, 11));
  });
  assert.equal(t2!.result(), 11);
});

atest("taskGroup: a child cancelled explicitly does not affect the others", function* () {
  let t1: Task<number> | null = null;
  let t2: Task<number> | null = null;
  yield* asyncio.taskGroup(function* (g) {
    t1 = g.createTask(sleepThenReturn(1, 42));
    yield* sleep(0.15);
    t1.cancel();
    t2 = g.createTask(sleepThenReturn(0.2, 11));
  });
  assert.equal(t1!.cancelled(), true);
  assert.equal(t2!.result(), 11);
});

atest("taskGroup: a failing child cancels its siblings; the error comes in an ExceptionGroup", function* () {
  let num = 0;
  let t2Cancel = false;
  let t2: Task<void> | null = null;
  function* foo2(): Coroutine<void> {
    try {
      yield* sleep(1);
    } catch (e) {
      if (e instanceof CancelledError) t2Cancel = true;
      throw e;
    }
    num += 1;
  }
  function* runner(): Coroutine<void> {
    yield* asyncio.taskGroup(function* (g) {
      g.createTask(crashAfter(0.1));
      t2 = g.createTask(foo2());
    });
    num += 10;
  }
  const eg = yield* raises(ExceptionGroup, createTask(runner()));
  assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  assert.equal(eg.message, "unhandled errors in a TaskGroup (1 sub-exception)");
  assert.equal(num, 0);
  assert.equal(t2Cancel, true);
  assert.equal(t2!.cancelled(), true);
});

atest("taskGroup: a child failure cancels the body's await and the other children", function* () {
  let num = 0;
  let t2Cancel = false;
  let runnerCancel = false;
  function* foo2(): Coroutine<void> {
    try {
      yield* sleep(5);
    } catch (e) {
      if (e instanceof CancelledError) t2Cancel = true;
      throw e;
    }
    num += 1;
  }
  function* runner(): Coroutine<void> {
    yield* asyncio.taskGroup(function* (g) {
      g.createTask(crashAfter(0.1));
      g.createTask(crashAfter(0.1));
      g.createTask(crashAfter(0.1));
      g.createTask(foo2());
      try {
        yield* sleep(10);
      } catch (e) {
        if (e instanceof CancelledError) runnerCancel = true;
        throw e;
      }
    });
    num += 10;
  }
  const eg = yield* raises(ExceptionGroup, createTask(runner()));
  // The three crashes are due at the same instant: all three are collected.
  assert.equal(eg.exceptions.length, 3);
  assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  assert.equal(num, 0);
  assert.equal(t2Cancel, true);
  assert.equal(runnerCancel, true);
});

atest("taskGroup: cancelling the parent cancels every child and raises CancelledError", function* () {
  let num = 0;
  function* foo(): Coroutine<void> {
    try {
      yield* sleep(5);
    } catch (e) {
      if (e instanceof CancelledError) num += 1;
      throw e;
    }
  }
  const r = createTask(asyncio.taskGroup(function* (g) {
    for (let i = 0; i < 5; i++) g.createTask(foo());
  }));
  yield* sleep(0.1);
  assert.equal(r.done(), false);
  r.cancel();
  yield* raises(CancelledError, r);
  assert.equal(num, 5);

  num = 0;
  const r2 = createTask(asyncio.taskGroup(function* (g) {
    for (let i = 0; i < 5; i++) g.createTask(foo());
    try {
      yield* sleep(10);
    } catch (e) {
      if (e instanceof CancelledError) num += 10;
      throw e;
    }
  }));
  yield* sleep(0.1);
  r2.cancel();
  yield* raises(CancelledError, r2);
  assert.equal(num, 15);
});

atest("taskGroup: children failing while being cancelled turn the cancellation into an ExceptionGroup", function* () {
  function* foo(): Coroutine<void> {
    try {
      yield* sleep(10);
    } finally {
      // the child fails while being cancelled
      throw new ZeroDivisionError();
    }
  }
  const r = createTask(asyncio.taskGroup(function* (g) {
    for (let i = 0; i < 5; i++) g.createTask(foo());
    yield* sleep(10);
  }));
  yield* sleep(0.1);
  r.cancel();
  const eg = yield* raises(ExceptionGroup, r);
  assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  assert.equal(eg.exceptions.length, 5);
});

atest("taskGroup: an error in the body cancels the children (after a wait, or at once)", function* () {
  for (const wait of [true, false]) {
    let t1: Task<number> | null = null;
    let t2: Task<number> | null = null;
    const eg = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (g) {
      t1 = g.createTask(sleepThenReturn(1, 42));
      t2 = g.createTask(sleepThenReturn(2, 11));
      if (wait) yield* sleep(0.1);
      throw new ZeroDivisionError();
    }));
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
    assert.equal(t1!.cancelled(), true);
    assert.equal(t2!.cancelled(), true);
  }
});

atest("taskGroup: nested groups: the inner group's errors arrive as a nested ExceptionGroup", function* () {
  function* foo(): Coroutine<void> {
    try {
      yield* sleep(10);
    } finally {
      // the child fails while being cancelled
      throw new ZeroDivisionError();
    }
  }
  for (const outerChild of [false, true]) {
    const r = createTask(asyncio.taskGroup(function* (g1) {
      if (outerChild) g1.createTask(sleep(10));
      yield* asyncio.taskGroup(function* (g2) {
        for (let i = 0; i < 5; i++) g2.createTask(foo());
        yield* sleep(10);
      });
    }));
    yield* sleep(0.1);
    assert.equal(r.done(), false);
    r.cancel();
    const eg = yield* raises(ExceptionGroup, r);
    assert.deepEqual(errorTypes(eg), new Set([ExceptionGroup]));
    assert.deepEqual(errorTypes(eg.exceptions[0] as BaseExceptionGroup), new Set([ZeroDivisionError]));
  }
});

atest("taskGroup: the outer child fails first: the inner group is cancelled quietly", function* () {
  const r = createTask(asyncio.taskGroup(function* (g1) {
    g1.createTask(crashAfter(0.1, () => new MyExc("outer")));
    yield* asyncio.taskGroup(function* (g2) {
      g2.createTask(crashAfter(10, () => new MyExc("inner")));
    });
  }));
  const eg = yield* raises(ExceptionGroup, r);
  assert.deepEqual(errorTypes(eg), new Set([MyExc]));
  assert.equal(eg.exceptions[0]!.message, "outer");
});

atest("taskGroup: the inner child fails first: the outer group reports the inner group", function* () {
  const r = createTask(asyncio.taskGroup(function* (g1) {
    g1.createTask(crashAfter(10, () => new MyExc("outer")));
    yield* asyncio.taskGroup(function* (g2) {
      g2.createTask(crashAfter(0.1, () => new MyExc("inner")));
    });
  }));
  const eg = yield* raises(ExceptionGroup, r);
  assert.deepEqual(errorTypes(eg), new Set([ExceptionGroup]));
  const inner = eg.exceptions[0] as ExceptionGroup;
  assert.deepEqual(errorTypes(inner), new Set([MyExc]));
  assert.equal(inner.exceptions[0]!.message, "inner");
});

atest("taskGroup: a child failing while the body handles an outside cancellation wins over it", function* () {
  function* nestedRunner(): Coroutine<void> {
    yield* asyncio.taskGroup(function* (g1) {
      g1.createTask(crashAfter(0.3));
      try {
        yield* sleep(10);
      } catch (e) {
        if (e instanceof CancelledError) yield* sleep(0.5);
        throw e;
      }
    });
  }
  for (const viaTask of [false, true]) {
    const r = createTask(viaTask ? (function* () {
      yield* createTask(nestedRunner());
    })() : nestedRunner());
    yield* sleep(0.1);
    assert.equal(r.done(), false);
    r.cancel();
    const eg = yield* raises(ExceptionGroup, r);
    assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  }
});

atest("taskGroup: an empty group whose body is cancelled raises CancelledError", function* () {
  let num = 0;
  const r = createTask(asyncio.taskGroup(function* () {
    try {
      yield* sleep(10);
    } catch (e) {
      if (e instanceof CancelledError) num += 10;
      throw e;
    }
  }));
  yield* sleep(0.1);
  r.cancel();
  yield* raises(CancelledError, r);
  assert.equal(num, 10);
});

atest("taskGroup: a body that turns its cancellation into another error raises that in a group", function* () {
  let num = 0;
  const r = createTask(asyncio.taskGroup(function* () {
    try {
      yield* sleep(10);
    } catch (e) {
      if (e instanceof CancelledError) {
        num += 10;
        throw new MyExc();
      }
      throw e;
    }
  }));
  yield* sleep(0.1);
  r.cancel();
  const eg = yield* raises(ExceptionGroup, r);
  assert.deepEqual(errorTypes(eg), new Set([MyExc]));
  assert.equal(num, 10);
});

atest("taskGroup: the body's error and the children's are collected together", function* () {
  function* nested(): Coroutine<void> {
    try {
      yield* sleep(10);
    } finally {
      // raised when the group cancels the body
      throw new MyExc();
    }
  }
  const eg = yield* raises(ExceptionGroup, createTask(asyncio.taskGroup(function* (g) {
    g.createTask(crashAfter(0.1));
    yield* nested();
  })));
  assert.deepEqual(errorTypes(eg), new Set([MyExc, ZeroDivisionError]));
  // The children's errors first, then the body's.
  assert.ok(eg.exceptions[0] instanceof ZeroDivisionError);
  assert.ok(eg.exceptions[1] instanceof MyExc);
});

for (const [Exit, make] of [[KeyboardInterrupt, () => new KeyboardInterrupt()], [SystemExit, () => new SystemExit(3)]] as const) {
  atest(`taskGroup: ${Exit.name} raised by the body propagates as itself after the children finish`, function* () {
    let childCancelled = false;
    function* nested(): Coroutine<void> {
      try {
        yield* sleep(10);
      } finally {
        // raised when the group cancels the body
        throw make();
      }
    }
    const err = yield* raises(Exit as ErrorClass<Error>, asyncio.taskGroup(function* (g) {
      g.createTask(crashAfter(0.1));
      g.createTask((function* () {
        try {
          yield* sleep(10);
        } catch (e) {
          childCancelled = e instanceof CancelledError;
          throw e;
        }
      })());
      yield* nested();
    }));
    assert.ok(err instanceof Exit);
    assert.equal(childCancelled, true);
  });
}

test("taskGroup: KeyboardInterrupt raised by a child stops the loop with KeyboardInterrupt", async () => {
  await assert.rejects(asyncio.run(asyncio.taskGroup(function* (g) {
    g.createTask(crashAfter(0.1, () => new KeyboardInterrupt()));
    yield* sleep(10);
  }), { loopFactory: () => new VirtualTimeLoop() }), KeyboardInterrupt);
});

atest("taskGroup: a child raising a BaseExceptionGroup makes the result a BaseExceptionGroup", function* () {
  const eg = yield* raises(BaseExceptionGroup, asyncio.taskGroup(function* (g) {
    g.createTask(crashAfter(0.1, () => new BaseExceptionGroup("base", [new CancelledError()])));
    try {
      yield* sleep(10);
    } finally {
      // raised when the group cancels the body
      throw new TypeError("body");
    }
  }));
  assert.equal(eg instanceof ExceptionGroup, false);
  assert.deepEqual(errorTypes(eg), new Set([BaseExceptionGroup, TypeError]));
});

atest("taskGroup: cancelling the parent with plain children raises CancelledError", function* () {
  const r = createTask(asyncio.taskGroup(function* (g) {
    g.createTask(sleepThenReturn(1, 42));
    g.createTask(sleepThenReturn(2, 11));
  }));
  yield* sleep(0.05);
  r.cancel();
  yield* raises(CancelledError, r);
});

atest("taskGroup: finished children leave the group as they finish", function* () {
  yield* asyncio.taskGroup(function* (g) {
    for (let count = 0; count < 10; count++) {
      yield* sleep(0.1);
      g.createTask(sleep(0.3));
      if (count === 5) assert.ok(g._tasks.size < 5);
    }
    yield* sleep(1.35);
    assert.equal(g._tasks.size, 0);
  });
});

atest("taskGroup: children may create more children while the group exits", function* () {
  const order: string[] = [];
  yield* asyncio.taskGroup(function* (g) {
    g.createTask((function* () {
      yield* sleep(0.1);
      g.createTask((function* () {
        yield* sleep(0.1);
        order.push("a");
      })());
      g.createTask((function* () {
        yield* sleep(0.2);
        order.push("b");
      })());
    })());
  });
  assert.deepEqual(order, ["a", "b"]);
});

atest("taskGroup: a growing tree of children is cancelled by one failure", function* () {
  let nhydras = 0;
  function* hydra(g: TaskGroup): Coroutine<void> {
    nhydras += 1;
    yield* sleep(0.01);
    g.createTask(hydra(g));
    g.createTask(hydra(g));
  }
  const eg = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (g) {
    g.createTask(hydra(g));
    g.createTask((function* () {
      while (nhydras < 10) yield* sleep(0.015);
      throw new ZeroDivisionError();
    })());
  }));
  assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  assert.ok(nhydras >= 10);
});

atest("TaskGroup.createTask: name and context options", function* () {
  const cvar = new ContextVar<number | null>("cvar", { default: null });
  yield* asyncio.taskGroup(function* (g) {
    const t = g.createTask(sleep(0), { name: "yolo" });
    assert.equal(t.getName(), "yolo");
    function* coro(val: number): Coroutine<void> {
      yield* sleep(0);
      cvar.set(val);
    }
    const ctx = copyContext();
    assert.equal(ctx.get(cvar), undefined);
    const t1 = g.createTask(coro(1), { context: ctx });
    yield* t1;
    assert.equal(ctx.get(cvar), 1);
    const t2 = g.createTask(coro(2), { context: ctx });
    yield* t2;
    assert.equal(ctx.get(cvar), 2);
  });
});

atest("TaskGroup.createTask: RuntimeError 'is shutting down' after a failure", function* () {
  let shutdownError: unknown = null;
  const eg = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (g) {
    g.createTask(crashAfter(0.001));
    g.createTask((function* () {
      try {
        yield* sleep(1);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        let closed = false;
        const coro = (function* () {
          try {
            yield* sleep(0);
          } finally {
            closed = true;
          }
        })();
        coro.next();
        try {
          g.createTask(coro);
        } catch (err) {
          shutdownError = err;
        }
        assert.equal(closed, true, "the refused coroutine is closed");
      }
    })());
  }));
  assert.deepEqual(errorTypes(eg), new Set([ZeroDivisionError]));
  assert.ok(shutdownError instanceof RuntimeError);
  assert.match((shutdownError as Error).message, /^TaskGroup <TaskGroup.*> is shutting down$/);
});

atest("taskGroup: errors from a cleanup scope inside the group are collected; the count stays balanced", function* () {
  const task = currentTask()!;
  function* database(body: () => Coroutine<void>): Coroutine<void> {
    try {
      yield* body();
    } finally {
      // an exit that raises, as contextlib's would
      throw new MyExc("db");
    }
  }
  const eg = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (tg) {
    yield* database(function* () {
      tg.createTask((function* () {
        throw new MyExc("task");
      })());
      yield* sleep(1);
    });
  }));
  assert.equal(task.cancelling(), 0);
  assert.equal(eg.exceptions.length, 2);
});

atest("TaskGroup: entering twice raises RuntimeError 'has already been entered'", function* () {
  const tg = new TaskGroup();
  yield* tg.run(function* () {
    yield* raises(RuntimeError, tg.run(function* () {}), /has already been entered/);
  });
  const tg2 = new TaskGroup();
  yield* tg2.run(function* () {});
  yield* raises(RuntimeError, tg2.run(function* () {}), /has already been entered/);
});

atest("TaskGroup: createTask on a finished or never-entered group raises RuntimeError and closes the coroutine", function* () {
  const tg = new TaskGroup();
  let closed = false;
  const coro = (function* () {
    try {
      yield* sleep(0);
    } finally {
      closed = true;
    }
  })();
  coro.next();
  assert.throws(() => tg.createTask(coro), /^RuntimeError: TaskGroup <TaskGroup> has not been entered$/);
  assert.equal(closed, true);
  yield* tg.run(function* () {});
  assert.throws(() => tg.createTask(sleep(0)), /^RuntimeError: TaskGroup <TaskGroup entered> is finished$/);
});

atest("TaskGroup: enter() outside a task raises RuntimeError about the parent task", function* () {
  const tg = new TaskGroup();
  const loop = getRunningLoop();
  const done = loop.createFuture<unknown>();
  loop.callSoon(() => {
    try {
      tg.enter().next();
      done.setResult(null);
    } catch (e) {
      done.setResult(e);
    }
  });
  const err = yield* done;
  assert.ok(err instanceof RuntimeError);
  assert.match((err as Error).message, /cannot determine the parent task/);
  assert.throws(() => tg.createTask(sleep(0)), /has not been entered/);
});

atest("TaskGroup: explicit enter()/exit(exc), as __aenter__/__aexit__", function* () {
  const tg = new TaskGroup();
  assert.equal(yield* tg.enter(), tg);
  assert.equal(String(tg), "<TaskGroup entered>");
  const t = tg.createTask(sleepThenReturn(0.1, 5));
  assert.equal(String(tg), "<TaskGroup tasks=1 entered>");
  yield* tg.exit();
  assert.equal(t.result(), 5);

  const tg2 = new TaskGroup();
  yield* tg2.enter();
  const child = tg2.createTask(sleepThenReturn(1, 1));
  const eg = yield* raises(ExceptionGroup, tg2.exit(new MyExc("body")));
  assert.equal(child.cancelled(), true);
  assert.deepEqual(errorTypes(eg), new Set([MyExc]));
});

atest("TaskGroup: the parent's cancelling() is unchanged after a group whose child failed", function* () {
  const eg = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (tg) {
    tg.createTask(crashAfter(0, () => new RuntimeError()));
  }));
  assert.deepEqual(errorTypes(eg), new Set([RuntimeError]));
  assert.equal(currentTask()!.cancelling(), 0);
  // Not cancelled any more: it can sleep.
  yield* sleep(0.01);
});

atest("TaskGroup: nested groups that both fail keep the cancellation count balanced", function* () {
  const task = currentTask()!;
  const outer = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (outerTg) {
    const inner = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (innerTg) {
      innerTg.createTask(crashAfter(0, () => new RuntimeError()));
      outerTg.createTask(crashAfter(0, () => new MyExc()));
    }));
    assert.deepEqual(errorTypes(inner), new Set([RuntimeError]));
    assert.equal(task.cancelling(), 1);
  }));
  assert.deepEqual(errorTypes(outer), new Set([MyExc]));
  assert.equal(task.cancelling(), 0);
});

atest("TaskGroup: a child error and an outside cancel: the outside cancellation survives the group", function* () {
  const event = new asyncio.Event();
  let afterGroup = false;
  function* inner(): Coroutine<void> {
    try {
      yield* asyncio.taskGroup(function* (tg) {
        tg.createTask((function* () {
          event.set();
          yield* sleep(0);
          throw new RuntimeError();
        })());
        yield* sleep(1);
        assert.fail("the sleep in the group should have been cancelled");
      });
    } catch (e) {
      assert.ok(e instanceof ExceptionGroup);
      assert.equal(currentTask()!.cancelling(), 1);
    }
    assert.equal(currentTask()!.cancelling(), 1);
    afterGroup = true;
    yield* sleep(1);
    assert.fail("the sleep after the group should have been cancelled");
  }
  const t = createTask(inner());
  yield* event.wait();
  assert.equal(t.cancelling(), 0);
  t.cancel();
  assert.equal(t.cancelling(), 1);
  yield* raises(CancelledError, t);
  assert.equal(t.cancelled(), true);
  assert.equal(afterGroup, true);
});

atest("TaskGroup: the group swallows its own cancellation of the parent, not an outside one", function* () {
  // A child fails: the body's await is cancelled by the group, which takes that back.
  const t1 = createTask((function* () {
    yield* raises(ExceptionGroup, asyncio.taskGroup(function* (tg) {
      tg.createTask(crashAfter(0.1));
      yield* sleep(10);
    }));
    yield* sleep(0.1);
    return currentTask()!.cancelling();
  })());
  assert.equal(yield* t1, 0);
  // Cancelled from outside while only waiting for the children: CancelledError propagates.
  const t2 = createTask(asyncio.taskGroup(function* (tg) {
    tg.createTask(sleep(10));
  }));
  yield* sleep(0.1);
  t2.cancel();
  yield* raises(CancelledError, t2);
  assert.equal(t2.cancelled(), true);
});

atest("TaskGroup: a body cancelled repeatedly while waiting for children still waits for them", function* () {
  let childFinished = false;
  const t = createTask(asyncio.taskGroup(function* (tg) {
    tg.createTask((function* () {
      try {
        yield* sleep(10);
      } catch (e) {
        // Slow cleanup: several loop iterations while the parent is cancelled again.
        for (let i = 0; i < 5; i++) yield* sleep(0);
        childFinished = true;
        throw e;
      }
    })());
  }));
  yield* sleep(0.1);
  t.cancel();
  yield* sleep(0);
  t.cancel();
  yield* sleep(0);
  t.cancel();
  yield* raises(CancelledError, t);
  assert.equal(childFinished, true);
});

atest("TaskGroup: works with eager tasks, including children that finish or fail eagerly", function* () {
  const loop = getRunningLoop();
  loop.setTaskFactory(asyncio.eagerTaskFactory);
  try {
    let eagerDone: Task<number> | null = null;
    const eg = yield* raises(ExceptionGroup, asyncio.taskGroup(function* (tg) {
      eagerDone = tg.createTask((function* () {
        return 1;
      })());
      assert.equal(eagerDone.done(), true);
      assert.equal(tg._tasks.size, 0);
      tg.createTask((function* () {
        throw new MyExc("eager");
      })());
      yield* sleep(10);
    }));
    assert.equal(eagerDone!.result(), 1);
    assert.deepEqual(errorTypes(eg), new Set([MyExc]));
    assert.equal(currentTask()!.cancelling(), 0);
  } finally {
    loop.setTaskFactory(null);
  }
});

atest("TaskGroup: `await using` and await from async functions", function* () {
  const results: number[] = [];
  yield* asyncio.wrapFuture((async () => {
    const r = await asyncio.taskGroup(function* (tg) {
      tg.createTask((function* () {
        yield* sleep(0.1);
        results.push(1);
      })());
      return "scoped";
    });
    assert.equal(r, "scoped");
    {
      const tg = new TaskGroup();
      await tg.enter();
      await using _group = tg;
      tg.createTask((function* () {
        yield* sleep(0.1);
        results.push(2);
      })());
    }
  })());
  assert.deepEqual(results, [1, 2]);
});
