import * as asyncio from "../../../src/index.js";
import { CancelledError, RuntimeError, TimeoutError, ValueError } from "../../../src/index.js";
import type { Coroutine, Timeout } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  // Expiry: the body is cancelled, the block raises TimeoutError.
  let cm!: Timeout;
  try {
    yield* asyncio.timeout(0.01, function* (c) {
      cm = c;
      print("when set", cm.when() !== null, "expired", cm.expired());
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        if (e instanceof CancelledError) print("body cancelled", en(e));
        throw e;
      }
    });
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("raised", e.name, "expired", cm.expired(), "cause", (e.cause as Error | undefined)?.name);
  }
  // No expiry.
  yield* asyncio.timeout(10, function* (c) {
    cm = c;
    yield* asyncio.sleep(0);
  });
  print("in time, expired", cm.expired());
  // None, then rescheduled to the past: expires at the next await.
  try {
    yield* asyncio.timeout(null, function* (c) {
      cm = c;
      print("when None", cm.when());
      cm.reschedule(loop.time() - 1);
      print("rescheduled, expired yet", cm.expired());
      yield* asyncio.sleep(0);
      print("not reached");
    });
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("rescheduled timeout fired", cm.expired());
  }
  // Reschedule to None: never expires.
  yield* asyncio.timeout(0.01, function* (c) {
    cm = c;
    cm.reschedule(null);
    yield* asyncio.sleep(0.02);
  });
  print("rescheduled to None, expired", cm.expired(), cm.when());
  // timeout_at with a deadline in the past.
  try {
    yield* asyncio.timeoutAt(loop.time() - 1, function* () {
      yield* asyncio.sleep(0);
    });
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("timeout_at past fired");
  }
  // The body raises something else: it propagates, no TimeoutError.
  try {
    yield* asyncio.timeout(10, function* () {
      throw new ValueError("body");
    });
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("body exception", en(e));
  }
  // Nested: the inner one fires first; the outer one is untouched.
  let inner!: Timeout;
  yield* asyncio.timeout(10, function* (outer) {
    try {
      yield* asyncio.timeout(0.01, function* (i) {
        inner = i;
        yield* asyncio.sleep(10);
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print("inner fired", inner.expired(), "outer expired", outer.expired());
    }
  });
  // The outer fires while the inner is still pending.
  let outer!: Timeout;
  try {
    yield* asyncio.timeout(0.01, function* (o) {
      outer = o;
      yield* asyncio.timeout(10, function* (i) {
        inner = i;
        yield* asyncio.sleep(10);
      });
    });
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("outer fired", outer.expired(), "inner expired", inner.expired());
  }
  // An outside cancel during a timeout block stays a CancelledError.
  function* body(): Coroutine<void> {
    yield* asyncio.timeout(10, function* () {
      yield* asyncio.sleep(10);
    });
  }
  const t = asyncio.createTask(body());
  yield* asyncio.sleep(0);
  t.cancel("from outside");
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("outside cancel", en(e));
  }
  // Misuse.
  const cm2 = asyncio.timeout(1);
  cm2.enter();
  cm2.exit();
  try {
    cm2.reschedule(1);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("reschedule after exit", en(e));
  }
  try {
    cm2.enter();
    cm2.exit();
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("re-enter", en(e));
  }
  print("repr", String(asyncio.timeout(null)));
}

await asyncio.run(main());
