// The spec's "Hello World with call_soon()": a callback prints "Hello World" and stops the loop.
// Run: node --import tsx examples/hello-world-callsoon.ts
import * as asyncio from "../src/index.js";

/** A callback to print 'Hello World' and stop the event loop. */
function helloWorld(loop: asyncio.AbstractEventLoop): void {
  console.log("Hello World");
  loop.stop();
}

const loop = asyncio.getEventLoop();

// Schedule a call to helloWorld().
loop.callSoon(helloWorld, loop);

// Runs until loop.stop(); runForever() returns a promise, because the loop
// runs on top of Node's own event loop.
try {
  await loop.runForever();
} finally {
  loop.close();
}
