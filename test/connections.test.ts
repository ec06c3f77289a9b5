// loop.createConnection, connectAcceptedSocket and Happy Eyeballs, on real
// loopback sockets: the behaviour CPython's test_events.py and
// test_base_events.py check for create_connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import * as asyncio from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import {
  ConnectionRefusedError, ExceptionGroup, OSError, ValueError, type Coroutine,
} from "../src/index.js";
import { staggeredRace } from "../src/sync/staggered.js";
import { connectAddrinfos, interleaveAddrinfos } from "../src/net/connections.js";
import { ipaddrInfo } from "../src/net/dns.js";
import { selectorOf } from "../src/net/selector.js";
import type { AddrInfo } from "../src/core/events.js";
import { inLoop } from "./helpers/loop.js";

const { AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, SOCK_DGRAM, IPPROTO_TCP, TCP_NODELAY } = socket;
const ECONNREFUSED = 111;
const EADDRINUSE = 98;

/** Python's MyProto: records its state transitions and the bytes received. */
class ClientProto extends asyncio.Protocol {
  state = "INITIAL";
  nbytes = 0;
  data: Buffer[] = [];
  transport: asyncio.Transport | null = null;
  readonly done: asyncio.Future<void>;
  constructor(loop: asyncio.AbstractEventLoop, private readonly greeting: string | null = null) {
    super();
    this.done = loop.createFuture<void>();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    assert.equal(this.state, "INITIAL");
    this.state = "CONNECTED";
    this.transport = transport as asyncio.Transport;
    if (this.greeting !== null) this.transport.write(Buffer.from(this.greeting));
  }
  override dataReceived(data: Uint8Array): void {
    assert.equal(this.state, "CONNECTED");
    this.nbytes += data.length;
    this.data.push(Buffer.from(data));
  }
  override eofReceived(): void {
    assert.equal(this.state, "CONNECTED");
    this.state = "EOF";
  }
  override connectionLost(): void {
    this.state = "CLOSED";
    if (!this.done.done()) this.done.setResult(undefined);
  }
}

/** A blocking-free listening socket on `host`, port 0, with the address it got. */
function listener(family: number, host: string, backlog = 16): [socket.Socket, socket.Address] {
  const s = new socket.Socket(family, SOCK_STREAM);
  s.bind(family === AF_INET6 ? [host, 0, 0, 0] : [host, 0]);
  s.listen(backlog);
  s.setblocking(false);
  return [s, s.getsockname()];
}

/** A port bound on 127.0.0.1 (and ::1) by sockets that never listen: connecting there is refused. */
function refusedPort(): [number, socket.Socket[]] {
  for (;;) {
    const v4 = new socket.Socket(AF_INET, SOCK_STREAM);
    v4.bind(["127.0.0.1", 0]);
    const port = (v4.getsockname() as [string, number])[1];
    const v6 = new socket.Socket(AF_INET6, SOCK_STREAM);
    try {
      v6.bind(["::1", port, 0, 0]);
      return [port, [v4, v6]];
    } catch {
      v4.close();
      v6.close();
    }
  }
}

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

const tcp4 = (port: number): AddrInfo => [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", port]];
const tcp6 = (port: number): AddrInfo => [AF_INET6, SOCK_STREAM, IPPROTO_TCP, "", ["::1", port, 0, 0]];

// ---- staggered race ----------------------------------------------------------

test("staggeredRace: the first to succeed wins; a failure starts the next one at once", () =>
  inLoop(function* (loop) {
    const order: string[] = [];
    const fns = [
      function* (): Coroutine<string> {
        order.push("start 0");
        yield* asyncio.sleep(0);
        throw new OSError("first fails");
      },
      function* (): Coroutine<string> {
        order.push("start 1");
        yield* asyncio.sleep(0);
        return "one";
      },
      function* (): Coroutine<string> {
        order.push("start 2");
        return "two";
      },
    ];
    // A long delay: only the failure can start attempt 1, and 2 never starts.
    const [result, index, excs] = yield* staggeredRace(loop, fns, 60);
    assert.equal(result, "one");
    assert.equal(index, 1);
    assert.deepEqual(order, ["start 0", "start 1"]);
    assert.equal(excs.length, 2);
    assert.ok(excs[0] instanceof OSError);
    assert.equal(excs[1], null);
  }));

test("staggeredRace: after the delay the next attempt starts; the slower loser is cancelled", () =>
  inLoop(function* (loop) {
    let cancelled = false;
    const slow = function* (): Coroutine<string> {
      try {
        yield* asyncio.sleep(30);
        return "slow";
      } catch (e) {
        cancelled = e instanceof asyncio.CancelledError;
        throw e;
      }
    };
    const fast = function* (): Coroutine<string> {
      yield* asyncio.sleep(0);
      return "fast";
    };
    const [result, index, excs] = yield* staggeredRace(loop, [slow, fast], 0.01);
    assert.equal(result, "fast");
    assert.equal(index, 1);
    assert.ok(cancelled, "the loser saw CancelledError");
    assert.ok(excs[0] instanceof asyncio.CancelledError);
  }));

test("staggeredRace: delay null runs attempts one after another; all failing gives no winner", () =>
  inLoop(function* (loop) {
    let running = 0;
    let maxRunning = 0;
    const attempt = (i: number) => function* (): Coroutine<number> {
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        yield* asyncio.sleep(0.001);
        throw new ValueError(`fail ${i}`);
      } finally {
        running--;
      }
    };
    const [result, index, excs] = yield* staggeredRace(loop, [attempt(0), attempt(1), attempt(2)], null);
    assert.equal(result, null);
    assert.equal(index, null);
    assert.equal(maxRunning, 1);
    assert.deepEqual(excs.map((e) => e?.message), ["fail 0", "fail 1", "fail 2"]);
  }));

test("staggeredRace: cancelling the race cancels every attempt", () =>
  inLoop(function* (loop) {
    const seen: string[] = [];
    const forever = (i: number) => function* (): Coroutine<void> {
      try {
        yield* asyncio.sleep(60);
      } catch (e) {
        seen.push(`${i}:${(e as Error).name}`);
        throw e;
      }
    };
    const race = loop.createTask(staggeredRace(loop, [forever(0), forever(1)], 0.001));
    yield* asyncio.sleep(0.05);
    race.cancel();
    yield* asyncio.wait([race]);
    assert.ok(race.cancelled());
    yield* asyncio.sleep(0);
    assert.deepEqual(seen.sort(), ["0:CancelledError", "1:CancelledError"]);
  }));

// ---- address helpers ----------------------------------------------------------

test("ipaddrInfo skips getaddrinfo for numeric hosts only, as Python's _ipaddr_info", () => {
  assert.deepEqual(ipaddrInfo("127.0.0.1", 80, 0, SOCK_STREAM, 0), [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 80]]);
  assert.deepEqual(ipaddrInfo("::1", "8080", 0, SOCK_STREAM, 0), [AF_INET6, SOCK_STREAM, IPPROTO_TCP, "", ["::1", 8080, 0, 0]]);
  assert.deepEqual(ipaddrInfo("::1", null, AF_INET6, SOCK_STREAM, 0, 1, 2), [AF_INET6, SOCK_STREAM, IPPROTO_TCP, "", ["::1", 0, 1, 2]]);
  assert.equal(ipaddrInfo("localhost", 80, 0, SOCK_STREAM, 0), null);
  assert.equal(ipaddrInfo("127.0.0.1", "http", 0, SOCK_STREAM, 0), null);
  assert.equal(ipaddrInfo("::1", 80, AF_INET, SOCK_STREAM, 0), null);
  assert.equal(ipaddrInfo("fe80::1%lo", 80, 0, SOCK_STREAM, 0), null);
  assert.equal(ipaddrInfo(null, 80, 0, SOCK_STREAM, 0), null);
});

test("interleaveAddrinfos alternates families, honouring the first family count", () => {
  const infos = [tcp6(1), tcp6(2), tcp6(3), tcp4(4), tcp4(5)];
  const ports = (l: AddrInfo[]) => l.map((i) => (i[4] as [string, number])[1]);
  assert.deepEqual(ports(interleaveAddrinfos(infos)), [1, 4, 2, 5, 3]);
  assert.deepEqual(ports(interleaveAddrinfos(infos, 2)), [1, 2, 4, 3, 5]);
});

// ---- createConnection -----------------------------------------------------------

for (const [family, host] of [[AF_INET, "127.0.0.1"], [AF_INET6, "::1"]] as const) {
  test(`createConnection to ${host}: [transport, protocol] after connectionMade; TCP_NODELAY is on`, () =>
    inLoop(function* (loop) {
      const [lsock, addr] = listener(family, host);
      try {
        const port = (addr as [string, number])[1];
        const fut = asyncio.ensureFuture(loop.createConnection(() => new ClientProto(loop, "hello"), host, port));
        const [peer] = yield* loop.sockAccept(lsock);
        const [tr, pr] = yield* fut;
        assert.ok(pr instanceof ClientProto);
        assert.equal(pr.state, "CONNECTED");
        assert.equal(pr.transport, tr);
        const sock = tr.getExtraInfo("socket") as socket.Socket;
        assert.equal(sock.family, family);
        assert.equal(sock.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
        assert.deepEqual((tr.getExtraInfo("peername") as [string, number]).slice(0, 2), [host, port]);
        // The greeting arrives; the peer answers and closes.
        peer.setblocking(false);
        const got = yield* loop.sockRecv(peer, 100);
        assert.equal(got.toString(), "hello");
        yield* loop.sockSendall(peer, Buffer.from("world"));
        peer.close();
        yield* pr.done;
        assert.equal(Buffer.concat(pr.data).toString(), "world");
        assert.equal(pr.state, "CLOSED");
      } finally {
        lsock.close();
      }
    }));
}

test("createConnection with an already connected sock", () =>
  inLoop(function* (loop) {
    const [lsock, addr] = listener(AF_INET, "127.0.0.1");
    const s = new socket.Socket(AF_INET, SOCK_STREAM);
    s.setblocking(false);
    try {
      yield* loop.sockConnect(s, addr);
      const [peer] = yield* loop.sockAccept(lsock);
      const [tr, pr] = yield* loop.createConnection(() => new ClientProto(loop), undefined, undefined, { sock: s });
      assert.equal(tr.getExtraInfo("socket"), s);
      assert.equal(pr.state, "CONNECTED");
      tr.close();
      yield* pr.done;
      peer.close();
    } finally {
      lsock.close();
    }
  }));

test("createConnection argument errors are raised as Python raises them", () =>
  inLoop(function* (loop) {
    const pf = () => new asyncio.Protocol();
    const expectError = function* (fut: Coroutine<unknown>, cls: new (...a: never[]) => Error, msg: string | RegExp): Coroutine<void> {
      try {
        yield* fut;
      } catch (e) {
        assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
        if (typeof msg === "string") assert.equal((e as Error).message, msg);
        else assert.match((e as Error).message, msg);
        return;
      }
      assert.fail("no error");
    };
    const sock = new socket.Socket(AF_INET, SOCK_STREAM);
    const dgram = new socket.Socket(AF_INET, SOCK_DGRAM);
    try {
      yield* expectError(loop.createConnection(pf, "127.0.0.1", 1, { sock }), ValueError,
        "host/port and sock can not be specified at the same time");
      yield* expectError(loop.createConnection(pf), ValueError, "host and port was not specified and no sock specified");
      yield* expectError(loop.createConnection(pf, undefined, undefined, { sock: dgram }), ValueError,
        /^A Stream Socket was expected, got <Socket/);
      yield* expectError(loop.createConnection(pf, "127.0.0.1", 1, { serverHostname: "x" }), ValueError,
        "server_hostname is only meaningful with ssl");
      yield* expectError(loop.createConnection(pf, "127.0.0.1", 1, { sslHandshakeTimeout: 1 }), ValueError,
        "ssl_handshake_timeout is only meaningful with ssl");
      yield* expectError(loop.createConnection(pf, "127.0.0.1", 1, { sslShutdownTimeout: 1 }), ValueError,
        "ssl_shutdown_timeout is only meaningful with ssl");
      yield* expectError(loop.createConnection(pf, undefined, undefined, { sock, ssl: true }), ValueError,
        "You must set server_hostname when using ssl without a host");
      yield* expectError(loop.createConnection(pf, "", 1, { ssl: true }), ValueError,
        "You must set server_hostname when using ssl without a host");
    } finally {
      sock.close();
      dgram.close();
    }
  }));

test("createConnection validates the TLS timeouts before connecting: the server never sees a connection", () =>
  inLoop(function* (loop) {
    const [srv, addr] = listener(AF_INET, "127.0.0.1");
    try {
      const [host, port] = addr as [string, number];
      for (const opts of [{ sslHandshakeTimeout: -1 }, { sslShutdownTimeout: 0 }, { sslHandshakeTimeout: NaN }]) {
        try {
          yield* loop.createConnection(() => new asyncio.Protocol(), host, port, { ssl: true, ...opts });
          assert.fail("no error");
        } catch (e) {
          assert.ok(e instanceof ValueError, String(e));
          assert.match((e as Error).message, /^ssl_(handshake|shutdown)_timeout should be a positive number, got (-1|0|NaN)$/);
        }
      }
      // A loopback connect is complete in the kernel once connect() returns:
      // had one been made, it would be waiting in the backlog.
      assert.throws(() => srv.accept(), (e: unknown) => e instanceof asyncio.BlockingIOError);
    } finally {
      srv.close();
    }
  }));

test("a connection whose setup fails after the connect closes its socket at once: the server reads EOF", () =>
  inLoop(function* (loop) {
    const [srv, addr] = listener(AF_INET, "127.0.0.1");
    try {
      const [host, port] = addr as [string, number];
      const boom = new Error("protocol factory failed");
      try {
        yield* loop.createConnection(() => { throw boom; }, host, port);
        assert.fail("no error");
      } catch (e) {
        assert.equal(e, boom);
      }
      const [conn] = srv.accept();
      try {
        conn.settimeout(10);
        assert.equal(conn.recv(10).length, 0);
      } finally {
        conn.close();
      }
    } finally {
      srv.close();
    }
  }));

test("createConnection to a closed port: ConnectionRefusedError (errno ECONNREFUSED)", () =>
  inLoop(function* (loop) {
    const [port, holders] = refusedPort();
    try {
      let err: unknown = null;
      try {
        yield* loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ConnectionRefusedError, String(err));
      assert.equal((err as OSError).errno, ECONNREFUSED);
      assert.equal((err as OSError).code, "ECONNREFUSED");
    } finally {
      holders.forEach((h) => h.close());
    }
  }));

test("createConnection with allErrors: an ExceptionGroup of every attempt's error", () =>
  inLoop(function* (loop) {
    const [port, holders] = refusedPort();
    try {
      let err: unknown = null;
      try {
        yield* loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port, { allErrors: true });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ExceptionGroup, String(err));
      assert.equal((err as ExceptionGroup).groupMessage, "create_connection failed");
      assert.equal((err as ExceptionGroup).exceptions.length, 1);
      assert.ok((err as ExceptionGroup).exceptions[0] instanceof ConnectionRefusedError);
    } finally {
      holders.forEach((h) => h.close());
    }
  }));

test("every address refused: one OSError 'Multiple exceptions: ...', or the group with allErrors", () =>
  inLoop(function* (loop) {
    const [port, holders] = refusedPort();
    try {
      const infos = [tcp6(port), tcp4(port)];
      let err: unknown = null;
      try {
        yield* connectAddrinfos(loop, infos, null, null, null, false);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof OSError && err.constructor === OSError, String(err));
      assert.match((err as Error).message, /^Multiple exceptions: \[Errno 111\] .*::1.*, \[Errno 111\] .*127\.0\.0\.1/);
      err = null;
      try {
        yield* connectAddrinfos(loop, infos, null, 0.01, null, true);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ExceptionGroup, String(err));
      const excs = (err as ExceptionGroup).exceptions;
      assert.equal(excs.length, 2);
      assert.ok(excs.every((e) => e instanceof ConnectionRefusedError));
    } finally {
      holders.forEach((h) => h.close());
    }
  }));

test("Happy Eyeballs: an IPv6 address that refuses, then IPv4 that listens", () =>
  inLoop(function* (loop) {
    const [lsock, addr] = listener(AF_INET, "127.0.0.1");
    const port = (addr as [string, number])[1];
    let v6: socket.Socket | null = new socket.Socket(AF_INET6, SOCK_STREAM);
    try {
      v6.bind(["::1", port, 0, 0]);
    } catch {
      v6.close();
      v6 = null; // ::1 port taken by someone else: connecting there fails anyway or succeeds elsewhere
    }
    try {
      const sock = yield* connectAddrinfos(loop, [tcp6(port), tcp4(port)], null, 0.25, 1, false);
      assert.deepEqual(sock.getpeername(), ["127.0.0.1", port]);
      sock.close();
    } finally {
      v6?.close();
      lsock.close();
    }
  }));

test("Happy Eyeballs: a hanging first attempt loses after the delay and its socket is closed", () =>
  inLoop(function* (loop) {
    // A listener that never accepts and has a full queue: new connects hang in SYN-SENT.
    const [stuck, stuckAddr] = listener(AF_INET6, "::1", 0);
    const fillers: socket.Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const f = new socket.Socket(AF_INET6, SOCK_STREAM);
      f.setblocking(false);
      f.connectEx(stuckAddr);
      fillers.push(f);
    }
    yield* asyncio.sleep(0.05);
    const [lsock, addr] = listener(AF_INET, "127.0.0.1");
    const port = (addr as [string, number])[1];
    const stuckPort = (stuckAddr as [string, number])[1];
    try {
      // The loop's selector holds an epoll fd of its own: made before counting.
      selectorOf(loop);
      const before = openFds();
      const infos: AddrInfo[] = [tcp6(stuckPort), [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", port]]];
      const sock = yield* connectAddrinfos(loop, infos, null, 0.05, 1, false);
      assert.deepEqual(sock.getpeername(), ["127.0.0.1", port]);
      // Only the winner's fd is still open: the IPv6 attempt's socket was closed.
      assert.equal(openFds(), before + 1);
      sock.close();
    } finally {
      fillers.forEach((f) => f.close());
      stuck.close();
      lsock.close();
    }
  }));

test("Happy Eyeballs through createConnection('localhost'): the family that listens wins", async () => {
  // localhost may resolve to ::1 and 127.0.0.1, or to one of them; whatever it
  // gives, only one family listens and the connection must reach it.
  const infos = socket.getaddrinfo("localhost", 0, 0, SOCK_STREAM);
  const families = new Set(infos.map((i) => i[0]));
  const [family, host] = families.has(AF_INET) ? [AF_INET, "127.0.0.1"] : [AF_INET6, "::1"];
  await inLoop(function* (loop) {
    const [lsock, addr] = listener(family, host);
    const port = (addr as [string, number])[1];
    try {
      const [tr] = yield* loop.createConnection(() => new asyncio.Protocol(), "localhost", port, { happyEyeballsDelay: 0.25 });
      assert.equal((tr.getExtraInfo("peername") as [string, number])[0], host);
      assert.equal((tr.getExtraInfo("peername") as [string, number])[1], port);
      tr.close();
    } finally {
      lsock.close();
    }
  });
});

test("createConnection with localAddr binds before connecting", () =>
  inLoop(function* (loop) {
    const [lsock, addr] = listener(AF_INET, "127.0.0.1");
    const probe = new socket.Socket(AF_INET, SOCK_STREAM);
    probe.bind(["127.0.0.1", 0]);
    const localPort = (probe.getsockname() as [string, number])[1];
    probe.close();
    try {
      const [tr] = yield* loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", (addr as [string, number])[1], {
        localAddr: ["127.0.0.1", localPort],
      });
      assert.deepEqual(tr.getExtraInfo("sockname"), ["127.0.0.1", localPort]);
      tr.close();
    } finally {
      lsock.close();
    }
  }));

test("createConnection with a localAddr in use: OSError EADDRINUSE naming the address", () =>
  inLoop(function* (loop) {
    const [lsock, addr] = listener(AF_INET, "127.0.0.1");
    const [host, port] = addr as [string, number];
    try {
      let err: unknown = null;
      try {
        yield* loop.createConnection(() => new asyncio.Protocol(), host, port, { localAddr: [host, port] });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof OSError, String(err));
      assert.equal((err as OSError).errno, EADDRINUSE);
      assert.equal((err as Error).message,
        `[Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): [errno 98] address already in use`);
    } finally {
      lsock.close();
    }
  }));

test("createConnection with localAddr of another family: 'no matching local address'", () =>
  inLoop(function* (loop) {
    const [lsock, addr] = listener(AF_INET6, "::1");
    try {
      let err: unknown = null;
      try {
        yield* loop.createConnection(() => new asyncio.Protocol(), "::1", (addr as [string, number])[1], {
          localAddr: ["127.0.0.1", 0],
        });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof OSError, String(err));
      assert.match((err as Error).message, /^no matching local address with family=<AddressFamily\.AF_INET6: 10> found$/);
    } finally {
      lsock.close();
    }
  }));

test("createConnection skips local addresses of another family", () =>
  inLoop(function* (loop) {
    const [lsock, addr] = listener(AF_INET, "127.0.0.1");
    try {
      const laddrs: AddrInfo[] = [tcp6(0), [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 0]]];
      const sock = yield* connectAddrinfos(loop, [tcp4((addr as [string, number])[1])], laddrs, null, null, false);
      assert.equal((sock.getsockname() as [string, number])[0], "127.0.0.1");
      sock.close();
    } finally {
      lsock.close();
    }
  }));

// ---- connectAcceptedSocket ---------------------------------------------------------

test("connectAcceptedSocket wraps an accepted socket (here one end of a socketpair)", () =>
  inLoop(function* (loop) {
    const [a, b] = socket.socketpair(AF_UNIX, SOCK_STREAM);
    b.setblocking(false);
    const [tr, pr] = yield* loop.connectAcceptedSocket(() => new ClientProto(loop, "ping"), a);
    assert.equal(pr.state, "CONNECTED");
    assert.equal((yield* loop.sockRecv(b, 10)).toString(), "ping");
    b.close();
    yield* pr.done;
    assert.equal(pr.state, "CLOSED");
    assert.ok(tr.isClosing());
  }));

test("connectAcceptedSocket argument errors", () =>
  inLoop(function* (loop) {
    const dgram = new socket.Socket(AF_INET, SOCK_DGRAM);
    const [a, b] = socket.socketpair();
    try {
      for (const [fut, msg] of [
        [loop.connectAcceptedSocket(() => new asyncio.Protocol(), dgram), /^A Stream Socket was expected/],
        [loop.connectAcceptedSocket(() => new asyncio.Protocol(), a, { sslHandshakeTimeout: 1 }), /^ssl_handshake_timeout is only meaningful with ssl$/],
        [loop.connectAcceptedSocket(() => new asyncio.Protocol(), a, { sslShutdownTimeout: 1 }), /^ssl_shutdown_timeout is only meaningful with ssl$/],
      ] as const) {
        const task = asyncio.ensureFuture(fut);
        yield* asyncio.wait([task]);
        assert.ok(task.exception() instanceof ValueError);
        assert.match(task.exception()!.message, msg);
      }
    } finally {
      dgram.close();
      a.close();
      b.close();
    }
  }));
