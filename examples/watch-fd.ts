// The spec's "Watch a file descriptor for read events": loop.addReader() on
// one end of a socketpair, which the loop makes readable by sending to the
// other end; the reader prints the data, unregisters itself and stops the loop.
// Run: node --import tsx examples/watch-fd.ts
import * as asyncio from "../src/index.js";
import { socketpair } from "../src/stdlib/socket.js";

// Create a pair of connected file descriptors.
const [rsock, wsock] = socketpair();

// A new loop (CPython's example: asyncio.new_event_loop()), made the current one:
// getEventLoop() with no current loop is deprecated and warns.
const loop = asyncio.newEventLoop();
asyncio.setEventLoop(loop);

function reader(): void {
  const data = rsock.recv(100);
  console.log("Received:", data.toString());

  // We are done: unregister the file descriptor.
  loop.removeReader(rsock);

  // Stop the event loop.
  loop.stop();
}

// Register the file descriptor for read event.
loop.addReader(rsock, reader);

// Simulate the reception of data from the network.
loop.callSoon((data: Buffer) => wsock.send(data), Buffer.from("abc"));

try {
  // Run the event loop.
  await loop.runForever();
} finally {
  // We are done. Close sockets and the event loop.
  rsock.close();
  wsock.close();
  loop.close();
}
