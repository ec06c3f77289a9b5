// Conformance: re-creates the test method that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_selector_events.py (the 3.12.1 file is in
// selector-events.test.ts). CPython checks the private _buffer of a transport over a mock
// socket; here the transport is real, over a connected AF_UNIX datagram pair whose peer's
// queue is full, so sends have to wait in the buffer, and what is buffered is checked by
// what the peer receives once it reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../../src/index.js";
import type { Coroutine, DatagramTransport } from "../../src/index.js";
import { AF_UNIX, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF, SO_SNDBUF, Socket } from "../../src/stdlib/socket.js";

/** Sends 512-byte datagrams until the kernel refuses (the peer's queue is full). */
function fill(sock: Socket): void {
  for (let i = 0; i < 100000; i++) {
    try {
      sock.send(Buffer.alloc(512, 1));
    } catch {
      return;
    }
  }
}

/** Every datagram waiting on `sock`. */
function drain(sock: Socket): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 100000; i++) {
    try {
      out.push(sock.recv(65536));
    } catch {
      break;
    }
  }
  return out;
}

// test_selector_events.py (3.13) SelectorDatagramTransportTests.test_sendto_buffer_nodata
test("test_selector_events.py (3.13) SelectorDatagramTransportTests.test_sendto_buffer_nodata", async () => {
  const loop = asyncio.newEventLoop();
  const dir = mkdtempSync(join(tmpdir(), "d2-dgram-"));
  const sock = new Socket(AF_UNIX, SOCK_DGRAM);
  const peer = new Socket(AF_UNIX, SOCK_DGRAM);
  try {
    sock.bind(join(dir, "a"));
    peer.bind(join(dir, "b"));
    sock.connect(join(dir, "b"));
    peer.connect(join(dir, "a"));
    for (const s of [sock, peer]) {
      s.setblocking(false);
      s.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
      s.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    }
    await loop.runUntilComplete((function* (): Coroutine<void> {
      const [t] = yield* loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), undefined, undefined, { sock });
      const transport = t as DatagramTransport;
      fill(sock);
      transport.sendto(Buffer.from("data1"));
      assert.equal(transport.getWriteBufferSize(), 5);
      // Behind buffered data, empty data is buffered too (nothing is sent now), in order.
      transport.sendto(new Uint8Array(0));
      assert.equal(transport.getWriteBufferSize(), 5);
      const got: Buffer[] = [];
      for (let i = 0; i < 5000 && got.length < 2; i++) {
        got.push(...drain(peer).filter((d) => d.length !== 512));
        yield* asyncio.sleep(i < 20 ? 0 : 0.001);
      }
      assert.deepEqual(got.map((d) => d.toString()), ["data1", ""]);
      assert.ok(got[1] instanceof Uint8Array);
      transport.close();
      yield* asyncio.sleep(0);
    })());
  } finally {
    peer.close();
    loop.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
