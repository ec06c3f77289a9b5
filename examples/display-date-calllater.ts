// The spec's "Display the current date with call_later()": a callback prints the
// date every second for 5 seconds, rescheduling itself with callLater, then stops the loop.
// Run: node --import tsx examples/display-date-calllater.ts
import * as asyncio from "../src/index.js";

/** Python's `str(datetime.datetime.now())`: local time, microseconds. */
function now(): string {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(us % 1_000_000, 6)}`;
}

function displayDate(endTime: number, loop: asyncio.AbstractEventLoop): void {
  console.log(now());
  if (loop.time() + 1.0 < endTime) {
    loop.callLater(1, displayDate, endTime, loop);
  } else {
    loop.stop();
  }
}

// A new loop (CPython's example: asyncio.new_event_loop()), made the current one:
// getEventLoop() with no current loop is deprecated and warns.
const loop = asyncio.newEventLoop();
asyncio.setEventLoop(loop);

// Schedule the first call to displayDate().
const endTime = loop.time() + 5.0;
loop.callSoon(displayDate, endTime, loop);

// Runs until loop.stop().
try {
  await loop.runForever();
} finally {
  loop.close();
}
