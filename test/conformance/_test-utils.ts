// Stand-ins for CPython's Lib/test/test_asyncio/utils.py (test_utils) and the
// unittest test cases the conformance files are written against, shared by
// all of them:
//  - the test cases: `withVirtualLoop` / `withRealLoop` (test_utils.TestCase
//    with a fresh loop, on a virtual clock or a real selector loop), `runTest`
//    (IsolatedAsyncioTestCase: asyncio.run on a fresh loop, virtual time unless
//    told `realLoop`), `virtualLoop`, `runBriefly`, `runUntil`, `newTask`,
//    `newFuture`, `recordMessages`, `gcCollect`;
//  - the servers: `runTestServer` (run_test_server / run_test_unix_server, a
//    small HTTP/1.0 server), `runUdpEchoServer`, Unix socket paths;
//  - the certificates and SSL contexts (simple_server_sslcontext,
//    simple_client_sslcontext, dummy_ssl_context) and a few os stand-ins.
// The servers are Node's own (net, tls, dgram) in this process, as CPython's
// run in a thread: the loop under test is the only tsyncio code on either side.
import { execFileSync } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as asyncio from "../../src/index.js";
import { SSLContext, ssl } from "../../src/index.js";
import type { AbstractEventLoop, Context, Coroutine, ExceptionContext, Future, Task } from "../../src/index.js";
import type { VirtualTimeLoop } from "../../src/testing.js";
import { native } from "../../src/internal/native.js";
import { makeCerts, type TestCerts } from "../helpers/certs.js";

export type { VirtualTimeLoop };

// ---- test cases -------------------------------------------------------------

/**
 * test_utils.TestCase with new_test_loop(): no current event loop, a fresh
 * virtual-time loop (TestLoop's clock that moves only when the loop would
 * sleep), closed afterwards whatever happens.
 */
export async function withVirtualLoop(body: (loop: VirtualTimeLoop) => Promise<void> | void): Promise<void> {
  asyncio.setEventLoop(null);
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    await body(loop);
  } finally {
    if (!loop.isClosed() && !loop.isRunning()) loop.close();
    asyncio.setEventLoop(null);
  }
}

/**
 * test_utils.TestCase's setUp/tearDown on a real loop (a fresh
 * SelectorEventLoop, no current loop): after `body`, run_briefly (the
 * transports' close callbacks) and close the loop.
 */
export async function withRealLoop<T>(body: (loop: asyncio.SelectorEventLoop) => Promise<T>): Promise<T> {
  const loop = new asyncio.SelectorEventLoop();
  asyncio.setEventLoop(null);
  try {
    const r = await body(loop);
    if (!loop.isClosed() && !loop.isRunning()) await runBriefly(loop);
    return r;
  } finally {
    if (!loop.isClosed() && !loop.isRunning()) loop.close();
    asyncio.setEventLoop(null);
  }
}

/** IsolatedAsyncioTestCase: runs `main` with asyncio.run on a fresh loop, a virtual-time one unless `realLoop`. */
export function runTest<T>(main: () => Coroutine<T>, opts: { realLoop?: boolean } = {}): Promise<T> {
  return asyncio.run(main(), opts.realLoop ? { debug: false } : { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

/** The running loop as the virtual-time loop it is inside runTest(). */
export function virtualLoop(): VirtualTimeLoop {
  return asyncio.getRunningLoop() as VirtualTimeLoop;
}

/** test_utils.run_briefly: runs the loop for one short task (a few iterations). */
export async function runBriefly(loop: AbstractEventLoop): Promise<void> {
  const t = loop.createTask((function* once(): Coroutine<void> {})());
  (t as { _logDestroyPending: boolean })._logDestroyPending = false;
  await loop.runUntilComplete(t);
}

/** Runs the coroutine until `pred()` is true (test_utils.run_until, without its wall-clock timeout). */
export function* runUntil(pred: () => unknown): Coroutine<void> {
  while (!pred()) yield* asyncio.sleep(0.001);
}

/** BaseTaskTests.new_task: a Task on `loop`, named 'TestTask' unless told otherwise. */
export function newTask<T>(loop: AbstractEventLoop, coro: Coroutine<T>, name: string | null = "TestTask", context?: Context): Task<T> {
  return new asyncio.Task(coro, { loop, name, context: context ?? null });
}

/** A future of `loop` (BaseTaskTests.new_future). */
export function newFuture<T>(loop: AbstractEventLoop): Future<T> {
  return new asyncio.Future<T>({ loop });
}

/** loop.set_exception_handler(lambda loop, ctx: messages.append(ctx)) */
export function recordMessages(loop: AbstractEventLoop): ExceptionContext[] {
  const messages: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => void messages.push(ctx));
  return messages;
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** support.gc_collect(): collects garbage and lets the finalization callbacks run. */
export async function gcCollect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

// ---- servers ----------------------------------------------------------------

/** A running test server: its address ([host, port] or a Unix path) and how to stop it. */
export interface TestServer {
  address: [string, number] | string;
  close(): Promise<void>;
}

const RESPONSE = "HTTP/1.0 200 OK\r\nContent-type: text/plain\r\nContent-Length: 12\r\n\r\nTest message";

/**
 * test_utils.run_test_server / run_test_unix_server: answers every request
 * with "HTTP/1.0 200 OK ... Test message" and closes; a `POST /loop` gets its
 * own body back (as test_utils' WSGI app does). `tls`: the server's TLS
 * options, or `true` for the test certificate (use_ssl=True).
 */
export async function runTestServer(opts: { unix?: boolean; tls?: tls.SecureContextOptions | true } = {}): Promise<TestServer> {
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
  const tlsOpts = opts.tls === true ? { cert: fs.readFileSync(testCerts().serverCert), key: fs.readFileSync(testCerts().serverKey) } : opts.tls;
  const srv = tlsOpts ? tls.createServer(tlsOpts, onConn) : net.createServer(onConn);
  srv.on("error", () => {});
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
  return path.join(os.tmpdir(), `tsyncio-test-${process.pid}-${unixCounter++}.sock`);
}

/** test_utils.unix_socket_path (a context manager): a fresh path and how to remove the socket. */
export function unixSocketPath(): { path: string; cleanup(): void } {
  const p = unixPath();
  return { path: p, cleanup: () => fs.rmSync(p, { force: true }) };
}

// ---- certificates and SSL contexts ----------------------------------------------

let certsMade: TestCerts | null = null;
/** The test certificates (test/helpers/certs.ts): a CA, a server certificate for localhost/127.0.0.1 it signs; made on first use, removed at exit. */
export function testCerts(): TestCerts {
  if (certsMade === null) {
    const c = makeCerts();
    certsMade = c;
    process.once("exit", () => c.cleanup());
  }
  return certsMade;
}

/** test_utils.simple_server_sslcontext: the server certificate, nothing verified. */
export function simpleServerSslContext(): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(testCerts().serverCert, testCerts().serverKey);
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  return ctx;
}

/** test_utils.simple_client_sslcontext / dummy_ssl_context: a client that verifies nothing. */
export function simpleClientSslContext(): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  return ctx;
}

/** test_utils.dummy_ssl_context: the same client context that checks nothing. */
export const dummySslContext = simpleClientSslContext;

let localhostOnly: { certfile: string; keyfile: string } | null = null;
/**
 * A self-signed certificate for DNS:localhost only (no IP address), like
 * CPython's SIGNED_CERTFILE; made with the openssl CLI on first use. It is its
 * own CA.
 */
export function localhostOnlyCert(): { certfile: string; keyfile: string } {
  if (localhostOnly === null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsyncio-test-cert-"));
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

// ---- os stand-ins -------------------------------------------------------------

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
