import * as asyncio from "../../../src/index.js";
import { CancelledError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* swallow(): Coroutine<string> {
  try {
    yield* asyncio.sleep(10);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    const t = asyncio.currentTask()!;
    print("swallow caught", en(e), "cancelling =", t.cancelling());
  }
  yield* asyncio.sleep(0);
  print("swallow continues, cancelling =", asyncio.currentTask()!.cancelling());
  return "swallowed";
}

function* uncancels(): Coroutine<string> {
  const t = asyncio.currentTask()!;
  try {
    yield* asyncio.sleep(10);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("uncancel ->", t.uncancel(), "cancelling =", t.cancelling());
  }
  yield* asyncio.sleep(0);
  return "uncancelled";
}

function* main(): Coroutine<void> {
  let t = asyncio.createTask(swallow());
  yield* asyncio.sleep(0);
  print("cancel", t.cancel(), "cancelling", t.cancelling());
  print("cancel again", t.cancel(), "cancelling", t.cancelling());
  const r = yield* t;
  print("result", r, "cancelled", t.cancelled(), "cancelling", t.cancelling());

  t = asyncio.createTask(uncancels());
  yield* asyncio.sleep(0);
  t.cancel();
  print("result", yield* t, "cancelling", t.cancelling());
  print("uncancel at zero", t.uncancel(), t.uncancel());

  // A task that swallows and is then cancelled again while still running.
  function* stubborn(): Coroutine<string> {
    let n = 0;
    while (true) {
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        n += 1;
        print("stubborn caught", n, en(e), asyncio.currentTask()!.cancelling());
        if (n === 3) throw e;
      }
    }
  }
  t = asyncio.createTask(stubborn());
  for (let i = 0; i < 3; i++) {
    yield* asyncio.sleep(0);
    t.cancel(`c${i}`);
  }
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("stubborn ends", en(e), t.cancelling());
  }

  // cancel() of the current task from inside: the next await raises.
  function* selfCancel(): Coroutine<string> {
    asyncio.currentTask()!.cancel("self");
    print("still running after self-cancel");
    try {
      yield* asyncio.sleep(0);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print("self-cancel raised at await", en(e));
      throw e;
    }
    return "";
  }
  t = asyncio.createTask(selfCancel());
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("self outer", en(e), t.cancelled());
  }

  // Raising CancelledError without cancel(): the task ends cancelled too.
  function* raisesCancelled(): Coroutine<string> {
    yield* asyncio.sleep(0);
    throw new CancelledError("raised by hand");
  }
  t = asyncio.createTask(raisesCancelled());
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("by hand", en(e), t.cancelled());
  }
}

await asyncio.run(main());
