import * as asyncio from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print } from "./_util.js";

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture<string>();
  const log: string[] = [];

  function* waiter(n: number): Coroutine<void> {
    log.push(`wait ${n}`);
    const r = yield* fut;
    log.push(`woke ${n} with ${r}`);
  }

  const ts = [0, 1, 2].map((i) => asyncio.createTask(waiter(i)));
  yield* asyncio.sleep(0);
  fut.addDoneCallback(() => log.push("plain callback"));
  loop.callSoon((s: string) => log.push(s), "call_soon before result");
  fut.setResult("R");
  loop.callSoon((s: string) => log.push(s), "call_soon after result");
  yield* asyncio.gather(...ts);
  print(log);
  // sleep() ordering by deadline, whatever the creation order. The delays are computed from one base
  // time, so that a busy machine pausing the process between two tasks cannot reorder the deadlines.
  const order: string[] = [];
  const t0 = loop.time();

  function* sleeper(d: number, name: string): Coroutine<void> {
    // A positive delay stays a real timer (at least 1 ms) even if the machine stalled past its deadline.
    yield* asyncio.sleep(d <= 0 ? d : Math.max(t0 + d - loop.time(), 0.001));
    order.push(name);
  }

  yield* asyncio.gather(sleeper(0.3, "300ms"), sleeper(0.1, "100ms"), sleeper(0, "0"), sleeper(-1, "negative"),
    sleeper(0.2, "200ms"));
  print("sleep order", order);
  print("sleep result", yield* asyncio.sleep(0, "r0"), yield* asyncio.sleep(0.001, "r1"));
  // sleep(0) yields exactly once: two tasks alternate.
  const alt: string[] = [];

  function* ping(name: string): Coroutine<void> {
    for (let i = 0; i < 3; i++) {
      alt.push(`${name}${i}`);
      yield* asyncio.sleep(0);
    }
  }

  yield* asyncio.gather(ping("a"), ping("b"));
  print("alternation", alt);
  // A task that completes without awaiting finishes in its first step.
  function* instant(): Coroutine<string> {
    return "instant";
  }
  const t = asyncio.createTask(instant());
  print("before step", t.done());
  yield* asyncio.sleep(0);
  print("after one step", t.done(), t.result());
}

await asyncio.run(main());
