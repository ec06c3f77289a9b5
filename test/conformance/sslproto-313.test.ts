// Conformance: re-creates the test method that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_sslproto.py (the 3.12.1 file is in sslproto.test.ts).
// CPython connects an SSLProtocol to a mock transport; here it runs over one end of a
// real socketpair whose other end is a raw socket of the test (it never answers the
// handshake, so the close comes during the handshake).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { SSLContext, ssl } from "../../src/index.js";
import type { BaseEventLoop, Coroutine, ExceptionContext } from "../../src/index.js";
import { SSLProtocol, makeSslTransport } from "../../src/net/sslproto.js";
import { socketpair } from "../../src/stdlib/socket.js";

/** A client context that verifies nothing (the peer never answers anyway). */
function clientCtx(): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.checkHostname = false;
  ctx.verifyMode = ssl.CERT_NONE;
  return ctx;
}

function* tick(n: number): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* asyncio.sleep(0);
}

// test_sslproto.py (3.13) SslProtoHandshakeTests.test_close_during_ssl_over_ssl
test("test_sslproto.py (3.13) SslProtoHandshakeTests.test_close_during_ssl_over_ssl", async () => {
  // TLS over TLS: the app protocol of the outer SSL transport is itself an SSLProtocol.
  // Closing the outer app transport must not report any error (gh-113214).
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  const [sock, peer] = socketpair();
  sock.setblocking(false);
  peer.setblocking(false);
  try {
    await loop.runUntilComplete((function* (): Coroutine<void> {
      const inner = new SSLProtocol(loop, new asyncio.Protocol(), clientCtx(), loop.createFuture<void>(), false, "localhost");
      const waiter = loop.createFuture<void>();
      const app = makeSslTransport(loop, sock, inner, clientCtx(), waiter,
        { serverSide: false, serverHostname: "localhost", sslHandshakeTimeout: 60 });
      yield* tick(2);
      const messages: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, ctx) => void messages.push(ctx));
      app.close();
      for (let i = 0; i < 2000 && sock.fileno() !== -1; i++) yield* asyncio.sleep(i < 20 ? 0 : 0.001);
      assert.equal(sock.fileno(), -1, "the socket closed");
      yield* tick(5);
      assert.deepEqual(messages, []);
      if (waiter.done() && !waiter.cancelled()) waiter.exception();
    })());
  } finally {
    peer.close();
    loop.close();
  }
});
