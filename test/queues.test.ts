// Queue, LifoQueue, PriorityQueue: the behaviour CPython's test_queues.py
// checks (3.12, plus 3.13's shutdown()), written against tsyncio's API.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import {
  CancelledError, Event, LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, QueueShutDown, TimeoutError,
  ValueError, type Coroutine,
} from "../src/index.js";
import { atest, raises } from "./helpers/virtual.js";
import { pyLess } from "../src/sync/queues.js";

const { sleep, createTask, getRunningLoop } = asyncio;
const { VirtualTimeLoop } = asyncio.testing;

const QUEUE_CLASSES = [Queue, LifoQueue, PriorityQueue] as const;

// ---- basics -------------------------------------------------------------------

atest("Queue: str shows maxsize, items, getters, putters, unfinished tasks and shutdown", function* () {
  const q = new Queue<number>();
  assert.equal(String(q), "<Queue maxsize=0>");
  yield* asyncio.taskGroup(function* (tg) {
    const getter = tg.createTask(q.get());
    yield* sleep(0);
    assert.equal(String(q), "<Queue maxsize=0 _getters[1]>");
    q.putNowait(0);
    assert.equal(yield* getter, 0);
  });
  const q2 = new Queue<number>(1);
  yield* asyncio.taskGroup(function* (tg) {
    q2.putNowait(1);
    const putter = tg.createTask(q2.put(2));
    yield* sleep(0);
    assert.equal(String(q2), "<Queue maxsize=1 _queue=[1] _putters[1] tasks=1>");
    q2.getNowait();
    yield* putter;
  });
  const q3 = new PriorityQueue<[number, string]>();
  q3.putNowait([1, "a"]);
  assert.equal(String(q3), "<PriorityQueue maxsize=0 _queue=[[1, 'a']] tasks=1>");
  assert.equal(q3._format(), "maxsize=0 _queue=[[1, 'a']] tasks=1");
  q3.shutdown(true);
  assert.equal(q3._format(), "maxsize=0 shutdown");
});

atest("Queue: empty(), full(), maxsize, qsize()", function* () {
  const q = new Queue<number>();
  assert.equal(q.empty(), true);
  q.putNowait(1);
  assert.equal(q.empty(), false);
  assert.equal(q.getNowait(), 1);
  assert.equal(q.empty(), true);
  const unbounded = new Queue<number>();
  assert.equal(unbounded.full(), false);
  const q2 = new Queue<number>(1);
  assert.equal(q2.maxsize, 1);
  q2.putNowait(1);
  assert.equal(q2.full(), true);
  assert.equal(q2.qsize(), 1);
  assert.equal(new Queue(-1).full(), false);
  yield* sleep(0);
});

atest("Queue: FIFO order; LifoQueue: LIFO; PriorityQueue: smallest first", function* () {
  const expected = new Map<unknown, number[]>([[Queue, [1, 3, 2]], [LifoQueue, [2, 3, 1]], [PriorityQueue, [1, 2, 3]]]);
  for (const Cls of QUEUE_CLASSES) {
    const q = new Cls<number>();
    for (const i of [1, 3, 2]) yield* q.put(i);
    const items: number[] = [];
    for (let i = 0; i < 3; i++) items.push(yield* q.get());
    assert.deepEqual(items, expected.get(Cls), Cls.name);
  }
});

atest("Queue: put() blocks at maxsize until a get()", function* () {
  const q = new Queue<number>(2);
  const haveBeenPut: number[] = [];
  const t = createTask((function* () {
    for (let i = 0; i < 3; i++) {
      yield* q.put(i);
      haveBeenPut.push(i);
    }
    return true;
  })());
  for (let i = 0; i < 2; i++) yield* sleep(0);
  assert.deepEqual(haveBeenPut, [0, 1]);
  assert.equal(yield* q.get(), 0);
  yield* sleep(0);
  assert.deepEqual(haveBeenPut, [0, 1, 2]);
  assert.equal(yield* q.get(), 1);
  assert.equal(yield* q.get(), 2);
  assert.equal(t.result(), true);
});

atest("Queue: a float maxsize rounds the capacity up, as Python's comparison does", function* () {
  const q = new Queue<number>(1.3);
  q.putNowait(1);
  q.putNowait(2);
  assert.equal(q.full(), true);
  assert.throws(() => q.putNowait(3), QueueFull);
  const q2 = new Queue<number>(1.3);
  yield* q2.put(1);
  yield* q2.put(2);
  assert.equal(q2.full(), true);
});

// ---- get ----------------------------------------------------------------------

atest("Queue.get: returns a waiting item; wakes a pending putter", function* () {
  const q = new Queue<number>(1);
  q.putNowait(1);
  assert.equal(yield* q.get(), 1);
  yield* q.put(1);
  const waiter = getRunningLoop().createFuture<void>();
  q._putters.push(waiter);
  assert.equal(yield* q.get(), 1);
  assert.equal(waiter.done(), true);
  assert.equal(waiter.result(), undefined);
});

atest("Queue.get: waits for a later put", function* () {
  const q = new Queue<number>();
  const started = new Event();
  let finished = false;
  const t = createTask((function* () {
    started.set();
    const res = yield* q.get();
    finished = true;
    return res;
  })());
  yield* started.wait();
  assert.equal(finished, false);
  getRunningLoop().callLater(0.01, () => q.putNowait(1));
  assert.equal(yield* t, 1);
  assert.equal(finished, true);
});

atest("Queue.getNowait: the item, or QueueEmpty", function* () {
  const q = new Queue<number>();
  q.putNowait(1);
  assert.equal(q.getNowait(), 1);
  assert.throws(() => q.getNowait(), QueueEmpty);
  yield* sleep(0);
});

atest("Queue.get: a cancelled getter does not take the item of the next one", function* () {
  const q = new Queue<string>();
  const t1 = createTask(q.get());
  const t2 = createTask(q.get());
  yield* sleep(0);
  t1.cancel();
  yield* sleep(0);
  assert.equal(t1.done(), true);
  yield* q.put("a");
  yield* sleep(0);
  assert.equal(yield* t2, "a");
});

atest("Queue.get: with waiting putters, items come out in put order", function* () {
  const q = new Queue<string>(1);
  createTask(q.put("a"));
  createTask(q.put("b"));
  assert.equal(yield* q.get(), "a");
  assert.equal(yield* q.get(), "b");
});

atest("Queue: a producer and a consumer through a queue of size 1", function* () {
  const q = new Queue<number>(1);
  const got: number[] = [];
  yield* asyncio.taskGroup(function* (tg) {
    tg.createTask((function* () {
      for (let i = 0; i < 5; i++) yield* q.put(i);
    })());
    tg.createTask((function* () {
      for (let i = 0; i < 5; i++) got.push(yield* q.get());
    })());
  });
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
});

atest("Queue.get: a getter timed out by waitFor() leaves _getters", function* () {
  const q = new Queue<number>(5);
  yield* raises(TimeoutError, asyncio.waitFor(q.get(), 0.1));
  assert.equal(q._getters.length, 0);
});

atest("Queue.get: a woken getter cancelled before running hands the item on; nothing is lost", function* () {
  const q = new Queue<number>();
  let reader = createTask(q.get());
  yield* sleep(0);
  q.putNowait(1);
  q.putNowait(2);
  reader.cancel();
  try {
    yield* reader;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    reader = createTask(q.get());
    yield* reader;
  }
  assert.equal(reader.result(), 1);
});

atest("Queue.get: with several readers, cancelling one woken reader does not drop an item", function* () {
  const q = new Queue<number>();
  let reader2: asyncio.Task<number> | null = null;
  let reader3: asyncio.Task<number> | null = null;
  yield* asyncio.taskGroup(function* (tg) {
    const reader1 = tg.createTask(q.get());
    reader2 = tg.createTask(q.get());
    reader3 = tg.createTask(q.get());
    yield* sleep(0);
    q.putNowait(1);
    q.putNowait(2);
    reader1.cancel();
    yield* raises(CancelledError, reader1);
    yield* reader3;
  });
  assert.deepEqual(new Set([reader2!.result(), reader3!.result()]), new Set([1, 2]));
});

// ---- put ----------------------------------------------------------------------

atest("Queue.put: unbounded never blocks; bounded waits for a get", function* () {
  const q = new Queue<number>();
  yield* q.put(1);
  assert.equal(yield* q.get(), 1);
  const q2 = new Queue<number>(1);
  const started = new Event();
  let finished = false;
  getRunningLoop().callLater(0.01, () => q2.getNowait());
  const t = createTask((function* () {
    started.set();
    yield* q2.put(1);
    yield* q2.put(2);
    finished = true;
  })());
  yield* started.wait();
  assert.equal(finished, false);
  yield* t;
  assert.equal(finished, true);
});

atest("Queue.putNowait: QueueFull when full", function* () {
  const q = new Queue<number>(1);
  q.putNowait(1);
  assert.throws(() => q.putNowait(2), QueueFull);
  yield* sleep(0);
});

atest("Queue.put: a woken putter cancelled before running hands the slot on", function* () {
  const q = new Queue<number>(1);
  q.putNowait(1);
  let writer = createTask(q.put(2));
  yield* sleep(0);
  assert.equal(q.getNowait(), 1);
  writer.cancel();
  try {
    yield* writer;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    writer = createTask(q.put(2));
    yield* writer;
  }
  assert.equal(q.getNowait(), 2);
  assert.equal(q.qsize(), 0);
});

atest("Queue.put: a cancelled putter in the middle of the line is skipped", function* () {
  const q = new Queue<string>(1);
  const putA = createTask(q.put("a"));
  const putB = createTask(q.put("b"));
  const putC = createTask(q.put("X"));
  yield* sleep(0);
  assert.equal(putA.done(), true);
  assert.equal(putB.done(), false);
  putC.cancel();
  yield* sleep(0);
  assert.equal(putC.done(), true);
  assert.equal(q.getNowait(), "a");
  yield* sleep(0);
  assert.equal(q.getNowait(), "b");
  yield* putB;
});

atest("Queue.put: a put with waiting getters hands its item over", function* () {
  const q = new Queue<string>();
  const t = createTask(q.get());
  yield* sleep(0);
  yield* q.put("a");
  assert.equal(yield* t, "a");
});

atest("Queue.put: putters blocked on a full queue all get in once it is drained", function* () {
  const q = new Queue<number>(2);
  yield* asyncio.taskGroup(function* (tg) {
    tg.createTask((function* () {
      yield* sleep(0);
      const n = q.qsize();
      for (let i = 0; i < n; i++) q.getNowait();
    })());
    for (let i = 0; i < 4; i++) tg.createTask(q.put(i));
  });
  assert.equal(q.qsize(), 2);
});

atest("Queue.put: a cancelled putter leaves _putters, also if a get already removed it", function* () {
  const q = new Queue<number>(1);
  q.putNowait(1);
  const putTask = createTask(q.put(1));
  yield* sleep(0);
  assert.equal(q._putters.length, 1);
  putTask.cancel();
  yield* raises(CancelledError, putTask);
  assert.equal(q._putters.length, 0);

  const putTask2 = createTask(q.put(1));
  yield* sleep(0);
  q.getNowait();
  putTask2.cancel();
  yield* raises(CancelledError, putTask2);
});

atest("Queue: cancellation at every point of get()/put() loses and duplicates nothing", function* () {
  for (let k = 0; k < 6; k++) {
    for (let victim = 0; victim < 3; victim++) {
      const q = new Queue<number>(1);
      const label = `k=${k} victim=${victim}`;
      const getters = [0, 1, 2].map(() => createTask(q.get()));
      const putters = [10, 11, 12].map((v) => createTask(q.put(v)));
      for (let i = 0; i < k; i++) yield* sleep(0);
      const gotCancelled = getters[victim]!.cancel();
      yield* asyncio.wait<unknown>([...putters, getters[victim]!]);
      // Drain what the cancelled getter did not take.
      for (let i = 0; i < 4; i++) yield* sleep(0);
      const received: number[] = [];
      for (const g of getters) if (g.done() && !g.cancelled()) received.push(g.result());
      while (!q.empty()) received.push(q.getNowait());
      for (const g of getters) if (!g.done()) g.cancel();
      yield* asyncio.gather(...getters, { returnExceptions: true });
      assert.deepEqual([...received].sort(), [10, 11, 12], label);
      assert.ok(gotCancelled || getters[victim]!.done(), label);
      assert.equal(q._getters.length, 0, label);
      assert.equal(q._putters.length, 0, label);
    }
  }
});

// ---- PriorityQueue ordering ----------------------------------------------------

atest("PriorityQueue: [priority, item] entries order like Python tuples", function* () {
  const q = new PriorityQueue<[number, string]>();
  const entries: [number, string][] = [[3, "c"], [1, "b"], [2, "x"], [1, "a"], [2, "a"], [0, "z"]];
  for (const e of entries) q.putNowait(e);
  const out: [number, string][] = [];
  while (!q.empty()) out.push(q.getNowait());
  assert.deepEqual(out, [[0, "z"], [1, "a"], [1, "b"], [2, "a"], [2, "x"], [3, "c"]]);
  yield* sleep(0);
});

atest("PriorityQueue: a heap: many random numbers come out sorted", function* () {
  const q = new PriorityQueue<number>();
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % 1000;
  };
  const values = Array.from({ length: 500 }, rnd);
  for (const v of values) q.putNowait(v);
  const out: number[] = [];
  // Interleave puts and gets to exercise both sift directions.
  for (let i = 0; i < 100; i++) {
    out.push(q.getNowait());
    const v = rnd();
    values.push(v);
    q.putNowait(v);
  }
  while (!q.empty()) out.push(q.getNowait());
  const sorted = [...values].sort((a, b) => a - b);
  // Every value comes out once; the tail after the interleaving is sorted.
  assert.deepEqual([...out].sort((a, b) => a - b), sorted);
  const tail = out.slice(100);
  assert.deepEqual(tail, [...tail].sort((a, b) => a - b));
  yield* sleep(0);
});

test("pyLess: Python's < for numbers, strings, arrays; TypeError otherwise", () => {
  assert.equal(pyLess(1, 2), true);
  assert.equal(pyLess(2, 1.5), false);
  assert.equal(pyLess(true, 2), true);
  assert.equal(pyLess(1n, 1.5), true);
  assert.equal(pyLess("a", "b"), true);
  assert.equal(pyLess("b", "ab"), false);
  assert.equal(pyLess("ab", "abc"), true);
  // By code point: U+1F600 (a surrogate pair in UTF-16) sorts after U+FFFD.
  assert.equal(pyLess("\uFFFD", "\u{1F600}"), true);
  assert.equal(pyLess([1, "b"], [1, "c"]), true);
  assert.equal(pyLess([1, 2], [1, 2, 0]), true);
  assert.equal(pyLess([1, 2], [1, 2]), false);
  assert.equal(pyLess([[1, 2], 3], [[1, 3], 0]), true);
  // An equal first element moves on to the next, a different one decides even if the rest is unorderable.
  const obj = {};
  assert.equal(pyLess([1, obj], [2, {}]), true);
  assert.equal(pyLess([1, obj], [1, obj]), false);
  assert.throws(() => pyLess([1, {}], [1, {}]), (e: unknown) =>
    e instanceof TypeError && e.message === "'<' not supported between instances of 'Object' and 'Object'");
  assert.throws(() => pyLess("a", 1), /'<' not supported between instances of 'str' and 'int'/);
  assert.throws(() => pyLess(null, 1), /'NoneType' and 'int'/);
});

atest("PriorityQueue: an unorderable item raises TypeError and leaves the queue unchanged", function* () {
  const q = new PriorityQueue<unknown>();
  q.putNowait(1);
  q.putNowait(2);
  assert.throws(() => q.putNowait("x"), TypeError);
  assert.equal(q.qsize(), 2);
  assert.equal(q._unfinishedTasks, 2);
  assert.equal(q.getNowait(), 1);
  assert.equal(q.getNowait(), 2);
  yield* sleep(0);
});

// ---- join / taskDone -----------------------------------------------------------

for (const Cls of QUEUE_CLASSES) {
  atest(`${Cls.name}: taskDone() underflow raises ValueError`, function* () {
    const q = new Cls();
    assert.throws(() => q.taskDone(), (e: unknown) =>
      e instanceof ValueError && e.message === "task_done() called too many times");
    yield* sleep(0);
  });

  atest(`${Cls.name}: join() waits for taskDone() of every item`, function* () {
    const q = new Cls<number>();
    for (let i = 0; i < 100; i++) q.putNowait(i);
    let accumulator = 0;
    let running = true;
    function* worker(): Coroutine<void> {
      while (running) {
        const item = yield* q.get();
        accumulator += item;
        q.taskDone();
      }
    }
    yield* asyncio.taskGroup(function* (tg) {
      const tasks = [tg.createTask(worker()), tg.createTask(worker())];
      yield* q.join();
      assert.equal(accumulator, (99 * 100) / 2);
      running = false;
      for (let i = 0; i < tasks.length; i++) q.putNowait(0);
    });
  });

  atest(`${Cls.name}: join() of an empty queue returns at once; _format()`, function* () {
    const q = new Cls();
    yield* q.join();
    yield* q.join();
    assert.equal(q._format(), "maxsize=0");
    q._unfinishedTasks = 2;
    assert.equal(q._format(), "maxsize=0 tasks=2");
  });

  // ---- shutdown (3.13) ----

  atest(`${Cls.name}: shutdown() of an empty queue wakes getters with QueueShutDown`, function* () {
    const q = new Cls<string>();
    q.shutdown();
    assert.equal(q._format(), "maxsize=0 shutdown");
    const q2 = new Cls<string>();
    const getTask = createTask(q2.get());
    yield* sleep(0);
    q2.shutdown(false);
    assert.equal(q2.qsize(), 0);
    yield* q2.join();
    yield* sleep(0);
    assert.equal(getTask.done(), true);
    yield* raises(QueueShutDown, getTask);
    yield* raises(QueueShutDown, q2.put("data"));
    assert.throws(() => q2.putNowait("data"), QueueShutDown);
    yield* raises(QueueShutDown, q2.get());
    assert.throws(() => q2.getNowait(), QueueShutDown);
  });

  atest(`${Cls.name}: shutdown() of a non-empty queue: puts fail, gets drain, join waits`, function* () {
    const q = new Cls<string>(1);
    q.putNowait("data");
    const joinTask = createTask(q.join());
    const putTask = createTask(q.put("data2"));
    yield* sleep(0);
    assert.equal(putTask.done(), false);
    q.shutdown(false);
    assert.equal(q.qsize(), 1);
    yield* sleep(0);
    assert.equal(putTask.done(), true);
    yield* raises(QueueShutDown, putTask);
    assert.equal(yield* q.get(), "data");
    yield* sleep(0);
    assert.equal(joinTask.done(), false);
    yield* raises(QueueShutDown, q.put("data"));
    assert.throws(() => q.putNowait("data"), QueueShutDown);
    yield* raises(QueueShutDown, q.get());
    assert.throws(() => q.getNowait(), QueueShutDown);
    q.taskDone();
    yield* sleep(0);
    assert.equal(joinTask.done(), true);
    yield* joinTask;
    assert.throws(() => q.taskDone(), ValueError);
  });

  atest(`${Cls.name}: shutdown(true) drops the items and counts them done`, function* () {
    const q = new Cls<string>();
    q.putNowait("data");
    const joinTask = createTask(q.join());
    q.shutdown(true);
    assert.equal(q.qsize(), 0);
    yield* sleep(0);
    assert.equal(joinTask.done(), true);
    yield* joinTask;
    yield* raises(QueueShutDown, q.put("data"));
    assert.throws(() => q.putNowait("data"), QueueShutDown);
    yield* raises(QueueShutDown, q.get());
    assert.throws(() => q.getNowait(), QueueShutDown);
    assert.throws(() => q.taskDone(), ValueError);
  });

  atest(`${Cls.name}: shutdown(true) with an item already taken leaves one unfinished task`, function* () {
    const q = new Cls<string>();
    q.putNowait("data");
    q.putNowait("data");
    const joinTask = createTask(q.join());
    assert.equal(yield* q.get(), "data");
    q.shutdown(true);
    assert.equal(q.qsize(), 0);
    yield* sleep(0);
    assert.equal(joinTask.done(), false);
    yield* raises(QueueShutDown, q.put("data"));
    yield* raises(QueueShutDown, q.get());
    q.taskDone();
    assert.throws(() => q.taskDone(), ValueError);
    yield* sleep(0);
    assert.equal(joinTask.done(), true);
    yield* joinTask;
  });

  atest(`${Cls.name}: shutdown(true) wakes blocked putters and getters with QueueShutDown`, function* () {
    const full = new Cls<number>(1);
    full.putNowait(1);
    const putters = [createTask(full.put(2)), createTask(full.put(3))];
    const empty = new Cls<number>();
    const getters = [createTask(empty.get()), createTask(empty.get())];
    yield* sleep(0);
    full.shutdown(true);
    empty.shutdown(true);
    assert.equal(full._putters.length, 0);
    assert.equal(empty._getters.length, 0);
    for (const t of [...putters, ...getters]) yield* raises(QueueShutDown, t);
    assert.equal(full.qsize(), 0);
  });
}

test("Queue: async functions await put(), get() and join()", async () => {
  await asyncio.run((function* () {
    const q = new Queue<number>(1);
    const got: number[] = [];
    yield* asyncio.wrapFuture((async () => {
      const consumer = (async () => {
        for (let i = 0; i < 3; i++) {
          got.push(await q.get());
          q.taskDone();
        }
      })();
      for (let i = 0; i < 3; i++) await q.put(i);
      await q.join();
      await consumer;
    })());
    assert.deepEqual(got, [0, 1, 2]);
  })(), { loopFactory: () => new VirtualTimeLoop() });
});

test("Queue: a queue used by two loops raises RuntimeError", async () => {
  const q = new Queue<number>();
  await asyncio.run((function* () {
    const t = createTask(q.get());
    yield* sleep(0);
    q.putNowait(1);
    yield* t;
  })(), { loopFactory: () => new VirtualTimeLoop() });
  await asyncio.run((function* () {
    yield* raises(asyncio.RuntimeError, q.get(), /is bound to a different event loop/);
  })(), { loopFactory: () => new VirtualTimeLoop() });
});
