// Conformance: CPython 3.12.1's test_runners.py, test by test (runners.test.ts
// checks the same module by topic). BaseTest's policy is TestPolicy below: its
// loops are real SelectorEventLoops whose shutdownAsyncgens() is recorded, and
// each test ends with BaseTest.tearDown's checks. Python's `with
// asyncio.Runner() as runner:` is withRunner(). `_thread.interrupt_main()` is a
// real SIGINT sent to this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, KeyboardInterrupt, RuntimeError, ValueError } from "../../src/index.js";
import type { AbstractEventLoop, Coroutine, Future } from "../../src/index.js";
import { raisesSync, rejects } from "./_assertions.js";

class ZeroDivisionError extends Error {}

type TestLoop = AbstractEventLoop & { shutdownAgRun: boolean };

/** BaseTest.new_loop: a loop that records that shutdownAsyncgens() ran. */
function newLoop(): TestLoop {
  const loop = new asyncio.SelectorEventLoop() as unknown as TestLoop;
  loop.shutdownAgRun = false;
  const shutdown = loop.shutdownAsyncgens.bind(loop);
  loop.shutdownAsyncgens = () => {
    loop.shutdownAgRun = true;
    return shutdown();
  };
  return loop;
}

/** test_runners.py TestPolicy. */
class TestPolicy extends asyncio.AbstractEventLoopPolicy {
  loop: TestLoop | null = null;
  setCalls = 0;
  constructor(readonly loopFactory: () => TestLoop) {
    super();
  }
  override getEventLoop(): AbstractEventLoop {
    // asyncio.run() never calls it
    throw new RuntimeError();
  }
  override newEventLoop(): AbstractEventLoop {
    return this.loopFactory();
  }
  override setEventLoop(loop: AbstractEventLoop | null): void {
    this.setCalls += 1;
    if (loop !== null) this.loop = loop as TestLoop;
  }
}

/** A test with BaseTest's setUp (a TestPolicy) and tearDown (its last loop closed after its async generators). */
function baseTest(name: string, body: (policy: TestPolicy) => Promise<void>): void {
  test(name, async () => {
    const policy = new TestPolicy(newLoop);
    asyncio.setEventLoopPolicy(policy);
    try {
      await body(policy);
      const p = asyncio.getEventLoopPolicy() as TestPolicy;
      if (p.loop !== null) {
        assert.equal(p.loop.isClosed(), true);
        assert.equal(p.loop.shutdownAgRun, true);
      }
    } finally {
      asyncio.setEventLoopPolicy(null);
    }
  });
}

/** `with asyncio.Runner(...) as runner:` — entering initializes the runner, leaving closes it. */
async function withRunner(runner: asyncio.Runner, body: (runner: asyncio.Runner) => Promise<void>): Promise<void> {
  runner.getLoop(); // __enter__: _lazy_init()
  try {
    await body(runner);
  } finally {
    await runner.close();
  }
}

/** _thread.interrupt_main(): a real SIGINT to this process; the promise resolves once it was delivered. */
function interruptSelf(): Promise<void> {
  const delivered = new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  process.kill(process.pid, "SIGINT");
  return delivered;
}

// ---- RunTests ----------------------------------------------------------------

// test_runners.py RunTests.test_asyncio_run_return
baseTest("test_runners.RunTests.test_asyncio_run_return", async () => {
  function* main(): Coroutine<number> {
    yield* asyncio.sleep(0);
    return 42;
  }
  assert.equal(await asyncio.run(main()), 42);
});

// test_runners.py RunTests.test_asyncio_run_raises
baseTest("test_runners.RunTests.test_asyncio_run_raises", async () => {
  function* main(): Coroutine<void> {
    yield* asyncio.sleep(0);
    throw new ValueError("spam");
  }
  await rejects(ValueError, asyncio.run(main()), /spam/);
});

// test_runners.py RunTests.test_asyncio_run_only_coro
baseTest("test_runners.RunTests.test_asyncio_run_only_coro", async () => {
  for (const o of [1, () => null]) {
    await rejects(ValueError, asyncio.run(o as unknown as Coroutine<unknown>), /a coroutine was expected/);
  }
});

// test_runners.py RunTests.test_asyncio_run_debug
// Python's coroutines._is_debug_mode() is the environment (PYTHONASYNCIODEBUG);
// here TSYNCIO_DEBUG, read when a loop is created.
baseTest("test_runners.RunTests.test_asyncio_run_debug", async () => {
  function* main(expected: boolean): Coroutine<void> {
    const loop = asyncio.getEventLoop();
    assert.equal(loop.getDebug(), expected);
  }
  await asyncio.run(main(false), { debug: false });
  await asyncio.run(main(true), { debug: true });
  const saved = process.env.TSYNCIO_DEBUG;
  try {
    process.env.TSYNCIO_DEBUG = "1";
    await asyncio.run(main(true));
    await asyncio.run(main(false), { debug: false });
    delete process.env.TSYNCIO_DEBUG;
    await asyncio.run(main(true), { debug: true });
    await asyncio.run(main(false));
  } finally {
    if (saved === undefined) delete process.env.TSYNCIO_DEBUG;
    else process.env.TSYNCIO_DEBUG = saved;
  }
});

// test_runners.py RunTests.test_asyncio_run_from_running_loop
baseTest("test_runners.RunTests.test_asyncio_run_from_running_loop", async () => {
  function* main(): Coroutine<void> {
    const coro = main();
    try {
      void asyncio.run(coro);
    } finally {
      coro.return(undefined);
    }
  }
  await rejects(RuntimeError, asyncio.run(main()), /cannot be called from a running/);
});

// test_runners.py RunTests.test_asyncio_run_cancels_hanging_tasks
baseTest("test_runners.RunTests.test_asyncio_run_cancels_hanging_tasks", async () => {
  let loTask: asyncio.Task<void> | null = null;
  function* leftover(): Coroutine<void> {
    yield* asyncio.sleep(0.1);
  }
  function* main(): Coroutine<number> {
    loTask = asyncio.createTask(leftover());
    return 123;
  }
  assert.equal(await asyncio.run(main()), 123);
  assert.equal(loTask!.done(), true);
});

// test_runners.py RunTests.test_asyncio_run_reports_hanging_tasks_errors
baseTest("test_runners.RunTests.test_asyncio_run_reports_hanging_tasks_errors", async () => {
  let loTask: asyncio.Task<void> | null = null;
  const calls: asyncio.ExceptionContext[] = [];
  function* leftover(): Coroutine<void> {
    try {
      yield* asyncio.sleep(0.1);
    } catch (e) {
      if (e instanceof CancelledError) throw new ZeroDivisionError("division by zero");
      throw e;
    }
  }
  function* main(): Coroutine<number> {
    const loop = asyncio.getRunningLoop();
    loop.callExceptionHandler = (context) => void calls.push(context);
    loTask = asyncio.createTask(leftover());
    return 123;
  }
  assert.equal(await asyncio.run(main()), 123);
  assert.equal(loTask!.done(), true);
  const last = calls.at(-1)!;
  assert.deepEqual(Object.keys(last).sort(), ["exception", "message", "task"]);
  assert.match(last.message, /asyncio.run.*shutdown/);
  assert.equal(last.task, loTask);
  assert.ok(last.exception instanceof ZeroDivisionError);
});

// test_runners.py RunTests.test_asyncio_run_closes_gens_after_hanging_tasks_errors
// An async generator is registered with the loop by hand (docs/differences.md:
// JavaScript has no hook that tells the loop an async generator started).
baseTest("test_runners.RunTests.test_asyncio_run_closes_gens_after_hanging_tasks_errors", async () => {
  let spinner: AsyncGenerator<number, void, unknown> | null = null;
  let lazyboy: asyncio.Task<void> | null = null;
  class FancyExit extends Error {}
  async function* fidget(): AsyncGenerator<number, void, unknown> {
    for (;;) {
      yield 1;
      await asyncio.sleep(1);
    }
  }
  function* spin(): Coroutine<void> {
    spinner = fidget();
    (asyncio.getRunningLoop() as unknown as { _asyncgenFirstiter(g: AsyncGenerator<unknown, unknown, unknown>): void })._asyncgenFirstiter(spinner);
    try {
      const it = asyncio.aiter(spinner);
      for (;;) {
        const theMeaningOfLife = yield* asyncio.anext(it, null);
        if (theMeaningOfLife === null) break;
      }
    } catch (e) {
      if (e instanceof CancelledError) throw new ZeroDivisionError("division by zero");
      throw e;
    }
  }
  function* main(): Coroutine<void> {
    const loop = asyncio.getRunningLoop();
    loop.callExceptionHandler = () => {};
    lazyboy = asyncio.createTask(spin());
    throw new FancyExit();
  }
  await rejects(FancyExit, asyncio.run(main()));
  assert.equal(lazyboy!.done(), true);
  // ag_frame is None and not ag_running: the generator is finished.
  assert.deepEqual(await spinner!.next(), { done: true, value: undefined });
});

// test_runners.py RunTests.test_asyncio_run_set_event_loop
baseTest("test_runners.RunTests.test_asyncio_run_set_event_loop", async (policy) => {
  function* main(): Coroutine<number> {
    yield* asyncio.sleep(0);
    return 42;
  }
  await asyncio.run(main());
  assert.ok(policy.setCalls > 0);
});

// test_runners.py RunTests.test_asyncio_run_without_uncancel
// The task factory gives an object with a Task's methods but no uncancel().
baseTest("test_runners.RunTests.test_asyncio_run_without_uncancel", async () => {
  class Task<T> {
    private readonly _task: asyncio.Task<T>;
    constructor(loop: AbstractEventLoop, coro: Coroutine<T>, options?: { name?: string | null; context?: asyncio.Context | null }) {
      this._task = new asyncio.Task(coro, { loop, ...options });
    }
    cancel(msg?: string | null): boolean {
      return this._task.cancel(msg);
    }
    addDoneCallback(...a: Parameters<asyncio.Task<T>["addDoneCallback"]>): void {
      this._task.addDoneCallback(...a);
    }
    removeDoneCallback(...a: Parameters<asyncio.Task<T>["removeDoneCallback"]>): number {
      return this._task.removeDoneCallback(...a);
    }
    get _asyncio_future_blocking(): boolean {
      return this._task._asyncio_future_blocking;
    }
    result(): T {
      return this._task.result();
    }
    done(): boolean {
      return this._task.done();
    }
    cancelled(): boolean {
      return this._task.cancelled();
    }
    exception(): unknown {
      return this._task.exception();
    }
    getLoop(): AbstractEventLoop {
      return this._task.getLoop();
    }
  }
  function* main(): Coroutine<void> {
    void interruptSelf();
    yield* new asyncio.Event().wait();
  }
  const newEventLoop = (): TestLoop => {
    const loop = newLoop();
    loop.setTaskFactory((l, coro, options) => new Task(l, coro, options) as unknown as Future<never>);
    return loop;
  };
  asyncio.setEventLoopPolicy(new TestPolicy(newEventLoop));
  await rejects(CancelledError, asyncio.run(main()));
});

// test_runners.py RunTests.test_asyncio_run_loop_factory
baseTest("test_runners.RunTests.test_asyncio_run_loop_factory", async () => {
  const loop = newLoop();
  const calls: unknown[][] = [];
  const factory = (...args: unknown[]): AbstractEventLoop => {
    calls.push(args);
    return loop;
  };
  function* main(): Coroutine<void> {
    assert.equal(asyncio.getRunningLoop(), loop);
  }
  await asyncio.run(main(), { loopFactory: factory });
  assert.deepEqual(calls, [[]]);
});

// ---- RunnerTests -------------------------------------------------------------

// test_runners.py RunnerTests.test_non_debug
baseTest("test_runners.RunnerTests.test_non_debug", () =>
  withRunner(new asyncio.Runner({ debug: false }), async (runner) => {
    assert.equal(runner.getLoop().getDebug(), false);
  }));

// test_runners.py RunnerTests.test_debug
baseTest("test_runners.RunnerTests.test_debug", () =>
  withRunner(new asyncio.Runner({ debug: true }), async (runner) => {
    assert.equal(runner.getLoop().getDebug(), true);
  }));

// test_runners.py RunnerTests.test_custom_factory
// CPython's factory returns a Mock; here a loop that no policy made.
baseTest("test_runners.RunnerTests.test_custom_factory", async () => {
  const loop = newLoop();
  await withRunner(new asyncio.Runner({ loopFactory: () => loop }), async (runner) => {
    assert.equal(runner.getLoop(), loop);
  });
});

// test_runners.py RunnerTests.test_run
baseTest("test_runners.RunnerTests.test_run", async () => {
  function* f(): Coroutine<string> {
    yield* asyncio.sleep(0);
    return "done";
  }
  let loop: AbstractEventLoop | null = null;
  const runner = new asyncio.Runner();
  await withRunner(runner, async () => {
    assert.equal(await runner.run(f()), "done");
    loop = runner.getLoop();
  });
  raisesSync(RuntimeError, () => runner.getLoop(), /Runner is closed/);
  assert.equal(loop!.isClosed(), true);
});

// test_runners.py RunnerTests.test_run_non_coro
baseTest("test_runners.RunnerTests.test_run_non_coro", () =>
  withRunner(new asyncio.Runner(), async (runner) => {
    await rejects(ValueError, runner.run(123 as unknown as Coroutine<number>), /a coroutine was expected/);
  }));

// test_runners.py RunnerTests.test_run_future
baseTest("test_runners.RunnerTests.test_run_future", () =>
  withRunner(new asyncio.Runner(), async (runner) => {
    const fut = runner.getLoop().createFuture<number>();
    await rejects(ValueError, runner.run(fut as unknown as Coroutine<number>), /a coroutine was expected/);
  }));

// test_runners.py RunnerTests.test_explicit_close
baseTest("test_runners.RunnerTests.test_explicit_close", async () => {
  const runner = new asyncio.Runner();
  const loop = runner.getLoop();
  await runner.close();
  raisesSync(RuntimeError, () => runner.getLoop(), /Runner is closed/);
  assert.equal(loop.isClosed(), true);
});

// test_runners.py RunnerTests.test_double_close
baseTest("test_runners.RunnerTests.test_double_close", async () => {
  const runner = new asyncio.Runner();
  const loop = runner.getLoop();
  await runner.close();
  assert.equal(loop.isClosed(), true);
  // the second call is a no-op
  await runner.close();
  assert.equal(loop.isClosed(), true);
});

// test_runners.py RunnerTests.test_second_with_block_raises
baseTest("test_runners.RunnerTests.test_second_with_block_raises", async () => {
  const ret: number[] = [];
  function* f(arg: number): Coroutine<void> {
    ret.push(arg);
  }
  const runner = new asyncio.Runner();
  await withRunner(runner, async () => {
    await runner.run(f(1));
  });
  const coro = f(2);
  await rejects(RuntimeError, withRunner(runner, async () => {
    await runner.run(coro);
  }), /Runner is closed/);
  assert.deepEqual(ret, [1]);
});

// test_runners.py RunnerTests.test_run_keeps_context
baseTest("test_runners.RunnerTests.test_run_keeps_context", async () => {
  const cvar = new asyncio.ContextVar<number>("cvar", { default: -1 });
  function* f(val: number): Coroutine<number> {
    const old = cvar.get();
    yield* asyncio.sleep(0);
    cvar.set(val);
    return old;
  }
  function* getContext(): Coroutine<asyncio.Context> {
    return asyncio.copyContext();
  }
  await withRunner(new asyncio.Runner(), async (runner) => {
    assert.equal(await runner.run(f(1)), -1);
    assert.equal(await runner.run(f(2)), 1);
    assert.equal((await runner.run(getContext())).get(cvar), 2);
  });
});

// test_runners.py RunnerTests.test_recursive_run
// The "coroutine ... was never awaited" RuntimeWarning for g() is not checked:
// a program's own coroutine dropped unawaited is not reported
// (docs/differences.md).
baseTest("test_runners.RunnerTests.test_recursive_run", async () => {
  function* g(): Coroutine<void> {}
  const runner = new asyncio.Runner();
  function* f(): Coroutine<void> {
    yield* asyncio.wrapFuture(runner.run(g()));
  }
  await withRunner(runner, async () => {
    await rejects(RuntimeError, runner.run(f()), /^Runner\.run\(\) cannot be called from a running event loop$/);
  });
});

// test_runners.py RunnerTests.test_interrupt_call_soon
baseTest("test_runners.RunnerTests.test_interrupt_call_soon", async () => {
  // The only case where the task is not suspended waiting on a future or another task.
  function* coro(): Coroutine<void> {
    let raised = false;
    try {
      for (;;) yield* asyncio.sleep(0);
    } catch (e) {
      assert.ok(e instanceof CancelledError);
      raised = true;
    }
    assert.ok(raised);
    throw new CancelledError();
  }
  await withRunner(new asyncio.Runner(), async (runner) => {
    runner.getLoop().callLater(0.01, () => void interruptSelf());
    await rejects(KeyboardInterrupt, runner.run(coro()));
  });
});

// test_runners.py RunnerTests.test_interrupt_wait
baseTest("test_runners.RunnerTests.test_interrupt_wait", async () => {
  // Interrupting while waiting on a future cancels both the future and the main task.
  function* coro(fut: Future<void>): Coroutine<void> {
    let raised = false;
    try {
      yield* fut;
    } catch (e) {
      assert.ok(e instanceof CancelledError);
      raised = true;
    }
    assert.ok(raised);
    throw new CancelledError();
  }
  await withRunner(new asyncio.Runner(), async (runner) => {
    const fut = runner.getLoop().createFuture<void>();
    runner.getLoop().callLater(0.01, () => void interruptSelf());
    await rejects(KeyboardInterrupt, runner.run(coro(fut)));
    assert.equal(fut.cancelled(), true);
  });
});

// test_runners.py RunnerTests.test_interrupt_cancelled_task
// Interrupting a main task that was already cancelled gives CancelledError,
// not KeyboardInterrupt. Python's interrupt_main() is seen at the next
// bytecode; a real SIGINT arrives a loop iteration later, so the main task's
// cleanup waits for its delivery (the runner's handler runs first).
baseTest("test_runners.RunnerTests.test_interrupt_cancelled_task", async () => {
  let delivered: Promise<void> | null = null;
  function* subtask(task: asyncio.Task<unknown>): Coroutine<void> {
    yield* asyncio.sleep(0);
    task.cancel();
    delivered = interruptSelf();
  }
  function* coro(): Coroutine<void> {
    asyncio.createTask(subtask(asyncio.currentTask()!));
    try {
      yield* asyncio.sleep(10);
    } finally {
      yield* asyncio.wrapFuture(delivered!);
    }
  }
  await withRunner(new asyncio.Runner(), async (runner) => {
    await rejects(CancelledError, runner.run(coro()));
  });
});

// test_runners.py RunnerTests.test_set_event_loop_called_once
baseTest("test_runners.RunnerTests.test_set_event_loop_called_once", async (policy) => {
  function* coro(): Coroutine<void> {}
  const runner = new asyncio.Runner();
  await runner.run(coro());
  await runner.run(coro());
  assert.equal(policy.setCalls, 1);
  await runner.close();
});
