import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir, constants as osConstants } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as socket from "../src/stdlib/socket.js";
import { Socket, socketpair } from "../src/stdlib/socket.js";
import { native } from "../src/internal/native.js";
import {
  BlockingIOError,
  ConnectionRefusedError,
  OSError,
  TimeoutError,
  ValueError,
  gaierror,
} from "../src/stdlib/exceptions.js";

const E = osConstants.errno;

function tcpListener(host = "127.0.0.1", family: number = socket.AF_INET): Socket {
  const s = new Socket(family, socket.SOCK_STREAM);
  s.bind([host, 0]);
  s.listen();
  return s;
}

function connected(host = "127.0.0.1", family: number = socket.AF_INET): [Socket, Socket, Socket] {
  const srv = tcpListener(host, family);
  const cli = new Socket(family, socket.SOCK_STREAM);
  cli.connect(srv.getsockname());
  const [conn] = srv.accept();
  return [srv, cli, conn];
}

function withTmpDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-sock-"));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("constants of Python's socket module are exported with the platform's values", () => {
  const names = [
    "AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC", "SOCK_STREAM", "SOCK_DGRAM", "SOCK_NONBLOCK", "SOCK_CLOEXEC",
    "IPPROTO_TCP", "IPPROTO_UDP", "IPPROTO_IPV6", "SOL_SOCKET", "SO_REUSEADDR", "SO_REUSEPORT", "SO_BROADCAST",
    "SO_ERROR", "SO_KEEPALIVE", "SO_TYPE", "SO_RCVBUF", "SO_SNDBUF", "TCP_NODELAY", "IPV6_V6ONLY", "AI_PASSIVE",
    "AI_NUMERICHOST", "AI_CANONNAME", "AI_NUMERICSERV", "AI_ADDRCONFIG", "AI_V4MAPPED", "AI_ALL", "NI_NUMERICHOST",
    "NI_NUMERICSERV", "NI_NAMEREQD", "NI_DGRAM", "NI_NOFQDN", "SHUT_RD", "SHUT_WR", "SHUT_RDWR", "MSG_PEEK",
    "MSG_DONTWAIT", "EAI_NONAME", "EAI_AGAIN", "EAI_SERVICE", "EAI_FAMILY",
  ] as const;
  const mod = socket as unknown as Record<string, unknown>;
  for (const n of names) assert.equal(typeof mod[n], "number", n);
  assert.equal(socket.AF_INET, 2);
  assert.equal(socket.SHUT_WR, 1);
});

test("TCP over 127.0.0.1: connect, accept, send/recv, sendall, address shapes", () => {
  const [srv, cli, conn] = connected();
  const laddr = srv.getsockname();
  assert.ok(Array.isArray(laddr) && laddr.length === 2 && laddr[0] === "127.0.0.1");
  assert.deepEqual(cli.getpeername(), laddr);
  assert.deepEqual(conn.getpeername(), cli.getsockname());
  assert.equal(conn.family, socket.AF_INET);
  assert.equal(conn.type, socket.SOCK_STREAM);
  assert.equal(conn.getblocking(), true, "accepted sockets follow the default timeout (null)");
  assert.equal(cli.send(Buffer.from("hello")), 5);
  assert.equal(conn.recv(5).toString(), "hello");
  const big = Buffer.alloc(100_000, 0x61);
  cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20);
  conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20);
  cli.sendall(big);
  cli.shutdown(socket.SHUT_WR);
  let total = 0;
  for (;;) {
    const chunk = conn.recv(65536);
    if (chunk.length === 0) break;
    total += chunk.length;
  }
  assert.equal(total, big.length);
  for (const s of [conn, cli, srv]) s.close();
});

test("TCP over ::1: IPv6 addresses are [host, port, flowinfo, scopeId]", () => {
  const [srv, cli, conn] = connected("::1", socket.AF_INET6);
  const name = srv.getsockname();
  assert.ok(Array.isArray(name));
  assert.equal(name.length, 4);
  assert.equal(name[0], "::1");
  assert.deepEqual(conn.getpeername(), cli.getsockname());
  cli.send(new Uint8Array([1, 2, 3]));
  const buf = new Uint8Array(8);
  assert.equal(conn.recvInto(buf), 3);
  assert.deepEqual([...buf.subarray(0, 3)], [1, 2, 3]);
  for (const s of [conn, cli, srv]) s.close();
});

test("host names are resolved by connect and bind (blocking getaddrinfo)", () => {
  const srv = new Socket();
  srv.bind(["localhost", 0]);
  srv.listen();
  const port = (srv.getsockname() as [string, number])[1];
  const cli = new Socket();
  cli.connect(["localhost", port]);
  const [conn, addr] = srv.accept();
  assert.deepEqual(addr, cli.getsockname());
  for (const s of [conn, cli, srv]) s.close();
  const s = new Socket();
  assert.throws(() => s.connect(["name.invalid", 80]), (e) => e instanceof gaierror);
  s.close();
});

test("UDP over 127.0.0.1: sendto/recvfrom, recvfromInto, sendto with flags", () => {
  const a = new Socket(socket.AF_INET, socket.SOCK_DGRAM);
  const b = new Socket(socket.AF_INET, socket.SOCK_DGRAM);
  a.bind(["127.0.0.1", 0]);
  b.bind(["127.0.0.1", 0]);
  assert.equal(b.sendto(Buffer.from("datagram"), a.getsockname()), 8);
  const [data, from] = a.recvfrom(100);
  assert.equal(data.toString(), "datagram");
  assert.deepEqual(from, b.getsockname());
  b.sendto(Buffer.from("two"), 0, a.getsockname());
  const into = Buffer.alloc(10);
  const [n, from2] = a.recvfromInto(into);
  assert.equal(n, 3);
  assert.equal(into.subarray(0, 3).toString(), "two");
  assert.deepEqual(from2, b.getsockname());
  a.close();
  b.close();
});

test("AF_UNIX stream on a path name, and datagrams on abstract names", () => {
  withTmpDir((dir) => {
    const path = join(dir, "s.sock");
    const srv = new Socket(socket.AF_UNIX, socket.SOCK_STREAM);
    srv.bind(path);
    srv.listen();
    assert.equal(srv.getsockname(), path);
    assert.ok(existsSync(path));
    const cli = new Socket(socket.AF_UNIX, socket.SOCK_STREAM);
    assert.equal(cli.getsockname(), "", "an unbound unix socket's name is ''");
    cli.connect(path);
    const [conn, addr] = srv.accept();
    assert.equal(addr, "", "an unbound peer's address is ''");
    assert.equal(cli.getpeername(), path);
    cli.sendall(Buffer.from("over unix"));
    assert.equal(conn.recv(100).toString(), "over unix");
    for (const s of [conn, cli, srv]) s.close();
  });
  const name = `\0tsyncio-test-${process.pid}`;
  const a = new Socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const b = new Socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  a.bind(name);
  b.bind(`${name}-b`);
  assert.equal(a.getsockname(), name);
  b.sendto(Buffer.from("abstract"), name);
  const [data, from] = a.recvfrom(100);
  assert.equal(data.toString(), "abstract");
  assert.equal(from, `${name}-b`);
  a.close();
  b.close();
  const c = new Socket(socket.AF_UNIX, socket.SOCK_STREAM);
  assert.throws(() => c.bind("x".repeat(200)), (e) => e instanceof OSError && /too long/.test(e.message));
  c.close();
});

test("socketpair round trips, stream and datagram", () => {
  const [a, b] = socketpair();
  assert.equal(a.family, socket.AF_UNIX);
  a.sendall(Buffer.from("ping"));
  assert.equal(b.recv(10).toString(), "ping");
  b.sendall(Buffer.from("pong"));
  assert.equal(a.recv(10).toString(), "pong");
  a.close();
  b.close();
  const [c, d] = socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  c.send(Buffer.from("one"));
  c.send(Buffer.from("two"));
  assert.equal(d.recv(100).toString(), "one", "datagram boundaries are kept");
  assert.equal(d.recv(100, socket.MSG_PEEK).toString(), "two");
  assert.equal(d.recv(100).toString(), "two");
  c.close();
  d.close();
});

test("non-blocking: EAGAIN throws BlockingIOError; a timeout throws TimeoutError", () => {
  const [a, b] = socketpair();
  b.setblocking(false);
  assert.equal(b.getblocking(), false);
  assert.equal(b.gettimeout(), 0);
  assert.throws(
    () => b.recv(10),
    (e) => e instanceof BlockingIOError && e.errno === E.EAGAIN && e.code === "EAGAIN",
  );
  assert.throws(() => a.recv(10, socket.MSG_DONTWAIT), BlockingIOError);
  b.settimeout(0.01);
  assert.equal(b.getblocking(), true);
  assert.equal(b.gettimeout(), 0.01);
  assert.throws(() => b.recv(10), (e) => e instanceof TimeoutError && e.message === "timed out");
  a.send(Buffer.from("now"));
  assert.equal(b.recv(10).toString(), "now", "data that is there is returned under a timeout");
  b.setblocking(true);
  assert.equal(b.gettimeout(), null);
  assert.equal(native().getNonblocking(b.fileno()), 0);
  assert.throws(() => b.settimeout(-1), ValueError);
  const nb = new Socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
  assert.equal(nb.gettimeout(), 0);
  assert.equal(nb.type, socket.SOCK_STREAM, "type hides SOCK_NONBLOCK as Python does");
  nb.close();
  a.close();
  b.close();
});

test("non-blocking connect: connectEx returns 0 or EINPROGRESS", () => {
  const srv = tcpListener();
  const cli = new Socket();
  cli.setblocking(false);
  const err = cli.connectEx(srv.getsockname());
  assert.ok(err === 0 || err === E.EINPROGRESS, String(err));
  const [conn] = srv.accept();
  conn.close();
  cli.close();
  srv.close();
});

test("ECONNREFUSED throws ConnectionRefusedError with errno and code", () => {
  // A port that was just bound and closed has no listener.
  const probe = new Socket();
  probe.bind(["127.0.0.1", 0]);
  const addr = probe.getsockname();
  probe.close();
  const s = new Socket();
  assert.throws(
    () => s.connect(addr),
    (e) => e instanceof ConnectionRefusedError && e.errno === E.ECONNREFUSED && e.code === "ECONNREFUSED",
  );
  s.close();
  const t = new Socket();
  assert.equal(t.connectEx(addr), E.ECONNREFUSED);
  t.close();
});

test("setsockopt/getsockopt round trips: SO_REUSEADDR, TCP_NODELAY, SO_KEEPALIVE, SO_TYPE, bytes", () => {
  const s = new Socket();
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 0);
  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 1);
  s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, true);
  assert.equal(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1);
  s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0);
  const linger = Buffer.alloc(8);
  linger.writeInt32LE(1, 0);
  linger.writeInt32LE(5, 4);
  s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
  assert.deepEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8), linger);
  assert.throws(() => s.getsockopt(12345, 6789), OSError);
  s.close();
});

test("SO_REUSEPORT: two sockets bound to one port", () => {
  const a = new Socket();
  a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1);
  a.bind(["127.0.0.1", 0]);
  a.listen();
  const b = new Socket();
  b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1);
  b.bind(a.getsockname());
  b.listen();
  assert.deepEqual(b.getsockname(), a.getsockname());
  const c = new Socket();
  assert.throws(() => c.bind(a.getsockname()), (e) => e instanceof OSError && e.errno === E.EADDRINUSE);
  for (const s of [a, b, c]) s.close();
});

test("shutdown: after SHUT_WR on the peer, recv returns empty; SHUT_RDWR", () => {
  const [a, b] = socketpair();
  a.send(Buffer.from("last"));
  a.shutdown(socket.SHUT_WR);
  assert.equal(b.recv(10).toString(), "last");
  assert.equal(b.recv(10).length, 0);
  assert.equal(b.recv(10).length, 0);
  b.send(Buffer.from("still open the other way"));
  assert.equal(a.recv(100).toString(), "still open the other way");
  b.shutdown(socket.SHUT_RDWR);
  assert.throws(() => b.send(Buffer.from("x")), (e) => e instanceof OSError && e.errno === E.EPIPE);
  a.close();
  b.close();
});

test("close, detach and fileno; operations on a closed socket raise EBADF", () => {
  const s = new Socket();
  const fd = s.fileno();
  assert.ok(fd >= 0);
  assert.equal(s.closed, false);
  s.close();
  s.close();
  assert.equal(s.closed, true);
  assert.equal(s.fileno(), -1);
  assert.throws(() => s.recv(1), (e) => e instanceof OSError && e.errno === E.EBADF);
  assert.equal(String(s), "<Socket [closed] fd=-1, family=2, type=1, proto=0>");

  const t = new Socket(socket.AF_INET, socket.SOCK_DGRAM);
  const raw = t.detach();
  assert.equal(t.fileno(), -1);
  assert.equal(t.closed, true);
  assert.equal(native().fdType(raw), "socket", "detach leaves the fd open");
  native().close(raw);

  {
    using u = new Socket();
    assert.ok(u.fileno() >= 0);
  }
});

test("wrapping an existing fd reads family, type and proto from it; dup and fromfd", () => {
  const fd = native().socket(socket.AF_INET6, socket.SOCK_DGRAM, 0);
  const s = new Socket(undefined, undefined, undefined, fd);
  assert.equal(s.family, socket.AF_INET6);
  assert.equal(s.type, socket.SOCK_DGRAM);
  assert.equal(s.proto, socket.IPPROTO_UDP);
  assert.equal(s.fileno(), fd);
  s.settimeout(0);
  const d = s.dup();
  assert.notEqual(d.fileno(), fd);
  assert.equal(d.gettimeout(), 0);
  assert.equal(d.family, socket.AF_INET6);
  const f = socket.fromfd(fd, socket.AF_INET6, socket.SOCK_DGRAM);
  assert.notEqual(f.fileno(), fd);
  for (const x of [s, d, f]) x.close();
  assert.throws(() => new Socket(undefined, undefined, undefined, -5), ValueError);
  const [r, w] = native().pipe() as [number, number];
  assert.throws(() => new Socket(undefined, undefined, undefined, r), (e) => e instanceof OSError && e.errno === E.ENOTSOCK);
  native().close(r);
  native().close(w);
});

test("bad arguments: TypeError and ValueError as Python raises them", () => {
  const s = new Socket();
  assert.throws(() => s.bind(["127.0.0.1", 70000]), (e) => e instanceof ValueError && /port must be 0-65535/.test(e.message));
  assert.throws(() => s.bind(["127.0.0.1"] as unknown as [string, number]), TypeError);
  assert.throws(() => s.bind("127.0.0.1:80"), TypeError);
  assert.throws(() => s.bind([1, 2] as unknown as [string, number]), TypeError);
  assert.throws(() => s.recv(-1), ValueError);
  assert.throws(() => s.recv(1.5), TypeError);
  assert.throws(() => s.send("text" as unknown as Uint8Array), TypeError);
  assert.throws(() => s.recvInto(Buffer.alloc(2), 5), ValueError);
  assert.throws(() => new Socket("x" as unknown as number), TypeError);
  assert.throws(() => new Socket(socket.AF_INET, 12345), OSError);
  s.close();
});

test("toString is Python's repr", () => {
  const s = new Socket();
  s.bind(["127.0.0.1", 0]);
  const port = (s.getsockname() as [string, number])[1];
  assert.equal(String(s), `<Socket fd=${s.fileno()}, family=2, type=1, proto=0, laddr=('127.0.0.1', ${port})>`);
  s.close();
});

test("getaddrinfo and getnameinfo (module level, blocking)", () => {
  const r = socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM);
  assert.deepEqual(r[0], [socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ["127.0.0.1", 80]]);
  const passive = socket.getaddrinfo(null, 0, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE);
  assert.deepEqual(passive[0]![4], ["0.0.0.0", 0]);
  assert.throws(
    () => socket.getaddrinfo("name.invalid", 80, 0, 0, 0, socket.AI_NUMERICHOST),
    (e) => e instanceof gaierror && e.errno === socket.EAI_NONAME && e.message.startsWith(`[Errno ${socket.EAI_NONAME}]`),
  );
  const flags = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV;
  assert.deepEqual(socket.getnameinfo(["127.0.0.1", 443], flags), ["127.0.0.1", "443"]);
  assert.deepEqual(socket.getnameinfo(["::1", 443, 0, 0], flags), ["::1", "443"]);
  assert.equal(typeof socket.gethostname(), "string");
  assert.deepEqual([...socket.inetPton(socket.AF_INET, "1.2.3.4")], [1, 2, 3, 4]);
  assert.equal(socket.inetNtop(socket.AF_INET6, socket.inetPton(socket.AF_INET6, "fe80::1")), "fe80::1");
  assert.throws(() => socket.inetPton(socket.AF_INET, "1.2.3"), OSError);
  assert.throws(() => socket.inetNtop(socket.AF_INET, new Uint8Array(3)), ValueError);
});

test("a socket collected while open closes its fd and warns when asked", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    if (w.name === "ResourceWarning") warnings.push(w.message);
  };
  process.on("warning", onWarning);
  socket.setResourceWarnings(true);
  const [keep, dropped] = native().socketpair() as [number, number];
  (() => {
    new Socket(undefined, undefined, undefined, dropped);
  })();
  try {
    // FinalizationRegistry callbacks run as separate tasks after a GC.
    for (let i = 0; i < 50 && warnings.length === 0; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(warnings, [`unclosed <Socket fd=${dropped}, family=1, type=1, proto=0>`]);
    const eof = native().recv(keep, 10);
    assert.ok(Buffer.isBuffer(eof) && eof.length === 0, "the collected socket's fd was closed");
    native().close(keep);
  } finally {
    socket.setResourceWarnings(false);
    process.off("warning", onWarning);
  }
});

test("accept(): the peer address is the one getpeername() reports, for IPv4 hosts of every digit count and IPv6", () => {
  for (const [family, wildcard, hosts] of [
    [socket.AF_INET, "0.0.0.0", ["127.0.0.1", "127.10.200.3", "127.255.0.99", "127.1.20.100"]],
    [socket.AF_INET6, "::", ["::1", "::ffff:127.0.0.5"]],
  ] as const) {
    const srv = new Socket(family, socket.SOCK_STREAM);
    srv.bind([wildcard, 0]);
    srv.listen();
    const port = (srv.getsockname() as [string, number])[1];
    for (const host of hosts) {
      const c = new Socket(family, socket.SOCK_STREAM);
      c.bind([host, 0]);
      c.connect([host, port]);
      const [conn, addr] = srv.accept();
      assert.deepEqual(addr, conn.getpeername());
      assert.deepEqual(addr.slice(0, 2), [host, (c.getsockname() as [string, number])[1]]);
      conn.close();
      c.close();
    }
    srv.close();
  }
});
