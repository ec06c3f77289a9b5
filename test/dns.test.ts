// loop.getaddrinfo/getnameinfo: Python's tuples, the numeric shortcut
// (_ipaddr_info), gaierror on failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import type { BaseEventLoop } from "../src/core/base-events.js";
import type { Coroutine } from "../src/core/coroutines.js";
import {
  AF_INET, AF_INET6, AF_UNSPEC, AI_CANONNAME, IPPROTO_TCP, IPPROTO_UDP, NI_NUMERICHOST, NI_NUMERICSERV, SOCK_DGRAM,
  SOCK_STREAM, gaierror,
} from "../src/stdlib/socket.js";
import { ipaddrInfo } from "../src/net/dns.js";

async function withLoop(body: (loop: BaseEventLoop) => Coroutine<void>): Promise<void> {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  try {
    await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

test("numeric hosts are answered at once, without the thread pool (Python's _ipaddr_info)", () =>
  withLoop(function* (loop) {
    // The coroutine finishes on its first step: it never suspends for a thread-pool round trip.
    const step = loop.getaddrinfo("127.0.0.1", 8080, { type: SOCK_STREAM }).next();
    assert.ok(step.done, "no thread-pool round trip");
    assert.deepEqual(step.value, [[AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 8080]]]);
    assert.deepEqual(yield* loop.getaddrinfo("::1", "53", { type: SOCK_DGRAM }), [[AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "", ["::1", 53, 0, 0]]]);
  }));

test("ipaddrInfo declines what getaddrinfo must answer", () => {
  assert.equal(ipaddrInfo("localhost", 80, AF_UNSPEC, SOCK_STREAM, 0), null);
  assert.equal(ipaddrInfo("127.0.0.1", 80, AF_UNSPEC, 0, 0), null, "type 0");
  assert.equal(ipaddrInfo("127.0.0.1", "http", AF_UNSPEC, SOCK_STREAM, 0), null, "a service name");
  assert.equal(ipaddrInfo("fe80::1%lo", 80, AF_INET6, SOCK_STREAM, 0), null, "a zone index");
  assert.equal(ipaddrInfo("127.0.0.1", 80, AF_INET6, SOCK_STREAM, 0), null, "wrong family");
  assert.equal(ipaddrInfo(null, 80, AF_UNSPEC, SOCK_STREAM, 0), null);
  assert.deepEqual(ipaddrInfo("127.0.0.1", null, AF_UNSPEC, SOCK_STREAM, 0), [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 0]]);
  assert.deepEqual(ipaddrInfo("::1", 1, AF_UNSPEC, SOCK_STREAM, 0, 3, 4), [AF_INET6, SOCK_STREAM, IPPROTO_TCP, "", ["::1", 1, 3, 4]]);
});

test("a host name goes through getaddrinfo(3) on the thread pool", () =>
  withLoop(function* (loop) {
    const infos = yield* loop.getaddrinfo("localhost", 80, { family: AF_INET, type: SOCK_STREAM });
    assert.ok(infos.length >= 1);
    assert.deepEqual(infos[0], [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 80]]);
    const canon = yield* loop.getaddrinfo("127.0.0.1", null, { family: AF_INET, type: SOCK_STREAM, flags: AI_CANONNAME });
    assert.equal(canon[0]![3], "127.0.0.1", "AI_CANONNAME is honoured (no shortcut)");
    const all = yield* loop.getaddrinfo("127.0.0.1", 80);
    assert.ok(all.length >= 2, "type 0 gives one entry per socket type");
  }));

test("failures are gaierror with the EAI code", () =>
  withLoop(function* (loop) {
    try {
      yield* loop.getaddrinfo("127.0.0.1", "no-such-service-here", { type: SOCK_STREAM });
      assert.fail("resolved");
    } catch (e) {
      assert.ok(e instanceof gaierror, String(e));
      assert.equal(typeof (e as gaierror).errno, "number");
      assert.ok((e as gaierror).errno < 0, "glibc's EAI_* values are negative, as Python's gaierror.errno");
    }
    try {
      yield* loop.getaddrinfo(5 as never, 80);
      assert.fail("resolved");
    } catch (e) {
      assert.ok(e instanceof TypeError);
    }
  }));

test("getnameinfo gives [host, port] strings", () =>
  withLoop(function* (loop) {
    assert.deepEqual(yield* loop.getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV), ["127.0.0.1", "80"]);
    assert.deepEqual(yield* loop.getnameinfo(["::1", 443, 0, 0], NI_NUMERICHOST | NI_NUMERICSERV), ["::1", "443"]);
    try {
      yield* loop.getnameinfo(["not-numeric", 80], 0);
      assert.fail("resolved");
    } catch (e) {
      assert.ok(e instanceof gaierror, String(e));
    }
  }));
