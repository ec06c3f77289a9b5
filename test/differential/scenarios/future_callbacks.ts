import * as asyncio from "../../../src/index.js";
import { CancelledError, ValueError } from "../../../src/index.js";
import type { Coroutine, Future } from "../../../src/index.js";
import { print, en } from "./_util.js";

const contextvars = asyncio;
const vr = new contextvars.ContextVar("var", { default: "default" });

function cb(name: string) {
  return (fut: Future<unknown>) => {
    print("cb", name, "var =", vr.get(), "result =", fut.result());
  };
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture<number>();
  const [a, b, c] = [cb("a"), cb("b"), cb("c")];
  fut.addDoneCallback(a);
  fut.addDoneCallback(b);
  fut.addDoneCallback(a);
  fut.addDoneCallback(c);
  print("removed a", fut.removeDoneCallback(a));
  print("removed a again", fut.removeDoneCallback(a));
  const ctx = contextvars.copyContext();
  ctx.run(() => vr.set("in ctx"));
  fut.addDoneCallback(cb("ctx"), { context: ctx });
  vr.set("main");
  fut.addDoneCallback(cb("d"));
  loop.callSoon(print, "call_soon before set_result");
  fut.setResult(7);
  print("set_result returned; callbacks not yet run");
  loop.callSoon(print, "call_soon after set_result");
  // A callback added to a done future is scheduled with call_soon.
  fut.addDoneCallback(cb("late"));
  yield* asyncio.sleep(0);
  print("after one sleep(0)");
  yield* asyncio.sleep(0);
  // Cancelled future: callbacks see the cancellation.
  const f2 = loop.createFuture();

  const onCancel = (f: Future<unknown>) => {
    print("cancelled cb", f.cancelled());
    try {
      f.result();
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print("result raises", en(e));
    }
  };

  f2.addDoneCallback(onCancel);
  print("cancel", f2.cancel("why"));
  print("cancel again", f2.cancel());
  yield* asyncio.sleep(0);
  // Exception future.
  const f3 = loop.createFuture();
  f3.addDoneCallback((f) => print("exc cb", en(f.exception())));
  f3.setException(new ValueError("nope"));
  yield* asyncio.sleep(0);
  try {
    f3.result();
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("result re-raises", en(e));
  }
}

await asyncio.run(main());
