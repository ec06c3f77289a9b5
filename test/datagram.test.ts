import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConnectionRefusedError, DatagramProtocol, type DatagramTransport, type Future, type BaseEventLoop, ValueError, newEventLoop,
  type Coroutine, type BaseTransport,
} from "../src/index.js";
import {
  AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_BROADCAST, SO_REUSEPORT, Socket, type Address,
} from "../src/stdlib/socket.js";

async function runLoop<T>(body: (loop: BaseEventLoop) => Coroutine<T>): Promise<T> {
  const loop = newEventLoop() as BaseEventLoop;
  try {
    return await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

/** Records every callback, in order; futures for the first datagram/error and for connectionLost. */
class Recorder extends DatagramProtocol {
  events: string[] = [];
  transport: DatagramTransport | null = null;
  datagrams: Array<[Buffer, Address | null]> = [];
  errors: Error[] = [];
  gotData: Future<void>;
  gotError: Future<void>;
  lost: Future<Error | null>;
  constructor(loop: BaseEventLoop, readonly echo = false) {
    super();
    this.gotData = loop.createFuture();
    this.gotError = loop.createFuture();
    this.lost = loop.createFuture();
  }
  override connectionMade(t: BaseTransport): void {
    this.events.push("made");
    this.transport = t as DatagramTransport;
  }
  override datagramReceived(data: Uint8Array, addr: Address | null): void {
    this.events.push("data");
    this.datagrams.push([Buffer.from(data), addr]);
    if (this.echo) this.transport!.sendto(data, addr);
    if (!this.gotData.done()) this.gotData.setResult(undefined);
  }
  override errorReceived(exc: Error): void {
    this.events.push("error");
    this.errors.push(exc);
    if (!this.gotError.done()) this.gotError.setResult(undefined);
  }
  override connectionLost(exc: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(exc);
  }
}

function* roundTrip(loop: BaseEventLoop, host: string, family: number): Coroutine<void> {
  const [st, sp] = yield* loop.createDatagramEndpoint(() => new Recorder(loop, true), [host, 0], null, { family });
  const serverAddr = st.getExtraInfo("sockname") as Address;
  assert.ok(Array.isArray(serverAddr));
  assert.equal(serverAddr[0], host);
  assert.ok(st.getExtraInfo("socket") instanceof Socket);
  assert.equal(st.getExtraInfo("peername"), null);
  const [ct, cp] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), null, [host, serverAddr[1]], { family });
  assert.deepEqual((ct.getExtraInfo("peername") as Address).slice(0, 2), [host, serverAddr[1]]);
  ct.sendto(Buffer.from("ping"));
  yield* cp.gotData;
  assert.deepEqual(cp.datagrams.map(([d]) => d.toString()), ["ping"]);
  assert.deepEqual(sp.datagrams.map(([d]) => d.toString()), ["ping"]);
  assert.deepEqual((sp.datagrams[0]![1] as Address).slice(0, 2), (ct.getExtraInfo("sockname") as Address).slice(0, 2));
  assert.equal(ct.getWriteBufferSize(), 0);
  ct.close();
  assert.ok(ct.isClosing());
  st.close();
  assert.equal(yield* cp.lost, null);
  assert.equal(yield* sp.lost, null);
  assert.deepEqual(cp.events, ["made", "data", "lost"]);
  assert.deepEqual(sp.events, ["made", "data", "lost"]);
  assert.equal((ct.getExtraInfo("socket") as Socket).fileno(), -1, "the socket is closed after connectionLost");
}

test("UDP over IPv4: echo round trip, extra info, callback order", async () => {
  await runLoop((loop) => roundTrip(loop, "127.0.0.1", AF_INET));
});

test("UDP over IPv6: echo round trip", async () => {
  await runLoop((loop) => roundTrip(loop, "::1", AF_INET6));
});

test("unconnected endpoint: sendto(data, addr) and several datagrams in order", async () => {
  await runLoop(function* (loop) {
    const [st, sp] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), ["127.0.0.1", 0]);
    const [ct] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), null, null, { family: AF_INET });
    const addr = st.getExtraInfo("sockname") as Address;
    for (let i = 0; i < 5; i++) ct.sendto(Buffer.from(`d${i}`), addr);
    ct.sendto(new Uint8Array(0), addr);
    while (sp.datagrams.length < 6) {
      sp.gotData = loop.createFuture();
      yield* sp.gotData;
    }
    assert.deepEqual(sp.datagrams.map(([d]) => d.toString()), ["d0", "d1", "d2", "d3", "d4", ""]);
    ct.close();
    st.close();
  });
});

test("connected UDP: ECONNREFUSED reaches errorReceived; a wrong address is a ValueError", async () => {
  await runLoop(function* (loop) {
    // A port with nobody listening: bind, note it, close.
    const probe = new Socket(AF_INET, SOCK_DGRAM);
    probe.bind(["127.0.0.1", 0]);
    const port = (probe.getsockname() as [string, number])[1];
    probe.close();
    const [ct, cp] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), null, ["127.0.0.1", port]);
    assert.throws(() => ct.sendto(Buffer.from("x"), ["127.0.0.1", port + 1 === 65536 ? 1 : port + 1]), ValueError);
    ct.sendto(Buffer.from("x"), ["127.0.0.1", port]);
    ct.sendto(Buffer.from("y"));
    yield* cp.gotError;
    assert.ok(cp.errors[0] instanceof ConnectionRefusedError);
    assert.ok(!ct.isClosing(), "an error on a datagram transport does not close it");
    ct.close();
    yield* cp.lost;
    assert.equal(cp.events[0], "made");
    assert.equal(cp.events.at(-1), "lost");
  });
});

test("sendto rejects non-bytes", async () => {
  await runLoop(function* (loop) {
    const [t] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), ["127.0.0.1", 0]);
    assert.throws(() => t.sendto("text" as unknown as Uint8Array, ["127.0.0.1", 9]), TypeError);
    t.abort();
  });
});

test("AF_UNIX datagrams: paths (stale file removed) and abstract names", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-dgram-"));
  try {
    await runLoop(function* (loop) {
      const srvPath = join(dir, "srv.sock");
      const cliPath = join(dir, "cli.sock");
      for (let round = 0; round < 2; round++) {
        // Second round: the socket files of the first are still there and must be replaced.
        const [st, sp] = yield* loop.createDatagramEndpoint(() => new Recorder(loop, true), srvPath, null, { family: AF_UNIX });
        assert.ok(statSync(srvPath).isSocket());
        const [ct, cp] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), cliPath, srvPath, { family: AF_UNIX });
        assert.equal(ct.getExtraInfo("peername"), srvPath);
        ct.sendto(Buffer.from(`hello ${round}`));
        yield* cp.gotData;
        assert.deepEqual(sp.datagrams, [[Buffer.from(`hello ${round}`), cliPath]]);
        assert.deepEqual(cp.datagrams, [[Buffer.from(`hello ${round}`), srvPath]]);
        ct.close();
        st.close();
        yield* cp.lost;
        yield* sp.lost;
      }
      assert.ok(existsSync(srvPath));

      const name = `\0tsyncio-dgram-${process.pid}`;
      const [st, sp] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), name, null, { family: AF_UNIX });
      assert.equal(st.getExtraInfo("sockname"), name);
      const [ct] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), null, name, { family: AF_UNIX });
      ct.sendto(Buffer.from("abstract"));
      yield* sp.gotData;
      assert.equal(sp.datagrams[0]![0].toString(), "abstract");
      ct.close();
      st.close();
      yield* sp.lost;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("allowBroadcast sets SO_BROADCAST and keeps the socket unconnected; reusePort shares a port", async () => {
  await runLoop(function* (loop) {
    const [t, p] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), null, ["127.0.0.1", 9], { allowBroadcast: true });
    const sock = t.getExtraInfo("socket") as Socket;
    assert.equal(sock.getsockopt(SOL_SOCKET, SO_BROADCAST), 1);
    assert.equal(t.getExtraInfo("peername"), null);
    assert.throws(() => t.sendto(Buffer.from("x"), ["127.0.0.1", 10]), ValueError);
    t.close();
    yield* p.lost;

    const [a] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), ["127.0.0.1", 0], null, { reusePort: true });
    const port = (a.getExtraInfo("sockname") as [string, number])[1];
    const [b] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), ["127.0.0.1", port], null, { reusePort: true });
    assert.equal((b.getExtraInfo("socket") as Socket).getsockopt(SOL_SOCKET, SO_REUSEPORT), 1);
    a.close();
    b.close();
  });
});

test("an existing socket through `sock`", async () => {
  await runLoop(function* (loop) {
    const sock = new Socket(AF_INET, SOCK_DGRAM);
    sock.bind(["127.0.0.1", 0]);
    const [t, p] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), null, null, { sock });
    assert.equal(t.getExtraInfo("socket"), sock);
    assert.equal(sock.getblocking(), false);
    const [c] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), null, sock.getsockname());
    c.sendto(Buffer.from("via sock"));
    yield* p.gotData;
    assert.equal(p.datagrams[0]![0].toString(), "via sock");
    c.close();
    t.close();
    yield* p.lost;
    assert.equal(sock.fileno(), -1);
  });
});

test("argument errors as CPython", async () => {
  await runLoop(function* (loop) {
    const pf = () => new DatagramProtocol();
    const expectRaises = function* (fut: Coroutine<unknown>, cls: new (...a: never[]) => Error, re?: RegExp): Coroutine<void> {
      try {
        yield* fut;
      } catch (e) {
        assert.ok(e instanceof cls, `${e} is not a ${cls.name}`);
        if (re) assert.match((e as Error).message, re);
        return;
      }
      assert.fail(`no ${cls.name}`);
    };
    yield* expectRaises(loop.createDatagramEndpoint(pf, ["127.0.0.1", 0], null, { reuseAddress: true }), ValueError, /reuse_address=True.*no longer supported/);
    yield* expectRaises(loop.createDatagramEndpoint(pf), ValueError, /unexpected address family/);
    const stream = new Socket(AF_INET, SOCK_STREAM);
    yield* expectRaises(loop.createDatagramEndpoint(pf, null, null, { sock: stream }), ValueError, /A UDP Socket was expected/);
    stream.close();
    const dgram = new Socket(AF_INET, SOCK_DGRAM);
    yield* expectRaises(loop.createDatagramEndpoint(pf, ["127.0.0.1", 0], null, { sock: dgram }), ValueError, /socket modifier keyword arguments can not be used when sock is specified/);
    yield* expectRaises(loop.createDatagramEndpoint(pf, null, null, { sock: dgram, allowBroadcast: true }), ValueError, /allowBroadcast=true/);
    dgram.close();
    yield* expectRaises(loop.createDatagramEndpoint(pf, ["127.0.0.1", 0] as unknown as string, null, { family: AF_UNIX }), TypeError, /string is expected/);
    yield* expectRaises(loop.createDatagramEndpoint(pf, ["127.0.0.1", 0, 0, 0] as unknown as Address), TypeError, /2-tuple is expected/);
    yield* expectRaises(loop.createDatagramEndpoint(pf, ["127.0.0.1", 0], ["::1", 1]), ValueError, /can not get address information/);
  });
});

test("write buffer limits are validated and reported", async () => {
  await runLoop(function* (loop) {
    const [t] = yield* loop.createDatagramEndpoint(() => new Recorder(loop), ["127.0.0.1", 0]);
    const ft = t as DatagramTransport & { setWriteBufferLimits(h?: number, l?: number): void; getWriteBufferLimits(): [number, number] };
    ft.setWriteBufferLimits(1000);
    assert.deepEqual(ft.getWriteBufferLimits(), [250, 1000]);
    assert.throws(() => ft.setWriteBufferLimits(10, 20), ValueError);
    t.close();
  });
});
