import * as asyncio from "../../../src/index.js";
import { CancelledError, ConnectionResetError, InvalidStateError, StopIteration, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en } from "./_util.js";

function attempt(label: string, fn: () => unknown) {
  try {
    const r = fn();
    print(label, "->", r);
  } catch (e) {
    // tsyncio's messages are the pure-Python Future's (asyncio/futures.py); CPython runs the C
    // accelerator, whose messages differ ("Result is not set.", "invalid state"): class only.
    if (e instanceof InvalidStateError) print(label, "raises", e.name);
    else print(label, "raises", en(e));
  }
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const f = loop.createFuture<string>();
  print("pending", f.done(), f.cancelled());
  attempt("result pending", () => f.result());
  attempt("exception pending", () => f.exception());
  f.setResult("x");
  attempt("set_result twice", () => f.setResult("y"));
  attempt("set_exception after", () => f.setException(new ValueError()));
  attempt("cancel done", () => f.cancel());
  attempt("exception of result", () => f.exception());
  const g = loop.createFuture();
  attempt("StopIteration", () => g.setException(new StopIteration("s")));
  attempt("exception class", () => g.setException(ValueError as unknown as Error));
  attempt("exception() after class", () => (g.exception() as Error).constructor.name);
  const h = loop.createFuture<number>();
  h.cancel("the msg");
  attempt("cancelled result", () => h.result());
  attempt("cancelled exception", () => h.exception());
  attempt("set_result on cancelled", () => h.setResult(1));
  const k = loop.createFuture();
  k.cancel();
  attempt("cancelled no msg", () => k.result());
  // Awaiting a cancelled future raises in the awaiting task.
  try {
    yield* h;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("await cancelled", en(e));
  }
  const m = loop.createFuture();
  loop.callSoon((e: Error) => m.setException(e), new ConnectionResetError(104, "reset"));
  try {
    yield* m;
  } catch (e) {
    if (!(e instanceof ConnectionResetError)) throw e;
    print("await exception", en(e), e.errno);
  }
  print("isfuture", asyncio.isfuture(m), asyncio.isfuture(42));
  print("same loop", m.getLoop() === loop);
}

await asyncio.run(main());
