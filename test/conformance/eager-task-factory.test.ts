// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_eager_task_factory.py, re-created test
// by test. Each test names the CPython test it re-creates. EagerTaskFactoryLoopTests runs in
// CPython for the C and the Python Task; tsyncio has one Task, so each method is here once.
// BaseTaskCountingTests runs with an eager and a non-eager factory (really different set-ups),
// so each of its methods is here twice (EagerTests, NonEagerTests). The loop is asyncio.testing's
// virtual-time loop, so the 0.1 s sleeps take no time.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError } from "../../src/index.js";
import type { Coroutine, Task, TaskOptions } from "../../src/index.js";
import { rejects } from "./_assertions.js";
import { withVirtualLoop, type VirtualTimeLoop } from "./_test-utils.js";

/** EagerTaskFactoryLoopTests.setUp: a loop whose task factory is createEagerTaskFactory(Task). */
function withEagerLoop(body: (loop: VirtualTimeLoop, factory: asyncio.TaskFactory) => Promise<void>): Promise<void> {
  return withVirtualLoop(async (loop) => {
    const factory = asyncio.createEagerTaskFactory(asyncio.Task) as asyncio.TaskFactory;
    loop.setTaskFactory(factory);
    await body(loop, factory);
  });
}

// ---- EagerTaskFactoryLoopTests -----------------------------------------------------------

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_eager_task_factory_set
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_eager_task_factory_set", () =>
  withEagerLoop(async (loop, factory) => {
    assert.ok(factory);
    assert.equal(loop.getTaskFactory(), factory);
    function* noop(): Coroutine<void> {}
    function* run(): Coroutine<void> {
      const t = loop.createTask(noop());
      assert.ok(t instanceof asyncio.Task);
      yield* t;
    }
    await loop.runUntilComplete(run());
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_await_future_during_eager_step
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_await_future_during_eager_step", () =>
  withEagerLoop(async (loop) => {
    function* setResult(fut: asyncio.Future<string>, val: string): Coroutine<void> {
      fut.setResult(val);
    }
    function* run(): Coroutine<string> {
      const fut = loop.createFuture<string>();
      const t = loop.createTask(setResult(fut, "my message"));
      assert.ok(t.done());
      return yield* fut;
    }
    assert.equal(await loop.runUntilComplete(run()), "my message");
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_eager_completion
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_eager_completion", () =>
  withEagerLoop(async (loop) => {
    function* coro(): Coroutine<string> {
      return "hello";
    }
    function* run(): Coroutine<string> {
      const t = loop.createTask(coro());
      assert.ok(t.done());
      return yield* t;
    }
    assert.equal(await loop.runUntilComplete(run()), "hello");
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_block_after_eager_step
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_block_after_eager_step", () =>
  withEagerLoop(async (loop) => {
    function* coro(): Coroutine<string> {
      yield* asyncio.sleep(0.1);
      return "finished after blocking";
    }
    function* run(): Coroutine<string> {
      const t = loop.createTask(coro());
      assert.ok(!t.done());
      const result = yield* t;
      assert.ok(t.done());
      return result;
    }
    assert.equal(await loop.runUntilComplete(run()), "finished after blocking");
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_cancellation_after_eager_completion
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_cancellation_after_eager_completion", () =>
  withEagerLoop(async (loop) => {
    function* coro(): Coroutine<string> {
      return "finished without blocking";
    }
    function* run(): Coroutine<string> {
      const t = loop.createTask(coro());
      t.cancel();
      const result = yield* t;
      assert.ok(!t.cancelled());
      return result;
    }
    assert.equal(await loop.runUntilComplete(run()), "finished without blocking");
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_cancellation_after_eager_step_blocks
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_cancellation_after_eager_step_blocks", () =>
  withEagerLoop(async (loop) => {
    function* coro(): Coroutine<string> {
      yield* asyncio.sleep(0.1);
      return "finished after blocking";
    }
    function* run(): Coroutine<void> {
      const t = loop.createTask(coro());
      t.cancel("cancellation message");
      assert.ok(t.cancelling() > 0);
      yield* t;
    }
    const e = await rejects(CancelledError, loop.runUntilComplete(run()));
    assert.equal(e.message, "cancellation message");
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_current_task
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_current_task", () =>
  withEagerLoop(async (loop) => {
    let capturedCurrentTask: Task<unknown> | null = null;
    function* coro(): Coroutine<void> {
      capturedCurrentTask = asyncio.currentTask();
      yield* asyncio.sleep(0.1);
      assert.equal(asyncio.currentTask(), capturedCurrentTask);
    }
    function* run(): Coroutine<void> {
      const t = loop.createTask(coro());
      assert.equal(capturedCurrentTask, t);
      yield* t;
    }
    await loop.runUntilComplete(run());
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_all_tasks_with_eager_completion
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_all_tasks_with_eager_completion", () =>
  withEagerLoop(async (loop) => {
    let capturedAllTasks: Set<Task<unknown>> | null = null;
    function* coro(): Coroutine<void> {
      capturedAllTasks = asyncio.allTasks();
    }
    function* run(): Coroutine<void> {
      const t = loop.createTask(coro());
      assert.ok(capturedAllTasks!.has(t as Task<unknown>));
      assert.ok(!asyncio.allTasks().has(t as Task<unknown>));
    }
    await loop.runUntilComplete(run());
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_all_tasks_with_blocking
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_all_tasks_with_blocking", () =>
  withEagerLoop(async (loop) => {
    let capturedEagerAllTasks: Set<Task<unknown>> | null = null;
    function* coro(fut1: asyncio.Future<void>, fut2: asyncio.Future<void>): Coroutine<void> {
      capturedEagerAllTasks = asyncio.allTasks();
      yield* fut1;
      fut2.setResult(undefined);
    }
    function* run(): Coroutine<void> {
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      const t = loop.createTask(coro(fut1, fut2)) as Task<unknown>;
      assert.ok(capturedEagerAllTasks!.has(t));
      assert.ok(asyncio.allTasks().has(t));
      fut1.setResult(undefined);
      yield* fut2;
      assert.ok(!asyncio.allTasks().has(t));
    }
    await loop.runUntilComplete(run());
  }));

// test_eager_task_factory.py EagerTaskFactoryLoopTests.test_context_vars
test("test_eager_task_factory.py EagerTaskFactoryLoopTests.test_context_vars", () =>
  withEagerLoop(async (loop) => {
    const cv = new asyncio.ContextVar<number>("cv", { default: 0 });
    let coroFirstStepRan = false;
    let coroSecondStepRan = false;
    function* coro(): Coroutine<void> {
      assert.equal(cv.get(), 1);
      cv.set(2);
      assert.equal(cv.get(), 2);
      coroFirstStepRan = true;
      yield* asyncio.sleep(0.1);
      assert.equal(cv.get(), 2);
      cv.set(3);
      assert.equal(cv.get(), 3);
      coroSecondStepRan = true;
    }
    function* run(): Coroutine<void> {
      cv.set(1);
      const t = loop.createTask(coro());
      assert.ok(coroFirstStepRan);
      assert.ok(!coroSecondStepRan);
      assert.equal(cv.get(), 1);
      yield* t;
      assert.ok(coroSecondStepRan);
      assert.equal(cv.get(), 1);
    }
    await loop.runUntilComplete(run());
  }));

// ---- BaseTaskCountingTests (EagerTests, NonEagerTests) -------------------------------------

/** AsyncTaskCounter: a task factory that counts the tasks not started eagerly. */
function installCounter(loop: asyncio.AbstractEventLoop, eager: boolean): { get(): number } {
  let taskCount = 0;
  class CountingTask<T> extends asyncio.Task<T> {
    constructor(coro: Coroutine<T>, options?: TaskOptions) {
      if (!options?.eagerStart) taskCount += 1;
      super(coro, options);
    }
  }
  const factory: asyncio.TaskFactory = eager
    ? asyncio.createEagerTaskFactory(CountingTask) as asyncio.TaskFactory
    : (l, coro, options) => new CountingTask(coro, { loop: l, ...options });
  loop.setTaskFactory(factory);
  return { get: () => taskCount };
}

function* awaitableChain(depth: number): Coroutine<number> {
  if (depth === 0) return 0;
  return 1 + (yield* awaitableChain(depth - 1));
}

function* recursiveTaskgroups(width: number, depth: number): Coroutine<void> {
  if (depth === 0) return;
  yield* asyncio.taskGroup(function* (tg) {
    for (let i = 0; i < width; i++) tg.createTask(recursiveTaskgroups(width, depth - 1));
  });
}

function* recursiveGather(width: number, depth: number): Coroutine<void> {
  if (depth === 0) return;
  const children: Coroutine<void>[] = [];
  for (let i = 0; i < width; i++) children.push(recursiveGather(width, depth - 1));
  yield* asyncio.gather(...children);
}

for (const [cls, eager, expectedTaskCount] of [["NonEagerTests", false, 781], ["EagerTests", true, 0]] as const) {
  // test_eager_task_factory.py BaseTaskCountingTests.test_awaitables_chain (NonEagerTests, EagerTests)
  test(`test_eager_task_factory.py ${cls}.test_awaitables_chain`, () =>
    withVirtualLoop(async (loop) => {
      const counter = installCounter(loop, eager);
      const observedDepth = await loop.runUntilComplete(awaitableChain(100));
      assert.equal(observedDepth, 100);
      assert.equal(counter.get(), eager ? 0 : 1);
    }));

  // test_eager_task_factory.py BaseTaskCountingTests.test_recursive_taskgroups (NonEagerTests, EagerTests)
  test(`test_eager_task_factory.py ${cls}.test_recursive_taskgroups`, () =>
    withVirtualLoop(async (loop) => {
      const counter = installCounter(loop, eager);
      await loop.runUntilComplete(recursiveTaskgroups(5, 4));
      assert.equal(counter.get(), expectedTaskCount);
    }));

  // test_eager_task_factory.py BaseTaskCountingTests.test_recursive_gather (NonEagerTests, EagerTests)
  test(`test_eager_task_factory.py ${cls}.test_recursive_gather`, () =>
    withVirtualLoop(async (loop) => {
      const counter = installCounter(loop, eager);
      await loop.runUntilComplete(recursiveGather(5, 4));
      assert.equal(counter.get(), expectedTaskCount);
    }));
}
