import * as asyncio from "../../../src/index.js";
import { ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print } from "./_util.js";

function* quick(name: string): Coroutine<string> {
  print(name, "runs; current is me:", asyncio.currentTask()!.getName() === name);
  return name;
}

function* suspends(name: string): Coroutine<string> {
  print(name, "first step");
  yield* asyncio.sleep(0);
  print(name, "second step");
  return name;
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  loop.setTaskFactory(asyncio.eagerTaskFactory);
  print("factory set", loop.getTaskFactory() === asyncio.eagerTaskFactory);
  print("before create");
  const t = asyncio.createTask(quick("Q"), { name: "Q" });
  print("after create: done", t.done(), "result", t.done() ? t.result() : null);
  print("in all_tasks", asyncio.allTasks().has(t));
  const t2 = loop.createTask(suspends("S"), { name: "S" });
  print("after create S: done", t2.done(), "in all_tasks", asyncio.allTasks().has(t2));
  loop.callSoon(print, "callback scheduled after S");
  print("S result", yield* t2);
  // A failing eager task.
  function* fails(): Coroutine<void> {
    throw new ValueError("eager failure");
  }
  const t3 = asyncio.createTask(fails());
  print("failed eagerly", t3.done(), (t3.exception() as Error).name);
  // current_task() in main is restored after an eager step.
  print("main is current", asyncio.currentTask()!.getName());
  // Eager tasks inside gather and a TaskGroup.
  const order: string[] = [];
  function* rec(n: number): Coroutine<number> {
    order.push(`start ${n}`);
    yield* asyncio.sleep(0);
    order.push(`end ${n}`);
    return n;
  }
  yield* asyncio.taskGroup(function* (tg) {
    for (let i = 0; i < 3; i++) tg.createTask(rec(i));
    order.push("body done");
  });
  print("order", order);
  loop.setTaskFactory(null);
  const t4 = asyncio.createTask(quick("lazy"), { name: "lazy" });
  print("lazy done right away", t4.done());
  yield* t4;
}

await asyncio.run(main());
