import * as asyncio from "../../../src/index.js";
import { ValueError } from "../../../src/index.js";
import type { Coroutine, Future, ReturnWhen, Task } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* job(name: string, steps: number, fail = false): Coroutine<string> {
  for (let i = 0; i < steps; i++) yield* asyncio.sleep(0);
  if (fail) throw new ValueError(name);
  return name;
}

function names(tasks: Set<Future<unknown>>): string[] {
  return [...tasks].map((t) => (t as Task<unknown>).getName()).sort();
}

function* main(): Coroutine<void> {
  const mk = () => [
    asyncio.createTask(job("a", 1), { name: "a" }),
    asyncio.createTask(job("b", 3, true), { name: "b" }),
    asyncio.createTask(job("c", 5), { name: "c" }),
  ];
  let ts = mk();
  let [done, pending]: [Set<Future<unknown>>, Set<Future<unknown>>] = yield* asyncio.wait(ts, { returnWhen: asyncio.FIRST_COMPLETED });
  print("FIRST_COMPLETED", names(done), names(pending));
  [done, pending] = yield* asyncio.wait(ts, { returnWhen: asyncio.FIRST_EXCEPTION });
  print("FIRST_EXCEPTION", names(done), names(pending));
  [done, pending] = yield* asyncio.wait(ts);
  print("ALL_COMPLETED", names(done), names(pending));
  print("b exception", en(ts[1]!.exception()));
  // FIRST_EXCEPTION with no exception waits for all.
  ts = [asyncio.createTask(job("d", 1), { name: "d" }), asyncio.createTask(job("e", 2), { name: "e" })];
  [done, pending] = yield* asyncio.wait(ts, { returnWhen: asyncio.FIRST_EXCEPTION });
  print("FIRST_EXCEPTION none failing", names(done), names(pending));
  // Timeout: pending tasks are not cancelled.
  const slow = asyncio.createTask(asyncio.sleep(10), { name: "slow" });
  [done, pending] = yield* asyncio.wait([slow], { timeout: 0.01 });
  print("timeout", names(done), names(pending), "cancelled", slow.cancelled());
  slow.cancel();
  // Already-done futures return at once.
  const f = asyncio.getRunningLoop().createFuture<number>();
  f.setResult(1);
  const [d2, p2] = yield* asyncio.wait([f], { returnWhen: asyncio.FIRST_COMPLETED });
  print("already done", d2.size, p2.size);
  for (const [bad, label] of [[[], "empty"], [[f], "bad return_when"]] as const) {
    try {
      if (label === "empty") yield* asyncio.wait(bad);
      else yield* asyncio.wait(bad, { returnWhen: "SOMETIMES" as ReturnWhen });
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      print(label, en(e));
    }
  }
  try {
    yield* asyncio.wait([job("x", 0) as unknown as Future<string>]);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("coroutine", e.name, e.message.startsWith("Passing coroutines is forbidden"));
  }
}

await asyncio.run(main());
