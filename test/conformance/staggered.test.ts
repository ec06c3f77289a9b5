// Conformance: staggeredRace as CPython's test_staggered.py checks it (the
// file is in 3.13's test_asyncio; test_cancelled is from CPython's main branch,
// where a cancelled race waits for its attempts before re-raising).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, TimeoutError, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import { staggeredRace } from "../../src/sync/staggered.js";
import { runTest } from "./_test-utils.js";

// test_staggered.py StaggeredTests.test_empty
test("test_staggered.test_empty", () =>
  runTest(function* () {
    const [winner, index, excs] = yield* staggeredRace(asyncio.getRunningLoop(), [], null);
    assert.equal(winner, null);
    assert.equal(index, null);
    assert.deepEqual(excs, []);
  }));

// test_staggered.py StaggeredTests.test_one_successful
test("test_staggered.test_one_successful", () =>
  runTest(function* () {
    function* coro(index: number): Coroutine<string> {
      return `Res: ${index}`;
    }
    const [winner, index, excs] = yield* staggeredRace(asyncio.getRunningLoop(), [() => coro(0), () => coro(1)], null);
    assert.equal(winner, "Res: 0");
    assert.equal(index, 0);
    assert.deepEqual(excs, [null]);
  }));

// test_staggered.py StaggeredTests.test_first_error_second_successful
test("test_staggered.test_first_error_second_successful", () =>
  runTest(function* () {
    function* coro(index: number): Coroutine<string> {
      if (index === 0) throw new ValueError(String(index));
      return `Res: ${index}`;
    }
    const [winner, index, excs] = yield* staggeredRace(asyncio.getRunningLoop(), [() => coro(0), () => coro(1)], null);
    assert.equal(winner, "Res: 1");
    assert.equal(index, 1);
    assert.equal(excs.length, 2);
    assert.ok(excs[0] instanceof ValueError);
    assert.equal(excs[1], null);
  }));

// test_staggered.py StaggeredTests.test_first_timeout_second_successful
test("test_staggered.test_first_timeout_second_successful", () =>
  runTest(function* () {
    function* coro(index: number): Coroutine<string> {
      if (index === 0) yield* asyncio.sleep(10); // much bigger than delay
      return `Res: ${index}`;
    }
    const [winner, index, excs] = yield* staggeredRace(asyncio.getRunningLoop(), [() => coro(0), () => coro(1)], 0.1);
    assert.equal(winner, "Res: 1");
    assert.equal(index, 1);
    assert.equal(excs.length, 2);
    assert.ok(excs[0] instanceof CancelledError);
    assert.equal(excs[1], null);
  }));

// test_staggered.py StaggeredTests.test_none_successful
test("test_staggered.test_none_successful", () =>
  runTest(function* () {
    function* coro(index: number): Coroutine<string> {
      throw new ValueError(String(index));
    }
    const [winner, index, excs] = yield* staggeredRace(asyncio.getRunningLoop(), [() => coro(0), () => coro(1)], null);
    assert.equal(winner, null);
    assert.equal(index, null);
    assert.equal(excs.length, 2);
    assert.ok(excs[0] instanceof ValueError);
    assert.ok(excs[1] instanceof ValueError);
  }));

/** Awaits sleep(0) and logs `what` if it is cancelled there (swallowing the cancellation). */
function* logCancel(log: string[], what: string): Coroutine<void> {
  try {
    yield* asyncio.sleep(0);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    log.push(what);
  }
}

// test_staggered.py StaggeredTests.test_cancelled (CPython main): the race,
// cancelled twice by two expiring timeouts, cancels its attempt each time and
// waits for it before the cancellation propagates.
test("test_staggered.test_cancelled: a cancelled race waits for its attempts; their cleanups run in order", async () => {
  const log: string[] = [];
  await runTest(function* () {
    const loop = asyncio.getRunningLoop();
    let raised: unknown = null;
    try {
      yield* asyncio.timeout(null, function* (csOuter) {
        yield* asyncio.timeout(null, function* (csInner) {
          function* coroFn(): Coroutine<void> {
            csInner.reschedule(-1);
            yield* asyncio.sleep(0);
            yield* logCancel(log, "cancelled 1");
            csOuter.reschedule(-1);
            yield* asyncio.sleep(0);
            yield* logCancel(log, "cancelled 2");
          }
          try {
            yield* staggeredRace(loop, [coroFn], null);
          } catch (e) {
            if (e instanceof CancelledError) log.push("cancelled 3");
            throw e;
          }
        });
      });
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof TimeoutError, String(raised));
  });
  assert.deepEqual(log, ["cancelled 1", "cancelled 2", "cancelled 3"]);
});
