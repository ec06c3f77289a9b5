import * as asyncio from "../../../src/index.js";
import { CancelledError, ValueError } from "../../../src/index.js";
import type { Coroutine, Future } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* work(name: string, steps: number): Coroutine<string> {
  try {
    for (let i = 0; i < steps; i++) yield* asyncio.sleep(0);
    print(name, "finished");
    return name;
  } catch (e) {
    if (e instanceof CancelledError) print(name, "cancelled", en(e));
    throw e;
  }
}

function* main(): Coroutine<void> {
  let inner = asyncio.ensureFuture(work("inner", 3));
  let outer: Future<string> = asyncio.shield(inner);
  yield* asyncio.sleep(0);
  print("outer is inner", outer === inner);
  outer.cancel("outer msg");
  try {
    yield* outer;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("outer cancelled", en(e), "inner done", inner.done());
  }
  print("inner result", yield* inner);

  // A task awaiting shield() is cancelled; the shielded work goes on.
  inner = asyncio.ensureFuture(work("inner2", 3));
  function* waiter(): Coroutine<string> {
    try {
      return yield* asyncio.shield(inner);
    } catch (e) {
      if (e instanceof CancelledError) print("waiter cancelled", en(e));
      throw e;
    }
  }
  const w = asyncio.createTask(waiter());
  yield* asyncio.sleep(0);
  w.cancel("w msg");
  try {
    yield* w;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("waiter done", w.cancelled(), "inner done", inner.done());
  }
  yield* inner;
  // Cancelling the inner future cancels the outer.
  inner = asyncio.ensureFuture(work("inner3", 5));
  outer = asyncio.shield(inner);
  yield* asyncio.sleep(0);
  inner.cancel("inner msg");
  try {
    yield* outer;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("outer after inner cancel", en(e), outer.cancelled());
  }
  // Inner failure propagates through shield.
  function* fails(): Coroutine<void> {
    yield* asyncio.sleep(0);
    throw new ValueError("shielded failure");
  }
  try {
    yield* asyncio.shield(fails());
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("shield raised", en(e));
  }
  // An already-done future is returned as is.
  const f = asyncio.getRunningLoop().createFuture<number>();
  f.setResult(1);
  print("done future returned as is", asyncio.shield(f) === f);
}

await asyncio.run(main());
