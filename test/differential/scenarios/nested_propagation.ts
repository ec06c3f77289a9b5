import * as asyncio from "../../../src/index.js";
import { CancelledError, OSError, RuntimeError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en, tuple } from "./_util.js";
import type { Tuple } from "./_util.js";

function* leaf(name: string, steps = 10): Coroutine<string> {
  try {
    for (let i = 0; i < steps; i++) yield* asyncio.sleep(0);
    return name;
  } catch (e) {
    if (e instanceof CancelledError) print(name, "cancelled", en(e));
    throw e;
  }
}

function* main(): Coroutine<void> {
  // Cancelling an outer gather reaches the leaves of an inner gather, with the message.
  const inner = asyncio.gather(leaf("a"), leaf("b"));
  const outer = asyncio.gather(inner, leaf("c"));
  yield* asyncio.sleep(0);
  outer.cancel("from the top");
  try {
    yield* outer;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("outer", en(e), "inner cancelled", inner.cancelled());
  }
  // A chain of tasks awaiting tasks: cancelling the top cancels down the chain.
  function* level(n: number): Coroutine<void> {
    try {
      if (n === 0) yield* asyncio.sleep(10);
      else yield* asyncio.createTask(level(n - 1));
    } catch (e) {
      if (e instanceof CancelledError) print("level", n, "cancelled", en(e));
      throw e;
    }
  }
  const top = asyncio.createTask(level(3));
  for (let i = 0; i < 4; i++) yield* asyncio.sleep(0);
  top.cancel("chain");
  try {
    yield* top;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("top", en(e));
  }
  // One exception object reaches every awaiter.
  function* fails(): Coroutine<void> {
    yield* asyncio.sleep(0);
    throw new ValueError("shared");
  }
  let t = asyncio.createTask(fails());
  const seen: Tuple[] = [];
  function* awaiter(n: number): Coroutine<void> {
    try {
      yield* t;
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      seen.push(tuple(n, e === t.exception()));
    }
  }
  yield* asyncio.gather(awaiter(1), awaiter(2));
  print("awaiters saw the same exception", seen);
  // A task awaiting itself is refused.
  function* selfAwait(): Coroutine<void> {
    yield* asyncio.currentTask()!;
  }
  t = asyncio.createTask(selfAwait());
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("self await", e.name);
  }
  // Exceptions inside finally after a cancel replace the CancelledError.
  function* replaces(): Coroutine<void> {
    try {
      yield* asyncio.sleep(10);
    } finally {
      // eslint-disable-next-line no-unsafe-finally
      throw new OSError("cleanup failed");
    }
  }
  t = asyncio.createTask(replaces());
  yield* asyncio.sleep(0);
  t.cancel();
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    print("cleanup error wins", en(e), "cancelled()", t.cancelled());
  }
  // Queue join with several joiners: all wake when the count reaches zero.
  const q = new asyncio.Queue<string>();
  q.putNowait("job");
  const woke: number[] = [];
  function* joiner(n: number): Coroutine<void> {
    yield* q.join();
    woke.push(n);
  }
  const js = [0, 1, 2].map((i) => asyncio.createTask(joiner(i)));
  yield* asyncio.sleep(0);
  q.getNowait();
  print("before task_done", woke);
  q.taskDone();
  yield* asyncio.gather(...js);
  print("after task_done", woke);
}

await asyncio.run(main());
