// Conformance: re-creates the test methods CPython 3.13.0 added to
// test_server.py (TestServer2.test_close_clients/test_abort_clients and
// UnixServerCleanupTests), with real sockets on loopback and real Unix socket
// files. The 3.12.1 tests are in server.test.ts. IsolatedAsyncioTestCase
// becomes asyncio.run; addCleanup becomes try/finally. Python's
// `cleanup_socket=False` is the `cleanup: false` option here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../../src/index.js";
import type { Coroutine, StreamReader, StreamWriter } from "../../src/index.js";
import { AF_UNIX, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_SNDBUF, Socket } from "../../src/stdlib/socket.js";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { debug: false });
}

/** test_utils.unix_socket_path(): a fresh path in a temporary directory, removed afterwards. */
async function withUnixSocketPath(body: (addr: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "d1-srv-"));
  try {
    await body(join(dir, "sock"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// eslint-disable-next-line require-yield
function* serveNothing(): Coroutine<void> {}

// test_server.py (3.13) TestServer2.test_close_clients
test("test_server.py (3.13) TestServer2.test_close_clients", () =>
  run(function* () {
    function* serve(rd: StreamReader, wr: StreamWriter): Coroutine<void> {
      try {
        yield* rd.read();
      } finally {
        wr.close();
        yield* wr.waitClosed();
      }
    }
    const srv = yield* asyncio.startServer(serve, "127.0.0.1", 0);
    try {
      const addr = srv.sockets[0]!.getsockname() as [string, number];
      const [, wr] = yield* asyncio.openConnection(addr[0], addr[1]);
      try {
        const task = asyncio.createTask(srv.waitClosed());
        yield* asyncio.sleep(0);
        assert.ok(!task.done());
        srv.close();
        srv.closeClients();
        yield* asyncio.sleep(0);
        yield* asyncio.sleep(0);
        assert.ok(task.done());
      } finally {
        wr.close();
      }
    } finally {
      srv.close();
    }
  }));

// test_server.py (3.13) TestServer2.test_abort_clients
test("test_server.py (3.13) TestServer2.test_abort_clients", () =>
  run(function* () {
    const fut = new asyncio.Future<[StreamReader, StreamWriter]>();
    function* serve(rd: StreamReader, wr: StreamWriter): Coroutine<void> {
      fut.setResult([rd, wr]);
      yield* wr.waitClosed();
    }
    const srv = yield* asyncio.startServer(serve, "127.0.0.1", 0);
    try {
      const addr = srv.sockets[0]!.getsockname() as [string, number];
      const [, cWr] = yield* asyncio.openConnection(addr[0], addr[1], { limit: 4096 });
      try {
        const [, sWr] = yield* fut;
        const sSock = sWr.getExtraInfo("socket") as Socket;
        sSock.setsockopt(SOL_SOCKET, SO_SNDBUF, 65536);
        const cSock = cWr.getExtraInfo("socket") as Socket;
        cSock.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
        // Fill the client's reader past twice its limit, so it pauses reading.
        for (let i = 0; i < 3; i++) sWr.write(Buffer.alloc(4096, "a"));
        const cTransport = cWr.transport as asyncio.Transport;
        while (cTransport.isReading()) yield* asyncio.sleep(0);
        // Then write until the server transport buffers data itself.
        const cBufsize = cSock.getsockopt(SOL_SOCKET, SO_RCVBUF);
        const sBufsize = sSock.getsockopt(SOL_SOCKET, SO_SNDBUF);
        for (let i = 0; i < 10; i++) {
          sWr.write(Buffer.alloc(cBufsize, "a"));
          sWr.write(Buffer.alloc(sBufsize, "a"));
          if (sWr.transport.getWriteBufferSize() > 0) break;
        }
        assert.notEqual(sWr.transport.getWriteBufferSize(), 0);
        const task = asyncio.createTask(srv.waitClosed());
        yield* asyncio.sleep(0);
        assert.ok(!task.done());
        srv.close();
        srv.abortClients();
        yield* asyncio.sleep(0);
        yield* asyncio.sleep(0);
        assert.ok(task.done());
      } finally {
        cWr.close();
      }
    } finally {
      srv.close();
    }
  }));

// test_server.py (3.13) UnixServerCleanupTests.test_unix_server_addr_cleanup
test("test_server.py (3.13) UnixServerCleanupTests.test_unix_server_addr_cleanup", () =>
  withUnixSocketPath((addr) => run(function* () {
    const srv = yield* asyncio.startUnixServer(serveNothing, addr);
    srv.close();
    assert.ok(!existsSync(addr));
  })));

// test_server.py (3.13) UnixServerCleanupTests.test_unix_server_sock_cleanup
test("test_server.py (3.13) UnixServerCleanupTests.test_unix_server_sock_cleanup", () =>
  withUnixSocketPath((addr) => run(function* () {
    const sock = new Socket(AF_UNIX, SOCK_STREAM);
    try {
      sock.bind(addr);
      const srv = yield* asyncio.startUnixServer(serveNothing, null, { sock });
      srv.close();
      assert.ok(!existsSync(addr));
    } finally {
      sock.close();
    }
  })));

// test_server.py (3.13) UnixServerCleanupTests.test_unix_server_cleanup_gone
test("test_server.py (3.13) UnixServerCleanupTests.test_unix_server_cleanup_gone", () =>
  withUnixSocketPath((addr) => run(function* () {
    const sock = new Socket(AF_UNIX, SOCK_STREAM);
    try {
      sock.bind(addr);
      const srv = yield* asyncio.startUnixServer(serveNothing, null, { sock });
      unlinkSync(addr);
      srv.close(); // no error when the file is already gone
    } finally {
      sock.close();
    }
  })));

// test_server.py (3.13) UnixServerCleanupTests.test_unix_server_cleanup_replaced
test("test_server.py (3.13) UnixServerCleanupTests.test_unix_server_cleanup_replaced", () =>
  withUnixSocketPath((addr) => run(function* () {
    const srv = yield* asyncio.startUnixServer(serveNothing, addr);
    unlinkSync(addr);
    const sock = new Socket(AF_UNIX, SOCK_STREAM);
    try {
      sock.bind(addr);
      srv.close();
      assert.ok(existsSync(addr));
    } finally {
      sock.close();
    }
  })));

// test_server.py (3.13) UnixServerCleanupTests.test_unix_server_cleanup_prevented
test("test_server.py (3.13) UnixServerCleanupTests.test_unix_server_cleanup_prevented", () =>
  withUnixSocketPath((addr) => run(function* () {
    const srv = yield* asyncio.startUnixServer(serveNothing, addr, { cleanup: false });
    srv.close();
    assert.ok(existsSync(addr));
  })));
