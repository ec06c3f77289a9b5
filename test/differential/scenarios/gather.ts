import * as asyncio from "../../../src/index.js";
import { CancelledError, KeyError, RuntimeError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* job(name: string, steps: number, fail: Error | null = null): Coroutine<string> {
  try {
    for (let i = 0; i < steps; i++) yield* asyncio.sleep(0);
    if (fail) {
      print(name, "fails");
      throw fail;
    }
    print(name, "returns");
    return name;
  } catch (e) {
    if (e instanceof CancelledError) print(name, "cancelled", en(e));
    throw e;
  }
}

const shown = (r: unknown[]) => r.map((x) => (x instanceof Error ? en(x) : x));

function* main(): Coroutine<void> {
  let r: unknown[] = yield* asyncio.gather(job("a", 2), job("b", 0), job("c", 1));
  print("results", r);
  print("empty", yield* asyncio.gather());
  r = yield* asyncio.gather(job("d", 1, new ValueError("d")), job("e", 2), job("f", 0, new KeyError()), { returnExceptions: true });
  print("with exceptions", shown(r));
  // First failure propagates; the others keep running.
  const g = job("h", 3);
  const th = asyncio.ensureFuture(g);
  try {
    yield* asyncio.gather(job("g", 1, new RuntimeError("g")), th);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("gather raised", en(e), "h done?", th.done());
  }
  yield* th;
  print("h result", th.result());
  // Cancelling the outer gather cancels every child.
  let outer = asyncio.gather(job("i", 5), job("j", 5));
  yield* asyncio.sleep(0);
  print("cancel outer", outer.cancel("stop it"));
  try {
    yield* outer;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("outer cancelled", en(e));
  }
  // A cancelled child makes gather raise CancelledError.
  const tk = asyncio.ensureFuture(job("k", 5));
  outer = asyncio.gather(tk, job("l", 2));
  yield* asyncio.sleep(0);
  tk.cancel("child msg");
  try {
    yield* outer;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("child cancelled -> outer", en(e), outer.cancelled());
  }
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  // With return_exceptions the cancelled child is a result.
  const tm = asyncio.ensureFuture(job("m", 5));
  const outer2 = asyncio.gather(tm, job("n", 1), { returnExceptions: true });
  yield* asyncio.sleep(0);
  tm.cancel("m msg");
  r = yield* outer2;
  print("return_exceptions with cancel", shown(r));
  // The same awaitable twice.
  const fut = asyncio.getRunningLoop().createFuture<number>();
  fut.setResult(5);
  print("same future twice", yield* asyncio.gather(fut, fut));
}

await asyncio.run(main());
