import * as asyncio from "../../../src/index.js";
import * as contextvars from "../../../src/stdlib/contextvars.js";
import { KeyError, RuntimeError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print } from "./_util.js";

const request = new contextvars.ContextVar<string>("request", { default: "none" });

function* handler(name: string): Coroutine<string> {
  print(name, "sees", request.get());
  request.set(name);
  yield* asyncio.sleep(0);
  print(name, "still sees its own", request.get());
  return request.get();
}

function cb(label: string) {
  print("callback", label, "sees", request.get());
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  request.set("main");
  const t1 = asyncio.createTask(handler("t1"));
  request.set("main-2");
  const t2 = asyncio.createTask(handler("t2"));
  yield* asyncio.gather(t1, t2);
  print("main after tasks", request.get());
  // Callbacks capture the context at scheduling time.
  loop.callSoon(cb, "soon");
  request.set("main-3");
  loop.callLater(0, cb, "later");
  const ctx = new contextvars.Context();
  loop.callSoon(asyncio.inContext(ctx, cb), "empty ctx");
  const ctx2 = contextvars.copyContext();
  ctx2.run(() => request.set("in ctx2"));
  loop.callSoon(asyncio.inContext(ctx2, cb), "ctx2");
  yield* asyncio.sleep(0.01);
  // A callback changing a var changes its context only.
  const setter = () => {
    request.set("set in callback");
    print("callback set", request.get());
  };
  loop.callSoon(setter);
  yield* asyncio.sleep(0);
  print("main still", request.get());
  // A task with an explicit context; the task's changes land in that context.
  const tctx = contextvars.copyContext();
  const t3 = asyncio.createTask(handler("t3"), { context: tctx });
  yield* t3;
  print("explicit ctx after task", tctx.get(request), "main", request.get());
  // Tokens.
  const tok = request.set("temp");
  print("token old value", tok.oldValue, "var name", tok.var.name);
  request.reset(tok);
  print("after reset", request.get());
  try {
    request.reset(tok);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("reset twice", e.name);
  }
  // Done callbacks run in the task's context when none is given.
  function* setterTask(): Coroutine<void> {
    request.set("inside task");
  }
  const t4 = asyncio.createTask(setterTask());
  t4.addDoneCallback(() => print("done callback sees", request.get()));
  yield* t4;
  yield* asyncio.sleep(0);
  const nv = new contextvars.ContextVar<string>("nodefault");
  try {
    nv.get();
  } catch (e) {
    // tsyncio raises KeyError (a LookupError in Python); CPython raises LookupError itself.
    print("no default raises a LookupError", e instanceof KeyError);
  }
  print("get with default", nv.get("dflt"));
}

await asyncio.run(main());
