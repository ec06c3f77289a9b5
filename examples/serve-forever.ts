// Server.serveForever (the specification's example in "Server Objects").
// Run: node --import tsx examples/serve-forever.ts   (PORT=n picks the port; 0, the default, a free one)
// Each client sends one line; the server prints it. Ctrl-C cancels serveForever, which closes the server.
import * as asyncio from "../src/index.js";
import type { Coroutine, StreamReader, StreamWriter } from "../src/index.js";

function* clientConnected(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  // Communicate with the client with reader/writer streams. For example:
  const line = yield* reader.readline();
  console.log(`Received line: ${JSON.stringify(line.toString())}`);
  writer.close();
  yield* writer.waitClosed();
}

function* main(host: string, port: number): Coroutine<void> {
  const srv = yield* asyncio.startServer(clientConnected, host, port);
  console.log(`Serving on ${srv.sockets.map((s) => JSON.stringify(s.getsockname())).join(", ")}`);
  try {
    yield* srv.serveForever();
  } finally {
    console.log(`Closed: serving=${srv.isServing()} sockets=${srv.sockets.length}`);
  }
}

try {
  await asyncio.run(main("127.0.0.1", Number(process.env.PORT ?? 0)));
} catch (e) {
  // Python ends with a KeyboardInterrupt traceback here; a short line is enough.
  if (!(e instanceof asyncio.KeyboardInterrupt)) throw e;
  console.log("Interrupted");
}
