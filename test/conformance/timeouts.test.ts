// Conformance: asyncio.timeout()/timeoutAt()/Timeout as CPython 3.12's test_timeouts.py checks them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { CancelledError, RuntimeError, TimeoutError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop });
}

test("timeout: the body's result when in time", async () => {
  await run(function* () {
    assert.equal(yield* asyncio.timeout(10, function* () {
      return yield* asyncio.sleep(1, "ok");
    }), "ok");
  });
});

test("timeout: TimeoutError (chained to the CancelledError) at the deadline, never before; expired()", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const t0 = loop.time();
    let cm: asyncio.Timeout | null = null;
    try {
      yield* asyncio.timeout(5, function* (c) {
        cm = c;
        yield* asyncio.sleep(3600);
      });
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
      assert.ok((e as { cause?: unknown }).cause instanceof CancelledError);
    }
    assert.ok(loop.time() >= t0 + 5);
    assert.ok(loop.time() < 3600);
    assert.equal(cm!.expired(), true);
    assert.equal(String(cm), "<Timeout [expired]>");
    assert.equal(asyncio.currentTask()!.cancelling(), 0);
  });
});

test("timeout(null) never expires; when() and reschedule() move the deadline", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    try {
      yield* asyncio.timeout(null, function* (cm) {
        assert.equal(cm.when(), null);
        assert.equal(String(cm), "<Timeout [active] when=None>");
        yield* asyncio.sleep(100);
        cm.reschedule(loop.time() + 1);
        yield* asyncio.sleep(10);
      });
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
    }
  });
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const r = yield* asyncio.timeout(1, function* (cm) {
      cm.reschedule(null);
      assert.equal(cm.when(), null);
      yield* asyncio.sleep(10);
      cm.reschedule(loop.time() + 100);
      return yield* asyncio.sleep(1, "made it");
    });
    assert.equal(r, "made it");
  });
});

test("timeoutAt: an absolute deadline; one in the past expires at the first await", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const when = loop.time() + 2;
    try {
      yield* asyncio.timeoutAt(when, function* (cm) {
        assert.equal(cm.when(), when);
        yield* asyncio.sleep(10);
      });
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
    }
    assert.ok(loop.time() >= when);
    const t0 = loop.time();
    try {
      yield* asyncio.timeoutAt(t0 - 1, function* () {
        yield* asyncio.sleep(10);
      });
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
    }
    assert.equal(loop.time(), t0);
  });
});

test("nested timeouts: the inner one expiring is the inner one's TimeoutError; the outer one expiring passes through the inner", async () => {
  await run(function* () {
    let innerCm: asyncio.Timeout | null = null;
    const r = yield* asyncio.timeout(10, function* (outer) {
      try {
        yield* asyncio.timeout(1, function* (inner) {
          innerCm = inner;
          yield* asyncio.sleep(5);
        });
      } catch (e) {
        assert.ok(e instanceof TimeoutError);
      }
      assert.equal(outer.expired(), false);
      assert.equal(innerCm!.expired(), true);
      return "outer survived";
    });
    assert.equal(r, "outer survived");

    let outerCm: asyncio.Timeout | null = null;
    let inner2: asyncio.Timeout | null = null;
    try {
      yield* asyncio.timeout(1, function* (o) {
        outerCm = o;
        yield* asyncio.timeout(10, function* (i) {
          inner2 = i;
          yield* asyncio.sleep(5);
        });
      });
      assert.fail("not raised");
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
    }
    assert.equal(outerCm!.expired(), true);
    assert.equal(inner2!.expired(), false);
  });
});

test("a cancellation from outside stays a CancelledError inside a timeout scope", async () => {
  await run(function* () {
    const t = asyncio.createTask(asyncio.timeout(10, function* () {
      yield* asyncio.sleep(5);
    }));
    yield* asyncio.sleep(1);
    t.cancel();
    const [r] = yield* asyncio.gather(t, { returnExceptions: true });
    assert.ok(r instanceof CancelledError);
  });
});

test("a body that swallows the deadline's cancellation finishes normally (no TimeoutError), expired() is true", async () => {
  await run(function* () {
    const r = yield* asyncio.timeout(1, function* (cm) {
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
      return cm.expired();
    });
    assert.equal(r, true);
  });
});

test("Timeout state errors: reschedule before entering, entering twice, entering outside a task", async () => {
  const cm = new asyncio.Timeout(null);
  assert.throws(() => cm.reschedule(1), (e: unknown) => e instanceof RuntimeError && e.message === "Timeout has not been entered");
  assert.equal(String(cm), "<Timeout [created]>");
  await run(function* () {
    const loop = asyncio.getRunningLoop();
    const c = asyncio.timeout(5);
    yield* c.run(function* () {
      yield* asyncio.sleep(0);
    });
    assert.equal(String(c), "<Timeout [finished]>");
    assert.throws(() => c.enter(), (e: unknown) => e instanceof RuntimeError && e.message === "Timeout has already been entered");
    assert.throws(() => c.reschedule(1), (e: unknown) => e instanceof RuntimeError && e.message === "Cannot change state of finished Timeout");
    let err: unknown = null;
    loop.callSoon(() => {
      try {
        asyncio.timeout(1).enter();
      } catch (e) {
        err = e;
      }
    });
    yield* asyncio.sleep(0);
    assert.ok(err instanceof RuntimeError);
    assert.equal((err as Error).message, "Timeout should be used inside a task");
  });
});

test("the timeout's timer is cancelled when the body finishes early", async () => {
  await run(function* () {
    const loop = asyncio.getRunningLoop() as asyncio.BaseEventLoop;
    yield* asyncio.timeout(3600, function* () {
      yield* asyncio.sleep(1);
    });
    assert.ok(loop._scheduled.items.every((h) => h.cancelled()));
    yield* asyncio.sleep(0);
    assert.ok(loop.time() < 3600);
  });
});

test("asyncio.TimeoutError is the builtin TimeoutError (an OSError)", () => {
  assert.ok(new TimeoutError() instanceof asyncio.OSError);
});
