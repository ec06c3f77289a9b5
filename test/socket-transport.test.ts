// The selector socket transport (CPython's test_selector_events
// _SelectorSocketTransport behaviour) over real socketpairs and TCP, and the
// accept loop (startServing/stopServing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as asyncio from "../src/index.js";
import type { BaseEventLoop } from "../src/core/base-events.js";
import type { Coroutine } from "../src/core/coroutines.js";
import { logger, type LogRecord } from "../src/core/log.js";
import { BufferedProtocol, Protocol } from "../src/core/protocols.js";
import type { BaseTransport, Transport } from "../src/core/transports.js";
import {
  AF_INET, IPPROTO_TCP, SHUT_WR, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_SNDBUF, Socket, TCP_NODELAY, socketpair,
} from "../src/stdlib/socket.js";
import { makeSocketTransport, type ServerInternals } from "../src/net/socket-transport.js";
import { startServing, stopServing } from "../src/net/accept.js";

async function withLoop(body: (loop: BaseEventLoop) => Coroutine<void>): Promise<void> {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  try {
    await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

function pair(): [Socket, Socket] {
  const [a, b] = socketpair();
  a.setblocking(false);
  b.setblocking(false);
  return [a, b];
}

/** A protocol that records every call. */
class Recorder extends Protocol {
  events: string[] = [];
  data: Buffer[] = [];
  transport: Transport | null = null;
  lost: asyncio.Future<Error | null>;
  eof: asyncio.Future<void>;
  keepOpen = false;
  constructor(loop: BaseEventLoop) {
    super();
    this.lost = loop.createFuture();
    this.eof = loop.createFuture();
  }
  override connectionMade(t: BaseTransport): void {
    this.events.push("made");
    this.transport = t as Transport;
  }
  override dataReceived(d: Uint8Array): void {
    this.events.push("data");
    this.data.push(Buffer.from(d));
  }
  override eofReceived(): boolean {
    this.events.push("eof");
    this.eof.setResult();
    return this.keepOpen;
  }
  override pauseWriting(): void {
    this.events.push("pause");
  }
  override resumeWriting(): void {
    this.events.push("resume");
  }
  override connectionLost(exc: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(exc);
  }
  received(): string {
    return Buffer.concat(this.data).toString();
  }
}

function* readAll(loop: BaseEventLoop, s: Socket): Coroutine<Buffer> {
  const chunks: Buffer[] = [];
  for (;;) {
    const d = yield* loop.sockRecv(s, 1 << 20);
    if (d.length === 0) return Buffer.concat(chunks);
    chunks.push(d);
  }
}

test("connectionMade runs via callSoon, then reading starts, then the waiter is resolved", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const p = new Recorder(loop);
    const waiter = loop.createFuture<void>();
    b.send(Buffer.from("early"));
    const tr = makeSocketTransport(loop, a, p, waiter, null, null);
    assert.deepEqual(p.events, [], "nothing runs synchronously");
    yield* waiter;
    assert.deepEqual(p.events, ["made"], "waiter after connectionMade, before any data");
    while (p.data.length === 0) yield* asyncio.sleep(0.001);
    assert.deepEqual(p.events, ["made", "data"]);
    assert.equal(p.received(), "early");
    assert.equal(tr.getExtraInfo("socket"), a);
    assert.equal(tr.getExtraInfo("sockname"), "");
    assert.equal(tr.getExtraInfo("peername"), "");
    assert.equal(tr.getExtraInfo("nope", 7), 7);
    assert.equal(tr.getProtocol(), p);
    assert.equal(tr.isReading(), true);
    assert.equal(tr.canWriteEof(), true);
    tr.close();
    assert.equal(tr.isClosing(), true);
    assert.equal(yield* p.lost, null);
    assert.equal(a.fileno(), -1, "the transport closed its socket");
    b.close();
  }));

test("TCP: extra info and TCP_NODELAY as asyncio sets it; data both ways", () =>
  withLoop(function* (loop) {
    const srv = new Socket(AF_INET, SOCK_STREAM);
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    srv.setblocking(false);
    const c = new Socket(AF_INET, SOCK_STREAM);
    c.setblocking(false);
    const acc = asyncio.ensureFuture(loop.sockAccept(srv));
    yield* loop.sockConnect(c, srv.getsockname());
    const [conn] = yield* acc;
    const p = new Recorder(loop);
    const waiter = loop.createFuture<void>();
    const tr = makeSocketTransport(loop, conn, p, waiter, null, null);
    yield* waiter;
    assert.deepEqual(tr.getExtraInfo("peername"), c.getsockname());
    assert.deepEqual(tr.getExtraInfo("sockname"), srv.getsockname());
    assert.notEqual(conn.getsockopt(IPPROTO_TCP, TCP_NODELAY), 0);
    tr.write(Buffer.from("ping"));
    assert.equal((yield* loop.sockRecv(c, 10)).toString(), "ping");
    yield* loop.sockSendall(c, Buffer.from("pong"));
    while (p.received() !== "pong") yield* asyncio.sleep(0.001);
    tr.close();
    yield* p.lost;
    c.close();
    srv.close();
  }));

test("flow control: pauseWriting over the high-water mark while the peer does not read, resumeWriting once it drains", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    b.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    const p = new Recorder(loop);
    const waiter = loop.createFuture<void>();
    const tr = makeSocketTransport(loop, a, p, waiter, null, null);
    yield* waiter;
    tr.setWriteBufferLimits(1000, 100);
    assert.deepEqual(tr.getWriteBufferLimits(), [100, 1000]);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    tr.write(chunk);
    assert.ok(tr.getWriteBufferSize() > 1000, "the kernel did not take it all");
    assert.deepEqual(p.events, ["made", "pause"]);
    tr.write(chunk);
    assert.deepEqual(p.events, ["made", "pause"], "pauseWriting only once");
    const total = 2 * chunk.length;
    let got = 0;
    while (got < total) got += (yield* loop.sockRecv(b, 1 << 20)).length;
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.deepEqual(p.events, ["made", "pause", "resume"]);
    tr.close();
    yield* p.lost;
    b.close();
  }));

test("close() flushes the buffer first, then connectionLost(null); abort() drops it", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    const p = new Recorder(loop);
    const tr = makeSocketTransport(loop, a, p, null, null, null);
    yield* asyncio.sleep(0);
    const big = Buffer.alloc(2 * 1024 * 1024, 0x62);
    tr.write(big);
    assert.ok(tr.getWriteBufferSize() > 0);
    tr.close();
    tr.close();
    assert.equal(tr.isReading(), false);
    const got = yield* readAll(loop, b);
    assert.equal(got.length, big.length);
    assert.equal(yield* p.lost, null);
    assert.deepEqual(p.events.filter((e) => e === "lost"), ["lost"]);
    b.close();

    const [c, d] = pair();
    c.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    const q = new Recorder(loop);
    const tr2 = makeSocketTransport(loop, c, q, null, null, null);
    yield* asyncio.sleep(0);
    tr2.write(big);
    tr2.abort();
    assert.equal(tr2.getWriteBufferSize(), 0);
    assert.equal(yield* q.lost, null);
    const got2 = yield* readAll(loop, d);
    assert.ok(got2.length < big.length, "abort did not flush");
    d.close();
  }));

test("EOF: eofReceived() falsy closes the transport; truthy keeps it half-open for writing", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const p = new Recorder(loop);
    makeSocketTransport(loop, a, p, null, null, null);
    b.shutdown(SHUT_WR);
    yield* p.eof;
    assert.equal(yield* p.lost, null);
    assert.deepEqual(p.events, ["made", "eof", "lost"]);
    b.close();

    const [c, d] = pair();
    const q = new Recorder(loop);
    q.keepOpen = true;
    const tr = makeSocketTransport(loop, c, q, null, null, null);
    d.shutdown(SHUT_WR);
    yield* q.eof;
    yield* asyncio.sleep(0.01);
    assert.equal(q.lost.done(), false, "still open");
    tr.write(Buffer.from("still here"));
    tr.writeEof();
    assert.throws(() => tr.write(Buffer.from("x")), { name: "RuntimeError", message: "Cannot call write() after write_eof()" });
    assert.throws(() => tr.writelines([Buffer.from("x")]), { name: "RuntimeError", message: "Cannot call writelines() after write_eof()" });
    assert.equal((yield* readAll(loop, d)).toString(), "still here");
    tr.close();
    yield* q.lost;
    d.close();
  }));

test("writeEof after buffered data: shutdown(SHUT_WR) only once the buffer drains", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    const p = new Recorder(loop);
    const tr = makeSocketTransport(loop, a, p, null, null, null);
    yield* asyncio.sleep(0);
    const big = Buffer.alloc(1024 * 1024, 0x63);
    tr.write(big);
    tr.writeEof();
    const got = yield* readAll(loop, b);
    assert.equal(got.length, big.length);
    tr.close();
    yield* p.lost;
    b.close();
  }));

test("write(): TypeError for non-bytes; empty writes are ignored; writelines sends chunks in order", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const p = new Recorder(loop);
    const tr = makeSocketTransport(loop, a, p, null, null, null);
    yield* asyncio.sleep(0);
    assert.throws(() => tr.write("text" as never), {
      name: "TypeError", message: "data argument must be a bytes-like object, not 'str'; encode text first: Buffer.from(text) (UTF-8)",
    });
    tr.write(Buffer.alloc(0));
    tr.writelines([Buffer.from("a"), new Uint8Array([98]), Buffer.from("c")]);
    tr.write(new Uint16Array([0x6564]) as unknown as Uint8Array); // any bytes-like view, as Python accepts
    tr.close();
    assert.equal((yield* readAll(loop, b)).toString(), "abcde");
    yield* p.lost;
    b.close();
  }));

test("writes after the connection is lost are counted; from the 5th on a warning is logged", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const p = new Recorder(loop);
    const tr = makeSocketTransport(loop, a, p, null, null, null);
    yield* asyncio.sleep(0);
    const records: LogRecord[] = [];
    logger.setSink((r) => records.push(r));
    try {
      tr.abort();
      for (let i = 0; i < 6; i++) tr.write(Buffer.from("x"));
    } finally {
      logger.setSink(null);
    }
    assert.deepEqual(records.map((r) => r.message), ["socket.send() raised exception.", "socket.send() raised exception."]);
    yield* p.lost;
    b.close();
  }));

test("pauseReading/resumeReading/isReading", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const p = new Recorder(loop);
    const tr = makeSocketTransport(loop, a, p, null, null, null);
    yield* asyncio.sleep(0);
    tr.pauseReading();
    assert.equal(tr.isReading(), false);
    b.send(Buffer.from("held"));
    yield* asyncio.sleep(0.01);
    assert.equal(p.received(), "");
    tr.resumeReading();
    assert.equal(tr.isReading(), true);
    while (p.received() !== "held") yield* asyncio.sleep(0.001);
    tr.close();
    yield* p.lost;
    b.close();
  }));

test("a peer reset: the OSError goes to connectionLost, not to the exception handler", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const handled: unknown[] = [];
    loop.setExceptionHandler((_l, ctx) => handled.push(ctx));
    const p = new Recorder(loop);
    const tr = makeSocketTransport(loop, a, p, null, null, null);
    yield* asyncio.sleep(0);
    b.close();
    tr.write(Buffer.from("to nobody"));
    tr.write(Buffer.from("to nobody"));
    const exc = yield* p.lost;
    assert.ok(exc === null || exc instanceof asyncio.OSError, String(exc));
    assert.deepEqual(handled, []);
  }));

test("an exception in dataReceived is a fatal error: exception handler, then connectionLost(exc)", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const handled: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => handled.push(ctx));
    const p = new Recorder(loop);
    p.dataReceived = () => {
      throw new Error("bad protocol");
    };
    makeSocketTransport(loop, a, p, null, null, null);
    b.send(Buffer.from("x"));
    const exc = yield* p.lost;
    assert.equal(exc?.message, "bad protocol");
    assert.equal(handled.length, 1);
    assert.equal(handled[0]!.message, "Fatal error: protocol.data_received() call failed.");
    b.close();
  }));

test("BufferedProtocol reads straight into getBuffer(-1); setProtocol switches between the two kinds", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const store = Buffer.alloc(8);
    const got: string[] = [];
    const hints: number[] = [];
    const bp = new (class extends BufferedProtocol {
      override getBuffer(sizehint: number): Uint8Array {
        hints.push(sizehint);
        return store;
      }
      override bufferUpdated(n: number): void {
        got.push(store.subarray(0, n).toString());
      }
    })();
    const tr = makeSocketTransport(loop, a, bp, null, null, null);
    b.send(Buffer.from("0123456789"));
    while (got.join("") !== "0123456789") yield* asyncio.sleep(0.001);
    assert.deepEqual(got, ["01234567", "89"], "at most the buffer's length per read");
    assert.ok(hints.every((h) => h === -1));
    const p = new Recorder(loop);
    tr.setProtocol(p);
    assert.equal(tr.getProtocol(), p);
    b.send(Buffer.from("plain"));
    while (p.received() !== "plain") yield* asyncio.sleep(0.001);
    tr.setProtocol(bp);
    b.send(Buffer.from("again"));
    while (got[got.length - 1] !== "again") yield* asyncio.sleep(0.001);
    tr.close();
    b.close();
  }));

test("an empty buffer from getBuffer() is a fatal error", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const handled: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => handled.push(ctx));
    const lost = loop.createFuture<Error | null>();
    const bp = new (class extends BufferedProtocol {
      override getBuffer(): Uint8Array {
        return new Uint8Array(0);
      }
      override connectionLost(exc: Error | null): void {
        lost.setResult(exc);
      }
    })();
    makeSocketTransport(loop, a, bp, null, null, null);
    b.send(Buffer.from("x"));
    const exc = yield* lost;
    assert.equal(exc?.message, "get_buffer() returned an empty buffer");
    assert.equal(handled[0]!.message, "Fatal error: protocol.get_buffer() call failed.");
    b.close();
  }));

class FakeServer implements ServerInternals {
  attached = new Set<BaseTransport>();
  detached: BaseTransport[] = [];
  _attach(t: BaseTransport): void {
    this.attached.add(t);
  }
  _detach(t: BaseTransport): void {
    this.attached.delete(t);
    this.detached.push(t);
  }
}

test("server integration: _attach on creation, _detach once the connection is lost", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const server = new FakeServer();
    const p = new Recorder(loop);
    const tr = makeSocketTransport(loop, a, p, null, null, server);
    assert.ok(server.attached.has(tr));
    tr.close();
    yield* p.lost;
    assert.deepEqual(server.detached, [tr]);
    assert.equal(server.attached.size, 0);
    b.close();
  }));

test("accept loop: startServing makes a transport and protocol per connection with peername; stopServing closes the socket", () =>
  withLoop(function* (loop) {
    const lsock = new Socket(AF_INET, SOCK_STREAM);
    lsock.bind(["127.0.0.1", 0]);
    lsock.listen(100);
    lsock.setblocking(false);
    const server = new FakeServer();
    const protos: Recorder[] = [];
    startServing(loop, () => {
      const p = new Recorder(loop);
      protos.push(p);
      return p;
    }, lsock, null, server, 100, null, null);
    const clients: Socket[] = [];
    for (let i = 0; i < 5; i++) {
      const c = new Socket(AF_INET, SOCK_STREAM);
      c.setblocking(false);
      yield* loop.sockConnect(c, lsock.getsockname());
      yield* loop.sockSendall(c, Buffer.from(`client ${i}`));
      clients.push(c);
    }
    while (protos.length < 5 || protos.some((p) => p.data.length === 0)) yield* asyncio.sleep(0.001);
    assert.deepEqual(protos.map((p) => p.received()).sort(), [0, 1, 2, 3, 4].map((i) => `client ${i}`));
    assert.equal(server.attached.size, 5);
    for (const [i, p] of protos.entries()) {
      const peer = p.transport!.getExtraInfo("peername") as [string, number];
      assert.ok(clients.some((c) => (c.getsockname() as [string, number])[1] === peer[1]), `peer of ${i}`);
    }
    stopServing(loop, lsock);
    assert.equal(lsock.fileno(), -1);
    for (const p of protos) p.transport!.close();
    for (const p of protos) yield* p.lost;
    assert.equal(server.attached.size, 0);
    for (const c of clients) c.close();
  }));

test("errors of connectionMade in accepted connections go to the exception handler", () =>
  withLoop(function* (loop) {
    const lsock = new Socket(AF_INET, SOCK_STREAM);
    lsock.bind(["127.0.0.1", 0]);
    lsock.listen();
    lsock.setblocking(false);
    const handled: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => handled.push(ctx));
    startServing(loop, () => new (class extends Protocol {
      override connectionMade(): void {
        throw new Error("made failed");
      }
    })(), lsock, null, new FakeServer(), 100, null, null);
    const c = new Socket(AF_INET, SOCK_STREAM);
    c.setblocking(false);
    yield* loop.sockConnect(c, lsock.getsockname());
    while (handled.length === 0) yield* asyncio.sleep(0.001);
    assert.equal((handled[0]!.exception as Error).message, "made failed");
    assert.match(handled[0]!.message, /^Exception in callback /);
    stopServing(loop, lsock);
    c.close();
  }));

for (const debug of [false, true]) {
  test(`connectionMade and the start of reading (debug ${debug}): separate contexts, its error reported as its own callback's, reading starts anyway`, () =>
    withLoop(function* (loop) {
      loop.setDebug(debug);
      const v = new asyncio.ContextVar<string>("v", { default: "unset" });
      v.set("outer");
      const handled: asyncio.ExceptionContext[] = [];
      loop.setExceptionHandler((_l, ctx) => handled.push(ctx));
      const [a, b] = pair();
      const seen: string[] = [];
      const p = new (class extends Recorder {
        override connectionMade(t: BaseTransport): void {
          super.connectionMade(t);
          seen.push(`made ${v.get()}`);
          v.set("set in connectionMade");
          throw new Error("made failed");
        }
        override dataReceived(d: Uint8Array): void {
          super.dataReceived(d);
          seen.push(`data ${v.get()}`);
        }
      })(loop);
      b.send(Buffer.from("x"));
      const tr = makeSocketTransport(loop, a, p, null, null, null);
      while (p.data.length === 0) yield* asyncio.sleep(0.001);
      assert.deepEqual(seen, ["made outer", "data outer"]);
      assert.equal(handled.length, 1);
      assert.equal((handled[0]!.exception as Error).message, "made failed");
      assert.match(handled[0]!.message, /^Exception in callback bound connectionMade\(<_SelectorSocketTransport fd=\d+ read=idle /);
      const h = handled[0]!.handle as asyncio.Handle;
      assert.equal(h.getContext().get(v), "set in connectionMade", "the handle's context is the one connectionMade left");
      tr.close();
      yield* p.lost;
      b.close();
    }));
}

/** Whether the non-blocking `peer` reads EOF within 50 forced GCs: the socket at the other end was collected and closed. */
async function eofOnceCollected(peer: Socket): Promise<boolean> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 50; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    try {
      return peer.recv(10).length === 0;
    } catch (e) {
      if (!(e instanceof asyncio.BlockingIOError)) throw e;
    }
  }
  return false;
}

test("a connection accepted just before its loop closes, with no transport made yet, has its fd closed once it is collected", async () => {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  const lsock = new Socket(AF_INET, SOCK_STREAM);
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen();
  lsock.setblocking(false);
  let made = 0;
  startServing(loop, () => {
    made++;
    return new Protocol();
  }, lsock, null, new FakeServer(), 100, null, null);
  const c = new Socket(AF_INET, SOCK_STREAM);
  c.connect(lsock.getsockname());
  // stop() before runForever(): one iteration, which accepts; the transport would be made in the next.
  loop.stop();
  await loop.runForever();
  assert.equal(made, 0, "no transport yet");
  stopServing(loop, lsock);
  loop.close();
  c.setblocking(false);
  assert.ok(await eofOnceCollected(c), "the collected accepted socket was closed");
  c.close();
});

test("a transport still open when its loop closes has its fd closed once it is collected", async () => {
  // The selector holds an open transport, so its socket is left out of the
  // close-on-collection registry; closing the loop puts it back.
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  // Only the peer is kept: the transport's own socket lives in the coroutine.
  const b = await loop.runUntilComplete((function* () {
    const [a, peer] = pair();
    makeSocketTransport(loop, a, new Protocol(), null, null, null);
    yield* asyncio.sleep(0);
    return peer;
  })());
  loop.close();
  assert.ok(await eofOnceCollected(b), "the collected transport's socket was closed");
  b.close();
});
