// Conformance: the garbage-collection warnings of CPython 3.12's test_futures.py and
// test_tasks.py ("Future exception was never retrieved", "Task was destroyed but it is
// pending!"), reported through FinalizationRegistry to the loop's exception handler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as asyncio from "../../src/index.js";
import { ValueError } from "../../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const { VirtualTimeLoop } = asyncio.testing;

/** Collects garbage and lets finalization callbacks run. */
async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

/** A loop whose exception handler records the contexts it receives. */
function recordingLoop(): [asyncio.BaseEventLoop, asyncio.ExceptionContext[]] {
  const loop = new VirtualTimeLoop();
  loop.setDebug(false);
  const contexts: asyncio.ExceptionContext[] = [];
  loop.setExceptionHandler((_l, c) => void contexts.push(c));
  return [loop, contexts];
}

test("a Future whose exception nobody retrieved is reported when collected", async () => {
  const [loop, contexts] = recordingLoop();
  (() => {
    const f = loop.createFuture();
    f.setException(new ValueError("lost"));
  })();
  await collect();
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0]!.message, "Future exception was never retrieved");
  assert.ok(contexts[0]!.exception instanceof ValueError);
  assert.match(String(contexts[0]!.future_repr), /^<Future finished exception=ValueError\('lost'\)>$/);
  loop.close();
});

test("retrieving the exception (exception(), result(), or cancel before) silences the report", async () => {
  const [loop, contexts] = recordingLoop();
  (() => {
    const a = loop.createFuture();
    a.setException(new ValueError("a"));
    a.exception();
    const b = loop.createFuture();
    b.setException(new ValueError("b"));
    assert.throws(() => b.result(), ValueError);
    const c = loop.createFuture();
    c.cancel();
  })();
  await collect();
  assert.deepEqual(contexts, []);
  loop.close();
});

test("a Task that failed and nobody looked at is reported as 'Task exception was never retrieved'", async () => {
  const [loop, contexts] = recordingLoop();
  loop.createTask((function* () {
    throw new ValueError("in task");
  })());
  await loop.runUntilComplete(asyncio.sleep(0));
  await collect();
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0]!.message, "Task exception was never retrieved");
  assert.ok(contexts[0]!.exception instanceof ValueError);
  loop.close();
});

test("a pending Task that is collected is reported: 'Task was destroyed but it is pending!'", async () => {
  const [loop, contexts] = recordingLoop();
  loop.createTask((function* () {
    yield* loop.createFuture();
  })(), { name: "Forgotten" });
  await loop.runUntilComplete(asyncio.sleep(0));
  await collect();
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0]!.message, "Task was destroyed but it is pending!");
  assert.match(String(contexts[0]!.task_repr), /name='Forgotten'/);
  loop.close();
});

test("the task runUntilComplete made for a coroutine is not reported if the loop stopped before it finished", async () => {
  const [loop, contexts] = recordingLoop();
  loop.callSoon(() => loop.stop());
  await assert.rejects(loop.runUntilComplete((function* () {
    yield* loop.createFuture();
  })()), /Event loop stopped before Future completed/);
  await collect();
  assert.deepEqual(contexts.map((c) => c.message), []);
  loop.close();
});

test("the default handler logs these reports through the asyncio logger", async () => {
  const loop = new VirtualTimeLoop();
  loop.setDebug(false);
  const records: string[] = [];
  asyncio.logger.setSink((r) => records.push(`${r.levelName}:${r.message}`));
  try {
    (() => {
      const f = loop.createFuture();
      f.setException(new ValueError("x"));
    })();
    await collect();
  } finally {
    asyncio.logger.setSink(null);
    loop.close();
  }
  assert.equal(records.length, 1);
  assert.match(records[0]!, /^ERROR:Future exception was never retrieved\nfuture_repr: /);
});
