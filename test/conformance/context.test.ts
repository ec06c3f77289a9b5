// Conformance: contextvars in tasks and callbacks, as CPython 3.12's test_context.py
// and the context parts of test_tasks.py/test_events.py check them. `inContext(ctx, cb)`
// is tsyncio's form of the `context=` keyword of callSoon/callLater/callAt/callSoonThreadsafe.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { Context, ContextVar, Token, KeyError, RuntimeError, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import { runTest } from "./_test-utils.js";

const { VirtualTimeLoop } = asyncio.testing;

async function withLoop<T>(body: (loop: asyncio.BaseEventLoop) => T | Promise<T>): Promise<T> {
  const loop = new VirtualTimeLoop();
  loop.setDebug(false);
  try {
    return await body(loop);
  } finally {
    loop.close();
  }
}

test("ContextVar: default, explicit default, LookupError (KeyError) without one; set/reset with tokens", () => {
  const a = new ContextVar<number>("a");
  const b = new ContextVar<number>("b", { default: 5 });
  assert.equal(a.name, "a");
  assert.throws(() => a.get(), KeyError);
  assert.equal(a.get(1), 1);
  assert.equal(b.get(), 5);
  assert.equal(b.get(6), 6);
  new Context().run(() => {
    const t1 = a.set(10);
    assert.ok(t1 instanceof Token);
    assert.equal(t1.var, a);
    assert.equal(t1.oldValue, Token.MISSING);
    const t2 = a.set(20);
    assert.equal(t2.oldValue, 10);
    a.reset(t2);
    assert.equal(a.get(), 10);
    assert.throws(() => a.reset(t2), RuntimeError);
    assert.throws(() => b.reset(t1 as unknown as Token<number>), ValueError);
    a.reset(t1);
    assert.throws(() => a.get(), KeyError);
    const t3 = a.set(1);
    new Context().run(() => assert.throws(() => a.reset(t3), ValueError));
  });
  assert.throws(() => new ContextVar(1 as unknown as string), TypeError);
});

test("Context: run() isolates changes, copy() snapshots, mapping methods, no re-entry", () => {
  const v = new ContextVar<string>("v", { default: "d" });
  const ctx = new Context();
  assert.equal(ctx.size, 0);
  ctx.run(() => v.set("in"));
  assert.equal(v.get(), "d");
  assert.equal(ctx.get(v), "in");
  assert.equal(ctx.has(v), true);
  assert.deepEqual([...ctx.keys()], [v]);
  assert.deepEqual([...ctx.values()], ["in"]);
  assert.deepEqual([...ctx], [[v, "in"]]);
  const copy = ctx.copy();
  ctx.run(() => v.set("changed"));
  assert.equal(copy.get(v), "in");
  assert.equal(ctx.get(v), "changed");
  assert.throws(() => ctx.run(() => ctx.run(() => {})), RuntimeError);
  assert.equal(ctx.run((x: number, y: number) => x + y, 2, 3), 5);
  const snap = asyncio.copyContext();
  assert.ok(snap instanceof Context);
});

test("a task runs in a copy of the context current at its creation; its changes do not leak", async () => {
  const v = new ContextVar<string>("v", { default: "unset" });
  await runTest(function* () {
    v.set("parent");
    const child = asyncio.createTask((function* () {
      const seen = v.get();
      v.set("child");
      yield* asyncio.sleep(1);
      return [seen, v.get()];
    })());
    v.set("parent-later");
    assert.deepEqual(yield* child, ["parent", "child"]);
    assert.equal(v.get(), "parent-later");
    // Nested tasks inherit along the chain.
    const grand = asyncio.createTask((function* () {
      return yield* asyncio.createTask((function* () {
        return v.get();
      })());
    })());
    assert.equal(yield* grand, "parent-later");
  });
});

test("createTask({ context }) runs every step of the task in that context, and keeps its changes there", async () => {
  const v = new ContextVar<number>("n", { default: 0 });
  await runTest(function* () {
    const ctx = new Context();
    ctx.run(() => v.set(1));
    const t = asyncio.createTask((function* () {
      const a = v.get();
      v.set(a + 1);
      yield* asyncio.sleep(1);
      return v.get();
    })(), { context: ctx });
    assert.equal(t.getContext(), ctx);
    assert.equal(yield* t, 2);
    assert.equal(ctx.get(v), 2);
    assert.equal(v.get(), 0);
  });
});

test("callSoon/callLater copy the context at scheduling time; a callback's set() stays inside it", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<string>("v", { default: "d" });
    const seen: string[] = [];
    await new Context().run(async () => {
      v.set("at-schedule");
      loop.callSoon(() => {
        seen.push(v.get());
        v.set("set-in-callback");
      });
      loop.callLater(1, () => seen.push(v.get()));
      loop.callSoon(() => seen.push(v.get()));
      v.set("after-schedule");
    });
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(seen, ["at-schedule", "at-schedule", "at-schedule"]);
  }));

test("inContext(ctx, cb) is the context= keyword of callSoon, callLater, callAt and callSoonThreadsafe", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<number>("v", { default: 0 });
    const ctx = new Context();
    ctx.run(() => v.set(100));
    const seen: unknown[] = [];
    const bump = (tag: string, by: number): void => {
      seen.push(`${tag}:${v.get()}`);
      v.set(v.get() + by);
    };
    const h1 = loop.callSoon(asyncio.inContext(ctx, bump), "soon", 1);
    const h2 = loop.callSoonThreadsafe(asyncio.inContext(ctx, bump), "threadsafe", 10);
    const h3 = loop.callLater(1, asyncio.inContext(ctx, bump), "later", 100);
    const h4 = loop.callAt(loop.time() + 2, asyncio.inContext(ctx, bump), "at", 1000);
    for (const h of [h1, h2, h3, h4]) assert.equal(h.getContext(), ctx);
    // The handle names the inner callback.
    assert.match(String(h1), /^<Handle bump\('soon', 1\)>$/);
    loop.callLater(3, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(seen, ["soon:100", "threadsafe:101", "later:111", "at:211"]);
    assert.equal(ctx.get(v), 1211);
    assert.equal(v.get(), 0);
    assert.throws(() => asyncio.inContext({} as Context, () => {}), TypeError);
  }));

test("Handle.getContext() of a plain callSoon is a Context holding the values copied at scheduling", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<string>("v", { default: "d" });
    const h = new Context().run(() => {
      v.set("x");
      return loop.callSoon(() => {});
    });
    const ctx = h.getContext();
    assert.ok(ctx instanceof Context);
    assert.equal(ctx.get(v), "x");
    assert.equal(h.getContext(), ctx);
    h.cancel();
  }));

test("a context cannot be entered twice: an eager task in its creator's own context is RuntimeError", async () => {
  await runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const ctx = new Context();
    const inner = (function* () {
      return 1;
    })();
    const t = asyncio.createTask((function* () {
      loop.setTaskFactory(asyncio.eagerTaskFactory);
      try {
        loop.createTask(inner, { context: ctx });
        return "no error";
      } catch (e) {
        return e instanceof RuntimeError && /cannot enter context/.test(e.message) ? "RuntimeError" : String(e);
      } finally {
        loop.setTaskFactory(null);
      }
    })(), { context: ctx });
    assert.equal(yield* t, "RuntimeError");
  });
});

test("done callbacks, gather and wait see the right contexts", async () => {
  const v = new ContextVar<string>("v", { default: "d" });
  await runTest(function* () {
    const loop = asyncio.getRunningLoop();
    v.set("main");
    const seen: string[] = [];
    const f = loop.createFuture();
    new Context().run(() => {
      v.set("other");
      f.addDoneCallback(() => seen.push(v.get()));
    });
    f.addDoneCallback(() => seen.push(v.get()));
    f.setResult(null);
    const results = yield* asyncio.gather(
      (function* () {
        v.set("g1");
        yield* asyncio.sleep(1);
        return v.get();
      })(),
      (function* () {
        yield* asyncio.sleep(1);
        return v.get();
      })(),
    );
    assert.deepEqual(seen, ["other", "main"]);
    assert.deepEqual(results, ["g1", "main"]);
    assert.equal(v.get(), "main");
  });
});
