// Issue "Transports...": 1 GiB echoed through protocols against a slow reader.
// Memory must stay bounded by the write-buffer water marks (flow control:
// the server pauses reading while its writes are paused, the client stops
// producing while paused), and a hash proves every byte came back in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as asyncio from "../src/index.js";
import type { Coroutine, Transport } from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";

const TOTAL = 1 << 30;
const CHUNK = 64 * 1024;
const MAX_RECV = 256 * 1024;

class EchoServer extends asyncio.Protocol {
  transport!: Transport;
  maxBuffered = 0;
  pauses = 0;
  override connectionMade(t: Transport): void {
    this.transport = t;
    (t.getExtraInfo("socket") as socket.Socket).setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024);
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
    this.maxBuffered = Math.max(this.maxBuffered, this.transport.getWriteBufferSize());
  }
  override pauseWriting(): void {
    this.pauses++;
    this.transport.pauseReading();
  }
  override resumeWriting(): void {
    this.transport.resumeReading();
  }
}

class SlowClient extends asyncio.Protocol {
  transport!: Transport;
  sent = 0;
  received = 0;
  reads = 0;
  paused = false;
  maxBuffered = 0;
  readonly sentHash = createHash("sha1");
  readonly receivedHash = createHash("sha1");
  readonly done: asyncio.Future<void>;
  private readonly base = Buffer.alloc(CHUNK, 0x5a);

  constructor(private readonly loop: asyncio.AbstractEventLoop) {
    super();
    this.done = loop.createFuture<void>();
  }
  override connectionMade(t: Transport): void {
    this.transport = t;
    this.fill();
  }
  /** Writes chunks (each stamped with its index, so reordering would show) until paused or done. */
  fill(): void {
    while (!this.paused && this.sent < TOTAL) {
      const chunk = Buffer.from(this.base);
      chunk.writeUInt32BE(this.sent / CHUNK, 0);
      this.sentHash.update(chunk);
      this.sent += chunk.length;
      this.transport.write(chunk);
      this.maxBuffered = Math.max(this.maxBuffered, this.transport.getWriteBufferSize());
    }
  }
  override pauseWriting(): void {
    this.paused = true;
  }
  override resumeWriting(): void {
    this.paused = false;
    this.fill();
  }
  override dataReceived(data: Uint8Array): void {
    this.receivedHash.update(data);
    this.received += data.length;
    // The slow reader: after every read it stops reading for a few loop iterations.
    this.transport.pauseReading();
    let n = 8;
    const later = (): void => {
      if (--n > 0) this.loop.callSoon(later);
      else if (!this.transport.isClosing()) this.transport.resumeReading();
    };
    this.loop.callSoon(later);
    if (this.received === TOTAL && !this.done.done()) this.done.setResult(undefined);
  }
  override connectionLost(exc: Error | null): void {
    if (!this.done.done()) this.done.setException(exc ?? new Error("connection lost before all data came back"));
  }
}

test("1 GiB echoed against a slow reader: buffers stay within the water marks, every byte arrives", { timeout: 300_000 }, async () => {
  const rssBefore = process.memoryUsage().rss;
  let server!: EchoServer;
  let client!: SlowClient;
  await asyncio.run((function* (): Coroutine<void> {
    const loop = asyncio.getRunningLoop();
    const srv = yield* loop.createServer(() => (server = new EchoServer()), "127.0.0.1", 0);
    const port = (srv.sockets[0]!.getsockname() as [string, number])[1];
    // Small kernel buffers so that flow control, not the kernel, does the buffering.
    const sock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024);
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024);
    sock.setblocking(false);
    yield* loop.sockConnect(sock, ["127.0.0.1", port]);
    const [transport] = yield* loop.createConnection(() => (client = new SlowClient(loop)), undefined, undefined, { sock });
    yield* client.done;
    transport.close();
    srv.close();
    yield* srv.waitClosed();
  })());
  assert.equal(client.received, TOTAL);
  assert.equal(client.receivedHash.digest("hex"), client.sentHash.digest("hex"));
  // Flow control engaged, and no buffer went past its high-water mark by more than one write or one read.
  const [, serverHigh] = server.transport.getWriteBufferLimits();
  const [, clientHigh] = client.transport.getWriteBufferLimits();
  assert.ok(server.pauses > 0, "the server's writes were paused at least once");
  assert.ok(server.maxBuffered <= serverHigh + MAX_RECV, `server buffered ${server.maxBuffered} bytes`);
  assert.ok(client.maxBuffered <= clientHigh + CHUNK, `client buffered ${client.maxBuffered} bytes`);
  // 1 GiB went through; the process did not keep it.
  const grown = process.memoryUsage().rss - rssBefore;
  assert.ok(grown < 256 * 1024 * 1024, `RSS grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
});
