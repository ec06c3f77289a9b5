import * as asyncio from "../../../src/index.js";
import { BrokenBarrierError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* main(): Coroutine<void> {
  let b = new asyncio.Barrier(3);
  const log: string[] = [];

  function* party(i: number): Coroutine<void> {
    log.push(`arrive ${i}`);
    const idx = yield* b.wait();
    log.push(`pass ${i} index ${idx}`);
  }

  yield* asyncio.gather(...[0, 1, 2].map((i) => party(i)));
  print("round 1", log);
  print("parties", b.parties, "n_waiting", b.nWaiting, "broken", b.broken);
  log.length = 0;
  yield* asyncio.gather(...[0, 1, 2, 3, 4, 5].map((i) => party(i)));
  print("rounds 2-3", log);
  // abort() breaks the barrier for the waiters.
  let ts = [0, 1].map((i) => asyncio.createTask(party(i)));
  yield* asyncio.sleep(0);
  print("waiting", b.nWaiting);
  yield* b.abort();
  for (const t of ts) {
    try {
      yield* t;
    } catch (e) {
      if (!(e instanceof BrokenBarrierError)) throw e;
      print("broken waiter", e.name);
    }
  }
  print("broken", b.broken);
  try {
    yield* b.wait();
  } catch (e) {
    if (!(e instanceof BrokenBarrierError)) throw e;
    print("wait on broken raises");
  }
  yield* b.reset();
  print("after reset broken", b.broken);
  // reset() while parties wait: they get BrokenBarrierError.
  ts = [0, 1].map((i) => asyncio.createTask(party(i)));
  yield* asyncio.sleep(0);
  yield* b.reset();
  const r = yield* asyncio.gather(...ts, { returnExceptions: true });
  print("reset waiters", r.map((x) => (x as Error).constructor.name), "broken", b.broken);
  try {
    b = new asyncio.Barrier(0);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("zero parties", en(e));
  }
}

await asyncio.run(main());
