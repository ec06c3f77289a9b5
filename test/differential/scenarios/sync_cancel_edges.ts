import * as asyncio from "../../../src/index.js";
import { CancelledError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print } from "./_util.js";

function* main(): Coroutine<void> {
  // Lock: a waiter cancelled right after being woken passes the lock on.
  const lock = new asyncio.Lock();
  let log: string[] = [];
  yield* lock.acquire();

  function* taker(n: number): Coroutine<void> {
    try {
      yield* lock.hold(function* () {
        log.push(`lock ${n} acquired`);
        yield* asyncio.sleep(0);
      });
    } catch (e) {
      if (e instanceof CancelledError) log.push(`lock ${n} cancelled`);
      throw e;
    }
  }

  let ts = [0, 1, 2].map((i) => asyncio.createTask(taker(i)));
  yield* asyncio.sleep(0);
  lock.release();
  ts[0]!.cancel();
  yield* asyncio.gather(...ts, { returnExceptions: true });
  print("lock", log, lock.locked());

  // Semaphore: a cancelled waiter does not consume a slot; FIFO among the rest.
  const sem = new asyncio.Semaphore(0);
  log = [];

  function* acq(n: number): Coroutine<void> {
    try {
      yield* sem.acquire();
      log.push(`sem ${n} acquired`);
    } catch (e) {
      if (e instanceof CancelledError) log.push(`sem ${n} cancelled`);
      throw e;
    }
  }

  ts = [0, 1, 2, 3].map((i) => asyncio.createTask(acq(i)));
  yield* asyncio.sleep(0);
  sem.release();
  sem.release();
  ts[0]!.cancel();
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  print("sem", log, "locked", sem.locked());
  sem.release();
  sem.release();
  yield* asyncio.gather(...ts, { returnExceptions: true });
  print("sem", log, "locked", sem.locked());

  // Queue: a cancelled putter on a full queue is skipped; a get wakes the next putter.
  const q = new asyncio.Queue<string | number>(1);
  q.putNowait("first");
  log = [];

  function* putter(n: number): Coroutine<void> {
    try {
      yield* q.put(n);
      log.push(`put ${n}`);
    } catch (e) {
      if (e instanceof CancelledError) log.push(`put ${n} cancelled`);
      throw e;
    }
  }

  ts = [0, 1, 2].map((i) => asyncio.createTask(putter(i)));
  yield* asyncio.sleep(0);
  ts[0]!.cancel();
  log.push(`got ${q.getNowait()}`);
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  log.push(`got ${q.getNowait()}`);
  yield* asyncio.gather(...ts, { returnExceptions: true });
  log.push(`got ${q.getNowait()}`);
  print("queue", log);

  // Event.wait cancelled; Condition.wait cancelled re-acquires the lock before raising.
  const cond = new asyncio.Condition();

  function* cwait(): Coroutine<void> {
    yield* cond.hold(function* () {
      try {
        yield* cond.wait();
      } catch (e) {
        if (e instanceof CancelledError) print("condition wait cancelled; lock held again:", cond.locked());
        throw e;
      }
    });
  }

  const t = asyncio.createTask(cwait());
  yield* asyncio.sleep(0);
  t.cancel();
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("condition waiter cancelled, lock now", cond.locked());
  }
}

await asyncio.run(main());
