// Conformance: the behaviour CPython 3.12's test_futures.py checks, on tsyncio's Future.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, InvalidStateError, RuntimeError, ValueError } from "../../src/index.js";

const { VirtualTimeLoop } = asyncio.testing;

/** Runs `body` as a task on a fresh virtual-time loop, then closes the loop. */
async function inLoop<T>(body: (loop: asyncio.AbstractEventLoop) => asyncio.Coroutine<T>): Promise<T> {
  const loop = new VirtualTimeLoop();
  loop.setDebug(false);
  try {
    return await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

/** A loop that is closed after `body` returns. */
async function withLoop<T>(body: (loop: asyncio.BaseEventLoop) => T | Promise<T>): Promise<T> {
  const loop = new VirtualTimeLoop();
  loop.setDebug(false);
  try {
    return await body(loop);
  } finally {
    loop.close();
  }
}

test("initial state: pending; result() and exception() raise InvalidStateError", () =>
  withLoop((loop) => {
    const f = loop.createFuture<number>();
    assert.equal(f.done(), false);
    assert.equal(f.cancelled(), false);
    assert.equal(f.getLoop(), loop);
    assert.throws(() => f.result(), (e: unknown) => e instanceof InvalidStateError && e.message === "Result is not ready.");
    assert.throws(() => f.exception(), (e: unknown) => e instanceof InvalidStateError && e.message === "Exception is not set.");
    assert.equal(String(f), "<Future pending>");
  }));

test("setResult: done, result(), exception() is null; a second outcome raises InvalidStateError", () =>
  withLoop((loop) => {
    const f = loop.createFuture<number>();
    f.setResult(42);
    assert.equal(f.done(), true);
    assert.equal(f.cancelled(), false);
    assert.equal(f.result(), 42);
    assert.equal(f.exception(), null);
    assert.equal(String(f), "<Future finished result=42>");
    assert.throws(() => f.setResult(1), InvalidStateError);
    assert.throws(() => f.setException(new ValueError("x")), InvalidStateError);
    assert.equal(f.cancel(), false);
    assert.equal(f.result(), 42);
  }));

test("setException: result() raises it, exception() returns it; an exception class is instantiated", () =>
  withLoop((loop) => {
    const err = new ValueError("bad");
    const f = loop.createFuture();
    f.setException(err);
    assert.equal(f.done(), true);
    assert.throws(() => f.result(), (e: unknown) => e === err);
    assert.equal(f.exception(), err);
    assert.equal(String(f), "<Future finished exception=ValueError('bad')>");

    const g = loop.createFuture();
    g.setException(RuntimeError);
    assert.ok(g.exception() instanceof RuntimeError);

    const h = loop.createFuture();
    assert.throws(() => h.setException(new asyncio.StopIteration()), TypeError);
    assert.equal(h.done(), false);
  }));

test("cancel: cancelled(), CancelledError with the message, only once", () =>
  withLoop((loop) => {
    const f = loop.createFuture();
    assert.equal(f.cancel("stop it"), true);
    assert.equal(f.cancelled(), true);
    assert.equal(f.done(), true);
    assert.equal(f.cancel(), false);
    assert.throws(() => f.result(), (e: unknown) => e instanceof CancelledError && e.message === "stop it");
    assert.throws(() => f.exception(), (e: unknown) => e instanceof CancelledError && e.message === "stop it");
    assert.throws(() => f.setResult(1), InvalidStateError);
    assert.throws(() => f.setException(new ValueError()), InvalidStateError);
    assert.equal(String(f), "<Future cancelled>");

    const g = loop.createFuture();
    g.cancel();
    assert.throws(() => g.result(), (e: unknown) => e instanceof CancelledError && e.message === "");
  }));

test("done callbacks run on the loop, in registration order, with the future; never synchronously", async () => {
  const order: string[] = [];
  await inLoop(function* (loop) {
    const f = loop.createFuture<string>();
    f.addDoneCallback((x) => order.push(`a:${x.result()}`));
    f.addDoneCallback((x) => order.push(`b:${x.result()}`));
    f.setResult("r");
    assert.equal(order.length, 0);
    // A callback added after completion is scheduled at once, after the others.
    f.addDoneCallback(() => order.push("c"));
    yield* asyncio.sleep(0);
    assert.deepEqual(order, ["a:r", "b:r", "c"]);
  });
});

test("removeDoneCallback removes every registration and returns the count", async () => {
  const calls: string[] = [];
  await inLoop(function* (loop) {
    const f = loop.createFuture();
    const a = (): void => void calls.push("a");
    const b = (): void => void calls.push("b");
    f.addDoneCallback(a);
    f.addDoneCallback(b);
    f.addDoneCallback(a);
    f.addDoneCallback(b);
    assert.equal(f.removeDoneCallback(a), 2);
    assert.equal(f.removeDoneCallback(a), 0);
    f.setResult(undefined);
    yield* asyncio.sleep(0);
    assert.deepEqual(calls, ["b", "b"]);
  });
});

test("addDoneCallback runs the callback in the given context, else a copy of the current one", async () => {
  const v = new asyncio.ContextVar<string>("v", { default: "unset" });
  const seen: string[] = [];
  await inLoop(function* (loop) {
    const ctx = new asyncio.Context();
    ctx.run(() => v.set("in-ctx"));
    v.set("in-task");
    const f = loop.createFuture();
    f.addDoneCallback(() => seen.push(v.get()), { context: ctx });
    f.addDoneCallback(() => seen.push(v.get()));
    v.set("changed-later");
    f.setResult(undefined);
    yield* asyncio.sleep(0);
  });
  assert.deepEqual(seen, ["in-ctx", "in-task"]);
});

test("yield* fut suspends until done and returns the result or raises", async () => {
  const r = await inLoop(function* (loop) {
    const f = loop.createFuture<number>();
    loop.callSoon(() => f.setResult(7));
    const x = yield* f;
    const g = loop.createFuture<number>();
    loop.callSoon(() => g.setException(new ValueError("boom")));
    try {
      yield* g;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof ValueError);
    }
    return x;
  });
  assert.equal(r, 7);
});

test("the future iterator refuses a second resume while pending (await wasn't used with future)", () =>
  withLoop((loop) => {
    const f = loop.createFuture();
    const it = f[Symbol.iterator]();
    const first = it.next();
    assert.equal(first.done, false);
    assert.equal(first.value, f);
    assert.throws(() => it.next(), (e: unknown) => e instanceof RuntimeError && /await wasn't used with future/.test(e.message));
    f.setResult(3);
    assert.deepEqual(it.next(), { done: true, value: 3 });
  }));

test("await fut from an async function: result, exception, CancelledError", async () => {
  await withLoop(async (loop) => {
    const results = await loop.runUntilComplete((async () => {
      const a = loop.createFuture<number>();
      loop.callSoon(() => a.setResult(1));
      const b = loop.createFuture<number>();
      loop.callSoon(() => b.setException(new ValueError("x")));
      const c = loop.createFuture<number>();
      loop.callSoon(() => c.cancel("why"));
      const out: unknown[] = [await a];
      try {
        await b;
      } catch (e) {
        out.push(e instanceof ValueError);
      }
      try {
        await c;
      } catch (e) {
        out.push(e instanceof CancelledError ? e.message : e);
      }
      return out;
    })());
    assert.deepEqual(results, [1, true, "why"]);
  });
});

test("a Future is a PromiseLike: Promise.resolve(fut) adopts it", async () => {
  await withLoop(async (loop) => {
    const f = loop.createFuture<string>();
    const p = Promise.resolve(f);
    loop.callSoon(() => f.setResult("ok"));
    await loop.runUntilComplete(f);
    assert.equal(await p, "ok");
  });
});

test("ensureFuture(promise) wraps it; rejection becomes the exception", async () => {
  await inLoop(function* (loop) {
    const f = asyncio.ensureFuture(Promise.resolve(5));
    assert.ok(asyncio.isfuture(f));
    assert.equal(f.getLoop(), loop);
    assert.equal(yield* f, 5);
    const g = asyncio.ensureFuture(Promise.reject(new ValueError("no")));
    try {
      yield* g;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof ValueError);
    }
    // Cancelling the wrapper cancels the Future only; the later outcome is ignored.
    let resolve!: (v: number) => void;
    const h = asyncio.ensureFuture(new Promise<number>((r) => (resolve = r)));
    h.cancel();
    resolve(1);
    yield* asyncio.sleep(0);
    yield* asyncio.sleep(0);
    assert.equal(h.cancelled(), true);
  });
});

test("ensureFuture: a Future is returned as is; a different loop is ValueError; other values TypeError", async () => {
  await withLoop(async (loop) => {
    const other = new VirtualTimeLoop();
    try {
      const f = loop.createFuture();
      assert.equal(asyncio.ensureFuture(f), f);
      assert.equal(asyncio.ensureFuture(f, { loop }), f);
      assert.throws(() => asyncio.ensureFuture(f, { loop: other }), ValueError);
      assert.throws(() => asyncio.ensureFuture(42 as unknown as asyncio.Future<number>), TypeError);
      // A coroutine becomes a Task of the given loop.
      const t = asyncio.ensureFuture((function* () { return 1; })(), { loop });
      assert.ok(t instanceof asyncio.Task);
      assert.equal(await loop.runUntilComplete(t), 1);
    } finally {
      other.close();
    }
  });
});

test("isfuture recognises Futures, Tasks and duck-typed futures, not promises", () =>
  withLoop((loop) => {
    assert.equal(asyncio.isfuture(loop.createFuture()), true);
    assert.equal(asyncio.isfuture(Promise.resolve()), false);
    assert.equal(asyncio.isfuture({}), false);
    const duck = { _asyncio_future_blocking: false, addDoneCallback() {} };
    assert.equal(asyncio.isfuture(duck), true);
  }));

test("a future bound to another loop cannot be awaited by a task (RuntimeError)", async () => {
  const other = new VirtualTimeLoop();
  try {
    await inLoop(function* () {
      const f = other.createFuture();
      try {
        yield* f;
        assert.fail("not raised");
      } catch (e) {
        assert.ok(e instanceof RuntimeError);
        assert.match((e as Error).message, /attached to a different loop/);
      }
    });
  } finally {
    other.close();
  }
});

test("yield of a future without yield* is refused (RuntimeError)", async () => {
  await inLoop(function* (loop) {
    const f = loop.createFuture();
    loop.callSoon(() => f.setResult(1));
    try {
      yield f;
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof RuntimeError);
    }
  });
});

test("the repr lists pending done callbacks", () =>
  withLoop((loop) => {
    const f = loop.createFuture();
    function first(): void {}
    function second(): void {}
    function third(): void {}
    f.addDoneCallback(first);
    assert.equal(String(f), "<Future pending cb=[first()]>");
    f.addDoneCallback(second);
    f.addDoneCallback(third);
    assert.equal(String(f), "<Future pending cb=[first(), <1 more>, third()]>");
  }));

/** The V8 frames ("at ...") of an error's stack. */
function framesOf(e: unknown): string[] {
  return String((e as Error).stack).split("\n").filter((l) => l.trim().startsWith("at "));
}

test("a cancelled future raises a CancelledError with the cancel() message; its stack is captured in debug mode only", async () => {
  for (const debug of [false, true]) {
    await withLoop((loop) => {
      loop.setDebug(debug);
      const f = loop.createFuture();
      f.cancel("bye");
      const e = (() => {
        try {
          f.result();
        } catch (x) {
          return x;
        }
        return null;
      })();
      assert.ok(e instanceof CancelledError);
      assert.equal(e.message, "bye");
      assert.equal(String(e), "CancelledError: bye");
      assert.equal(framesOf(e).length > 0, debug, `debug=${debug}: ${String((e as Error).stack)}`);
      // Raised again, it is the same exception (Python's cached _cancelled_exc) until consumed.
      assert.throws(() => f.exception(), CancelledError);
      loop.setDebug(false);
    });
  }
});

test("gather(returnExceptions) gives each cancelled child its own CancelledError, with the child's message", async () => {
  for (const debug of [false, true]) {
    const results = await withLoop(async (loop) => {
      loop.setDebug(debug);
      const a = loop.createFuture();
      const b = loop.createFuture();
      const g = asyncio.gather(a, b, { returnExceptions: true });
      a.cancel("first");
      b.cancel();
      const r = await loop.runUntilComplete(g);
      loop.setDebug(false);
      return r;
    });
    assert.ok(results[0] instanceof CancelledError && results[1] instanceof CancelledError);
    assert.notEqual(results[0], results[1]);
    assert.deepEqual(results.map((e) => (e as Error).message), ["first", ""]);
    assert.equal(framesOf(results[0]).length > 0, debug);
  }
});
