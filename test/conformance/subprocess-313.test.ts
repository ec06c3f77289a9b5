// Conformance: re-creates the test method that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_subprocess.py (the 3.12.1 file is in subprocess.test.ts).
// SubprocessMixin runs in CPython once per child watcher; tsyncio has one way to watch
// children, so it is here once, with real `sleep` processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { ProcessLookupError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

const SIGUSR1 = 10;

// test_subprocess.py (3.13) SubprocessMixin.test_subprocess_send_signal_race
test("test_subprocess.py (3.13) SubprocessMixin.test_subprocess_send_signal_race", async () => {
  // A signal sent while the child is exiting must not reach another process (gh-87744),
  // nor make wait() report 255. CPython waits 0.1 s ten times; the child here lives 0.03 s
  // and the test waits as long, so that the signal lands around the child's exit.
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(null);
  try {
    await loop.runUntilComplete((function* main(): Coroutine<void> {
      for (let i = 0; i < 10; i++) {
        const proc = yield* asyncio.createSubprocessExec("sleep", ["0.03"]);
        yield* asyncio.sleep(0.03);
        try {
          proc.sendSignal(SIGUSR1);
        } catch (e) {
          if (!(e instanceof ProcessLookupError)) throw e;
        }
        assert.notEqual(yield* proc.wait(), 255);
      }
    })());
    await loop.runUntilComplete(asyncio.sleep(0));
  } finally {
    loop.close();
  }
});
