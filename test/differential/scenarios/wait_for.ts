import * as asyncio from "../../../src/index.js";
import { CancelledError, TimeoutError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en, repr } from "./_util.js";

function* slow(name: string, delay: number, result: string): Coroutine<string> {
  try {
    yield* asyncio.sleep(delay);
    print(name, "completes");
    return result;
  } catch (e) {
    if (e instanceof CancelledError) print(name, "cancelled", en(e));
    throw e;
  }
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  print("no timeout", yield* asyncio.waitFor(slow("a", 0, "A"), null));
  print("in time", yield* asyncio.waitFor(slow("b", 0, "B"), 10));
  try {
    yield* asyncio.waitFor(slow("c", 10, "C"), 0.01);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("timed out", e.name, e.constructor === TimeoutError, repr(e.message));
  }
  // timeout=0 with a coroutine: it never gets to run to completion.
  try {
    yield* asyncio.waitFor(slow("d", 0, "D"), 0);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("timeout 0 coro", e.name);
  }
  // timeout=0 with a done future: its result.
  let f = loop.createFuture<string>();
  f.setResult("done already");
  print("timeout 0 done future", yield* asyncio.waitFor(f, 0));
  // timeout <= 0 with a pending future: cancelled, TimeoutError.
  f = loop.createFuture<string>();
  try {
    yield* asyncio.waitFor(f, -1);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("negative timeout: future cancelled", f.cancelled());
  }
  // The inner raises: propagates.
  function* fails(): Coroutine<void> {
    yield* asyncio.sleep(0);
    throw new ValueError("inner failed");
  }
  try {
    yield* asyncio.waitFor(fails(), 10);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("inner exception", en(e));
  }
  // The inner swallows the cancellation and returns a value.
  function* swallow(): Coroutine<string | undefined> {
    try {
      yield* asyncio.sleep(10);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print("swallow: caught cancel, returning a value");
      return "swallowed";
    }
    return undefined;
  }
  try {
    print("swallowing inner ->", yield* asyncio.waitFor(swallow(), 0.01));
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("swallowing inner -> TimeoutError");
  }
  // Cancelling the task that waits cancels the inner too.
  const inner = asyncio.ensureFuture(slow("e", 10, "E"));
  const w = asyncio.createTask(asyncio.waitFor(inner, 10));
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  w.cancel("outer cancel");
  try {
    yield* w;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("waiter cancelled", en(e), "inner cancelled", inner.cancelled());
  }
}

await asyncio.run(main());
