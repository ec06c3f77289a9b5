// The spec's "Hello World with call_soon()": a callback prints "Hello World" and stops the loop.
// Run: node --import tsx examples/hello-world-callsoon.ts
import * as asyncio from "../src/index.js";

/** A callback to print 'Hello World' and stop the event loop. */
function helloWorld(loop: asyncio.AbstractEventLoop): void {
  console.log("Hello World");
  loop.stop();
}

// A new loop (CPython's example: asyncio.new_event_loop()), made the current one:
// getEventLoop() with no current loop is deprecated and warns.
const loop = asyncio.newEventLoop();
asyncio.setEventLoop(loop);

// Schedule a call to helloWorld().
loop.callSoon(helloWorld, loop);

// Runs until loop.stop(); runForever() returns a promise, because the loop
// runs on top of Node's own event loop.
try {
  await loop.runForever();
} finally {
  loop.close();
}
