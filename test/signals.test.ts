// Unix signals: loop.addSignalHandler/removeSignalHandler with real signals
// (CPython test_unix_events.py, signal parts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { constants } from "node:os";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

const indexUrl = new URL("../src/index.ts", import.meta.url).href;

/** Resolves once Node has dispatched `sig` to its listeners (ours, added before, included). */
function delivered(sig: NodeJS.Signals): Promise<void> {
  // A signal listener does not keep Node alive; the timer does until the signal came.
  const keepAlive = setTimeout(() => {}, 30_000);
  return new Promise((resolve) => process.once(sig, () => {
    clearTimeout(keepAlive);
    resolve();
  }));
}

test("a real signal runs the callback as a loop callback, with its arguments and the context of addSignalHandler", async () => {
  const loop = asyncio.newEventLoop();
  const v = new asyncio.ContextVar<string>("v", { default: "unset" });
  try {
    const seen = await loop.runUntilComplete((function* (): Coroutine<unknown[]> {
      const fut = loop.createFuture<unknown[]>();
      const token = v.set("at-add");
      loop.addSignalHandler("SIGUSR1", (a: string, b: number) => {
        fut.setResult([a, b, v.get(), asyncio.currentTask()]);
      }, "x", 1);
      v.reset(token);
      loop.callSoon(() => process.kill(process.pid, "SIGUSR1"));
      return yield* fut;
    })());
    assert.deepEqual(seen, ["x", 1, "at-add", null]);
    assert.equal(loop.removeSignalHandler("SIGUSR1"), true);
  } finally {
    loop.close();
  }
});

test("signal numbers and names address the same handler; removeSignalHandler returns true then false", () => {
  const loop = asyncio.newEventLoop();
  const before = process.listenerCount("SIGUSR2");
  try {
    loop.addSignalHandler(constants.signals.SIGUSR2, () => {});
    assert.equal(process.listenerCount("SIGUSR2"), 1);
    assert.equal(loop.removeSignalHandler("SIGUSR2"), true);
    assert.equal(loop.removeSignalHandler(constants.signals.SIGUSR2), false);
    assert.equal(process.listenerCount("SIGUSR2"), before);
    assert.equal(loop.removeSignalHandler(constants.signals.SIGHUP), false);
  } finally {
    loop.close();
  }
});

test("invalid, uncatchable and wrongly typed signals", () => {
  const loop = asyncio.newEventLoop();
  try {
    for (const n of [0, -1, 32, 33, 65, 1000]) {
      assert.throws(() => loop.addSignalHandler(n, () => {}), (e: Error) =>
        e instanceof asyncio.ValueError && e.message === `invalid signal number ${n}`);
      assert.throws(() => loop.removeSignalHandler(n), asyncio.ValueError);
    }
    assert.throws(() => loop.addSignalHandler("SIGNOPE", () => {}), asyncio.ValueError);
    assert.throws(() => loop.addSignalHandler(1.5, () => {}), (e: Error) => e instanceof TypeError && /^sig must be an int/.test(e.message));
    assert.throws(() => loop.addSignalHandler({} as unknown as number, () => {}), TypeError);
    assert.throws(() => loop.addSignalHandler(constants.signals.SIGKILL, () => {}), (e: Error) =>
      e instanceof asyncio.RuntimeError && e.message === "sig 9 cannot be caught");
    assert.throws(() => loop.addSignalHandler("SIGSTOP", () => {}), (e: Error) =>
      e instanceof asyncio.RuntimeError && e.message === `sig ${constants.signals.SIGSTOP} cannot be caught`);
    assert.equal(process.listenerCount("SIGKILL"), 0);
    assert.throws(() => loop.addSignalHandler("SIGUSR1", function* () {}), (e: Error) =>
      e instanceof TypeError && e.message === "coroutines cannot be used with add_signal_handler()");
    assert.equal(loop.removeSignalHandler("SIGUSR1"), false);
  } finally {
    loop.close();
  }
});

test("a closed loop refuses handlers", () => {
  const loop = asyncio.newEventLoop();
  loop.close();
  assert.throws(() => loop.addSignalHandler("SIGUSR1", () => {}), (e: Error) =>
    e instanceof asyncio.RuntimeError && e.message === "Event loop is closed");
});

test("a signal that arrives while the loop is stopped is delivered when it runs again", async () => {
  const loop = asyncio.newEventLoop();
  const calls: string[] = [];
  try {
    loop.addSignalHandler("SIGUSR2", () => calls.push("usr2"));
    const arrived = delivered("SIGUSR2");
    process.kill(process.pid, "SIGUSR2");
    await arrived;
    assert.deepEqual(calls, []);
    await loop.runUntilComplete(asyncio.sleep(0));
    assert.deepEqual(calls, ["usr2"]);
  } finally {
    loop.close();
  }
});

test("several signals at once each run their handler", async () => {
  const loop = asyncio.newEventLoop();
  try {
    const got = await loop.runUntilComplete((function* (): Coroutine<string[]> {
      const names = ["SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;
      const futs = names.map((name) => {
        const f = loop.createFuture<string>();
        loop.addSignalHandler(name, () => {
          if (!f.done()) f.setResult(name);
        });
        return f;
      });
      for (const name of names) process.kill(process.pid, name);
      return yield* asyncio.gather(...futs);
    })());
    assert.deepEqual(got, ["SIGUSR1", "SIGUSR2", "SIGWINCH"]);
  } finally {
    loop.close();
  }
});

test("a second addSignalHandler replaces the first", async () => {
  const loop = asyncio.newEventLoop();
  const calls: string[] = [];
  const before = process.listenerCount("SIGUSR1");
  try {
    await loop.runUntilComplete((function* (): Coroutine<void> {
      const fut = loop.createFuture<void>();
      loop.addSignalHandler("SIGUSR1", () => calls.push("first"));
      loop.addSignalHandler("SIGUSR1", () => {
        calls.push("second");
        fut.setResult(undefined);
      });
      assert.equal(process.listenerCount("SIGUSR1"), 1);
      process.kill(process.pid, "SIGUSR1");
      yield* fut;
    })());
    assert.deepEqual(calls, ["second"]);
  } finally {
    loop.close();
  }
  assert.equal(process.listenerCount("SIGUSR1"), before);
});

test("other listeners of the signal step aside while a handler is set and come back after removal", async () => {
  const loop = asyncio.newEventLoop();
  const calls: string[] = [];
  const foreign = (): void => {
    calls.push("foreign");
  };
  process.on("SIGHUP", foreign);
  try {
    loop.addSignalHandler("SIGHUP", () => calls.push("loop"));
    assert.deepEqual(process.listeners("SIGHUP").includes(foreign), false);
    let arrived = delivered("SIGHUP");
    process.kill(process.pid, "SIGHUP");
    await arrived;
    await loop.runUntilComplete(asyncio.sleep(0));
    assert.deepEqual(calls, ["loop"]);
    assert.equal(loop.removeSignalHandler("SIGHUP"), true);
    assert.ok(process.listeners("SIGHUP").includes(foreign));
    arrived = delivered("SIGHUP");
    process.kill(process.pid, "SIGHUP");
    await arrived;
    await loop.runUntilComplete(asyncio.sleep(0));
    assert.deepEqual(calls, ["loop", "foreign"]);
  } finally {
    process.off("SIGHUP", foreign);
    loop.close();
  }
});

test("closing the loop removes all of its handlers", () => {
  const loop = asyncio.newEventLoop();
  const before = [process.listenerCount("SIGUSR1"), process.listenerCount("SIGUSR2")];
  loop.addSignalHandler("SIGUSR1", () => {});
  loop.addSignalHandler("SIGUSR2", () => {});
  assert.deepEqual([process.listenerCount("SIGUSR1"), process.listenerCount("SIGUSR2")], [1, 1]);
  loop.close();
  assert.deepEqual([process.listenerCount("SIGUSR1"), process.listenerCount("SIGUSR2")], before);
  assert.equal(loop.removeSignalHandler("SIGUSR1"), false);
});

test("under asyncio.run(), a SIGINT handler replaces the Runner's interrupt handling", async () => {
  const result = await asyncio.run((function* (): Coroutine<string> {
    const loop = asyncio.getRunningLoop();
    const fut = loop.createFuture<string>();
    loop.addSignalHandler("SIGINT", () => fut.setResult("handled"));
    process.kill(process.pid, "SIGINT");
    const r = yield* fut;
    // One more iteration: the main task must not have been cancelled by the Runner.
    yield* asyncio.sleep(0);
    loop.removeSignalHandler("SIGINT");
    return r;
  })());
  assert.equal(result, "handled");
});

test("only the main thread may set signal handlers", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    const r = await pool.submit(async (url: string) => {
      const m = (await import(url)) as typeof import("../src/index.js");
      const loop = m.newEventLoop();
      try {
        loop.addSignalHandler("SIGUSR1", () => {});
        return ["no error"];
      } catch (e) {
        return [(e as Error).name, (e as Error).message];
      } finally {
        loop.close();
      }
    }, indexUrl);
    assert.deepEqual(r, ["RuntimeError", "set_wakeup_fd only works in main thread of the main interpreter"]);
  } finally {
    await pool.shutdown();
  }
});
