import * as asyncio from "../../../src/index.js";
import { QueueEmpty, QueueFull, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en, tuple } from "./_util.js";
import type { Tuple } from "./_util.js";

function* main(): Coroutine<void> {
  const q = new asyncio.Queue<number | string>(2);
  const log: string[] = [];

  function* producer(): Coroutine<void> {
    for (let i = 0; i < 5; i++) {
      log.push(`put ${i} start`);
      yield* q.put(i);
      log.push(`put ${i} done size=${q.qsize()}`);
    }
  }

  function* consumer(): Coroutine<void> {
    for (let i = 0; i < 5; i++) {
      const v = yield* q.get();
      log.push(`got ${v}`);
      q.taskDone();
      yield* asyncio.sleep(0);
    }
  }

  yield* asyncio.gather(producer(), consumer());
  print("bounded queue", log);
  print("empty", q.empty(), "full", q.full(), "maxsize", q.maxsize);
  try {
    q.getNowait();
  } catch (e) {
    if (!(e instanceof QueueEmpty)) throw e;
    print("get_nowait", e.name);
  }
  q.putNowait("a");
  q.putNowait("b");
  try {
    q.putNowait("c");
  } catch (e) {
    if (!(e instanceof QueueFull)) throw e;
    print("put_nowait", e.name);
  }
  print("get order", q.getNowait(), q.getNowait());
  try {
    q.taskDone();
    q.taskDone();
    q.taskDone();
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("task_done", en(e));
  }

  // join() waits for every task_done.
  const jq = new asyncio.Queue<number>();
  for (let i = 0; i < 3; i++) jq.putNowait(i);

  function* joiner(): Coroutine<void> {
    yield* jq.join();
    print("join returned; unfinished none");
  }

  const jt = asyncio.createTask(joiner());
  for (let i = 0; i < 3; i++) {
    const v = yield* jq.get();
    print("processing", v);
    yield* asyncio.sleep(0);
    jq.taskDone();
  }
  yield* jt;

  // Getters are served in FIFO order; a cancelled getter is skipped.
  const gq = new asyncio.Queue<string>();
  const got: Tuple[] = [];

  function* getter(n: number): Coroutine<void> {
    got.push(tuple(n, yield* gq.get()));
  }

  const gs = [0, 1, 2].map((i) => asyncio.createTask(getter(i)));
  yield* asyncio.sleep(0);
  gs[0]!.cancel();
  for (const v of "xy") gq.putNowait(v);
  yield* asyncio.gather(...gs, { returnExceptions: true });
  print("getters", got);

  const pq = new asyncio.PriorityQueue<Tuple>();
  for (const item of [[3, "c"], [1, "a"], [2, "b"], [1, "a0"]]) pq.putNowait(item as unknown as Tuple);
  print("priority", [0, 1, 2, 3].map(() => tuple(...(pq.getNowait() as unknown as unknown[]))));
  const lq = new asyncio.LifoQueue<number>();
  for (let item = 0; item < 4; item++) yield* lq.put(item);
  const lifo: number[] = [];
  for (let i = 0; i < 4; i++) lifo.push(yield* lq.get());
  print("lifo", lifo);
}

await asyncio.run(main());
