// Conformance: re-creates the test method that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_eager_task_factory.py (the 3.12.1 file is in
// eager-task-factory.test.ts). CPython runs it for the C Task only; it checks public
// behaviour, so it is here once, on a loop whose factory is createEagerTaskFactory(Task).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

// test_eager_task_factory.py (3.13) CEagerTaskFactoryLoopTests.test_issue122332
test("test_eager_task_factory.py (3.13) CEagerTaskFactoryLoopTests.test_issue122332", async () => {
  asyncio.setEventLoop(null);
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    loop.setTaskFactory(asyncio.createEagerTaskFactory(asyncio.Task) as asyncio.TaskFactory);
    function* coro(): Coroutine<void> {}
    function* run(): Coroutine<void> {
      const task = loop.createTask(coro());
      yield* task;
      assert.equal(task.getCoro(), null);
    }
    await loop.runUntilComplete(run());
  } finally {
    loop.close();
  }
});
