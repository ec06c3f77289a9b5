import * as asyncio from "../../../src/index.js";
import type { Coroutine, TaskFactory } from "../../../src/index.js";
import { print, en } from "./_util.js";

function attempt(label: string, fn: () => unknown) {
  try {
    print(label, "->", fn());
  } catch (e) {
    // tsyncio's messages name its own methods (callSoon() for call_soon()): the name is left out.
    print(label, "raises", en(e).replace(/\w+\(\)/g, "METHOD()"));
  }
}

function* coroFn(): Coroutine<void> {}

async function main() {
  const loop = asyncio.newEventLoop() as asyncio.BaseEventLoop;
  print("debug", loop.getDebug(), "slow", loop.slowCallbackDuration, "running", loop.isRunning());
  loop.setDebug(true);
  print("debug now", loop.getDebug());
  const t1 = loop.time();
  const t2 = loop.time();
  print("time monotonic", t2 >= t1, typeof t1 === "number" ? "float" : typeof t1);
  // Debug mode checks the callbacks (CPython checks them only then).
  attempt("call_soon non-callable", () => loop.callSoon(42 as unknown as () => void));
  attempt("call_soon coroutine function", () => loop.callSoon(coroFn));
  const c = coroFn();
  attempt("call_soon coroutine", () => loop.callSoon(c as unknown as () => void));
  c.return();
  attempt("call_later coroutine function", () => loop.callLater(1, coroFn));
  attempt("call_at coroutine function", () => loop.callAt(1, coroFn));
  attempt("call_soon_threadsafe coroutine function", () => loop.callSoonThreadsafe(coroFn));
  loop.setDebug(false);
  attempt("call_later None delay", () => loop.callLater(null as unknown as number, print));
  const f = loop.createFuture();
  print("future loop", f.getLoop() === loop);
  // call_soon_threadsafe shares the ready queue with call_soon.
  const order: number[] = [];
  const append = (x: number) => order.push(x);
  loop.callSoon(append, 1);
  loop.callSoonThreadsafe(append, 2);
  loop.callSoon(append, 3);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  print("order", order);
  // The running loop inside a callback.
  const inside = () => {
    print("inside: running", loop.isRunning(), "get_running_loop is loop", asyncio.getRunningLoop() === loop);
    loop.stop();
  };
  loop.callSoon(inside);
  await loop.runForever();
  try {
    asyncio.getRunningLoop();
  } catch (e) {
    print("outside", en(e));
  }
  attempt("task factory default", () => loop.getTaskFactory());
  attempt("set_task_factory non-callable", () => loop.setTaskFactory(42 as unknown as TaskFactory));
  loop.close();
  attempt("create_task on closed", () => loop.createTask(coroFn()));
  attempt("call_later on closed", () => loop.callLater(1, print));
  attempt("run_until_complete on closed", () => loop.runUntilComplete(f));
}

await main();
