// Conformance: re-creates the test methods that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_base_events.py (the 3.12.1 file is in base-events-cpython.test.ts).
// test_custom_run_forever_integration is skipped (test/conformance/SKIPPED.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";

// test_base_events.py (3.13) BaseEventLoopTests.test_shutdown_default_executor_timeout
test("test_base_events.py (3.13) BaseEventLoopTests.test_shutdown_default_executor_timeout", async () => {
  // An executor whose joining takes 0.1 s, longer than the 0.01 s given.
  class DummyExecutor extends asyncio.ThreadPoolExecutor {
    override async shutdown(wait = true): Promise<void> {
      if (wait) await new Promise((r) => setTimeout(r, 100));
    }
  }
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on("warning", onWarning);
  const loop = asyncio.newEventLoop();
  try {
    loop.setDefaultExecutor(new DummyExecutor());
    await loop.runUntilComplete(loop.shutdownDefaultExecutor(0.01));
    // process.emitWarning() reports on the next tick.
    await new Promise((r) => setImmediate(r));
  } finally {
    loop.close();
    process.off("warning", onWarning);
  }
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.name, "RuntimeWarning");
  assert.match(warnings[0]!.message, /The executor did not finishing joining/);
});
