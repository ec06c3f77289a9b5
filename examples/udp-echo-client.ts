// UDP echo client protocol (the asyncio documentation's example).
// Run: PORT=9999 node --import tsx examples/udp-echo-client.ts ["message"]
import * as asyncio from "../src/index.js";
import type { BaseTransport, Coroutine, DatagramTransport, Future } from "../src/index.js";
import type { Address } from "../src/stdlib/socket.js";

class EchoClientProtocol extends asyncio.DatagramProtocol {
  transport: DatagramTransport | null = null;

  constructor(readonly message: string, readonly onConLost: Future<boolean>) {
    super();
  }

  override connectionMade(transport: BaseTransport): void {
    this.transport = transport as DatagramTransport;
    console.log(`Send: ${this.message}`);
    this.transport.sendto(Buffer.from(this.message));
  }

  override datagramReceived(data: Uint8Array, _addr: Address | null): void {
    console.log(`Received: ${Buffer.from(data).toString()}`);
    console.log("Close the socket");
    this.transport!.close();
  }

  override errorReceived(exc: Error): void {
    console.log(`Error received: ${exc}`);
  }

  override connectionLost(_exc: Error | null): void {
    console.log("Connection closed");
    this.onConLost.setResult(true);
  }
}

function* main(message: string): Coroutine<void> {
  // Get a reference to the event loop as we plan to use low-level APIs.
  const loop = asyncio.getRunningLoop();
  const onConLost = loop.createFuture<boolean>();
  const [transport] = yield* loop.createDatagramEndpoint(
    () => new EchoClientProtocol(message, onConLost),
    null,
    ["127.0.0.1", Number(process.env.PORT ?? 9999)],
  );
  try {
    yield* onConLost;
  } finally {
    transport.close();
  }
}

await asyncio.run(main(process.argv[2] ?? "Hello World!"));
