// tsyncio echo servers for the echo benchmark: `protocol` or `streams` mode.
// Usage: node --import tsx tsyncio-echo.ts protocol|streams PORT  -> prints "READY port".
import * as asyncio from "../../src/index.js";
import type { Coroutine, StreamReader, StreamWriter, Transport } from "../../src/index.js";

const mode = process.argv[2] ?? "protocol";
const port = Number(process.argv[3] ?? 0);

class Echo extends asyncio.Protocol {
  private transport!: Transport;
  override connectionMade(t: Transport): void {
    this.transport = t;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

function* handle(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  for (;;) {
    const data = yield* reader.read(262144);
    if (data.length === 0) break;
    writer.write(data);
    yield* writer.drain();
  }
  writer.close();
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const server = mode === "protocol"
    ? yield* loop.createServer(() => new Echo(), "127.0.0.1", port)
    : yield* asyncio.startServer(handle, "127.0.0.1", port);
  const addr = server.sockets[0]!.getsockname() as [string, number];
  console.log(`READY ${addr[1]}`);
  yield* server.serveForever();
}

await asyncio.run(main());
