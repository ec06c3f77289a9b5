import * as asyncio from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print } from "./_util.js";

function* child(n: number): Coroutine<void> {
  const t = asyncio.currentTask()!;
  print("child", n, "name", t.getName(), "is current", t === asyncio.currentTask());
  yield* asyncio.sleep(0);
}

function* main(): Coroutine<void> {
  const me = asyncio.currentTask()!;
  print("main name", me.getName());
  const t1 = asyncio.createTask(child(1));
  const t2 = asyncio.createTask(child(2), { name: "custom" });
  const t3 = asyncio.getRunningLoop().createTask(child(3));
  print("names", t1.getName(), t2.getName(), t3.getName());
  t3.setName("renamed");
  print("all tasks", asyncio.allTasks().size, asyncio.allTasks().has(me));
  yield* asyncio.gather(t1, t2, t3);
  print("all tasks after", asyncio.allTasks().size);
  print("current outside task", asyncio.currentTask(asyncio.getRunningLoop()) === me);
  const f = asyncio.ensureFuture(child(4)) as asyncio.Task<void>;
  print("ensure_future coro", f.constructor.name, f.getName());
  const fut = asyncio.getRunningLoop().createFuture();
  print("ensure_future future is same", asyncio.ensureFuture(fut) === fut);
  fut.setResult(undefined);
  yield* f;
  print("iscoroutine", asyncio.iscoroutine(child(5)), asyncio.iscoroutine(fut));
}

await asyncio.run(main());
