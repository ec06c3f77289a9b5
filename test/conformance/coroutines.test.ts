// Conformance: every Python `async def` of the API is a lazy coroutine object
// (CPython 3.12's test_events.py AbstractEventLoopTests/AbstractServerTests,
// test_sock_lowlevel.py, test_streams.py, test_events.py
// test_run_until_complete_nesting), with real sockets on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as asyncio from "../../src/index.js";
import { InvalidStateError, NotImplementedError, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import { AF_INET, SOCK_STREAM, Socket } from "../../src/stdlib/socket.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A Node TCP server on 127.0.0.1 that answers each chunk with "echo:" + chunk. */
async function echoServer(): Promise<[net.Server, number]> {
  const srv = net.createServer((c) => c.on("data", (d) => c.write(Buffer.concat([Buffer.from("echo:"), d]))));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return [srv, (srv.address() as net.AddressInfo).port];
}

// test_streams.py StreamTests._basetest_open_connection: the coroutine is made
// with no loop running and handed to run_until_complete.
test("test_streams.test_open_connection: loop.runUntilComplete(openConnection(...)) with no loop running", async () => {
  const [srv, port] = await echoServer();
  const loop = asyncio.newEventLoop();
  try {
    const coro = asyncio.openConnection("127.0.0.1", port);
    assert.ok(asyncio.iscoroutine(coro));
    const [reader, writer] = await loop.runUntilComplete(coro);
    writer.write(Buffer.from("hi\n"));
    assert.equal((await loop.runUntilComplete(reader.readline())).toString(), "echo:hi\n");
    writer.close();
    await loop.runUntilComplete(writer.waitClosed());
  } finally {
    loop.close();
    srv.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin._basetest_sock_client_ops: each
// sock_* coroutine is run by run_until_complete.
test("test_sock_lowlevel.test_sock_client_ops: sockConnect/sockSendall/sockRecv run by runUntilComplete", async () => {
  const [srv, port] = await echoServer();
  const loop = asyncio.newEventLoop();
  const sock = new Socket(AF_INET, SOCK_STREAM);
  try {
    sock.setblocking(false);
    await loop.runUntilComplete(loop.sockConnect(sock, ["127.0.0.1", port]));
    await loop.runUntilComplete(loop.sockSendall(sock, Buffer.from("GET")));
    const data = await loop.runUntilComplete(loop.sockRecv(sock, 1024));
    assert.equal(data.toString(), "echo:GET");
  } finally {
    sock.close();
    loop.close();
    srv.close();
  }
});

// test_sock_lowlevel.py _basetest_sock_recv_racing / _basetest_sock_connect_racing:
// asyncio.create_task(loop.sock_recv(...)) and create_task(loop.sock_connect(...)).
test("test_sock_lowlevel.test_sock_client_racing: createTask(loop.sockConnect/sockSendall/sockRecv(...))", async () => {
  const [srv, port] = await echoServer();
  try {
    await asyncio.run((function* () {
      const loop = asyncio.getRunningLoop();
      const sock = new Socket(AF_INET, SOCK_STREAM);
      sock.setblocking(false);
      try {
        yield* asyncio.createTask(loop.sockConnect(sock, ["127.0.0.1", port]));
        const recv = asyncio.createTask(loop.sockRecv(sock, 1024));
        yield* asyncio.sleep(0);
        assert.equal(recv.done(), false);
        yield* asyncio.createTask(loop.sockSendall(sock, Buffer.from("x")));
        assert.equal((yield* recv).toString(), "echo:x");
        // ensureFuture, gather and waitFor take them too.
        const [n] = yield* asyncio.gather(asyncio.ensureFuture(loop.sockSendall(sock, Buffer.from("y"))));
        assert.equal(n, undefined);
        assert.equal((yield* asyncio.waitFor(loop.sockRecv(sock, 1024), 5)).toString(), "echo:y");
      } finally {
        sock.close();
      }
    })());
  } finally {
    srv.close();
  }
});

test("an async method's coroutine is lazy: nothing runs and no loop is looked up until it is awaited", async () => {
  // No loop is running: Python's open_connection() only makes a coroutine here.
  const coro = asyncio.openConnection("127.0.0.1", 1);
  assert.ok(asyncio.iscoroutine(coro));
  // Driving it by hand is where the running loop is looked up.
  assert.throws(() => coro.next(), { name: "RuntimeError", message: "no running event loop" });
  const loop = asyncio.newEventLoop();
  const sock = new Socket(AF_INET, SOCK_STREAM); // blocking: the check runs only when awaited
  const c2 = loop.sockRecv(sock, 10);
  assert.throws(() => c2.next(), ValueError);
  sock.close();
  loop.close();
});

test("an async method's coroutine is awaitable from an async function (then() runs it as a Task)", async () => {
  const [srv, port] = await echoServer();
  try {
    await asyncio.run((async () => {
      const [reader, writer] = await asyncio.openConnection("127.0.0.1", port);
      writer.write(Buffer.from("z"));
      await writer.drain();
      assert.equal((await reader.read(100)).toString(), "echo:z");
      writer.close();
      await writer.waitClosed();
    })());
  } finally {
    srv.close();
  }
});

// test_server.py BaseStartServer.test_start_server_1 shape: server methods are coroutines.
test("test_server: Server.startServing/serveForever/waitClosed are coroutines; createTask(serveForever())", async () => {
  await asyncio.run((function* () {
    const srv = yield* asyncio.startServer((_r, w) => w.close(), "127.0.0.1", 0, { startServing: false });
    assert.ok(asyncio.iscoroutine(srv.startServing()));
    const forever = asyncio.createTask(srv.serveForever());
    yield* asyncio.sleep(0);
    assert.equal(srv.isServing(), true);
    forever.cancel();
    yield* asyncio.wait([forever]);
    assert.ok(forever.cancelled());
    yield* srv.waitClosed();
    assert.equal(srv.isServing(), false);
  })());
});

/** An AbstractEventLoop with nothing implemented (Python's AbstractEventLoop()). */
class BareLoop extends asyncio.AbstractEventLoop {}

// test_events.py AbstractEventLoopTests.test_not_implemented_async.
test("test_events.AbstractEventLoopTests.test_not_implemented_async: awaiting an abstract async method raises NotImplementedError", async () => {
  const f = () => new asyncio.Protocol();
  await asyncio.run((function* () {
    const loop = new BareLoop();
    const sock = new Socket(AF_INET, SOCK_STREAM);
    try {
      const coros: Coroutine<unknown>[] = [
        loop.getaddrinfo("localhost", 8080), loop.getnameinfo(["localhost", 8080]),
        loop.createConnection(f), loop.createServer(f), loop.createDatagramEndpoint(f),
        loop.sockRecv(sock, 10), loop.sockRecvInto(sock, Buffer.alloc(10)), loop.sockSendall(sock, Buffer.alloc(10)),
        loop.sockConnect(sock, ["127.0.0.1", 1]), loop.sockAccept(sock), loop.sockSendfile(sock, 0),
        loop.sendfile(null as unknown as asyncio.Transport, 0),
        loop.connectReadPipe(f, 0), loop.connectWritePipe(f, 0),
        loop.subprocessShell(f, "true"), loop.subprocessExec(f, "true"),
      ];
      for (const coro of coros) {
        assert.ok(asyncio.iscoroutine(coro));
        let raised: unknown = null;
        try {
          yield* coro;
        } catch (e) {
          raised = e;
        }
        assert.ok(raised instanceof NotImplementedError, String(raised));
      }
      assert.throws(() => loop.runInExecutor(null, () => 1), NotImplementedError);
    } finally {
      sock.close();
    }
  })());
});

/** An AbstractServer with nothing implemented (Python's AbstractServer()). */
class BareServer extends asyncio.AbstractServer {}

// test_events.py AbstractServerTests.
test("test_events.AbstractServerTests.test_close/test_wait_closed/test_get_loop: AbstractServer raises NotImplementedError", async () => {
  const server = new BareServer();
  assert.throws(() => server.close(), NotImplementedError);
  assert.throws(() => server.getLoop(), NotImplementedError);
  assert.throws(() => server.isServing(), NotImplementedError);
  assert.throws(() => server.closeClients(), NotImplementedError);
  assert.throws(() => server.abortClients(), NotImplementedError);
  const loop = asyncio.newEventLoop();
  try {
    await assert.rejects(loop.runUntilComplete(server.waitClosed()), NotImplementedError);
    await assert.rejects(loop.runUntilComplete(server.startServing()), NotImplementedError);
    await assert.rejects(loop.runUntilComplete(server.serveForever()), NotImplementedError);
  } finally {
    loop.close();
  }
});

// concurrent.futures.Future's public set_result/set_exception (CPython's
// test_concurrent_futures.test_future FutureTests.test_set_result/test_set_exception...).
test("ConcurrentFuture.setResult/setException finish the future; a second call raises InvalidStateError", async () => {
  const a = new asyncio.ConcurrentFuture<number>();
  const seen: number[] = [];
  a.addDoneCallback((f) => seen.push(f.result()));
  a.setResult(42);
  assert.equal(a.result(), 42);
  assert.deepEqual(seen, [42]);
  assert.throws(() => a.setResult(1), InvalidStateError);
  assert.throws(() => a.setException(new ValueError("x")), InvalidStateError);
  const b = new asyncio.ConcurrentFuture<number>();
  b.setException(new ValueError("bad"));
  assert.ok(b.exception() instanceof ValueError);
  await assert.rejects(Promise.resolve(b), ValueError);
  const c = new asyncio.ConcurrentFuture<number>();
  assert.equal(c.setRunningOrNotifyCancel(), true);
  assert.equal(c.running(), true);
  assert.equal(c.cancel(), false);
  const d = new asyncio.ConcurrentFuture<number>();
  d.cancel();
  assert.equal(d.setRunningOrNotifyCancel(), false);
  assert.throws(() => d.setResult(1), InvalidStateError);
  // An asyncio Future can wait on one finished by hand.
  assert.equal(await asyncio.run((function* () {
    const e = new asyncio.ConcurrentFuture<string>();
    asyncio.getRunningLoop().callSoon(() => e.setResult("done"));
    return yield* asyncio.wrapFuture(e);
  })()), "done");
});

/** Runs a script with node --expose-gc (through tsx) and returns its stderr. */
function stderrOf(script: string): string {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root, encoding: "utf8", env: { ...process.env, TSYNCIO_DEBUG: "" },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

// test_events.py test_run_until_complete_nesting: a coroutine never awaited warns
// "RuntimeWarning: coroutine ... was never awaited" when it is collected.
test("test_events.test_run_until_complete_nesting: a coroutine dropped without yield* warns 'was never awaited' when collected", () => {
  const stderr = stderrOf(`
    import * as asyncio from "./src/index.ts";
    await asyncio.run((function* () {
      asyncio.sleep(1);            // the slip: no yield*
      yield* asyncio.sleep(0);     // awaited: no warning for this one
    })());
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  `);
  const warnings = stderr.split("\n").filter((l) => l.includes("RuntimeWarning"));
  assert.deepEqual(warnings.map((l) => l.replace(/^\(node:\d+\) /, "")), ["RuntimeWarning: coroutine 'sleep' was never awaited"]);
});

test("in debug mode the never-awaited warning says where the coroutine was created", () => {
  const stderr = stderrOf(`
    import * as asyncio from "./src/index.ts";
    function dropIt() { asyncio.sleep(1); }
    await asyncio.run((function* () { dropIt(); yield* asyncio.sleep(0); })(), { debug: true });
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  `);
  assert.match(stderr, /RuntimeWarning: coroutine 'sleep' was never awaited\nCoroutine created at \(most recent call first\)\n\s+at dropIt /);
});

test("scheduling a coroutine, or closing it unstarted, silences the never-awaited warning", () => {
  const stderr = stderrOf(`
    import * as asyncio from "./src/index.ts";
    await asyncio.run((function* () {
      const t = asyncio.createTask(asyncio.sleep(0));
      asyncio.sleep(1).return(undefined);
      yield* t;
    })());
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  `);
  assert.doesNotMatch(stderr, /never awaited/);
});
