import * as asyncio from "../../../src/index.js";
import { TimeoutError, ValueError } from "../../../src/index.js";
import type { Coroutine, Future } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const futs = [0, 1, 2, 3].map(() => loop.createFuture<string>());
  // Completion order: 2, 0, 3 (exception), 1.
  loop.callSoon((v: string) => futs[2]!.setResult(v), "two");
  const t0 = loop.time();
  loop.callAt(t0 + 0.01, (v: string) => futs[0]!.setResult(v), "zero");
  loop.callAt(t0 + 0.02, (e: Error) => futs[3]!.setException(e), new ValueError("three"));
  loop.callAt(t0 + 0.03, (v: string) => futs[1]!.setResult(v), "one");
  let i = 0;
  for (const aw of asyncio.asCompleted(futs)) {
    try {
      print("as_completed", i, yield* aw);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      print("as_completed", i, "raised", en(e));
    }
    i++;
  }
  // Coroutines are wrapped; done ones come first.
  function* after(n: number, v: string): Coroutine<string> {
    for (let j = 0; j < n; j++) yield* asyncio.sleep(0);
    return v;
  }
  const done = loop.createFuture<string>();
  done.setResult("already");
  const order: string[] = [];
  for (const aw of asyncio.asCompleted<string>([after(3, "c3"), after(1, "c1"), done, after(2, "c2")])) {
    order.push(yield* aw);
  }
  print("order", order);
  // Timeout.
  const slow = loop.createFuture<string>();
  const fast = loop.createFuture<string>();
  loop.callSoon((v: string) => fast.setResult(v), "fast");
  try {
    for (const aw of asyncio.asCompleted([slow, fast], { timeout: 0.02 })) {
      print("got", yield* aw);
    }
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("timeout", e.name);
  }
  print("slow cancelled?", slow.cancelled());
  try {
    for (const _aw of asyncio.asCompleted(loop.createFuture() as unknown as Future<unknown>[])) {
      // nothing
    }
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("future not iterable", e.name);
  }
}

await asyncio.run(main());
