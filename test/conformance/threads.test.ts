// Conformance: CPython 3.12.1's test_threads.py (asyncio.to_thread), test by test,
// and test_context.py's one test (at the end).
// Python's mock.Mock() call counts become a counter in a SharedArrayBuffer that
// the worker thread increments: the function crosses into a worker isolate as
// its source (docs/differences.md, "Executors run worker isolates"), so it can
// touch only its arguments, and a SharedArrayBuffer argument is shared memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { RuntimeError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import { raises } from "./_assertions.js";
import { runTest } from "./_test-utils.js";

/** A mock.Mock() stand-in: counts its calls in shared memory and returns its arguments. */
function mockFunc(counter: SharedArrayBuffer, ...args: unknown[]): unknown[] {
  Atomics.add(new Int32Array(counter), 0, 1);
  return args;
}
function callCount(counter: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(counter), 0);
}

// test_threads.py ToThreadTests.test_to_thread
test("test_threads.ToThreadTests.test_to_thread", () =>
  runTest(function* () {
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const result = yield* asyncio.toThread(sum, [40, 2]);
    assert.equal(result, 42);
  }, { realLoop: true }));

// test_threads.py ToThreadTests.test_to_thread_exception
test("test_threads.ToThreadTests.test_to_thread_exception", () =>
  runTest(function* () {
    // The function runs in a worker without tsyncio's classes: it throws an
    // Error named RuntimeError, which comes back as tsyncio's RuntimeError.
    const raiseRuntime = (): never => {
      const e = new Error("test");
      e.name = "RuntimeError";
      throw e;
    };
    yield* raises(RuntimeError, asyncio.toThread(raiseRuntime), /test/);
  }, { realLoop: true }));

// test_threads.py ToThreadTests.test_to_thread_once
test("test_threads.ToThreadTests.test_to_thread_once", () =>
  runTest(function* () {
    const counter = new SharedArrayBuffer(4);
    yield* asyncio.toThread(mockFunc, counter);
    assert.equal(callCount(counter), 1);
  }, { realLoop: true }));

// test_threads.py ToThreadTests.test_to_thread_concurrent
test("test_threads.ToThreadTests.test_to_thread_concurrent", () =>
  runTest(function* () {
    const counter = new SharedArrayBuffer(4);
    const futs = [];
    for (let i = 0; i < 10; i++) futs.push(asyncio.toThread(mockFunc, counter));
    yield* asyncio.gather(...futs);
    assert.equal(callCount(counter), 10);
  }, { realLoop: true }));

// test_threads.py ToThreadTests.test_to_thread_args_kwargs
test("test_threads.ToThreadTests.test_to_thread_args_kwargs", () =>
  runTest(function* () {
    // Python's keyword arguments are a trailing options object in TypeScript.
    const counter = new SharedArrayBuffer(4);
    const args = yield* asyncio.toThread(mockFunc, counter, "test", { something: true });
    assert.equal(callCount(counter), 1);
    assert.deepEqual(args, ["test", { something: true }]);
  }, { realLoop: true }));

// test_threads.py ToThreadTests.test_to_thread_contextvars
test("test_threads.ToThreadTests.test_to_thread_contextvars", () =>
  runTest(function* () {
    // docs/differences.md: the caller's ContextVar values do not cross into a
    // worker isolate; what the function needs from the context is passed as an
    // argument, read in the caller's context at the call.
    const testCtx = new asyncio.ContextVar<string>("test_ctx");
    const getCtx = (value: string): string => value;
    testCtx.set("parrot");
    const result = yield* asyncio.toThread(getCtx, testCtx.get());
    assert.equal(result, "parrot");
  }, { realLoop: true }));

// test_context.py DecimalContextTest.test_asyncio_task_decimal_context
// Python's decimal keeps its context (the precision) in a ContextVar, and
// localcontext() sets a copy of it for the block. tsyncio has no decimal; a
// ContextVar holding the precision, set by each task, checks the same thing:
// each task of gather() runs in its own copy of the context, so neither task's
// precision leaks into the other across their sleeps.
test("test_context.DecimalContextTest.test_asyncio_task_decimal_context", async () => {
  const prec = new asyncio.ContextVar<number>("prec", { default: 28 });
  const divide = (x: number, y: number): string => (x / y).toPrecision(prec.get()).replace(/^0\./, "0.");
  function* fractions(t: number, precision: number, x: number, y: number): Coroutine<[string, string]> {
    prec.set(precision);
    const a = divide(x, y);
    yield* asyncio.sleep(t);
    const b = divide(x, y ** 2);
    return [a, b];
  }
  function* main(): Coroutine<[[string, string], [string, string]]> {
    const [r1, r2] = yield* asyncio.gather(fractions(0.1, 3, 1, 3), fractions(0.2, 6, 1, 3));
    return [r1, r2];
  }
  const [r1, r2] = await asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop });
  assert.equal(r1[0], "0.333");
  assert.equal(r1[1], "0.111");
  assert.equal(r2[0], "0.333333");
  assert.equal(r2[1], "0.111111");
  assert.equal(prec.get(), 28);
});
