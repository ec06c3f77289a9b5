import * as asyncio from "../../../src/index.js";
import { RuntimeError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* main(): Coroutine<void> {
  const cond = new asyncio.Condition();
  const log: string[] = [];
  const state = { n: 0 };

  function* consumer(i: number): Coroutine<void> {
    yield* cond.hold(function* () {
      log.push(`c${i} waits`);
      yield* cond.wait();
      log.push(`c${i} woke n=${state.n}`);
    });
  }

  const cs = [0, 1, 2, 3].map((i) => asyncio.createTask(consumer(i)));
  yield* asyncio.sleep(0);
  yield* cond.hold(function* () {
    state.n = 1;
    cond.notify(1);
  });
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  yield* cond.hold(function* () {
    state.n = 2;
    cond.notify(2);
  });
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  yield* cond.hold(function* () {
    state.n = 3;
    cond.notifyAll();
  });
  yield* asyncio.gather(...cs);
  print("condition", log);
  try {
    cond.notify();
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("notify unlocked", en(e));
  }

  function* predWaiter(): Coroutine<void> {
    yield* cond.hold(function* () {
      const r = yield* cond.waitFor(() => state.n >= 5);
      print("wait_for returned", r, state.n);
    });
  }
  const t = asyncio.createTask(predWaiter());
  for (const v of [4, 5]) {
    yield* asyncio.sleep(0);
    yield* cond.hold(function* () {
      state.n = v;
      print("notify with n =", v);
      cond.notifyAll();
    });
  }
  yield* t;

  const sem = new asyncio.Semaphore(2);
  const slog: string[] = [];

  function* worker(i: number): Coroutine<void> {
    yield* sem.hold(function* () {
      slog.push(`in ${i}`);
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      slog.push(`out ${i}`);
    });
  }

  yield* asyncio.gather(...[0, 1, 2, 3, 4].map((i) => worker(i)));
  print("semaphore", slog);
  print("locked", sem.locked());
  sem.release();
  print("released extra, value now allows 3:", String(sem).split("[")[1]);
  const b = new asyncio.BoundedSemaphore(1);
  yield* b.acquire();
  b.release();
  try {
    b.release();
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("bounded", en(e));
  }
  try {
    new asyncio.Semaphore(-1);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("negative", en(e));
  }
}

await asyncio.run(main());
