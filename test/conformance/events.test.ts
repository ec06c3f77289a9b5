// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_events.py, test by
// test. EventLoopTestsMixin and SubprocessTestsMixin run in CPython for each
// selector (Kqueue/Epoll/Poll/Select); tsyncio has one SelectorEventLoop, so
// each method is re-created once. Real sockets on loopback and AF_UNIX, real
// pipes, child processes and signals; test_utils' servers are Node servers in
// this process (_test-utils.ts). Timer-based tests run on a virtual clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, constants as fsConstants, readFileSync, readSync, writeSync } from "node:fs";
import * as net from "node:net";
import { constants as osConstants } from "node:os";
import * as tls from "node:tls";
import * as asyncio from "../../src/index.js";
import {
  ConnectionRefusedError, NotImplementedError, OSError, RuntimeError, SSLContext, ValueError, ssl,
} from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import * as socket from "../../src/stdlib/socket.js";
import { native } from "../../src/internal/native.js";
import { raises } from "./_assertions.js";
import { MyBaseProto, MyDatagramProto, MyProto, MyReadPipeProto, MySubprocessProtocol, MyWritePipeProto } from "./_test-protocols.js";
import {
  localhostOnlyCert, osPipe, runTestServer, runUntil, simpleClientSslContext, simpleServerSslContext, testCerts, unixPath, withRealLoop,
} from "./_test-utils.js";

const SIGINT = 2;
const SIGKILL = 9;
const SIGHUP = 1;
const SIGTERM = 15;
const NSIG = 65;

/** A loop on a virtual clock (for the tests that only wait for timers). */
async function withVirtualLoop<T>(body: (loop: asyncio.SelectorEventLoop) => Promise<T>): Promise<T> {
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    return await body(loop);
  } finally {
    if (!loop.isClosed()) loop.close();
  }
}

function noop(..._args: unknown[]): void {}

// ---- EventLoopTestsMixin ------------------------------------------------------

// test_events.py EventLoopTestsMixin.test_run_until_complete_nesting (the
// "never awaited" warning of the dropped coroutine is checked in coroutines.test.ts)
test("test_events.EventLoopTestsMixin.test_run_until_complete_nesting", () => withRealLoop(async (loop) => {
  function* coro1(): Coroutine<void> {
    yield* asyncio.sleep(0);
  }
  function* coro2(): Coroutine<void> {
    assert.ok(loop.isRunning());
    const c = coro1();
    try {
      void loop.runUntilComplete(c);
    } finally {
      c.return(undefined);
    }
  }
  await assert.rejects(loop.runUntilComplete(coro2()), RuntimeError);
}));

// test_events.py EventLoopTestsMixin.test_run_until_complete
test("test_events.EventLoopTestsMixin.test_run_until_complete", () => withVirtualLoop(async (loop) => {
  const delay = 0.1;
  const t0 = loop.time();
  await loop.runUntilComplete(asyncio.sleep(delay));
  const dt = loop.time() - t0;
  assert.ok(dt >= delay, String(dt));
}));

// test_events.py EventLoopTestsMixin.test_run_until_complete_stopped
test("test_events.EventLoopTestsMixin.test_run_until_complete_stopped", () => withVirtualLoop(async (loop) => {
  function* cb(): Coroutine<void> {
    loop.stop();
    yield* asyncio.sleep(0.1);
  }
  await assert.rejects(loop.runUntilComplete(cb()), RuntimeError);
}));

// test_events.py EventLoopTestsMixin.test_call_later
test("test_events.EventLoopTestsMixin.test_call_later", () => withVirtualLoop(async (loop) => {
  const results: string[] = [];
  loop.callLater(0.1, (arg: string) => {
    results.push(arg);
    loop.stop();
  }, "hello world");
  await loop.runForever();
  assert.deepEqual(results, ["hello world"]);
}));

// test_events.py EventLoopTestsMixin.test_call_soon
test("test_events.EventLoopTestsMixin.test_call_soon", () => withRealLoop(async (loop) => {
  const results: [string, string][] = [];
  loop.callSoon((a: string, b: string) => {
    results.push([a, b]);
    loop.stop();
  }, "hello", "world");
  await loop.runForever();
  assert.deepEqual(results, [["hello", "world"]]);
}));

// test_events.py EventLoopTestsMixin.test_call_soon_threadsafe (the "other
// thread" is a Node callback outside the loop, which runs before the loop does)
test("test_events.EventLoopTestsMixin.test_call_soon_threadsafe", () => withRealLoop(async (loop) => {
  const results: string[] = [];
  const callback = (arg: string) => {
    results.push(arg);
    if (results.length >= 2) loop.stop();
  };
  await new Promise<void>((resolve) => setImmediate(() => {
    loop.callSoonThreadsafe(callback, "hello");
    resolve();
  }));
  loop.callSoon(callback, "world");
  await loop.runForever();
  assert.deepEqual(results, ["hello", "world"]);
}));

// test_events.py EventLoopTestsMixin.test_call_soon_threadsafe_same_thread
test("test_events.EventLoopTestsMixin.test_call_soon_threadsafe_same_thread", () => withRealLoop(async (loop) => {
  const results: string[] = [];
  const callback = (arg: string) => {
    results.push(arg);
    if (results.length >= 2) loop.stop();
  };
  loop.callSoonThreadsafe(callback, "hello");
  loop.callSoon(callback, "world");
  await loop.runForever();
  assert.deepEqual(results, ["hello", "world"]);
}));

type WithBuiltin = { getBuiltinModule(name: string): { threadId: number } };

// test_events.py EventLoopTestsMixin.test_run_in_executor
test("test_events.EventLoopTestsMixin.test_run_in_executor", () => withRealLoop(async (loop) => {
  const run = (arg: string): [string, number] =>
    [arg, (process as unknown as WithBuiltin).getBuiltinModule("node:worker_threads").threadId];
  const f2 = loop.runInExecutor(null, run, "yo");
  try {
    const [res, threadId] = await loop.runUntilComplete(f2);
    assert.equal(res, "yo");
    assert.notEqual(threadId, (process as unknown as WithBuiltin).getBuiltinModule("node:worker_threads").threadId);
  } finally {
    await loop.runUntilComplete(loop.shutdownDefaultExecutor());
  }
}));

// test_events.py EventLoopTestsMixin.test_run_in_executor_cancel
test("test_events.EventLoopTestsMixin.test_run_in_executor_cancel", () => withRealLoop(async (loop) => {
  let called = false;
  const run = () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  };
  const f2 = loop.runInExecutor(null, run);
  f2.cancel();
  await loop.runUntilComplete(loop.shutdownDefaultExecutor());
  loop.close();
  const patched = () => {
    called = true;
  };
  loop.callSoon = patched as unknown as typeof loop.callSoon;
  loop.callSoonThreadsafe = patched as unknown as typeof loop.callSoonThreadsafe;
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(called, false);
}));

// test_events.py EventLoopTestsMixin.test_reader_callback
test("test_events.EventLoopTestsMixin.test_reader_callback", () => withRealLoop(async (loop) => {
  const [r, w] = socket.socketpair();
  r.setblocking(false);
  const bytesRead: Buffer[] = [];
  const total = () => Buffer.concat(bytesRead).length;
  const reader = () => {
    let data: Buffer;
    try {
      data = r.recv(1024);
    } catch (e) {
      if (e instanceof asyncio.BlockingIOError) return;
      throw e;
    }
    if (data.length) bytesRead.push(data);
    else {
      assert.ok(loop.removeReader(r.fileno()));
      r.close();
    }
  };
  loop.addReader(r.fileno(), reader);
  loop.callSoon(() => w.send(Buffer.from("abc")));
  await loop.runUntilComplete(runUntil(() => total() >= 3));
  loop.callSoon(() => w.send(Buffer.from("def")));
  await loop.runUntilComplete(runUntil(() => total() >= 6));
  loop.callSoon(() => w.close());
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  // The EOF may come one iteration later.
  await loop.runUntilComplete(runUntil(() => r.closed));
  assert.equal(Buffer.concat(bytesRead).toString(), "abcdef");
}));

// test_events.py EventLoopTestsMixin.test_writer_callback
test("test_events.EventLoopTestsMixin.test_writer_callback", () => withRealLoop(async (loop) => {
  const [r, w] = socket.socketpair();
  w.setblocking(false);
  const data = Buffer.alloc(1024, "x");
  loop.addWriter(w.fileno(), (d: Buffer) => {
    w.send(d);
    loop.stop();
  }, data);
  await loop.runForever();
  assert.ok(loop.removeWriter(w.fileno()));
  assert.ok(!loop.removeWriter(w.fileno()));
  w.close();
  const read = r.recv(data.length * 2);
  r.close();
  assert.ok(read.equals(data));
}));

// test_events.py EventLoopTestsMixin.test_add_signal_handler. tsyncio also
// takes signal names, so CPython's TypeError for the string 'boom' is a
// ValueError ("invalid signal name") here; a non-number non-string is the TypeError.
test("test_events.EventLoopTestsMixin.test_add_signal_handler", () => withRealLoop(async (loop) => {
  let caught = 0;
  const myHandler = () => {
    caught += 1;
  };
  assert.throws(() => loop.addSignalHandler("boom", myHandler), ValueError);
  assert.throws(() => loop.removeSignalHandler("boom"), ValueError);
  assert.throws(() => loop.addSignalHandler({} as unknown as number, myHandler), TypeError);
  assert.throws(() => loop.removeSignalHandler({} as unknown as number), TypeError);
  assert.throws(() => loop.addSignalHandler(NSIG + 1, myHandler), ValueError);
  assert.throws(() => loop.removeSignalHandler(NSIG + 1), ValueError);
  assert.throws(() => loop.addSignalHandler(0, myHandler), ValueError);
  assert.throws(() => loop.removeSignalHandler(0), ValueError);
  assert.throws(() => loop.addSignalHandler(-1, myHandler), ValueError);
  assert.throws(() => loop.removeSignalHandler(-1), ValueError);
  assert.throws(() => loop.addSignalHandler(SIGKILL, myHandler), RuntimeError);
  // Removing SIGKILL does not raise: no handler was installed.
  assert.equal(loop.removeSignalHandler(SIGKILL), false);
  const before = process.listenerCount("SIGINT");
  loop.addSignalHandler(SIGINT, myHandler);
  process.kill(process.pid, "SIGINT");
  await loop.runUntilComplete(runUntil(() => caught));
  // Removing it puts the previous disposition back.
  assert.equal(loop.removeSignalHandler(SIGINT), true);
  assert.equal(process.listenerCount("SIGINT"), before);
  assert.equal(loop.removeSignalHandler(SIGINT), false);
}));

// test_events.py EventLoopTestsMixin.test_signal_handling_while_selecting
// (setitimer's SIGALRM is sent by a Node timer while the loop waits in poll)
test("test_events.EventLoopTestsMixin.test_signal_handling_while_selecting", () => withRealLoop(async (loop) => {
  let caught = 0;
  loop.addSignalHandler("SIGALRM", () => {
    caught += 1;
    loop.stop();
  });
  try {
    setTimeout(() => process.kill(process.pid, "SIGALRM"), 10);
    const guard = loop.callLater(60, () => loop.stop());
    await loop.runForever();
    guard.cancel();
    assert.equal(caught, 1);
  } finally {
    loop.removeSignalHandler("SIGALRM");
  }
}));

// test_events.py EventLoopTestsMixin.test_signal_handling_args
test("test_events.EventLoopTestsMixin.test_signal_handling_args", () => withRealLoop(async (loop) => {
  const someArgs = [42];
  let caught = 0;
  loop.addSignalHandler("SIGALRM", (...args: unknown[]) => {
    caught += 1;
    assert.deepEqual(args, someArgs);
    loop.stop();
  }, ...someArgs);
  try {
    setTimeout(() => process.kill(process.pid, "SIGALRM"), 10);
    const guard = loop.callLater(60, () => loop.stop());
    await loop.runForever();
    guard.cancel();
    assert.equal(caught, 1);
  } finally {
    loop.removeSignalHandler("SIGALRM");
  }
}));

/** EventLoopTestsMixin._basetest_create_connection. */
async function basetestCreateConnection(loop: asyncio.SelectorEventLoop, conn: Coroutine<[asyncio.Transport, MyProto]>, checkSockname = true): Promise<void> {
  const [tr, pr] = await loop.runUntilComplete(conn);
  assert.ok(tr instanceof asyncio.Transport);
  assert.ok(pr instanceof asyncio.Protocol);
  assert.equal(pr.transport, tr);
  if (checkSockname) assert.notEqual(tr.getExtraInfo("sockname"), null);
  await loop.runUntilComplete(pr.done!);
  assert.ok(pr.nbytes > 0);
  tr.close();
}

// test_events.py EventLoopTestsMixin.test_create_connection
test("test_events.EventLoopTestsMixin.test_create_connection", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop(async (loop) => {
      const [host, port] = httpd.address as [string, number];
      await basetestCreateConnection(loop, loop.createConnection(() => new MyProto(loop), host, port));
    });
  } finally {
    await httpd.close();
  }
});

// test_events.py EventLoopTestsMixin.test_create_unix_connection
test("test_events.EventLoopTestsMixin.test_create_unix_connection", async () => {
  const httpd = await runTestServer({ unix: true });
  try {
    await withRealLoop(async (loop) => {
      await basetestCreateConnection(loop, loop.createUnixConnection(() => new MyProto(loop), httpd.address as string));
    });
  } finally {
    await httpd.close();
  }
});

/** EventLoopTestsMixin.check_ssl_extra_info. */
function checkSslExtraInfo(client: asyncio.BaseTransport, checkSockname = true, peername: unknown = null, peercert: unknown = {}): void {
  if (checkSockname) assert.notEqual(client.getExtraInfo("sockname"), null);
  if (peername) assert.deepEqual(client.getExtraInfo("peername"), peername);
  else assert.notEqual(client.getExtraInfo("peername"), null);
  assert.deepEqual(client.getExtraInfo("peercert"), peercert);
  const cipher = client.getExtraInfo("cipher") as [string, string, number];
  assert.ok(Array.isArray(cipher));
  assert.equal(cipher.length, 3, String(cipher));
  assert.equal(typeof cipher[0], "string");
  assert.equal(typeof cipher[1], "string");
  assert.ok(Number.isInteger(cipher[2]));
  const sslobj = client.getExtraInfo("ssl_object") as ssl.SSLObject;
  assert.notEqual(sslobj, null);
  assert.deepEqual(sslobj.compression(), client.getExtraInfo("compression"));
  assert.deepEqual(sslobj.cipher(), client.getExtraInfo("cipher"));
  assert.deepEqual(sslobj.getpeercert(), client.getExtraInfo("peercert"));
}

/** EventLoopTestsMixin._basetest_create_ssl_connection. */
async function basetestCreateSslConnection(
  loop: asyncio.SelectorEventLoop, conn: Coroutine<[asyncio.Transport, MyProto]>, checkSockname = true, peername: unknown = null,
): Promise<void> {
  const [tr, pr] = await loop.runUntilComplete(conn);
  assert.ok(tr instanceof asyncio.Transport);
  assert.ok(pr instanceof asyncio.Protocol);
  assert.ok(tr.constructor.name.toLowerCase().includes("ssl"), tr.constructor.name);
  checkSslExtraInfo(tr, checkSockname, peername);
  await loop.runUntilComplete(pr.done!);
  assert.ok(pr.nbytes > 0);
  tr.close();
}

/**
 * EventLoopTestsMixin._test_create_ssl_connection, less its middle part: that
 * one patches ssl.create_default_context() to check that ssl=True calls it.
 * ssl=True with the real default context fails verification, as in CPython.
 */
async function testCreateSslConnection(
  loop: asyncio.SelectorEventLoop,
  createConnection: (sslctx: SSLContext | true) => Coroutine<[asyncio.Transport, MyProto]>,
  checkSockname = true, peername: unknown = null,
): Promise<void> {
  await basetestCreateSslConnection(loop, createConnection(simpleClientSslContext()), checkSockname, peername);
  const e = await loop.runUntilComplete(raises(ssl.SSLError, createConnection(true)));
  assert.equal(e.reason, "CERTIFICATE_VERIFY_FAILED");
}

function tlsServerOptions(): tls.SecureContextOptions {
  return { cert: readFileSync(testCerts().serverCert), key: readFileSync(testCerts().serverKey) };
}

// test_events.py EventLoopTestsMixin.test_create_ssl_connection
test("test_events.EventLoopTestsMixin.test_create_ssl_connection", async () => {
  const httpd = await runTestServer({ tls: tlsServerOptions() });
  try {
    await withRealLoop(async (loop) => {
      const [host, port] = httpd.address as [string, number];
      await testCreateSslConnection(loop, (sslctx) => loop.createConnection(() => new MyProto(loop), host, port, { ssl: sslctx }), true, httpd.address);
    });
  } finally {
    await httpd.close();
  }
});

// test_events.py EventLoopTestsMixin.test_create_ssl_unix_connection
test("test_events.EventLoopTestsMixin.test_create_ssl_unix_connection", async () => {
  const httpd = await runTestServer({ unix: true, tls: tlsServerOptions() });
  try {
    await withRealLoop(async (loop) => {
      await testCreateSslConnection(loop, (sslctx) => loop.createUnixConnection(() => new MyProto(loop), httpd.address as string, {
        ssl: sslctx, serverHostname: "127.0.0.1",
      }), true, httpd.address);
    });
  } finally {
    await httpd.close();
  }
});

/** socket_helper.find_unused_port. */
function findUnusedPort(family = socket.AF_INET): number {
  const s = new socket.Socket(family, socket.SOCK_STREAM);
  s.bind([family === socket.AF_INET ? "127.0.0.1" : "::1", 0]);
  const port = (s.getsockname() as [string, number])[1];
  s.close();
  return port;
}

// test_events.py EventLoopTestsMixin.test_create_connection_local_addr
test("test_events.EventLoopTestsMixin.test_create_connection_local_addr", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop(async (loop) => {
      const port = findUnusedPort();
      const [host, hport] = httpd.address as [string, number];
      const [tr, pr] = await loop.runUntilComplete(loop.createConnection(() => new MyProto(loop), host, hport, { localAddr: [host, port] }));
      const expected = (pr.transport!.getExtraInfo("sockname") as [string, number])[1];
      assert.equal(port, expected);
      tr.close();
    });
  } finally {
    await httpd.close();
  }
});

/** The loop.getaddrinfo override of the two local_addr family tests (an instance attribute, as in CPython). */
function patchGetaddrinfo(loop: asyncio.SelectorEventLoop, port2: number, infos: socket.AddrInfo[]): void {
  const orig = loop.getaddrinfo.bind(loop);
  loop.getaddrinfo = ((host: string | null, port: number | string | null, opts?: asyncio.GetaddrinfoOptions) => {
    if (port === port2) return (function* () { return infos; })();
    return orig(host, port, opts);
  }) as typeof loop.getaddrinfo;
}

// test_events.py EventLoopTestsMixin.test_create_connection_local_addr_skip_different_family
test("test_events.EventLoopTestsMixin.test_create_connection_local_addr_skip_different_family", () => withRealLoop(async (loop) => {
  const port1 = findUnusedPort();
  const port2 = findUnusedPort();
  patchGetaddrinfo(loop, port2, [
    [socket.AF_INET6, socket.SOCK_STREAM, 0, "", ["::1", 0, 0, 0]],
    [socket.AF_INET, socket.SOCK_STREAM, 0, "", ["127.0.0.1", 0]],
  ]);
  await assert.rejects(loop.runUntilComplete(loop.createConnection(() => new MyProto(loop), "localhost", port1, { localAddr: ["localhost", port2] })), OSError);
}));

// test_events.py EventLoopTestsMixin.test_create_connection_local_addr_nomatch_family
test("test_events.EventLoopTestsMixin.test_create_connection_local_addr_nomatch_family", () => withRealLoop(async (loop) => {
  const port1 = findUnusedPort();
  const port2 = findUnusedPort();
  patchGetaddrinfo(loop, port2, [[socket.AF_INET6, socket.SOCK_STREAM, 0, "", ["::1", 0, 0, 0]]]);
  await assert.rejects(loop.runUntilComplete(loop.createConnection(() => new MyProto(loop), "localhost", port1, { localAddr: ["localhost", port2] })), OSError);
}));

// test_events.py EventLoopTestsMixin.test_create_connection_local_addr_in_use
test("test_events.EventLoopTestsMixin.test_create_connection_local_addr_in_use", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop(async (loop) => {
      const [host, port] = httpd.address as [string, number];
      const e = await loop.runUntilComplete(raises(OSError, loop.createConnection(() => new MyProto(loop), host, port, { localAddr: [host, port] })));
      assert.equal(e.errno, osConstants.errno.EADDRINUSE);
      assert.ok(String(e.strerror).includes(`('${host}', ${port})`), String(e.strerror));
    });
  } finally {
    await httpd.close();
  }
});

/**
 * EventLoopTestsMixin.test_connect_accepted_socket: the client thread is a
 * Node client (net or tls) in this process.
 */
async function testConnectAcceptedSocket(serverSsl: SSLContext | null, clientTls: boolean): Promise<void> {
  await withRealLoop(async (loop) => {
    class Proto extends MyBaseProto {
      override connectionLost(exc: Error | null): void {
        super.connectionLost(exc);
        loop.callSoon(() => loop.stop());
      }
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        this.transport!.write(expectedResponse);
      }
    }
    const lsock = new socket.Socket();
    lsock.bind(["127.0.0.1", 0]);
    lsock.listen(1);
    const [, port] = lsock.getsockname() as [string, number];
    const message = Buffer.from("test data");
    const expectedResponse = Buffer.from("roger");
    const response = new Promise<Buffer>((resolve, reject) => {
      const c = clientTls
        ? tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => c.write(message))
        : net.connect({ host: "127.0.0.1", port }, () => c.write(message));
      c.on("error", reject);
      c.once("data", (d: Buffer) => {
        c.end();
        c.destroy();
        resolve(d);
      });
    });
    // The accept happens in a Node callback while the client connects.
    await new Promise((r) => setTimeout(r, 5));
    let conn: socket.Socket | null = null;
    while (conn === null) {
      try {
        [conn] = lsock.accept();
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const proto = new Proto(loop);
    await loop.runUntilComplete(loop.connectAcceptedSocket(() => proto, conn, { ssl: serverSsl }));
    await loop.runForever();
    proto.transport!.close();
    lsock.close();
    assert.equal(proto.state, "CLOSED");
    assert.equal(proto.nbytes, message.length);
    assert.ok((await response).equals(expectedResponse));
  });
}

// test_events.py EventLoopTestsMixin.test_connect_accepted_socket
test("test_events.EventLoopTestsMixin.test_connect_accepted_socket", () => testConnectAcceptedSocket(null, false));

// test_events.py EventLoopTestsMixin.test_ssl_connect_accepted_socket
test("test_events.EventLoopTestsMixin.test_ssl_connect_accepted_socket", () => testConnectAcceptedSocket(simpleServerSslContext(), true));

// test_events.py EventLoopTestsMixin.test_connect_accepted_socket_ssl_timeout_for_plain_socket
test("test_events.EventLoopTestsMixin.test_connect_accepted_socket_ssl_timeout_for_plain_socket", () => withRealLoop(async (loop) => {
  const sock = new socket.Socket();
  try {
    await assert.rejects(
      loop.runUntilComplete(loop.connectAcceptedSocket(() => new MyProto(), sock, { sslHandshakeTimeout: 60 })),
      (e: Error) => e instanceof ValueError && /ssl_handshake_timeout is only meaningful with ssl/.test(e.message),
    );
  } finally {
    sock.close();
  }
}));

/**
 * EventLoopTestsMixin.create_server_multiple_hosts: CPython mocks the socket
 * module and getaddrinfo to "bind" 1.2.3.4 and 5.6.7.8; here the hosts are
 * real loopback addresses (the whole 127/8 is local on Linux).
 */
async function createServerMultipleHosts(hosts: string[]): Promise<void> {
  await withRealLoop(async (loop) => {
    const uniqueHosts = new Set(hosts);
    const server = await loop.runUntilComplete(loop.createServer(() => new MyProto(loop), hosts, 0));
    try {
      const serverHosts = new Set(server.sockets.map((s) => (s.getsockname() as [string, number])[0]));
      assert.deepEqual(serverHosts, uniqueHosts);
    } finally {
      server.close();
      await loop.runUntilComplete(server.waitClosed());
    }
  });
}

// test_events.py EventLoopTestsMixin.test_create_server_multiple_hosts_ipv4
test("test_events.EventLoopTestsMixin.test_create_server_multiple_hosts_ipv4", () =>
  createServerMultipleHosts(["127.0.0.1", "127.0.0.2", "127.0.0.1"]));

// test_events.py EventLoopTestsMixin.test_create_server_multiple_hosts_ipv6
// (::1 is the only IPv6 loopback address; with an IPv4 one beside it)
test("test_events.EventLoopTestsMixin.test_create_server_multiple_hosts_ipv6", () =>
  createServerMultipleHosts(["::1", "127.0.0.1", "::1"]));

// test_events.py EventLoopTestsMixin.test_create_server
test("test_events.EventLoopTestsMixin.test_create_server", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const server = await loop.runUntilComplete(loop.createServer(() => proto, "0.0.0.0", 0));
  assert.equal(server.sockets.length, 1);
  const [host, port] = server.sockets[0]!.getsockname() as [string, number];
  assert.equal(host, "0.0.0.0");
  const client = new socket.Socket();
  client.connect(["127.0.0.1", port]);
  client.sendall(Buffer.from("xxx"));
  await loop.runUntilComplete(proto.connected!);
  assert.equal(proto.state, "CONNECTED");
  await loop.runUntilComplete(runUntil(() => proto.nbytes > 0));
  assert.equal(proto.nbytes, 3);
  assert.notEqual(proto.transport!.getExtraInfo("sockname"), null);
  assert.equal((proto.transport!.getExtraInfo("peername") as [string, number])[0], "127.0.0.1");
  proto.transport!.close();
  await loop.runUntilComplete(proto.done!);
  assert.equal(proto.state, "CLOSED");
  client.close();
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_server_reuse_port
test("test_events.EventLoopTestsMixin.test_create_server_reuse_port", () => withRealLoop(async (loop) => {
  let server = await loop.runUntilComplete(loop.createServer(() => new MyProto(loop), "0.0.0.0", 0));
  assert.equal(server.sockets.length, 1);
  assert.ok(!server.sockets[0]!.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT));
  server.close();
  await loop.runUntilComplete(asyncio.sleep(0));
  server = await loop.runUntilComplete(loop.createServer(() => new MyProto(loop), "0.0.0.0", 0, { reusePort: true }));
  assert.equal(server.sockets.length, 1);
  assert.ok(server.sockets[0]!.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT));
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_unix_server
test("test_events.EventLoopTestsMixin.test_create_unix_server", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const path = unixPath();
  const server = await loop.runUntilComplete(loop.createUnixServer(() => proto, path));
  assert.equal(server.sockets.length, 1);
  const client = new socket.Socket(socket.AF_UNIX);
  client.connect(path);
  client.sendall(Buffer.from("xxx"));
  await loop.runUntilComplete(proto.connected!);
  assert.equal(proto.state, "CONNECTED");
  await loop.runUntilComplete(runUntil(() => proto.nbytes > 0));
  assert.equal(proto.nbytes, 3);
  proto.transport!.close();
  await loop.runUntilComplete(proto.done!);
  assert.equal(proto.state, "CLOSED");
  client.close();
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_unix_server_path_socket_error
test("test_events.EventLoopTestsMixin.test_create_unix_server_path_socket_error", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const sock = new socket.Socket();
  try {
    await assert.rejects(
      loop.runUntilComplete(loop.createUnixServer(() => proto, "/test", { sock })),
      (e: Error) => e instanceof ValueError && /path and sock can not be specified at the same time/.test(e.message),
    );
  } finally {
    sock.close();
  }
}));

/** EventLoopTestsMixin._create_ssl_context. */
function createSslContext(certfile: string, keyfile?: string): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(certfile, keyfile);
  return ctx;
}

/** EventLoopTestsMixin._make_ssl_server. */
async function makeSslServer(loop: asyncio.SelectorEventLoop, factory: () => asyncio.Protocol, certfile: string, keyfile?: string): Promise<[asyncio.AbstractServer, string, number]> {
  const server = await loop.runUntilComplete(loop.createServer(factory, "127.0.0.1", 0, { ssl: createSslContext(certfile, keyfile) }));
  const [host, port] = server.sockets[0]!.getsockname() as [string, number];
  assert.equal(host, "127.0.0.1");
  return [server, host, port];
}

/** EventLoopTestsMixin._make_ssl_unix_server. */
async function makeSslUnixServer(loop: asyncio.SelectorEventLoop, factory: () => asyncio.Protocol, certfile: string, keyfile?: string): Promise<[asyncio.AbstractServer, string]> {
  const path = unixPath();
  const server = await loop.runUntilComplete(loop.createUnixServer(factory, path, { ssl: createSslContext(certfile, keyfile) }));
  return [server, path];
}

// test_events.py EventLoopTestsMixin.test_create_server_ssl
test("test_events.EventLoopTestsMixin.test_create_server_ssl", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const [server, host, port] = await makeSslServer(loop, () => proto, testCerts().serverCert, testCerts().serverKey);
  const [client] = await loop.runUntilComplete(loop.createConnection(() => new MyBaseProto(), host, port, { ssl: simpleClientSslContext() }));
  client.write(Buffer.from("xxx"));
  await loop.runUntilComplete(proto.connected!);
  assert.equal(proto.state, "CONNECTED");
  await loop.runUntilComplete(runUntil(() => proto.nbytes > 0));
  assert.equal(proto.nbytes, 3);
  checkSslExtraInfo(client, true, [host, port]);
  proto.transport!.close();
  await loop.runUntilComplete(proto.done!);
  assert.equal(proto.state, "CLOSED");
  client.close();
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_unix_server_ssl
test("test_events.EventLoopTestsMixin.test_create_unix_server_ssl", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const [server, path] = await makeSslUnixServer(loop, () => proto, testCerts().serverCert, testCerts().serverKey);
  const [client] = await loop.runUntilComplete(loop.createUnixConnection(() => new MyBaseProto(), path, { ssl: simpleClientSslContext(), serverHostname: "" }));
  client.write(Buffer.from("xxx"));
  await loop.runUntilComplete(proto.connected!);
  assert.equal(proto.state, "CONNECTED");
  await loop.runUntilComplete(runUntil(() => proto.nbytes > 0));
  assert.equal(proto.nbytes, 3);
  proto.transport!.close();
  await loop.runUntilComplete(proto.done!);
  assert.equal(proto.state, "CLOSED");
  client.close();
  server.close();
}));

/** A client context that verifies the server (CERT_REQUIRED, check_hostname), optionally trusting the test CA. */
function verifyingClientContext(cafile?: string): SSLContext {
  const ctx = new SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  ctx.verifyMode = ssl.CERT_REQUIRED;
  ctx.checkHostname = true;
  if (cafile) ctx.loadVerifyLocations(cafile);
  return ctx;
}

/** Runs `body` with the loop's exception handler silenced (mock.patch.object(loop, 'call_exception_handler')). */
async function quietly(loop: asyncio.SelectorEventLoop, body: () => Promise<void>): Promise<void> {
  loop.setExceptionHandler(() => {});
  try {
    await body();
    await loop.runUntilComplete(asyncio.sleep(0));
  } finally {
    loop.setExceptionHandler(null);
  }
}

// test_events.py EventLoopTestsMixin.test_create_server_ssl_verify_failed
test("test_events.EventLoopTestsMixin.test_create_server_ssl_verify_failed", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const [server, host, port] = await makeSslServer(loop, () => proto, testCerts().serverCertKey);
  await quietly(loop, async () => {
    await assert.rejects(
      loop.runUntilComplete(loop.createConnection(() => new MyProto(), host, port, { ssl: verifyingClientContext() })),
      (e: Error) => e instanceof ssl.SSLError && /certificate.verify.failed/i.test(e.message),
    );
  });
  assert.equal(proto.transport, null);
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_unix_server_ssl_verify_failed
test("test_events.EventLoopTestsMixin.test_create_unix_server_ssl_verify_failed", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const [server, path] = await makeSslUnixServer(loop, () => proto, testCerts().serverCertKey);
  await quietly(loop, async () => {
    await assert.rejects(
      loop.runUntilComplete(loop.createUnixConnection(() => new MyProto(), path, { ssl: verifyingClientContext(), serverHostname: "invalid" })),
      (e: Error) => e instanceof ssl.SSLError && /certificate.verify.failed/i.test(e.message),
    );
  });
  assert.equal(proto.transport, null);
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_server_ssl_match_failed (the
// certificate names only "localhost", as CPython's SIGNED_CERTFILE does)
test("test_events.EventLoopTestsMixin.test_create_server_ssl_match_failed", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const cert = localhostOnlyCert();
  const [server, host, port] = await makeSslServer(loop, () => proto, cert.certfile, cert.keyfile);
  await quietly(loop, async () => {
    await assert.rejects(
      loop.runUntilComplete(loop.createConnection(() => new MyProto(), host, port, { ssl: verifyingClientContext(cert.certfile) })),
      (e: Error) => e instanceof ssl.CertificateError && /IP address mismatch, certificate is not valid for '127.0.0.1'/.test(e.message),
    );
  });
  assert.equal(proto.transport, null);
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_unix_server_ssl_verified
test("test_events.EventLoopTestsMixin.test_create_unix_server_ssl_verified", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const [server, path] = await makeSslUnixServer(loop, () => proto, testCerts().serverCertKey);
  const [client] = await loop.runUntilComplete(loop.createUnixConnection(() => new MyProto(), path, {
    ssl: verifyingClientContext(testCerts().caFile), serverHostname: "localhost",
  }));
  await loop.runUntilComplete(proto.connected!);
  proto.transport!.close();
  client.close();
  server.close();
  await loop.runUntilComplete(proto.done!);
}));

// test_events.py EventLoopTestsMixin.test_create_server_ssl_verified (PEERCERT
// is the decoded server certificate: the same dict the SSL object gives)
test("test_events.EventLoopTestsMixin.test_create_server_ssl_verified", () => withRealLoop(async (loop) => {
  const proto = new MyProto(loop);
  const [server, host, port] = await makeSslServer(loop, () => proto, testCerts().serverCertKey);
  const [client] = await loop.runUntilComplete(loop.createConnection(() => new MyProto(), host, port, {
    ssl: verifyingClientContext(testCerts().caFile), serverHostname: "localhost",
  }));
  await loop.runUntilComplete(proto.connected!);
  const peercert = client.getExtraInfo("peercert") as { subject?: unknown; subjectAltName?: unknown[] };
  assert.ok(peercert.subject);
  assert.ok(peercert.subjectAltName?.some((e) => JSON.stringify(e) === JSON.stringify(["DNS", "localhost"])), JSON.stringify(peercert));
  checkSslExtraInfo(client, true, [host, port], peercert);
  proto.transport!.close();
  client.close();
  server.close();
  await loop.runUntilComplete(proto.done!);
}));

/** socket.create_server(('0.0.0.0', 0)). */
function createListener(host = "0.0.0.0", port = 0): socket.Socket {
  const s = new socket.Socket();
  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  s.bind([host, port]);
  s.listen();
  return s;
}

// test_events.py EventLoopTestsMixin.test_create_server_sock
test("test_events.EventLoopTestsMixin.test_create_server_sock", () => withRealLoop(async (loop) => {
  const proto = loop.createFuture<MyProto>();
  class TestMyProto extends MyProto {
    override connectionMade(transport: asyncio.BaseTransport): void {
      super.connectionMade(transport);
      proto.setResult(this);
    }
  }
  const sockOb = createListener();
  const server = await loop.runUntilComplete(loop.createServer(() => new TestMyProto(), undefined, undefined, { sock: sockOb }));
  const sock = server.sockets[0]!;
  assert.equal(sock.fileno(), sockOb.fileno());
  const [host, port] = sock.getsockname() as [string, number];
  assert.equal(host, "0.0.0.0");
  const client = new socket.Socket();
  client.connect(["127.0.0.1", port]);
  client.send(Buffer.from("xxx"));
  client.close();
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_server_addr_in_use
test("test_events.EventLoopTestsMixin.test_create_server_addr_in_use", () => withRealLoop(async (loop) => {
  const sockOb = createListener();
  const server = await loop.runUntilComplete(loop.createServer(() => new MyProto(), undefined, undefined, { sock: sockOb }));
  const [host, port] = server.sockets[0]!.getsockname() as [string, number];
  const e = await loop.runUntilComplete(raises(OSError, loop.createServer(() => new MyProto(), host, port)));
  assert.equal(e.errno, osConstants.errno.EADDRINUSE);
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_create_server_dual_stack
test("test_events.EventLoopTestsMixin.test_create_server_dual_stack", () => withRealLoop(async (loop) => {
  let fProto = loop.createFuture<MyProto>();
  class TestMyProto extends MyProto {
    override connectionMade(transport: asyncio.BaseTransport): void {
      super.connectionMade(transport);
      fProto.setResult(this);
    }
  }
  let tryCount = 0;
  let server: asyncio.AbstractServer;
  let port: number;
  for (;;) {
    try {
      port = findUnusedPort();
      server = await loop.runUntilComplete(loop.createServer(() => new TestMyProto(), null, port));
      break;
    } catch (e) {
      if (e instanceof OSError && e.code === "EADDRINUSE") {
        tryCount += 1;
        assert.ok(tryCount <= 5);
        continue;
      }
      throw e;
    }
  }
  let client = new socket.Socket();
  client.connect(["127.0.0.1", port]);
  client.send(Buffer.from("xxx"));
  let proto = await loop.runUntilComplete(fProto);
  proto.transport!.close();
  client.close();
  fProto = loop.createFuture<MyProto>();
  client = new socket.Socket(socket.AF_INET6);
  client.connect(["::1", port]);
  client.send(Buffer.from("xxx"));
  proto = await loop.runUntilComplete(fProto);
  proto.transport!.close();
  client.close();
  server.close();
}));

// test_events.py EventLoopTestsMixin.test_server_close
test("test_events.EventLoopTestsMixin.test_server_close", () => withRealLoop(async (loop) => {
  const server = await loop.runUntilComplete(loop.createServer(() => new MyProto(), "0.0.0.0", 0));
  const [, port] = server.sockets[0]!.getsockname() as [string, number];
  let client = new socket.Socket();
  client.connect(["127.0.0.1", port]);
  client.send(Buffer.from("xxx"));
  client.close();
  server.close();
  client = new socket.Socket();
  assert.throws(() => client.connect(["127.0.0.1", port]), ConnectionRefusedError);
  client.close();
}));

/** EventLoopTestsMixin._test_create_datagram_endpoint. */
async function testCreateDatagramEndpoint(localAddr: [string, number], family: number): Promise<void> {
  await withRealLoop(async (loop) => {
    class TestMyDatagramProto extends MyDatagramProto {
      constructor() {
        super(loop);
      }
      override datagramReceived(data: Uint8Array, addr: unknown): void {
        super.datagramReceived(data, addr);
        this.transport!.sendto(Buffer.concat([Buffer.from("resp:"), data]), addr as socket.Address);
      }
    }
    const [sTransport, server] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new TestMyDatagramProto(), localAddr, undefined, { family }));
    const sockname = sTransport.getExtraInfo("sockname") as [string, number];
    const [host, port] = socket.getnameinfo(sockname, socket.NI_NUMERICHOST | socket.NI_NUMERICSERV);
    assert.ok(sTransport instanceof asyncio.BaseTransport);
    assert.ok(server instanceof TestMyDatagramProto);
    assert.equal(server.state, "INITIALIZED");
    assert.equal(server.transport, sTransport);
    const [transport, client] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), undefined, [host, Number(port)]));
    assert.ok(transport instanceof asyncio.BaseTransport);
    assert.ok(client instanceof MyDatagramProto);
    assert.equal(client.state, "INITIALIZED");
    assert.equal(client.transport, transport);
    transport.sendto(Buffer.from("xxx"));
    await loop.runUntilComplete(runUntil(() => server.nbytes));
    assert.equal(server.nbytes, 3);
    await loop.runUntilComplete(runUntil(() => client.nbytes));
    assert.equal(client.nbytes, 8);
    assert.notEqual(transport.getExtraInfo("sockname"), null);
    transport.close();
    await loop.runUntilComplete(client.done!);
    assert.equal(client.state, "CLOSED");
    server.transport!.close();
  });
}

// test_events.py EventLoopTestsMixin.test_create_datagram_endpoint
test("test_events.EventLoopTestsMixin.test_create_datagram_endpoint", () => testCreateDatagramEndpoint(["127.0.0.1", 0], socket.AF_INET));

// test_events.py EventLoopTestsMixin.test_create_datagram_endpoint_ipv6
test("test_events.EventLoopTestsMixin.test_create_datagram_endpoint_ipv6", () => testCreateDatagramEndpoint(["::1", 0], socket.AF_INET6));

// test_events.py EventLoopTestsMixin.test_create_datagram_endpoint_sock
test("test_events.EventLoopTestsMixin.test_create_datagram_endpoint_sock", () => withRealLoop(async (loop) => {
  let sock: socket.Socket | null = null;
  const infos = await loop.runUntilComplete(loop.getaddrinfo("127.0.0.1", 0, { type: socket.SOCK_DGRAM }));
  for (const [family, type, proto, , address] of infos) {
    try {
      sock = new socket.Socket(family, type, proto);
      sock.setblocking(false);
      sock.bind(address);
      break;
    } catch {
      sock = null;
    }
  }
  assert.ok(sock, "Can not create socket.");
  const [tr, pr] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new MyDatagramProto(loop), undefined, undefined, { sock }));
  assert.ok(tr instanceof asyncio.BaseTransport);
  assert.ok(pr instanceof MyDatagramProto);
  tr.close();
  await loop.runUntilComplete(pr.done!);
}));

// test_events.py EventLoopTestsMixin.test_read_pipe
test("test_events.EventLoopTestsMixin.test_read_pipe", () => withRealLoop(async (loop) => {
  const proto = new MyReadPipeProto(loop);
  const [rpipe, wpipe] = osPipe();
  await loop.runUntilComplete((function* () {
    const [t, p] = yield* loop.connectReadPipe(() => proto, rpipe);
    assert.equal(p, proto);
    assert.equal(t, proto.transport);
    assert.deepEqual(proto.state, ["INITIAL", "CONNECTED"]);
    assert.equal(proto.nbytes, 0);
  })());
  writeSync(wpipe, Buffer.from("1"));
  await loop.runUntilComplete(runUntil(() => proto.nbytes >= 1));
  assert.equal(proto.nbytes, 1);
  writeSync(wpipe, Buffer.from("2345"));
  await loop.runUntilComplete(runUntil(() => proto.nbytes >= 5));
  assert.deepEqual(proto.state, ["INITIAL", "CONNECTED"]);
  assert.equal(proto.nbytes, 5);
  closeSync(wpipe);
  await loop.runUntilComplete(proto.done!);
  assert.deepEqual(proto.state, ["INITIAL", "CONNECTED", "EOF", "CLOSED"]);
  assert.notEqual(proto.transport!.getExtraInfo("pipe"), null);
}));

// test_events.py EventLoopTestsMixin.test_unclosed_pipe_transport
test("test_events.EventLoopTestsMixin.test_unclosed_pipe_transport", async () => {
  const loop = new asyncio.SelectorEventLoop();
  const readProto = new MyReadPipeProto(loop);
  const writeProto = new MyWritePipeProto(loop);
  const [rpipe, wpipe] = osPipe();
  const [readTransport, writeTransport] = await loop.runUntilComplete((function* () {
    const [rt] = yield* loop.connectReadPipe(() => readProto, rpipe);
    const [wt] = yield* loop.connectWritePipe(() => writeProto, wpipe);
    return [rt, wt] as const;
  })());
  // Close the loop without closing the transports: their reprs still work.
  loop.close();
  assert.ok(String(readTransport).includes("open"), String(readTransport));
  assert.ok(String(writeTransport).includes("open"), String(writeTransport));
  closeSync(rpipe);
  closeSync(wpipe);
});

/** A non-blocking read of what is in `fd` (os.read of the tests, which never blocks here). */
function readAvailable(fd: number): Buffer {
  const buf = Buffer.alloc(1024);
  try {
    return buf.subarray(0, readSync(fd, buf));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EAGAIN") return Buffer.alloc(0);
    throw e;
  }
}

/** os.pipe() with O_NONBLOCK on both ends (the test reads the read end without blocking). */
function nonblockingPipe(): [number, number] {
  const r = (native().pipe(fsConstants.O_NONBLOCK));
  if (typeof r === "number") throw new Error(`pipe: ${r}`);
  return r;
}

// test_events.py EventLoopTestsMixin.test_write_pipe
test("test_events.EventLoopTestsMixin.test_write_pipe", () => withRealLoop(async (loop) => {
  const [rpipe, wpipe] = nonblockingPipe();
  const proto = new MyWritePipeProto(loop);
  const [transport, p] = await loop.runUntilComplete(loop.connectWritePipe(() => proto, wpipe));
  assert.equal(p, proto);
  assert.equal(transport, proto.transport);
  assert.equal(proto.state, "CONNECTED");
  transport.write(Buffer.from("1"));
  const data: Buffer[] = [];
  const reader = () => {
    data.push(readAvailable(rpipe));
    return Buffer.concat(data).length;
  };
  await loop.runUntilComplete(runUntil(() => reader() >= 1));
  assert.equal(Buffer.concat(data).toString(), "1");
  transport.write(Buffer.from("2345"));
  await loop.runUntilComplete(runUntil(() => reader() >= 5));
  assert.equal(Buffer.concat(data).toString(), "12345");
  assert.equal(proto.state, "CONNECTED");
  closeSync(rpipe);
  assert.notEqual(proto.transport!.getExtraInfo("pipe"), null);
  proto.transport!.close();
  await loop.runUntilComplete(proto.done!);
  assert.equal(proto.state, "CLOSED");
}));

// test_events.py EventLoopTestsMixin.test_write_pipe_disconnect_on_close
test("test_events.EventLoopTestsMixin.test_write_pipe_disconnect_on_close", () => withRealLoop(async (loop) => {
  const [rsock, wsock] = socket.socketpair();
  rsock.setblocking(false);
  const pipeobj = wsock.detach();
  const proto = new MyWritePipeProto(loop);
  const [transport, p] = await loop.runUntilComplete(loop.connectWritePipe(() => proto, pipeobj));
  assert.equal(p, proto);
  assert.equal(transport, proto.transport);
  assert.equal(proto.state, "CONNECTED");
  transport.write(Buffer.from("1"));
  const data = await loop.runUntilComplete(loop.sockRecv(rsock, 1024));
  assert.equal(Buffer.from(data).toString(), "1");
  rsock.close();
  await loop.runUntilComplete(proto.done!);
  assert.equal(proto.state, "CLOSED");
}));

// test_events.py EventLoopTestsMixin.test_prompt_cancellation
test("test_events.EventLoopTestsMixin.test_prompt_cancellation", () => withRealLoop(async (loop) => {
  const [r, w] = socket.socketpair();
  r.setblocking(false);
  const f = loop.createTask(loop.sockRecv(r, 1));
  function* main(): Coroutine<string | null> {
    let res: string | null;
    try {
      loop.callSoon(() => f.cancel());
      yield* f;
      res = null;
    } catch (e) {
      if (!(e instanceof asyncio.CancelledError)) throw e;
      res = "cancelled";
    } finally {
      loop.stop();
    }
    return res;
  }
  const t = loop.createTask(main());
  await loop.runForever();
  assert.equal(t.result(), "cancelled");
  assert.throws(() => f.result(), asyncio.CancelledError);
  r.close();
  w.close();
}));

// test_events.py EventLoopTestsMixin.test_remove_fds_after_closing
test("test_events.EventLoopTestsMixin.test_remove_fds_after_closing", () => {
  const loop = new asyncio.SelectorEventLoop();
  const callback = () => {};
  const [r, w] = socket.socketpair();
  try {
    loop.addReader(r, callback);
    loop.addWriter(w, callback);
    loop.close();
    assert.equal(loop.removeReader(r), false);
    assert.equal(loop.removeWriter(w), false);
  } finally {
    r.close();
    w.close();
  }
});

// test_events.py EventLoopTestsMixin.test_add_fds_after_closing
test("test_events.EventLoopTestsMixin.test_add_fds_after_closing", () => {
  const loop = new asyncio.SelectorEventLoop();
  const callback = () => {};
  const [r, w] = socket.socketpair();
  try {
    loop.close();
    assert.throws(() => loop.addReader(r, callback), RuntimeError);
    assert.throws(() => loop.addWriter(w, callback), RuntimeError);
  } finally {
    r.close();
    w.close();
  }
});

// test_events.py EventLoopTestsMixin.test_close_running_event_loop
test("test_events.EventLoopTestsMixin.test_close_running_event_loop", () => withRealLoop(async (loop) => {
  function* closeLoop(): Coroutine<void> {
    loop.close();
  }
  await assert.rejects(loop.runUntilComplete(closeLoop()), RuntimeError);
}));

// test_events.py EventLoopTestsMixin.test_close
test("test_events.EventLoopTestsMixin.test_close", async () => {
  const loop = new asyncio.SelectorEventLoop();
  loop.close();
  function* t(): Coroutine<void> {}
  const func = () => false;
  const coro = t();
  try {
    await assert.rejects(async () => loop.runForever(), RuntimeError);
    await assert.rejects(async () => {
      const fut = loop.createFuture();
      await loop.runUntilComplete(fut);
    }, RuntimeError);
    assert.throws(() => loop.callSoon(func), RuntimeError);
    assert.throws(() => loop.callSoonThreadsafe(func), RuntimeError);
    assert.throws(() => loop.callLater(1.0, func), RuntimeError);
    assert.throws(() => loop.callAt(loop.time() + 0.0, func), RuntimeError);
    assert.throws(() => loop.createTask(coro), RuntimeError);
    assert.throws(() => loop.addSignalHandler(SIGTERM, func), RuntimeError);
    await assert.rejects(async () => {
      await loop.runInExecutor(null, func);
    }, RuntimeError);
  } finally {
    coro.return(undefined);
  }
});

// ---- SubprocessTestsMixin -------------------------------------------------------

// The helper programs of test_asyncio (echo.py, echo2.py, echo3.py) as Node
// scripts: fd reads that wait out EAGAIN, as os.read on a blocking fd would.
const READ0 = `const fs=require("fs");const b=Buffer.alloc(1024);`
  + `function rd(){for(;;){try{return fs.readSync(0,b,0,1024,null)}catch(e){if(e.code!=="EAGAIN")throw e;Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,2)}}}`;
/** echo.py: copies stdin to stdout until EOF. */
const ECHO = [process.execPath, ["-e", `${READ0}for(let n;(n=rd())>0;)fs.writeSync(1,b.subarray(0,n));`]] as const;
/** echo2.py: one read, written back as OUT:... on stdout and ERR:... on stderr. */
const ECHO2 = [process.execPath, ["-e", `${READ0}const n=rd();const d=b.subarray(0,n);fs.writeSync(1,Buffer.concat([Buffer.from("OUT:"),d]));fs.writeSync(2,Buffer.concat([Buffer.from("ERR:"),d]));`]] as const;
/** echo3.py: echoes OUT:... until EOF; a failed write reports ERR:<class> on stderr. */
const ECHO3 = [process.execPath, ["-e", `${READ0}const names={EPIPE:"BrokenPipeError"};`
  + `for(let n;(n=rd())>0;){try{fs.writeSync(1,Buffer.concat([Buffer.from("OUT:"),b.subarray(0,n)]))}catch(e){fs.writeSync(2,"ERR:"+(names[e.code]||"OSError"))}}`]] as const;

function checkKilled(returncode: number | null): void {
  assert.equal(returncode, -SIGKILL);
}

function checkTerminated(returncode: number | null): void {
  assert.equal(returncode, -SIGTERM);
}

async function startEcho(loop: asyncio.SelectorEventLoop, prog: readonly [string, readonly string[]], options?: asyncio.SubprocessOptions): Promise<[asyncio.SubprocessTransport, MySubprocessProtocol]> {
  const [transp, proto] = await loop.runUntilComplete(loop.subprocessExec(() => new MySubprocessProtocol(loop), prog[0], [...prog[1]], options));
  assert.ok(proto instanceof MySubprocessProtocol);
  await loop.runUntilComplete(proto.connected);
  assert.equal(proto.state, "CONNECTED");
  return [transp, proto];
}

// test_events.py SubprocessTestsMixin.test_subprocess_exec
test("test_events.SubprocessTestsMixin.test_subprocess_exec", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO);
  const stdin = transp.getPipeTransport(0) as asyncio.WriteTransport;
  stdin.write(Buffer.from("Python The Winner"));
  await loop.runUntilComplete(proto.gotData[1]!.wait());
  transp.close();
  await loop.runUntilComplete(proto.completed);
  checkKilled(proto.returncode);
  assert.equal(proto.data[1]!.toString(), "Python The Winner");
}));

// test_events.py SubprocessTestsMixin.test_subprocess_interactive
test("test_events.SubprocessTestsMixin.test_subprocess_interactive", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO);
  const stdin = transp.getPipeTransport(0) as asyncio.WriteTransport;
  stdin.write(Buffer.from("Python "));
  await loop.runUntilComplete(proto.gotData[1]!.wait());
  proto.gotData[1]!.clear();
  assert.equal(proto.data[1]!.toString(), "Python ");
  stdin.write(Buffer.from("The Winner"));
  await loop.runUntilComplete(proto.gotData[1]!.wait());
  assert.equal(proto.data[1]!.toString(), "Python The Winner");
  transp.close();
  await loop.runUntilComplete(proto.completed);
  checkKilled(proto.returncode);
}));

// test_events.py SubprocessTestsMixin.test_subprocess_shell
test("test_events.SubprocessTestsMixin.test_subprocess_shell", () => withRealLoop(async (loop) => {
  const [transp, proto] = await loop.runUntilComplete(loop.subprocessShell(() => new MySubprocessProtocol(loop), "echo Python"));
  assert.ok(proto instanceof MySubprocessProtocol);
  await loop.runUntilComplete(proto.connected);
  transp.getPipeTransport(0)!.close();
  await loop.runUntilComplete(proto.completed);
  assert.equal(proto.returncode, 0);
  assert.ok(proto.disconnects.every((f) => f.done()));
  assert.equal(proto.data[1]!.toString().replace(/[\r\n]+$/, ""), "Python");
  assert.equal(proto.data[2]!.length, 0);
  transp.close();
}));

// test_events.py SubprocessTestsMixin.test_subprocess_exitcode
test("test_events.SubprocessTestsMixin.test_subprocess_exitcode", () => withRealLoop(async (loop) => {
  const [transp, proto] = await loop.runUntilComplete(loop.subprocessShell(() => new MySubprocessProtocol(loop), "exit 7", { stdin: null, stdout: null, stderr: null }));
  assert.ok(proto instanceof MySubprocessProtocol);
  await loop.runUntilComplete(proto.completed);
  assert.equal(proto.returncode, 7);
  transp.close();
}));

// test_events.py SubprocessTestsMixin.test_subprocess_close_after_finish
test("test_events.SubprocessTestsMixin.test_subprocess_close_after_finish", () => withRealLoop(async (loop) => {
  const [transp, proto] = await loop.runUntilComplete(loop.subprocessShell(() => new MySubprocessProtocol(loop), "exit 7", { stdin: null, stdout: null, stderr: null }));
  assert.ok(proto instanceof MySubprocessProtocol);
  assert.equal(transp.getPipeTransport(0), null);
  assert.equal(transp.getPipeTransport(1), null);
  assert.equal(transp.getPipeTransport(2), null);
  await loop.runUntilComplete(proto.completed);
  assert.equal(proto.returncode, 7);
  assert.equal(transp.close(), undefined);
}));

// test_events.py SubprocessTestsMixin.test_subprocess_kill
test("test_events.SubprocessTestsMixin.test_subprocess_kill", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO);
  transp.kill();
  await loop.runUntilComplete(proto.completed);
  checkKilled(proto.returncode);
  transp.close();
}));

// test_events.py SubprocessTestsMixin.test_subprocess_terminate
test("test_events.SubprocessTestsMixin.test_subprocess_terminate", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO);
  transp.terminate();
  await loop.runUntilComplete(proto.completed);
  checkTerminated(proto.returncode);
  transp.close();
}));

// test_events.py SubprocessTestsMixin.test_subprocess_send_signal
test("test_events.SubprocessTestsMixin.test_subprocess_send_signal", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO);
  transp.sendSignal(SIGHUP);
  await loop.runUntilComplete(proto.completed);
  assert.equal(proto.returncode, -SIGHUP);
  transp.close();
}));

// test_events.py SubprocessTestsMixin.test_subprocess_stderr
test("test_events.SubprocessTestsMixin.test_subprocess_stderr", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO2);
  const stdin = transp.getPipeTransport(0) as asyncio.WriteTransport;
  stdin.write(Buffer.from("test"));
  await loop.runUntilComplete(proto.completed);
  transp.close();
  assert.equal(proto.data[1]!.toString(), "OUT:test");
  assert.ok(proto.data[2]!.toString().startsWith("ERR:test"), proto.data[2]!.toString());
  assert.equal(proto.returncode, 0);
}));

// test_events.py SubprocessTestsMixin.test_subprocess_stderr_redirect_to_stdout
test("test_events.SubprocessTestsMixin.test_subprocess_stderr_redirect_to_stdout", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO2, { stderr: asyncio.STDOUT });
  const stdin = transp.getPipeTransport(0) as asyncio.WriteTransport;
  assert.notEqual(transp.getPipeTransport(1), null);
  assert.equal(transp.getPipeTransport(2), null);
  stdin.write(Buffer.from("test"));
  await loop.runUntilComplete(proto.completed);
  assert.ok(proto.data[1]!.toString().startsWith("OUT:testERR:test"), proto.data[1]!.toString());
  assert.equal(proto.data[2]!.length, 0);
  transp.close();
  assert.equal(proto.returncode, 0);
}));

// test_events.py SubprocessTestsMixin.test_subprocess_close_client_stream
test("test_events.SubprocessTestsMixin.test_subprocess_close_client_stream", () => withRealLoop(async (loop) => {
  const [transp, proto] = await startEcho(loop, ECHO3);
  const stdin = transp.getPipeTransport(0) as asyncio.WriteTransport;
  const stdout = transp.getPipeTransport(1)!;
  stdin.write(Buffer.from("test"));
  await loop.runUntilComplete(proto.gotData[1]!.wait());
  assert.equal(proto.data[1]!.toString(), "OUT:test");
  stdout.close();
  await loop.runUntilComplete(proto.disconnects[1]!);
  stdin.write(Buffer.from("xxx"));
  await loop.runUntilComplete(proto.gotData[2]!.wait());
  assert.equal(proto.data[2]!.toString(), "ERR:BrokenPipeError");
  transp.close();
  await loop.runUntilComplete(proto.completed);
  checkKilled(proto.returncode);
}));

// test_events.py SubprocessTestsMixin.test_subprocess_wait_no_same_group
test("test_events.SubprocessTestsMixin.test_subprocess_wait_no_same_group", () => withRealLoop(async (loop) => {
  const [transp, proto] = await loop.runUntilComplete(loop.subprocessShell(() => new MySubprocessProtocol(loop), "exit 7", {
    stdin: null, stdout: null, stderr: null, startNewSession: true,
  }));
  assert.ok(proto instanceof MySubprocessProtocol);
  await loop.runUntilComplete(proto.completed);
  assert.equal(proto.returncode, 7);
  transp.close();
}));

// test_events.py SubprocessTestsMixin.test_subprocess_exec_invalid_args
test("test_events.SubprocessTestsMixin.test_subprocess_exec_invalid_args", () => withRealLoop(async (loop) => {
  const connect = (kwds: asyncio.SubprocessOptions) => loop.subprocessExec(() => new asyncio.SubprocessProtocol(), "pwd", [], kwds);
  await assert.rejects(loop.runUntilComplete(connect({ universalNewlines: true })), ValueError);
  await assert.rejects(loop.runUntilComplete(connect({ bufsize: 4096 })), ValueError);
  await assert.rejects(loop.runUntilComplete(connect({ shell: true })), ValueError);
}));

// test_events.py SubprocessTestsMixin.test_subprocess_shell_invalid_args
test("test_events.SubprocessTestsMixin.test_subprocess_shell_invalid_args", () => withRealLoop(async (loop) => {
  const connect = (cmd: unknown, kwds: asyncio.SubprocessOptions = {}) =>
    loop.subprocessShell(() => new asyncio.SubprocessProtocol(), (cmd ?? "pwd") as string, kwds);
  await assert.rejects(loop.runUntilComplete(connect(["ls", "-l"])), ValueError);
  await assert.rejects(loop.runUntilComplete(connect(null, { universalNewlines: true })), ValueError);
  await assert.rejects(loop.runUntilComplete(connect(null, { bufsize: 4096 })), ValueError);
  await assert.rejects(loop.runUntilComplete(connect(null, { shell: false })), ValueError);
}));

// ---- HandleTests ------------------------------------------------------------------

/** The stand-in for HandleTests' mock loop: an object with the two methods a Handle calls. */
class RecordingLoop {
  calls: asyncio.ExceptionContext[] = [];
  constructor(public debug = true) {}
  getDebug(): boolean {
    return this.debug;
  }
  callExceptionHandler(context: asyncio.ExceptionContext): void {
    this.calls.push(context);
  }
  _timerHandleCancelled(): void {}
}

// test_events.py HandleTests.test_handle (the private _callback/_args are not read)
test("test_events.HandleTests.test_handle", () => {
  const calls: unknown[][] = [];
  const callback = (...args: unknown[]) => calls.push(args);
  const h = new asyncio.Handle(callback, [], new RecordingLoop());
  assert.equal(h.cancelled(), false);
  h._run();
  assert.deepEqual(calls, [[]]);
  h.cancel();
  assert.equal(h.cancelled(), true);
});

// test_events.py HandleTests.test_callback_with_exception
test("test_events.HandleTests.test_callback_with_exception", () => {
  const loop = new RecordingLoop();
  const h = new asyncio.Handle(() => {
    throw new ValueError();
  }, [], loop);
  h._run();
  assert.equal(loop.calls.length, 1);
  const ctx = loop.calls[0]!;
  assert.match(ctx.message, /^Exception in callback.*/);
  assert.ok(ctx.exception instanceof ValueError);
  assert.equal(ctx.handle, h);
  assert.equal(typeof ctx.source_traceback, "string");
  assert.deepEqual(Object.keys(ctx).sort(), ["exception", "handle", "message", "source_traceback"]);
});

// test_events.py HandleTests.test_handle_weakref
test("test_events.HandleTests.test_handle_weakref", () => {
  const h = new asyncio.Handle(() => null, [], new RecordingLoop());
  const wd = new WeakRef(h);
  assert.equal(wd.deref(), h);
});

// test_events.py HandleTests.test_handle_repr (Python's " at file:line" of the
// callback's definition has no JavaScript source; functools.partial and
// types.coroutine parts have no TypeScript counterpart: docs/differences.md, reprs)
test("test_events.HandleTests.test_handle_repr", () => {
  const loop = new RecordingLoop(false);
  const h = new asyncio.Handle(noop, [1, 2], loop);
  assert.equal(String(h), "<Handle noop(1, 2)>");
  h.cancel();
  assert.equal(String(h), "<Handle cancelled>");
  // A bound function stands for functools.partial: its name says so.
  const h2 = new asyncio.Handle(noop.bind(null, 1, 2), [3], loop);
  assert.equal(String(h2), "<Handle bound noop(3)>");
});

// test_events.py HandleTests.test_handle_repr_debug
test("test_events.HandleTests.test_handle_repr_debug", () => {
  const loop = new RecordingLoop(true);
  const h = new asyncio.Handle(noop, [1, 2], loop);
  const r = String(h);
  assert.match(r, /^<Handle noop\(1, 2\) created at .*events\.test\.ts:\d+:\d+\)?>$/);
  const created = r.slice("<Handle noop(1, 2) ".length);
  h.cancel();
  assert.equal(String(h), `<Handle cancelled noop(1, 2) ${created}`);
  // A second cancel does not overwrite the repr.
  h.cancel();
  assert.equal(String(h), `<Handle cancelled noop(1, 2) ${created}`);
});

// test_events.py HandleTests.test_handle_source_traceback (the private
// _source_traceback is seen through the debug repr's "created at")
test("test_events.HandleTests.test_handle_source_traceback", () => {
  const loop = asyncio.getEventLoopPolicy().newEventLoop() as asyncio.SelectorEventLoop;
  loop.setDebug(true);
  try {
    const check = (h: asyncio.Handle) => assert.match(String(h), /created at .*events\.test\.ts:\d+/);
    check(loop.callSoon(noop));
    check(loop.callSoonThreadsafe(noop));
    check(loop.callLater(0, noop));
    check(loop.callAt(loop.time(), noop));
  } finally {
    loop.close();
  }
});

// ---- TimerTests ---------------------------------------------------------------------

// test_events.py TimerTests.test_when
test("test_events.TimerTests.test_when", () => {
  const when = performance.now() / 1000;
  const h = new asyncio.TimerHandle(when, 0, () => false, [], new RecordingLoop() as never);
  assert.equal(h.when(), when);
});

// test_events.py TimerTests.test_timer (the private _callback/_args are not read)
test("test_events.TimerTests.test_timer", () => {
  const when = performance.now() / 1000;
  const h = new asyncio.TimerHandle(when, 0, (...args: unknown[]) => args, [1, 2, 3], new RecordingLoop() as never);
  assert.equal(h.cancelled(), false);
  h.cancel();
  assert.equal(h.cancelled(), true);
});

// test_events.py TimerTests.test_timer_repr
test("test_events.TimerTests.test_timer_repr", () => {
  const h = new asyncio.TimerHandle(123, 0, noop, [], new RecordingLoop(false) as never);
  assert.equal(String(h), "<TimerHandle when=123 noop()>");
  h.cancel();
  assert.equal(String(h), "<TimerHandle cancelled when=123>");
});

// test_events.py TimerTests.test_timer_repr_debug
test("test_events.TimerTests.test_timer_repr_debug", () => {
  const h = new asyncio.TimerHandle(123, 0, noop, [], new RecordingLoop(true) as never);
  const r = String(h);
  assert.match(r, /^<TimerHandle when=123 noop\(\) created at .*events\.test\.ts:\d+:\d+\)?>$/);
  const created = r.slice("<TimerHandle when=123 noop() ".length);
  h.cancel();
  assert.equal(String(h), `<TimerHandle cancelled when=123 noop() ${created}`);
});

// ---- AbstractEventLoopTests ------------------------------------------------------------

// test_events.py AbstractEventLoopTests.test_not_implemented
test("test_events.AbstractEventLoopTests.test_not_implemented", () => {
  const f = () => {};
  const loop = new (class extends asyncio.AbstractEventLoop {})();
  const calls: (() => unknown)[] = [
    () => loop.runForever(), () => loop.runUntilComplete(null as never), () => loop.stop(), () => loop.isRunning(),
    () => loop.isClosed(), () => loop.close(), () => loop.createTask(null as never), () => loop.callLater(null as never, null as never),
    () => loop.callAt(f as never, f), () => loop.callSoon(null as never), () => loop.time(), () => loop.callSoonThreadsafe(null as never),
    () => loop.setDefaultExecutor(f as never), () => loop.addReader(1, f), () => loop.removeReader(1), () => loop.addWriter(1, f),
    () => loop.removeWriter(1), () => loop.addSignalHandler(1, f), () => loop.removeSignalHandler(1),
    () => loop.setExceptionHandler(f), () => loop.defaultExceptionHandler(f as never), () => loop.callExceptionHandler(f as never),
    () => loop.getDebug(), () => loop.setDebug(f as never),
  ];
  for (const call of calls) assert.throws(call, NotImplementedError, String(call));
});

// ---- PolicyTests ----------------------------------------------------------------------------

// test_events.py PolicyTests.test_event_loop_policy (get/set_child_watcher:
// tsyncio has no child watchers)
test("test_events.PolicyTests.test_event_loop_policy", () => {
  const policy = new asyncio.AbstractEventLoopPolicy();
  assert.throws(() => policy.getEventLoop(), NotImplementedError);
  assert.throws(() => policy.setEventLoop({} as never), NotImplementedError);
  assert.throws(() => policy.newEventLoop(), NotImplementedError);
});

/** Captures the process warnings emitted while `body` runs. */
function warningsOf<T>(body: () => T): [T, string[]] {
  const seen: string[] = [];
  const orig = process.emitWarning;
  process.emitWarning = ((w: string | Error, type?: string) => {
    seen.push(`${type ?? (w as Error).name}: ${String((w as Error).message ?? w)}`);
  }) as typeof process.emitWarning;
  try {
    return [body(), seen];
  } finally {
    process.emitWarning = orig;
  }
}

// test_events.py PolicyTests.test_get_event_loop (the private policy._local is
// not read; tsyncio warns once per process, so the warning is not asserted)
test("test_events.PolicyTests.test_get_event_loop", () => {
  const policy = new asyncio.DefaultEventLoopPolicy();
  const [loop] = warningsOf(() => policy.getEventLoop());
  assert.ok(loop instanceof asyncio.AbstractEventLoop);
  assert.equal(policy.getEventLoop(), loop);
  loop.close();
});

// test_events.py PolicyTests.test_get_event_loop_calls_set_event_loop
test("test_events.PolicyTests.test_get_event_loop_calls_set_event_loop", () => {
  const policy = new asyncio.DefaultEventLoopPolicy();
  const calls: unknown[] = [];
  const orig = policy.setEventLoop.bind(policy);
  policy.setEventLoop = (l) => {
    calls.push(l);
    orig(l);
  };
  const [loop] = warningsOf(() => policy.getEventLoop());
  assert.deepEqual(calls, [loop]);
  loop.close();
});

// test_events.py PolicyTests.test_get_event_loop_after_set_none
test("test_events.PolicyTests.test_get_event_loop_after_set_none", () => {
  const policy = new asyncio.DefaultEventLoopPolicy();
  policy.setEventLoop(null);
  assert.throws(() => policy.getEventLoop(), RuntimeError);
});

// test_events.py PolicyTests.test_new_event_loop
test("test_events.PolicyTests.test_new_event_loop", () => {
  const policy = new asyncio.DefaultEventLoopPolicy();
  const loop = policy.newEventLoop();
  assert.ok(loop instanceof asyncio.AbstractEventLoop);
  loop.close();
});

// test_events.py PolicyTests.test_set_event_loop
test("test_events.PolicyTests.test_set_event_loop", () => {
  const policy = new asyncio.DefaultEventLoopPolicy();
  const oldLoop = policy.newEventLoop();
  policy.setEventLoop(oldLoop);
  assert.throws(() => policy.setEventLoop({} as never), TypeError);
  const loop = policy.newEventLoop();
  policy.setEventLoop(loop);
  assert.equal(policy.getEventLoop(), loop);
  assert.notEqual(policy.getEventLoop(), oldLoop);
  loop.close();
  oldLoop.close();
});

// test_events.py PolicyTests.test_get_event_loop_policy
test("test_events.PolicyTests.test_get_event_loop_policy", () => {
  const policy = asyncio.getEventLoopPolicy();
  assert.ok(policy instanceof asyncio.AbstractEventLoopPolicy);
  assert.equal(policy, asyncio.getEventLoopPolicy());
});

// test_events.py PolicyTests.test_set_event_loop_policy
test("test_events.PolicyTests.test_set_event_loop_policy", () => {
  assert.throws(() => asyncio.setEventLoopPolicy({} as never), TypeError);
  const oldPolicy = asyncio.getEventLoopPolicy();
  const policy = new asyncio.DefaultEventLoopPolicy();
  asyncio.setEventLoopPolicy(policy);
  try {
    assert.equal(asyncio.getEventLoopPolicy(), policy);
    assert.notEqual(policy, oldPolicy);
  } finally {
    asyncio.setEventLoopPolicy(oldPolicy);
  }
});

// ---- GetEventLoopTestsMixin (TestPyGetEventLoop / TestCGetEventLoop: one implementation here) ----

// test_events.py GetEventLoopTestsMixin.test_get_event_loop_returns_running_loop
test("test_events.GetEventLoopTestsMixin.test_get_event_loop_returns_running_loop", async () => {
  class TestError extends Error {}
  class Policy extends asyncio.DefaultEventLoopPolicy {
    override getEventLoop(): asyncio.AbstractEventLoop {
      throw new TestError();
    }
  }
  const oldPolicy = asyncio.getEventLoopPolicy();
  let loop: asyncio.AbstractEventLoop | null = null;
  try {
    asyncio.setEventLoopPolicy(new Policy());
    loop = asyncio.newEventLoop();
    assert.throws(() => asyncio.getEventLoop(), TestError);
    asyncio.setEventLoop(null);
    assert.throws(() => asyncio.getEventLoop(), TestError);
    assert.throws(() => asyncio.getRunningLoop(), /no running/);
    assert.equal(asyncio._getRunningLoop(), null);
    const l = loop;
    await loop.runUntilComplete((function* () {
      assert.equal(asyncio.getEventLoop(), l);
      assert.equal(asyncio.getRunningLoop(), l);
      assert.equal(asyncio._getRunningLoop(), l);
    })());
    asyncio.setEventLoop(loop);
    assert.throws(() => asyncio.getEventLoop(), TestError);
    asyncio.setEventLoop(null);
    assert.throws(() => asyncio.getEventLoop(), TestError);
  } finally {
    asyncio.setEventLoopPolicy(oldPolicy);
    loop?.close();
  }
  assert.throws(() => asyncio.getRunningLoop(), /no running/);
  assert.equal(asyncio._getRunningLoop(), null);
});

// test_events.py GetEventLoopTestsMixin.test_get_event_loop_returns_running_loop2
test("test_events.GetEventLoopTestsMixin.test_get_event_loop_returns_running_loop2", async () => {
  const oldPolicy = asyncio.getEventLoopPolicy();
  let loop: asyncio.AbstractEventLoop | null = null;
  try {
    asyncio.setEventLoopPolicy(new asyncio.DefaultEventLoopPolicy());
    loop = asyncio.newEventLoop();
    const [loop2] = warningsOf(() => asyncio.getEventLoop());
    loop2.close();
    asyncio.setEventLoop(null);
    assert.throws(() => asyncio.getEventLoop(), /no current/i);
    assert.throws(() => asyncio.getRunningLoop(), /no running/);
    assert.equal(asyncio._getRunningLoop(), null);
    const l = loop;
    await loop.runUntilComplete((function* () {
      assert.equal(asyncio.getEventLoop(), l);
      assert.equal(asyncio.getRunningLoop(), l);
      assert.equal(asyncio._getRunningLoop(), l);
    })());
    asyncio.setEventLoop(loop);
    assert.equal(asyncio.getEventLoop(), loop);
    asyncio.setEventLoop(null);
    assert.throws(() => asyncio.getEventLoop(), /no current/i);
  } finally {
    asyncio.setEventLoopPolicy(oldPolicy);
    loop?.close();
  }
  assert.throws(() => asyncio.getRunningLoop(), /no running/);
  assert.equal(asyncio._getRunningLoop(), null);
});

// ---- TestServer -------------------------------------------------------------------------------

// test_events.py TestServer.test_get_loop
test("test_events.TestServer.test_get_loop", async () => {
  const loop = asyncio.newEventLoop();
  try {
    const proto = new MyProto(loop);
    const server = await loop.runUntilComplete(loop.createServer(() => proto, "0.0.0.0", 0));
    assert.equal(server.getLoop(), loop);
    server.close();
    await loop.runUntilComplete(server.waitClosed());
  } finally {
    loop.close();
  }
});

// test_events.py GetEventLoopTestsMixin.test_get_event_loop_new_process (the
// function crosses to the ProcessPoolExecutor's child by reference)
test("test_events.GetEventLoopTestsMixin.test_get_event_loop_new_process", async () => {
  const loop = asyncio.newEventLoop();
  try {
    const result = await loop.runUntilComplete((function* () {
      const pool = new asyncio.ProcessPoolExecutor();
      try {
        return yield* loop.runInExecutor(pool, asyncio.workerFunction<() => Promise<string>>(new URL("./_get-event-loop-child.ts", import.meta.url), "getEventLoopNewProcessSubProc"));
      } finally {
        yield* asyncio.wrapFuture(Promise.resolve(pool.shutdown()));
      }
    })());
    assert.equal(result, "hello");
  } finally {
    loop.close();
  }
});

// test_events.py EventLoopTestsMixin.test_create_server_trsock. Python wraps the
// server's sockets in asyncio.trsock.TransportSocket, which refuses
// settimeout()/setblocking(True); tsyncio's server.sockets are its plain
// sockets (docs/differences.md), so the checks kept are the ones that hold for
// both: one non-blocking socket on 0.0.0.0 that can be dup()ed.
test("test_events.EventLoopTestsMixin.test_create_server_trsock", () => withRealLoop(async (loop) => {
  const server = await loop.runUntilComplete(loop.createServer(() => new MyProto(loop), "0.0.0.0", 0));
  assert.equal(server.sockets.length, 1);
  const sock = server.sockets[0]!;
  assert.ok(sock instanceof socket.Socket);
  const [host] = sock.getsockname() as [string, number];
  assert.equal(host, "0.0.0.0");
  const dup = sock.dup();
  try {
    assert.ok(dup instanceof socket.Socket);
    assert.notEqual(dup.fileno(), sock.fileno());
  } finally {
    dup.close();
  }
  assert.equal(sock.gettimeout(), 0);
  server.close();
}));
