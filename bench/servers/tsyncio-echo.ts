// tsyncio echo servers for the echo benchmark: `protocol`, `buffered` (BufferedProtocol) or `streams` mode.
// Usage: node --import tsx tsyncio-echo.ts protocol|buffered|streams PORT [SELF_SIZE]  -> prints "READY port".
// With SELF_SIZE the process also drives itself: 10 client connections on the
// same loop do SELF_SIZE-byte round trips without end, and SIGUSR2 prints
// "DONE count" on stderr. bench/callgrind-echo.sh (SELF=1) counts instructions
// in such a process: no load generator and no scheduler between the two sides,
// so the count per round trip repeats far more closely on a shared machine.
import * as asyncio from "../../src/index.js";
import type { Coroutine, StreamReader, StreamWriter, Transport } from "../../src/index.js";

const mode = process.argv[2] ?? "protocol";
const port = Number(process.argv[3] ?? 0);
const selfSize = process.argv[4] === undefined ? 0 : Number(process.argv[4]);

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

/** One connection of the self-driving client: sends a message, and again each time it is back whole. */
class RoundTrips extends asyncio.Protocol {
  static done = 0;
  private transport!: Transport;
  private got = 0;
  constructor(private readonly message: Uint8Array) {
    super();
  }
  override connectionMade(t: Transport): void {
    this.transport = t;
    t.write(this.message);
  }
  override dataReceived(data: Uint8Array): void {
    this.got += data.length;
    if (this.got < this.message.length) return;
    this.got -= this.message.length;
    RoundTrips.done++;
    this.transport.write(this.message);
  }
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
  if (selfSize > 0) {
    const message = Buffer.alloc(selfSize, 120);
    process.on("SIGUSR2", () => process.stderr.write(`DONE ${RoundTrips.done}\n`));
    for (let i = 0; i < 10; i++) yield* loop.createConnection(() => new RoundTrips(message), "127.0.0.1", addr[1]);
  }
  yield* server.serveForever();
}

await asyncio.run(main());
