// Conformance: CPython 3.12's test_queues.py, test by test (the skipped ones are
// listed in test/conformance/SKIPPED.md). Each test names the CPython test it
// re-creates; IsolatedAsyncioTestCase becomes asyncio.run on a virtual-time loop.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, QueueEmpty, QueueFull, TimeoutError, ValueError } from "../../src/index.js";
import type { Coroutine, Task } from "../../src/index.js";
import { raises } from "./_assertions.js";
import { runTest } from "./_test-utils.js";

/** Awaits `aw` and asserts it raises CancelledError (assertRaises(asyncio.CancelledError)). */
// ---- QueueBasicTests ----------------------------------------------------------

// test_queues.py QueueBasicTests.test_str (via _test_repr_or_str(str, False)).
test("test_queues.QueueBasicTests.test_str", () =>
  runTest(function* () {
    let q = new asyncio.Queue<number>();
    assert.ok(String(q).startsWith("<Queue"), String(q));
    // getters
    q = new asyncio.Queue<number>();
    let getter: Task<number> | null = null;
    yield* asyncio.taskGroup(function* (tg) {
      getter = tg.createTask(q.get());
      yield* asyncio.sleep(0);
      assert.ok(String(q).includes("_getters[1]"), String(q));
      q.putNowait(0);
    });
    assert.equal(yield* getter!, 0);
    // putters
    q = new asyncio.Queue<number>(1);
    let putter: Task<void> | null = null;
    yield* asyncio.taskGroup(function* (tg) {
      q.putNowait(1);
      putter = tg.createTask(q.put(2));
      yield* asyncio.sleep(0);
      assert.ok(String(q).includes("_putters[1]"), String(q));
      q.getNowait();
    });
    assert.ok(putter!.done());
    q = new asyncio.Queue<number>();
    q.putNowait(1);
    assert.ok(String(q).includes("_queue=[1]"), String(q));
  }));

// test_queues.py QueueBasicTests.test_empty
test("test_queues.QueueBasicTests.test_empty", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>();
    assert.ok(q.empty());
    yield* q.put(1);
    assert.ok(!q.empty());
    assert.equal(yield* q.get(), 1);
    assert.ok(q.empty());
  }));

// test_queues.py QueueBasicTests.test_full
test("test_queues.QueueBasicTests.test_full", () =>
  runTest(function* () {
    let q = new asyncio.Queue<number>();
    assert.ok(!q.full());
    q = new asyncio.Queue<number>(1);
    yield* q.put(1);
    assert.ok(q.full());
  }));

// test_queues.py QueueBasicTests.test_order
test("test_queues.QueueBasicTests.test_order", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>();
    for (const i of [1, 3, 2]) yield* q.put(i);
    const items: number[] = [];
    for (let i = 0; i < 3; i++) items.push(yield* q.get());
    assert.deepEqual(items, [1, 3, 2]);
  }));

// test_queues.py QueueBasicTests.test_maxsize
test("test_queues.QueueBasicTests.test_maxsize", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>(2);
    assert.equal(q.maxsize, 2);
    const haveBeenPut: number[] = [];
    function* putter(): Coroutine<boolean> {
      for (let i = 0; i < 3; i++) {
        yield* q.put(i);
        haveBeenPut.push(i);
      }
      return true;
    }
    const t = asyncio.createTask(putter());
    for (let i = 0; i < 2; i++) yield* asyncio.sleep(0);
    // The putter is blocked after putting two items.
    assert.deepEqual(haveBeenPut, [0, 1]);
    assert.equal(yield* q.get(), 0);
    // Let the putter resume and put last item.
    yield* asyncio.sleep(0);
    assert.deepEqual(haveBeenPut, [0, 1, 2]);
    assert.equal(yield* q.get(), 1);
    assert.equal(yield* q.get(), 2);
    assert.ok(t.done());
    assert.ok(t.result());
  }));

// ---- QueueGetTests ------------------------------------------------------------

// test_queues.py QueueGetTests.test_blocking_get
test("test_queues.QueueGetTests.test_blocking_get", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>();
    q.putNowait(1);
    assert.equal(yield* q.get(), 1);
  }));

// test_queues.py QueueGetTests.test_blocking_get_wait
test("test_queues.QueueGetTests.test_blocking_get_wait", () =>
  runTest(function* () {
    const loop = asyncio.getRunningLoop();
    const q = new asyncio.Queue<number>();
    const started = new asyncio.Event();
    let finished = false;
    function* queueGet(): Coroutine<number> {
      started.set();
      const res = yield* q.get();
      finished = true;
      return res;
    }
    const queueGetTask = asyncio.createTask(queueGet());
    yield* started.wait();
    assert.equal(finished, false);
    loop.callLater(0.01, (v: number) => q.putNowait(v), 1);
    const res = yield* queueGetTask;
    assert.equal(finished, true);
    assert.equal(res, 1);
  }));

// test_queues.py QueueGetTests.test_nonblocking_get
test("test_queues.QueueGetTests.test_nonblocking_get", () => {
  const q = new asyncio.Queue<number>();
  q.putNowait(1);
  assert.equal(q.getNowait(), 1);
});

// test_queues.py QueueGetTests.test_nonblocking_get_exception
test("test_queues.QueueGetTests.test_nonblocking_get_exception", () => {
  const q = new asyncio.Queue<number>();
  assert.throws(() => q.getNowait(), QueueEmpty);
});

// test_queues.py QueueGetTests.test_get_cancelled_race
test("test_queues.QueueGetTests.test_get_cancelled_race", () =>
  runTest(function* () {
    const q = new asyncio.Queue<string>();
    const t1 = asyncio.createTask(q.get());
    const t2 = asyncio.createTask(q.get());
    yield* asyncio.sleep(0);
    t1.cancel();
    yield* asyncio.sleep(0);
    assert.ok(t1.done());
    yield* q.put("a");
    yield* asyncio.sleep(0);
    assert.equal(yield* t2, "a");
  }));

// test_queues.py QueueGetTests.test_get_with_waiting_putters
test("test_queues.QueueGetTests.test_get_with_waiting_putters", () =>
  runTest(function* () {
    const q = new asyncio.Queue<string>(1);
    asyncio.createTask(q.put("a"));
    asyncio.createTask(q.put("b"));
    assert.equal(yield* q.get(), "a");
    assert.equal(yield* q.get(), "b");
  }));

// test_queues.py QueueGetTests.test_why_are_getters_waiting
test("test_queues.QueueGetTests.test_why_are_getters_waiting", () =>
  runTest(function* () {
    function* consumer(queue: asyncio.Queue<number>, numExpected: number): Coroutine<void> {
      for (let i = 0; i < numExpected; i++) yield* queue.get();
    }
    function* producer(queue: asyncio.Queue<number>, numItems: number): Coroutine<void> {
      for (let i = 0; i < numItems; i++) yield* queue.put(i);
    }
    const producerNumItems = 5;
    const q = new asyncio.Queue<number>(1);
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(producer(q, producerNumItems));
      tg.createTask(consumer(q, producerNumItems));
    });
  }));

// test_queues.py QueueGetTests.test_cancelled_getters_not_being_held_in_self_getters
// (the getters list is read through the repr, `_getters[n]`, not the private attribute).
test("test_queues.QueueGetTests.test_cancelled_getters_not_being_held_in_self_getters", () =>
  runTest(function* () {
    const queue = new asyncio.Queue<number>(5);
    let raised: unknown = null;
    try {
      yield* asyncio.waitFor(queue.get(), 0.1);
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof TimeoutError);
    assert.doesNotMatch(String(queue), /_getters/);
  }));

// ---- QueuePutTests ------------------------------------------------------------

// test_queues.py QueuePutTests.test_blocking_put
test("test_queues.QueuePutTests.test_blocking_put", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>();
    // No maxsize, won't block.
    yield* q.put(1);
    assert.equal(yield* q.get(), 1);
  }));

// test_queues.py QueuePutTests.test_blocking_put_wait
test("test_queues.QueuePutTests.test_blocking_put_wait", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>(1);
    const started = new asyncio.Event();
    let finished = false;
    function* queuePut(): Coroutine<void> {
      started.set();
      yield* q.put(1);
      yield* q.put(2);
      finished = true;
    }
    const loop = asyncio.getRunningLoop();
    loop.callLater(0.01, () => q.getNowait());
    const queuePutTask = asyncio.createTask(queuePut());
    yield* started.wait();
    assert.equal(finished, false);
    yield* queuePutTask;
    assert.equal(finished, true);
  }));

// test_queues.py QueuePutTests.test_nonblocking_put
test("test_queues.QueuePutTests.test_nonblocking_put", () => {
  const q = new asyncio.Queue<number>();
  q.putNowait(1);
  assert.equal(q.getNowait(), 1);
});

// test_queues.py QueuePutTests.test_get_cancel_drop_one_pending_reader
test("test_queues.QueuePutTests.test_get_cancel_drop_one_pending_reader", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>();
    let reader = asyncio.createTask(q.get());
    yield* asyncio.sleep(0);
    q.putNowait(1);
    q.putNowait(2);
    reader.cancel();
    try {
      yield* reader;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      // try again
      reader = asyncio.createTask(q.get());
      yield* reader;
    }
    // if we get 2, it means 1 got dropped!
    assert.equal(reader.result(), 1);
  }));

// test_queues.py QueuePutTests.test_get_cancel_drop_many_pending_readers
test("test_queues.QueuePutTests.test_get_cancel_drop_many_pending_readers", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>();
    let reader2: Task<number> | null = null;
    let reader3: Task<number> | null = null;
    yield* asyncio.taskGroup(function* (tg) {
      const reader1 = tg.createTask(q.get());
      reader2 = tg.createTask(q.get());
      reader3 = tg.createTask(q.get());
      yield* asyncio.sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      reader1.cancel();
      yield* raises(CancelledError, reader1);
      yield* reader3;
    });
    // It is undefined in which order concurrent readers receive results.
    assert.deepEqual(new Set([reader2!.result(), reader3!.result()]), new Set([1, 2]));
  }));

// test_queues.py QueuePutTests.test_put_cancel_drop
test("test_queues.QueuePutTests.test_put_cancel_drop", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>(1);
    q.putNowait(1);
    // putting a second item in the queue has to block (qsize=1)
    let writer = asyncio.createTask(q.put(2));
    yield* asyncio.sleep(0);
    const value1 = q.getNowait();
    assert.equal(value1, 1);
    writer.cancel();
    try {
      yield* writer;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      // try again
      writer = asyncio.createTask(q.put(2));
      yield* writer;
    }
    const value2 = q.getNowait();
    assert.equal(value2, 2);
    assert.equal(q.qsize(), 0);
  }));

// test_queues.py QueuePutTests.test_nonblocking_put_exception
test("test_queues.QueuePutTests.test_nonblocking_put_exception", () => {
  const q = new asyncio.Queue<number>(1);
  q.putNowait(1);
  assert.throws(() => q.putNowait(2), QueueFull);
});

// test_queues.py QueuePutTests.test_float_maxsize
test("test_queues.QueuePutTests.test_float_maxsize", () =>
  runTest(function* () {
    let q = new asyncio.Queue<number>(1.3);
    q.putNowait(1);
    q.putNowait(2);
    assert.ok(q.full());
    assert.throws(() => q.putNowait(3), QueueFull);
    q = new asyncio.Queue<number>(1.3);
    yield* q.put(1);
    yield* q.put(2);
    assert.ok(q.full());
  }));

// test_queues.py QueuePutTests.test_put_cancelled
test("test_queues.QueuePutTests.test_put_cancelled", () =>
  runTest(function* () {
    const q = new asyncio.Queue<number>();
    function* queuePut(): Coroutine<boolean> {
      yield* q.put(1);
      return true;
    }
    const t = asyncio.createTask(queuePut());
    assert.equal(yield* q.get(), 1);
    assert.ok(t.done());
    assert.ok(t.result());
  }));

// test_queues.py QueuePutTests.test_put_cancelled_race
test("test_queues.QueuePutTests.test_put_cancelled_race", () =>
  runTest(function* () {
    const q = new asyncio.Queue<string>(1);
    const putA = asyncio.createTask(q.put("a"));
    const putB = asyncio.createTask(q.put("b"));
    const putC = asyncio.createTask(q.put("X"));
    yield* asyncio.sleep(0);
    assert.ok(putA.done());
    assert.ok(!putB.done());
    putC.cancel();
    yield* asyncio.sleep(0);
    assert.ok(putC.done());
    assert.equal(q.getNowait(), "a");
    yield* asyncio.sleep(0);
    assert.equal(q.getNowait(), "b");
    yield* putB;
  }));

// test_queues.py QueuePutTests.test_put_with_waiting_getters
test("test_queues.QueuePutTests.test_put_with_waiting_getters", () =>
  runTest(function* () {
    const q = new asyncio.Queue<string>();
    const t = asyncio.createTask(q.get());
    yield* asyncio.sleep(0);
    yield* q.put("a");
    assert.equal(yield* t, "a");
  }));

// test_queues.py QueuePutTests.test_why_are_putters_waiting
test("test_queues.QueuePutTests.test_why_are_putters_waiting", () =>
  runTest(function* () {
    const queue = new asyncio.Queue<number>(2);
    function* putter(item: number): Coroutine<void> {
      yield* queue.put(item);
    }
    function* getter(): Coroutine<void> {
      yield* asyncio.sleep(0);
      const num = queue.qsize();
      for (let i = 0; i < num; i++) queue.getNowait();
    }
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(getter());
      tg.createTask(putter(0));
      tg.createTask(putter(1));
      tg.createTask(putter(2));
      tg.createTask(putter(3));
    });
  }));

// test_queues.py QueuePutTests.test_cancelled_puts_not_being_held_in_self_putters
// (the putters list is read through the repr, `_putters[n]`, not the private attribute).
test("test_queues.QueuePutTests.test_cancelled_puts_not_being_held_in_self_putters", () =>
  runTest(function* () {
    // Full queue.
    const queue = new asyncio.Queue<number>(1);
    queue.putNowait(1);
    // Task waiting for space to put an item in the queue.
    const putTask = asyncio.createTask(queue.put(1));
    yield* asyncio.sleep(0);
    assert.match(String(queue), /_putters\[1\]/);
    putTask.cancel();
    yield* raises(CancelledError, putTask);
    assert.doesNotMatch(String(queue), /_putters/);
  }));

// test_queues.py QueuePutTests.test_cancelled_put_silence_value_error_exception
test("test_queues.QueuePutTests.test_cancelled_put_silence_value_error_exception", () =>
  runTest(function* () {
    // Full Queue.
    const queue = new asyncio.Queue<number>(1);
    queue.putNowait(1);
    // Task waiting for space to put a item in the queue.
    const putTask = asyncio.createTask(queue.put(1));
    yield* asyncio.sleep(0);
    // getNowait() removes the future of putTask from the putters.
    queue.getNowait();
    // When cancelled, put() removes its future, already removed: no error.
    putTask.cancel();
    yield* raises(CancelledError, putTask);
  }));

// ---- LifoQueueTests, PriorityQueueTests -----------------------------------------

// test_queues.py LifoQueueTests.test_order
test("test_queues.LifoQueueTests.test_order", () =>
  runTest(function* () {
    const q = new asyncio.LifoQueue<number>();
    for (const i of [1, 3, 2]) yield* q.put(i);
    const items: number[] = [];
    for (let i = 0; i < 3; i++) items.push(yield* q.get());
    assert.deepEqual(items, [2, 3, 1]);
  }));

// test_queues.py PriorityQueueTests.test_order
test("test_queues.PriorityQueueTests.test_order", () =>
  runTest(function* () {
    const q = new asyncio.PriorityQueue<number>();
    for (const i of [1, 3, 2]) yield* q.put(i);
    const items: number[] = [];
    for (let i = 0; i < 3; i++) items.push(yield* q.get());
    assert.deepEqual(items, [1, 2, 3]);
  }));

// ---- _QueueJoinTestMixin, for Queue, LifoQueue and PriorityQueue ----------------

for (const [suite, QClass] of [
  ["QueueJoinTests", asyncio.Queue], ["LifoQueueJoinTests", asyncio.LifoQueue], ["PriorityQueueJoinTests", asyncio.PriorityQueue],
] as const) {
  // test_queues.py <suite>.test_task_done_underflow
  test(`test_queues.${suite}.test_task_done_underflow`, () => {
    const q = new QClass<number>();
    assert.throws(() => q.taskDone(), ValueError);
  });

  // test_queues.py <suite>.test_task_done
  test(`test_queues.${suite}.test_task_done`, () =>
    runTest(function* () {
      const q = new QClass<number>();
      for (let i = 0; i < 100; i++) q.putNowait(i);
      let accumulator = 0;
      // Two workers get items from the queue and call taskDone after each.
      let running = true;
      function* worker(): Coroutine<void> {
        while (running) {
          const item = yield* q.get();
          accumulator += item;
          q.taskDone();
        }
      }
      yield* asyncio.taskGroup(function* (tg) {
        const tasks = [0, 1].map(() => tg.createTask(worker()));
        yield* q.join();
        assert.equal(accumulator, 4950);
        // close running generators
        running = false;
        for (let i = 0; i < tasks.length; i++) q.putNowait(0);
      });
    }));

  // test_queues.py <suite>.test_join_empty_queue
  test(`test_queues.${suite}.test_join_empty_queue`, () =>
    runTest(function* () {
      const q = new QClass<number>();
      // A queue join()s successfully, and before anything else (done twice for insurance).
      yield* q.join();
      yield* q.join();
    }));
}
