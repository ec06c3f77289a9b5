// The loop's sock_* methods on real sockets (CPython's test_sock_lowlevel and
// the sock_sendfile part of test_sendfile): AF_INET, AF_INET6 and AF_UNIX,
// stream and datagram; cancellation of each method mid-flight.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../src/index.js";
import type { BaseEventLoop } from "../src/core/base-events.js";
import type { Coroutine } from "../src/core/coroutines.js";
import { native } from "../src/internal/native.js";
import { selectorOf } from "../src/net/selector.js";
import {
  AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_SNDBUF, SO_RCVBUF, Socket, socketpair,
} from "../src/stdlib/socket.js";

const N = native();

async function withLoop(body: (loop: BaseEventLoop) => Coroutine<void>): Promise<void> {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  try {
    await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

function nb(s: Socket): Socket {
  s.setblocking(false);
  return s;
}

function pair(type = SOCK_STREAM): [Socket, Socket] {
  const [a, b] = socketpair(AF_UNIX, type);
  return [nb(a), nb(b)];
}

const tmp = mkdtempSync(join(tmpdir(), "tsyncio-sock-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

/** A listening socket of `family` on a free address, non-blocking. */
function listener(family: number): Socket {
  const s = nb(new Socket(family, SOCK_STREAM));
  if (family === AF_INET) s.bind(["127.0.0.1", 0]);
  else if (family === AF_INET6) s.bind(["::1", 0]);
  else s.bind(join(tmp, `l${Math.random().toString(36).slice(2)}`));
  s.listen();
  return s;
}

/** A connected stream pair made with sockAccept/sockConnect. */
function* connectedPair(loop: BaseEventLoop, family: number): Coroutine<[Socket, Socket]> {
  const srv = listener(family);
  const client = nb(new Socket(family, SOCK_STREAM));
  const acc = asyncio.ensureFuture(loop.sockAccept(srv));
  yield* loop.sockConnect(client, srv.getsockname());
  const [conn, addr] = yield* acc;
  assert.equal(conn.gettimeout(), 0, "accepted sockets are non-blocking");
  if (family !== AF_UNIX) assert.deepEqual(addr, client.getsockname());
  srv.close();
  return [client, conn];
}

for (const [name, family] of [["AF_INET", AF_INET], ["AF_INET6", AF_INET6], ["AF_UNIX", AF_UNIX]] as const) {
  test(`${name} stream: sockConnect, sockAccept, sockSendall, sockRecv, sockRecvInto, EOF`, () =>
    withLoop(function* (loop) {
      const [client, conn] = yield* connectedPair(loop, family);
      // The receive waits first, then data arrives.
      const pending = asyncio.ensureFuture(loop.sockRecv(conn, 1024));
      yield* loop.sockSendall(client, Buffer.from("GET / HTTP/1.0\r\n\r\n"));
      assert.equal((yield* pending).toString(), "GET / HTTP/1.0\r\n\r\n");
      yield* loop.sockSendall(conn, Buffer.from("reply"));
      const buf = Buffer.alloc(100);
      const n = yield* loop.sockRecvInto(client, buf);
      assert.equal(buf.subarray(0, n).toString(), "reply");
      conn.shutdown(1);
      assert.equal((yield* loop.sockRecv(client, 10)).length, 0);
      client.close();
      conn.close();
    }));
}

test("sockConnect resolves a host name through getaddrinfo (Python's _ensure_resolved)", () =>
  withLoop(function* (loop) {
    const srv = listener(AF_INET);
    const port = (srv.getsockname() as [string, number])[1];
    const c = nb(new Socket(AF_INET, SOCK_STREAM));
    const acc = asyncio.ensureFuture(loop.sockAccept(srv));
    yield* loop.sockConnect(c, ["localhost", port]);
    const [conn] = yield* acc;
    assert.deepEqual(c.getpeername(), ["127.0.0.1", port]);
    conn.close();
    c.close();
    srv.close();
  }));

test("sockConnect to a closed port: ConnectionRefusedError 'Connect call failed'", () =>
  withLoop(function* (loop) {
    const srv = listener(AF_INET);
    const addr = srv.getsockname() as [string, number];
    srv.close();
    const c = nb(new Socket(AF_INET, SOCK_STREAM));
    try {
      yield* loop.sockConnect(c, addr);
      assert.fail("connected");
    } catch (e) {
      assert.equal((e as Error).name, "ConnectionRefusedError");
      assert.equal((e as Error & { errno: number }).errno, 111);
      assert.equal((e as Error).message, `[Errno 111] Connect call failed ('127.0.0.1', ${addr[1]})`);
    }
    c.close();
    const u = nb(new Socket(AF_UNIX, SOCK_STREAM));
    try {
      yield* loop.sockConnect(u, join(tmp, "nothing-here"));
      assert.fail("connected");
    } catch (e) {
      assert.equal((e as Error).name, "FileNotFoundError");
    }
    u.close();
  }));

for (const [name, family, host] of [["AF_INET", AF_INET, "127.0.0.1"], ["AF_INET6", AF_INET6, "::1"], ["AF_UNIX", AF_UNIX, ""]] as const) {
  test(`${name} datagrams: sockSendto, sockRecvfrom, sockRecvfromInto`, () =>
    withLoop(function* (loop) {
      const a = nb(new Socket(family, SOCK_DGRAM));
      const b = nb(new Socket(family, SOCK_DGRAM));
      if (family === AF_UNIX) {
        a.bind(join(tmp, `da${Math.random().toString(36).slice(2)}`));
        b.bind(join(tmp, `db${Math.random().toString(36).slice(2)}`));
      } else {
        a.bind([host, 0]);
        b.bind([host, 0]);
      }
      const recv = asyncio.ensureFuture(loop.sockRecvfrom(b, 100));
      assert.equal(yield* loop.sockSendto(a, Buffer.from("one"), b.getsockname()), 3);
      const [data, from] = yield* recv;
      assert.equal(data.toString(), "one");
      assert.deepEqual(from, a.getsockname());
      const buf = Buffer.alloc(10);
      const into = asyncio.ensureFuture(loop.sockRecvfromInto(b, buf, 5));
      yield* loop.sockSendto(a, Buffer.from("twotwotwo"), b.getsockname());
      const [n, from2] = yield* into;
      assert.equal(n, 5);
      assert.equal(buf.subarray(0, 5).toString(), "twotw");
      assert.deepEqual(from2, a.getsockname());
      a.close();
      b.close();
    }));
}

test("argument errors: blocking sockets (ValueError), bad sizes, bad buffers", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const blocking = new Socket(AF_INET, SOCK_STREAM);
    const checks: [() => Coroutine<unknown>, string, RegExp | string][] = [
      [() => loop.sockRecv(blocking, 10), "ValueError", "the socket must be non-blocking"],
      [() => loop.sockRecvInto(blocking, Buffer.alloc(1)), "ValueError", "the socket must be non-blocking"],
      [() => loop.sockSendall(blocking, Buffer.from("x")), "ValueError", "the socket must be non-blocking"],
      [() => loop.sockConnect(blocking, ["127.0.0.1", 1]), "ValueError", "the socket must be non-blocking"],
      [() => loop.sockAccept(blocking), "ValueError", "the socket must be non-blocking"],
      [() => loop.sockRecv(a, -1), "ValueError", "negative buffersize in recv"],
      [() => loop.sockRecvfromInto(a, Buffer.alloc(2), 5), "ValueError", "nbytes is greater than the length of the buffer"],
      [() => loop.sockSendall(a, "text" as never), "TypeError", "a bytes-like object is required, not 'str'; encode text first: Buffer.from(text) (UTF-8)"],
      [() => loop.sockRecvInto(a, 5 as never), "TypeError", /bytes-like object, not 'int'/],
    ];
    for (const [f, name, message] of checks) {
      const fut = f();
      try {
        yield* fut;
        assert.fail("no error");
      } catch (e) {
        assert.equal((e as Error).name, name);
        if (typeof message === "string") assert.equal((e as Error).message, message);
        else assert.match((e as Error).message, message);
      }
    }
    blocking.close();
    a.close();
    b.close();
  }));

test("a 64 MiB transfer through sockSendall and sockRecvInto arrives byte for byte", () =>
  withLoop(function* (loop) {
    const [client, conn] = yield* connectedPair(loop, AF_INET);
    const size = 64 * 1024 * 1024;
    const data = randomBytes(size);
    const out = Buffer.alloc(size);
    const sending = asyncio.ensureFuture(loop.sockSendall(client, data));
    let got = 0;
    while (got < size) {
      const n = yield* loop.sockRecvInto(conn, out.subarray(got, Math.min(size, got + 256 * 1024)));
      assert.ok(n > 0);
      got += n;
    }
    yield* sending;
    assert.ok(out.equals(data));
    client.close();
    conn.close();
  }));

/** Cancels `fut` after one iteration and checks it ends cancelled. */
function* cancelled(coro: Coroutine<unknown> | asyncio.Future<unknown>): Coroutine<void> {
  const fut = asyncio.ensureFuture(coro);
  yield* asyncio.sleep(0);
  assert.equal(fut.done(), false, "still waiting");
  fut.cancel();
  try {
    yield* fut;
    assert.fail("not cancelled");
  } catch (e) {
    assert.ok(e instanceof asyncio.CancelledError);
  }
}

test("cancelling sockRecv, sockRecvInto and sockAccept removes the watcher; the socket stays usable", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    yield* cancelled(loop.sockRecv(a, 10));
    assert.equal(loop.removeReader(a), false, "no reader left behind");
    yield* cancelled(loop.sockRecvInto(a, Buffer.alloc(10)));
    assert.equal(loop.removeReader(a), false);
    // Later calls work, and nothing was consumed by the cancelled ones.
    b.send(Buffer.from("after"));
    assert.equal((yield* loop.sockRecv(a, 10)).toString(), "after");
    const srv = listener(AF_INET);
    yield* cancelled(loop.sockAccept(srv));
    assert.equal(loop.removeReader(srv), false);
    const c = nb(new Socket(AF_INET, SOCK_STREAM));
    const acc = asyncio.ensureFuture(loop.sockAccept(srv));
    yield* loop.sockConnect(c, srv.getsockname());
    const [conn] = yield* acc;
    conn.close();
    c.close();
    srv.close();
    a.close();
    b.close();
  }));

test("cancelling sockRecvfrom and sockRecvfromInto", () =>
  withLoop(function* (loop) {
    const [a, b] = pair(SOCK_DGRAM);
    yield* cancelled(loop.sockRecvfrom(a, 10));
    yield* cancelled(loop.sockRecvfromInto(a, Buffer.alloc(10)));
    assert.equal(loop.removeReader(a), false);
    b.send(Buffer.from("dgram"));
    const [data] = yield* loop.sockRecvfrom(a, 10);
    assert.equal(data.toString(), "dgram");
    a.close();
    b.close();
  }));

function fillSendBuffer(s: Socket): number {
  let total = 0;
  const chunk = Buffer.alloc(65536);
  for (;;) {
    const n = N.send(s.fileno(), chunk, 0, chunk.length);
    if (n < 0) return total;
    total += n;
  }
}

test("cancelling sockSendall mid-flight; the socket stays usable", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    b.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    const queued = fillSendBuffer(a);
    const big = Buffer.alloc(1 << 20, 1);
    const fut = asyncio.ensureFuture(loop.sockSendall(a, big));
    yield* cancelled(fut);
    assert.equal(loop.removeWriter(a), false, "no writer left behind");
    // Drain what was queued (and whatever part of `big` went out), then send again.
    const end = Buffer.from("END!");
    const reading = (function* (): Coroutine<number> {
      let n = 0;
      for (;;) {
        const d = yield* loop.sockRecv(b, 65536);
        n += d.length;
        if (d.subarray(-4).equals(end)) return n;
      }
    })();
    const task = loop.createTask(reading);
    yield* loop.sockSendall(a, end);
    const n = yield* task;
    assert.ok(n >= queued + 4);
    a.close();
    b.close();
  }));

test("cancelling sockSendto while the peer's queue is full", () =>
  withLoop(function* (loop) {
    const name = join(tmp, `full${Math.random().toString(36).slice(2)}`);
    const rx = nb(new Socket(AF_UNIX, SOCK_DGRAM));
    rx.bind(name);
    const tx = nb(new Socket(AF_UNIX, SOCK_DGRAM));
    const dgram = Buffer.alloc(1024);
    while (N.sendto(tx.fileno(), dgram, AF_UNIX, name) >= 0);
    const fut = asyncio.ensureFuture(loop.sockSendto(tx, Buffer.from("late"), name));
    yield* cancelled(fut);
    assert.equal(loop.removeWriter(tx), false);
    rx.close();
    tx.close();
  }));

test("cancelling sockConnect while the host name resolves; a later sockConnect works", () =>
  withLoop(function* (loop) {
    const srv = listener(AF_INET);
    const port = (srv.getsockname() as [string, number])[1];
    const c = nb(new Socket(AF_INET, SOCK_STREAM));
    const fut = asyncio.ensureFuture(loop.sockConnect(c, ["localhost", port]));
    fut.cancel();
    yield* asyncio.sleep(0.05);
    assert.ok(fut.cancelled());
    const acc = asyncio.ensureFuture(loop.sockAccept(srv));
    yield* loop.sockConnect(c, ["127.0.0.1", port]);
    const [conn] = yield* acc;
    conn.close();
    c.close();
    srv.close();
  }));

// ---- sockSendfile ------------------------------------------------------------

const FILE_DATA = randomBytes(1024 * 1024 + 17);
const FILE = join(tmp, "sendfile.bin");
writeFileSync(FILE, FILE_DATA);

function* recvAll(loop: BaseEventLoop, s: Socket, n: number): Coroutine<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const d = yield* loop.sockRecv(s, 65536);
    if (d.length === 0) break;
    chunks.push(d);
    got += d.length;
  }
  return Buffer.concat(chunks);
}

test("sockSendfile uses sendfile(2): whole file, offset and count; the file position ends after the bytes sent", () =>
  withLoop(function* (loop) {
    const [client, conn] = yield* connectedPair(loop, AF_INET);
    const fd = openSync(FILE, "r");
    try {
      const reader = loop.createTask(recvAll(loop, conn, FILE_DATA.length));
      assert.equal(yield* loop.sockSendfile(client, fd, 0, null, { fallback: false }), FILE_DATA.length);
      assert.ok((yield* reader).equals(FILE_DATA));
      assert.equal(N.lseek(fd, 0, 1), FILE_DATA.length);
      const r2 = loop.createTask(recvAll(loop, conn, 5000));
      assert.equal(yield* loop.sockSendfile(client, fd, 1000, 5000, { fallback: false }), 5000);
      assert.ok((yield* r2).equals(FILE_DATA.subarray(1000, 6000)));
      assert.equal(N.lseek(fd, 0, 1), 6000);
    } finally {
      closeSync(fd);
    }
    client.close();
    conn.close();
  }));

test("sockSendfile of an empty file, or of a pipe without a count, sends nothing, as Python", () =>
  withLoop(function* (loop) {
    const [client, conn] = yield* connectedPair(loop, AF_INET);
    const p = N.pipe() as [number, number];
    assert.equal(yield* loop.sockSendfile(client, p[0]), 0);
    N.close(p[0]);
    N.close(p[1]);
    client.close();
    conn.close();
  }));

test("sockSendfile of something sendfile(2) cannot read: SendfileNotAvailableError, or the read/send fallback", () =>
  withLoop(function* (loop) {
    const [client, conn] = yield* connectedPair(loop, AF_INET);
    const p = N.pipe() as [number, number];
    N.write(p[1], Buffer.from("through a pipe"));
    N.close(p[1]);
    try {
      // A pipe's size is 0, so only a count makes sendfile(2) try it (Python returns 0 without one).
      yield* loop.sockSendfile(client, p[0], 0, 14, { fallback: false });
      assert.fail("sent");
    } catch (e) {
      assert.ok(e instanceof asyncio.SendfileNotAvailableError, String(e));
    }
    const reader = loop.createTask(recvAll(loop, conn, 14));
    assert.equal(yield* loop.sockSendfile(client, p[0], 0, 14), 14);
    assert.equal((yield* reader).toString(), "through a pipe");
    N.close(p[0]);
    client.close();
    conn.close();
  }));

test("sockSendfile argument checks as CPython's _check_sendfile_params", () =>
  withLoop(function* (loop) {
    const [client, conn] = yield* connectedPair(loop, AF_INET);
    const dgram = nb(new Socket(AF_INET, SOCK_DGRAM));
    const blocking = new Socket(AF_INET, SOCK_STREAM);
    const fd = openSync(FILE, "r");
    const cases: [() => Coroutine<number>, string, string][] = [
      [() => loop.sockSendfile(blocking, fd), "ValueError", "the socket must be non-blocking"],
      [() => loop.sockSendfile(dgram, fd), "ValueError", "only SOCK_STREAM type sockets are supported"],
      [() => loop.sockSendfile(client, fd, -1), "ValueError", "offset must be a non-negative integer (got -1)"],
      [() => loop.sockSendfile(client, fd, 0, 0), "ValueError", "count must be a positive integer (got 0)"],
      [() => loop.sockSendfile(client, fd, 0, 1.5), "TypeError", "count must be a positive integer (got 1.5)"],
      [() => loop.sockSendfile(client, fd, "1" as never), "TypeError", "offset must be a non-negative integer (got '1')"],
    ];
    try {
      for (const [f, name, message] of cases) {
        try {
          yield* f();
          assert.fail("no error");
        } catch (e) {
          assert.equal((e as Error).name, name);
          assert.equal((e as Error).message, message);
        }
      }
    } finally {
      closeSync(fd);
    }
    dgram.close();
    blocking.close();
    client.close();
    conn.close();
  }));

test("cancelling sockSendfile mid-flight leaves the file position after what was sent", () =>
  withLoop(function* (loop) {
    const [client, conn] = yield* connectedPair(loop, AF_INET);
    client.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    conn.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    const fd = openSync(FILE, "r");
    try {
      const fut = asyncio.ensureFuture(loop.sockSendfile(client, fd, 0, null, { fallback: false }));
      yield* cancelled(fut);
      assert.equal(loop.removeWriter(client), false);
      const pos = N.lseek(fd, 0, 1);
      assert.ok(pos > 0 && pos < FILE_DATA.length, `position ${pos}`);
      const got = yield* recvAll(loop, conn, pos);
      assert.ok(got.equals(FILE_DATA.subarray(0, pos)));
    } finally {
      closeSync(fd);
    }
    client.close();
    conn.close();
  }));

test("sock methods on a closed loop fail with RuntimeError when they would have to wait", async () => {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  const [a, b] = pair();
  loop.close();
  // The coroutine is lazy; driving it by hand is where Python's _add_reader checks the loop.
  const coro = loop.sockRecv(a, 10);
  assert.throws(() => coro.next(), { name: "RuntimeError", message: "Event loop is closed" });
  a.close();
  b.close();
});

test("Socket.close() releases the fd's entry in every loop's selector; the fd number, reused, works at once", () =>
  withLoop(function* (loop) {
    const other = asyncio.newEventLoop() as BaseEventLoop;
    try {
      const [a, b] = pair();
      const fd = a.fileno();
      // The recv, run as a task, waits (EAGAIN), so the loop's selector watches the fd.
      const pending = asyncio.ensureFuture(loop.sockRecv(a, 10));
      yield* asyncio.sleep(0);
      b.send(Buffer.from("x"));
      assert.equal((yield* pending).toString(), "x");
      selectorOf(other).entryFor(fd);
      assert.notEqual(selectorOf(loop).entry(fd), undefined);
      a.close();
      assert.equal(selectorOf(loop).entry(fd), undefined);
      assert.equal(selectorOf(other).entry(fd), undefined);
      b.close();
      const [c, d] = pair();
      const reused = [c, d].find((s) => s.fileno() === fd);
      assert.ok(reused !== undefined, "the lowest free fd numbers are reused");
      const peer = reused === c ? d : c;
      const again = asyncio.ensureFuture(loop.sockRecv(reused, 10));
      yield* asyncio.sleep(0);
      peer.send(Buffer.from("y"));
      assert.equal((yield* again).toString(), "y");
      c.close();
      d.close();
    } finally {
      other.close();
    }
  }));
