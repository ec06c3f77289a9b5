// Helpers of the conformance ports of test_streams.py and test_subprocess.py
// (CPython 3.12.1): the stand-ins for test_utils.run_test_server /
// run_test_unix_server and the SSL contexts of test_utils.
import * as net from "node:net";
import * as tls from "node:tls";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import type { AbstractEventLoop, ExceptionContext } from "../../src/index.js";
import { ssl, SSLContext } from "../../src/index.js";
import { makeCerts, type TestCerts } from "../helpers/certs.js";

/** The reply of test_utils' HTTP test server to any request (HTTP/1.0: it closes after). */
export const HTTP_REPLY = "HTTP/1.0 200 OK\r\nServer: tsyncio-test\r\nContent-type: text/plain\r\n\r\nTest message";

export interface TestServer {
  /** `[host, port]` for TCP, the socket path for a Unix server. */
  address: [string, number] | string;
  close(): Promise<void>;
}

let certs: TestCerts | null = null;
/** The test certificates (made once per process; removed at exit). */
export function testCerts(): TestCerts {
  if (certs === null) {
    certs = makeCerts();
    const c = certs;
    process.once("exit", () => c.cleanup());
  }
  return certs;
}

/** A fresh directory for Unix socket paths (test_utils.unix_socket_path). */
export function unixSocketPath(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "c5-"));
  return { path: join(dir, "sock"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * test_utils.run_test_server / run_test_unix_server: a Node server (outside
 * the asyncio loop, as CPython's runs in a thread) that answers a request
 * ending in a blank line with HTTP_REPLY and closes the connection.
 */
export async function runTestServer(opts: { unix?: boolean; useSsl?: boolean } = {}): Promise<TestServer> {
  const onConn = (c: net.Socket) => {
    let got = "";
    c.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes("\r\n\r\n")) c.end(HTTP_REPLY);
    });
    c.on("error", () => {});
  };
  let srv: net.Server;
  if (opts.useSsl) {
    const k = testCerts();
    srv = tls.createServer({ cert: readFileSync(k.serverCert), key: readFileSync(k.serverKey) }, onConn);
  } else srv = net.createServer(onConn);
  srv.on("error", () => {});
  let address: [string, number] | string;
  let cleanup = () => {};
  if (opts.unix) {
    const p = unixSocketPath();
    cleanup = p.cleanup;
    await new Promise<void>((r) => srv.listen(p.path, r));
    address = p.path;
  } else {
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    address = ["127.0.0.1", (srv.address() as net.AddressInfo).port];
  }
  const open = new Set<net.Socket>();
  srv.on(opts.useSsl ? "secureConnection" : "connection", (c: net.Socket) => {
    open.add(c);
    c.on("close", () => open.delete(c));
  });
  return {
    address,
    close: async () => {
      for (const c of open) c.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
      cleanup();
    },
  };
}

/** test_utils.dummy_ssl_context: a client context that checks nothing. */
export function dummySslContext(): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  return ctx;
}

/** test_utils.simple_server_sslcontext: the test server certificate. */
export function simpleServerSslContext(): SSLContext {
  const k = testCerts();
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(k.serverCert, k.serverKey);
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  return ctx;
}

/** test_utils.simple_client_sslcontext: no verification, as CPython's. */
export function simpleClientSslContext(): SSLContext {
  return dummySslContext();
}

/** assertRaises around a promise: it rejects with an instance of `cls` (and a message matching `msg`). */
export async function rejects<E extends Error>(p: PromiseLike<unknown>, cls: abstract new (...a: never[]) => E, msg?: RegExp): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (msg) assert.match(e.message, msg);
    return e;
  }
  assert.fail(`${cls.name} not raised`);
}

/** test_utils.run_briefly: one pass of the loop. */
export async function runBriefly(loop: asyncio.AbstractEventLoop): Promise<void> {
  await loop.runUntilComplete(asyncio.sleep(0));
}

/** test_utils.TestCase's setUp/tearDown (StreamTests, SubprocessMixin) around `body`: a new loop, no current loop, run_briefly and close at the end. */
export async function withLoop(body: (loop: asyncio.BaseEventLoop) => Promise<void>): Promise<void> {
  const loop = asyncio.newEventLoop() as asyncio.BaseEventLoop;
  asyncio.setEventLoop(null);
  try {
    await body(loop);
    await runBriefly(loop);
  } finally {
    loop.close();
    asyncio.setEventLoop(null);
  }
}

/** loop.set_exception_handler(lambda loop, ctx: messages.append(ctx)) */
export function recordMessages(loop: AbstractEventLoop): ExceptionContext[] {
  const messages: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => void messages.push(ctx));
  return messages;
}

