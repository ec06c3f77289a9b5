import * as asyncio from "../../../src/index.js";
import { CancelledError } from "../../../src/index.js";
import type { Coroutine, Future, Task } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* atSleep(): Coroutine<void> {
  try {
    yield* asyncio.sleep(10);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("sleep: cancelled", en(e));
    throw e;
  } finally {
    print("sleep: finally");
  }
}

function* atFuture(fut: Future<unknown>): Coroutine<void> {
  try {
    yield* fut;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("future: cancelled", en(e), "fut.cancelled =", fut.cancelled());
    throw e;
  }
}

function* deep(): Coroutine<void> {
  try {
    yield* asyncio.sleep(10);
  } finally {
    print("deep: finally (innermost)");
  }
}

function* atNested(): Coroutine<void> {
  try {
    yield* deep();
  } finally {
    print("nested: finally (outer)");
  }
}

function* atTask(inner: Task<unknown>): Coroutine<void> {
  try {
    yield* inner;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("task: cancelled", en(e), "inner.cancelled =", inner.cancelled());
    throw e;
  }
}

function* cleanupAwaits(): Coroutine<void> {
  try {
    yield* asyncio.sleep(10);
  } finally {
    print("cleanup: finally starts");
    yield* asyncio.sleep(0);
    print("cleanup: finally awaited");
  }
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  for (const [name, coro] of [["sleep", atSleep()], ["nested", atNested()], ["cleanup", cleanupAwaits()]] as const) {
    const t = asyncio.createTask(coro);
    yield* asyncio.sleep(0);
    print(name, "cancel ->", t.cancel(`msg-${name}`));
    try {
      yield* t;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(name, "outer sees", en(e), t.cancelled());
    }
  }
  const fut = loop.createFuture();
  let t = asyncio.createTask(atFuture(fut));
  yield* asyncio.sleep(0);
  t.cancel("msg-future");
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("future outer sees", en(e));
  }
  let inner: Task<unknown> = asyncio.createTask(asyncio.sleep(10));
  t = asyncio.createTask(atTask(inner));
  yield* asyncio.sleep(0);
  t.cancel("msg-task");
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("task outer sees", en(e));
  }
  // Cancelling the inner task that another task awaits.
  inner = asyncio.createTask(asyncio.sleep(10));
  t = asyncio.createTask(atTask(inner));
  yield* asyncio.sleep(0);
  inner.cancel("inner-msg");
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("inner-cancel outer sees", en(e), t.cancelled());
  }
  // Cancel before the first step: the coroutine body never runs.
  function* never(): Coroutine<void> {
    print("never printed");
  }
  t = asyncio.createTask(never());
  t.cancel();
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("cancelled before start", en(e));
  }
  print("cancel done task", t.cancel());
  // Cancel twice before it runs: one CancelledError, the last message wins? the first.
  t = asyncio.createTask(atSleep());
  yield* asyncio.sleep(0);
  t.cancel("first");
  t.cancel("second");
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("double cancel outer sees", en(e));
  }
}

await asyncio.run(main());
