// Conformance: re-creates the test methods CPython 3.13.0 added to
// test_runners.py. The 3.12.1 tests are in runners-cpython.test.ts.
// RunTests.test_loop_factory_default_event_loop is skipped: asyncio.EventLoop
// is a 3.13 API not in tsyncio (SKIPPED.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as asyncio from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

// test_runners.py (3.13) RunnerTests.test_no_repr_is_call_on_the_task_result
// Python's __repr__ is toString() and Node's inspect hook here.
test("test_runners.py (3.13) RunnerTests.test_no_repr_is_call_on_the_task_result", async () => {
  class MyResult {
    reprCount = 0;
    toString(): string {
      this.reprCount += 1;
      return "<MyResult>";
    }
    [inspect.custom](): string {
      return this.toString();
    }
  }
  // eslint-disable-next-line require-yield
  function* coro(): Coroutine<MyResult> {
    return new MyResult();
  }
  const runner = new asyncio.Runner();
  let result: MyResult;
  try {
    result = await runner.run(coro());
  } finally {
    await runner.close();
  }
  assert.equal(result.reprCount, 0);
});
