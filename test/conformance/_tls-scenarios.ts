// TLS scenarios shared by sslproto.test.ts and ssl.test.ts: CPython's
// test_sslproto.py BaseStartTLS and test_ssl.py TestSSL run the same
// functional tests. CPython's peer is a thread with a blocking ssl socket;
// here it is a coroutine on the same loop with a raw tsyncio socket (so a
// read takes exactly the bytes asked for, and the TLS ClientHello stays in
// the kernel until the peer upgrades), upgraded with connectAcceptedSocket.
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { ConnectionAbortedError, SSLContext, ssl } from "../../src/index.js";
import type { BaseEventLoop, Coroutine, Task, Transport } from "../../src/index.js";
import { AF_INET, SOCK_STREAM, Socket } from "../../src/stdlib/socket.js";
import { Recorder, until } from "./_transport-helpers.js";
import { recordMessages, simpleClientSslContext, simpleServerSslContext, testCerts } from "./_test-utils.js";

export const certs = testCerts();

export function clientCtx(): SSLContext {
  return ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certs.caFile });
}

export const PAYLOAD_SIZE = 1024 * 100;
export const HELLO_MSG = Buffer.alloc(PAYLOAD_SIZE, "1");

/** Reads exactly `n` bytes (or up to EOF) from a raw socket. */
export function* recvAll(loop: BaseEventLoop, sock: Socket, n: number): Coroutine<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const d = yield* loop.sockRecv(sock, n - got);
    if (d.length === 0) break;
    parts.push(Buffer.from(d));
    got += d.length;
  }
  return Buffer.concat(parts);
}

/** A one-client TCP server on 127.0.0.1 whose connection runs `serve` (CPython's tcp_server). */
export function tcpServer(loop: BaseEventLoop, serve: (sock: Socket) => Coroutine<void>): { addr: [string, number]; task: Task<void> } {
  const lsock = new Socket(AF_INET, SOCK_STREAM);
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen(1);
  lsock.setblocking(false);
  const addr = lsock.getsockname() as [string, number];
  const task = loop.createTask((function* () {
    try {
      const [sock] = yield* loop.sockAccept(lsock);
      sock.setblocking(false);
      yield* serve(sock);
    } finally {
      lsock.close();
    }
  })());
  return { addr, task };
}

/** The server side of a raw socket becomes TLS: [transport, recording protocol]. */
export function* upgradeServer(loop: BaseEventLoop, sock: Socket, ctx = simpleServerSslContext()): Coroutine<[Transport, Recorder]> {
  const proto = new Recorder();
  const [tr] = yield* loop.connectAcceptedSocket(() => proto, sock, { ssl: ctx });
  return [tr as Transport, proto];
}

/** A client protocol that records and wakes futures, as CPython's ClientProto. */
export class ClientProto extends asyncio.Protocol {
  conMadeCnt = 0;
  transport: Transport | null = null;
  constructor(readonly onData: asyncio.Future<Uint8Array>, readonly onEof: asyncio.Future<boolean>) {
    super();
  }
  override connectionMade(tr: asyncio.BaseTransport): void {
    this.transport = tr as Transport;
    this.conMadeCnt++;
    assert.equal(this.conMadeCnt, 1);
  }
  override dataReceived(data: Uint8Array): void {
    if (!this.onData.done()) this.onData.setResult(Buffer.from(data));
  }
  override eofReceived(): void {
    if (!this.onEof.done()) this.onEof.setResult(true);
  }
}

// ---- the scenarios ----------------------------------------------------------------

export function* startTlsClientRegProto1(loop: BaseEventLoop): Coroutine<void> {
  const srv = tcpServer(loop, function* (sock) {
    const data = yield* recvAll(loop, sock, HELLO_MSG.length);
    assert.equal(data.length, HELLO_MSG.length);
    const [tr, p] = yield* upgradeServer(loop, sock);
    tr.write(Buffer.from("O"));
    yield* until(() => p.data.length >= HELLO_MSG.length, "HELLO over TLS");
    assert.equal(p.data.length, HELLO_MSG.length);
    tr.close();
    yield* until(() => p.lost);
  });
  const onData = loop.createFuture<Uint8Array>();
  const onEof = loop.createFuture<boolean>();
  const [tr, proto] = yield* loop.createConnection(() => new ClientProto(onData, onEof), ...srv.addr);
  tr.write(HELLO_MSG);
  const newTr = yield* loop.startTls(tr, proto, clientCtx(), { serverHostname: "localhost" });
  assert.deepEqual(Buffer.from(yield* onData), Buffer.from("O"));
  newTr.write(HELLO_MSG);
  yield* onEof;
  newTr.close();
  yield* srv.task;
}

export function* createConnectionMemoryLeak(loop: BaseEventLoop): Coroutine<void> {
  const srv = tcpServer(loop, function* (sock) {
    const [tr, p] = yield* upgradeServer(loop, sock);
    tr.write(Buffer.from("O"));
    yield* until(() => p.data.length >= HELLO_MSG.length, "HELLO over TLS");
    tr.close();
    yield* until(() => p.lost);
  });
  const onData = loop.createFuture<Uint8Array>();
  const onEof = loop.createFuture<boolean>();
  const [tr] = yield* loop.createConnection(() => new ClientProto(onData, onEof), ...srv.addr,
    { ssl: clientCtx(), serverHostname: "localhost" });
  assert.deepEqual(Buffer.from(yield* onData), Buffer.from("O"));
  tr.write(HELLO_MSG);
  yield* onEof;
  tr.close();
  yield* srv.task;
}

export function* startTlsClientBufProto1(loop: BaseEventLoop): Coroutine<void> {
  let conMadeCalls = 0;
  const srv = tcpServer(loop, function* (sock) {
    yield* recvAll(loop, sock, HELLO_MSG.length);
    const [tr, p] = yield* upgradeServer(loop, sock);
    tr.write(Buffer.from("O"));
    yield* until(() => p.data.length >= HELLO_MSG.length, "first HELLO");
    tr.write(Buffer.from("2"));
    yield* until(() => p.data.length >= 2 * HELLO_MSG.length, "second HELLO");
    tr.close();
    yield* until(() => p.lost);
  });
  const onData1 = loop.createFuture<Uint8Array>();
  const onData2 = loop.createFuture<Uint8Array>();
  const onEof = loop.createFuture<boolean>();
  class ClientProtoFirst extends asyncio.BufferedProtocol {
    buf = new Uint8Array(1);
    override connectionMade(): void {
      conMadeCalls++;
    }
    override getBuffer(): Uint8Array {
      return this.buf;
    }
    override bufferUpdated(n: number): void {
      assert.equal(n, 1);
      onData1.setResult(Buffer.from(this.buf.subarray(0, n)));
    }
  }
  class ClientProtoSecond extends ClientProto {
    override connectionMade(): void {
      conMadeCalls++;
    }
  }
  const [tr, proto] = yield* loop.createConnection(() => new ClientProtoFirst(), ...srv.addr);
  tr.write(HELLO_MSG);
  const newTr = yield* loop.startTls(tr, proto, clientCtx(), { serverHostname: "localhost" });
  assert.deepEqual(Buffer.from(yield* onData1), Buffer.from("O"));
  newTr.write(HELLO_MSG);
  newTr.setProtocol(new ClientProtoSecond(onData2, onEof));
  assert.deepEqual(Buffer.from(yield* onData2), Buffer.from("2"));
  newTr.write(HELLO_MSG);
  yield* onEof;
  newTr.close();
  // startTls() does not call connectionMade() again.
  assert.equal(conMadeCalls, 1);
  yield* srv.task;
}

export function* startTlsSlowClientCancel(loop: BaseEventLoop): Coroutine<void> {
  const serverWaitsOnHandshake = loop.createFuture<void>();
  const srv = tcpServer(loop, function* (sock) {
    yield* recvAll(loop, sock, HELLO_MSG.length);
    serverWaitsOnHandshake.setResult();
    try {
      yield* recvAll(loop, sock, 1024 * 1024); // never answers the handshake
    } catch {
      // the client went away
    } finally {
      sock.close();
    }
  });
  const onData = loop.createFuture<Uint8Array>();
  const onEof = loop.createFuture<boolean>();
  const [tr, proto] = yield* loop.createConnection(() => new ClientProto(onData, onEof), ...srv.addr);
  tr.write(HELLO_MSG);
  yield* serverWaitsOnHandshake;
  yield* assertRaises(() => asyncio.waitFor(loop.startTls(tr, proto, clientCtx(), { serverHostname: "localhost" }), 0.05), asyncio.TimeoutError);
  yield* srv.task;
}

export function* startTlsServer1(loop: BaseEventLoop): Coroutine<void> {
  const ANSWER = Buffer.from("answer");
  let answer: Buffer | null = null;
  class ServerProto extends asyncio.Protocol {
    data = Buffer.alloc(0);
    transport: Transport | null = null;
    constructor(readonly onCon: asyncio.Future<Transport>, readonly onConLost: asyncio.Future<void>, readonly onGotHello: asyncio.Future<void>) {
      super();
    }
    override connectionMade(tr: asyncio.BaseTransport): void {
      this.transport = tr as Transport;
      this.onCon.setResult(tr as Transport);
    }
    replaceTransport(tr: Transport): void {
      this.transport = tr;
    }
    override dataReceived(data: Uint8Array): void {
      this.data = Buffer.concat([this.data, data]);
      if (this.data.length >= HELLO_MSG.length && !this.onGotHello.done()) this.onGotHello.setResult();
    }
    override connectionLost(exc: Error | null): void {
      this.transport = null;
      if (exc === null) this.onConLost.setResult();
      else this.onConLost.setException(exc);
    }
  }
  const onCon = loop.createFuture<Transport>();
  const onConLost = loop.createFuture<void>();
  const onGotHello = loop.createFuture<void>();
  const proto = new ServerProto(onCon, onConLost, onGotHello);
  const server = yield* loop.createServer(() => proto, "127.0.0.1", 0);
  const addr = server.sockets[0]!.getsockname() as [string, number];
  const client = loop.createTask((function* () {
    const sock = new Socket(AF_INET, SOCK_STREAM);
    sock.setblocking(false);
    yield* loop.sockConnect(sock, addr);
    const data = yield* recvAll(loop, sock, HELLO_MSG.length);
    assert.equal(data.length, HELLO_MSG.length);
    const p = new Recorder();
    const [tr] = yield* loop.createConnection(() => p, undefined, undefined, { sock, ssl: clientCtx(), serverHostname: "localhost" });
    tr.write(HELLO_MSG);
    yield* until(() => p.data.length >= ANSWER.length, "ANSWER");
    answer = p.data;
    tr.close();
  })());
  const tr = yield* onCon;
  tr.write(HELLO_MSG);
  assert.equal(proto.data.length, 0);
  const newTr = yield* loop.startTls(tr, proto, simpleServerSslContext(), { serverSide: true, sslHandshakeTimeout: 60 });
  proto.replaceTransport(newTr);
  yield* onGotHello;
  newTr.write(ANSWER);
  yield* onConLost;
  assert.ok(proto.data.equals(HELLO_MSG));
  newTr.close();
  yield* client;
  server.close();
  yield* server.waitClosed();
  assert.deepEqual(answer, ANSWER);
}

export function* startTlsWrongArgs(loop: BaseEventLoop): Coroutine<void> {
  yield* assertRaises(() => loop.startTls(null as never, null as never, null as never), TypeError, /SSLContext, got/);
  yield* assertRaises(() => loop.startTls(null as never, null as never, simpleServerSslContext()), TypeError, /is not supported/);
}

/** A server that reads and never answers the handshake; it records whether the client aborted. */
function silentServer(loop: BaseEventLoop): { addr: [string, number]; task: Task<void>; aborted: () => boolean } {
  let aborted = false;
  const srv = tcpServer(loop, function* (sock) {
    try {
      const d = yield* recvAll(loop, sock, 1024 * 1024);
      aborted = d.length < 1024 * 1024; // EOF: the client closed
    } catch {
      aborted = true;
    } finally {
      sock.close();
    }
  });
  return { ...srv, aborted: () => aborted };
}

export function* handshakeTimeout(loop: BaseEventLoop): Coroutine<void> {
  const messages = recordMessages(loop);
  const srv = silentServer(loop);
  yield* assertRaises(() => asyncio.waitFor(loop.createConnection(() => new asyncio.Protocol(), ...srv.addr,
    { ssl: simpleClientSslContext(), serverHostname: "", sslHandshakeTimeout: 60 }), 0.05), asyncio.TimeoutError);
  yield* srv.task;
  assert.equal(srv.aborted(), true);
  assert.deepEqual(messages, []);
}

export function* createConnectionSslSlowHandshake(loop: BaseEventLoop): Coroutine<void> {
  const messages = recordMessages(loop);
  const srv = silentServer(loop);
  yield* assertRaises(() => asyncio.openConnection(...srv.addr, { ssl: simpleClientSslContext(), serverHostname: "", sslHandshakeTimeout: 0.05 }),
    ConnectionAbortedError, /SSL handshake.*is taking longer/);
  yield* srv.task;
  assert.deepEqual(messages, []);
}

export function* createConnectionSslFailedCertificate(loop: BaseEventLoop): Coroutine<void> {
  loop.setExceptionHandler(() => {});
  const srv = tcpServer(loop, function* (sock) {
    try {
      const [, p] = yield* upgradeServer(loop, sock);
      yield* until(() => p.lost);
    } catch {
      // the client refused the certificate
    } finally {
      sock.close();
    }
  });
  // A verifying context that does not trust the test CA.
  const ctx = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certs.otherCaFile });
  yield* assertRaises(() => asyncio.openConnection(...srv.addr, { ssl: ctx, serverHostname: "localhost", sslHandshakeTimeout: 10 }),
    ssl.SSLCertVerificationError);
  yield* srv.task;
}

export function* startTlsClientCorruptedSsl(loop: BaseEventLoop): Coroutine<string> {
  loop.setExceptionHandler(() => {});
  const srv = tcpServer(loop, function* (sock) {
    const raw = sock.dup();
    try {
      const [tr, p] = yield* upgradeServer(loop, sock);
      tr.write(Buffer.from("A\n"));
      yield* until(() => p.data.length >= 1, "B");
      raw.send(Buffer.from("please corrupt the SSL connection"));
      yield* until(() => p.lost);
    } finally {
      raw.close();
    }
  });
  const [reader, writer] = yield* asyncio.openConnection(...srv.addr, { ssl: clientCtx(), serverHostname: "localhost" });
  assert.deepEqual(Buffer.from(yield* reader.readline()), Buffer.from("A\n"));
  writer.write(Buffer.from("B"));
  yield* assertRaises(() => reader.readline(), ssl.SSLError);
  writer.close();
  yield* srv.task;
  return "OK";
}

/** Runs `make()`'s coroutine and checks it raises `cls` (message matching `re`). */
export function* assertRaises(make: () => Coroutine<unknown> | PromiseLike<unknown>, cls: Function, re?: RegExp): Coroutine<void> {
  try {
    const c = make();
    if (typeof (c as Coroutine<unknown>).next === "function") yield* c as Coroutine<unknown>;
    else yield* asyncio.ensureFuture(c as PromiseLike<unknown>);
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (re) assert.match((e as Error).message, re);
    return;
  }
  assert.fail(`expected ${cls.name}`);
}
