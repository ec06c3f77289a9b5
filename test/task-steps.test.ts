// How a task's steps are queued (core/tasks.ts): the task itself is the
// ready-queue entry outside debug mode, a Handle in debug mode; what a user
// sees is the same either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

const modes = [false, true] as const;

/** A Future subclass whose addDoneCallback records each call in `calls` before doing its work. */
function watchedFuture(calls: string[]): typeof asyncio.Future {
  return class Watched<T> extends asyncio.Future<T> {
    override addDoneCallback(fn: asyncio.DoneCallback<this>, options?: { context?: asyncio.Context | null }): void {
      calls.push("addDoneCallback");
      super.addDoneCallback(fn, options);
    }
  };
}

for (const debug of modes) {
  test(`steps and wakeups run in the task's context, in scheduling order (debug ${debug})`, async () => {
    const loop = asyncio.newEventLoop();
    loop.setDebug(debug);
    const v = new asyncio.ContextVar<string>("v", { default: "none" });
    const seen: string[] = [];
    function* worker(tag: string, fut: asyncio.Future<number>): Coroutine<void> {
      v.set(tag);
      seen.push(`${tag} start ${v.get()}`);
      const n = yield* fut;
      seen.push(`${tag} woke ${n} ${v.get()}`);
      yield* asyncio.sleep(0);
      seen.push(`${tag} end ${v.get()}`);
    }
    await loop.runUntilComplete((function* () {
      const f1 = loop.createFuture<number>();
      const f2 = loop.createFuture<number>();
      const a = loop.createTask(worker("a", f1));
      const b = loop.createTask(worker("b", f2));
      yield* asyncio.sleep(0);
      assert.match(String(f1), /^<Future pending cb=\[Task\.task_wakeup\(\)\]/);
      f2.setResult(2);
      f1.setResult(1);
      yield* asyncio.gather(a, b);
      assert.equal(v.get(), "none");
    })());
    assert.deepEqual(seen, ["a start a", "b start b", "b woke 2 b", "a woke 1 a", "b end b", "a end a"]);
    loop.close();
  });

  test(`a step that cannot run is reported to the exception handler as a callback's error (debug ${debug})`, async () => {
    const loop = asyncio.newEventLoop();
    loop.setDebug(debug);
    const contexts: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => void contexts.push(c));
    await loop.runUntilComplete((function* () {
      const t = loop.createTask((function* () {})(), { name: "stepped-after-done" });
      // Done as a plain Future while its first step is queued: the step finds it done.
      asyncio.Future.prototype.cancel.call(t);
      yield* asyncio.sleep(0);
    })());
    assert.equal(contexts.length, 1);
    const ctx = contexts[0]!;
    assert.match(ctx.message, /^Exception in callback .*stepped-after-done/);
    assert.ok(ctx.exception instanceof asyncio.InvalidStateError);
    assert.match(String(ctx.exception), /_step\(\): already done/);
    assert.ok(ctx.handle instanceof asyncio.Handle);
    loop.close();
  });
}

test("a task waiting on a future that overrides addDoneCallback is woken through it", async () => {
  const calls: string[] = [];
  const Watched = watchedFuture(calls);
  const r = await asyncio.run((function* () {
    const f = new Watched<number>({ loop: asyncio.getRunningLoop() });
    const t = asyncio.createTask((function* () { return (yield* f) + 1; })());
    yield* asyncio.sleep(0);
    f.setResult(41);
    return yield* t;
  })());
  assert.equal(r, 42);
  assert.deepEqual(calls, ["addDoneCallback"]);
});

test("cancelling a sleeping task cancels its timer, and the task's repr shows a Future", async () => {
  const loop = asyncio.newEventLoop();
  const pendingTimers = (): number =>
    (loop as unknown as { _scheduled: { items: asyncio.TimerHandle[] } })._scheduled.items.filter((h) => !h.cancelled()).length;
  await loop.runUntilComplete((function* () {
    const t = loop.createTask(asyncio.sleep(3600, "late"), { name: "sleeper" });
    yield* asyncio.sleep(0);
    assert.equal(pendingTimers(), 1);
    assert.match(String(t), /^<Task pending name='sleeper' coro=<sleep\(\)> wait_for=<Future pending cb=\[Task\.task_wakeup\(\)\]>>$/);
    t.cancel();
    assert.equal(pendingTimers(), 0);
    const [r] = yield* asyncio.gather(t, { returnExceptions: true });
    assert.ok(r instanceof asyncio.CancelledError);
  })());
  loop.close();
});

test("a sleep's result comes back after its delay", async () => {
  const r = await asyncio.run((function* () {
    const loop = asyncio.getRunningLoop();
    const t0 = loop.time();
    const v = yield* asyncio.sleep(0.02, "done");
    return [v, loop.time() - t0 >= 0.02] as const;
  })());
  assert.deepEqual(r, ["done", true]);
});

test("gather's done callback on a child shows as asyncio's, and a child that overrides addDoneCallback gets the callback itself", async () => {
  const seen: string[] = [];
  const Watched = watchedFuture(seen);
  const r = await asyncio.run((function* () {
    const loop = asyncio.getRunningLoop();
    const a = loop.createFuture<number>();
    const b = new Watched<number>({ loop });
    const g = asyncio.gather(a, b);
    assert.equal(String(a), "<Future pending cb=[gather.<locals>._done_callback()]>");
    b.setResult(2);
    a.setResult(1);
    return yield* g;
  })());
  assert.deepEqual(r, [1, 2]);
  assert.deepEqual(seen, ["addDoneCallback"]);
});

test("an exception that leaves a loop iteration (SystemExit from a callback) reaches run() as the same object", async () => {
  const exit = new asyncio.SystemExit(3);
  let caught: unknown = null;
  try {
    await asyncio.run((function* () {
      asyncio.getRunningLoop().callSoon(() => {
        throw exit;
      });
      yield* asyncio.sleep(1);
    })());
  } catch (e) {
    caught = e;
  }
  assert.equal(caught, exit);
});
