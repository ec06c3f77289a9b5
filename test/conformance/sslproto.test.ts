// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_sslproto.py, test
// by test. SslProtoHandshakeTests drive an SSLProtocol over a mock transport
// and a mock SSLObject; here the SSLProtocol (src/net/sslproto.ts, as
// asyncio.sslproto) runs over a real socket transport whose peer is a raw
// socket of the test. The BaseStartTLS functional tests run their peer on the
// same loop (see _tls-scenarios.ts); ProactorStartTLSTests is Windows only.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { ConnectionResetError, ValueError } from "../../src/index.js";
import type { BaseEventLoop, Coroutine, Future, Transport } from "../../src/index.js";
import { SSLProtocol, makeSslTransport } from "../../src/net/sslproto.js";
import { AF_INET, SOCK_STREAM, SOL_SOCKET, SO_LINGER, Socket } from "../../src/stdlib/socket.js";
import { Recorder, drain, nbPair, tick, until, withLoop } from "./_transport-helpers.js";
import {
  certs, clientCtx, createConnectionMemoryLeak, createConnectionSslFailedCertificate, createConnectionSslSlowHandshake, handshakeTimeout, startTlsClientBufProto1, startTlsClientCorruptedSsl, startTlsClientRegProto1, startTlsServer1, startTlsSlowClientCancel, startTlsWrongArgs,
} from "./_tls-scenarios.js";
import { simpleServerSslContext } from "./_test-utils.js";

after(() => certs.cleanup());

/** A client TLS transport over one end of a socketpair; the other end is the raw peer (it never answers the handshake). */
function sslTransport(loop: BaseEventLoop, proto: asyncio.BaseProtocol, waiter: Future<void> | null,
  pair: [Socket, Socket] = nbPair()): { app: Transport; peer: Socket; sock: Socket } {
  const [sock, peer] = pair;
  const app = makeSslTransport(loop, sock, proto, clientCtx(), waiter, { serverSide: false, serverHostname: "localhost", sslHandshakeTimeout: 60 });
  return { app, peer, sock };
}

function tcpPair(): [Socket, Socket] {
  const lsock = new Socket(AF_INET, SOCK_STREAM);
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen(1);
  const client = new Socket(AF_INET, SOCK_STREAM);
  client.connect(lsock.getsockname());
  const [server] = lsock.accept();
  lsock.close();
  client.setblocking(false);
  server.setblocking(false);
  return [client, server];
}

function* failure(fut: Future<void>): Coroutine<unknown> {
  yield* until(() => fut.done(), "the waiter");
  return fut.exception();
}

// ---- SslProtoHandshakeTests ----------------------------------------------------

test("test_sslproto.py SslProtoHandshakeTests.test_handshake_timeout_zero", () =>
  withLoop(function* (loop) {
    assert.throws(() => new SSLProtocol(loop, new asyncio.Protocol(), clientCtx(), loop.createFuture(), false, null, { sslHandshakeTimeout: 0 }),
      (e: unknown) => e instanceof ValueError && /a positive number/.test(e.message));
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_handshake_timeout_negative", () =>
  withLoop(function* (loop) {
    assert.throws(() => new SSLProtocol(loop, new asyncio.Protocol(), clientCtx(), loop.createFuture(), false, null, { sslHandshakeTimeout: -10 }),
      (e: unknown) => e instanceof ValueError && /a positive number/.test(e.message));
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_eof_received_waiter", () =>
  withLoop(function* (loop) {
    // EOF from the peer during the handshake: the waiter fails with ConnectionResetError.
    const waiter = loop.createFuture<void>();
    const { app, peer } = sslTransport(loop, new asyncio.Protocol(), waiter);
    yield* tick(2);
    peer.shutdown(1);
    assert.ok((yield* failure(waiter)) instanceof ConnectionResetError);
    app.close();
    yield* tick(2);
    peer.close();
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_connection_lost", () =>
  withLoop(function* (loop) {
    // The connection is lost during the handshake (the peer resets it): the waiter fails with that error, it does not hang.
    const waiter = loop.createFuture<void>();
    const pair = tcpPair();
    sslTransport(loop, new asyncio.Protocol(), waiter, pair);
    yield* tick(2);
    const linger = Buffer.alloc(8);
    linger.writeInt32LE(1, 0);
    pair[1].setsockopt(SOL_SOCKET, SO_LINGER, linger);
    pair[1].close();
    assert.ok((yield* failure(waiter)) instanceof ConnectionResetError);
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_close_during_handshake", () =>
  withLoop(function* (loop) {
    // Closing the app transport mid-handshake aborts the underlying transport (its socket is not leaked).
    const waiter = loop.createFuture<void>();
    const { app, peer, sock } = sslTransport(loop, new asyncio.Protocol(), waiter);
    yield* tick(2);
    app.close();
    yield* until(() => sock.fileno() === -1, "the socket closed");
    drain(peer);
    yield* until(() => {
      try {
        return peer.recv(10).length === 0;
      } catch {
        return false;
      }
    }, "EOF at the peer");
    peer.close();
    yield* tick(2);
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_get_extra_info_on_closed_connection", () =>
  withLoop(function* (loop) {
    const waiter = loop.createFuture<void>();
    const { app, peer, sock } = sslTransport(loop, new asyncio.Protocol(), waiter);
    // Before connectionMade() of the SSL protocol: no socket yet, the default is returned.
    assert.equal(app.getExtraInfo("socket"), null);
    const dflt = {};
    assert.equal(app.getExtraInfo("socket", dflt), dflt);
    yield* tick(2);
    assert.equal(app.getExtraInfo("socket"), sock);
    app.abort();
    yield* tick(3);
    assert.equal(app.getExtraInfo("socket"), null);
    peer.close();
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_set_new_app_protocol", () =>
  withLoop(function* (loop) {
    const waiter = loop.createFuture<void>();
    const first = new asyncio.Protocol();
    const { app, peer } = sslTransport(loop, first, waiter);
    assert.equal(app.getProtocol(), first);
    const newAppProto = new asyncio.Protocol();
    app.setProtocol(newAppProto);
    assert.equal(app.getProtocol(), newAppProto);
    app.abort();
    yield* tick(3);
    peer.close();
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_data_received_after_closing", () =>
  withLoop(function* (loop) {
    const errors: unknown[] = [];
    loop.setExceptionHandler((_l, ctx) => errors.push(ctx));
    const proto = new Recorder();
    const { app, peer } = sslTransport(loop, proto, null);
    yield* tick(2);
    app.close();
    // Bytes arriving after close() raise nothing and reach no protocol.
    try {
      peer.send(Buffer.from("12345"));
    } catch {
      // already gone
    }
    yield* tick(3);
    assert.deepEqual(proto.chunks, []);
    assert.deepEqual(errors, []);
    peer.close();
  }));

test("test_sslproto.py SslProtoHandshakeTests.test_write_after_closing", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { app, peer } = sslTransport(loop, proto, null);
    yield* tick(2);
    app.close();
    assert.equal(app.write(Buffer.from("data")), undefined);
    yield* tick(3);
    peer.close();
  }));

// ---- BaseStartTLS (SelectorStartTLSTests) ---------------------------------------

test("test_sslproto.py BaseStartTLS.test_buf_feed_data", () =>
  withLoop(function* (loop) {
    // Data handed to a BufferedProtocol in pieces as small as its buffer (CPython's
    // protocols._feed_data_to_buffered_proto, which the SSL transport uses).
    for (const usemv of [false, true]) {
      for (const [bufsize, payload] of [[1, "12345"], [2, "12345"], [2, "1234"], [4, "1234"], [100, "12345"]] as const) {
        const got: Buffer[] = [];
        const backing = new Uint8Array(bufsize + 4);
        const buf = usemv ? backing.subarray(2, 2 + bufsize) : new Uint8Array(bufsize);
        const done = loop.createFuture<void>();
        class Proto extends asyncio.BufferedProtocol {
          override getBuffer(): Uint8Array {
            return buf;
          }
          override bufferUpdated(n: number): void {
            got.push(Buffer.from(buf.subarray(0, n)));
            if (Buffer.concat(got).length >= payload.length && !done.done()) done.setResult();
          }
        }
        const [a, b] = nbPair();
        const client = makeSslTransport(loop, a, new Proto(), clientCtx(), null, { serverSide: false, serverHostname: "localhost" });
        const [b1] = yield* loop.connectAcceptedSocket(() => new Recorder(), b, { ssl: simpleServerSslContext() });
        (b1 as Transport).write(Buffer.from(payload));
        yield* done;
        assert.equal(Buffer.concat(got).toString(), payload);
        client.abort();
        (b1 as Transport).abort();
        yield* tick(2);
      }
    }
    // A zero-sized buffer is an error: "get_buffer() returned an empty buffer".
    const errors: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => errors.push(ctx));
    class Empty extends asyncio.BufferedProtocol {
      lost: Error | null | undefined = undefined;
      override getBuffer(): Uint8Array {
        return new Uint8Array(0);
      }
      override bufferUpdated(): void {}
      override connectionLost(exc: Error | null): void {
        this.lost = exc;
      }
    }
    const [a, b] = nbPair();
    const proto = new Empty();
    makeSslTransport(loop, a, proto, clientCtx(), null, { serverSide: false, serverHostname: "localhost" });
    const [b1] = yield* loop.connectAcceptedSocket(() => new Recorder(), b, { ssl: simpleServerSslContext() });
    (b1 as Transport).write(Buffer.from("12345"));
    yield* until(() => proto.lost !== undefined, "connectionLost");
    assert.ok(proto.lost instanceof asyncio.RuntimeError);
    assert.match(proto.lost.message, /empty buffer/);
    (b1 as Transport).abort();
    yield* tick(2);
  }));

test("test_sslproto.py BaseStartTLS.test_start_tls_client_reg_proto_1", () => withLoop(startTlsClientRegProto1));
test("test_sslproto.py BaseStartTLS.test_create_connection_memory_leak", () => withLoop(createConnectionMemoryLeak));
test("test_sslproto.py BaseStartTLS.test_start_tls_client_buf_proto_1", () => withLoop(startTlsClientBufProto1));
test("test_sslproto.py BaseStartTLS.test_start_tls_slow_client_cancel", () => withLoop(startTlsSlowClientCancel));
test("test_sslproto.py BaseStartTLS.test_start_tls_server_1", () => withLoop(startTlsServer1));
test("test_sslproto.py BaseStartTLS.test_start_tls_wrong_args", () => withLoop(startTlsWrongArgs));
test("test_sslproto.py BaseStartTLS.test_handshake_timeout", () => withLoop(handshakeTimeout));
test("test_sslproto.py BaseStartTLS.test_create_connection_ssl_slow_handshake", () => withLoop(createConnectionSslSlowHandshake));
test("test_sslproto.py BaseStartTLS.test_create_connection_ssl_failed_certificate", () => withLoop(createConnectionSslFailedCertificate));
test("test_sslproto.py BaseStartTLS.test_start_tls_client_corrupted_ssl", () =>
  withLoop(function* (loop) {
    assert.equal(yield* startTlsClientCorruptedSsl(loop), "OK");
  }));
