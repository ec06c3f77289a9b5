// sleep()'s coroutine is an object, not a generator function (core/tasks.ts):
// what a user sees must be what a generator coroutine shows, in both of its
// paths (its own timer; createFuture + callLater in debug mode).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

for (const debug of [false, true]) {
  test(`sleep(delay, result) returns the result after the delay, and sleep(0) yields exactly once (debug ${debug})`, async () => {
    const order: string[] = [];
    function* other(): Coroutine<void> {
      order.push("other");
    }
    const r = await asyncio.run((function* () {
      asyncio.createTask(other());
      const a = yield* asyncio.sleep(0, "zero");
      order.push(`sleep(0) -> ${a}`);
      const b = yield* asyncio.sleep(0.005, { n: 1 });
      order.push(`sleep(0.005) -> ${JSON.stringify(b)}`);
      return yield* asyncio.sleep(0.001);
    })(), { debug });
    assert.equal(r, undefined);
    assert.deepEqual(order, ["other", "sleep(0) -> zero", 'sleep(0.005) -> {"n":1}']);
  });

  test(`a cancelled sleep raises CancelledError with the message at the caller's await, finally blocks in order (debug ${debug})`, async () => {
    const seen: string[] = [];
    function* inner(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        seen.push("inner finally");
      }
    }
    function* outer(): Coroutine<string> {
      try {
        yield* inner();
        return "not reached";
      } catch (e) {
        seen.push(`outer caught ${(e as Error).name} ${(e as Error).message}`);
        throw e;
      }
    }
    await asyncio.run((function* () {
      const t = asyncio.createTask(outer());
      yield* asyncio.sleep(0);
      t.cancel("stop");
      const [r] = yield* asyncio.gather(t, { returnExceptions: true });
      assert.ok(r instanceof asyncio.CancelledError);
      assert.ok(t.cancelled());
    })(), { debug });
    assert.deepEqual(seen, ["inner finally", "outer caught CancelledError stop"]);
  });

  test(`a sleep's coroutine is a coroutine: lazy, named in reprs, a generator to 'yield without *', awaitable from async code (debug ${debug})`, async () => {
    const nan = asyncio.sleep(Number.NaN);
    assert.ok(asyncio.iscoroutine(nan));
    await asyncio.run((function* () {
      // Nothing ran at the call: the ValueError comes when it is awaited.
      let err: unknown = null;
      try {
        yield* nan;
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof asyncio.ValueError);
      assert.equal((err as Error).message, "Invalid delay: NaN");

      const t = asyncio.createTask(asyncio.sleep(0.01, 7));
      assert.match(String(t), /coro=<sleep\(\)>/);
      assert.equal(yield* t, 7);

      function* slip(): Coroutine<void> {
        yield asyncio.sleep(1) as never;
      }
      let bad: unknown = null;
      try {
        yield* asyncio.createTask(slip());
      } catch (e) {
        bad = e;
      }
      assert.ok(bad instanceof asyncio.RuntimeError);
      assert.match((bad as Error).message, /yield was used instead of yield\* for generator/);

      const viaPromise = yield* asyncio.wrapFuture((async () => await asyncio.sleep(0.001, "awaited"))());
      assert.equal(viaPromise, "awaited");
    })(), { debug });
  });
}

test("driving a sleep's coroutine by hand follows the generator protocol", async () => {
  // sleep(0) outside a loop needs none: one bare yield, then the result.
  const z = asyncio.sleep(0, "r");
  assert.deepEqual(z.next(), { done: false, value: undefined });
  assert.deepEqual(z.next(), { done: true, value: "r" });
  assert.deepEqual(z.next(), { done: true, value: undefined });
  assert.equal(z[Symbol.iterator](), z);

  // Thrown into before it starts: the exception comes out and the coroutine is finished.
  const boom = new Error("boom");
  const a = asyncio.sleep(1);
  assert.throws(() => a.throw(boom), (e) => e === boom);
  assert.deepEqual(a.next(), { done: true, value: undefined });

  // Closed before it starts: done with the value given, and never runs.
  const b = asyncio.sleep(Number.NaN);
  assert.deepEqual(b.return(undefined), { done: true, value: undefined });
  assert.deepEqual(b.next(), { done: true, value: undefined });

  // Suspended on its future: throw() raises at once, return() closes it.
  await asyncio.run((function* () {
    const c = asyncio.sleep(5);
    const step = c.next();
    assert.equal(step.done, false);
    assert.ok(asyncio.isfuture(step.value));
    // Resumed before the future is done: asyncio's "await wasn't used with future".
    assert.throws(() => c.next(), /await wasn't used with future/);
    const d = asyncio.sleep(5);
    d.next();
    assert.throws(() => d.throw(boom), (e) => e === boom);
    assert.deepEqual(d.next(), { done: true, value: undefined });
    const e = asyncio.sleep(5);
    e.next();
    assert.deepEqual(e.return(undefined), { done: true, value: undefined });
    yield* asyncio.sleep(0);
  })());
});

test("on a loop whose callLater is overridden, sleep goes through it and cancels its handle when cancelled", async () => {
  const calls: number[] = [];
  const cancelled: boolean[] = [];
  class Loop extends (asyncio.SelectorEventLoop as unknown as typeof asyncio.BaseEventLoop) {
    override callLater(delay: number, cb: (...a: never[]) => unknown, ...args: unknown[]): asyncio.TimerHandle {
      calls.push(delay);
      const h = super.callLater(delay, cb, ...args as never[]);
      const cancel = h.cancel.bind(h);
      h.cancel = () => {
        cancelled.push(true);
        cancel();
      };
      return h;
    }
  }
  const loop = new Loop();
  try {
    await loop.runUntilComplete((function* () {
      assert.equal(yield* asyncio.sleep(0.001, "x"), "x");
      const t = asyncio.createTask(asyncio.sleep(10));
      yield* asyncio.sleep(0);
      t.cancel();
      yield* asyncio.gather(t, { returnExceptions: true });
      assert.ok(t.cancelled());
    })());
  } finally {
    loop.close();
  }
  assert.deepEqual(calls, [0.001, 10]);
  assert.deepEqual(cancelled, [true, true]);
});
