// Conformance: CPython 3.12.1's test_pep492.py (async/await support), test by
// test. Python's `async def` is a generator function here and `await` is
// `yield*`; `async with` is asyncWith(), `async for` is aiter()/anext().
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { RuntimeError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import { raises } from "./_assertions.js";

/** BaseTest.setUp: a new loop, set as the current one; the test closes it. */
async function withLoop(body: (loop: asyncio.AbstractEventLoop) => Promise<void>): Promise<void> {
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  try {
    await body(loop);
  } finally {
    loop.close();
    asyncio.setEventLoop(null);
  }
}

/** test_pep492.py FakeCoro: an object with the coroutine protocol that is not a generator. */
class FakeCoro {
  next(): IteratorResult<unknown, unknown> {
    return { done: true, value: undefined };
  }
  throw(e: unknown): IteratorResult<unknown, unknown> {
    throw e;
  }
  return(v: unknown): IteratorResult<unknown, unknown> {
    return { done: true, value: v };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

// test_pep492.py LockTests.test_context_manager_async_with
test("test_pep492.LockTests.test_context_manager_async_with", () =>
  withLoop(async (loop) => {
    const primitives = [new asyncio.Lock(), new asyncio.Condition(), new asyncio.Semaphore(), new asyncio.BoundedSemaphore()];
    function* check(lock: (typeof primitives)[number]): Coroutine<void> {
      yield* asyncio.sleep(0.01);
      assert.equal(lock.locked(), false);
      yield* asyncio.asyncWith(lock, function* (_lock) {
        assert.ok(_lock == null);
        assert.equal(lock.locked(), true);
        yield* asyncio.sleep(0.01);
        assert.equal(lock.locked(), true);
      });
      assert.equal(lock.locked(), false);
    }
    for (const primitive of primitives) {
      await loop.runUntilComplete(check(primitive));
      assert.equal(primitive.locked(), false);
    }
  }));

// test_pep492.py StreamReaderTests.test_readline
test("test_pep492.StreamReaderTests.test_readline", () =>
  withLoop(async (loop) => {
    const DATA = Buffer.from("line1\nline2\nline3");
    const stream = new asyncio.StreamReader({ loop });
    stream.feedData(DATA);
    stream.feedEof();
    function* reader(): Coroutine<string[]> {
      const data: string[] = [];
      const it = asyncio.aiter(stream);
      for (;;) {
        const line = yield* asyncio.anext(it, null);
        if (line === null) break;
        data.push(Buffer.from(line).toString());
      }
      return data;
    }
    const data = await loop.runUntilComplete(reader());
    assert.deepEqual(data, ["line1\n", "line2\n", "line3"]);
  }));

// test_pep492.py CoroutineTests.test_iscoroutine
test("test_pep492.CoroutineTests.test_iscoroutine", () => {
  function* foo(): Coroutine<void> {}
  const f = foo();
  try {
    assert.equal(asyncio.iscoroutine(f), true);
  } finally {
    f.return(undefined);
  }
  assert.equal(asyncio.iscoroutine(new FakeCoro()), true);
});

// test_pep492.py CoroutineTests.test_iscoroutine_generator
// docs/differences.md: a coroutine is a generator here, so every generator
// object is a coroutine (Python tells `def` generators from `async def`
// coroutines). What is not a coroutine is an iterator without the generator
// protocol (throw/return), such as an array's iterator.
test("test_pep492.CoroutineTests.test_iscoroutine_generator", () => {
  function* foo(): Generator<undefined> {
    yield;
  }
  assert.equal(asyncio.iscoroutine(foo()), true);
  assert.equal(asyncio.iscoroutine([1][Symbol.iterator]()), false);
});

// test_pep492.py CoroutineTests.test_iscoroutinefunction
test("test_pep492.CoroutineTests.test_iscoroutinefunction", () => {
  function* foo(): Coroutine<void> {}
  assert.equal(asyncio.iscoroutinefunction(foo), true);
});

// test_pep492.py CoroutineTests.test_async_def_coroutines
test("test_pep492.CoroutineTests.test_async_def_coroutines", () =>
  withLoop(async (loop) => {
    function* bar(): Coroutine<string> {
      return "spam";
    }
    function* foo(): Coroutine<string> {
      return yield* bar();
    }
    // production mode
    assert.equal(await loop.runUntilComplete(foo()), "spam");
    // debug mode
    loop.setDebug(true);
    assert.equal(await loop.runUntilComplete(foo()), "spam");
  }));

// test_pep492.py CoroutineTests.test_task_print_stack
test("test_pep492.CoroutineTests.test_task_print_stack", () =>
  withLoop(async (loop) => {
    let T: asyncio.Task<void> | null = null;
    function* foo(): Coroutine<void> {
      const f = T!.getStack({ limit: 1 });
      assert.match(f[0]!, /^at foo /);
    }
    function* runner(): Coroutine<void> {
      T = asyncio.ensureFuture(foo(), { loop }) as asyncio.Task<void>;
      yield* T;
    }
    await loop.runUntilComplete(runner());
  }));

// test_pep492.py CoroutineTests.test_double_await
// CPython checks only the class (its `msg=` is unittest's failure message):
// driving a coroutine that a task is driving raises RuntimeError.
test("test_pep492.CoroutineTests.test_double_await", () =>
  withLoop(async (loop) => {
    function* afunc(): Coroutine<void> {
      yield* asyncio.sleep(0.1);
    }
    function* runner(): Coroutine<void> {
      const coro = afunc();
      const t = loop.createTask(coro);
      try {
        yield* asyncio.sleep(0);
        yield* coro;
      } finally {
        t.cancel();
      }
    }
    loop.setDebug(true);
    await loop.runUntilComplete(raises(RuntimeError, runner()));
  }));
