// Node streams both ways: any Readable as a StreamReader, any Writable as a
// StreamWriter, a StreamReader as a Node Readable; 64 MiB through a
// PassThrough, zlib, a file and a child process, each with a checksum; the
// backpressure in both directions; errors; connectReadPipe/connectWritePipe
// given Node streams that have fds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, createGunzip } from "node:zlib";
import * as asyncio from "../../src/index.js";
import {
  abortable, FileNotFoundError, readableFromReader, readerFromReadable, StreamReader, StreamReaderProtocol, writerFromWritable,
  type Coroutine, type StreamWriter,
} from "../../src/index.js";
import { inLoop } from "../helpers/loop.js";

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
const BLOCK = randomBytes(64 * 1024);

/** Writes TOTAL bytes (BLOCK with its index stamped in) with drain() after each write; returns their sha256. */
function* writeAll(writer: StreamWriter): Coroutine<string> {
  const hash = createHash("sha256");
  for (let i = 0; i < TOTAL / BLOCK.length; i++) {
    const chunk = Buffer.from(BLOCK);
    chunk.writeUInt32BE(i, 0);
    hash.update(chunk);
    writer.write(chunk);
    yield* writer.drain();
  }
  writer.close();
  yield* writer.waitClosed();
  return hash.digest("hex");
}

/** Reads to EOF; returns the byte count and sha256. */
function* readAll(reader: StreamReader): Coroutine<[number, string]> {
  const hash = createHash("sha256");
  let n = 0;
  for (;;) {
    const data = yield* reader.read(256 * 1024);
    if (data.length === 0) return [n, hash.digest("hex")];
    n += data.length;
    hash.update(data);
  }
}

function* roundTrip(writable: Writable, readable: Readable): Coroutine<void> {
  const writer = writerFromWritable(writable);
  const reader = readerFromReadable(readable);
  const writing = asyncio.createTask(writeAll(writer));
  const [n, got] = yield* readAll(reader);
  const sent = yield* writing;
  assert.equal(n, TOTAL);
  assert.equal(got, sent);
}

test("64 MiB through a PassThrough: StreamWriter in, StreamReader out, same checksum", () =>
  inLoop(function* () {
    const pt = new PassThrough();
    yield* roundTrip(pt, pt);
  }, 120),
);

test("64 MiB through gzip and gunzip", () =>
  inLoop(function* () {
    const gzip = createGzip({ level: 1 });
    const gunzip = createGunzip();
    gzip.pipe(gunzip);
    yield* roundTrip(gzip, gunzip);
  }, 120),
);

test("64 MiB into a file stream and back out of a file stream", () =>
  inLoop(function* () {
    const dir = mkdtempSync(join(tmpdir(), "tsyncio-nodestreams-"));
    try {
      const path = join(dir, "data");
      const sent = yield* writeAll(writerFromWritable(createWriteStream(path)));
      const [n, got] = yield* readAll(readerFromReadable(createReadStream(path)));
      assert.equal(n, TOTAL);
      assert.equal(got, sent);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120),
);

test("64 MiB through a child process of node:child_process (cat): its stdin and stdout as writer and reader", () =>
  inLoop(function* () {
    const child = spawn("cat", [], { stdio: ["pipe", "pipe", "inherit"] });
    yield* roundTrip(child.stdin, child.stdout);
    const [code] = yield* asyncio.once(child, "close");
    assert.equal(code, 0);
  }, 120),
);

test("a StreamReader as a Node Readable: 64 MiB from a tsyncio socket piped through node:stream's pipeline", () =>
  inLoop(function* () {
    const server = yield* asyncio.startServer(function* (_r: StreamReader, w: StreamWriter): Coroutine<void> {
      yield* writeAll(w);
    }, "127.0.0.1", 0);
    const port = (server.sockets[0]!.getsockname() as [string, number])[1];
    // The writer is kept: a StreamWriter collected by the GC closes its transport (as Python's __del__).
    const [reader, writer] = yield* asyncio.openConnection("127.0.0.1", port);
    const hash = createHash("sha256");
    let n = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb): void {
        n += chunk.length;
        hash.update(chunk);
        cb();
      },
    });
    yield* abortable((signal) => pipeline(readableFromReader(reader), sink, { signal }));
    assert.equal(n, TOTAL);
    writer.close();
    server.close();
    yield* server.waitClosed();
  }, 120),
);

test("backpressure: drain() waits for the Writable's 'drain'; a full reader pauses the Readable", () =>
  inLoop(function* () {
    // Nobody reads the PassThrough: its buffer fills, drain() must wait.
    const pt = new PassThrough({ highWaterMark: 16 * 1024 });
    const writer = writerFromWritable(pt);
    writer.write(Buffer.alloc(256 * 1024, 1));
    const draining = asyncio.createTask(writer.drain());
    for (let i = 0; i < 5; i++) yield* asyncio.sleep(0.001);
    assert.equal(draining.done(), false, "drain() waits while the Writable is over its highWaterMark");
    // Now a reader consumes it; its own buffer stops the PassThrough when full (limit 64 KiB -> paused over 128 KiB).
    const reader = readerFromReadable(pt, { limit: 64 * 1024 });
    while (!pt.isPaused()) yield* asyncio.sleep(0.001);
    assert.ok(reader._buffer.length <= 256 * 1024);
    const got = yield* reader.readexactly(256 * 1024);
    assert.equal(got.length, 256 * 1024);
    yield* draining;
    writer.close();
    assert.equal((yield* reader.read()).length, 0);
  }),
);

test("errors: a missing file raises FileNotFoundError from read(); a corrupt gzip raises zlib's error", () =>
  inLoop(function* () {
    const reader = readerFromReadable(createReadStream("/nonexistent/tsyncio"));
    let raised: unknown = null;
    try {
      yield* reader.read();
    } catch (e) {
      raised = e;
    }
    assert.ok(raised instanceof FileNotFoundError, String(raised));

    const gunzip = createGunzip();
    const r2 = readerFromReadable(gunzip);
    gunzip.end(Buffer.from("this is not gzip"));
    raised = null;
    try {
      yield* r2.read();
    } catch (e) {
      raised = e;
    }
    assert.equal((raised as NodeJS.ErrnoException | null)?.code, "Z_DATA_ERROR");
  }),
);

test("connectReadPipe/connectWritePipe take over a child's stdout/stdin (Node streams with fds): no double watching", () =>
  inLoop(function* (loop) {
    const child = spawn("cat", [], { stdio: ["pipe", "pipe", "inherit"] });
    const reader = new StreamReader({ loop });
    const [rt] = yield* loop.connectReadPipe(() => new StreamReaderProtocol(reader, null, loop), child.stdout);
    assert.equal(rt.getExtraInfo("pipe"), child.stdout);
    const [wt] = yield* loop.connectWritePipe(() => new StreamReaderProtocol(null, null, loop), child.stdin);
    wt.write(Buffer.from("through cat\n"));
    wt.close();
    assert.equal((yield* reader.read()).toString(), "through cat\n");
    assert.equal((yield* reader.read()).length, 0);
  }),
);

test("a BufferedProtocol on a Node stream gets the bytes through getBuffer()/bufferUpdated()", () =>
  inLoop(function* (loop) {
    const pt = new PassThrough();
    const buf = new Uint8Array(7);
    const parts: string[] = [];
    const lost = loop.createFuture<Error | null>();
    const protocol = new (class extends asyncio.BufferedProtocol {
      override getBuffer(): Uint8Array {
        return buf;
      }
      override bufferUpdated(n: number): void {
        parts.push(Buffer.from(buf.subarray(0, n)).toString());
      }
      override connectionLost(exc: Error | null): void {
        lost.setResult(exc);
      }
    })();
    yield* loop.connectReadPipe(() => protocol, pt);
    pt.end("a chunk longer than the buffer");
    assert.equal(yield* lost, null);
    assert.equal(parts.join(""), "a chunk longer than the buffer");
    assert.ok(parts.every((p) => p.length <= 7));
  }),
);

test("a StreamReader as a Readable nobody reads: the Readable stops pulling and the socket transport pauses", () =>
  inLoop(function* () {
    const size = 4 * MiB;
    const server = yield* asyncio.startServer(function* (_r: StreamReader, w: StreamWriter): Coroutine<void> {
      w.write(Buffer.alloc(size, 3));
      yield* w.drain();
      w.close();
    }, "127.0.0.1", 0);
    const port = (server.sockets[0]!.getsockname() as [string, number])[1];
    const [reader, writer] = yield* asyncio.openConnection("127.0.0.1", port);
    const readable = readableFromReader(reader, { highWaterMark: 16 * 1024 });
    readable.pause();
    readable.read(0); // starts the first _read, as a consumer attaching would
    const transport = writer.transport as asyncio.Transport;
    while (transport.isReading()) yield* asyncio.sleep(0.001);
    assert.ok(readable.readableLength <= 64 * 1024, "the Readable buffered no more than its highWaterMark and one read");
    let n = 0;
    yield* abortable((signal) => pipeline(readable, new Writable({
      write(chunk: Buffer, _enc, cb): void {
        n += chunk.length;
        cb();
      },
    }), { signal }));
    assert.equal(n, size);
    writer.close();
    server.close();
    yield* server.waitClosed();
  }),
);
