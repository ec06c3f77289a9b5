// loop.sendfile over real TCP connections: sendfile(2) for socket transports,
// the read/write fallback with flow control, and the errors of CPython's
// test_sendfile.py (the loop.sendfile part).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import {
  RuntimeError, SendfileNotAvailableError, ValueError, type Coroutine,
} from "../src/index.js";

async function inLoop<T>(body: (loop: asyncio.BaseEventLoop) => Coroutine<T>, timeout = 20): Promise<T> {
  const loop = new asyncio.SelectorEventLoop();
  try {
    return await loop.runUntilComplete(asyncio.waitFor(body(loop), timeout));
  } finally {
    loop.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "tsyncio-sendfile-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const DATA = randomBytes(3 * 1024 * 1024 + 123);
const FILE = join(dir, "data.bin");
writeFileSync(FILE, DATA);

/** The receiving side: collects every byte until the peer closes. */
class Sink extends asyncio.Protocol {
  chunks: Buffer[] = [];
  t: asyncio.Transport | null = null;
  readonly closed: asyncio.Future<Buffer>;
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.closed = loop.createFuture();
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.t = t as asyncio.Transport;
  }
  override dataReceived(d: Uint8Array): void {
    this.chunks.push(Buffer.from(d));
  }
  override connectionLost(): void {
    if (!this.closed.done()) this.closed.setResult(Buffer.concat(this.chunks));
  }
}

/** A client connected to a Sink server: [client transport, the sink, the server]. */
function* connected(loop: asyncio.BaseEventLoop): Coroutine<[asyncio.Transport, Sink, asyncio.AbstractServer]> {
  const sinks: Sink[] = [];
  const srv = yield* loop.createServer(() => {
    const s = new Sink(loop);
    sinks.push(s);
    return s;
  }, "127.0.0.1", 0);
  const port = (srv.sockets[0]!.getsockname() as [string, number])[1];
  const [tr] = yield* loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
  while (sinks.length === 0) yield* asyncio.sleep(0.001);
  return [tr, sinks[0]!, srv];
}

function* finish(tr: asyncio.Transport, sink: Sink, srv: asyncio.AbstractServer): Coroutine<Buffer> {
  tr.close();
  const got = yield* sink.closed;
  srv.close();
  yield* srv.waitClosed();
  return got;
}

test("sendfile sends a whole file with sendfile(2); the bytes arrive unchanged", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    const fd = openSync(FILE, "r");
    try {
      const n = yield* loop.sendfile(tr, fd);
      assert.equal(n, DATA.length);
    } finally {
      closeSync(fd);
    }
    const got = yield* finish(tr, sink, srv);
    assert.equal(got.length, DATA.length);
    assert.ok(got.equals(DATA));
  }));

test("sendfile with offset and count, between ordinary writes (a FileHandle as the file)", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    const fh = yield* asyncio.wrapFuture(open(FILE, "r"));
    try {
      tr.write(Buffer.from("HEAD"));
      const n = yield* loop.sendfile(tr, fh, 1000, 100_000);
      assert.equal(n, 100_000);
      tr.write(Buffer.from("TAIL"));
    } finally {
      yield* asyncio.wrapFuture(fh.close());
    }
    const got = yield* finish(tr, sink, srv);
    assert.ok(got.equals(Buffer.concat([Buffer.from("HEAD"), DATA.subarray(1000, 101_000), Buffer.from("TAIL")])));
  }));

test("sendfile of a range past the end sends what there is", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    const fd = openSync(FILE, "r");
    try {
      const n = yield* loop.sendfile(tr, fd, DATA.length - 10, 1000);
      assert.equal(n, 10);
    } finally {
      closeSync(fd);
    }
    const got = yield* finish(tr, sink, srv);
    assert.ok(got.equals(DATA.subarray(DATA.length - 10)));
  }));

test("the fallback (read and write) path honours the transport's high-water mark", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    // What a TLS transport reports: the fallback is the only way.
    (tr as unknown as { _sendfileCompatible: string })._sendfileCompatible = "FALLBACK";
    tr.setWriteBufferLimits(32 * 1024);
    const [, high] = tr.getWriteBufferLimits();
    const sizes: number[] = [];
    const write = tr.write.bind(tr);
    tr.write = (data: Uint8Array) => {
      sizes.push(tr.getWriteBufferSize());
      write(data);
    };
    // Small kernel buffers and a peer that does not read until the transport
    // went over its high-water mark: the sender must pause and wait.
    (tr.getExtraInfo("socket") as socket.Socket).setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536);
    (sink.t!.getExtraInfo("socket") as socket.Socket).setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536);
    sink.t!.pauseReading();
    let overHigh = false;
    const deadline = loop.time() + 5;
    const watch = (): void => {
      if (tr.getWriteBufferSize() > high || loop.time() > deadline) {
        overHigh = tr.getWriteBufferSize() > high;
        sink.t!.resumeReading();
      } else {
        loop.callLater(0.001, watch);
      }
    };
    watch();
    const fd = openSync(FILE, "r");
    try {
      const n = yield* loop.sendfile(tr, fd, 5, null);
      assert.equal(n, DATA.length - 5);
    } finally {
      closeSync(fd);
    }
    assert.ok(sizes.length > 1);
    assert.ok(sizes.every((s) => s <= high), `a block was written over the high-water mark: ${Math.max(...sizes)}`);
    assert.ok(overHigh, "the write buffer went over the high-water mark");
    assert.ok(sizes.some((s) => s > 0), "the write buffer was used");
    const got = yield* finish(tr, sink, srv);
    assert.ok(got.equals(DATA.subarray(5)));
  }));

test("fallback: false with a transport that only has the fallback: RuntimeError", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    (tr as unknown as { _sendfileCompatible: string })._sendfileCompatible = "FALLBACK";
    const fd = openSync(FILE, "r");
    try {
      const fut = asyncio.ensureFuture(loop.sendfile(tr, fd, 0, null, { fallback: false }));
      yield* asyncio.wait([fut]);
      assert.ok(fut.exception() instanceof RuntimeError);
      assert.match(fut.exception()!.message, /^fallback is disabled and native sendfile is not supported for transport/);
    } finally {
      closeSync(fd);
    }
    yield* finish(tr, sink, srv);
  }));

test("native sendfile that cannot be used: SendfileNotAvailableError without fallback, the fallback with it", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    // A directory fd: sendfile(2) refuses it before any byte is sent.
    const fd = openSync(dir, "r");
    try {
      const fut = asyncio.ensureFuture(loop.sendfile(tr, fd, 0, null, { fallback: false }));
      yield* asyncio.wait([fut]);
      assert.ok(fut.exception() instanceof SendfileNotAvailableError, String(fut.exception()));
      assert.equal(tr.isClosing(), false, "the transport is still usable");
      assert.equal((tr as asyncio.Transport).isReading(), true, "reading resumed");
    } finally {
      closeSync(fd);
    }
    tr.write(Buffer.from("after"));
    const got = yield* finish(tr, sink, srv);
    assert.equal(got.toString(), "after");
  }));

test("the file position ends after the bytes sent, on both paths", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    const fd = openSync(FILE, "r");
    const next = (): number => {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, null);
      return b[0]!;
    };
    try {
      assert.equal(yield* loop.sendfile(tr, fd, 10, 100), 100);
      assert.equal(next(), DATA[110]);
      (tr as unknown as { _sendfileCompatible: string })._sendfileCompatible = "FALLBACK";
      assert.equal(yield* loop.sendfile(tr, fd, 1000, 50_000), 50_000);
      assert.equal(next(), DATA[51_000]);
      // Offset 0 means the current position, as in Python.
      assert.equal(yield* loop.sendfile(tr, fd, 0, 10), 10);
      assert.equal(next(), DATA[10], "Python seeks to offset + sent, here 0 + 10");
    } finally {
      closeSync(fd);
    }
    const got = yield* finish(tr, sink, srv);
    assert.ok(got.equals(Buffer.concat([DATA.subarray(10, 110), DATA.subarray(1000, 51_000), DATA.subarray(51_001, 51_011)])));
  }));

test("sendfile errors: unsupported transport, closing transport, bad offset or count", () =>
  inLoop(function* (loop) {
    const [tr, sink, srv] = yield* connected(loop);
    const fd = openSync(FILE, "r");
    try {
      const fail = function* (coro: Coroutine<number>, cls: new (...a: never[]) => Error, re: RegExp): Coroutine<void> {
        const fut = asyncio.ensureFuture(coro);
        yield* asyncio.wait([fut]);
        assert.ok(fut.exception() instanceof cls, String(fut.exception()));
        assert.match(fut.exception()!.message, re);
      };
      yield* fail(loop.sendfile(tr, fd, -1), ValueError, /^offset must be a non-negative integer \(got -1\)$/);
      yield* fail(loop.sendfile(tr, fd, 0, 0), ValueError, /^count must be a positive integer \(got 0\)$/);
      yield* fail(loop.sendfile(tr, fd, 0.5), TypeError, /^offset must be a non-negative integer/);
      const saved = (tr as unknown as { _sendfileCompatible: string })._sendfileCompatible;
      (tr as unknown as { _sendfileCompatible: string })._sendfileCompatible = "UNSUPPORTED";
      yield* fail(loop.sendfile(tr, fd), RuntimeError, /^sendfile is not supported for transport/);
      (tr as unknown as { _sendfileCompatible: string })._sendfileCompatible = saved;
      tr.close();
      yield* fail(loop.sendfile(tr, fd), RuntimeError, /^Transport is closing$/);
    } finally {
      closeSync(fd);
    }
    yield* sink.closed;
    srv.close();
    yield* srv.waitClosed();
  }));
