// Conformance: CPython 3.12's test_server.py, test by test, with real sockets on
// loopback. CPython's client runs in a thread with a blocking socket; here it is
// a Node net client in the same process (the loop runs on Node's own loop).
// Where CPython reads the private `_sockets`/`_waiters` or calls `_attach()`/
// `_detach()`, the test uses what a user sees: `sockets`, `isServing()`, and a
// real client connection for the server's active count.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../../src/index.js";
import { CancelledError, RuntimeError } from "../../src/index.js";
import type { Coroutine, Server, StreamReader, StreamWriter, Task } from "../../src/index.js";

const HELLO_MSG = Buffer.concat([Buffer.alloc(1024 * 5, "1"), Buffer.from("\n")]);

/** The client of test_start_server_1: waits until `ready()`, sends HELLO_MSG, reads one byte, closes. */
async function client(connect: () => net.Socket, ready: () => boolean): Promise<Buffer> {
  for (let i = 0; i < 100 && !ready(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ready()) throw new RuntimeError("server never served");
  const sock = connect();
  await new Promise<void>((resolve, reject) => sock.once("connect", resolve).once("error", reject));
  sock.write(HELLO_MSG);
  const got = await new Promise<Buffer>((resolve, reject) => sock.once("data", resolve).once("error", reject));
  sock.destroy();
  return got;
}

/** `async with srv:` — the body, then close() and waitClosed() (Server.__aexit__). */
function* asyncWith<T>(srv: Server, body: () => Coroutine<T>): Coroutine<T> {
  try {
    return yield* body();
  } finally {
    srv.close();
    yield* srv.waitClosed();
  }
}

/** Runs test_start_server_1 / test_start_unix_server_1 against `start` and a client connecting with `connect`. */
async function startServerTest(
  start: (serve: (r: StreamReader, w: StreamWriter) => Coroutine<void>) => Coroutine<Server>,
  connect: () => net.Socket,
  checkStartServing: boolean,
): Promise<void> {
  const loop = asyncio.newEventLoop();
  try {
    let mainTask: Task<void> | null = null;
    function* serve(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
      yield* reader.readline();
      mainTask!.cancel();
      writer.write(Buffer.from("1"));
      writer.close();
      yield* writer.waitClosed();
    }
    let started = false;
    function* main(srv: Server): Coroutine<void> {
      yield* asyncWith(srv, function* () {
        if (checkStartServing) {
          assert.equal(srv.isServing(), false);
          yield* srv.startServing();
          assert.equal(srv.isServing(), true);
          started = true;
        }
        yield* srv.serveForever();
      });
    }
    // The coroutine of startServer is made with no loop running and handed to runUntilComplete.
    const srv = await loop.runUntilComplete(start(serve));
    assert.equal(srv.isServing(), false);
    mainTask = loop.createTask(main(srv));
    const answer = client(connect, () => (checkStartServing ? started : srv.isServing()));
    await assert.rejects(loop.runUntilComplete(mainTask), CancelledError);
    assert.equal((await answer).toString(), "1");
    assert.deepEqual(srv.sockets, []);
    assert.equal(srv.isServing(), false);
    await assert.rejects(loop.runUntilComplete(srv.serveForever()), (e: unknown) => e instanceof RuntimeError && /is closed$/.test(e.message));
  } finally {
    loop.close();
  }
}

// test_server.py SelectorStartServerTests.test_start_server_1
test("test_server.SelectorStartServerTests.test_start_server_1", async () => {
  let port = 0;
  await startServerTest(
    function* (serve) {
      const srv = yield* asyncio.startServer(serve, "127.0.0.1", 0, { startServing: false });
      port = (srv.sockets[0]!.getsockname() as [string, number])[1];
      return srv;
    },
    () => net.connect(port, "127.0.0.1"),
    false,
  );
});

// test_server.py SelectorStartServerTests.test_start_unix_server_1
test("test_server.SelectorStartServerTests.test_start_unix_server_1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-server-"));
  const addr = join(dir, "sock");
  try {
    await startServerTest(
      (serve) => asyncio.startUnixServer(serve, addr, { startServing: false }),
      () => net.connect(addr),
      true,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A server whose handler keeps each connection's writer, so that a test can
 * stand for CPython's srv._attach() (a client connects: the active count
 * grows) and srv._detach() (the server closes that connection).
 */
class Attachable {
  writers: StreamWriter[] = [];
  /** The client_connected_cb: CPython's `async def serve(*args): pass`, remembering the writer. */
  serve = (_r: StreamReader, w: StreamWriter): void => {
    this.writers.push(w);
  };

  /** Connects a Node client and waits until the server has accepted it. */
  *attach(srv: Server): Coroutine<net.Socket> {
    const port = (srv.sockets[0]!.getsockname() as [string, number])[1];
    const sock = net.connect(port, "127.0.0.1");
    yield* asyncio.ensureFuture(new Promise<void>((resolve, reject) => sock.once("connect", resolve).once("error", reject)));
    while (this.writers.length === 0) yield* asyncio.sleep(0.001);
    return sock;
  }

  /** Closes the accepted connection (the server's side). */
  detach(): void {
    this.writers.shift()!.close();
  }
}

// test_server.py TestServer2.test_wait_closed_basic
test("test_server.TestServer2.test_wait_closed_basic", () =>
  asyncio.run((function* () {
    const a = new Attachable();
    const srv = yield* asyncio.startServer(a.serve, "127.0.0.1", 0);
    try {
      // active count = 0, not closed: should block
      const task1 = asyncio.createTask(srv.waitClosed());
      yield* asyncio.sleep(0);
      assert.ok(!task1.done());
      // active count != 0, not closed: should block
      const client = yield* a.attach(srv);
      const task2 = asyncio.createTask(srv.waitClosed());
      yield* asyncio.sleep(0);
      assert.ok(!task1.done());
      assert.ok(!task2.done());
      srv.close();
      yield* asyncio.sleep(0);
      // active count != 0, closed: should block
      const task3 = asyncio.createTask(srv.waitClosed());
      yield* asyncio.sleep(0);
      assert.ok(!task1.done());
      assert.ok(!task2.done());
      assert.ok(!task3.done());
      // active count == 0, closed: should unblock
      a.detach();
      yield* task1;
      yield* task2;
      yield* task3;
      yield* srv.waitClosed(); // Return immediately
      client.destroy();
    } finally {
      srv.close();
    }
  })()));

// test_server.py TestServer2.test_wait_closed_race
test("test_server.TestServer2.test_wait_closed_race", () =>
  asyncio.run((function* () {
    const a = new Attachable();
    const srv = yield* asyncio.startServer(a.serve, "127.0.0.1", 0);
    try {
      const task = asyncio.createTask(srv.waitClosed());
      yield* asyncio.sleep(0);
      assert.ok(!task.done());
      const client = yield* a.attach(srv);
      const loop = asyncio.getRunningLoop();
      loop.callSoon(() => srv.close());
      loop.callSoon(() => a.detach());
      yield* srv.waitClosed();
      client.destroy();
    } finally {
      srv.close();
    }
  })()));
