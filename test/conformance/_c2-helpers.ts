// Helpers of the conformance ports of CPython 3.12's test_events.py,
// test_sock_lowlevel.py and test_sendfile.py: the protocols those files define,
// and real servers standing for test_utils.run_test_server (a small HTTP/1.0
// server), run_test_unix_server and run_udp_echo_server. The servers are
// Node's own (net, tls, dgram) in this process, so the loop under test is the
// only tsyncio code on either side.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import * as asyncio from "../../src/index.js";
import { SSLContext, ssl, type Coroutine } from "../../src/index.js";
import { native } from "../../src/internal/native.js";
import { makeCerts, type TestCerts } from "../helpers/certs.js";

/** A running test server: its address ([host, port] or a Unix path) and how to stop it. */
export interface TestServer {
  address: [string, number] | string;
  close(): Promise<void>;
}

const RESPONSE = "HTTP/1.0 200 OK\r\nContent-type: text/plain\r\nContent-Length: 12\r\n\r\nTest message";

/**
 * test_utils.run_test_server: answers every request with "HTTP/1.0 200 OK" and
 * closes; a `POST /loop` gets its own body back (as test_utils' WSGI app does).
 */
export async function runTestServer(opts: { unix?: boolean; tls?: tls.SecureContextOptions } = {}): Promise<TestServer> {
  const conns = new Set<net.Socket>();
  const onConn = (c: net.Socket) => {
    conns.add(c);
    c.on("close", () => conns.delete(c));
    let head = Buffer.alloc(0);
    let remaining = -1;
    c.on("error", () => {});
    c.on("data", (d: Buffer) => {
      if (remaining >= 0) {
        c.write(d);
        remaining -= d.length;
        if (remaining <= 0) c.end();
        return;
      }
      head = Buffer.concat([head, d]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const text = head.subarray(0, end).toString("latin1");
      const body = head.subarray(end + 4);
      if (text.startsWith("POST /loop")) {
        const m = /Content-Length: (\d+)/i.exec(text);
        remaining = m ? Number(m[1]) : 0;
        c.write(`HTTP/1.0 200 OK\r\nContent-Length: ${remaining}\r\n\r\n`);
        if (body.length) {
          c.write(body);
          remaining -= body.length;
        }
        if (remaining <= 0) c.end();
      } else {
        c.end(RESPONSE);
      }
    });
  };
  const srv = opts.tls ? tls.createServer(opts.tls, onConn) : net.createServer(onConn);
  let address: [string, number] | string;
  if (opts.unix) {
    address = unixPath();
    await new Promise<void>((r) => srv.listen(address as string, r));
  } else {
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    address = ["127.0.0.1", (srv.address() as net.AddressInfo).port];
  }
  return {
    address,
    close: () => new Promise<void>((r) => {
      srv.close(() => r());
      for (const c of conns) c.destroy();
      if (typeof address === "string") fs.rmSync(address, { force: true });
    }),
  };
}

/** test_utils.run_udp_echo_server: sends every datagram back to its sender. */
export async function runUdpEchoServer(): Promise<{ address: [string, number]; close(): Promise<void> }> {
  const s = dgram.createSocket("udp4");
  s.on("message", (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  return { address: ["127.0.0.1", s.address().port], close: () => new Promise<void>((r) => s.close(() => r())) };
}

let unixCounter = 0;
/** test_utils.gen_unix_socket_path: a fresh path for an AF_UNIX socket. */
export function unixPath(): string {
  return path.join(os.tmpdir(), `tsyncio-c2-${process.pid}-${unixCounter++}.sock`);
}

/** Runs the coroutine until `pred()` is true (test_utils.run_until, without its wall-clock timeout). */
export function* runUntil(pred: () => unknown): Coroutine<void> {
  while (!pred()) yield* asyncio.sleep(0.001);
}

/** Awaits `aw` and returns what it raises, asserting its class (assertRaises). */
export function* raises<E>(cls: abstract new (...a: never[]) => E, aw: Iterable<unknown>): Coroutine<E> {
  try {
    yield* aw;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`${cls.name} not raised`);
}

/** Runs `body` on a fresh SelectorEventLoop, then closes the loop. */
export async function withLoop<T>(body: (loop: asyncio.SelectorEventLoop) => Promise<T>): Promise<T> {
  const loop = new asyncio.SelectorEventLoop();
  try {
    return await body(loop);
  } finally {
    // test_utils.TestCase's tearDown: run the loop briefly (transports' close callbacks), then close it.
    if (!loop.isClosed() && !loop.isRunning()) {
      await loop.runUntilComplete(asyncio.sleep(0)).catch(() => {});
      loop.close();
    }
  }
}

/** test_events.py MyBaseProto. */
export class MyBaseProto extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;
  state = "INITIAL";
  nbytes = 0;
  connected: asyncio.Future<null> | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) {
      this.connected = loop.createFuture();
      this.done = loop.createFuture();
    }
  }
  protected assertState(...expected: string[]): void {
    if (!expected.includes(this.state)) throw new assert.AssertionError({ message: `state: '${this.state}', expected: ${expected.join(", ")}` });
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.Transport;
    this.assertState("INITIAL");
    this.state = "CONNECTED";
    this.connected?.setResult(null);
  }
  override dataReceived(data: Uint8Array): void {
    this.assertState("CONNECTED");
    this.nbytes += data.length;
  }
  override eofReceived(): void {
    this.assertState("CONNECTED");
    this.state = "EOF";
  }
  override connectionLost(_exc: Error | null): void {
    this.assertState("CONNECTED", "EOF");
    this.state = "CLOSED";
    this.done?.setResult(null);
  }
}

/** test_events.py / test_sock_lowlevel.py MyProto: sends an HTTP request once connected. */
export class MyProto extends MyBaseProto {
  override connectionMade(transport: asyncio.BaseTransport): void {
    super.connectionMade(transport);
    (transport as asyncio.Transport).write(Buffer.from("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"));
  }
}

/** test_events.py MyDatagramProto. */
export class MyDatagramProto extends asyncio.DatagramProtocol {
  state = "INITIAL";
  nbytes = 0;
  transport: asyncio.DatagramTransport | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) this.done = loop.createFuture();
  }
  protected assertState(expected: string): void {
    assert.equal(this.state, expected);
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.DatagramTransport;
    this.assertState("INITIAL");
    this.state = "INITIALIZED";
  }
  override datagramReceived(data: Uint8Array, _addr: unknown): void {
    this.assertState("INITIALIZED");
    this.nbytes += data.length;
  }
  override errorReceived(_exc: Error): void {
    this.assertState("INITIALIZED");
  }
  override connectionLost(_exc: Error | null): void {
    this.assertState("INITIALIZED");
    this.state = "CLOSED";
    this.done?.setResult(null);
  }
}

/** test_events.py MyReadPipeProto. */
export class MyReadPipeProto extends asyncio.Protocol {
  state: string[] = ["INITIAL"];
  nbytes = 0;
  transport: asyncio.ReadTransport | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) this.done = loop.createFuture();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.ReadTransport;
    assert.deepEqual(this.state, ["INITIAL"]);
    this.state.push("CONNECTED");
  }
  override dataReceived(data: Uint8Array): void {
    assert.deepEqual(this.state, ["INITIAL", "CONNECTED"]);
    this.nbytes += data.length;
  }
  override eofReceived(): void {
    assert.deepEqual(this.state, ["INITIAL", "CONNECTED"]);
    this.state.push("EOF");
  }
  override connectionLost(_exc: Error | null): void {
    if (!this.state.includes("EOF")) this.state.push("EOF");
    assert.deepEqual(this.state, ["INITIAL", "CONNECTED", "EOF"]);
    this.state.push("CLOSED");
    this.done?.setResult(null);
  }
}

/** test_events.py MyWritePipeProto. */
export class MyWritePipeProto extends asyncio.BaseProtocol {
  state = "INITIAL";
  transport: asyncio.WriteTransport | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) this.done = loop.createFuture();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.WriteTransport;
    assert.equal(this.state, "INITIAL");
    this.state = "CONNECTED";
  }
  override connectionLost(_exc: Error | null): void {
    assert.equal(this.state, "CONNECTED");
    this.state = "CLOSED";
    this.done?.setResult(null);
  }
}

/** test_events.py MySubprocessProtocol. */
export class MySubprocessProtocol extends asyncio.SubprocessProtocol {
  state = "INITIAL";
  transport: asyncio.SubprocessTransport | null = null;
  connected: asyncio.Future<null>;
  completed: asyncio.Future<null>;
  disconnects: asyncio.Future<Error | null>[];
  data: Record<number, Buffer> = { 1: Buffer.alloc(0), 2: Buffer.alloc(0) };
  returncode: number | null = null;
  gotData: Record<number, asyncio.Event> = { 1: new asyncio.Event(), 2: new asyncio.Event() };
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.connected = loop.createFuture();
    this.completed = loop.createFuture();
    this.disconnects = [0, 1, 2].map(() => loop.createFuture<Error | null>());
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.SubprocessTransport;
    assert.equal(this.state, "INITIAL");
    this.state = "CONNECTED";
    this.connected.setResult(null);
  }
  override connectionLost(_exc: Error | null): void {
    assert.equal(this.state, "CONNECTED");
    this.state = "CLOSED";
    this.completed.setResult(null);
  }
  override pipeDataReceived(fd: number, data: Uint8Array): void {
    assert.equal(this.state, "CONNECTED");
    this.data[fd] = Buffer.concat([this.data[fd]!, data]);
    this.gotData[fd]!.set();
  }
  override pipeConnectionLost(fd: number, exc: Error | null): void {
    assert.equal(this.state, "CONNECTED");
    if (exc) this.disconnects[fd]!.setException(exc);
    else this.disconnects[fd]!.setResult(exc);
  }
  override processExited(): void {
    assert.equal(this.state, "CONNECTED");
    this.returncode = this.transport!.getReturncode();
  }
}

// ---- os and ssl stand-ins ---------------------------------------------------

/** os.pipe(): a blocking pipe, `[readFd, writeFd]`. */
export function osPipe(): [number, number] {
  const r = native().pipe();
  if (typeof r === "number") throw new Error(`pipe failed: ${r}`);
  return r;
}

/** os.lseek(fd, 0, SEEK_CUR): a file's position (Python's file.tell()). */
export function tell(fd: number): number {
  return native().lseek(fd, 0, 1);
}

let certsMade: TestCerts | null = null;
/** The test certificates (test/helpers/certs.ts): a CA, a server certificate for localhost/127.0.0.1 it signs; made on first use. */
export function testCerts(): TestCerts {
  if (certsMade === null) {
    const c = makeCerts();
    certsMade = c;
    process.on("exit", () => c.cleanup());
  }
  return certsMade;
}

/** test_utils.simple_server_sslcontext: the server certificate, nothing verified. */
export function simpleServerSslcontext(): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(testCerts().serverCert, testCerts().serverKey);
  return ctx;
}

/** test_utils.simple_client_sslcontext / dummy_ssl_context: a client that verifies nothing. */
export function simpleClientSslcontext(): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  return ctx;
}

let localhostOnly: { certfile: string; keyfile: string } | null = null;
/**
 * A self-signed certificate for DNS:localhost only (no IP address), like
 * CPython's SIGNED_CERTFILE; made with the openssl CLI on first use. It is its
 * own CA.
 */
export function localhostOnlyCert(): { certfile: string; keyfile: string } {
  if (localhostOnly === null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsyncio-c2-cert-"));
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const certfile = path.join(dir, "cert.pem");
    const keyfile = path.join(dir, "key.pem");
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE",
      "-keyout", keyfile, "-out", certfile,
    ], { stdio: "ignore" });
    localhostOnly = { certfile, keyfile };
  }
  return localhostOnly;
}
