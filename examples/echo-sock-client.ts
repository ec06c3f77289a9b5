// TCP echo client on a raw socket with the loop's sock* methods.
// Run: PORT=8888 node --import tsx examples/echo-sock-client.ts
import * as asyncio from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import type { Coroutine } from "../src/index.js";

function* main(message: string): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const port = Number(process.env.PORT ?? 8888);
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.setblocking(false);
  try {
    yield* loop.sockConnect(sock, ["127.0.0.1", port]);
    console.log(`Send: ${JSON.stringify(message)}`);
    yield* loop.sockSendall(sock, Buffer.from(message));
    // An echo may arrive in pieces: read until all of it is back.
    let received = Buffer.alloc(0);
    while (received.length < Buffer.byteLength(message)) {
      const data = yield* loop.sockRecv(sock, 100);
      if (!data.length) break;
      received = Buffer.concat([received, data]);
    }
    console.log(`Received: ${JSON.stringify(received.toString())}`);
  } finally {
    console.log("Close the connection");
    sock.close();
  }
}

await asyncio.run(main(process.argv[2] ?? "Hello World!"));
