// TCP echo client with a protocol (the asyncio documentation's "TCP Echo Client").
// Run: PORT=8888 node --import tsx examples/echo-protocol-client.ts [message]
import * as asyncio from "../src/index.js";
import type { BaseTransport, Coroutine, Future } from "../src/index.js";

const repr = (s: string): string => `'${s}'`;

class EchoClientProtocol extends asyncio.Protocol {
  constructor(private readonly message: string, private readonly onConLost: Future<boolean>) {
    super();
  }

  override connectionMade(transport: BaseTransport): void {
    (transport as asyncio.Transport).write(Buffer.from(this.message));
    console.log(`Data sent: ${repr(this.message)}`);
  }

  override dataReceived(data: Uint8Array): void {
    console.log(`Data received: ${repr(Buffer.from(data).toString())}`);
  }

  override connectionLost(): void {
    console.log("The server closed the connection");
    this.onConLost.setResult(true);
  }
}

function* main(): Coroutine<void> {
  // Get a reference to the event loop as we plan to use low-level APIs.
  const loop = asyncio.getRunningLoop();
  const port = Number(process.env.PORT ?? 8888);

  const onConLost = loop.createFuture<boolean>();
  const message = process.argv[2] ?? "Hello World!";

  const [transport] = yield* loop.createConnection(() => new EchoClientProtocol(message, onConLost), "127.0.0.1", port);

  // Wait until the protocol signals that the connection is lost and close the transport.
  try {
    yield* onConLost;
  } finally {
    transport.close();
  }
}

await asyncio.run(main());
