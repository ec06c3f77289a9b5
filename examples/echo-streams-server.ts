// TCP echo server using streams (the asyncio documentation's example).
// Run: PORT=8888 node --import tsx examples/echo-streams-server.ts
// (PORT=0 picks a free port; the "Serving on" line says which.)
import * as asyncio from "../src/index.js";
import type { Coroutine, StreamReader, StreamWriter } from "../src/index.js";

function* handleEcho(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  const data = yield* reader.read(100);
  const message = data.toString();
  const addr = writer.getExtraInfo("peername");
  console.log(`Received ${JSON.stringify(message)} from ${JSON.stringify(addr)}`);

  console.log(`Send: ${JSON.stringify(message)}`);
  writer.write(data);
  yield* writer.drain();

  console.log("Close the connection");
  writer.close();
  yield* writer.waitClosed();
}

function* main(): Coroutine<void> {
  const port = Number(process.env.PORT ?? 8888);
  const server = yield* asyncio.startServer(handleEcho, "127.0.0.1", port);
  const addrs = server.sockets.map((sock) => JSON.stringify(sock.getsockname())).join(", ");
  console.log(`Serving on ${addrs}`);
  try {
    yield* server.serveForever();
  } finally {
    server.close();
    yield* server.waitClosed();
  }
}

await asyncio.run(main());
