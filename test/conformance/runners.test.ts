// Conformance: asyncio.run() and Runner as CPython 3.12's test_runners.py checks them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, RuntimeError, ValueError } from "../../src/index.js";
import type { AwaitableCoroutine, Coroutine, Future } from "../../src/index.js";

const { VirtualTimeLoop } = asyncio.testing;

/** A virtual-time loop that records the shutdown steps run() takes. */
class RecordingLoop extends VirtualTimeLoop {
  log: string[] = [];
  override shutdownAsyncgens(): AwaitableCoroutine<void> {
    this.log.push("shutdownAsyncgens");
    return super.shutdownAsyncgens();
  }
  override shutdownDefaultExecutor(timeout?: number | null): AwaitableCoroutine<void> {
    this.log.push(`shutdownDefaultExecutor(${timeout})`);
    return super.shutdownDefaultExecutor(timeout);
  }
  override close(): void {
    this.log.push("close");
    super.close();
  }
}

test("run() returns the coroutine's result, raises its exception, and closes its loop", async () => {
  let loop: asyncio.AbstractEventLoop | null = null;
  const r = await asyncio.run((function* () {
    loop = asyncio.getRunningLoop();
    yield* asyncio.sleep(0);
    return 42;
  })());
  assert.equal(r, 42);
  assert.equal(loop!.isClosed(), true);
  await assert.rejects(asyncio.run((function* () {
    yield* asyncio.sleep(0);
    throw new ValueError("spam");
  })()), ValueError);
});

test("run() refuses what is not a coroutine or a promise (ValueError)", async () => {
  await assert.rejects(asyncio.run(42 as unknown as Coroutine<number>), (e: unknown) =>
    e instanceof ValueError && /a coroutine was expected/.test(e.message));
});

test("run() accepts a promise (an async function's)", async () => {
  const r = await asyncio.run((async () => {
    await asyncio.sleep(0.001);
    return "from async";
  })());
  assert.equal(r, "from async");
});

test("run(): debug option; loopFactory is used and the loop is closed", async () => {
  for (const debug of [true, false]) {
    const seen = await asyncio.run((function* () {
      return asyncio.getRunningLoop().getDebug();
    })(), { debug, loopFactory: asyncio.testing.newVirtualTimeLoop });
    assert.equal(seen, debug);
  }
  let made: RecordingLoop | null = null;
  await asyncio.run((function* () {
    assert.equal(asyncio.getRunningLoop(), made);
  })(), { loopFactory: () => (made = new RecordingLoop()) });
  assert.equal(made!.isClosed(), true);
});

test("run() shutdown order: pending tasks cancelled (their cleanup runs), then async generators, the default executor, close", async () => {
  let loop: RecordingLoop | null = null;
  const cleanup: string[] = [];
  await asyncio.run((function* () {
    const l = asyncio.getRunningLoop() as RecordingLoop;
    for (const name of ["a", "b"]) {
      asyncio.createTask((function* () {
        try {
          yield* asyncio.sleep(3600);
        } finally {
          l.log.push(`cleanup ${name}`);
          cleanup.push(name);
          yield* asyncio.sleep(1);
        }
      })());
    }
    yield* asyncio.sleep(0);
    return null;
  })(), { loopFactory: () => (loop = new RecordingLoop()) });
  assert.deepEqual(cleanup.sort(), ["a", "b"]);
  assert.deepEqual(loop!.log.slice(2), ["shutdownAsyncgens", "shutdownDefaultExecutor(300)", "close"]);
  assert.ok(loop!.log.slice(0, 2).every((x) => x.startsWith("cleanup")));
});

test("run() shutdown: a task that fails while being cancelled is reported to the exception handler", async () => {
  const contexts: asyncio.ExceptionContext[] = [];
  await asyncio.run((function* () {
    asyncio.getRunningLoop().setExceptionHandler((_l, c) => void contexts.push(c));
    asyncio.createTask((function* () {
      try {
        yield* asyncio.sleep(3600);
      } catch {
        throw new ValueError("during shutdown");
      }
    })());
    yield* asyncio.sleep(0);
  })(), { loopFactory: asyncio.testing.newVirtualTimeLoop });
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0]!.message, "unhandled exception during asyncio.run() shutdown");
  assert.ok(contexts[0]!.exception instanceof ValueError);
  assert.ok(contexts[0]!.task instanceof asyncio.Task);
});

test("run() of a main that is cancelled raises CancelledError", async () => {
  await assert.rejects(asyncio.run((function* () {
    asyncio.currentTask()!.cancel();
    yield* asyncio.sleep(1);
  })(), { loopFactory: asyncio.testing.newVirtualTimeLoop }), CancelledError);
});

test("run() sets the loop as the current one while it runs, and unsets it after", async () => {
  let inside: unknown = null;
  await asyncio.run((function* () {
    inside = asyncio.getEventLoopPolicy().getEventLoop();
  })());
  assert.ok(inside instanceof asyncio.BaseEventLoop);
  assert.throws(() => asyncio.getEventLoopPolicy().getEventLoop(), RuntimeError);
  asyncio.setEventLoopPolicy(null);
});

test("Runner: several runs on one loop, shared context, getLoop, close() idempotent, closed runner is RuntimeError", async () => {
  const v = new asyncio.ContextVar<number>("v", { default: 0 });
  const runner = new asyncio.Runner({ loopFactory: asyncio.testing.newVirtualTimeLoop });
  const loop = runner.getLoop();
  assert.ok(loop instanceof VirtualTimeLoop);
  assert.equal(runner.getLoop(), loop);
  const loops: unknown[] = [];
  await runner.run((function* () {
    loops.push(asyncio.getRunningLoop());
    v.set(1);
  })());
  const seen = await runner.run((function* () {
    loops.push(asyncio.getRunningLoop());
    return v.get();
  })());
  assert.equal(seen, 1);
  assert.deepEqual(loops, [loop, loop]);
  // An explicit context replaces the runner's.
  const ctx = new asyncio.Context();
  const inCtx = await runner.run((function* () {
    return v.get();
  })(), { context: ctx });
  assert.equal(inCtx, 0);
  await runner.close();
  assert.equal(loop.isClosed(), true);
  await runner.close();
  await assert.rejects(runner.run((function* () {})()), (e: unknown) => e instanceof RuntimeError && e.message === "Runner is closed");
  assert.throws(() => runner.getLoop(), (e: unknown) => e instanceof RuntimeError && e.message === "Runner is closed");
});

test("Runner: debug option; without loopFactory it sets the current loop and unsets it at close", async () => {
  const runner = new asyncio.Runner({ debug: true });
  const loop = runner.getLoop();
  assert.equal(loop.getDebug(), true);
  assert.equal(asyncio.getEventLoopPolicy().getEventLoop(), loop);
  await runner.run((function* () {
    yield* asyncio.sleep(0);
  })());
  await runner.close();
  assert.throws(() => asyncio.getEventLoopPolicy().getEventLoop(), RuntimeError);
  asyncio.setEventLoopPolicy(null);
});

test("Runner: close() before any run does nothing; Symbol.asyncDispose closes", async () => {
  const r1 = new asyncio.Runner();
  await r1.close();
  let loop: asyncio.AbstractEventLoop | null = null;
  {
    const r2 = new asyncio.Runner({ loopFactory: asyncio.testing.newVirtualTimeLoop });
    try {
      loop = r2.getLoop();
      assert.equal(await r2.run(asyncio.sleep(5, "x")), "x");
    } finally {
      await r2[Symbol.asyncDispose]();
    }
  }
  assert.equal(loop!.isClosed(), true);
});

test("Runner.run refuses non-coroutines (ValueError)", async () => {
  const runner = new asyncio.Runner({ loopFactory: asyncio.testing.newVirtualTimeLoop });
  try {
    await assert.rejects(runner.run(5 as unknown as Coroutine<number>), ValueError);
  } finally {
    await runner.close();
  }
});
