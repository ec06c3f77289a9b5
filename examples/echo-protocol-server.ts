// TCP echo server with a protocol (the asyncio documentation's "TCP Echo Server").
// Run: PORT=8888 node --import tsx examples/echo-protocol-server.ts
// (PORT=0 picks a free port; the "Serving on" line says which.)
import * as asyncio from "../src/index.js";
import type { BaseTransport, Coroutine, Transport } from "../src/index.js";

const repr = (s: string): string => `'${s}'`;

class EchoServerProtocol extends asyncio.Protocol {
  transport: Transport | null = null;

  override connectionMade(transport: BaseTransport): void {
    const [host, port] = transport.getExtraInfo("peername") as [string, number];
    console.log(`Connection from (${repr(host)}, ${port})`);
    this.transport = transport as Transport;
  }

  override dataReceived(data: Uint8Array): void {
    const message = Buffer.from(data).toString();
    console.log(`Data received: ${repr(message)}`);

    console.log(`Send: ${repr(message)}`);
    this.transport!.write(data);

    console.log("Close the client socket");
    this.transport!.close();
  }
}

function* main(): Coroutine<void> {
  // Get a reference to the event loop as we plan to use low-level APIs.
  const loop = asyncio.getRunningLoop();
  const port = Number(process.env.PORT ?? 8888);

  const server = yield* loop.createServer(() => new EchoServerProtocol(), "127.0.0.1", port);
  console.log(`Serving on ${server.sockets.map((s) => JSON.stringify(s.getsockname())).join(", ")}`);

  // Python's `async with server:` is close() and waitClosed() on the way out.
  try {
    yield* server.serveForever();
  } finally {
    server.close();
    yield* server.waitClosed();
  }
}

await asyncio.run(main());
