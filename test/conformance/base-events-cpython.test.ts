// Conformance: CPython 3.12.1's test_base_events.py, test by test
// (base-events.test.ts checks the same module by topic). CPython's tests run
// a BaseEventLoop with a mocked selector and inspect its private queues; here
// each test runs a real loop (a SelectorEventLoop from newEventLoop(), or the
// virtual-time loop where CPython measures time) and checks what those private
// attributes stand for: which callbacks run, in what order, what is raised,
// what the "asyncio" logger and the exception handler receive. Network tests
// use real sockets on 127.0.0.1 and ::1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as asyncio from "../../src/index.js";
import * as socket from "../../src/stdlib/socket.js";
import {
  KeyboardInterrupt, NotImplementedError, OSError, RuntimeError, SystemExit, ValueError,
} from "../../src/index.js";
import type { AbstractEventLoop, Coroutine, ExceptionContext, LogRecord } from "../../src/index.js";
import { raises, raisesSync } from "./_assertions.js";
import { gcCollect, runBriefly } from "./_test-utils.js";

class ZeroDivisionError extends Error {}

/** BaseEventLoopTests.setUp: a new loop set as the current one; closed at the end. */
function loopTest(name: string, body: (loop: AbstractEventLoop) => Promise<void> | void, factory: () => AbstractEventLoop = asyncio.newEventLoop): void {
  test(name, async () => {
    const loop = factory();
    asyncio.setEventLoop(loop);
    try {
      await body(loop);
    } finally {
      if (!loop.isRunning()) loop.close();
      asyncio.setEventLoop(null);
    }
  });
}

/** mock.patch('asyncio.base_events.logger'): the records logged while `body` runs. */
async function captureLog(body: () => Promise<unknown> | void): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  asyncio.logger.setSink((r) => void records.push(r));
  try {
    await body();
  } finally {
    asyncio.logger.setSink(null);
  }
  return records;
}

/** Asserts a promise or a synchronous call raises `cls` (assertRaises on a call that may throw or reject). */
async function callRaises(cls: abstract new (...a: never[]) => Error, fn: () => unknown, re?: RegExp): Promise<void> {
  let p: unknown;
  try {
    p = fn();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (re !== undefined) assert.match(e.message, re);
    return;
  }
  await assert.rejects(Promise.resolve(p), (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (re !== undefined) assert.match(e.message, re);
    return true;
  });
}

// ---- BaseEventTests ------------------------------------------------------------
// _ipaddr_info() is the fast path by which a numeric host skips getaddrinfo();
// its results are what loop.getaddrinfo() answers for such a host.

/** loop.getaddrinfo's first answer. */
function* gai1(host: string, port: number | string | null, family: number, type: number, proto: number): Coroutine<unknown> {
  const infos = yield* asyncio.getRunningLoop().getaddrinfo(host, port as number, { family, type, proto });
  return infos[0];
}

// test_base_events.py BaseEventTests.test_ipaddr_info
loopTest("test_base_events.BaseEventTests.test_ipaddr_info", (loop) =>
  loop.runUntilComplete((function* () {
    const { AF_UNSPEC: UNSPEC, AF_INET: INET, AF_INET6: INET6, SOCK_STREAM: STREAM, SOCK_DGRAM: DGRAM, IPPROTO_TCP: TCP, IPPROTO_UDP: UDP } = socket;
    assert.deepEqual(yield* gai1("1.2.3.4", 1, INET, STREAM, TCP), [INET, STREAM, TCP, "", ["1.2.3.4", 1]]);
    assert.deepEqual(yield* gai1("1.2.3.4", 1, UNSPEC, STREAM, TCP), [INET, STREAM, TCP, "", ["1.2.3.4", 1]]);
    assert.deepEqual(yield* gai1("1.2.3.4", 1, UNSPEC, DGRAM, UDP), [INET, DGRAM, UDP, "", ["1.2.3.4", 1]]);
    // Socket type STREAM implies TCP, DGRAM implies UDP.
    assert.deepEqual(yield* gai1("1.2.3.4", 1, UNSPEC, STREAM, 0), [INET, STREAM, TCP, "", ["1.2.3.4", 1]]);
    assert.deepEqual(yield* gai1("1.2.3.4", 1, UNSPEC, DGRAM, 0), [INET, DGRAM, UDP, "", ["1.2.3.4", 1]]);
    assert.deepEqual(yield* gai1("::3", 1, INET6, STREAM, TCP), [INET6, STREAM, TCP, "", ["::3", 1, 0, 0]]);
    assert.deepEqual(yield* gai1("::3", 1, UNSPEC, STREAM, TCP), [INET6, STREAM, TCP, "", ["::3", 1, 0, 0]]);
    // An IPv6 address with family IPv4 resolves to nothing.
    yield* raises(OSError, loop.getaddrinfo("::3", 1, { family: INET, type: STREAM, proto: TCP }));
  })()));

// test_base_events.py BaseEventTests.test_port_parameter_types
loopTest("test_base_events.BaseEventTests.test_port_parameter_types", (loop) =>
  loop.runUntilComplete((function* () {
    const { AF_INET: INET, SOCK_STREAM: STREAM, IPPROTO_TCP: TCP } = socket;
    assert.deepEqual(yield* gai1("1.2.3.4", null, INET, STREAM, TCP), [INET, STREAM, TCP, "", ["1.2.3.4", 0]]);
    assert.deepEqual(yield* gai1("1.2.3.4", "", INET, STREAM, TCP), [INET, STREAM, TCP, "", ["1.2.3.4", 0]]);
    assert.deepEqual(yield* gai1("1.2.3.4", "1", INET, STREAM, TCP), [INET, STREAM, TCP, "", ["1.2.3.4", 1]]);
  })()));

// ---- BaseEventLoopTests ----------------------------------------------------------

// test_base_events.py BaseEventLoopTests.test_close
loopTest("test_base_events.BaseEventLoopTests.test_close", async (loop) => {
  assert.equal(loop.isClosed(), false);
  loop.close();
  assert.equal(loop.isClosed(), true);
  // close() may be called more than once
  loop.close();
  loop.close();
  // a closed loop refuses to run
  const f = new asyncio.Future({ loop });
  await callRaises(RuntimeError, () => loop.runForever());
  await callRaises(RuntimeError, () => loop.runUntilComplete(f));
});

// test_base_events.py BaseEventLoopTests.test_set_default_executor
// CPython reads the private _default_executor; the executor set is the one
// runInExecutor(null, ...) submits to.
loopTest("test_base_events.BaseEventLoopTests.test_set_default_executor", async (loop) => {
  class DummyExecutor extends asyncio.ThreadPoolExecutor {
    override submit(): never {
      throw new NotImplementedError("cannot submit into a dummy executor");
    }
  }
  const executor = new DummyExecutor();
  try {
    loop.setDefaultExecutor(executor);
    await callRaises(NotImplementedError, () => loop.runInExecutor(null, () => 1), /cannot submit into a dummy executor/);
  } finally {
    await executor.shutdown(true);
  }
});

// test_base_events.py BaseEventLoopTests.test_set_default_executor_error
loopTest("test_base_events.BaseEventLoopTests.test_set_default_executor_error", (loop) => {
  const executor = { submit: () => Promise.resolve(), shutdown: () => {} };
  raisesSync(TypeError, () => loop.setDefaultExecutor(executor as never), /executor must be ThreadPoolExecutor instance/);
});

// test_base_events.py BaseEventLoopTests.test_call_soon
loopTest("test_base_events.BaseEventLoopTests.test_call_soon", async (loop) => {
  let called = 0;
  const cb = (): void => void called++;
  const h = loop.callSoon(cb);
  assert.ok(h instanceof asyncio.Handle);
  assert.equal(called, 0);
  await runBriefly(loop);
  assert.equal(called, 1);
});

// test_base_events.py BaseEventLoopTests.test_call_soon_non_callable
loopTest("test_base_events.BaseEventLoopTests.test_call_soon_non_callable", (loop) => {
  loop.setDebug(true);
  raisesSync(TypeError, () => loop.callSoon(1 as never), /a callable object/);
});

// test_base_events.py BaseEventLoopTests.test_call_later
loopTest("test_base_events.BaseEventLoopTests.test_call_later", async (loop) => {
  let called = 0;
  const cb = (): void => void called++;
  const h = loop.callLater(10.0, cb);
  assert.ok(h instanceof asyncio.TimerHandle);
  await runBriefly(loop);
  assert.equal(called, 0);
  h.cancel();
  raisesSync(TypeError, () => loop.callLater(null as never, cb));
});

// test_base_events.py BaseEventLoopTests.test_call_later_negative_delays
loopTest("test_base_events.BaseEventLoopTests.test_call_later_negative_delays", async (loop) => {
  const calls: string[] = [];
  const cb = (arg: string): void => void calls.push(arg);
  loop.callLater(-1, cb, "a");
  loop.callLater(-2, cb, "b");
  await runBriefly(loop);
  assert.deepEqual(calls, ["b", "a"]);
});

// test_base_events.py BaseEventLoopTests.test_time_and_call_at
// On the virtual clock, so the check of the elapsed time is exact.
loopTest("test_base_events.BaseEventLoopTests.test_time_and_call_at", async (loop) => {
  const cb = (): void => loop.stop();
  const delay = 0.1;
  const when = loop.time() + delay;
  loop.callAt(when, cb);
  const t0 = loop.time();
  await loop.runForever();
  const dt = loop.time() - t0;
  assert.ok(dt >= delay, String(dt));
  raisesSync(TypeError, () => loop.callAt(null as never, cb));
}, asyncio.testing.newVirtualTimeLoop);

// test_base_events.py BaseEventLoopTests.test_check_thread
// One thread here: CPython's "thread with its own loop" cases become "while
// another loop runs" (docs/differences.md: no threads share a loop); the
// "thread without a loop" cases have no single-thread counterpart.
loopTest("test_base_events.BaseEventLoopTests.test_check_thread", async (loop) => {
  const cb = (): void => {};
  const checkThread = (l: AbstractEventLoop, debug: boolean): void => {
    l.setDebug(debug);
    if (debug) {
      const msg = /Non-thread-safe operation invoked on an event loop other than the current one/;
      raisesSync(RuntimeError, () => l.callSoon(cb), msg);
      raisesSync(RuntimeError, () => l.callLater(60, cb), msg);
      raisesSync(RuntimeError, () => l.callAt(l.time() + 60, cb), msg);
    } else {
      l.callSoon(cb);
      l.callLater(60, cb).cancel();
      l.callAt(l.time() + 60, cb).cancel();
    }
  };
  for (const debug of [true, false]) {
    const loop2 = asyncio.newEventLoop();
    try {
      await loop2.runUntilComplete((function* () {
        checkThread(loop, debug);
      })());
    } finally {
      loop2.close();
    }
  }
  asyncio.setEventLoop(loop);
});

// test_base_events.py BaseEventLoopTests.test_set_debug
loopTest("test_base_events.BaseEventLoopTests.test_set_debug", (loop) => {
  loop.setDebug(true);
  assert.equal(loop.getDebug(), true);
  loop.setDebug(false);
  assert.equal(loop.getDebug(), false);
});

// test_base_events.py BaseEventLoopTests.test__run_once_schedule_handle
// CPython runs one private _run_once(); here one iteration is a pre-stopped
// runForever(). A due timer runs in it, and what its callback schedules with
// callSoon waits for the next iteration (CPython: it is left in _ready).
loopTest("test_base_events.BaseEventLoopTests.test__run_once_schedule_handle", async (loop) => {
  let handle: asyncio.Handle | null = null;
  let processed = false;
  let handleRan = false;
  const cb = (l: AbstractEventLoop): void => {
    processed = true;
    handle = l.callSoon(() => void (handleRan = true));
  };
  loop.callAt(loop.time() - 1, cb, loop);
  loop.stop();
  await loop.runForever();
  assert.equal(processed, true);
  assert.ok(handle !== null);
  assert.equal(handleRan, false);
  await runBriefly(loop);
  assert.equal(handleRan, true);
});

// test_base_events.py BaseEventLoopTests.test_run_until_complete_type_error
loopTest("test_base_events.BaseEventLoopTests.test_run_until_complete_type_error", async (loop) => {
  await callRaises(TypeError, () => loop.runUntilComplete("blah" as never));
});

// test_base_events.py BaseEventLoopTests.test_run_until_complete_loop
loopTest("test_base_events.BaseEventLoopTests.test_run_until_complete_loop", async (loop) => {
  const task = loop.createFuture();
  const otherLoop = asyncio.newEventLoop();
  try {
    await callRaises(ValueError, () => otherLoop.runUntilComplete(task));
  } finally {
    otherLoop.close();
  }
});

// test_base_events.py BaseEventLoopTests.test_run_until_complete_loop_orphan_future_close_loop
loopTest("test_base_events.BaseEventLoopTests.test_run_until_complete_loop_orphan_future_close_loop", async (loop) => {
  class ShowStopper extends SystemExit {}
  function* foo(delay: number): Coroutine<void> {
    yield* asyncio.sleep(delay);
  }
  loop.callSoon(() => {
    throw new ShowStopper();
  });
  await callRaises(ShowStopper, () => loop.runUntilComplete(foo(0.01)));
  // This fails if runUntilComplete() left its done callback on the previous future.
  await loop.runUntilComplete(foo(0.02));
});

// test_base_events.py BaseEventLoopTests.test_subprocess_exec_invalid_args
// CPython hands run_until_complete() the method itself (not a coroutine), and
// every assertion is the TypeError that this raises.
loopTest("test_base_events.BaseEventLoopTests.test_subprocess_exec_invalid_args", async (loop) => {
  for (let i = 0; i < 6; i++) await callRaises(TypeError, () => loop.runUntilComplete(loop.subprocessExec as never));
});

// test_base_events.py BaseEventLoopTests.test_subprocess_shell_invalid_args
loopTest("test_base_events.BaseEventLoopTests.test_subprocess_shell_invalid_args", async (loop) => {
  for (let i = 0; i < 5; i++) await callRaises(TypeError, () => loop.runUntilComplete(loop.subprocessShell as never));
});

function zeroError(fut?: asyncio.Future<boolean>): never {
  fut?.setResult(true);
  throw new ZeroDivisionError("division by zero");
}

// test_base_events.py BaseEventLoopTests.test_default_exc_handler_callback
loopTest("test_base_events.BaseEventLoopTests.test_default_exc_handler_callback", async (loop) => {
  for (const schedule of [(f: asyncio.Future<boolean>) => loop.callSoon(zeroError, f), (f: asyncio.Future<boolean>) => loop.callLater(0.01, zeroError, f)]) {
    const log = await captureLog(async () => {
      const fut = loop.createFuture<boolean>();
      schedule(fut);
      fut.addDoneCallback(() => loop.stop());
      await loop.runForever();
    });
    const last = log.at(-1)!;
    assert.equal(last.levelName, "ERROR");
    assert.match(last.message, /Exception in callback.*zero/);
    assert.ok(last.exception instanceof ZeroDivisionError);
  }
});

// test_base_events.py BaseEventLoopTests.test_default_exc_handler_coro
// docs/differences.md: the report comes from a FinalizationRegistry when V8
// collects the task, not from __del__; gcCollect() forces it.
loopTest("test_base_events.BaseEventLoopTests.test_default_exc_handler_coro", async (loop) => {
  function* zeroErrorCoro(): Coroutine<void> {
    yield* asyncio.sleep(0.01);
    throw new ZeroDivisionError("division by zero");
  }
  const log = await captureLog(async () => {
    await (async () => {
      const fut = asyncio.ensureFuture(zeroErrorCoro(), { loop });
      fut.addDoneCallback(() => loop.stop());
      await loop.runForever();
    })();
    await gcCollect();
  });
  const last = log.at(-1)!;
  assert.match(last.message, /exception was never retrieved/);
  assert.ok(last.exception instanceof ZeroDivisionError);
});

// test_base_events.py BaseEventLoopTests.test_set_exc_handler_invalid
loopTest("test_base_events.BaseEventLoopTests.test_set_exc_handler_invalid", (loop) => {
  raisesSync(TypeError, () => loop.setExceptionHandler("spam" as never), /A callable object or None/);
});

// test_base_events.py BaseEventLoopTests.test_set_exc_handler_custom
loopTest("test_base_events.BaseEventLoopTests.test_set_exc_handler_custom", async (loop) => {
  const runLoop = async (): Promise<asyncio.Handle> => {
    const handle = loop.callSoon(zeroError);
    await runBriefly(loop);
    return handle;
  };
  loop.setDebug(true);
  assert.equal(loop.getExceptionHandler(), null);
  const calls: [AbstractEventLoop, ExceptionContext][] = [];
  const mockHandler = (l: AbstractEventLoop, c: ExceptionContext): void => void calls.push([l, c]);
  loop.setExceptionHandler(mockHandler);
  assert.equal(loop.getExceptionHandler(), mockHandler);
  const handle = await runLoop();
  const [l, c] = calls.at(-1)!;
  assert.equal(l, loop);
  assert.deepEqual(Object.keys(c).sort(), ["exception", "handle", "message", "source_traceback"]);
  assert.ok(c.exception instanceof ZeroDivisionError);
  assert.match(c.message, /Exception in callback.*zeroError/);
  assert.equal(c.handle, handle);
  assert.equal(c.source_traceback, (handle as unknown as { _sourceTraceback: unknown })._sourceTraceback);
  calls.length = 0;
  loop.setExceptionHandler(null);
  const log = await captureLog(runLoop);
  assert.match(log.at(-1)!.message, /Exception in callback.*zero/);
  assert.ok(log.at(-1)!.exception instanceof ZeroDivisionError);
  assert.equal(calls.length, 0);
});

// test_base_events.py BaseEventLoopTests.test_set_exc_handler_broken
loopTest("test_base_events.BaseEventLoopTests.test_set_exc_handler_broken", async (loop) => {
  class AttributeError extends Error {}
  loop.setExceptionHandler(() => {
    throw new AttributeError("spam");
  });
  const log = await captureLog(async () => {
    loop.callSoon(zeroError);
    await runBriefly(loop);
  });
  assert.match(log.at(-1)!.message, /Unhandled error in exception handler/);
  assert.ok(log.at(-1)!.exception instanceof AttributeError);
});

// test_base_events.py BaseEventLoopTests.test_default_exc_handler_broken
test("test_base_events.BaseEventLoopTests.test_default_exc_handler_broken", async () => {
  let _context: ExceptionContext | null = null;
  class Loop extends asyncio.SelectorEventLoop {
    override defaultExceptionHandler(context: ExceptionContext): void {
      _context = context;
      // a buggy custom default_exception_handler
      throw new ValueError("spam");
    }
  }
  const loop = new Loop();
  asyncio.setEventLoop(loop);
  try {
    const runLoop = async (): Promise<void> => {
      loop.callSoon(zeroError);
      await runBriefly(loop);
    };
    let log = await captureLog(runLoop);
    assert.equal(log.at(-1)!.message, "Exception in default exception handler");
    assert.ok(log.at(-1)!.exception instanceof ValueError);
    loop.setExceptionHandler(() => {
      throw new ValueError("ham");
    });
    _context = null;
    log = await captureLog(runLoop);
    assert.match(log.at(-1)!.message, /Exception in default exception.*while handling.*in custom/);
    // The original context went to the default exception handler.
    const ctx = _context as unknown as ExceptionContext;
    assert.ok("context" in ctx);
    assert.ok((ctx.context as ExceptionContext).exception instanceof ZeroDivisionError);
  } finally {
    loop.close();
    asyncio.setEventLoop(null);
  }
});

// test_base_events.py BaseEventLoopTests.test_set_task_factory_invalid
loopTest("test_base_events.BaseEventLoopTests.test_set_task_factory_invalid", (loop) => {
  raisesSync(TypeError, () => loop.setTaskFactory(1 as never), /task factory must be a callable or None/);
  assert.equal(loop.getTaskFactory(), null);
});

// test_base_events.py BaseEventLoopTests.test_set_task_factory
loopTest("test_base_events.BaseEventLoopTests.test_set_task_factory", async (loop) => {
  class MyTask<T> extends asyncio.Task<T> {}
  function* coro(): Coroutine<void> {}
  const factory = <T>(l: AbstractEventLoop, c: Coroutine<T>): asyncio.Task<T> => new MyTask(c, { loop: l });
  assert.equal(loop.getTaskFactory(), null);
  loop.setTaskFactory(factory);
  assert.equal(loop.getTaskFactory(), factory);
  let task = loop.createTask(coro());
  assert.ok(task instanceof MyTask);
  await loop.runUntilComplete(task);
  loop.setTaskFactory(null);
  assert.equal(loop.getTaskFactory(), null);
  task = loop.createTask(coro());
  assert.ok(task instanceof asyncio.Task);
  assert.ok(!(task instanceof MyTask));
  await loop.runUntilComplete(task);
});

// test_base_events.py BaseEventLoopTests.test_env_var_debug
// PYTHONASYNCIODEBUG is TSYNCIO_DEBUG; Python's -E and -X dev have no Node
// counterpart, so the three cases without them are checked.
test("test_base_events.BaseEventLoopTests.test_env_var_debug", () => {
  const code = [
    `import * as asyncio from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};`,
    "const loop = asyncio.newEventLoop();",
    "console.log(loop.getDebug() ? 'True' : 'False');",
    "loop.close();",
  ].join("\n");
  const runWith = (env: Record<string, string>): string => {
    const base = { ...process.env };
    delete base.TSYNCIO_DEBUG;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { env: { ...base, ...env }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd();
  };
  assert.equal(runWith({}), "False");
  assert.equal(runWith({ TSYNCIO_DEBUG: "" }), "False");
  assert.equal(runWith({ TSYNCIO_DEBUG: "1" }), "True");
});

// test_base_events.py BaseEventLoopTests.test_create_task
test("test_base_events.BaseEventLoopTests.test_create_task", () => {
  class MyTask<T> extends asyncio.Task<T> {}
  function* testCoro(): Coroutine<void> {}
  class EventLoop extends asyncio.SelectorEventLoop {
    override createTask<T>(coro: Coroutine<T>): asyncio.Task<T> {
      return new MyTask(coro, { loop: this });
    }
  }
  const loop = new EventLoop();
  asyncio.setEventLoop(loop);
  try {
    const coro = testCoro();
    const task = asyncio.ensureFuture(coro, { loop });
    assert.ok(task instanceof MyTask);
    coro.return(undefined);
  } finally {
    loop.close();
    asyncio.setEventLoop(null);
  }
});

// test_base_events.py BaseEventLoopTests.test_create_task_error_closes_coro
test("test_base_events.BaseEventLoopTests.test_create_task_error_closes_coro", () => {
  let ran = false;
  function* testCoro(): Coroutine<void> {
    ran = true;
  }
  const loop = asyncio.newEventLoop();
  loop.close();
  const warnings: unknown[] = [];
  const onWarning = (w: unknown): void => void warnings.push(w);
  process.on("warning", onWarning);
  try {
    const coro = testCoro();
    raisesSync(RuntimeError, () => asyncio.ensureFuture(coro, { loop }));
    // the coroutine was closed: it never runs
    assert.deepEqual(coro.next(), { done: true, value: undefined });
    assert.equal(ran, false);
  } finally {
    process.off("warning", onWarning);
  }
  assert.equal(warnings.length, 0);
});

// test_base_events.py BaseEventLoopTests.test_create_named_task_with_default_factory
test("test_base_events.BaseEventLoopTests.test_create_named_task_with_default_factory", async () => {
  function* testCoro(): Coroutine<void> {}
  const loop = asyncio.newEventLoop();
  const task = loop.createTask(testCoro(), { name: "test_task" });
  try {
    assert.equal(task.getName(), "test_task");
  } finally {
    await loop.runUntilComplete(task);
    loop.close();
  }
});

// test_base_events.py BaseEventLoopTests.test_create_named_task_with_custom_factory
test("test_base_events.BaseEventLoopTests.test_create_named_task_with_custom_factory", async () => {
  const taskFactory = <T>(l: AbstractEventLoop, c: Coroutine<T>): asyncio.Task<T> => new asyncio.Task(c, { loop: l });
  function* testCoro(): Coroutine<void> {}
  const loop = asyncio.newEventLoop();
  loop.setTaskFactory(taskFactory);
  const task = loop.createTask(testCoro(), { name: "test_task" }) as asyncio.Task<void>;
  try {
    assert.equal(task.getName(), "test_task");
  } finally {
    await loop.runUntilComplete(task);
    loop.close();
  }
});

// test_base_events.py BaseEventLoopTests.test_run_forever_keyboard_interrupt
loopTest("test_base_events.BaseEventLoopTests.test_run_forever_keyboard_interrupt", async (loop) => {
  // The temporary task of runUntilComplete() consumes the KeyboardInterrupt: nothing is reported.
  function* raiseKeyboardInterrupt(): Coroutine<void> {
    throw new KeyboardInterrupt();
  }
  let called = false;
  loop.callExceptionHandler = () => void (called = true);
  await callRaises(KeyboardInterrupt, () => loop.runUntilComplete(raiseKeyboardInterrupt()));
  loop.close();
  await gcCollect();
  assert.equal(called, false);
});

// test_base_events.py BaseEventLoopTests.test_run_until_complete_baseexception
loopTest("test_base_events.BaseEventLoopTests.test_run_until_complete_baseexception", async (loop) => {
  // runUntilComplete() leaves no pending stop() behind after a BaseException.
  function* raiseKeyboardInterrupt(): Coroutine<void> {
    throw new KeyboardInterrupt();
  }
  await callRaises(KeyboardInterrupt, () => loop.runUntilComplete(raiseKeyboardInterrupt()));
  let called = false;
  const func = (): void => {
    loop.stop();
    called = true;
  };
  loop.callSoon(() => loop.callSoon(func));
  await loop.runForever();
  assert.equal(called, true);
});

// test_base_events.py BaseEventLoopTests.test_run_once
loopTest("test_base_events.BaseEventLoopTests.test_run_once", async (loop) => {
  // the idiom: loop.callSoon(loop.stop); loop.runForever()
  let count = 0;
  loop.callSoon(() => void count++);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  assert.equal(count, 1);
});

// test_base_events.py BaseEventLoopTests.test_run_forever_pre_stopped
// CPython checks the selector was polled once with timeout 0: the pre-stopped
// loop runs one iteration and returns even with a far timer pending.
loopTest("test_base_events.BaseEventLoopTests.test_run_forever_pre_stopped", async (loop) => {
  const h = loop.callLater(3600, () => {});
  let ran = 0;
  loop.callSoon(() => void ran++);
  loop.stop();
  await loop.runForever();
  assert.equal(ran, 1);
  assert.equal(loop.isRunning(), false);
  h.cancel();
});

// ---- BaseEventLoopWithSelectorTests ---------------------------------------------
// CPython replaces loop.getaddrinfo / loop.sock_connect on the instance; those
// are public methods, replaced the same way here. Where CPython mocks the socket
// module itself, the test uses real sockets or is listed in SKIPPED.md.

type Loop = AbstractEventLoop;
type AddrInfo = [number, number, number, string, unknown[]];

/** self.loop.getaddrinfo = getaddrinfo_task: answers every lookup with `answer(host)`. */
function fakeGetaddrinfo(loop: Loop, answer: (host: unknown) => AddrInfo[] | null): void {
  (loop as unknown as { getaddrinfo: unknown }).getaddrinfo = (host: unknown) =>
    loop.createTask((function* () {
      return answer(host);
    })());
}

/** self.loop.sock_connect = mock.Mock(side_effect=OSError). */
function failingSockConnect(loop: Loop, calls: unknown[][] = []): unknown[][] {
  (loop as unknown as { sockConnect: unknown }).sockConnect = (...args: unknown[]) => {
    calls.push(args);
    return (function* () {
      throw new OSError("connect failed");
    })();
  };
  return calls;
}

/** A TCP port on 127.0.0.1 that nothing listens on. */
function closedPort(): number {
  const s = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind(["127.0.0.1", 0]);
  const port = (s.getsockname() as [string, number])[1];
  s.close();
  return port;
}

/** test_base_events.py MyProto (the parts the tests use). */
class MyProto extends asyncio.Protocol {}

/** test_base_events.py MyDatagramProto. */
class MyDatagramProto extends asyncio.DatagramProtocol {
  state = "INITIAL";
  nbytes = 0;
  done: asyncio.Future<void> | null;
  constructor(loop: Loop | null = null) {
    super();
    this.done = loop === null ? null : loop.createFuture<void>();
  }
  override connectionMade(): void {
    this.state = "INITIALIZED";
  }
  override datagramReceived(data: Uint8Array): void {
    assert.equal(this.state, "INITIALIZED");
    this.nbytes += data.length;
  }
  override errorReceived(): void {
    assert.equal(this.state, "INITIALIZED");
  }
  override connectionLost(): void {
    assert.equal(this.state, "INITIALIZED");
    this.state = "CLOSED";
    this.done?.setResult(undefined);
  }
}

/** Asserts that running `coro` on `loop` raises `cls` (assertRaises(cls, loop.run_until_complete, coro)). */
function runRaises(loop: Loop, cls: abstract new (...a: never[]) => Error, coro: () => unknown, re?: RegExp): Promise<void> {
  return callRaises(cls, () => loop.runUntilComplete(coro() as Coroutine<unknown>), re);
}

// test_base_events.py BaseEventLoopWithSelectorTests.test_getnameinfo
// CPython patches socket.getnameinfo; the real one answers here.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_getnameinfo", async (loop) => {
  const r = await loop.runUntilComplete(loop.getnameinfo(["127.0.0.1", 123], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV));
  assert.deepEqual(r, ["127.0.0.1", "123"]);
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_multiple_errors
// The two addresses are real closed ports, so both connects fail with their own message.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_multiple_errors", async (loop) => {
  const [p1, p2] = [closedPort(), closedPort()];
  fakeGetaddrinfo(loop, () => [[2, 1, 6, "", ["127.0.0.1", p1]], [2, 1, 6, "", ["127.0.0.1", p2]]]);
  await runRaises(loop, OSError, () => loop.createConnection(() => new MyProto(), "example.com", 80), /^Multiple exceptions: /);
  try {
    await loop.runUntilComplete(loop.createConnection(() => new MyProto(), "example.com", 80, { allErrors: true }));
    assert.fail("not raised");
  } catch (e) {
    assert.ok(e instanceof asyncio.ExceptionGroup, String(e));
    assert.equal(e.exceptions.length, 2);
    for (const x of e.exceptions) assert.ok(x instanceof OSError);
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_timeout
// The socket is closed on timeout: CPython checks its mock's close(); here the
// real socket handed to sockConnect is closed (fileno() -1).
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_timeout", async (loop) => {
  const socks: socket.Socket[] = [];
  (loop as unknown as { sockConnect: unknown }).sockConnect = (sock: socket.Socket) => {
    socks.push(sock);
    return (function* () {
      throw new asyncio.TimeoutError();
    })();
  };
  await runRaises(loop, asyncio.TimeoutError, () => loop.createConnection(() => new MyProto(), "127.0.0.1", 80));
  assert.equal(socks.length, 1);
  assert.equal(socks[0]!.fileno(), -1);
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_multiple_errors_local_addr
// CPython's mocked bind() fails for 0.0.0.1; here binding to 0.0.0.1 and
// 0.0.0.2 (the local addresses the fake getaddrinfo gives) fails for real.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_multiple_errors_local_addr", async (loop) => {
  fakeGetaddrinfo(loop, () => [[2, 1, 6, "", ["0.0.0.1", 80]], [2, 1, 6, "", ["0.0.0.2", 80]]]);
  (loop as unknown as { sockConnect: unknown }).sockConnect = () => (function* () {
    throw new OSError("Err2");
  })();
  const opts = { family: socket.AF_INET, localAddr: [null, 8080] as never };
  await runRaises(loop, OSError, () => loop.createConnection(() => new MyProto(), "example.com", 80, opts), /^Multiple exceptions: /);
  try {
    await loop.runUntilComplete(loop.createConnection(() => new MyProto(), "example.com", 80, { ...opts, allErrors: true }));
    assert.fail("not raised");
  } catch (e) {
    assert.ok(e instanceof asyncio.ExceptionGroup, String(e));
    for (const x of e.exceptions) assert.ok(x instanceof OSError);
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_host_port_sock
// CPython's sock is object(); a real socket here (tsyncio checks what a sock is first).
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_host_port_sock", async (loop) => {
  const sock = new socket.Socket();
  try {
    await runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), "example.com", 80, { sock }));
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_wrong_sock
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_wrong_sock", async (loop) => {
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    await runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), undefined, undefined, { sock }), /A Stream Socket was expected/);
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_wrong_sock
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_wrong_sock", async (loop) => {
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    await runRaises(loop, ValueError, () => loop.createServer(() => new MyProto(), undefined, undefined, { sock }), /A Stream Socket was expected/);
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_ssl_timeout_for_plain_socket
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_ssl_timeout_for_plain_socket", (loop) =>
  runRaises(loop, ValueError, () => loop.createServer(() => new MyProto(), "example.com", 80, { sslHandshakeTimeout: 1 }),
    /ssl_handshake_timeout is only meaningful with ssl/));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_stream_bittype
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_stream_bittype", async (loop) => {
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
  try {
    const srv = await loop.runUntilComplete(loop.createServer(() => new MyProto(), undefined, undefined, { sock }));
    srv.close();
    await loop.runUntilComplete(srv.waitClosed());
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_ipv6
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_ipv6", (loop) =>
  loop.runUntilComplete((function* () {
    const srv = yield* asyncio.startServer(() => {}, "::1", 0);
    try {
      assert.ok(srv.sockets.length > 0);
    } finally {
      srv.close();
      yield* srv.waitClosed();
    }
  })()));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_wrong_sock
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_wrong_sock", async (loop) => {
  const sock = new socket.Socket(socket.AF_INET);
  try {
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(() => new MyDatagramProto(), undefined, undefined, { sock }), /A UDP Socket was expected/);
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_no_host_port_sock
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_no_host_port_sock", (loop) =>
  runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto())));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_no_getaddrinfo
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_no_getaddrinfo", (loop) => {
  fakeGetaddrinfo(loop, () => []);
  return runRaises(loop, OSError, () => loop.createConnection(() => new MyProto(), "example.com", 80));
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_connect_err
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_connect_err", async (loop) => {
  fakeGetaddrinfo(loop, () => [[2, 1, 6, "", ["107.6.106.82", 80]]]);
  failingSockConnect(loop);
  await runRaises(loop, OSError, () => loop.createConnection(() => new MyProto(), "example.com", 80));
  try {
    await loop.runUntilComplete(loop.createConnection(() => new MyProto(), "example.com", 80, { allErrors: true }));
    assert.fail("not raised");
  } catch (e) {
    assert.ok(e instanceof asyncio.ExceptionGroup, String(e));
    assert.equal(e.exceptions.length, 1);
    assert.ok(e.exceptions[0] instanceof OSError);
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_multiple
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_multiple", async (loop) => {
  fakeGetaddrinfo(loop, () => [[2, 1, 6, "", ["0.0.0.1", 80]], [2, 1, 6, "", ["0.0.0.2", 80]]]);
  failingSockConnect(loop);
  await runRaises(loop, OSError, () => loop.createConnection(() => new MyProto(), "example.com", 80, { family: socket.AF_INET }));
  try {
    await loop.runUntilComplete(loop.createConnection(() => new MyProto(), "example.com", 80, { family: socket.AF_INET, allErrors: true }));
    assert.fail("not raised");
  } catch (e) {
    assert.ok(e instanceof asyncio.ExceptionGroup, String(e));
    for (const x of e.exceptions) assert.ok(x instanceof OSError);
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_ip_addr
// CPython checks the (mocked) socket's family, type and connect() address; here
// real servers on 127.0.0.1 and ::1 accept the connections.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_ip_addr", (loop) =>
  loop.runUntilComplete((function* () {
    for (const [host, family] of [["127.0.0.1", socket.AF_INET], ["::1", socket.AF_INET6]] as const) {
      const srv = yield* loop.createServer(() => new asyncio.Protocol(), host, 0);
      const port = (srv.sockets[0]!.getsockname() as [string, number])[1];
      const [t] = yield* loop.createConnection(() => new asyncio.Protocol(), host, port);
      try {
        const sock = t.getExtraInfo("socket") as socket.Socket;
        assert.equal(sock.family, family);
        assert.equal(sock.type, socket.SOCK_STREAM);
        const [peerHost, peerPort] = t.getExtraInfo("peername") as [string, number];
        assert.match(peerHost, family === socket.AF_INET ? /^127\.0\.0\.1$/ : /::(0\.)*1/);
        assert.equal(peerPort, port);
      } finally {
        t.close();
        srv.close();
        yield* srv.waitClosed();
      }
    }
  })()));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_service_name
// CPython resolves 'http' through the real getaddrinfo into port 80 of a mocked
// socket; here the resolution is checked, and 'nonsense' raises OSError.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_service_name", async (loop) => {
  const infos = await loop.runUntilComplete(loop.getaddrinfo("127.0.0.1", "http" as never, { type: socket.SOCK_STREAM }));
  assert.deepEqual(infos[0]![4], ["127.0.0.1", 80]);
  await runRaises(loop, OSError, () => loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", "nonsense" as never));
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_no_local_addr
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_no_local_addr", (loop) => {
  fakeGetaddrinfo(loop, (host) => host === "example.com" ? [[2, 1, 6, "", ["107.6.106.82", 80]], [2, 1, 6, "", ["107.6.106.82", 80]]] : []);
  return runRaises(loop, OSError, () => loop.createConnection(() => new MyProto(), "example.com", 80, { family: socket.AF_INET, localAddr: [null, 8080] as never }));
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_no_ssl_server_hostname_errors
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_no_ssl_server_hostname_errors", async (loop) => {
  // Without ssl, server_hostname must be None.
  await runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), "python.org", 80, { serverHostname: "" }));
  await runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), "python.org", 80, { serverHostname: "python.org" }));
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_ssl_server_hostname_errors
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_ssl_server_hostname_errors", async (loop) => {
  // With ssl, server_hostname may be None only if the host is not empty.
  await runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), "", 80, { ssl: true }));
  await runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), null as never, 80, { ssl: true }));
  const sock = new socket.Socket();
  try {
    await runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), null as never, null as never, { ssl: true, sock }));
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_connection_ssl_timeout_for_plain_socket
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_connection_ssl_timeout_for_plain_socket", (loop) =>
  runRaises(loop, ValueError, () => loop.createConnection(() => new MyProto(), "example.com", 80, { sslHandshakeTimeout: 1 }),
    /ssl_handshake_timeout is only meaningful with ssl/));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_empty_host
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_empty_host", async (loop) => {
  // An empty host is None.
  let host: unknown = {};
  fakeGetaddrinfo(loop, (h) => {
    host = h;
    return [];
  });
  await runRaises(loop, OSError, () => loop.createServer(() => new MyProto(), "", 0));
  assert.equal(host, null);
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_host_port_sock
// CPython's sock is object(); a real socket here (tsyncio checks what a sock is first).
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_host_port_sock", async (loop) => {
  const sock = new socket.Socket();
  try {
    await runRaises(loop, ValueError, () => loop.createServer(() => new MyProto(), "0.0.0.0", 0, { sock }));
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_no_host_port_sock
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_no_host_port_sock", (loop) =>
  runRaises(loop, ValueError, () => loop.createServer(() => new MyProto())));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_no_getaddrinfo
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_no_getaddrinfo", (loop) => {
  fakeGetaddrinfo(loop, () => []);
  return runRaises(loop, OSError, () => loop.createServer(() => new MyProto(), "python.org", 0));
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_server_cant_bind
// CPython makes a mocked bind() fail; here the port is taken by a real listener.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_server_cant_bind", async (loop) => {
  const taken = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  taken.bind(["127.0.0.1", 0]);
  taken.listen();
  try {
    const port = (taken.getsockname() as [string, number])[1];
    await runRaises(loop, OSError, () => loop.createServer(() => new MyProto(), "127.0.0.1", port));
  } finally {
    taken.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_no_addrinfo
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_no_addrinfo", (loop) => {
  fakeGetaddrinfo(loop, () => []);
  return runRaises(loop, OSError, () => loop.createDatagramEndpoint(() => new MyDatagramProto(), ["localhost", 0]));
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_addr_error
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_addr_error", async (loop) => {
  await runRaises(loop, TypeError, () => loop.createDatagramEndpoint(() => new MyDatagramProto(), "localhost" as never));
  await runRaises(loop, TypeError, () => loop.createDatagramEndpoint(() => new MyDatagramProto(), ["localhost", 1, 2, 3] as never));
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_connect_err
// CPython's sock_connect mock raises OSError; here the connect() fails for real:
// a UDP socket without SO_BROADCAST may not be connected to the broadcast address.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_connect_err", (loop) =>
  runRaises(loop, OSError, () => loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), undefined, ["255.255.255.255", 9])));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_allow_broadcast
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_allow_broadcast", async (loop) => {
  const protocol = new MyDatagramProto(loop);
  const calls = failingSockConnect(loop);
  // With allowBroadcast the socket is not connected: port 0 does not fail.
  const [transport] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => protocol, undefined, ["127.0.0.1", 0], { allowBroadcast: true }));
  assert.equal(calls.length, 0);
  assert.equal(transport.getExtraInfo("peername"), null);
  transport.close();
  await loop.runUntilComplete(protocol.done!);
  assert.equal(protocol.state, "CLOSED");
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_no_matching_family
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_no_matching_family", (loop) =>
  runRaises(loop, ValueError, () => loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), ["::1", 0], ["127.0.0.1", 0])));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_noaddr_nofamily
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_noaddr_nofamily", (loop) =>
  runRaises(loop, ValueError, () => loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol())));

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_cant_bind
// CPython makes a mocked bind() fail; here the UDP port is taken for real.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_cant_bind", async (loop) => {
  const taken = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  taken.bind(["127.0.0.1", 0]);
  try {
    const port = (taken.getsockname() as [string, number])[1];
    await runRaises(loop, OSError, () => loop.createDatagramEndpoint(() => new MyDatagramProto(loop), ["127.0.0.1", port], undefined, { family: socket.AF_INET }));
  } finally {
    taken.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sock
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sock", async (loop) => {
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  sock.bind(["127.0.0.1", 0]);
  const [transport, protocol] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), undefined, undefined, { sock }));
  transport.close();
  await loop.runUntilComplete(protocol.done!);
  assert.equal(protocol.state, "CLOSED");
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sock_unix
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sock_unix", async (loop) => {
  const [transport, protocol] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), undefined, undefined, { family: socket.AF_UNIX }));
  assert.equal((transport.getExtraInfo("socket") as socket.Socket).family, socket.AF_UNIX);
  transport.close();
  await loop.runUntilComplete(protocol.done!);
  assert.equal(protocol.state, "CLOSED");
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_existing_sock_unix
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_existing_sock_unix", async (loop) => {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "c3-dgram-"));
  try {
    const path = join(dir, "sock");
    const sock = new socket.Socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    sock.bind(path);
    sock.close();
    const [transport, protocol] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), path as never, undefined, { family: socket.AF_UNIX }));
    transport.close();
    await loop.runUntilComplete(protocol.done!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sock_sockopts
// CPython's FakeSock is a class with type = SOCK_DGRAM; a real UDP socket here.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sock_sockopts", async (loop) => {
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    const f = (): MyDatagramProto => new MyDatagramProto();
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(f, ["127.0.0.1", 0], undefined, { sock }));
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(f, undefined, ["127.0.0.1", 0], { sock }));
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(f, undefined, undefined, { family: 1, sock }));
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(f, undefined, undefined, { proto: 1, sock }));
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(f, undefined, undefined, { flags: 1, sock }));
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(f, undefined, undefined, { reusePort: true, sock }));
    await runRaises(loop, ValueError, () => loop.createDatagramEndpoint(f, undefined, undefined, { allowBroadcast: true, sock }));
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sockopts
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_sockopts", async (loop) => {
  // Socket options are not applied unless asked for.
  let [transport, protocol] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), ["127.0.0.1", 0]));
  let sock = transport.getExtraInfo("socket") as socket.Socket;
  assert.ok(!sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT));
  assert.ok(!sock.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST));
  transport.close();
  await loop.runUntilComplete(protocol.done!);
  assert.equal(protocol.state, "CLOSED");
  [transport, protocol] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), ["127.0.0.1", 0], undefined, { reusePort: true, allowBroadcast: true }));
  sock = transport.getExtraInfo("socket") as socket.Socket;
  assert.ok(!sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR));
  assert.ok(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT));
  assert.ok(sock.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST));
  transport.close();
  await loop.runUntilComplete(protocol.done!);
  assert.equal(protocol.state, "CLOSED");
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_ip_addr
// A numeric local address is used without getaddrinfo(): the loop's is made to fail.
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_create_datagram_endpoint_ip_addr", async (loop) => {
  fakeGetaddrinfo(loop, () => assert.fail("should not have called getaddrinfo"));
  const [t] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), ["127.0.0.1", 0], undefined, { reusePort: true }));
  try {
    const sock = t.getExtraInfo("socket") as socket.Socket;
    assert.equal(sock.family, socket.AF_INET);
    assert.equal(sock.type, socket.SOCK_DGRAM);
    assert.equal(sock.proto, socket.IPPROTO_UDP);
    assert.equal((sock.getsockname() as [string, number])[0], "127.0.0.1");
  } finally {
    t.close();
    await runBriefly(loop);
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_call_coroutine
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_call_coroutine", async (loop) => {
  function* simpleCoroutine(): Coroutine<void> {}
  loop.setDebug(true);
  const coroFunc = simpleCoroutine;
  const coroObj = coroFunc();
  try {
    for (const func of [coroFunc, coroObj] as unknown as (() => void)[]) {
      raisesSync(TypeError, () => loop.callSoon(func));
      raisesSync(TypeError, () => loop.callSoonThreadsafe(func));
      raisesSync(TypeError, () => loop.callLater(60, func));
      raisesSync(TypeError, () => loop.callAt(loop.time() + 60, func));
      await callRaises(TypeError, () => loop.runUntilComplete(loop.runInExecutor(null, func)));
    }
  } finally {
    coroObj.return(undefined);
  }
});

// test_base_events.py BaseEventLoopWithSelectorTests.test_log_slow_callbacks
loopTest("test_base_events.BaseEventLoopWithSelectorTests.test_log_slow_callbacks", async (loop) => {
  function stopLoopCb(l: AbstractEventLoop): void {
    l.stop();
  }
  function* stopLoopCoro(l: AbstractEventLoop): Coroutine<void> {
    l.stop();
  }
  loop.setDebug(true);
  (loop as asyncio.BaseEventLoop).slowCallbackDuration = 0.0;
  // a slow callback
  let log = await captureLog(async () => {
    loop.callSoon(stopLoopCb, loop);
    await loop.runForever();
  });
  let warnings = log.filter((r) => r.levelName === "WARNING");
  assert.match(warnings.at(-1)!.message, /^Executing <Handle.*stopLoopCb.*> took .* seconds$/s);
  // a slow task
  log = await captureLog(async () => {
    asyncio.ensureFuture(stopLoopCoro(loop), { loop });
    await loop.runForever();
  });
  warnings = log.filter((r) => r.levelName === "WARNING");
  // docs/differences.md: a task's repr cannot name a program's own coroutine
  // function (V8 gives no link from a generator object to its function), so
  // it shows coro=<coroutine()> where CPython shows stop_loop_coro().
  assert.match(warnings.at(-1)!.message, /^Executing <Task.*coro=<coroutine\(\)>.*> took .* seconds$/s);
});

// ---- RunningLoopTests --------------------------------------------------------------

// test_base_events.py RunningLoopTests.test_running_loop_within_a_loop
test("test_base_events.RunningLoopTests.test_running_loop_within_a_loop", async () => {
  function* runner(l: AbstractEventLoop): Coroutine<void> {
    yield* asyncio.wrapFuture(l.runForever());
  }
  const loop = asyncio.newEventLoop();
  const outerLoop = asyncio.newEventLoop();
  try {
    await callRaises(RuntimeError, () => outerLoop.runUntilComplete(runner(loop)), /while another loop is running/);
  } finally {
    loop.close();
    outerLoop.close();
  }
});

// ---- BaseLoopSockSendfileTests -----------------------------------------------------
// The file is an fd; Python's file.tell() is checked as where the next read()
// of the fd starts.

const SENDFILE_DATA = Buffer.from("12345abcde".repeat(16 * 1024)); // 160 KiB

class SendfileProto extends asyncio.Protocol {
  started = false;
  closed = false;
  data: Buffer[] = [];
  fut: asyncio.Future<void>;
  transport: asyncio.BaseTransport | null = null;
  constructor(loop: AbstractEventLoop) {
    super();
    this.fut = loop.createFuture<void>();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.started = true;
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.data.push(Buffer.from(data));
  }
  override connectionLost(): void {
    this.closed = true;
    this.fut.setResult(undefined);
    this.transport = null;
  }
  received(): Buffer {
    return Buffer.concat(this.data);
  }
}

/** BaseLoopSockSendfileTests.setUpClass/setUp/prepare: the data file, a server and a connected non-blocking socket. */
function sendfileTest(name: string, body: (ctx: { loop: AbstractEventLoop; file: number; makeSocket: (blocking?: boolean) => socket.Socket; prepare: () => Promise<[socket.Socket, SendfileProto]>; atEof: () => boolean }) => Promise<void>): void {
  loopTest(name, async (loop) => {
    const fs = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = fs.mkdtempSync(join(tmpdir(), "c3-sendfile-"));
    const path = join(dir, "data");
    fs.writeFileSync(path, SENDFILE_DATA);
    const file = fs.openSync(path, "r");
    const cleanups: (() => Promise<void> | void)[] = [];
    const makeSocket = (blocking = false): socket.Socket => {
      const sock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
      sock.setblocking(blocking);
      cleanups.push(() => sock.close());
      return sock;
    };
    const prepare = async (): Promise<[socket.Socket, SendfileProto]> => {
      const sock = makeSocket();
      const proto = new SendfileProto(loop);
      const server = await loop.runUntilComplete(loop.createServer(() => proto, "127.0.0.1", 0, { family: socket.AF_INET }));
      const addr = server.sockets[0]!.getsockname();
      await loop.runUntilComplete(loop.sockConnect(sock, addr as never));
      cleanups.push(async () => {
        server.close();
        sock.close();
        if (proto.transport !== null) {
          proto.transport.close();
          await loop.runUntilComplete(proto.fut);
        }
        await loop.runUntilComplete(server.waitClosed());
      });
      return [sock, proto];
    };
    // file.tell() == len(DATA): the next read of the fd is at the end of the file.
    const atEof = (): boolean => fs.readSync(file, Buffer.alloc(1), 0, 1, null) === 0;
    try {
      await body({ loop, file, makeSocket, prepare, atEof });
    } finally {
      for (const c of cleanups.reverse()) await c();
      fs.closeSync(file);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

// test_base_events.py BaseLoopSockSendfileTests.test_sock_sendfile_fallback
// The loop has sendfile(2); the result is the same as the fallback's.
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_sock_sendfile_fallback", async ({ loop, file, prepare, atEof }) => {
  const [sock, proto] = await prepare();
  const ret = await loop.runUntilComplete(loop.sockSendfile(sock, file));
  sock.close();
  await loop.runUntilComplete(proto.fut);
  assert.equal(ret, SENDFILE_DATA.length);
  assert.ok(atEof());
  assert.ok(proto.received().equals(SENDFILE_DATA));
});

// test_base_events.py BaseLoopSockSendfileTests.test_sock_sendfile_fallback_offset_and_count
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_sock_sendfile_fallback_offset_and_count", async ({ loop, file, prepare }) => {
  const [sock, proto] = await prepare();
  const ret = await loop.runUntilComplete(loop.sockSendfile(sock, file, 1000, 2000));
  sock.close();
  await loop.runUntilComplete(proto.fut);
  assert.equal(ret, 2000);
  // file.tell() == 3000: the next read starts at byte 3000
  const fs = await import("node:fs");
  const next = Buffer.alloc(10);
  fs.readSync(file, next, 0, 10, null);
  assert.ok(next.equals(SENDFILE_DATA.subarray(3000, 3010)));
  assert.ok(proto.received().equals(SENDFILE_DATA.subarray(1000, 3000)));
});

// test_base_events.py BaseLoopSockSendfileTests.test_blocking_socket
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_blocking_socket", async ({ loop, file, makeSocket }) => {
  loop.setDebug(true);
  const sock = makeSocket(true);
  await runRaises(loop, ValueError, () => loop.sockSendfile(sock, file), /must be non-blocking/);
});

// test_base_events.py BaseLoopSockSendfileTests.test_nonbinary_file
// A file opened in text mode is an object whose mode has no "b".
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_nonbinary_file", async ({ loop, file, makeSocket }) => {
  const sock = makeSocket();
  const f = { fileno: () => file, mode: "r" };
  await runRaises(loop, ValueError, () => loop.sockSendfile(sock, f), /binary mode/);
});

// test_base_events.py BaseLoopSockSendfileTests.test_nonstream_socket
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_nonstream_socket", async ({ loop, file }) => {
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
  sock.setblocking(false);
  try {
    await runRaises(loop, ValueError, () => loop.sockSendfile(sock, file), /only SOCK_STREAM type/);
  } finally {
    sock.close();
  }
});

// test_base_events.py BaseLoopSockSendfileTests.test_notint_count
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_notint_count", async ({ loop, file, makeSocket }) => {
  const sock = makeSocket();
  await runRaises(loop, TypeError, () => loop.sockSendfile(sock, file, 0, "count" as never), /count must be a positive integer/);
});

// test_base_events.py BaseLoopSockSendfileTests.test_negative_count
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_negative_count", async ({ loop, file, makeSocket }) => {
  const sock = makeSocket();
  await runRaises(loop, ValueError, () => loop.sockSendfile(sock, file, 0, -1), /count must be a positive integer/);
});

// test_base_events.py BaseLoopSockSendfileTests.test_notint_offset
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_notint_offset", async ({ loop, file, makeSocket }) => {
  const sock = makeSocket();
  await runRaises(loop, TypeError, () => loop.sockSendfile(sock, file, "offset" as never), /offset must be a non-negative integer/);
});

// test_base_events.py BaseLoopSockSendfileTests.test_negative_offset
sendfileTest("test_base_events.BaseLoopSockSendfileTests.test_negative_offset", async ({ loop, file, makeSocket }) => {
  const sock = makeSocket();
  await runRaises(loop, ValueError, () => loop.sockSendfile(sock, file, -1), /offset must be a non-negative integer/);
});

// ---- TestSelectorUtils ---------------------------------------------------------------

// test_base_events.py TestSelectorUtils.test_set_nodelay
// CPython calls the private _set_nodelay(); the loop applies it to every TCP
// socket it makes a transport of, blocking or not before.
loopTest("test_base_events.TestSelectorUtils.test_set_nodelay", (loop) =>
  loop.runUntilComplete((function* () {
    const srv = yield* loop.createServer(() => new asyncio.Protocol(), "127.0.0.1", 0);
    const addr = srv.sockets[0]!.getsockname();
    try {
      for (const blocking of [true, false]) {
        const sock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP);
        assert.ok(!sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY));
        sock.setblocking(blocking);
        if (blocking) sock.connect(addr as never);
        else yield* loop.sockConnect(sock, addr as never);
        sock.setblocking(false);
        const [t] = yield* loop.createConnection(() => new asyncio.Protocol(), undefined, undefined, { sock });
        assert.ok(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY));
        t.close();
      }
    } finally {
      srv.close();
      yield* srv.waitClosed();
    }
  })()));
