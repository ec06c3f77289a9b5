// tsyncio echo servers for the echo benchmark: `protocol`, `buffered` (BufferedProtocol) or `streams` mode.
// Usage: node --import tsx tsyncio-echo.ts protocol|buffered|streams PORT  -> prints "READY port".
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

/**
 * Reads into its own buffer (no allocation per read) and echoes from it. write()
 * keeps a view of what it could not send at once (as CPython does), so after a
 * partial send the buffer belongs to the transport and reading moves to a new one.
 */
class BufferedEcho extends asyncio.BufferedProtocol {
  private transport!: Transport;
  private buf = Buffer.allocUnsafe(256 * 1024);
  override connectionMade(t: Transport): void {
    this.transport = t;
  }
  override getBuffer(_sizehint: number): Uint8Array {
    return this.buf;
  }
  override bufferUpdated(nbytes: number): void {
    this.transport.write(this.buf.subarray(0, nbytes));
    if (this.transport.getWriteBufferSize() > 0) this.buf = Buffer.allocUnsafe(256 * 1024);
  }
}

function* handle(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  // The load generator resets its connections when it stops.
  try {
    for (;;) {
      const data = yield* reader.read(262144);
      if (data.length === 0) break;
      writer.write(data);
      yield* writer.drain();
    }
  } catch (e) {
    if (!(e instanceof asyncio.ConnectionResetError)) throw e;
  }
  writer.close();
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const server = mode === "protocol"
    ? yield* loop.createServer(() => new Echo(), "127.0.0.1", port)
    : mode === "buffered"
      ? yield* loop.createServer(() => new BufferedEcho(), "127.0.0.1", port)
      : yield* asyncio.startServer(handle, "127.0.0.1", port);
  const addr = server.sockets[0]!.getsockname() as [string, number];
  console.log(`READY ${addr[1]}`);
  yield* server.serveForever();
}

await asyncio.run(main());
