// Conformance: re-creates the test methods CPython 3.13.0 added to
// test_queues.py (_QueueShutdownTestMixin, run for Queue, LifoQueue and
// PriorityQueue as CPython's three concrete classes do). The 3.12.1 tests are
// in queues.test.ts; skips are listed in SKIPPED.md ("CPython 3.13.0 additions").
// IsolatedAsyncioTestCase becomes asyncio.run on a virtual-time loop.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { QueueShutDown, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

/** assertRaises(asyncio.QueueShutDown) around an awaitable. */
function* raisesShutdown(aw: Iterable<unknown>): Coroutine<void> {
  try {
    yield* aw;
  } catch (e) {
    assert.ok(e instanceof QueueShutDown, `Didn't appear to shut-down queue: ${String(e)}`);
    return;
  }
  assert.fail("Didn't appear to shut-down queue");
}

function throwsShutdown(fn: () => unknown): void {
  assert.throws(fn, QueueShutDown, "Didn't appear to shut-down queue");
}

/** put/putNowait/get/getNowait all raise QueueShutDown. */
function* allRaiseShutdown(q: asyncio.Queue<string>): Coroutine<void> {
  yield* raisesShutdown(q.put("data"));
  throwsShutdown(() => q.putNowait("data"));
  yield* raisesShutdown(q.get());
  throwsShutdown(() => q.getNowait());
}

for (const [suite, QClass] of [
  ["QueueShutdownTests", asyncio.Queue],
  ["LifoQueueShutdownTests", asyncio.LifoQueue],
  ["PriorityQueueShutdownTests", asyncio.PriorityQueue],
] as const) {
  // test_queues.py (3.13) _QueueShutdownTestMixin.test_format (as <suite>.test_format)
  test(`test_queues.py (3.13) ${suite}.test_format`, () =>
    run(function* () {
      const q = new QClass<string>();
      q.shutdown();
      assert.equal(q._format(), "maxsize=0 shutdown");
    }));

  // test_queues.py (3.13) _QueueShutdownTestMixin.test_shutdown_empty (as <suite>.test_shutdown_empty)
  test(`test_queues.py (3.13) ${suite}.test_shutdown_empty`, () =>
    run(function* () {
      const q = new QClass<string>();
      const loop = asyncio.getRunningLoop();
      const getTask = loop.createTask(q.get());
      yield* asyncio.sleep(0);
      q.shutdown(false);
      assert.equal(q.qsize(), 0);
      yield* q.join();
      yield* asyncio.sleep(0);
      assert.ok(getTask.done());
      yield* raisesShutdown(getTask);
      yield* allRaiseShutdown(q);
    }));

  // test_queues.py (3.13) _QueueShutdownTestMixin.test_shutdown_nonempty (as <suite>.test_shutdown_nonempty)
  test(`test_queues.py (3.13) ${suite}.test_shutdown_nonempty`, () =>
    run(function* () {
      const q = new QClass<string>(1);
      const loop = asyncio.getRunningLoop();
      q.putNowait("data");
      const joinTask = loop.createTask(q.join());
      const putTask = loop.createTask(q.put("data2"));
      yield* asyncio.sleep(0);
      assert.ok(!putTask.done());
      q.shutdown(false);
      assert.equal(q.qsize(), 1);
      yield* asyncio.sleep(0);
      assert.ok(putTask.done());
      yield* raisesShutdown(putTask);
      assert.equal(yield* q.get(), "data");
      yield* asyncio.sleep(0);
      assert.ok(!joinTask.done());
      yield* allRaiseShutdown(q);
      q.taskDone();
      yield* asyncio.sleep(0);
      assert.ok(joinTask.done());
      yield* joinTask;
      assert.throws(() => q.taskDone(), ValueError, "Didn't appear to mark all tasks done");
    }));

  // test_queues.py (3.13) _QueueShutdownTestMixin.test_shutdown_immediate (as <suite>.test_shutdown_immediate)
  test(`test_queues.py (3.13) ${suite}.test_shutdown_immediate`, () =>
    run(function* () {
      const q = new QClass<string>();
      const loop = asyncio.getRunningLoop();
      q.putNowait("data");
      const joinTask = loop.createTask(q.join());
      q.shutdown(true);
      assert.equal(q.qsize(), 0);
      yield* asyncio.sleep(0);
      assert.ok(joinTask.done());
      yield* joinTask;
      yield* allRaiseShutdown(q);
      assert.throws(() => q.taskDone(), ValueError, "Didn't appear to mark all tasks done");
    }));

  // test_queues.py (3.13) _QueueShutdownTestMixin.test_shutdown_immediate_with_unfinished (as <suite>.test_shutdown_immediate_with_unfinished)
  test(`test_queues.py (3.13) ${suite}.test_shutdown_immediate_with_unfinished`, () =>
    run(function* () {
      const q = new QClass<string>();
      const loop = asyncio.getRunningLoop();
      q.putNowait("data");
      q.putNowait("data");
      const joinTask = loop.createTask(q.join());
      assert.equal(yield* q.get(), "data");
      q.shutdown(true);
      assert.equal(q.qsize(), 0);
      yield* asyncio.sleep(0);
      assert.ok(!joinTask.done());
      yield* allRaiseShutdown(q);
      q.taskDone();
      assert.throws(() => q.taskDone(), ValueError, "Didn't appear to mark all tasks done");
      yield* asyncio.sleep(0);
      assert.ok(joinTask.done());
      yield* joinTask;
    }));
}
