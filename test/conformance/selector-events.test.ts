// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_selector_events.py,
// test by test. CPython drives _SelectorSocketTransport and
// _SelectorDatagramTransport over mock sockets and a mock loop; here every
// test uses a real transport (connectAcceptedSocket over a socketpair or a TCP
// connection, createDatagramEndpoint over UDP or AF_UNIX datagram sockets) and
// a protocol that records its calls. "The kernel takes only part of a write"
// is a real full socket buffer; "send raises OSError" is a real EPIPE or
// ECONNREFUSED. Tests that only exercise private plumbing are listed in
// SKIPPED.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../../src/index.js";
import {
  BrokenPipeError, ConnectionRefusedError, ConnectionResetError, RuntimeError, ValueError,
} from "../../src/index.js";
import type { BaseEventLoop, Coroutine, DatagramTransport, Transport } from "../../src/index.js";
import {
  AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_LINGER, Socket,
} from "../../src/stdlib/socket.js";
import {
  DgramRecorder, Recorder, captureLogs, drain, fillSocket, nbPair, smallBuffers, streamTransport, tick, until, withLoop,
} from "./_transport-helpers.js";
import { recordMessages } from "./_test-utils.js";

const BIG = 1 << 20;

/** A connected TCP pair on 127.0.0.1, both non-blocking. */
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

/** Closes `sock` with SO_LINGER {on, 0}: the peer gets a RST. */
function resetClose(sock: Socket): void {
  const linger = Buffer.alloc(8);
  linger.writeInt32LE(1, 0);
  linger.writeInt32LE(0, 4);
  sock.setsockopt(SOL_SOCKET, SO_LINGER, linger);
  sock.close();
}

/** A transport whose kernel buffers are small and whose peer reads nothing: writes buffer. */
function* cloggedTransport(loop: BaseEventLoop, proto: Recorder): Coroutine<{ tr: Transport; peer: Socket; sock: Socket }> {
  const pair = nbPair();
  smallBuffers(...pair);
  return yield* streamTransport(loop, proto, pair);
}

/** Reads from `peer` until `n` bytes arrived (letting the loop flush meanwhile). */
function* receiveAll(peer: Socket, n: number): Coroutine<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  yield* until(() => {
    const d = drain(peer);
    parts.push(d);
    got += d.length;
    return got >= n;
  }, `${n} bytes at the peer`);
  return Buffer.concat(parts);
}

function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

/** Python raises at the call: a synchronous RuntimeError, or a rejected promise. */
async function refuses(fn: () => Promise<unknown>): Promise<void> {
  let p: Promise<unknown>;
  try {
    p = fn();
  } catch (e) {
    assert.ok(e instanceof RuntimeError);
    return;
  }
  await assert.rejects(p, RuntimeError);
}

// ---- BaseSelectorEventLoopTests ---------------------------------------------

test("test_selector_events.py BaseSelectorEventLoopTests.test_make_socket_transport", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    assert.ok(tr instanceof asyncio.Transport);
    assert.equal(tr.getProtocol(), proto);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_close", async () => {
  const loop = asyncio.newEventLoop();
  const [a, b] = nbPair();
  assert.equal(loop.isClosed(), false);
  loop.close();
  assert.equal(loop.isClosed(), true);
  loop.close();
  loop.close();
  const f = loop.createFuture();
  await refuses(() => loop.runForever());
  await refuses(() => loop.runUntilComplete(f));
  assert.throws(() => loop.addReader(a.fileno(), () => {}), RuntimeError);
  assert.throws(() => loop.addWriter(a.fileno(), () => {}), RuntimeError);
  a.close();
  b.close();
});

test("test_selector_events.py BaseSelectorEventLoopTests.test_close_no_selector", async () => {
  // A loop that never ran closes cleanly, and stays closed.
  const loop = asyncio.newEventLoop();
  loop.close();
  assert.equal(loop.isClosed(), true);
});

test("test_selector_events.py BaseSelectorEventLoopTests.test_sock_connect_resolve_using_socket_params", () =>
  withLoop(function* (loop) {
    for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
      const server = new Socket(AF_INET, type);
      server.bind(["127.0.0.1", 0]);
      if (type === SOCK_STREAM) server.listen(1);
      const port = (server.getsockname() as [string, number])[1];
      const sock = new Socket(AF_INET, type);
      sock.setblocking(false);
      // A host name is resolved with the socket's own family and type.
      yield* loop.sockConnect(sock, ["localhost", port]);
      assert.deepEqual(sock.getpeername(), ["127.0.0.1", port]);
      sock.close();
      server.close();
    }
  }));

/** The add/remove reader/writer tests: real fds, the callbacks that run show the registration. */
test("test_selector_events.py BaseSelectorEventLoopTests.test_add_reader", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    const got: string[] = [];
    loop.addReader(a.fileno(), () => {
      got.push(a.recv(10).toString());
    });
    b.send(Buffer.from("x"));
    yield* until(() => got.length === 1);
    assert.deepEqual(got, ["x"]);
    assert.equal(loop.removeReader(a.fileno()), true);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_add_reader_existing", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    const got: string[] = [];
    let wrote = 0;
    loop.addWriter(a.fileno(), () => {
      wrote++;
      loop.removeWriter(a.fileno());
    });
    loop.addReader(a.fileno(), () => got.push("old"));
    loop.addReader(a.fileno(), () => {
      got.push(`new:${a.recv(10).toString()}`);
    });
    b.send(Buffer.from("y"));
    yield* until(() => got.length >= 1 && wrote === 1);
    // The first reader was replaced (cancelled); the writer kept.
    assert.deepEqual(got, ["new:y"]);
    assert.equal(wrote, 1);
    loop.removeReader(a.fileno());
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_add_reader_existing_writer", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    const got: string[] = [];
    loop.addWriter(a.fileno(), () => {
      got.push("w");
      loop.removeWriter(a.fileno());
    });
    loop.addReader(a.fileno(), () => {
      got.push(`r:${a.recv(10).toString()}`);
      loop.removeReader(a.fileno());
    });
    b.send(Buffer.from("z"));
    yield* until(() => got.length === 2);
    assert.deepEqual(got.sort(), ["r:z", "w"]);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_remove_reader", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    let calls = 0;
    loop.addReader(a.fileno(), () => calls++);
    assert.equal(loop.removeReader(a.fileno()), true);
    b.send(Buffer.from("x"));
    yield* tick(5);
    assert.equal(calls, 0);
    assert.equal(loop.removeReader(a.fileno()), false);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_remove_reader_read_write", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    let reads = 0;
    let writes = 0;
    loop.addReader(a.fileno(), () => reads++);
    loop.addWriter(a.fileno(), () => {
      writes++;
      loop.removeWriter(a.fileno());
    });
    assert.equal(loop.removeReader(a.fileno()), true);
    b.send(Buffer.from("x"));
    yield* until(() => writes === 1);
    yield* tick(3);
    assert.equal(reads, 0);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_remove_reader_unknown", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    assert.equal(loop.removeReader(a.fileno()), false);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_add_writer", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    let writes = 0;
    loop.addWriter(a.fileno(), () => {
      writes++;
      loop.removeWriter(a.fileno());
    });
    yield* until(() => writes === 1);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_add_writer_existing", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    const got: string[] = [];
    loop.addReader(a.fileno(), () => {
      got.push(`r:${a.recv(10).toString()}`);
      loop.removeReader(a.fileno());
    });
    loop.addWriter(a.fileno(), () => got.push("old writer"));
    loop.addWriter(a.fileno(), () => {
      got.push("w");
      loop.removeWriter(a.fileno());
    });
    b.send(Buffer.from("q"));
    yield* until(() => got.length >= 2);
    yield* tick(2);
    assert.deepEqual(got.sort(), ["r:q", "w"]);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_remove_writer", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    let calls = 0;
    loop.addWriter(a.fileno(), () => calls++);
    assert.equal(loop.removeWriter(a.fileno()), true);
    yield* tick(5);
    assert.equal(calls, 0);
    assert.equal(loop.removeWriter(a.fileno()), false);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_remove_writer_read_write", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    let reads = 0;
    let writes = 0;
    loop.addReader(a.fileno(), () => {
      reads++;
      a.recv(10);
      loop.removeReader(a.fileno());
    });
    loop.addWriter(a.fileno(), () => writes++);
    assert.equal(loop.removeWriter(a.fileno()), true);
    b.send(Buffer.from("x"));
    yield* until(() => reads === 1);
    assert.equal(writes, 0);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_remove_writer_unknown", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    assert.equal(loop.removeWriter(a.fileno()), false);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_process_events_read", () =>
  withLoop(function* (loop) {
    // A readable fd runs its reader callback (with its arguments) as a loop callback.
    const [a, b] = nbPair();
    const got: unknown[] = [];
    loop.addReader(a.fileno(), (x: unknown) => {
      got.push(x, asyncio.getRunningLoop() === loop);
      a.recv(10);
      loop.removeReader(a.fileno());
    }, 42);
    b.send(Buffer.from("x"));
    yield* until(() => got.length === 2);
    assert.deepEqual(got, [42, true]);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_process_events_write", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    const got: unknown[] = [];
    loop.addWriter(a.fileno(), (x: unknown) => {
      got.push(x);
      loop.removeWriter(a.fileno());
    }, "arg");
    yield* until(() => got.length === 1);
    assert.deepEqual(got, ["arg"]);
    a.close();
    b.close();
  }));

test("test_selector_events.py BaseSelectorEventLoopTests.test_accept_connection_multiple", () =>
  withLoop(function* (loop) {
    // Connections queued in the backlog are all accepted.
    const made: Recorder[] = [];
    const server = yield* loop.createServer(() => {
      const p = new Recorder();
      made.push(p);
      return p;
    }, "127.0.0.1", 0, { backlog: 100 });
    const port = (server.sockets[0]!.getsockname() as [string, number])[1];
    const clients: Socket[] = [];
    for (let i = 0; i < 10; i++) {
      const c = new Socket(AF_INET, SOCK_STREAM);
      c.setblocking(false);
      c.connectEx(["127.0.0.1", port]);
      clients.push(c);
    }
    yield* until(() => made.length === 10 && made.every((p) => p.events.includes("made")), "10 connections");
    for (const c of clients) c.close();
    server.close();
    yield* server.waitClosed();
  }));

// ---- SelectorTransportTests (the transport base) -----------------------------

test("test_selector_events.py SelectorTransportTests.test_ctor", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer, sock } = yield* streamTransport(loop, proto);
    assert.equal(tr.getExtraInfo("socket"), sock);
    assert.deepEqual(tr.getExtraInfo("sockname"), sock.getsockname());
    assert.deepEqual(tr.getExtraInfo("peername"), sock.getpeername());
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorTransportTests.test_abort", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.abort();
    assert.equal(tr.isClosing(), true);
    yield* tick(2);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    peer.close();
  }));

test("test_selector_events.py SelectorTransportTests.test_close", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.close();
    assert.equal(tr.isClosing(), true);
    assert.equal(tr.isReading(), false);
    peer.send(Buffer.from("late"));
    tr.close();
    yield* tick(3);
    // connectionLost once, no data after close().
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    peer.close();
  }));

test("test_selector_events.py SelectorTransportTests.test_close_write_buffer", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* cloggedTransport(loop, proto);
    const data = pattern(BIG);
    tr.write(data);
    assert.ok(tr.getWriteBufferSize() > 0);
    tr.close();
    yield* tick(3);
    // Not lost while the buffer is flushing.
    assert.equal(proto.lost, false);
    const got = yield* receiveAll(peer, data.length);
    assert.ok(got.equals(data));
    yield* until(() => proto.lost);
    assert.equal(proto.lostExc, null);
    peer.close();
  }));

test("test_selector_events.py SelectorTransportTests.test_force_close", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* cloggedTransport(loop, proto);
    tr.write(pattern(BIG));
    assert.ok(tr.getWriteBufferSize() > 0);
    tr.abort();
    assert.equal(tr.isClosing(), true);
    assert.equal(tr.getWriteBufferSize(), 0);
    tr.abort();
    yield* tick(3);
    assert.deepEqual(proto.events.filter((e) => e.startsWith("lost")), ["lost:null"]);
    peer.close();
  }));

test("test_selector_events.py SelectorTransportTests.test_fatal_error", () =>
  withLoop(function* (loop) {
    // An OSError (EPIPE) is not reported to the exception handler; connectionLost gets it.
    const errors = recordMessages(loop);
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.close();
    tr.write(Buffer.from("data"));
    yield* until(() => proto.lost);
    assert.ok(proto.lostExc instanceof BrokenPipeError);
    assert.deepEqual(errors, []);
  }));

test("test_selector_events.py SelectorTransportTests.test_fatal_error_custom_exception", () =>
  withLoop(function* (loop) {
    // Any other exception goes to the exception handler with the transport and protocol.
    class MyError extends Error {}
    const errors = recordMessages(loop);
    const proto = new Recorder();
    const exc = new MyError();
    proto.raiseIn = { method: "dataReceived", error: exc };
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("x"));
    yield* until(() => proto.lost);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.exception, exc);
    assert.equal(errors[0]!.transport, tr);
    assert.equal(errors[0]!.protocol, proto);
    assert.equal(proto.lostExc, exc);
    peer.close();
  }));

test("test_selector_events.py SelectorTransportTests.test_connection_lost", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer, sock } = yield* streamTransport(loop, proto);
    tr.close();
    yield* tick(2);
    assert.equal(proto.lostExc, null);
    // The socket is closed and the transport lets go of its protocol.
    assert.equal(sock.fileno(), -1);
    assert.equal(tr.isClosing(), true);
    peer.close();
  }));

test("test_selector_events.py SelectorTransportTests.test__add_reader", () =>
  withLoop(function* (loop) {
    // A transport closed before its reading starts never reads.
    const proto = new Recorder();
    const [sock, peer] = nbPair();
    peer.send(Buffer.from("early"));
    proto.onMade = (t) => t.close();
    yield* loop.connectAcceptedSocket(() => proto, sock);
    yield* tick(3);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    peer.close();
  }));

// ---- SelectorSocketTransportTests ------------------------------------------

test("test_selector_events.py SelectorSocketTransportTests.test_ctor", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    // connectionMade ran before the waiter (connectAcceptedSocket) finished; reading is on.
    assert.deepEqual(proto.events, ["made"]);
    assert.equal(proto.transport, tr);
    peer.send(Buffer.from("hello"));
    yield* until(() => proto.data.length === 5);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_ctor_with_waiter", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const [sock, peer] = nbPair();
    const res = yield* loop.connectAcceptedSocket(() => proto, sock);
    assert.equal(res[1], proto);
    assert.equal(proto.events[0], "made");
    res[0].close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_pause_resume_reading", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    assert.equal(tr.isReading(), true);
    for (let i = 0; i < 2; i++) {
      tr.pauseReading();
      assert.equal(tr.isReading(), false);
    }
    peer.send(Buffer.from("data"));
    yield* tick(5);
    assert.equal(proto.chunks.length, 0);
    for (let i = 0; i < 2; i++) {
      tr.resumeReading();
      assert.equal(tr.isReading(), true);
    }
    yield* until(() => proto.data.toString() === "data");
    tr.close();
    assert.equal(tr.isReading(), false);
    tr.resumeReading();
    assert.equal(tr.isReading(), false);
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_pause_reading_connection_made", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    proto.onMade = (t) => t.pauseReading();
    const [sock, peer] = nbPair();
    peer.send(Buffer.from("data"));
    const [tr] = yield* loop.connectAcceptedSocket(() => proto, sock);
    yield* tick(5);
    assert.equal(tr.isReading(), false);
    assert.equal(proto.chunks.length, 0);
    tr.resumeReading();
    yield* until(() => proto.data.toString() === "data");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_read_eof_received_error", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new Recorder();
    proto.raiseIn = { method: "eofReceived", error: new Error("boom") };
    const { peer } = yield* streamTransport(loop, proto);
    peer.shutdown(1);
    yield* until(() => proto.lost);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, "Fatal error: protocol.eof_received() call failed.");
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_data_received_error", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new Recorder();
    proto.raiseIn = { method: "dataReceived", error: new Error("boom") };
    const { peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("data"));
    yield* until(() => proto.lost);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, "Fatal error: protocol.data_received() call failed.");
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_read_ready", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("data"));
    yield* until(() => proto.chunks.length > 0);
    assert.equal(proto.data.toString(), "data");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_read_ready_eof", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.shutdown(1);
    yield* until(() => proto.lost);
    // eofReceived() returned a false value: the transport closes itself.
    assert.deepEqual(proto.events, ["made", "eof", "lost:null"]);
    assert.equal(tr.isClosing(), true);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_read_ready_eof_keep_open", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    proto.keepOpen = true;
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.shutdown(1);
    yield* until(() => proto.events.includes("eof"));
    yield* tick(3);
    assert.equal(proto.lost, false);
    assert.equal(tr.isClosing(), false);
    tr.write(Buffer.from("still writing"));
    assert.equal((yield* receiveAll(peer, 13)).toString(), "still writing");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_read_ready_conn_reset", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new Recorder();
    const [client, server] = tcpPair();
    yield* streamTransport(loop, proto, [client, server]);
    resetClose(server);
    yield* until(() => proto.lost);
    assert.ok(proto.lostExc instanceof ConnectionResetError);
    assert.deepEqual(errors, []);
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.write(Buffer.from("data"));
    // The kernel took it at once: nothing buffered.
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(drain(peer).toString(), "data");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_bytearray", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    const data = new Uint8Array(Buffer.from("data"));
    tr.write(data);
    assert.equal(drain(peer).toString(), "data");
    assert.deepEqual(data, new Uint8Array(Buffer.from("data")));
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_memoryview", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    const whole = Buffer.from("xxdataxx");
    tr.write(whole.subarray(2, 6));
    assert.equal(drain(peer).toString(), "data");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_no_data", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* cloggedTransport(loop, proto);
    tr.write(Buffer.from(""));
    assert.equal(tr.getWriteBufferSize(), 0);
    fillSocket(tr.getExtraInfo("socket") as Socket);
    tr.write(Buffer.alloc(0));
    assert.equal(tr.getWriteBufferSize(), 0);
    tr.abort();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_buffer", () =>
  withLoop(function* (loop) {
    // With data already buffered, a write goes to the end of the buffer.
    const proto = new Recorder();
    const { tr, peer } = yield* cloggedTransport(loop, proto);
    const first = pattern(BIG, 1);
    tr.write(first);
    const size = tr.getWriteBufferSize();
    assert.ok(size > 0);
    tr.write(Buffer.from("data2"));
    assert.equal(tr.getWriteBufferSize(), size + 5);
    const got = yield* receiveAll(peer, first.length + 5);
    assert.ok(got.equals(Buffer.concat([first, Buffer.from("data2")])));
    tr.close();
    yield* tick(2);
    peer.close();
  }));

/** test_write_partial and its bytearray/memoryview variants: the kernel takes part, the rest is buffered and sent later. */
function* writePartial(loop: BaseEventLoop, make: (b: Buffer) => Uint8Array): Coroutine<void> {
  const proto = new Recorder();
  const { tr, peer } = yield* cloggedTransport(loop, proto);
  const data = pattern(BIG, 3);
  const view = make(data);
  tr.write(view);
  const size = tr.getWriteBufferSize();
  assert.ok(size > 0 && size < data.length, `partial: ${size}`);
  // The transport does not mutate the caller's data.
  assert.ok(Buffer.from(view).equals(pattern(BIG, 3)));
  const got = yield* receiveAll(peer, data.length);
  assert.ok(got.equals(pattern(BIG, 3)));
  tr.close();
  yield* tick(2);
  peer.close();
}

test("test_selector_events.py SelectorSocketTransportTests.test_write_partial", () =>
  withLoop(function* (loop) {
    // bytes are immutable in Python; here the buffered part is checked against later changes too.
    const proto = new Recorder();
    const { tr, peer } = yield* cloggedTransport(loop, proto);
    const data = pattern(BIG, 3);
    tr.write(data);
    const size = tr.getWriteBufferSize();
    assert.ok(size > 0 && size < data.length);
    const got = yield* receiveAll(peer, data.length);
    assert.ok(got.equals(data));
    assert.equal(tr.getWriteBufferSize(), 0);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_partial_bytearray", () =>
  withLoop(function* (loop) {
    yield* writePartial(loop, (b) => new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_partial_memoryview", () =>
  withLoop(function* (loop) {
    yield* writePartial(loop, (b) => {
      const big = Buffer.concat([Buffer.from("pre"), b]);
      return big.subarray(3);
    });
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_partial_none", () =>
  withLoop(function* (loop) {
    // The kernel takes nothing of a write: all of it is buffered.
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    fillSocket(sock);
    tr.write(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 4);
    tr.abort();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_tryagain", () =>
  withLoop(function* (loop) {
    // send() would block: everything is buffered and sent once the socket is writable.
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    tr.write(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 4);
    const got = yield* receiveAll(peer, filled + 4);
    assert.equal(got.subarray(filled).toString(), "data");
    assert.equal(tr.getWriteBufferSize(), 0);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_sendmsg_no_data", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.writelines([]);
    tr.writelines([Buffer.alloc(0), Buffer.alloc(0)]);
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(drain(peer).length, 0);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_writelines_sendmsg_full", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.writelines([Buffer.from("data1"), Buffer.from("data2")]);
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(drain(peer).toString(), "data1data2");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_writelines_sendmsg_partial", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* cloggedTransport(loop, proto);
    const a = pattern(BIG / 2, 1);
    const b = pattern(BIG / 2, 2);
    tr.writelines([a, b]);
    assert.ok(tr.getWriteBufferSize() > 0);
    const got = yield* receiveAll(peer, BIG);
    assert.ok(got.equals(Buffer.concat([a, b])));
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_writelines_send_full", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.writelines([Buffer.from("data")]);
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(drain(peer).toString(), "data");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_writelines_send_partial", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* cloggedTransport(loop, proto);
    const a = pattern(BIG, 4);
    tr.writelines([a]);
    const size = tr.getWriteBufferSize();
    assert.ok(size > 0 && size < a.length);
    const got = yield* receiveAll(peer, BIG);
    assert.ok(got.equals(a));
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_sendmsg_full", () =>
  withLoop(function* (loop) {
    // Several buffered chunks all go out once the socket is writable again; the writer stops.
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    tr.write(Buffer.from("data"));
    tr.write(Buffer.from("more"));
    assert.equal(tr.getWriteBufferSize(), 8);
    const got = yield* receiveAll(peer, filled + 8);
    assert.equal(got.subarray(filled).toString(), "datamore");
    assert.equal(tr.getWriteBufferSize(), 0);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_sendmsg_partial", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    const chunks = [pattern(100000, 1), pattern(100000, 2), pattern(100000, 3)];
    for (const c of chunks) tr.write(c);
    assert.equal(tr.getWriteBufferSize(), 300000);
    // Reading a little lets only part of the buffer go.
    let seen = 0;
    const parts: Buffer[] = [];
    yield* until(() => {
      const d = drain(peer);
      parts.push(d);
      seen += d.length;
      const size = tr.getWriteBufferSize();
      return size < 300000;
    });
    const got = Buffer.concat([...parts, yield* receiveAll(peer, filled + 300000 - seen)]);
    assert.ok(got.subarray(filled).equals(Buffer.concat(chunks)));
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_sendmsg_half_buffer", () =>
  withLoop(function* (loop) {
    // A send that ends inside a chunk keeps the rest of that chunk first.
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    const chunks = [pattern(7001, 5), pattern(13003, 6)];
    for (const c of chunks) tr.write(c);
    const got = yield* receiveAll(peer, filled + 20004);
    assert.ok(got.subarray(filled).equals(Buffer.concat(chunks)));
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_sendmsg_OSError", () =>
  withLoop(function* (loop) {
    // Several chunks buffered, the peer goes away: a write error empties the buffer and is fatal.
    const errors = recordMessages(loop);
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    fillSocket(sock);
    tr.write(Buffer.from("data"));
    tr.write(Buffer.from("more"));
    peer.close();
    yield* until(() => proto.lost);
    assert.ok(proto.lostExc instanceof BrokenPipeError || proto.lostExc instanceof ConnectionResetError);
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.deepEqual(errors, []);
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_exception", () =>
  captureLogs((records) =>
    withLoop(function* (loop) {
      const proto = new Recorder();
      const { tr, peer } = yield* streamTransport(loop, proto);
      peer.close();
      tr.write(Buffer.from("data")); // EPIPE: fatal
      assert.equal(tr.isClosing(), true);
      const warnings = () => records.filter((r) => r.message === "socket.send() raised exception.").length;
      for (let i = 0; i < 4; i++) tr.write(Buffer.from("data"));
      assert.equal(warnings(), 0);
      tr.write(Buffer.from("data"));
      assert.equal(warnings(), 1);
      yield* until(() => proto.lost);
    })));

test("test_selector_events.py SelectorSocketTransportTests.test_write_str", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    assert.throws(() => tr.write("str" as unknown as Uint8Array), TypeError);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_closing", () =>
  withLoop(function* (loop) {
    // A write after close() is dropped.
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.close();
    tr.write(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 0);
    yield* tick(2);
    assert.equal(drain(peer).length, 0);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_ready", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    tr.write(Buffer.from("data"));
    const got = yield* receiveAll(peer, filled + 4);
    assert.equal(got.subarray(filled).toString(), "data");
    yield* tick(2);
    assert.equal(tr.getWriteBufferSize(), 0);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_ready_closing", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    tr.write(Buffer.from("data"));
    tr.close();
    yield* receiveAll(peer, filled + 4);
    yield* until(() => proto.lost);
    assert.equal(proto.lostExc, null);
    assert.equal(sock.fileno(), -1);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_ready_partial", () =>
  withLoop(function* (loop) {
    // The buffer drains a part at a time as the peer reads.
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    const data = pattern(200000, 9);
    tr.write(data);
    const sizes = new Set<number>();
    const got = yield* receiveAll(peer, filled + data.length);
    sizes.add(tr.getWriteBufferSize());
    assert.ok(got.subarray(filled).equals(data));
    assert.deepEqual([...sizes], [0]);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_ready_exception", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    fillSocket(sock);
    tr.write(Buffer.from("data"));
    peer.close();
    yield* until(() => proto.lost);
    assert.ok(proto.lostExc instanceof BrokenPipeError || proto.lostExc instanceof ConnectionResetError);
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.deepEqual(errors, []);
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_eof", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    proto.keepOpen = true;
    const { tr, peer } = yield* streamTransport(loop, proto);
    assert.equal(tr.canWriteEof(), true);
    tr.writeEof();
    tr.writeEof();
    // The peer sees EOF (recv returns empty) and can still write to us.
    yield* until(() => {
      try {
        return peer.recv(10).length === 0;
      } catch {
        return false;
      }
    });
    peer.send(Buffer.from("back"));
    yield* until(() => proto.data.toString() === "back");
    assert.throws(() => tr.write(Buffer.from("x")), RuntimeError);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_eof_buffer", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer, sock } = yield* cloggedTransport(loop, proto);
    const filled = fillSocket(sock);
    tr.write(Buffer.from("data"));
    tr.writeEof();
    // The EOF follows the buffered data, not before it.
    assert.equal(tr.getWriteBufferSize(), 4);
    const got = yield* receiveAll(peer, filled + 4);
    assert.equal(got.subarray(filled).toString(), "data");
    yield* until(() => {
      try {
        return peer.recv(10).length === 0;
      } catch {
        return false;
      }
    }, "EOF at the peer");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_write_eof_after_close", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    tr.close();
    yield* tick(1);
    tr.writeEof();
    yield* tick(1);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportTests.test_transport_close_remove_writer", () =>
  withLoop(function* (loop) {
    // close() with nothing buffered stops watching the fd for writing (the fd can be reused at once).
    const proto = new Recorder();
    const { tr, peer, sock } = yield* streamTransport(loop, proto);
    const fd = sock.fileno();
    tr.close();
    yield* tick(2);
    assert.equal(loop.removeWriter(fd), false);
    assert.equal(loop.removeReader(fd), false);
    peer.close();
  }));

// ---- SelectorSocketTransportBufferedProtocolTests --------------------------

class BufRecorder extends asyncio.BufferedProtocol {
  events: string[] = [];
  buf = new Uint8Array(16);
  received: Buffer[] = [];
  hints: number[] = [];
  lostExc: Error | null | undefined = undefined;
  keepOpen = false;
  raiseIn: "getBuffer" | "bufferUpdated" | "eofReceived" | null = null;
  zeroBuffer = false;
  override connectionMade(): void {
    this.events.push("made");
  }
  override getBuffer(hint: number): Uint8Array {
    this.hints.push(hint);
    this.events.push("get_buffer");
    if (this.raiseIn === "getBuffer") throw new RangeError("lookup");
    return this.zeroBuffer ? new Uint8Array(0) : this.buf;
  }
  override bufferUpdated(n: number): void {
    this.events.push(`buffer_updated:${n}`);
    this.received.push(Buffer.from(this.buf.subarray(0, n)));
    if (this.raiseIn === "bufferUpdated") throw new RangeError("lookup");
  }
  override eofReceived(): boolean {
    this.events.push("eof");
    if (this.raiseIn === "eofReceived") throw new Error("boom");
    return this.keepOpen;
  }
  override connectionLost(exc: Error | null): void {
    this.events.push(`lost:${exc === null ? "null" : exc.constructor.name}`);
    this.lostExc = exc;
  }
}

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_ctor", () =>
  withLoop(function* (loop) {
    const proto = new BufRecorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    assert.deepEqual(proto.events, ["made"]);
    peer.send(Buffer.from("abc"));
    yield* until(() => proto.received.length === 1);
    assert.equal(proto.received[0]!.toString(), "abc");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_get_buffer_error", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new BufRecorder();
    proto.raiseIn = "getBuffer";
    const { peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("abc"));
    yield* until(() => proto.lostExc !== undefined);
    assert.deepEqual(proto.events, ["made", "get_buffer", "lost:RangeError"]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, "Fatal error: protocol.get_buffer() call failed.");
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_get_buffer_zerosized", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new BufRecorder();
    proto.zeroBuffer = true;
    const { peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("abc"));
    yield* until(() => proto.lostExc !== undefined);
    assert.deepEqual(proto.events, ["made", "get_buffer", "lost:RuntimeError"]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, "Fatal error: protocol.get_buffer() call failed.");
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_proto_type_switch", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("data"));
    yield* until(() => proto.data.toString() === "data");
    const bufProto = new BufRecorder();
    tr.setProtocol(bufProto);
    peer.send(Buffer.from("0123456789"));
    yield* until(() => bufProto.received.length === 1);
    assert.deepEqual(bufProto.hints, [-1]);
    assert.deepEqual(bufProto.events, ["get_buffer", "buffer_updated:10"]);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_buffer_updated_error", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new BufRecorder();
    proto.raiseIn = "bufferUpdated";
    const { peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("0123456789"));
    yield* until(() => proto.lostExc !== undefined);
    assert.deepEqual(proto.events, ["made", "get_buffer", "buffer_updated:10", "lost:RangeError"]);
    assert.equal(errors[0]!.message, "Fatal error: protocol.buffer_updated() call failed.");
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_read_eof_received_error", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new BufRecorder();
    proto.raiseIn = "eofReceived";
    const { peer } = yield* streamTransport(loop, proto);
    peer.shutdown(1);
    yield* until(() => proto.lostExc !== undefined);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, "Fatal error: protocol.eof_received() call failed.");
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_read_ready", () =>
  withLoop(function* (loop) {
    const proto = new BufRecorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.send(Buffer.from("0123456789"));
    yield* until(() => proto.received.length === 1);
    assert.deepEqual(proto.events, ["made", "get_buffer", "buffer_updated:10"]);
    assert.equal(proto.received[0]!.toString(), "0123456789");
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_read_ready_eof", () =>
  withLoop(function* (loop) {
    const proto = new BufRecorder();
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.shutdown(1);
    yield* until(() => proto.lostExc !== undefined);
    assert.deepEqual(proto.events, ["made", "get_buffer", "eof", "lost:null"]);
    assert.equal(tr.isClosing(), true);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_read_ready_eof_keep_open", () =>
  withLoop(function* (loop) {
    const proto = new BufRecorder();
    proto.keepOpen = true;
    const { tr, peer } = yield* streamTransport(loop, proto);
    peer.shutdown(1);
    yield* until(() => proto.events.includes("eof"));
    yield* tick(3);
    assert.equal(proto.lostExc, undefined);
    assert.equal(tr.isClosing(), false);
    tr.close();
    yield* tick(2);
    peer.close();
  }));

test("test_selector_events.py SelectorSocketTransportBufferedProtocolTests.test_read_ready_conn_reset", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const proto = new BufRecorder();
    const [client, server] = tcpPair();
    yield* streamTransport(loop, proto, [client, server]);
    resetClose(server);
    yield* until(() => proto.lostExc !== undefined);
    assert.ok(proto.lostExc instanceof ConnectionResetError);
    assert.deepEqual(errors, []);
  }));

// ---- SelectorDatagramTransportTests -------------------------------------------

/** A datagram transport over one end of an AF_UNIX datagram socketpair (sends can block). */
function* unixDgram(loop: BaseEventLoop, proto: DgramRecorder): Coroutine<{ tr: DatagramTransport; peer: Socket; sock: Socket }> {
  // Named sockets, so that the transport has a peername (an unnamed pair's is "", as in Python).
  const dir = mkdtempSync(join(tmpdir(), "c6-dgram-"));
  const sock = new Socket(AF_UNIX, SOCK_DGRAM);
  const peer = new Socket(AF_UNIX, SOCK_DGRAM);
  sock.bind(join(dir, "a"));
  peer.bind(join(dir, "b"));
  sock.connect(join(dir, "b"));
  peer.connect(join(dir, "a"));
  sock.setblocking(false);
  peer.setblocking(false);
  rmSync(dir, { recursive: true, force: true });
  smallBuffers(sock, peer);
  const [tr] = yield* loop.createDatagramEndpoint(() => proto, undefined, undefined, { sock });
  return { tr: tr as DatagramTransport, peer, sock };
}

/** A UDP transport on 127.0.0.1 and a plain UDP socket to talk to it. */
function* udp(loop: BaseEventLoop, proto: DgramRecorder, remote?: [string, number]): Coroutine<{ tr: DatagramTransport; addr: [string, number] }> {
  const [tr] = yield* loop.createDatagramEndpoint(() => proto, remote ? undefined : ["127.0.0.1", 0], remote);
  return { tr: tr as DatagramTransport, addr: tr.getExtraInfo("sockname") as [string, number] };
}

function udpSocket(): Socket {
  const s = new Socket(AF_INET, SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  s.setblocking(false);
  return s;
}

/** A UDP port nobody listens on. */
function closedPort(): number {
  const s = new Socket(AF_INET, SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  const port = (s.getsockname() as [string, number])[1];
  s.close();
  return port;
}

/** Fills the peer's receive queue of a unix datagram socket until send blocks. */
function fillDgram(sock: Socket): number {
  let n = 0;
  for (;;) {
    try {
      sock.send(Buffer.alloc(512, 1));
      n++;
    } catch {
      return n;
    }
  }
}

/**
 * The peer stops receiving (shutdown SHUT_RD) and empties its queue, which
 * wakes the transport's writer: its next send fails with EPIPE. (Closing the
 * peer instead races in the kernel: the writer may never be woken.)
 */
function refuseDgrams(peer: Socket): void {
  peer.shutdown(0);
  drainDgrams(peer);
}

function drainDgrams(sock: Socket): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 100000; i++) {
    try {
      out.push(sock.recv(65536));
    } catch {
      return out;
    }
  }
  return out;
}

test("test_selector_events.py SelectorDatagramTransportTests.test_read_ready", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr, addr } = yield* udp(loop, proto);
    const s = udpSocket();
    s.sendto(Buffer.from("data"), addr);
    yield* until(() => proto.datagrams.length === 1);
    assert.equal(proto.datagrams[0]![0].toString(), "data");
    assert.deepEqual(proto.datagrams[0]![1], s.getsockname());
    tr.close();
    s.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_transport_inheritance", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr } = yield* udp(loop, proto);
    assert.ok(tr instanceof asyncio.DatagramTransport);
    tr.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_read_ready_err", () =>
  withLoop(function* (loop) {
    // A receive error on a datagram socket (here ECONNREFUSED from an ICMP
    // port-unreachable) goes to errorReceived; the transport stays open.
    const proto = new DgramRecorder();
    const { tr } = yield* udp(loop, proto, ["127.0.0.1", closedPort()]);
    tr.sendto(Buffer.from("ping"));
    yield* until(() => proto.errors.length > 0);
    assert.ok(proto.errors[0] instanceof ConnectionRefusedError);
    assert.equal(tr.isClosing(), false);
    assert.equal(proto.lost, false);
    tr.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_read_ready_oserr", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr } = yield* udp(loop, proto, ["127.0.0.1", closedPort()]);
    tr.sendto(Buffer.from("ping"));
    yield* until(() => proto.errors.length > 0);
    yield* tick(2);
    // Not fatal: the protocol hears of it and keeps its transport.
    assert.ok(!proto.events.some((e) => e.startsWith("lost")));
    tr.close();
    yield* tick(2);
    assert.deepEqual(proto.events.at(-1), "lost:null");
  }));

function* sendtoCase(loop: BaseEventLoop, make: (b: Buffer) => Uint8Array): Coroutine<void> {
  const proto = new DgramRecorder();
  const { tr } = yield* udp(loop, proto);
  const s = udpSocket();
  tr.sendto(make(Buffer.from("data")), s.getsockname());
  yield* until(() => drainDgrams(s).some((d) => d.toString() === "data"));
  tr.close();
  s.close();
  yield* tick(2);
}

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto", () =>
  withLoop((loop) => sendtoCase(loop, (b) => b)));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_bytearray", () =>
  withLoop((loop) => sendtoCase(loop, (b) => new Uint8Array(b))));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_memoryview", () =>
  withLoop((loop) => sendtoCase(loop, (b) => Buffer.concat([Buffer.from("x"), b]).subarray(1))));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_no_data", () =>
  withLoop(function* (loop) {
    // CPython 3.12 drops sendto(b''); tsyncio sends a zero-length datagram, as CPython 3.13
    // does (docs/differences.md). Behind buffered data it is buffered too, in order.
    const proto = new DgramRecorder();
    const { tr, peer, sock } = yield* unixDgram(loop, proto);
    fillDgram(sock);
    tr.sendto(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 4);
    tr.sendto(Buffer.alloc(0));
    assert.equal(tr.getWriteBufferSize(), 4);
    const got: Buffer[] = [];
    yield* until(() => {
      got.push(...drainDgrams(peer).filter((d) => d.length !== 512));
      return got.length === 2;
    });
    assert.deepEqual(got.map((d) => d.toString()), ["data", ""]);
    tr.close();
    peer.close();
    yield* tick(2);
  }));

function* sendtoBufferCase(loop: BaseEventLoop, make: (b: Buffer) => Uint8Array): Coroutine<void> {
  const proto = new DgramRecorder();
  const { tr, peer, sock } = yield* unixDgram(loop, proto);
  fillDgram(sock);
  tr.sendto(Buffer.from("data1"));
  const data2 = make(Buffer.from("data2"));
  tr.sendto(data2);
  assert.equal(tr.getWriteBufferSize(), 10);
  // What is buffered is a copy.
  data2.fill(0x21);
  const got: string[] = [];
  yield* until(() => {
    for (const d of drainDgrams(peer)) if (d.length !== 512) got.push(d.toString());
    return got.length === 2;
  });
  assert.deepEqual(got, ["data1", "data2"]);
  tr.close();
  peer.close();
  yield* tick(2);
}

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_buffer", () =>
  withLoop((loop) => sendtoBufferCase(loop, (b) => b)));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_buffer_bytearray", () =>
  withLoop((loop) => sendtoBufferCase(loop, (b) => new Uint8Array(b))));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_buffer_memoryview", () =>
  withLoop((loop) => sendtoBufferCase(loop, (b) => Buffer.concat([Buffer.from("x"), b]).subarray(1))));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_tryagain", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr, peer, sock } = yield* unixDgram(loop, proto);
    fillDgram(sock);
    tr.sendto(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 4);
    yield* until(() => drainDgrams(peer).some((d) => d.toString() === "data"));
    yield* until(() => tr.getWriteBufferSize() === 0);
    tr.close();
    peer.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_exception", () =>
  captureLogs((records) =>
    withLoop(function* (loop) {
      // After the transport is lost, sends on a connected transport are counted and warned about.
      const proto = new DgramRecorder();
      const peer = udpSocket();
      const { tr } = yield* udp(loop, proto, peer.getsockname() as [string, number]);
      tr.abort();
      const warnings = () => records.filter((r) => r.message === "socket.send() raised exception.").length;
      for (let i = 0; i < 4; i++) tr.sendto(Buffer.from("data"));
      assert.equal(warnings(), 0);
      tr.sendto(Buffer.from("data"));
      assert.equal(warnings(), 1);
      yield* tick(2);
      peer.close();
    })));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_error_received", () =>
  withLoop(function* (loop) {
    // An OSError from sendto is the protocol's errorReceived, not fatal.
    const proto = new DgramRecorder();
    const { tr } = yield* udp(loop, proto);
    // Sending to port 0 fails at once (EINVAL).
    tr.sendto(Buffer.from("data"), ["127.0.0.1", 0]);
    yield* tick(2);
    assert.equal(proto.errors.length, 1);
    assert.equal(tr.isClosing(), false);
    assert.ok(!proto.events.some((e) => e.startsWith("lost")));
    tr.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_error_received_connected", () =>
  withLoop(function* (loop) {
    // A connected unix datagram socket whose peer is gone: ECONNREFUSED goes to errorReceived.
    const proto = new DgramRecorder();
    const { tr, peer } = yield* unixDgram(loop, proto);
    peer.close();
    tr.sendto(Buffer.from("data"));
    yield* tick(2);
    assert.ok(proto.errors.length >= 1);
    assert.ok(proto.errors[0] instanceof ConnectionRefusedError);
    assert.equal(tr.isClosing(), false);
    tr.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_str", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr } = yield* udp(loop, proto);
    assert.throws(() => tr.sendto("str" as unknown as Uint8Array, ["127.0.0.1", 1]), TypeError);
    tr.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_connected_addr", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const s = udpSocket();
    const remote = s.getsockname() as [string, number];
    const { tr } = yield* udp(loop, proto, remote);
    assert.throws(() => tr.sendto(Buffer.from("str"), ["127.0.0.1", remote[1] === 1 ? 2 : 1]), ValueError);
    tr.close();
    s.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_closing", () =>
  withLoop(function* (loop) {
    // A connected transport (CPython's test gives it an address): the send is dropped.
    const proto = new DgramRecorder();
    const peer = udpSocket();
    const { tr } = yield* udp(loop, proto, peer.getsockname() as [string, number]);
    tr.close();
    tr.sendto(Buffer.from("data"));
    yield* tick(2);
    assert.deepEqual(drainDgrams(peer), []);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    peer.close();
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_ready", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr, peer, sock } = yield* unixDgram(loop, proto);
    fillDgram(sock);
    tr.sendto(Buffer.from("data"));
    yield* until(() => drainDgrams(peer).some((d) => d.toString() === "data"));
    yield* tick(2);
    assert.equal(tr.getWriteBufferSize(), 0);
    tr.close();
    peer.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_ready_closing", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr, peer, sock } = yield* unixDgram(loop, proto);
    fillDgram(sock);
    tr.sendto(Buffer.from("data"));
    tr.close();
    yield* tick(2);
    assert.equal(proto.lost, false);
    yield* until(() => drainDgrams(peer).some((d) => d.toString() === "data"));
    yield* until(() => proto.lost);
    assert.equal(proto.lostExc, null);
    assert.equal(sock.fileno(), -1);
    peer.close();
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_ready_error_received", () =>
  withLoop(function* (loop) {
    // A buffered datagram that fails when flushed: errorReceived, not fatal.
    const proto = new DgramRecorder();
    const { tr, peer, sock } = yield* unixDgram(loop, proto);
    fillDgram(sock);
    tr.sendto(Buffer.from("data"));
    refuseDgrams(peer);
    yield* until(() => proto.errors.length > 0);
    assert.ok(proto.errors[0] instanceof BrokenPipeError);
    assert.equal(tr.isClosing(), false);
    tr.close();
    yield* tick(2);
  }));

test("test_selector_events.py SelectorDatagramTransportTests.test_sendto_ready_error_received_connection", () =>
  withLoop(function* (loop) {
    const proto = new DgramRecorder();
    const { tr, peer, sock } = yield* unixDgram(loop, proto);
    assert.notEqual(tr.getExtraInfo("peername"), null);
    fillDgram(sock);
    tr.sendto(Buffer.from("data1"));
    tr.sendto(Buffer.from("data2"));
    refuseDgrams(peer);
    yield* until(() => proto.errors.length > 0);
    assert.ok(proto.errors.every((e) => e instanceof asyncio.OSError));
    assert.ok(!proto.events.some((e) => e.startsWith("lost")));
    tr.close();
    yield* tick(2);
  }));

