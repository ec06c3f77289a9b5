// Conformance: re-creates the test method that CPython 3.13.0 added to
// Lib/test/test_asyncio/test_events.py (the 3.12.1 file is in events.test.ts).
// EventLoopTestsMixin runs in CPython once per selector loop (epoll, poll, select);
// tsyncio has one SelectorEventLoop, so it is here once, over real UDP sockets on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import type { AbstractEventLoop, Coroutine, DatagramTransport, Future } from "../../src/index.js";
import { AF_INET, SOCK_DGRAM, Socket, type Address } from "../../src/stdlib/socket.js";

// test_events.py (3.13) EventLoopTestsMixin.test_datagram_send_to_non_listening_address
test("test_events.py (3.13) EventLoopTestsMixin.test_datagram_send_to_non_listening_address", async () => {
  const loop = asyncio.newEventLoop();
  class Protocol extends asyncio.DatagramProtocol {
    received: Future<Uint8Array> | null = null;
    override datagramReceived(data: Uint8Array): void {
      this.received!.setResult(data);
    }
    *waitForDatagramReceived(): Coroutine<Uint8Array> {
      this.received = loop.createFuture();
      const result = yield* asyncio.waitFor(this.received, 10);
      this.received = null;
      return result;
    }
  }
  function createSocket(): Socket {
    const sock = new Socket(AF_INET, SOCK_DGRAM);
    sock.setblocking(false);
    sock.bind(["127.0.0.1", 0]);
    return sock;
  }
  async function endpoint(l: AbstractEventLoop, sock: Socket): Promise<[DatagramTransport, Protocol, Address]> {
    const [tr, pr] = await l.runUntilComplete(l.createDatagramEndpoint(() => new Protocol(), undefined, undefined, { sock }));
    return [tr as DatagramTransport, pr, sock.getsockname()];
  }
  try {
    const [transport1, protocol1, addr1] = await endpoint(loop, createSocket());
    const [transport2, protocol2, addr2] = await endpoint(loop, createSocket());
    // An address nobody listens on: bound, then closed.
    const [transport3, , addr3] = await endpoint(loop, createSocket());
    transport3.abort();

    transport1.sendto(Buffer.from("a"), addr2);
    assert.equal(Buffer.from(await loop.runUntilComplete(protocol2.waitForDatagramReceived())).toString(), "a");
    transport2.sendto(Buffer.from("b"), addr1);
    assert.equal(Buffer.from(await loop.runUntilComplete(protocol1.waitForDatagramReceived())).toString(), "b");

    transport1.sendto(Buffer.from("c"), addr3);
    await loop.runUntilComplete(asyncio.sleep(0));

    // transport1 still receives after sending where nobody listens.
    transport2.sendto(Buffer.from("d"), addr1);
    assert.equal(Buffer.from(await loop.runUntilComplete(protocol1.waitForDatagramReceived())).toString(), "d");

    transport1.close();
    transport2.close();
    await loop.runUntilComplete(asyncio.sleep(0));
  } finally {
    loop.close();
  }
});
