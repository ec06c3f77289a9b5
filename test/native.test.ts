import { test } from "node:test";
import { executionAsyncId } from "node:async_hooks";
import assert from "node:assert/strict";
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir, constants as osConstants } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { native, type GaiFailure, type NativeAddrInfo } from "../src/internal/native.js";

const N = native();
const C = N.constants;
const E = osConstants.errno;

function pair(type = C.SOCK_STREAM!): [number, number] {
  const r = N.socketpair(C.AF_UNIX, type, 0);
  assert.ok(Array.isArray(r), `socketpair failed: ${r}`);
  return r;
}

function closeAll(...fds: number[]): void {
  for (const fd of fds) N.close(fd);
}

test("the native addon builds at install and loads through one module", () => {
  assert.equal(typeof N.version(), "string");
});

test("constants are the platform's values", () => {
  assert.equal(C.AF_INET, 2);
  assert.equal(C.AF_UNIX, 1);
  assert.equal(C.SOCK_STREAM, 1);
  assert.equal(C.READABLE, 1);
  assert.equal(C.WRITABLE, 2);
  assert.equal(C.DISCONNECT, 4);
  for (const k of ["AF_INET6", "SO_REUSEPORT", "TCP_NODELAY", "MSG_NOSIGNAL", "AI_PASSIVE", "NI_NUMERICHOST", "EAI_NONAME"]) {
    assert.equal(typeof C[k], "number", k);
  }
});

test("syscalls return -errno instead of throwing, and throw TypeError for bad arguments", () => {
  assert.equal(N.close(-1), -E.EBADF);
  assert.equal(N.recv(-1, 10), -E.EBADF);
  assert.equal(N.getsockname(-1), -E.EBADF);
  assert.equal(N.socket(9999, C.SOCK_STREAM!, 0), -E.EAFNOSUPPORT);
  assert.throws(() => N.recv("x" as unknown as number, 1), TypeError);
  assert.throws(() => N.send(0, "text" as unknown as Uint8Array), TypeError);
  assert.throws(() => N.bind(0, C.AF_INET!, ["127.0.0.1", 70000]), RangeError);
  assert.throws(() => N.bind(0, C.AF_INET!, "127.0.0.1" as unknown as [string, number]), TypeError);
});

test("new fds are close-on-exec and blocking until asked", () => {
  const fd = N.socket(C.AF_INET!, C.SOCK_STREAM!, 0);
  assert.ok(fd >= 0);
  assert.equal(N.getNonblocking(fd), 0);
  assert.equal(N.setNonblocking(fd, true), 0);
  assert.equal(N.getNonblocking(fd), 1);
  assert.deepEqual(N.socketInfo(fd), [C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP]);
  assert.equal(N.fdType(fd), "socket");
  closeAll(fd);
});

test("socketpair round trip: send/recv, recvInto, sendmsg, writev, EAGAIN", () => {
  const [a, b] = pair();
  N.setNonblocking(b, true);
  assert.equal(N.recv(b, 10), -E.EAGAIN);
  assert.equal(N.send(a, Buffer.from("xxhelloxx"), 2, 5), 5);
  const got = N.recv(b, 100);
  assert.ok(Buffer.isBuffer(got));
  assert.equal(got.toString(), "hello");
  assert.equal(got.length, 5);
  assert.equal(N.sendmsg(a, [Buffer.from("ab"), new Uint8Array([99, 100]), Buffer.alloc(0)]), 4);
  assert.equal(N.writev(a, [Buffer.from("ef")]), 2);
  const into = Buffer.alloc(10);
  assert.equal(N.recvInto(b, into, 3, 6), 6);
  assert.equal(into.subarray(3, 9).toString(), "abcdef");
  assert.throws(() => N.recvInto(b, into, 8, 5), RangeError);
  closeAll(a);
  assert.equal((N.recv(b, 10) as Buffer).length, 0, "EOF is an empty buffer");
  closeAll(b);
});

test("large reads hand over a buffer of exactly the bytes received", () => {
  const [a, b] = pair();
  N.setsockopt(a, C.SOL_SOCKET!, C.SO_SNDBUF!, 1 << 20);
  N.setsockopt(b, C.SOL_SOCKET!, C.SO_RCVBUF!, 1 << 20);
  N.setNonblocking(a, true);
  const data = Buffer.alloc(100_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  let sent = 0;
  while (sent < data.length) {
    const r = N.send(a, data, sent, data.length - sent);
    assert.ok(r > 0, `send: ${r}`);
    sent += r;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < data.length) {
    const r = N.recv(b, 256 * 1024);
    assert.ok(Buffer.isBuffer(r));
    assert.ok(r.length > 0 && r.length <= data.length - total);
    chunks.push(r);
    total += r.length;
  }
  assert.ok(Buffer.concat(chunks).equals(data));
  closeAll(a, b);
});

test("the fast poller's recvSlab/recvU8/sendU8: slab and exact reads, bounds and argument errors", () => {
  const [a, b] = pair();
  N.setNonblocking(b, true);
  const p = N.fastPoll(() => {});
  const slab = Buffer.alloc(64 * 1024);
  p.setSlab(slab);
  assert.equal(p.sendU8(a, Buffer.from("xxhello"), 2, 5), 5);
  assert.equal(p.recvSlab(b, slab, 100, 0), 5);
  assert.equal(slab.subarray(100, 105).toString(), "hello");
  assert.equal(p.recvSlab(b, slab, 0, 0), -osConstants.errno.EAGAIN);
  assert.equal(p.recvSlab(b, slab, slab.length, 0), -osConstants.errno.EINVAL);
  // At least `big` bytes waiting: a Buffer of exactly what was read.
  assert.equal(p.sendU8(a, Buffer.alloc(3000, 7), 0, 3000), 3000);
  const big = p.recvSlab(b, slab, 0, 1000);
  assert.ok(Buffer.isBuffer(big) && big.length === 3000 && big.every((x) => x === 7));
  const into = new Uint8Array(8);
  assert.equal(p.sendU8(a, Buffer.from("abc"), 0, 3), 3);
  assert.equal(p.recvU8(b, into, 4, 4), 3);
  assert.deepEqual([...into.subarray(4, 7)], [97, 98, 99]);
  assert.throws(() => p.sendU8(a, Buffer.from("abc"), 2, 2), RangeError);
  assert.throws(() => p.recvU8(b, into, -1, 2), RangeError);
  assert.throws(() => p.sendU8(a, "abc" as unknown as Uint8Array, 0, 3), TypeError);
  assert.throws(() => p.recvSlab("3" as unknown as number, slab, 0, 0), TypeError);
  closeAll(a, b);
  assert.equal(p.recvU8(b, into, 0, 1), -osConstants.errno.EBADF);
});

test("the fast poller's recvSlab/recvU8/sendU8 read, write and fail the same once their callers are optimized", () => {
  // Optimized code calls the addon's fast versions of the three (native/poller.cc),
  // which fall back to the checked calls for what they do not handle themselves.
  setFlagsFromString("--allow-natives-syntax");
  const optimize = new Function("f", "args", "%PrepareFunctionForOptimization(f); f(...args); f(...args); %OptimizeFunctionOnNextCall(f);") as
    (f: (...a: never[]) => unknown, args: unknown[]) => void;
  const [a, b] = pair();
  N.setNonblocking(b, true);
  const p = N.fastPoll(() => {});
  const io = { recvSlab: p.recvSlab, recvU8: p.recvU8, sendU8: p.sendU8 };
  const send = (fd: number, u8: Uint8Array, off: number, n: number): number => io.sendU8(fd, u8, off, n);
  const recvInto = (fd: number, u8: Uint8Array, off: number, n: number): number => io.recvU8(fd, u8, off, n);
  const recvSlab = (fd: number, slab: Uint8Array, off: number, big: number): Buffer | number => io.recvSlab(fd, slab, off, big);
  const slab = Buffer.alloc(4096);
  const into = new Uint8Array(16);
  optimize(send, [a, Buffer.from("ab"), 0, 2]);
  optimize(recvSlab, [b, slab, 0, 0]);
  optimize(recvInto, [b, into, 0, 16]);
  assert.equal(send(a, Buffer.from("xxhello"), 2, 5), 5);
  assert.equal(recvSlab(b, slab, 100, 0), 5);
  assert.equal(slab.subarray(100, 105).toString(), "hello");
  assert.equal(recvSlab(b, slab, 0, 0), -E.EAGAIN);
  assert.equal(recvSlab(b, slab, slab.length, 0), -E.EINVAL);
  assert.equal(recvSlab(b, slab, -1, 0), -E.EINVAL);
  assert.equal(send(a, Buffer.alloc(3000, 7), 0, 3000), 3000);
  const big = recvSlab(b, slab, 0, 1000);
  assert.ok(Buffer.isBuffer(big) && big.length === 3000 && big.every((x) => x === 7));
  assert.equal(send(a, Buffer.from("abc"), 0, 3), 3);
  assert.equal(recvInto(b, into, 4, 4), 3);
  assert.deepEqual([...into.subarray(4, 7)], [97, 98, 99]);
  assert.equal(recvInto(b, into, 0, 16), -E.EAGAIN);
  assert.throws(() => send(a, Buffer.from("abc"), 2, 2), RangeError);
  assert.throws(() => recvInto(b, into, -1, 2), RangeError);
  assert.throws(() => recvInto(b, into, 10, 7), RangeError);
  // A view of a detached buffer has no bytes left: its old range is out of bounds.
  const ab = new ArrayBuffer(8);
  const gone = new Uint8Array(ab);
  structuredClone(ab, { transfer: [ab] });
  assert.throws(() => send(a, gone, 0, 4), RangeError);
  assert.equal(send(a, gone, 0, 0), 0);
  assert.throws(() => send(a, new Uint16Array(4) as unknown as Uint8Array, 0, 2), TypeError);
  assert.throws(() => recvSlab(b, new Float64Array(4) as unknown as Uint8Array, 0, 0), TypeError);
  closeAll(a, b);
  assert.equal(recvInto(b, into, 0, 1), -E.EBADF);
  assert.equal(send(a, into, 0, 1), -E.EBADF);
});

test("send to a closed peer is EPIPE, not SIGPIPE", () => {
  const [a, b] = pair();
  closeAll(b);
  assert.equal(N.send(a, Buffer.from("x")), -E.EPIPE);
  assert.equal(N.sendmsg(a, [Buffer.from("x")]), -E.EPIPE);
  closeAll(a);
});

test("TCP: bind, listen, accept with the peer address, connect, getsockname/getpeername shapes", () => {
  const srv = N.socket(C.AF_INET!, C.SOCK_STREAM!, 0);
  assert.equal(N.setsockopt(srv, C.SOL_SOCKET!, C.SO_REUSEADDR!, true), 0);
  assert.equal(N.getsockopt(srv, C.SOL_SOCKET!, C.SO_REUSEADDR!), 1);
  assert.equal(N.bind(srv, C.AF_INET!, ["127.0.0.1", 0]), 0);
  assert.equal(N.listen(srv, 8), 0);
  const name = N.getsockname(srv);
  assert.ok(Array.isArray(name) && name.length === 2 && name[0] === "127.0.0.1" && name[1] > 0);
  N.setNonblocking(srv, true);
  assert.equal(N.accept(srv), -E.EAGAIN);
  const cli = N.socket(C.AF_INET!, C.SOCK_STREAM!, 0);
  assert.equal(N.connect(cli, C.AF_INET!, name), 0);
  const conn = N.accept(srv, C.SOCK_NONBLOCK);
  assert.ok(conn >= 0);
  assert.equal(N.getNonblocking(conn), 1);
  const peer = N.acceptedAddress();
  assert.deepEqual(peer, N.getsockname(cli));
  assert.deepEqual(N.getpeername(conn), peer);
  assert.equal(N.getpeername(srv), -E.ENOTCONN);
  assert.equal(N.connect(cli, C.AF_INET!, ["not-a-number", 1]), -E.EINVAL);
  closeAll(conn, cli, srv);
});

test("IPv6 addresses are [host, port, flowinfo, scopeId]", () => {
  const fd = N.socket(C.AF_INET6!, C.SOCK_DGRAM!, 0);
  assert.equal(N.bind(fd, C.AF_INET6!, ["::1", 0]), 0);
  const name = N.getsockname(fd);
  assert.ok(Array.isArray(name));
  assert.equal(name.length, 4);
  assert.equal(name[0], "::1");
  assert.deepEqual(name.slice(2), [0, 0]);
  assert.equal(N.sendto(fd, Buffer.from("v6"), C.AF_INET6!, name), 2);
  const r = N.recvfrom(fd, 10);
  assert.ok(Array.isArray(r));
  assert.equal(r[0].toString(), "v6");
  assert.deepEqual(r[1], name);
  closeAll(fd);
});

test("AF_UNIX names: unnamed is '', abstract names start with NUL", () => {
  const fd = N.socket(C.AF_UNIX!, C.SOCK_DGRAM!, 0);
  assert.equal(N.getsockname(fd), "");
  const abstract = `\0tsyncio-native-${process.pid}`;
  assert.equal(N.bind(fd, C.AF_UNIX!, abstract), 0);
  assert.equal(N.getsockname(fd), abstract);
  const other = N.socket(C.AF_UNIX!, C.SOCK_DGRAM!, 0);
  assert.equal(N.sendto(other, Buffer.from("dgram"), C.AF_UNIX!, abstract), 5);
  const into = Buffer.alloc(16);
  const r = N.recvfromInto(fd, into);
  assert.ok(Array.isArray(r));
  assert.equal(r[0], 5);
  assert.equal(into.subarray(0, 5).toString(), "dgram");
  assert.equal(r[1], null, "an unbound sender has no address");
  assert.equal(N.bind(other, C.AF_UNIX!, "x".repeat(200)), -E.ENAMETOOLONG);
  closeAll(fd, other);
});

test("pipes: pipe, read, write, readInto, fdType", () => {
  const p = N.pipe();
  assert.ok(Array.isArray(p));
  const [r, w] = p;
  assert.equal(N.fdType(r), "fifo");
  assert.equal(N.write(w, Buffer.from("pipe data"), 5), 4);
  assert.equal((N.read(r, 100) as Buffer).toString(), "data");
  assert.equal(N.write(w, Buffer.from("abc")), 3);
  const into = Buffer.alloc(3);
  assert.equal(N.readInto(r, into), 3);
  assert.equal(into.toString(), "abc");
  assert.equal(N.socketInfo(r), -E.ENOTSOCK);
  closeAll(w);
  assert.equal((N.read(r, 10) as Buffer).length, 0);
  closeAll(r);
});

test("pollOne waits for readiness and times out with 0", () => {
  const [a, b] = pair();
  assert.equal(N.pollOne(b, C.POLLIN!, 0), 0);
  assert.equal(N.pollOne(a, C.POLLOUT!, 0), C.POLLOUT);
  N.send(a, Buffer.from("x"));
  assert.equal(N.pollOne(b, C.POLLIN!, -1), C.POLLIN);
  closeAll(a, b);
});

test("sendfile sends a file range into a socketpair, byte for byte", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-"));
  try {
    const path = join(dir, "data.bin");
    const data = Buffer.alloc(50_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    writeFileSync(path, data);
    const file = openSync(path, "r");
    const [a, b] = pair();
    N.setsockopt(a, C.SOL_SOCKET!, C.SO_SNDBUF!, 1 << 20);
    N.setsockopt(b, C.SOL_SOCKET!, C.SO_RCVBUF!, 1 << 20);
    const offset = 1000, count = 40_000;
    let sent = 0;
    const chunks: Buffer[] = [];
    while (sent < count) {
      const r = N.sendfile(a, file, offset + sent, count - sent);
      assert.ok(r > 0, `sendfile: ${r}`);
      sent += r;
      for (;;) {
        const got = N.recv(b, 65536, C.MSG_DONTWAIT);
        if (typeof got === "number") break;
        chunks.push(got);
      }
    }
    closeAll(a);
    for (;;) {
      const got = N.recv(b, 65536);
      assert.ok(Buffer.isBuffer(got));
      if (got.length === 0) break;
      chunks.push(got);
    }
    assert.ok(Buffer.concat(chunks).equals(data.subarray(offset, offset + count)));
    assert.equal(N.sendfile(b, -1, 0, 10), -E.EBADF);
    closeAll(b);
    closeSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("inetPton/inetNtop", () => {
  const packed = N.inetPton(C.AF_INET!, "10.1.2.3");
  assert.ok(Buffer.isBuffer(packed));
  assert.deepEqual([...packed], [10, 1, 2, 3]);
  assert.equal(N.inetNtop(C.AF_INET!, packed), "10.1.2.3");
  assert.equal(N.inetPton(C.AF_INET!, "nope"), -E.EINVAL);
  assert.equal(N.inetNtop(C.AF_INET6!, N.inetPton(C.AF_INET6!, "::ffff:1.2.3.4") as Buffer), "::ffff:1.2.3.4");
});

function gai(host: string | null, port: string | number | null, family: number, type: number, flags: number): Promise<NativeAddrInfo[] | GaiFailure> {
  return new Promise((resolve) => {
    const now = N.getaddrinfo(host, port, family, type, 0, flags, (failure, results) => resolve(failure ?? results!));
    if (now !== null) resolve(now);
  });
}

function gni(addr: [string, number], family: number, flags: number): Promise<[string, string] | GaiFailure> {
  return new Promise((resolve) => {
    const now = N.getnameinfo(addr, family, flags, (failure, result) => resolve(failure ?? result!));
    if (now !== null) resolve(now);
  });
}

test("getaddrinfo on the thread pool: localhost, numeric hosts, AI_PASSIVE, AI_NUMERICHOST failures", async () => {
  const local = await gai("localhost", 80, C.AF_INET!, C.SOCK_STREAM!, 0);
  assert.ok(Array.isArray(local));
  assert.deepEqual(local[0], [C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP, "", ["127.0.0.1", 80]]);

  const numeric = await gai("::1", "443", C.AF_INET6!, C.SOCK_DGRAM!, C.AI_NUMERICHOST! | C.AI_NUMERICSERV!);
  assert.ok(Array.isArray(numeric));
  assert.deepEqual(numeric[0]![4], ["::1", 443, 0, 0]);

  const passive = await gai(null, 0, C.AF_UNSPEC!, C.SOCK_STREAM!, C.AI_PASSIVE!);
  assert.ok(Array.isArray(passive));
  const hosts = passive.map((r) => (r[4] as [string, number])[0]).sort();
  assert.ok(hosts.includes("0.0.0.0"), String(hosts));

  const canon = await gai("127.0.0.1", null, C.AF_INET!, C.SOCK_STREAM!, C.AI_CANONNAME!);
  assert.ok(Array.isArray(canon));
  assert.equal(canon[0]![3], "127.0.0.1");

  const bad = await gai("name.invalid", 80, C.AF_UNSPEC!, 0, C.AI_NUMERICHOST!);
  assert.ok(!Array.isArray(bad));
  assert.equal(bad.eai, C.EAI_NONAME);
  assert.equal(bad.message, N.gaiStrerror(C.EAI_NONAME!));

  const badServ = await gai("127.0.0.1", "http", C.AF_INET!, C.SOCK_STREAM!, C.AI_NUMERICSERV!);
  assert.ok(!Array.isArray(badServ));
  assert.equal(badServ.eai, C.EAI_NONAME);

  const neither = N.getaddrinfo(null, null, 0, 0, 0, 0, () => assert.fail("no callback"));
  assert.equal(neither?.eai, C.EAI_NONAME);

  const sync = N.getaddrinfoSync("127.0.0.1", 8080, C.AF_INET, C.SOCK_STREAM);
  assert.ok(Array.isArray(sync));
  assert.deepEqual(sync[0]![4], ["127.0.0.1", 8080]);
});

test("getnameinfo: NI_NUMERICHOST | NI_NUMERICSERV, and a host that is not numeric", async () => {
  const flags = C.NI_NUMERICHOST! | C.NI_NUMERICSERV!;
  assert.deepEqual(await gni(["127.0.0.1", 80], C.AF_INET!, flags), ["127.0.0.1", "80"]);
  assert.deepEqual(await gni(["::1", 8080], C.AF_INET6!, flags), ["::1", "8080"]);
  const notNumeric = await gni(["localhost", 80], C.AF_INET!, flags);
  assert.ok(!Array.isArray(notNumeric));
  assert.equal(notNumeric.eai, C.EAI_NONAME);
  assert.deepEqual(N.getnameinfoSync(["127.0.0.1", 22], C.AF_INET!, flags), ["127.0.0.1", "22"]);
});

/** Waits for `p`, failing after `ms`; the timer also keeps the loop alive (the poller's handles are unref'd). */
async function within<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

test("the poller reports READABLE after a write on the other end; stop, a new mask and close take effect", async () => {
  const [a, b] = pair();
  const seen: Array<[number, number]> = [];
  let wake: (() => void) | null = null;
  // Each report stops its fd, so that a level-triggered fd is reported once per start().
  const p = N.fastPoll((events, n) => {
    for (let i = 0; i < n; i++) {
      seen.push([events[2 * i]!, events[2 * i + 1]!]);
      p.stop(events[2 * i]!);
    }
    wake?.();
  });
  const next = () => within(new Promise<void>((r) => (wake = r)));
  const turns = async () => {
    await within(new Promise((r) => setImmediate(r)));
    await within(new Promise((r) => setImmediate(r)));
  };
  assert.equal(p.start(b, 0), 0, "an idle handle");
  assert.equal(p.start(b, C.READABLE!), 0);
  let fired = next();
  N.send(a, Buffer.from("ping"));
  await fired;
  assert.deepEqual(seen, [[b, C.READABLE]]);

  // Stopped: the data waiting is not reported.
  assert.equal(p.start(b, C.READABLE!), 0);
  assert.equal(p.stop(b), 0);
  await turns();
  assert.equal(seen.length, 1);

  // Started again: the data waiting is reported at once.
  fired = next();
  assert.equal(p.start(b, C.READABLE!), 0);
  await fired;
  assert.deepEqual(seen[1], [b, C.READABLE]);

  // WRITABLE through the same handle by changing the mask.
  fired = next();
  assert.equal(p.start(b, C.WRITABLE!), 0);
  await fired;
  assert.deepEqual(seen[2], [b, C.WRITABLE]);

  // Closed: nothing more is reported; a closed fd cannot be watched.
  assert.equal(p.close(b), 0);
  N.send(a, Buffer.from("quiet"));
  await turns();
  assert.equal(seen.length, 3);
  closeAll(a, b);
  assert.equal(p.start(b, C.READABLE!), -E.EBADF);
});

test("the poller: microtasks drain after each batch callback", async () => {
  // The batch callback runs through MakeCallback, in an async context of its
  // own (a plain call from libuv's check phase would run in none): Node drains
  // the nextTicks and microtasks when it returns.
  const [a1, b1] = pair();
  const [a2, b2] = pair();
  const order: string[] = [];
  const asyncIds: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let batch = 0;
  const p = N.fastPoll((events, n) => {
    const k = batch++;
    order.push(`callback${k}`);
    asyncIds.push(executionAsyncId());
    for (let i = 0; i < n; i++) {
      N.recv(events[2 * i]!, 100);
      p.stop(events[2 * i]!);
    }
    // b2 becomes readable now: the next poll phase reports it.
    if (k === 0) N.send(a2, Buffer.from("y"));
    queueMicrotask(() => {
      order.push(`microtask${k}`);
      if (k === 1) done();
    });
  });
  assert.equal(p.start(b1, C.READABLE!), 0);
  assert.equal(p.start(b2, C.READABLE!), 0);
  N.send(a1, Buffer.from("x"));
  await within(finished);
  assert.deepEqual(order, ["callback0", "microtask0", "callback1", "microtask1"]);
  assert.ok(asyncIds.every((id) => id !== 0), String(asyncIds));
  p.close(b1);
  p.close(b2);
  closeAll(a1, b1, a2, b2);
});

test("the poller's handles do not keep the process alive: a worker watching an fd exits by itself", async () => {
  const addon = join(process.cwd(), "build", "Release", "tsyncio.node");
  const code = `
    const { parentPort } = require("node:worker_threads");
    const N = require(${JSON.stringify(addon)});
    const p = N.fastPoll(() => {});
    const [a, b] = N.socketpair(1, 1, 0);
    if (p.start(b, N.constants.READABLE) !== 0) throw new Error("start failed");
    parentPort.postMessage([a, b]);
  `;
  const worker = new Worker(code, { eval: true });
  let fds: number[] = [];
  worker.on("message", (m: number[]) => (fds = m));
  const exited = new Promise<number>((resolve, reject) => {
    worker.once("exit", resolve);
    worker.once("error", reject);
  });
  try {
    assert.equal(await within(exited), 0);
  } finally {
    await worker.terminate();
    closeAll(...fds);
  }
  assert.equal(fds.length, 2);
});

test("the poller: bad arguments throw, a bad fd is -EBADF", () => {
  assert.throws(() => N.fastPoll(undefined as unknown as () => void), TypeError);
  const p = N.fastPoll(() => {});
  assert.throws(() => p.start("x" as unknown as number, C.READABLE!), TypeError);
  assert.throws(() => p.start(0, C.DISCONNECT!), RangeError);
  assert.throws(() => p.stop("x" as unknown as number), TypeError);
  assert.throws(() => p.close(undefined as unknown as number), TypeError);
  assert.throws(() => p.setSlab("x" as unknown as Uint8Array), TypeError);
  assert.equal(p.start(-1, C.READABLE!), -E.EBADF);
});

test("the poller: a batch callback that throws raises the process's uncaught exception, and the next batch still comes in its async context", () => {
  const lines = [
    `import { AsyncLocalStorage, executionAsyncId } from "node:async_hooks";`,
    `const [a, b] = N.socketpair(N.constants.AF_UNIX, N.constants.SOCK_STREAM, 0) as [number, number];`,
    `N.setNonblocking(b, true);`,
    `const seen: string[] = [];`,
    `const als = new AsyncLocalStorage<string>();`,
    `process.on("uncaughtException", (e) => seen.push(\`uncaught \${e.message}\`));`,
    `const keep = setTimeout(() => {}, 10_000);`,
    `let k = 0;`,
    `als.run("store", () => {`,
    `  const p = N.fastPoll((events, n) => {`,
    `    N.recv(events[0]!, 100);`,
    `    const i = k++;`,
    `    seen.push(\`batch\${i} n=\${n} async=\${executionAsyncId() !== 0} store=\${als.getStore()}\`);`,
    `    process.nextTick(() => seen.push(\`tick\${i}\`));`,
    `    queueMicrotask(() => seen.push(\`microtask\${i}\`));`,
    `    if (i === 0) {`,
    `      N.send(a, Buffer.from("y"));`,
    `      throw new Error("boom");`,
    `    }`,
    `    p.close(b);`,
    `    setTimeout(() => { clearTimeout(keep); console.log(JSON.stringify(seen)); }, 20);`,
    `  });`,
    `  p.start(b, N.constants.READABLE!);`,
    `});`,
    `N.send(a, Buffer.from("x"));`,
  ];
  // A failed callback's scope skips the tick queue, as MakeCallback's does: tick0 and microtask0 run later.
  assert.deepEqual(runWithAddon<string[]>(lines, {}), [
    "batch0 n=1 async=true store=store", "uncaught boom", "tick0", "microtask0",
    "batch1 n=1 async=true store=store", "tick1", "microtask1",
  ]);
});

test("a worker that exits with watched fds and DNS requests tears down cleanly", async () => {
  const addon = join(process.cwd(), "build", "Release", "tsyncio.node");
  const code = `
    const { parentPort } = require("node:worker_threads");
    const N = require(${JSON.stringify(addon)});
    const p = N.fastPoll(() => {});
    for (let i = 0; i < 50; i++) {
      const [a, b] = N.socketpair(1, 1, 0);
      if (p.start(b, 1) !== 0) throw new Error("start failed");
      if (i % 2) N.send(a, Buffer.from("x"));
    }
    N.getaddrinfo("localhost", 80, 0, 1, 0, 0, () => {});
    // Keeps the worker alive until terminate(): a poller's handles do not, and
    // the lookup may already be done, so it could otherwise end on its own first.
    setInterval(() => {}, 60_000);
    parentPort.postMessage("ready");
  `;
  const worker = new Worker(code, { eval: true });
  const msg = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  assert.equal(msg, "ready");
  const exitCode = await worker.terminate();
  assert.equal(exitCode, 1);
});

test("pollers: each loop's own; an idle fd is handed over, a watched one is refused with -EEXIST; dispose releases all", () => {
  const p1 = N.fastPoll(() => {});
  const p2 = N.fastPoll(() => {});
  const pair = N.socketpair(1, 1, 0);
  assert.ok(Array.isArray(pair));
  const [a, b] = pair;
  try {
    assert.equal(p1.start(a, C.READABLE!), 0);
    assert.equal(p2.start(a, 0), -E.EEXIST, "p1 watches a");
    assert.equal(p2.start(a, C.READABLE!), -E.EEXIST);
    assert.equal(p1.stop(a), 0);
    assert.equal(p2.start(a, C.READABLE!), 0, "p1's idle handle is handed over");
    assert.equal(p1.start(a, C.READABLE!), -E.EEXIST, "now p2 watches a");
    assert.equal(p1.start(b, C.WRITABLE!), 0);
    p2.dispose();
    p2.dispose();
    assert.equal(p2.start(b, C.READABLE!), -E.EBADF, "a disposed poller watches nothing");
    assert.equal(p1.start(a, C.READABLE!), 0, "a is free again");
  } finally {
    p1.dispose();
    closeAll(a, b);
  }
});

test("without the built addon (install scripts skipped), loading it says what happened and the command that fixes it", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-noaddon-"));
  try {
    mkdirSync(join(dir, "src", "internal"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "tsyncio", type: "module" }));
    for (const f of ["native.ts", "package-root.ts"]) {
      copyFileSync(new URL(`../src/internal/${f}`, import.meta.url), join(dir, "src", "internal", f));
    }
    const main = join(dir, "main.mts");
    writeFileSync(main, `import { native } from "./src/internal/native.js";\nnative();\n`);
    const r = spawnSync(process.execPath, ["--import", "tsx", main], { encoding: "utf8", timeout: 180_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /tsyncio's native addon was not built \(.*build[\\/]Release[\\/]tsyncio\.node is missing\)/);
    assert.match(r.stderr, /npm rebuild tsyncio/);
    assert.doesNotMatch(r.stderr, /Cannot find module/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("callQuietly calls fn with thisArg, returns nothing of its own, and rethrows what leaves fn unchanged", () => {
  const seen: unknown[] = [];
  const self = { tag: "self" };
  N.callQuietly(function (this: unknown) {
    seen.push(this);
    // Thrown and caught inside: the catch sees the exception as usual, stack and all.
    try {
      throw new RangeError("inside");
    } catch (e) {
      seen.push((e as Error).message, /RangeError: inside\n\s+at /.test((e as Error).stack ?? ""));
    }
  }, self);
  assert.deepEqual(seen, [self, "inside", true]);
  const boom = new TypeError("boom");
  assert.throws(() => N.callQuietly(() => { throw boom; }, undefined), (e) => e === boom);
  assert.throws(() => N.callQuietly(42 as never, undefined), { name: "TypeError", message: /fn must be a function/ });
});

/** Runs lines of TypeScript in a child under --expose-gc and nodeArgs (N is the addon) and parses the JSON it prints. */
function runWithAddon<T>(lines: readonly string[], env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): T {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-malloc-"));
  try {
    const main = join(dir, "main.mts");
    const nativeUrl = new URL("../src/internal/native.ts", import.meta.url).href;
    writeFileSync(main, [`import { native } from ${JSON.stringify(nativeUrl)};`, `const N = native();`, ...lines].join("\n"));
    const r = spawnSync(process.execPath, ["--expose-gc", ...nodeArgs, "--import", "tsx", main], { encoding: "utf8", timeout: 180_000, env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Policy = ReturnType<ReturnType<typeof native>["memoryPolicy"]>;

test("the malloc tuning gives memory back once the process is quiet, and TSYNCIO_MALLOC_TUNE=0 turns both off", () => {
  // Waits (up to 10 s) for the first quiet moment after a GC to have trimmed.
  const lines = [
    `(globalThis as unknown as { gc(): void }).gc();`,
    `const deadline = Date.now() + 10_000;`,
    `while (Date.now() < deadline && process.env.TSYNCIO_MALLOC_TUNE !== "0" && N.memoryPolicy().trims === 0) await new Promise((r) => setTimeout(r, 50));`,
    `if (process.env.TSYNCIO_MALLOC_TUNE === "0") await new Promise((r) => setTimeout(r, 500));`,
    `console.log(JSON.stringify(N.memoryPolicy()));`,
  ];
  const on = runWithAddon<Policy>(lines, { TSYNCIO_MALLOC_TUNE: "" });
  assert.equal(on.tuned, true);
  assert.ok(on.trims >= 1, JSON.stringify(on));
  // Start-up counts as a burst: its first quiet moment also asks V8 for a memory-reducing GC.
  assert.ok(on.collections >= 1, JSON.stringify(on));
  assert.deepEqual(runWithAddon<Policy>(lines, { TSYNCIO_MALLOC_TUNE: "0" }), { tuned: false, gcTuned: true, trims: 0, collections: 0, lastCollectionMs: 0 });
});

test("V8 sweeps ArrayBuffers within the scavenge unless TSYNCIO_GC_TUNE=0 or the command line names the flag", () => {
  const lines = [`console.log(JSON.stringify(N.memoryPolicy().gcTuned));`];
  const major = Number(process.versions.v8.split(".")[0]);
  // Measured on V8 11 and 12 only (native/memory.cc); elsewhere V8's flags are left alone.
  assert.equal(runWithAddon<boolean>(lines, { TSYNCIO_GC_TUNE: "" }), major >= 11 && major <= 12);
  assert.equal(runWithAddon<boolean>(lines, { TSYNCIO_GC_TUNE: "0" }), false);
  assert.equal(runWithAddon<boolean>(lines, { TSYNCIO_GC_TUNE: "" }, ["--concurrent-array-buffer-sweeping"]), false);
});

test("a forced full GC after a burst of tasks also shrinks the young generation and trims, within the same gc() call", () => {
  const asyncioUrl = new URL("../src/index.ts", import.meta.url).href;
  // The burst grows V8's young generation; gc() alone would leave it grown.
  const lines = [
    `import { getHeapSpaceStatistics } from "node:v8";`,
    `const asyncio = await import(${JSON.stringify(asyncioUrl)});`,
    `const young = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size;`,
    `function* short() { yield* asyncio.sleep(0); }`,
    `await asyncio.run((function* () {`,
    `  for (let i = 0; i < 10; i++) yield* asyncio.gather(...Array.from({ length: 10_000 }, () => asyncio.createTask(short())));`,
    `})());`,
    `const before = N.memoryPolicy(), youngBefore = young();`,
    `(globalThis as unknown as { gc(): void }).gc();`,
    `console.log(JSON.stringify({ before, after: N.memoryPolicy(), youngBefore, youngAfter: young() }));`,
  ];
  type Seen = { before: Policy; after: Policy; youngBefore: number; youngAfter: number };
  const on = runWithAddon<Seen>(lines, { TSYNCIO_MALLOC_TUNE: "" });
  assert.equal(on.after.collections, on.before.collections + 1, JSON.stringify(on));
  assert.equal(on.after.trims, on.before.trims + 1, JSON.stringify(on));
  assert.ok(on.youngAfter < on.youngBefore, JSON.stringify(on));
  const off = runWithAddon<Seen>(lines, { TSYNCIO_MALLOC_TUNE: "0" });
  assert.deepEqual(off.after, off.before);
});
