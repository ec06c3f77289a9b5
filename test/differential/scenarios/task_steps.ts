import * as asyncio from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print } from "./_util.js";

function* leaf(name: string, n: number): Coroutine<string> {
  for (let i = 0; i < n; i++) {
    print(name, "leaf step", i);
    yield* asyncio.sleep(0);
  }
  return `${name}-leaf`;
}

function* middle(name: string): Coroutine<string> {
  print(name, "middle start");
  const r = yield* leaf(name, 2);
  print(name, "middle got", r);
  const fut = asyncio.getRunningLoop().createFuture<string>();
  asyncio.getRunningLoop().callSoon((v: string) => fut.setResult(v), `${name}-fut`);
  const r2 = yield* fut;
  print(name, "middle got", r2);
  return r + "+" + r2;
}

function* worker(name: string): Coroutine<string> {
  print(name, "worker start");
  const r = yield* middle(name);
  print(name, "worker done", r);
  return r;
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const t1 = asyncio.createTask(worker("A"));
  const t2 = asyncio.createTask(worker("B"));
  loop.callSoon(print, "callback queued after both tasks");
  print("main before await");
  print("main got", yield* t1, t2.done());
  print("main got", yield* t2);
  // A task awaiting a task: woken one iteration after the inner task finishes.
  function* inner(): Coroutine<number> {
    yield* asyncio.sleep(0);
    print("inner returns");
    return 1;
  }
  function* outer(): Coroutine<void> {
    const t = asyncio.createTask(inner());
    loop.callSoon(print, "soon after create");
    const r = yield* t;
    print("outer resumes", r);
  }
  const ot = asyncio.createTask(outer());
  for (let i = 0; i < 4; i++) {
    print("main tick", i);
    yield* asyncio.sleep(0);
  }
  yield* ot;
}

await asyncio.run(main());
