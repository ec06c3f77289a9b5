// Conformance: CPython 3.12.1's test_protocols.py, test_transports.py and
// test_buffered_proto.py, test by test. Python's `mock.Mock()` arguments are
// plain objects here; the `hasattr(p, '__dict__')` checks (Python's __slots__)
// have no JavaScript counterpart and are left out. Where test_transports.py
// reads the private `_extra`/`_protocol_paused`, the test reads what a user
// sees: getExtraInfo() and the protocol's pauseWriting() call.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { NotImplementedError, ValueError } from "../../src/index.js";
import type { Coroutine, Future, StreamReader, StreamWriter, Transport } from "../../src/index.js";
import { FlowControlTransport } from "../../src/core/flow-control.js";

const f = {} as never;

// ---------------------------------------------------------------- test_protocols.py

// test_protocols.py ProtocolsAbsTests.test_base_protocol
test("test_protocols.py ProtocolsAbsTests.test_base_protocol", () => {
  const p = new asyncio.BaseProtocol();
  assert.equal(p.connectionMade(f), undefined);
  assert.equal(p.connectionLost(f), undefined);
  assert.equal(p.pauseWriting(), undefined);
  assert.equal(p.resumeWriting(), undefined);
});

// test_protocols.py ProtocolsAbsTests.test_protocol
test("test_protocols.py ProtocolsAbsTests.test_protocol", () => {
  const p = new asyncio.Protocol();
  assert.equal(p.connectionMade(f), undefined);
  assert.equal(p.connectionLost(f), undefined);
  assert.equal(p.dataReceived(f), undefined);
  assert.equal(p.eofReceived(), undefined);
  assert.equal(p.pauseWriting(), undefined);
  assert.equal(p.resumeWriting(), undefined);
});

// test_protocols.py ProtocolsAbsTests.test_buffered_protocol
// getBuffer() of the base class raises TypeError where Python's returns None
// (docs/differences.md): a buffered protocol must supply its buffer.
test("test_protocols.py ProtocolsAbsTests.test_buffered_protocol", () => {
  const p = new asyncio.BufferedProtocol();
  assert.equal(p.connectionMade(f), undefined);
  assert.equal(p.connectionLost(f), undefined);
  assert.throws(() => p.getBuffer(100), TypeError);
  assert.equal(p.bufferUpdated(150), undefined);
  assert.equal(p.pauseWriting(), undefined);
  assert.equal(p.resumeWriting(), undefined);
});

// test_protocols.py ProtocolsAbsTests.test_datagram_protocol
test("test_protocols.py ProtocolsAbsTests.test_datagram_protocol", () => {
  const dp = new asyncio.DatagramProtocol();
  assert.equal(dp.connectionMade(f), undefined);
  assert.equal(dp.connectionLost(f), undefined);
  assert.equal(dp.errorReceived(f), undefined);
  assert.equal(dp.datagramReceived(f, f), undefined);
});

// test_protocols.py ProtocolsAbsTests.test_subprocess_protocol
test("test_protocols.py ProtocolsAbsTests.test_subprocess_protocol", () => {
  const sp = new asyncio.SubprocessProtocol();
  assert.equal(sp.connectionMade(f), undefined);
  assert.equal(sp.connectionLost(f), undefined);
  assert.equal(sp.pipeDataReceived(1, f), undefined);
  assert.equal(sp.pipeConnectionLost(1, f), undefined);
  assert.equal(sp.processExited(), undefined);
});

// ---------------------------------------------------------------- test_transports.py

// test_transports.py TransportTests.test_ctor_extra_is_none
test("test_transports.py TransportTests.test_ctor_extra_is_none", () => {
  const transport = new asyncio.Transport();
  // The extra dict is empty: no key is known.
  for (const key of ["peername", "sockname", "socket", "extra"]) assert.equal(transport.getExtraInfo(key), null);
  const tr2 = new asyncio.Transport(null);
  assert.equal(tr2.getExtraInfo("extra"), null);
});

// test_transports.py TransportTests.test_get_extra_info
test("test_transports.py TransportTests.test_get_extra_info", () => {
  const transport = new asyncio.Transport({ extra: "info" });
  assert.equal(transport.getExtraInfo("extra"), "info");
  assert.equal(transport.getExtraInfo("unknown"), null);
  const dflt = {};
  assert.equal(transport.getExtraInfo("unknown", dflt), dflt);
});

// test_transports.py TransportTests.test_writelines
test("test_transports.py TransportTests.test_writelines", () => {
  const calls: Uint8Array[] = [];
  class MyTransport extends asyncio.Transport {
    override write(data: Uint8Array): void {
      calls.push(data);
    }
  }
  const transport = new MyTransport();
  const line3 = Buffer.from("xline3").subarray(1);
  transport.writelines([Buffer.from("line1"), new Uint8Array(Buffer.from("line2")), line3]);
  assert.equal(calls.length, 1);
  assert.deepEqual(Buffer.from(calls[0]!), Buffer.from("line1line2line3"));
});

// test_transports.py TransportTests.test_not_implemented
test("test_transports.py TransportTests.test_not_implemented", () => {
  const transport = new asyncio.Transport();
  assert.throws(() => transport.setWriteBufferLimits(), NotImplementedError);
  assert.throws(() => transport.getWriteBufferSize(), NotImplementedError);
  assert.throws(() => transport.write(Buffer.from("data")), NotImplementedError);
  assert.throws(() => transport.writeEof(), NotImplementedError);
  assert.throws(() => transport.canWriteEof(), NotImplementedError);
  assert.throws(() => transport.pauseReading(), NotImplementedError);
  assert.throws(() => transport.resumeReading(), NotImplementedError);
  assert.throws(() => transport.isReading(), NotImplementedError);
  assert.throws(() => transport.close(), NotImplementedError);
  assert.throws(() => transport.abort(), NotImplementedError);
});

// test_transports.py TransportTests.test_dgram_not_implemented
test("test_transports.py TransportTests.test_dgram_not_implemented", () => {
  const transport = new asyncio.DatagramTransport();
  assert.throws(() => transport.sendto(Buffer.from("data")), NotImplementedError);
  assert.throws(() => transport.abort(), NotImplementedError);
});

// test_transports.py TransportTests.test_subprocess_transport_not_implemented
test("test_transports.py TransportTests.test_subprocess_transport_not_implemented", () => {
  const transport = new asyncio.SubprocessTransport();
  assert.throws(() => transport.getPid(), NotImplementedError);
  assert.throws(() => transport.getReturncode(), NotImplementedError);
  assert.throws(() => transport.getPipeTransport(1), NotImplementedError);
  assert.throws(() => transport.sendSignal(1), NotImplementedError);
  assert.throws(() => transport.terminate(), NotImplementedError);
  assert.throws(() => transport.kill(), NotImplementedError);
});

// test_transports.py TransportTests.test_flowcontrol_mixin_set_write_limits
// FlowControlTransport is tsyncio's _FlowControlMixin; "paused" is seen as the
// protocol's pauseWriting() call.
test("test_transports.py TransportTests.test_flowcontrol_mixin_set_write_limits", () => {
  class MyTransport extends FlowControlTransport {
    override getWriteBufferSize(): number {
      return 512;
    }
  }
  const loop = asyncio.newEventLoop();
  try {
    const transport = new MyTransport(null, loop);
    let paused = 0;
    transport._protocol = { pauseWriting: () => void paused++ };
    assert.equal(paused, 0);
    assert.throws(() => transport.setWriteBufferLimits(0, 1), (e: unknown) => e instanceof ValueError && /high.*must be >= low/.test(e.message));
    transport.setWriteBufferLimits(1024, 128);
    assert.equal(paused, 0);
    assert.deepEqual(transport.getWriteBufferLimits(), [128, 1024]);
    transport.setWriteBufferLimits(256, 128);
    assert.equal(paused, 1);
    assert.deepEqual(transport.getWriteBufferLimits(), [128, 256]);
  } finally {
    loop.close();
  }
});

// ---------------------------------------------------------------- test_buffered_proto.py

/** test_buffered_proto.py ReceiveStuffProto: a 100-byte buffer per read. */
class ReceiveStuffProto extends asyncio.BufferedProtocol {
  buffer = new Uint8Array(0);
  constructor(private cb: (b: Uint8Array) => void, private conLostFut: Future<void>) {
    super();
  }
  override getBuffer(_sizehint: number): Uint8Array {
    this.buffer = new Uint8Array(100);
    return this.buffer;
  }
  override bufferUpdated(nbytes: number): void {
    this.cb(this.buffer.slice(0, nbytes));
  }
  override connectionLost(exc: Error | null): void {
    if (exc === null) this.conLostFut.setResult(undefined);
    else this.conLostFut.setException(exc);
  }
}

// test_buffered_proto.py BufferedProtocolSelectorTests.test_buffered_proto_create_connection
test("test_buffered_proto.py BufferedProtocolSelectorTests.test_buffered_proto_create_connection", async () => {
  const NOISE = Buffer.from("12345678+".repeat(1024));
  const loop = asyncio.newEventLoop();
  try {
    function* client(addr: [string, number]): Coroutine<void> {
      const chunks: Uint8Array[] = [];
      let size = 0;
      let tr: Transport | null = null;
      const onBuf = (buf: Uint8Array) => {
        chunks.push(buf);
        size += buf.length;
        if (size === NOISE.length && Buffer.concat(chunks).equals(NOISE)) tr!.write(Buffer.from("1"));
      };
      const connLostFut = loop.createFuture<void>();
      [tr] = (yield* loop.createConnection(() => new ReceiveStuffProto(onBuf, connLostFut), ...addr)) as [Transport, unknown];
      yield* connLostFut;
    }
    function* onServerClient(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
      writer.write(NOISE);
      yield* reader.readexactly(1);
      writer.close();
      yield* writer.waitClosed();
    }
    const srv = await loop.runUntilComplete(asyncio.startServer(onServerClient, "127.0.0.1", 0));
    const addr = srv.sockets[0]!.getsockname() as [string, number];
    await loop.runUntilComplete(asyncio.waitFor(client(addr), 5));
    srv.close();
    await loop.runUntilComplete(srv.waitClosed());
  } finally {
    loop.close();
  }
});
