import * as asyncio from "../../../src/index.js";
import { RuntimeError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en, tuple } from "./_util.js";
import type { Tuple } from "./_util.js";

function* main(): Coroutine<void> {
  const lock = new asyncio.Lock();
  const order: string[] = [];

  function* user(n: number, hold: number): Coroutine<void> {
    yield* lock.hold(function* () {
      order.push(`acquired ${n}`);
      for (let i = 0; i < hold; i++) yield* asyncio.sleep(0);
      order.push(`released ${n}`);
    });
  }

  const ts = [0, 1, 2, 3].map((i) => asyncio.createTask(user(i, 2)));
  yield* asyncio.sleep(0);
  print("locked", lock.locked(), String(lock).split("[")[1]);
  // Cancel a waiter: it never acquires, the next one does.
  ts[2]!.cancel();
  yield* asyncio.gather(...ts, { returnExceptions: true });
  print("order", order);
  print("locked after", lock.locked());
  try {
    lock.release();
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("release unlocked", en(e));
  }
  // acquire() returns True.
  print("acquire ->", yield* lock.acquire());
  lock.release();

  const ev = new asyncio.Event();
  const woke: Tuple[] = [];

  function* waiter(n: number): Coroutine<void> {
    const r = yield* ev.wait();
    woke.push(tuple(n, r));
  }

  let ws = [0, 1, 2].map((i) => asyncio.createTask(waiter(i)));
  yield* asyncio.sleep(0);
  print("event set?", ev.isSet(), String(ev).split("[")[1]);
  ev.set();
  print("woke immediately?", woke);
  yield* asyncio.sleep(0);
  print("woke", woke);
  yield* asyncio.gather(...ws);
  print("wait on set event ->", yield* ev.wait());
  ev.clear();
  print("cleared", ev.isSet());
  // set() then clear() before the waiters run: they still wake.
  woke.length = 0;
  ws = [0, 1].map((i) => asyncio.createTask(waiter(i)));
  yield* asyncio.sleep(0);
  ev.set();
  ev.clear();
  yield* asyncio.gather(...ws);
  print("woke after set+clear", woke);
}

await asyncio.run(main());
