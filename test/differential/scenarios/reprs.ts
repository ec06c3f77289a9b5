import * as asyncio from "../../../src/index.js";
import { ValueError } from "../../../src/index.js";
import type { Coroutine, Future, Timeout, TaskGroup } from "../../../src/index.js";
import { print, repr as pyrepr } from "./_util.js";

function clean(r: unknown): string {
  // Source locations and object addresses exist only in Python's reprs; tsyncio cannot name the
  // generator function of a coroutine object (a documented difference), so coro=<...> is blanked.
  return String(r)
    .replace(/ (running |done, defined )?at [^ >]+:\d+/g, "")
    .replace(/<(?:[\w.]+\.)?(\w+) object at 0x\w+ /g, "<$1 ")
    .replace(/<(\w+) at 0x\w+ /g, "<$1 ")
    .replace(/coro=<[^>]*>/g, "coro=<...>");
}

function cb(fut: Future<unknown>) {
  void fut;
}

function* child(): Coroutine<number> {
  yield* asyncio.sleep(0);
  return 42;
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const f = loop.createFuture<unknown>();
  print(clean(f));
  f.addDoneCallback(cb);
  print(clean(f));
  f.setResult([1, "two"]);
  print(clean(f));
  const g = loop.createFuture();
  g.setException(new ValueError("bad"));
  print(clean(g));
  g.exception();
  const h = loop.createFuture();
  h.cancel();
  print(clean(h));
  const t = asyncio.createTask(child(), { name: "kid" });
  print(clean(t));
  yield* t;
  print(clean(t));
  const t2 = asyncio.createTask(child(), { name: "kid2" });
  t2.cancel();
  try {
    yield* t2;
  } catch {
    // cancelled
  }
  print(clean(t2));
  const lock = new asyncio.Lock();
  print(clean(lock));
  yield* lock.acquire();
  const w = asyncio.ensureFuture(lock.acquire());
  yield* asyncio.sleep(0);
  print(clean(lock));
  lock.release();
  yield* w;
  lock.release();
  const ev = new asyncio.Event();
  print(clean(ev));
  ev.set();
  print(clean(ev));
  print(clean(new asyncio.Semaphore(3)));
  print(clean(new asyncio.BoundedSemaphore(2)));
  print(clean(new asyncio.Condition()));
  const q = new asyncio.Queue<number>(5);
  q.putNowait(1);
  print(clean(q));
  print(clean(new asyncio.Queue()));
  print(clean(new asyncio.Barrier(2)));
  let cm!: Timeout;
  yield* asyncio.timeout(null, function* (c) {
    cm = c;
    print(clean(cm));
  });
  print(clean(cm));
  let tg!: TaskGroup;
  yield* asyncio.taskGroup(function* (g2) {
    tg = g2;
    print(clean(tg));
  });
  print(clean(tg));
  const r = new asyncio.StreamReader({ limit: 10 });
  r.feedData(Buffer.from("abc"));
  print(clean(r));
  r.feedEof();
  print(clean(r));
  print(String(new asyncio.CancelledError("m").message), pyrepr(new asyncio.InvalidStateError("x")));
  print(pyrepr(new asyncio.IncompleteReadError(Buffer.from("ab"), 5)));
}

await asyncio.run(main());
