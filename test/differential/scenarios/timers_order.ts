import * as asyncio from "../../../src/index.js";
import { print } from "./_util.js";

async function main() {
  const loop = asyncio.newEventLoop();
  const t0 = loop.time();

  const batch: string[] = [];

  const cb = (name: string) => {
    print("cb", name);
  };

  // CPython's timer heap orders equal deadlines by heap shape, not by scheduling order (tsyncio keeps
  // them FIFO, a documented difference), so the equal-deadline group is printed as a sorted batch.
  const same = (name: string) => {
    batch.push(name);
  };

  const after = (name: string) => {
    print("batch", [...batch].sort());
    print("cb", name);
  };

  // call_at and call_later share one clock.
  loop.callAt(t0 + 0.02, same, "at+0.02 #1");
  loop.callLater(0.06, after, "later 0.06");
  loop.callAt(t0 + 0.02, same, "at+0.02 #2");
  loop.callAt(t0 + 0.01, cb, "at+0.01");
  const h = loop.callAt(t0 + 0.02, same, "at+0.02 cancelled");
  loop.callAt(t0 + 0.02, same, "at+0.02 #3");
  loop.callAt(t0 - 1, cb, "in the past");
  loop.callSoon(cb, "soon");
  h.cancel();
  print("when is float", typeof h.when() === "number", h.when() === t0 + 0.02);
  loop.callLater(0.1, () => loop.stop());
  await loop.runForever();
  print("stopped");
  // A timer scheduled by a callback with delay 0 runs on a later iteration than call_soon.
  // The timer stops the loop itself: a stop on a timer of its own would come
  // in the first iteration already whenever the process is held up that long.
  const later0 = (name: string) => {
    cb(name);
    loop.stop();
  };
  const first = () => {
    print("first");
    loop.callLater(0, later0, "later0 from first");
    loop.callSoon(cb, "soon from first");
  };
  loop.callSoon(first);
  await loop.runForever();
  loop.close();
}

await main();
