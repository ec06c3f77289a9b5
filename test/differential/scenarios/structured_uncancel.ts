import * as asyncio from "../../../src/index.js";
import { CancelledError, ExceptionGroup, TimeoutError, ValueError } from "../../../src/index.js";
import type { Coroutine, Task } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* main(): Coroutine<void> {
  const me = asyncio.currentTask()!;
  // After a timeout fires and is converted, the task is not left cancelling.
  try {
    yield* asyncio.timeout(0.01, function* () {
      yield* asyncio.sleep(10);
    });
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("after timeout: cancelling", me.cancelling());
  }
  // A TaskGroup that aborted because of a child leaves the parent uncancelled.
  function* fail(): Coroutine<void> {
    yield* asyncio.sleep(0);
    throw new ValueError("child");
  }
  try {
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(fail());
      yield* asyncio.sleep(10);
    });
  } catch (e) {
    if (!(e instanceof ExceptionGroup && e.split(ValueError)[1] === null)) throw e;
    print("after group: cancelling", me.cancelling());
  }
  // wait_for timing out leaves no pending cancellation either.
  try {
    yield* asyncio.waitFor(asyncio.sleep(10), 0.01);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("after wait_for: cancelling", me.cancelling());
  }
  // A real outside cancel during a timeout block wins over the timeout.
  function* both(): Coroutine<void> {
    try {
      yield* asyncio.timeout(0.01, function* () {
        try {
          yield* asyncio.sleep(10);
        } finally {
          // Cancelled by the timeout; now also cancelled from outside.
          asyncio.currentTask()!.cancel("outside too");
          print("in finally, cancelling", asyncio.currentTask()!.cancelling());
        }
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print("not expected: TimeoutError");
    }
  }
  let t: Task<void> = asyncio.createTask(both());
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("outside cancel kept", en(e), t.cancelling());
  }
  // Timeout inside a TaskGroup child: only that child sees TimeoutError.
  function* childWithTimeout(): Coroutine<string | undefined> {
    try {
      yield* asyncio.timeout(0.01, function* () {
        yield* asyncio.sleep(10);
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      return "child timed out";
    }
    return undefined;
  }
  let c!: Task<string | undefined>;
  let d!: Task<string>;
  yield* asyncio.taskGroup(function* (tg) {
    c = tg.createTask(childWithTimeout());
    d = tg.createTask(asyncio.sleep(0.02, "sibling fine"));
  });
  print(c.result(), d.result());
  // The group's own task cancelled while the group waits: CancelledError, children cancelled first.
  const order: string[] = [];
  function* child(n: number): Coroutine<void> {
    try {
      yield* asyncio.sleep(10);
    } finally {
      order.push(`child ${n} finally`);
    }
  }
  function* parent(): Coroutine<void> {
    try {
      yield* asyncio.taskGroup(function* (tg) {
        tg.createTask(child(1));
        tg.createTask(child(2));
      });
    } finally {
      order.push("parent finally");
    }
  }
  t = asyncio.createTask(parent());
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  t.cancel();
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    order.push(`parent cancelled, cancelling=${t.cancelling()}`);
  }
  print(order);
}

await asyncio.run(main());
