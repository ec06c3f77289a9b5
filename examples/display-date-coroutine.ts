// The coroutine version of "display the current date": print the date every second for 5 seconds.
// Run: node --import tsx examples/display-date-coroutine.ts
import * as asyncio from "../src/index.js";

/** Python's `str(datetime.datetime.now())`: local time, microseconds. */
function now(): string {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(us % 1_000_000, 6)}`;
}

function* displayDate(): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const endTime = loop.time() + 5.0;
  for (;;) {
    console.log(now());
    if (loop.time() + 1.0 >= endTime) break;
    yield* asyncio.sleep(1);
  }
}

await asyncio.run(displayDate());
