// UDP echo server protocol (the asyncio documentation's example).
// Run: node --import tsx examples/udp-echo-server.ts   (PORT=9999 by default; PORT=0 picks a free port)
import * as asyncio from "../src/index.js";
import type { BaseTransport, Coroutine, DatagramTransport } from "../src/index.js";
import type { Address } from "../src/stdlib/socket.js";

class EchoServerProtocol extends asyncio.DatagramProtocol {
  transport: DatagramTransport | null = null;

  override connectionMade(transport: BaseTransport): void {
    this.transport = transport as DatagramTransport;
  }

  override datagramReceived(data: Uint8Array, addr: Address | null): void {
    const message = Buffer.from(data).toString();
    console.log(`Received ${JSON.stringify(message)} from ${JSON.stringify(addr)}`);
    console.log(`Send ${JSON.stringify(message)} to ${JSON.stringify(addr)}`);
    this.transport!.sendto(data, addr);
  }
}

function* main(): Coroutine<void> {
  console.log("Starting UDP server");
  // Get a reference to the event loop as we plan to use low-level APIs.
  const loop = asyncio.getRunningLoop();
  // One protocol instance will be created to serve all client requests.
  const [transport] = yield* loop.createDatagramEndpoint(() => new EchoServerProtocol(), ["127.0.0.1", Number(process.env.PORT ?? 9999)]);
  console.log(`Listening on ${JSON.stringify(transport.getExtraInfo("sockname"))}`);
  try {
    yield* asyncio.sleep(3600); // Serve for 1 hour.
  } finally {
    transport.close();
  }
}

await asyncio.run(main());
