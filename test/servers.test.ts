// loop.createServer and the Server object on real loopback sockets: the
// behaviour CPython's test_events.py (create_server), test_base_events.py and
// test_server.py check.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import { CancelledError, ConnectionRefusedError, OSError, RuntimeError, ValueError, type Coroutine } from "../src/index.js";
import { Server } from "../src/net/servers.js";
import { inLoop, futureRaises as raises } from "./helpers/loop.js";

const {
  AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, SO_REUSEADDR, SO_KEEPALIVE, IPPROTO_IPV6, IPV6_V6ONLY,
} = socket;
const EADDRINUSE = 98;

/** Echoes what it receives; records its transport and when the connection ends. */
class EchoProto extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;
  static instances: EchoProto[] = [];
  lost: asyncio.Future<Error | null>;
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.lost = loop.createFuture();
    EchoProto.instances.push(this);
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.transport = t as asyncio.Transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
  override connectionLost(exc: Error | null): void {
    if (!this.lost.done()) this.lost.setResult(exc);
  }
}

/** A client protocol collecting what it receives. */
class Client extends asyncio.Protocol {
  data = "";
  transport: asyncio.Transport | null = null;
  lost: asyncio.Future<Error | null>;
  waiter: asyncio.Future<void> | null = null;
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.lost = loop.createFuture();
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.transport = t as asyncio.Transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.data += Buffer.from(data).toString();
    if (this.waiter && !this.waiter.done()) this.waiter.setResult(undefined);
  }
  override connectionLost(exc: Error | null): void {
    if (!this.lost.done()) this.lost.setResult(exc);
  }
  /** Writes and waits until `expect` has arrived. */
  *roundTrip(loop: asyncio.AbstractEventLoop, msg: string, expect = msg): Coroutine<void> {
    const before = this.data.length;
    this.transport!.write(Buffer.from(msg));
    while (this.data.length < before + expect.length) {
      this.waiter = loop.createFuture<void>();
      yield* this.waiter;
    }
    assert.equal(this.data.slice(before), expect);
  }
}

function portOf(s: socket.Socket): number {
  return (s.getsockname() as [string, number])[1];
}

function* connect(loop: asyncio.BaseEventLoop, host: string, port: number): Coroutine<Client> {
  const [, c] = yield* loop.createConnection(() => new Client(loop), host, port);
  return c;
}

test("createServer on 127.0.0.1 port 0: serving, echoing, repr, close", () =>
  inLoop(function* (loop) {
    const srv = (yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0)) as Server;
    assert.ok(srv instanceof Server);
    assert.equal(srv.getLoop(), loop);
    assert.equal(srv.isServing(), true);
    assert.equal(srv.sockets.length, 1);
    const s = srv.sockets[0]!;
    assert.equal(s.family, AF_INET);
    assert.ok(portOf(s) > 0);
    assert.notEqual(srv.sockets, srv.sockets, "sockets is a copy");
    assert.match(String(srv), /^<Server sockets=\(<Socket fd=\d+, family=2, type=1, proto=6, laddr=\('127\.0\.0\.1', \d+\)>,\)>$/);
    const c = yield* connect(loop, "127.0.0.1", portOf(s));
    yield* c.roundTrip(loop, "hello");
    c.transport!.close();
    yield* c.lost;
    srv.close();
    assert.deepEqual(srv.sockets, []);
    assert.equal(srv.isServing(), false);
    assert.equal(s.fileno(), -1, "the listening socket is closed");
    yield* srv.waitClosed();
  }));

test("createServer on ::1 sets IPV6_V6ONLY", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), "::1", 0);
    const s = srv.sockets[0]!;
    assert.equal(s.family, AF_INET6);
    assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
    const c = yield* connect(loop, "::1", portOf(s));
    yield* c.roundTrip(loop, "v6");
    c.transport!.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("createServer with no host listens on every family's wildcard, each on its own port", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), null, 0);
    const fams = srv.sockets.map((s) => s.family).sort();
    assert.ok(fams.length >= 1);
    assert.equal(new Set(fams).size, fams.length, "one socket per family");
    for (const s of srv.sockets) {
      const [host] = s.getsockname() as [string, number];
      assert.ok(host === "0.0.0.0" || host === "::", host);
      if (s.family === AF_INET6) assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
    }
    const v4 = srv.sockets.find((s) => s.family === AF_INET);
    if (v4) {
      const c = yield* connect(loop, "127.0.0.1", portOf(v4));
      yield* c.roundTrip(loop, "any");
      c.transport!.close();
    }
    srv.close();
    yield* srv.waitClosed();
  }));

test("createServer with '' as host is the same as null", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), "", 0);
    assert.ok(srv.sockets.every((s) => ["0.0.0.0", "::"].includes((s.getsockname() as [string, number])[0])));
    srv.close();
  }));

test("createServer with a list of hosts binds each once", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), ["127.0.0.1", "::1", "127.0.0.1"], 0);
    assert.deepEqual(srv.sockets.map((s) => (s.getsockname() as [string, number])[0]).sort(), ["127.0.0.1", "::1"]);
    for (const s of srv.sockets) {
      const c = yield* connect(loop, (s.getsockname() as [string, number])[0], portOf(s));
      yield* c.roundTrip(loop, "multi");
      c.transport!.close();
    }
    srv.close();
    yield* srv.waitClosed();
  }));

test("reuseAddress is on by default on Unix and can be turned off", () =>
  inLoop(function* (loop) {
    const a = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0);
    assert.notEqual(a.sockets[0]!.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
    const b = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0, { reuseAddress: false });
    assert.equal(b.sockets[0]!.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
    a.close();
    b.close();
  }));

test("reusePort: two servers share one port; without it the second bind fails with Python's message", () =>
  inLoop(function* (loop) {
    const a = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0, { reusePort: true });
    const port = portOf(a.sockets[0]!);
    const b = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", port, { reusePort: true });
    assert.equal(portOf(b.sockets[0]!), port);
    // Both accept: closing one leaves the port served by the other.
    a.close();
    const c = yield* connect(loop, "127.0.0.1", port);
    yield* c.roundTrip(loop, "shared");
    c.transport!.close();
    const e = yield* raises(loop.createServer(() => new EchoProto(loop), "127.0.0.1", port), OSError);
    assert.equal((e as OSError).errno, EADDRINUSE);
    assert.equal(e.message,
      `[Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): [errno 98] address already in use`);
    b.close();
    yield* b.waitClosed();
  }));

test("keepAlive: accepted sockets have SO_KEEPALIVE", () =>
  inLoop(function* (loop) {
    EchoProto.instances = [];
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0, { keepAlive: true });
    const c = yield* connect(loop, "127.0.0.1", portOf(srv.sockets[0]!));
    yield* c.roundTrip(loop, "ka");
    const accepted = EchoProto.instances[0]!.transport!.getExtraInfo("socket") as socket.Socket;
    assert.equal(accepted.getsockopt(SOL_SOCKET, SO_KEEPALIVE), 1);
    c.transport!.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("createServer with sock, and its argument errors", () =>
  inLoop(function* (loop) {
    const sock = new socket.Socket(AF_INET, SOCK_STREAM);
    sock.bind(["127.0.0.1", 0]);
    const srv = yield* loop.createServer(() => new EchoProto(loop), undefined, undefined, { sock });
    assert.equal(srv.sockets[0], sock);
    const c = yield* connect(loop, "127.0.0.1", portOf(sock));
    yield* c.roundTrip(loop, "sock");
    c.transport!.close();
    srv.close();
    const pf = () => new EchoProto(loop);
    const other = new socket.Socket(AF_INET, SOCK_STREAM);
    const dgram = new socket.Socket(AF_INET, SOCK_DGRAM);
    try {
      yield* raises(loop.createServer(pf, "127.0.0.1", 0, { sock: other }), ValueError,
        "host/port and sock can not be specified at the same time");
      yield* raises(loop.createServer(pf), ValueError, "Neither host/port nor sock were specified");
      yield* raises(loop.createServer(pf, undefined, undefined, { sock: dgram }), ValueError, /^A Stream Socket was expected, got/);
      yield* raises(loop.createServer(pf, "127.0.0.1", 0, { ssl: true as never }), TypeError,
        "ssl argument must be an SSLContext or None");
      yield* raises(loop.createServer(pf, "127.0.0.1", 0, { sslHandshakeTimeout: 1 }), ValueError,
        "ssl_handshake_timeout is only meaningful with ssl");
      yield* raises(loop.createServer(pf, "127.0.0.1", 0, { sslShutdownTimeout: 1 }), ValueError,
        "ssl_shutdown_timeout is only meaningful with ssl");
    } finally {
      other.close();
      dgram.close();
    }
  }));

test("startServing: false: not listening until startServing() or serveForever()", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0, { startServing: false });
    assert.equal(srv.isServing(), false);
    const port = portOf(srv.sockets[0]!);
    yield* raises(loop.createConnection(() => new Client(loop), "127.0.0.1", port), ConnectionRefusedError);
    yield* srv.startServing();
    assert.equal(srv.isServing(), true);
    yield* srv.startServing(); // idempotent
    const c = yield* connect(loop, "127.0.0.1", port);
    yield* c.roundTrip(loop, "late");
    c.transport!.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("waitClosed waits for close() and for every connection to go, in either order", () =>
  inLoop(function* (loop) {
    EchoProto.instances = [];
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0);
    // Open, no connection: blocks.
    const t1 = asyncio.ensureFuture(srv.waitClosed());
    yield* asyncio.sleep(0);
    assert.equal(t1.done(), false);
    // Open, one connection: blocks.
    const c = yield* connect(loop, "127.0.0.1", portOf(srv.sockets[0]!));
    yield* c.roundTrip(loop, "x");
    const t2 = asyncio.ensureFuture(srv.waitClosed());
    srv.close();
    yield* asyncio.sleep(0);
    // Closed, the connection still open and still working: blocks.
    const t3 = asyncio.ensureFuture(srv.waitClosed());
    yield* c.roundTrip(loop, "still served");
    assert.deepEqual([t1.done(), t2.done(), t3.done()], [false, false, false]);
    c.transport!.close();
    yield* EchoProto.instances[0]!.lost;
    yield* asyncio.gather(t1, t2, t3);
    yield* srv.waitClosed(); // returns at once now
  }));

test("wait_closed race of 3.12.0: close and client close in the same iteration", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0);
    const task = asyncio.ensureFuture(srv.waitClosed());
    yield* asyncio.sleep(0);
    assert.equal(task.done(), false);
    const c = yield* connect(loop, "127.0.0.1", portOf(srv.sockets[0]!));
    yield* c.roundTrip(loop, "r");
    loop.callSoon(() => srv.close());
    loop.callSoon(() => c.transport!.close());
    yield* srv.waitClosed();
    yield* task;
  }));

test("closeClients closes the server's connections so waitClosed returns", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0);
    const c = yield* connect(loop, "127.0.0.1", portOf(srv.sockets[0]!));
    yield* c.roundTrip(loop, "y");
    const task = asyncio.ensureFuture(srv.waitClosed());
    yield* asyncio.sleep(0);
    assert.equal(task.done(), false);
    srv.close();
    srv.closeClients();
    yield* task;
    assert.equal(yield* c.lost, null, "the client saw EOF");
  }));

test("abortClients drops connections with unsent data so waitClosed returns", () =>
  inLoop(function* (loop) {
    EchoProto.instances = [];
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0);
    const c = yield* connect(loop, "127.0.0.1", portOf(srv.sockets[0]!));
    yield* c.roundTrip(loop, "z");
    c.transport!.pauseReading();
    const server = EchoProto.instances[0]!.transport!;
    const chunk = Buffer.alloc(1 << 20, 97);
    for (let i = 0; i < 64 && server.getWriteBufferSize() === 0; i++) server.write(chunk);
    assert.ok(server.getWriteBufferSize() > 0, "the server transport has buffered data");
    const task = asyncio.ensureFuture(srv.waitClosed());
    yield* asyncio.sleep(0);
    assert.equal(task.done(), false);
    srv.close();
    srv.abortClients();
    yield* task;
    c.transport!.close();
  }));

test("serveForever: cancelling it closes the server; it cannot run twice or after close", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0, { startServing: false });
    const port = portOf(srv.sockets[0]!);
    const main = asyncio.ensureFuture(srv.serveForever());
    yield* asyncio.sleep(0);
    assert.equal(srv.isServing(), true);
    yield* raises(srv.serveForever(), RuntimeError, /is already being awaited on serve_forever\(\)$/);
    const c = yield* connect(loop, "127.0.0.1", port);
    yield* c.roundTrip(loop, "forever");
    c.transport!.close();
    main.cancel();
    yield* asyncio.wait([main]);
    assert.ok(main.cancelled());
    assert.deepEqual(srv.sockets, []);
    assert.equal(srv.isServing(), false);
    yield* raises(srv.serveForever(), RuntimeError, /is closed$/);
  }));

test("close() while serveForever runs makes it raise CancelledError", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0);
    const main = asyncio.ensureFuture(srv.serveForever());
    yield* asyncio.sleep(0);
    srv.close();
    yield* asyncio.wait([main]);
    assert.ok(main.cancelled() || main.exception() instanceof CancelledError);
  }));

test("Symbol.asyncDispose closes the server and waits for it", () =>
  inLoop(function* (loop) {
    const srv = (yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0)) as Server;
    yield* asyncio.ensureFuture(srv[Symbol.asyncDispose]());
    assert.deepEqual(srv.sockets, []);
    assert.equal(srv.isServing(), false);
  }));

test("an accepted connection's sockname is the local address of that connection, on a listener bound to one address or to all", () =>
  inLoop(function* (loop) {
    for (const host of ["127.0.0.1", "0.0.0.0"]) {
      const seen: unknown[] = [];
      const server = yield* loop.createServer(() => {
        const p = new asyncio.Protocol();
        p.connectionMade = (t: asyncio.BaseTransport): void => void seen.push(t.getExtraInfo("sockname"));
        return p;
      }, host, 0);
      const port = (server.sockets[0]!.getsockname() as [string, number])[1];
      for (let i = 0; i < 2; i++) {
        const [, writer] = yield* asyncio.openConnection("127.0.0.1", port);
        while (seen.length <= i) yield* asyncio.sleep(0);
        assert.deepEqual(seen[i], writer.getExtraInfo("peername"));
        assert.deepEqual(seen[i], ["127.0.0.1", port]);
        writer.close();
      }
      server.close();
      yield* server.waitClosed();
    }
  }));

test("closeClients closes the connections still open, oldest first, after one in the middle ended; waitClosed then returns", () =>
  inLoop(function* (loop) {
    EchoProto.instances = [];
    const srv = (yield* loop.createServer(() => new EchoProto(loop), "127.0.0.1", 0)) as Server;
    const clients: Client[] = [];
    for (let i = 0; i < 3; i++) {
      const c = yield* connect(loop, "127.0.0.1", portOf(srv.sockets[0]!));
      yield* c.roundTrip(loop, `c${i}`);
      clients.push(c);
    }
    const [first, middle, last] = EchoProto.instances;
    clients[1]!.transport!.close();
    yield* middle!.lost;
    const order: string[] = [];
    for (const [name, p] of [["first", first!], ["last", last!]] as const) p.lost.addDoneCallback(() => order.push(name));
    srv.close();
    const closed = asyncio.createTask(srv.waitClosed());
    yield* asyncio.sleep(0);
    assert.equal(closed.done(), false, "two connections are still open");
    srv.closeClients();
    yield* closed;
    assert.deepEqual(order, ["first", "last"]);
    for (const c of clients) c.transport!.close();
  }));
