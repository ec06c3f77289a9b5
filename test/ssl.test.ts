// TLS: the ssl wrapper (SSLContext, errors, certificate dicts) and TLS
// transports over real loopback sockets, with certificates generated for the
// run. The behaviour checked is that of CPython's test_sslproto.py,
// test_ssl.py and the TLS parts of test_events.py / test_streams.py.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { readFileSync } from "node:fs";
import * as nodeTls from "node:tls";
import * as asyncio from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import {
  ssl, SSLContext, ConnectionAbortedError, FileNotFoundError, NotImplementedError, OSError, ValueError,
  type Coroutine,
} from "../src/index.js";
import { makeSslTransport, SSLTransport } from "../src/net/sslproto.js";
import type { ProtocolLike } from "../src/core/protocols.js";
import { makeCerts } from "./helpers/certs.js";

const certs = makeCerts();
after(() => certs.cleanup());

async function inLoop<T>(body: (loop: asyncio.BaseEventLoop) => Coroutine<T>, timeout = 15): Promise<T> {
  const loop = new asyncio.SelectorEventLoop();
  try {
    return await loop.runUntilComplete(asyncio.waitFor(body(loop), timeout));
  } finally {
    loop.close();
  }
}

function serverContext(): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(certs.serverCert, certs.serverKey);
  return ctx;
}

function clientContext(): SSLContext {
  return ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certs.caFile });
}

function portOf(s: socket.Socket): number {
  return (s.getsockname() as [string, number])[1];
}

/** Records everything that happens to it; echoes when asked to. */
class Recorder extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;
  events: string[] = [];
  chunks: Buffer[] = [];
  made: asyncio.Future<void>;
  lost: asyncio.Future<Error | null>;
  eof: asyncio.Future<void>;
  private want = 0;
  private waiter: asyncio.Future<void> | null = null;
  constructor(readonly loop: asyncio.AbstractEventLoop, readonly echo = false) {
    super();
    this.made = loop.createFuture();
    this.lost = loop.createFuture();
    this.eof = loop.createFuture();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString();
  }
  get size(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.events.push("made");
    this.transport = t as asyncio.Transport;
    this.made.setResult(undefined);
  }
  override dataReceived(data: Uint8Array): void {
    if (!this.events.includes("data")) this.events.push("data");
    this.chunks.push(Buffer.from(data));
    if (this.echo) this.transport!.write(data);
    if (this.waiter && this.size >= this.want) this.waiter.setResult(undefined);
  }
  override eofReceived(): boolean | void {
    this.events.push("eof");
    this.eof.setResult(undefined);
  }
  override connectionLost(exc: Error | null): void {
    this.events.push("lost");
    if (!this.lost.done()) this.lost.setResult(exc);
    if (this.waiter && !this.waiter.done()) this.waiter.setResult(undefined);
  }
  /** Waits until at least `n` bytes have arrived in total. */
  *until(n: number): Coroutine<void> {
    while (this.size < n && !this.lost.done()) {
      this.want = n;
      this.waiter = this.loop.createFuture<void>();
      yield* this.waiter;
      this.waiter = null;
    }
  }
}

function* raises(aw: Coroutine<unknown> | asyncio.Future<unknown>, cls: abstract new (...a: never[]) => Error): Coroutine<Error> {
  const fut = asyncio.ensureFuture(aw);
  yield* asyncio.wait([fut]);
  const e = fut.exception();
  assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
  return e as Error;
}

/** A TCP listener on 127.0.0.1 and a connected pair of non-blocking sockets through it. */
function* socketPair(loop: asyncio.BaseEventLoop): Coroutine<[socket.Socket, socket.Socket]> {
  const lsock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen(1);
  lsock.setblocking(false);
  const csock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  csock.setblocking(false);
  const accepted = asyncio.ensureFuture(loop.sockAccept(lsock));
  yield* loop.sockConnect(csock, ["127.0.0.1", portOf(lsock)]);
  const [ssock] = yield* accepted;
  lsock.close();
  ssock.setblocking(false);
  return [ssock, csock];
}

// ---------------------------------------------------------------------------
// SSLContext

test("SSLContext defaults follow the protocol, as Python's", () => {
  const client = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(client.checkHostname, true);
  assert.equal(client.verifyMode, ssl.CERT_REQUIRED);
  const server = new SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.equal(server.checkHostname, false);
  assert.equal(server.verifyMode, ssl.CERT_NONE);
  const generic = new SSLContext();
  assert.equal(generic.protocol, ssl.PROTOCOL_TLS);
  assert.equal(generic.verifyMode, ssl.CERT_NONE);
  assert.equal(generic.minimumVersion, ssl.TLSVersion.MINIMUM_SUPPORTED);
  assert.equal(generic.maximumVersion, ssl.TLSVersion.MAXIMUM_SUPPORTED);
  assert.throws(() => new SSLContext(99), ValueError);
  assert.strictEqual(asyncio.SSLContext, ssl.SSLContext);
});

test("checkHostname and verifyMode interlock", () => {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.throws(() => {
    ctx.verifyMode = ssl.CERT_NONE;
  }, (e: Error) => e instanceof ValueError && e.message === "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  assert.equal(ctx.verifyMode, ssl.CERT_NONE);
  // Enabling the hostname check turns verification on.
  ctx.checkHostname = true;
  assert.equal(ctx.verifyMode, ssl.CERT_REQUIRED);
  ctx.verifyMode = ssl.CERT_OPTIONAL;
  assert.equal(ctx.verifyMode, ssl.CERT_OPTIONAL);
});

test("createDefaultContext: client purpose verifies, server purpose does not", () => {
  const c = ssl.createDefaultContext();
  assert.equal(c.protocol, ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(c.verifyMode, ssl.CERT_REQUIRED);
  assert.equal(c.checkHostname, true);
  const s = ssl.createDefaultContext(ssl.Purpose.CLIENT_AUTH);
  assert.equal(s.protocol, ssl.PROTOCOL_TLS_SERVER);
  assert.equal(s.verifyMode, ssl.CERT_NONE);
  assert.equal(s.checkHostname, false);
  const withCa = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certs.caFile });
  assert.deepEqual(withCa.certStoreStats(), { x509: 1, crl: 0, x509_ca: 1 });
  assert.equal(String(ssl.Purpose.SERVER_AUTH), "Purpose.SERVER_AUTH");
});

test("loadCertChain: missing files, mismatched key, combined file, password callback", () => {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.throws(() => ctx.loadCertChain("/nonexistent/cert.pem"), (e: Error) => e instanceof FileNotFoundError && (e as OSError).errno === 2);
  assert.throws(() => ctx.loadCertChain(certs.serverCert, certs.clientKey), (e: Error) =>
    e instanceof ssl.SSLError && e instanceof OSError && /KEY_VALUES_MISMATCH/.test(e.message));
  assert.throws(() => ctx.loadCertChain(certs.caFile, certs.caFile), ssl.SSLError);
  ctx.loadCertChain(certs.serverCertKey);
  let called = 0;
  ctx.loadCertChain(certs.serverCert, certs.serverKey, () => {
    called++;
    return "unused";
  });
  assert.equal(called, 1);
});

test("loadVerifyLocations: cafile, capath, PEM and DER cadata; getCaCerts in Python's dict form", () => {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.throws(() => ctx.loadVerifyLocations(), TypeError);
  assert.throws(() => ctx.loadVerifyLocations("/nonexistent/ca.pem"), FileNotFoundError);
  ctx.loadVerifyLocations(certs.caFile);
  const pem = readFileSync(certs.otherCaFile, "utf8");
  ctx.loadVerifyLocations(null, null, pem);
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  ctx.loadVerifyLocations(null, null, der);
  assert.throws(() => ctx.loadVerifyLocations(null, null, "not a certificate"), ssl.SSLError);
  const cas = ctx.getCaCerts() as ssl.PeerCert[];
  assert.equal(cas.length, 3);
  assert.deepEqual(cas[0]!.subject, [[["countryName", "XY"]], [["organizationName", "tsyncio tests"]], [["commonName", "tsyncio test CA"]]]);
  assert.deepEqual(cas[0]!.subject, cas[0]!.issuer);
  assert.match(cas[0]!.notBefore, /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
  assert.ok(Buffer.isBuffer(ctx.getCaCerts(true)[0]));
  const dirCtx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  dirCtx.loadVerifyLocations(null, certs.dir);
  assert.ok(dirCtx.certStoreStats().x509_ca >= 2);
});

test("setCiphers, setAlpnProtocols and TLS versions validate their input", () => {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.throws(() => ctx.setCiphers("NO-SUCH-CIPHER"), (e: Error) => e instanceof ssl.SSLError && e.message === "No cipher can be selected.");
  ctx.setCiphers("ECDHE+AESGCM");
  assert.throws(() => ctx.setAlpnProtocols([""]), ValueError);
  ctx.setAlpnProtocols(["h2", "http/1.1"]);
  assert.throws(() => {
    ctx.minimumVersion = 0x999;
  }, ValueError);
  ctx.minimumVersion = ssl.TLSVersion.TLSv1_2;
  ctx.maximumVersion = ssl.TLSVersion.TLSv1_3;
  assert.equal(ctx.minimumVersion, ssl.TLSVersion.TLSv1_2);
});

test("SSL error classes have Python's hierarchy", () => {
  const e = new ssl.SSLCertVerificationError(20, "unable to get local issuer certificate");
  assert.ok(e instanceof ssl.SSLError);
  assert.ok(e instanceof OSError);
  assert.equal(e.name, "SSLCertVerificationError");
  assert.equal(e.verifyCode, 20);
  assert.equal(e.reason, "CERTIFICATE_VERIFY_FAILED");
  assert.equal(e.message, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate");
  assert.strictEqual(ssl.CertificateError, ssl.SSLCertVerificationError);
  for (const cls of [ssl.SSLZeroReturnError, ssl.SSLWantReadError, ssl.SSLWantWriteError, ssl.SSLSyscallError, ssl.SSLEOFError]) {
    assert.ok(new cls("x") instanceof ssl.SSLError);
  }
});

// ---------------------------------------------------------------------------
// Transports

test("makeSslTransport on both ends of a loopback connection: echo, then close", () =>
  inLoop(function* (loop) {
    const [ssock, csock] = yield* socketPair(loop);
    const server = new Recorder(loop, true);
    const client = new Recorder(loop);
    const sw = loop.createFuture<void>();
    const cw = loop.createFuture<void>();
    const st = makeSslTransport(loop, ssock, server, serverContext(), sw, { serverSide: true, serverHostname: null });
    const ct = makeSslTransport(loop, csock, client, clientContext(), cw, { serverSide: false, serverHostname: "localhost" });
    assert.ok(st instanceof SSLTransport && ct instanceof SSLTransport);
    // The application protocol hears of the connection only after the handshake.
    assert.deepEqual(client.events, []);
    yield* cw;
    yield* sw;
    assert.deepEqual(client.events, ["made"]);
    assert.strictEqual(client.transport, ct);
    ct.write(Buffer.from("hello "));
    ct.writelines([Buffer.from("TLS "), Buffer.from("world")]);
    yield* client.until(15);
    assert.equal(client.text, "hello TLS world");
    assert.equal(server.text, "hello TLS world");
    ct.close();
    assert.equal(ct.isClosing(), true);
    assert.equal(yield* client.lost, null);
    assert.equal(yield* server.lost, null);
    // The server saw the client's close_notify as EOF, then the connection closed; the
    // closing side hears eofReceived() too once the peer's close_notify completes the shutdown (as CPython).
    assert.deepEqual(server.events, ["made", "data", "eof", "lost"]);
    assert.deepEqual(client.events, ["made", "data", "eof", "lost"]);
  }));

test("createServer/createConnection with ssl: echo and getExtraInfo", () =>
  inLoop(function* (loop) {
    const sctx = serverContext();
    const cctx = clientContext();
    sctx.setAlpnProtocols(["http/1.1"]);
    cctx.setAlpnProtocols(["h2", "http/1.1"]);
    const servers: Recorder[] = [];
    const srv = yield* loop.createServer(() => {
      const r = new Recorder(loop, true);
      servers.push(r);
      return r;
    }, "127.0.0.1", 0, { ssl: sctx });
    const port = portOf(srv.sockets[0]!);
    const [t, client] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, { ssl: cctx, serverHostname: "localhost" });
    t.write(Buffer.from("ping"));
    yield* client.until(4);
    assert.equal(client.text, "ping");

    assert.strictEqual(t.getExtraInfo("sslcontext"), cctx);
    const obj = t.getExtraInfo("ssl_object") as ssl.SSLObject;
    assert.ok(obj instanceof ssl.SSLObject);
    assert.equal(obj.serverSide, false);
    assert.equal(obj.serverHostname, "localhost");
    assert.strictEqual(obj.context, cctx);
    assert.match(obj.version()!, /^TLSv1\.[23]$/);
    assert.equal(obj.selectedAlpnProtocol(), "http/1.1");
    const cipher = t.getExtraInfo("cipher") as [string, string, number];
    assert.equal(cipher.length, 3);
    assert.equal(typeof cipher[0], "string");
    assert.match(cipher[1], /^TLSv1/);
    assert.ok(cipher[2] >= 128);
    assert.equal(t.getExtraInfo("compression"), null);
    const peercert = t.getExtraInfo("peercert") as ssl.PeerCert;
    assert.deepEqual(peercert.subject, [
      [["countryName", "XY"]], [["stateOrProvinceName", "Test State"]], [["organizationName", "tsyncio tests"]], [["commonName", "localhost"]],
    ]);
    assert.deepEqual(peercert.issuer.at(-1), [["commonName", "tsyncio test CA"]]);
    assert.equal(peercert.version, 3);
    assert.equal(peercert.serialNumber, "1001");
    assert.deepEqual(peercert.subjectAltName, [["DNS", "localhost"], ["IP Address", "127.0.0.1"], ["IP Address", "0:0:0:0:0:0:0:1"]]);
    assert.deepEqual(peercert.OCSP, ["http://ocsp.example/"]);
    assert.deepEqual(peercert.caIssuers, ["http://ca.example/ca.pem"]);
    assert.ok(Buffer.isBuffer(obj.getpeercert(true)));
    assert.ok(t.getExtraInfo("socket") instanceof socket.Socket);
    assert.deepEqual(t.getExtraInfo("peername"), ["127.0.0.1", port]);
    assert.equal((t.getExtraInfo("sockname") as [string, number])[0], "127.0.0.1");
    assert.equal(t.getExtraInfo("nonexistent", "dflt"), "dflt");
    // The server side: no client certificate was asked for.
    const st = servers[0]!.transport!;
    assert.strictEqual(st.getExtraInfo("sslcontext"), sctx);
    assert.equal(st.getExtraInfo("peercert"), null);
    assert.equal((st.getExtraInfo("ssl_object") as ssl.SSLObject).serverSide, true);

    assert.equal(t.canWriteEof(), false);
    assert.throws(() => t.writeEof(), NotImplementedError);
    assert.deepEqual(t.getWriteBufferLimits(), [128 * 1024, 512 * 1024]);
    t.close();
    yield* client.lost;
    srv.close();
    yield* srv.waitClosed();
  }));

test("an IP address as serverHostname is checked against the certificate's IP names", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new Recorder(loop, true), "127.0.0.1", 0, { ssl: serverContext() });
    const [t, client] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", portOf(srv.sockets[0]!), {
      ssl: clientContext(), serverHostname: "127.0.0.1",
    });
    t.write(Buffer.from("ip"));
    yield* client.until(2);
    t.close();
    yield* client.lost;
    srv.close();
    yield* srv.waitClosed();
  }));

test("certificate verification failures: wrong hostname, untrusted CA, CERT_NONE accepts", () =>
  inLoop(function* (loop) {
    const serverProtos: Recorder[] = [];
    const srv = yield* loop.createServer(() => {
      const r = new Recorder(loop, true);
      serverProtos.push(r);
      return r;
    }, "127.0.0.1", 0, { ssl: serverContext() });
    const port = portOf(srv.sockets[0]!);

    const wrongHost = asyncio.ensureFuture(loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, { ssl: clientContext(), serverHostname: "wrong.example" }));
    const e1 = (yield* raises(wrongHost, ssl.SSLCertVerificationError)) as ssl.SSLCertVerificationError;
    assert.equal(e1.verifyCode, 62);
    assert.equal(e1.verifyMessage, "Hostname mismatch, certificate is not valid for 'wrong.example'.");
    assert.equal(e1.message, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'wrong.example'.");

    const untrusting = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certs.otherCaFile });
    const badCa = asyncio.ensureFuture(loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, { ssl: untrusting, serverHostname: "localhost" }));
    const e2 = (yield* raises(badCa, ssl.SSLCertVerificationError)) as ssl.SSLCertVerificationError;
    assert.equal(e2.verifyCode, 20);
    assert.equal(e2.verifyMessage, "unable to get local issuer certificate");

    // A context with an empty trust store verifies nothing, as Python's.
    const empty = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const e3 = yield* raises(loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, { ssl: empty, serverHostname: "localhost" }), ssl.SSLCertVerificationError);
    assert.ok(e3 instanceof OSError);

    const noVerify = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    noVerify.checkHostname = false;
    noVerify.verifyMode = ssl.CERT_NONE;
    const [t, c] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, { ssl: noVerify, serverHostname: "wrong.example" });
    // An unverified certificate is reported as an empty dict, as Python's getpeercert().
    assert.deepEqual(t.getExtraInfo("peercert"), {});
    t.write(Buffer.from("ok"));
    yield* c.until(2);
    t.close();
    yield* c.lost;
    // Only the verified connection reached the server's application protocol.
    assert.equal(serverProtos.filter((p) => p.events.includes("made")).length, 1);
    srv.close();
    yield* srv.waitClosed();
  }));

test("a server that requires client certificates: verified peer, and a client without one", () =>
  inLoop(function* (loop) {
    const sctx = serverContext();
    sctx.verifyMode = ssl.CERT_REQUIRED;
    sctx.loadVerifyLocations(certs.caFile);
    const servers: Recorder[] = [];
    const srv = yield* loop.createServer(() => {
      const r = new Recorder(loop, true);
      servers.push(r);
      return r;
    }, "127.0.0.1", 0, { ssl: sctx });
    const port = portOf(srv.sockets[0]!);
    const cctx = clientContext();
    cctx.loadCertChain(certs.clientCert, certs.clientKey);
    const [t, c] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, { ssl: cctx, serverHostname: "localhost" });
    t.write(Buffer.from("cert"));
    yield* c.until(4);
    const peer = servers[0]!.transport!.getExtraInfo("peercert") as ssl.PeerCert;
    assert.deepEqual(peer.subject.at(-1), [["commonName", "test client"]]);
    t.close();
    yield* c.lost;

    // Without a certificate the server refuses it.
    const refused = asyncio.ensureFuture(loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, { ssl: clientContext(), serverHostname: "localhost" }));
    yield* asyncio.wait([refused]);
    if (refused.exception() === null) {
      // TLS 1.3: the client finishes its handshake before the server checks; the refusal ends the connection.
      const lostExc = yield* refused.result()[1].lost;
      assert.ok(lostExc === null || lostExc instanceof OSError, String(lostExc));
    } else {
      assert.ok(refused.exception() instanceof OSError, String(refused.exception()));
    }
    assert.equal(servers.filter((p) => p.events.includes("made")).length, 1);
    srv.close();
    yield* srv.waitClosed();
  }));

test("handshake timeout against a peer that never answers", () =>
  inLoop(function* (loop) {
    const lsock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
    lsock.bind(["127.0.0.1", 0]);
    lsock.listen(1);
    try {
      const fut = asyncio.ensureFuture(loop.createConnection(() => new Recorder(loop), "127.0.0.1", portOf(lsock), {
        ssl: clientContext(), serverHostname: "localhost", sslHandshakeTimeout: 0.2,
      }));
      const e = yield* raises(fut, ConnectionAbortedError);
      assert.equal(e.message, "SSL handshake is taking longer than 0.2 seconds: aborting the connection");
    } finally {
      lsock.close();
    }
  }));

test("sslHandshakeTimeout and sslShutdownTimeout must be positive", () =>
  inLoop(function* (loop) {
    const [ssock, csock] = yield* socketPair(loop);
    try {
      assert.throws(() => makeSslTransport(loop, csock, new Recorder(loop), clientContext(), null, {
        serverSide: false, serverHostname: "localhost", sslHandshakeTimeout: 0,
      }), (e: Error) => e instanceof ValueError && e.message === "ssl_handshake_timeout should be a positive number, got 0");
      assert.throws(() => makeSslTransport(loop, csock, new Recorder(loop), clientContext(), null, {
        serverSide: false, serverHostname: "localhost", sslShutdownTimeout: -1,
      }), (e: Error) => e instanceof ValueError && e.message === "ssl_shutdown_timeout should be a positive number, got -1");
      assert.throws(() => makeSslTransport(loop, csock, new Recorder(loop), clientContext(), null, {
        serverSide: false, serverHostname: null,
      }), (e: Error) => e instanceof ValueError && e.message === "check_hostname requires server_hostname");
      assert.throws(() => makeSslTransport(loop, ssock, new Recorder(loop), clientContext(), null, {
        serverSide: true, serverHostname: null,
      }), (e: Error) => e instanceof ValueError && /PROTOCOL_TLS_CLIENT/.test(e.message));
    } finally {
      ssock.close();
      csock.close();
    }
  }));

/** A plain-text protocol that answers "STARTTLS" with "GO" and then upgrades the connection. */
class StartTlsServer extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;
  plain = "";
  upgraded: asyncio.Future<asyncio.Transport>;
  tlsData: Buffer[] = [];
  lost: asyncio.Future<Error | null>;
  constructor(readonly loop: asyncio.AbstractEventLoop, readonly ctx: SSLContext) {
    super();
    this.upgraded = loop.createFuture();
    this.lost = loop.createFuture();
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.transport = t as asyncio.Transport;
  }
  override dataReceived(data: Uint8Array): void {
    if (this.upgraded.done()) {
      this.tlsData.push(Buffer.from(data));
      (this.upgraded.result()).write(Buffer.from(`got:${Buffer.from(data)}`));
      return;
    }
    this.plain += Buffer.from(data).toString();
    if (this.plain.endsWith("STARTTLS\n")) {
      // The client's handshake stays in the kernel until startTls() reads it.
      this.transport!.pauseReading();
      this.transport!.write(Buffer.from("GO\n"));
      const fut = asyncio.ensureFuture(this.loop.startTls(this.transport!, this, this.ctx, { serverSide: true }));
      fut.addDoneCallback((f) => {
        if (f.exception()) this.upgraded.setException(f.exception());
        else this.upgraded.setResult(f.result());
      });
    }
  }
  override connectionLost(exc: Error | null): void {
    if (!this.lost.done()) this.lost.setResult(exc);
  }
}

/** Relays bytes between two sockets and records what passed client → server. */
function* relay(loop: asyncio.BaseEventLoop, from: socket.Socket, to: socket.Socket, record: Buffer[]): Coroutine<void> {
  for (;;) {
    const data = yield* loop.sockRecv(from, 65536);
    if (data.length === 0) {
      to.shutdown(socket.SHUT_WR);
      return;
    }
    record.push(Buffer.from(data));
    yield* loop.sockSendall(to, data);
  }
}

test("startTls on both sides of a plain connection: plain text before, ciphertext after", () =>
  inLoop(function* (loop) {
    const sctx = serverContext();
    let server: StartTlsServer | null = null;
    const srv = yield* loop.createServer(() => (server = new StartTlsServer(loop, sctx)), "127.0.0.1", 0);
    // A relay in the middle sees what goes over the wire.
    const [mid, csock] = yield* socketPair(loop);
    const upstream = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
    upstream.setblocking(false);
    yield* loop.sockConnect(upstream, ["127.0.0.1", portOf(srv.sockets[0]!)]);
    const wire: Buffer[] = [];
    const r1 = loop.createTask(relay(loop, mid, upstream, wire));
    const r2 = loop.createTask(relay(loop, upstream, mid, []));

    const [plainT, client] = yield* loop.createConnection(() => new Recorder(loop), undefined, undefined, { sock: csock });
    plainT.write(Buffer.from("hello\nSTARTTLS\n"));
    yield* client.until(3);
    assert.equal(client.text, "GO\n");
    client.chunks = [];
    const tlsT = yield* loop.startTls(plainT, client, clientContext(), { serverHostname: "localhost" });
    assert.ok(tlsT instanceof SSLTransport);
    assert.notStrictEqual(tlsT, plainT);
    // The protocol keeps its state: startTls does not call connectionMade() again.
    assert.deepEqual(client.events, ["made", "data"]);
    const serverTls = yield* server!.upgraded;
    assert.equal(server!.plain, "hello\nSTARTTLS\n");
    tlsT.write(Buffer.from("secret payload"));
    yield* client.until(18);
    assert.equal(client.text, "got:secret payload");
    assert.ok((serverTls.getExtraInfo("ssl_object") as ssl.SSLObject).serverSide);

    const seen = Buffer.concat(wire).toString("latin1");
    assert.ok(seen.startsWith("hello\nSTARTTLS\n"), "the plain part went over the wire as is");
    assert.ok(!seen.includes("secret payload"), "the upgraded part is encrypted");
    tlsT.close();
    assert.equal(yield* client.lost, null);
    assert.equal(yield* server!.lost, null);
    yield* asyncio.gather(r1, r2);
    mid.close();
    upstream.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("startTls rejects what is not an SSLContext", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new Recorder(loop), "127.0.0.1", 0);
    const [t, c] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", portOf(srv.sockets[0]!));
    yield* raises(loop.startTls(t, c, {} as SSLContext), TypeError);
    t.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("10 MiB each way through TLS with flow control, checked with SHA-256", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new Recorder(loop, true), "127.0.0.1", 0, { ssl: serverContext() });
    const total = 10 * 1024 * 1024;
    const payload = randomBytes(total);
    const received = createHash("sha256");
    let count = 0;
    let pauses = 0;
    let resumed: asyncio.Future<void> | null = null;
    const done = loop.createFuture<void>();
    const proto: ProtocolLike = {
      connectionMade() {},
      pauseWriting() {
        pauses++;
        resumed = loop.createFuture();
      },
      resumeWriting() {
        resumed?.setResult(undefined);
        resumed = null;
      },
      dataReceived(data: Uint8Array) {
        received.update(data);
        count += data.length;
        // Pause reading now and then: backpressure goes down to the socket and nothing is lost.
        if (count % (1024 * 1024) < data.length) {
          t.pauseReading();
          assert.equal(t.isReading(), false);
          loop.callLater(0.001, () => t.resumeReading());
        }
        if (count === total) done.setResult(undefined);
      },
      connectionLost() {},
    };
    const [t] = yield* loop.createConnection(() => proto, "127.0.0.1", portOf(srv.sockets[0]!), { ssl: clientContext(), serverHostname: "localhost" });
    for (let off = 0; off < total; off += 256 * 1024) {
      t.write(payload.subarray(off, off + 256 * 1024));
      if (resumed !== null) yield* resumed as asyncio.Future<void>;
    }
    yield* done;
    assert.equal(count, total);
    assert.equal(received.digest("hex"), createHash("sha256").update(payload).digest("hex"));
    assert.ok(pauses > 0, "the writer was paused at the high-water mark");
    t.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("BufferedProtocol over TLS", () =>
  inLoop(function* (loop) {
    const srv = yield* loop.createServer(() => new Recorder(loop, true), "127.0.0.1", 0, { ssl: serverContext() });
    const buf = Buffer.alloc(7);
    const got: string[] = [];
    const done = loop.createFuture<void>();
    class Buffered extends asyncio.BufferedProtocol {
      override getBuffer(sizehint: number): Uint8Array {
        assert.ok(sizehint > 0);
        return buf;
      }
      override bufferUpdated(n: number): void {
        got.push(buf.subarray(0, n).toString());
        if (got.join("").length === 20) done.setResult(undefined);
      }
    }
    const [t] = yield* loop.createConnection(() => new Buffered(), "127.0.0.1", portOf(srv.sockets[0]!), { ssl: clientContext(), serverHostname: "localhost" });
    t.write(Buffer.from("abcdefghijklmnopqrst"));
    yield* done;
    assert.equal(got.join(""), "abcdefghijklmnopqrst");
    assert.ok(got.every((s) => s.length <= 7));
    t.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("abort: connectionLost(null) once on each side, writes after close are dropped", () =>
  inLoop(function* (loop) {
    const servers: Recorder[] = [];
    const srv = yield* loop.createServer(() => {
      const r = new Recorder(loop, true);
      servers.push(r);
      return r;
    }, "127.0.0.1", 0, { ssl: serverContext() });
    const [t, c] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", portOf(srv.sockets[0]!), { ssl: clientContext(), serverHostname: "localhost" });
    t.write(Buffer.from("x"));
    yield* c.until(1);
    t.abort();
    assert.equal(t.isClosing(), true);
    t.write(Buffer.from("dropped"));
    t.close();
    assert.equal(yield* c.lost, null);
    yield* servers[0]!.lost;
    yield* asyncio.sleep(0.01);
    assert.equal(c.events.filter((e) => e === "lost").length, 1);
    assert.equal(servers[0]!.events.filter((e) => e === "lost").length, 1);

    // close() twice and abort() after close(): still one connectionLost().
    const [t2, c2] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", portOf(srv.sockets[0]!), { ssl: clientContext(), serverHostname: "localhost" });
    t2.close();
    t2.close();
    t2.abort();
    yield* c2.lost;
    yield* asyncio.sleep(0.01);
    assert.deepEqual(c2.events, ["made", "lost"]);
    srv.close();
    yield* srv.waitClosed();
  }));

test("the server closes first: the client sees EOF, then connectionLost(null)", () =>
  inLoop(function* (loop) {
    const servers: Recorder[] = [];
    const srv = yield* loop.createServer(() => {
      const r = new Recorder(loop);
      servers.push(r);
      return r;
    }, "127.0.0.1", 0, { ssl: serverContext() });
    const [, c] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", portOf(srv.sockets[0]!), { ssl: clientContext(), serverHostname: "localhost" });
    yield* servers[0]!.made;
    servers[0]!.transport!.write(Buffer.from("bye"));
    servers[0]!.transport!.close();
    assert.equal(yield* c.lost, null);
    assert.deepEqual(c.events, ["made", "data", "eof", "lost"]);
    assert.equal(c.text, "bye");
    assert.equal(yield* servers[0]!.lost, null);
    srv.close();
    yield* srv.waitClosed();
  }));

test("interoperates with Node's tls server, and nothing reaches the protocol while the loop is stopped", async () => {
  const key = readFileSync(certs.serverKey);
  const cert = readFileSync(certs.serverCert);
  const peers: nodeTls.TLSSocket[] = [];
  const nodeServer = nodeTls.createServer({ key, cert }, (s) => {
    peers.push(s);
    s.on("data", (d) => s.write(Buffer.concat([Buffer.from("node:"), d])));
  });
  await new Promise<void>((r) => nodeServer.listen(0, "127.0.0.1", r));
  const port = (nodeServer.address() as { port: number }).port;
  const loop = new asyncio.SelectorEventLoop();
  try {
    const client = new Recorder(loop);
    const [t] = await loop.runUntilComplete(loop.createConnection(() => client, "127.0.0.1", port, { ssl: clientContext(), serverHostname: "localhost" }));
    t.write(Buffer.from("hi"));
    await loop.runUntilComplete(client.until(7));
    assert.equal(client.text, "node:hi");
    // The loop is stopped: the peer's data waits, however long.
    peers[0]!.write("while stopped");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(client.text, "node:hi");
    await loop.runUntilComplete(client.until(7 + 13));
    assert.equal(client.text, "node:hiwhile stopped");
    t.close();
    await loop.runUntilComplete(client.lost);
  } finally {
    loop.close();
    await new Promise((r) => nodeServer.close(r));
  }
});

test("streams over TLS: openConnection/startServer with ssl, StreamWriter.startTls", () =>
  inLoop(function* (loop) {
    const server = yield* asyncio.startServer(function* (reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
      const line = yield* reader.readline();
      writer.write(Buffer.concat([Buffer.from("echo:"), line]));
      yield* writer.drain();
      writer.close();
      yield* writer.waitClosed();
    }, "127.0.0.1", 0, { ssl: serverContext() });
    const port = portOf(server.sockets[0]!);
    const [reader, writer] = yield* asyncio.openConnection("127.0.0.1", port, { ssl: clientContext(), serverHostname: "localhost" });
    assert.ok(writer.getExtraInfo("ssl_object") instanceof ssl.SSLObject);
    writer.write(Buffer.from("over tls\n"));
    assert.equal((yield* reader.read()).toString(), "echo:over tls\n");
    assert.equal(reader.atEof(), true);
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();

    // A plain stream upgraded with StreamWriter.startTls on both ends.
    const sctx = serverContext();
    const upgradeServer = yield* asyncio.startServer(function* (reader: asyncio.StreamReader, writer: asyncio.StreamWriter) {
      assert.equal((yield* reader.readline()).toString(), "STARTTLS\n");
      writer.write(Buffer.from("GO\n"));
      yield* writer.drain();
      yield* writer.startTls(sctx);
      const line = yield* reader.readline();
      writer.write(Buffer.concat([Buffer.from("tls:"), line]));
      yield* writer.drain();
      writer.close();
      yield* writer.waitClosed();
    }, "127.0.0.1", 0);
    const [r2, w2] = yield* asyncio.openConnection("127.0.0.1", portOf(upgradeServer.sockets[0]!));
    w2.write(Buffer.from("STARTTLS\n"));
    assert.equal((yield* r2.readline()).toString(), "GO\n");
    yield* w2.startTls(clientContext(), { serverHostname: "localhost" });
    assert.ok(w2.getExtraInfo("peercert"));
    w2.write(Buffer.from("upgraded\n"));
    assert.equal((yield* r2.readline()).toString(), "tls:upgraded\n");
    w2.close();
    yield* w2.waitClosed();
    upgradeServer.close();
    yield* upgradeServer.waitClosed();
  }));

test("shutdown timeout: a peer that never answers close_notify gets the connection aborted", async () => {
  const peers: nodeTls.TLSSocket[] = [];
  const nodeServer = nodeTls.createServer({ key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), allowHalfOpen: true }, (s) => {
    // Half-open: it neither answers our close_notify nor closes.
    peers.push(s);
    s.on("data", () => {});
  });
  await new Promise<void>((r) => nodeServer.listen(0, "127.0.0.1", r));
  const port = (nodeServer.address() as { port: number }).port;
  try {
    await inLoop(function* (loop) {
      const [t, c] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", port, {
        ssl: clientContext(), serverHostname: "localhost", sslShutdownTimeout: 0.2,
      });
      t.close();
      const exc = yield* c.lost;
      assert.ok(exc instanceof asyncio.TimeoutError, String(exc));
      assert.equal(exc.message, "SSL shutdown timed out");
    });
  } finally {
    for (const p of peers) p.destroy();
    await new Promise((r) => nodeServer.close(r));
  }
});

test("server-side handshake failures: a plain HTTP request, and EOF before the handshake ends", () =>
  inLoop(function* (loop) {
    {
      const [ssock, csock] = yield* socketPair(loop);
      const waiter = loop.createFuture<void>();
      const proto = new Recorder(loop);
      makeSslTransport(loop, ssock, proto, serverContext(), waiter, { serverSide: true, serverHostname: null });
      yield* loop.sockSendall(csock, Buffer.from("GET / HTTP/1.0\r\n\r\n"));
      const e = (yield* raises(waiter, ssl.SSLError)) as ssl.SSLError;
      assert.equal(e.reason, "HTTP_REQUEST");
      assert.equal(e.library, "SSL");
      assert.equal(e.message, "[SSL: HTTP_REQUEST] http request");
      assert.deepEqual(proto.events, []);
      csock.close();
    }
    {
      const [ssock, csock] = yield* socketPair(loop);
      const waiter = loop.createFuture<void>();
      const proto = new Recorder(loop);
      makeSslTransport(loop, ssock, proto, serverContext(), waiter, { serverSide: true, serverHostname: null });
      csock.shutdown(socket.SHUT_WR);
      yield* raises(waiter, asyncio.ConnectionResetError);
      assert.deepEqual(proto.events, []);
      csock.close();
    }
  }));

test("loop.sendfile over a TLS transport uses the read/write fallback", () =>
  inLoop(function* (loop) {
    const { writeFileSync, openSync, closeSync } = fs;
    const path = `${certs.dir}/payload.bin`;
    const data = randomBytes(300 * 1024);
    writeFileSync(path, data);
    const fd = openSync(path, "r");
    try {
      const srv = yield* loop.createServer(() => new Recorder(loop, true), "127.0.0.1", 0, { ssl: serverContext() });
      const [t, c] = yield* loop.createConnection(() => new Recorder(loop), "127.0.0.1", portOf(srv.sockets[0]!), { ssl: clientContext(), serverHostname: "localhost" });
      const sent = yield* loop.sendfile(t, fd);
      assert.equal(sent, data.length);
      yield* c.until(data.length);
      assert.ok(Buffer.concat(c.chunks).equals(data));
      t.close();
      yield* c.lost;
      srv.close();
      yield* srv.waitClosed();
    } finally {
      closeSync(fd);
    }
  }));

test("TLS over Unix sockets: createUnixServer/createUnixConnection with ssl", () =>
  inLoop(function* (loop) {
    const path = `${certs.dir}/tls.sock`;
    const srv = yield* loop.createUnixServer(() => new Recorder(loop, true), path, { ssl: serverContext() });
    const [t, c] = yield* loop.createUnixConnection(() => new Recorder(loop), path, { ssl: clientContext(), serverHostname: "localhost" });
    t.write(Buffer.from("unix"));
    yield* c.until(4);
    assert.equal(c.text, "unix");
    assert.equal(t.getExtraInfo("peername"), path);
    t.close();
    assert.equal(yield* c.lost, null);
    srv.close();
    yield* srv.waitClosed();
  }));
