// Types a user relies on without casts: gather(..., { returnExceptions: true }) typed per element, and a
// Socket's addresses in the form of its family. The checks are compile-time: tsc (test/typecheck.test.ts,
// `npm run typecheck`) checks this file with the rest of test/, so an `Equal` that does not hold or a
// `@ts-expect-error` line that compiles fails the suite. The tests below also run the same code on real
// sockets, so the types are seen to describe the values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import { Socket, type Address, type IPv4Address, type IPv6Address } from "../src/stdlib/socket.js";

/** Compiles only when X and Y are the same type. */
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;
function expectType<X, Y>(_proof: Equal<X, Y>): void {}

function* num(): Coroutine<number> {
  yield* asyncio.sleep(0);
  return 1;
}

function* fail(): Coroutine<string> {
  yield* asyncio.sleep(0);
  throw new asyncio.ValueError("bad");
}

test("gather with returnExceptions: each element is its result or an Error, in order", async () => {
  await asyncio.run((function* (): Coroutine<void> {
    const plain = yield* asyncio.gather(num(), asyncio.sleep(0, "s"));
    expectType<typeof plain, [number, string]>(true);

    const caught = yield* asyncio.gather(num(), fail(), { returnExceptions: true });
    expectType<typeof caught, [number | Error, string | Error]>(true);
    const [n, s] = caught;
    // @ts-expect-error: the element may be an Error, so it is not a number until narrowed
    const wrong: number = n;
    void wrong;
    assert.equal(n instanceof Error ? -1 : n + 1, 2);
    assert.ok(s instanceof asyncio.ValueError);
    assert.equal(s.message, "bad");

    // A flag known only at run time may be true: the elements may be Errors.
    const flag: boolean = Math.random() < 2;
    const maybe = yield* asyncio.gather(num(), { returnExceptions: flag });
    expectType<typeof maybe, [number | Error]>(true);

    // Explicitly false: plain results.
    const noErrors = asyncio.gather(num(), { returnExceptions: false });
    expectType<typeof noErrors, asyncio.Future<[number]>>(true);
    yield* noErrors;
  })());
});

test("getsockname/getpeername and accept are typed by the socket's family: IPv4, IPv6, AF_UNIX", async () => {
  // IPv4: [host, port].
  const srv4 = new Socket(socket.AF_INET, socket.SOCK_STREAM);
  const cli4 = new Socket(socket.AF_INET, socket.SOCK_STREAM);
  try {
    srv4.bind(["127.0.0.1", 0]);
    srv4.listen();
    const name4 = srv4.getsockname();
    expectType<typeof name4, IPv4Address>(true);
    const [host, port] = name4;
    assert.equal(host, "127.0.0.1");
    assert.ok(port > 0);
    cli4.connect(name4);
    const [conn4, peer4] = srv4.accept();
    expectType<typeof conn4, Socket<typeof socket.AF_INET>>(true);
    expectType<typeof peer4, IPv4Address>(true);
    assert.deepEqual(conn4.getpeername(), cli4.getsockname());
    // @ts-expect-error: an IPv4 address has no flowinfo
    void name4[2];
    conn4.close();
  } finally {
    srv4.close();
    cli4.close();
  }

  // IPv6: [host, port, flowinfo, scopeId], through the loop's sockAccept as well.
  await asyncio.run((function* (): Coroutine<void> {
    const loop = asyncio.getRunningLoop();
    const srv6 = new Socket(socket.AF_INET6, socket.SOCK_STREAM);
    const cli6 = new Socket(socket.AF_INET6, socket.SOCK_STREAM);
    try {
      srv6.bind(["::1", 0]);
      srv6.listen();
      srv6.setblocking(false);
      cli6.setblocking(false);
      const [, port6, flowinfo, scopeId] = srv6.getsockname();
      assert.equal(flowinfo, 0);
      assert.equal(scopeId, 0);
      const accepting = asyncio.ensureFuture(loop.sockAccept(srv6));
      yield* loop.sockConnect(cli6, ["::1", port6]);
      const [conn6, peer6] = yield* accepting;
      expectType<typeof peer6, IPv6Address>(true);
      const peerName = conn6.getpeername();
      expectType<typeof peerName, IPv6Address>(true);
      assert.equal(peer6.length, 4);
      assert.deepEqual(peerName, cli6.getsockname());
      conn6.close();
    } finally {
      srv6.close();
      cli6.close();
    }
  })());

  // AF_UNIX: a path (socketpair's default family is AF_UNIX, its names are "").
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-types-"));
  const [a, b] = socket.socketpair();
  const srvU = new Socket(socket.AF_UNIX, socket.SOCK_STREAM);
  try {
    const pairName = a.getsockname();
    expectType<typeof pairName, string>(true);
    assert.equal(pairName, "");
    const path = join(dir, "s");
    srvU.bind(path);
    const unixName = srvU.getsockname();
    expectType<typeof unixName, string>(true);
    assert.equal(unixName.length, path.length);
    // @ts-expect-error: an AF_UNIX address is a path, not [host, port]
    const [, wrongPort]: IPv4Address = srvU.getsockname();
    void wrongPort;
  } finally {
    a.close();
    b.close();
    srvU.close();
    rmSync(dir, { recursive: true, force: true });
  }

  // A family known only at run time (a plain number): the union, to be narrowed by the caller.
  const family: number = socket.AF_INET;
  const any = new Socket(family, socket.SOCK_DGRAM);
  try {
    any.bind(["127.0.0.1", 0]);
    const name = any.getsockname();
    expectType<typeof name, Address>(true);
    assert.ok(Array.isArray(name) && name.length === 2);
  } finally {
    any.close();
  }
  // A socket of a known family is still a Socket wherever one is taken.
  const asPlain: Socket = new Socket(socket.AF_INET6, socket.SOCK_STREAM);
  asPlain.close();
});
