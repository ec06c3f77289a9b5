// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_sock_lowlevel.py,
// test by test (BaseSockTestsMixin; its selector classes Kqueue/Epoll/Poll/
// Select run the same methods on the one tsyncio SelectorEventLoop, so each
// method is re-created once). Real sockets on loopback and AF_UNIX; the
// servers of test_utils are Node servers in this process (_test-utils.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import * as asyncio from "../../src/index.js";
import { BlockingIOError, ConnectionRefusedError, TimeoutError, ValueError } from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";
import * as socket from "../../src/stdlib/socket.js";
import { raises } from "./_assertions.js";
import { MyProto } from "./_test-protocols.js";
import { runTestServer, runUdpEchoServer, unixPath, withRealLoop, type TestServer } from "./_test-utils.js";

const GET = Buffer.from("GET / HTTP/1.0\r\n\r\n");

/** BaseSockTestsMixin._basetest_sock_client_ops. */
async function basetestSockClientOps(loop: asyncio.SelectorEventLoop, httpd: TestServer, sock: socket.Socket): Promise<void> {
  // In debug mode the sock_* methods refuse a blocking socket.
  loop.setDebug(true);
  sock.setblocking(true);
  await assert.rejects(loop.runUntilComplete(loop.sockConnect(sock, httpd.address)), ValueError);
  await assert.rejects(loop.runUntilComplete(loop.sockSendall(sock, GET)), ValueError);
  await assert.rejects(loop.runUntilComplete(loop.sockRecv(sock, 1024)), ValueError);
  await assert.rejects(loop.runUntilComplete(loop.sockRecvInto(sock, Buffer.alloc(0))), ValueError);
  await assert.rejects(loop.runUntilComplete(loop.sockAccept(sock)), ValueError);
  // Non-blocking mode.
  sock.setblocking(false);
  await loop.runUntilComplete(loop.sockConnect(sock, httpd.address));
  await loop.runUntilComplete(loop.sockSendall(sock, GET));
  const data = await loop.runUntilComplete(loop.sockRecv(sock, 1024));
  await loop.runUntilComplete(loop.sockRecv(sock, 1024));
  sock.close();
  assert.ok(Buffer.from(data).toString("latin1").startsWith("HTTP/1.0 200 OK"));
}

/** BaseSockTestsMixin._basetest_sock_recv_into. */
async function basetestSockRecvInto(loop: asyncio.SelectorEventLoop, httpd: TestServer, sock: socket.Socket): Promise<void> {
  sock.setblocking(false);
  await loop.runUntilComplete(loop.sockConnect(sock, httpd.address));
  await loop.runUntilComplete(loop.sockSendall(sock, GET));
  const data = Buffer.alloc(1024);
  const nbytes = await loop.runUntilComplete(loop.sockRecvInto(sock, data.subarray(0, 1024)));
  await loop.runUntilComplete(loop.sockRecvInto(sock, data.subarray(nbytes)));
  sock.close();
  assert.ok(data.toString("latin1").startsWith("HTTP/1.0 200 OK"));
}

// test_sock_lowlevel.py BaseSockTestsMixin.test_sock_client_ops
test("test_sock_lowlevel.BaseSockTestsMixin.test_sock_client_ops", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop(async (loop) => {
      await basetestSockClientOps(loop, httpd, new socket.Socket());
      await basetestSockRecvInto(loop, httpd, new socket.Socket());
    });
  } finally {
    await httpd.close();
  }
});

function* basetestSockRecvRacing(loop: asyncio.AbstractEventLoop, httpd: TestServer, sock: socket.Socket): Coroutine<void> {
  sock.setblocking(false);
  yield* loop.sockConnect(sock, httpd.address);
  const task = asyncio.createTask(loop.sockRecv(sock, 1024));
  yield* asyncio.sleep(0);
  task.cancel();
  asyncio.createTask(loop.sockSendall(sock, GET));
  const data = yield* loop.sockRecv(sock, 1024);
  yield* loop.sockRecv(sock, 1024);
  assert.ok(Buffer.from(data).toString("latin1").startsWith("HTTP/1.0 200 OK"));
}

function* basetestSockRecvIntoRacing(loop: asyncio.AbstractEventLoop, httpd: TestServer, sock: socket.Socket): Coroutine<void> {
  sock.setblocking(false);
  yield* loop.sockConnect(sock, httpd.address);
  const data = Buffer.alloc(1024);
  let task: asyncio.Task<unknown> = asyncio.createTask(loop.sockRecvInto(sock, data.subarray(0, 1024)));
  yield* asyncio.sleep(0);
  task.cancel();
  task = asyncio.createTask(loop.sockSendall(sock, GET));
  const nbytes = yield* loop.sockRecvInto(sock, data.subarray(0, 1024));
  yield* loop.sockRecvInto(sock, data.subarray(nbytes));
  assert.ok(data.toString("latin1").startsWith("HTTP/1.0 200 OK"));
  yield* task;
}

function* basetestSockSendRacing(loop: asyncio.AbstractEventLoop, listener: socket.Socket, sock: socket.Socket): Coroutine<void> {
  listener.bind(["127.0.0.1", 0]);
  listener.listen(1);
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024);
  sock.setblocking(false);
  let task: asyncio.Task<unknown> = asyncio.createTask(loop.sockConnect(sock, listener.getsockname()));
  yield* asyncio.sleep(0);
  const [server] = listener.accept();
  server.setblocking(false);
  try {
    yield* task;
    // Fill the send buffer until even 4 bytes would block.
    let size = 8192;
    while (size >= 4) {
      assert.throws(() => {
        for (;;) sock.send(Buffer.alloc(size, " "));
      }, BlockingIOError);
      size = Math.trunc(size / 2);
    }
    // Cancel a blocked sock_sendall.
    task = asyncio.createTask(loop.sockSendall(sock, Buffer.from("hello")));
    yield* asyncio.sleep(0);
    task.cancel();
    function* recvAll(): Coroutine<string> {
      let rv = "";
      for (;;) {
        const buf = yield* loop.sockRecv(server, 8192);
        if (buf.length === 0) return rv;
        rv += Buffer.from(buf).toString("latin1").trim();
      }
    }
    const recv = asyncio.createTask(recvAll());
    // Another sock_sendall right away.
    yield* loop.sockSendall(sock, Buffer.from("world"));
    sock.shutdown(socket.SHUT_WR);
    const data = yield* recv;
    assert.ok(data.endsWith("world"), data);
  } finally {
    server.close();
  }
}

// test_sock_lowlevel.py BaseSockTestsMixin.test_sock_client_racing
test("test_sock_lowlevel.BaseSockTestsMixin.test_sock_client_racing", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop(async (loop) => {
      let sock = new socket.Socket();
      try {
        await loop.runUntilComplete(asyncio.waitFor(basetestSockRecvRacing(loop, httpd, sock), 10));
      } finally {
        sock.close();
      }
      sock = new socket.Socket();
      try {
        await loop.runUntilComplete(asyncio.waitFor(basetestSockRecvIntoRacing(loop, httpd, sock), 10));
      } finally {
        sock.close();
      }
      const listener = new socket.Socket();
      sock = new socket.Socket();
      try {
        await loop.runUntilComplete(asyncio.waitFor(basetestSockSendRacing(loop, listener, sock), 10));
      } finally {
        listener.close();
        sock.close();
      }
    });
  } finally {
    await httpd.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_sock_client_connect_racing
test("test_sock_lowlevel.BaseSockTestsMixin.test_sock_client_connect_racing", async () => {
  await withRealLoop(async (loop) => {
    const listener = new socket.Socket();
    const sock = new socket.Socket();
    try {
      await loop.runUntilComplete(asyncio.waitFor((function* () {
        listener.bind(["127.0.0.1", 0]);
        const addr = listener.getsockname();
        sock.setblocking(false);
        const task = asyncio.createTask(loop.sockConnect(sock, addr));
        yield* asyncio.sleep(0);
        task.cancel();
        listener.listen(1);
        // Linux needs a retry after the refused attempt; CPython retries up to 128 times.
        let last: unknown = null;
        for (let i = 0; i < 128; i++) {
          try {
            yield* loop.sockConnect(sock, addr);
            return;
          } catch (e) {
            if (!(e instanceof asyncio.OSError)) throw e;
            last = e;
            if (!(e instanceof ConnectionRefusedError)) break;
          }
        }
        assert.fail(`sock_connect never succeeded: ${String(last)}`);
      })(), 10));
    } finally {
      listener.close();
      sock.close();
    }
  });
});

/** BaseSockTestsMixin._basetest_huge_content and _basetest_huge_content_recvinto. */
function* basetestHugeContent(loop: asyncio.AbstractEventLoop, address: [string, number] | string, recvInto: boolean): Coroutine<void> {
  const sock = new socket.Socket();
  sock.setblocking(false);
  const DATA_SIZE = 10_000_00;
  const chunk = Buffer.alloc(DATA_SIZE, "0123456789");
  yield* loop.sockConnect(sock, address);
  yield* loop.sockSendall(sock, Buffer.from(`POST /loop HTTP/1.0\r\nContent-Length: ${DATA_SIZE}\r\n\r\n`));
  const task = asyncio.createTask(loop.sockSendall(sock, chunk));
  const array = Buffer.alloc(DATA_SIZE);
  function* recv(): Coroutine<Buffer> {
    if (!recvInto) return Buffer.from(yield* loop.sockRecv(sock, DATA_SIZE));
    const n = yield* loop.sockRecvInto(sock, array);
    return Buffer.from(array.subarray(0, n));
  }
  let data = yield* recv();
  assert.ok(data.toString("latin1").startsWith("HTTP/1.0 200 OK"));
  while (data.indexOf("\r\n\r\n") === -1) data = recvInto ? yield* recv() : Buffer.concat([data, yield* recv()]);
  data = data.subarray(data.indexOf("\r\n\r\n") + 4);
  let size = DATA_SIZE;
  let pos = 0;
  const check = (d: Buffer) => {
    const expected = Buffer.alloc(d.length);
    for (let i = 0; i < d.length; i++) expected[i] = 0x30 + ((pos + i) % 10);
    assert.ok(d.equals(expected));
    pos += d.length;
    size -= d.length;
  };
  check(data);
  for (;;) {
    data = yield* recv();
    if (data.length === 0) break;
    check(data);
  }
  assert.equal(size, 0);
  yield* task;
  sock.close();
}

// test_sock_lowlevel.py BaseSockTestsMixin.test_huge_content
test("test_sock_lowlevel.BaseSockTestsMixin.test_huge_content", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop((loop) => loop.runUntilComplete(basetestHugeContent(loop, httpd.address, false)));
  } finally {
    await httpd.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_huge_content_recvinto
test("test_sock_lowlevel.BaseSockTestsMixin.test_huge_content_recvinto", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop((loop) => loop.runUntilComplete(basetestHugeContent(loop, httpd.address, true)));
  } finally {
    await httpd.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_recvfrom
test("test_sock_lowlevel.BaseSockTestsMixin.test_recvfrom", async () => {
  const srv = await runUdpEchoServer();
  try {
    await withRealLoop((loop) => loop.runUntilComplete((function* () {
      const data = Buffer.alloc(4096, 1);
      const sock = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
      try {
        sock.setblocking(false);
        yield* loop.sockSendto(sock, data, srv.address);
        const [received, from] = yield* loop.sockRecvfrom(sock, 4096);
        assert.ok(Buffer.from(received).equals(data));
        assert.deepEqual(from, srv.address);
      } finally {
        sock.close();
      }
    })()));
  } finally {
    await srv.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_recvfrom_into
test("test_sock_lowlevel.BaseSockTestsMixin.test_recvfrom_into", async () => {
  const srv = await runUdpEchoServer();
  try {
    await withRealLoop((loop) => loop.runUntilComplete((function* () {
      const sock = new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM);
      try {
        sock.setblocking(false);
        let buf = Buffer.alloc(4096);
        const data = Buffer.alloc(4096, 1);
        yield* loop.sockSendto(sock, data, srv.address);
        let [n, from] = yield* loop.sockRecvfromInto(sock, buf);
        assert.equal(n, 4096);
        assert.ok(buf.equals(data));
        assert.deepEqual(from, srv.address);
        buf = Buffer.alloc(8192);
        yield* loop.sockSendto(sock, data, srv.address);
        [n, from] = yield* loop.sockRecvfromInto(sock, buf, 4096);
        assert.equal(n, 4096);
        assert.ok(buf.subarray(0, 4096).equals(data));
        assert.deepEqual(from, srv.address);
      } finally {
        sock.close();
      }
    })()));
  } finally {
    await srv.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_sendto_blocking. CPython mocks
// sock.sendto() to raise BlockingIOError once; here the send really blocks: an
// AF_UNIX datagram socket whose peer's queue is full gets EAGAIN, and
// sock_sendto must wait until the peer reads, then deliver the datagram.
test("test_sock_lowlevel.BaseSockTestsMixin.test_sendto_blocking", async () => {
  const srvPath = unixPath();
  const cliPath = unixPath();
  await withRealLoop((loop) => loop.runUntilComplete((function* () {
    const server = new socket.Socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    const sock = new socket.Socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    try {
      server.bind(srvPath);
      server.setblocking(false);
      sock.bind(cliPath);
      sock.connect(srvPath);
      sock.setblocking(false);
      const data = Buffer.alloc(4096, 1);
      let queued = 0;
      assert.throws(() => {
        for (;;) {
          sock.sendto(Buffer.from("fill"), srvPath);
          queued++;
        }
      }, BlockingIOError);
      // The peer drains its queue (and echoes the last datagram) only later.
      loop.callSoon(() => {
        const drained: Buffer[] = [];
        const drain = () => {
          for (;;) {
            try {
              drained.push(server.recv(8192));
            } catch (e) {
              if (e instanceof BlockingIOError) break;
              throw e;
            }
          }
          if (drained.length > queued) {
            server.sendto(drained[drained.length - 1]!, cliPath);
            loop.removeReader(server);
          }
        };
        loop.addReader(server, drain);
      });
      yield* loop.sockSendto(sock, data, srvPath);
      const [received, from] = yield* loop.sockRecvfrom(sock, 4096);
      assert.ok(Buffer.from(received).equals(data));
      assert.equal(from, srvPath);
    } finally {
      server.close();
      sock.close();
      for (const p of [srvPath, cliPath]) rmSync(p, { force: true });
    }
  })()));
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_unix_sock_client_ops
test("test_sock_lowlevel.BaseSockTestsMixin.test_unix_sock_client_ops", async () => {
  const httpd = await runTestServer({ unix: true });
  try {
    await withRealLoop(async (loop) => {
      await basetestSockClientOps(loop, httpd, new socket.Socket(socket.AF_UNIX));
      await basetestSockRecvInto(loop, httpd, new socket.Socket(socket.AF_UNIX));
    });
  } finally {
    await httpd.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_sock_client_fail
test("test_sock_lowlevel.BaseSockTestsMixin.test_sock_client_fail", async () => {
  const s = new socket.Socket();
  s.bind(["127.0.0.1", 0]);
  const address = s.getsockname();
  s.close();
  await withRealLoop(async (loop) => {
    const sock = new socket.Socket();
    sock.setblocking(false);
    await assert.rejects(loop.runUntilComplete(loop.sockConnect(sock, address)), ConnectionRefusedError);
    sock.close();
  });
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_sock_accept
test("test_sock_lowlevel.BaseSockTestsMixin.test_sock_accept", async () => {
  await withRealLoop(async (loop) => {
    const listener = new socket.Socket();
    listener.setblocking(false);
    listener.bind(["127.0.0.1", 0]);
    listener.listen(1);
    const client = new socket.Socket();
    client.connect(listener.getsockname());
    const [conn, addr] = await loop.runUntilComplete(loop.sockAccept(listener));
    assert.equal(conn.gettimeout(), 0);
    assert.deepEqual(addr, client.getsockname());
    assert.deepEqual(client.getpeername(), listener.getsockname());
    client.close();
    conn.close();
    listener.close();
  });
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_cancel_sock_accept (the 0.1 s
// wait_for timeout runs on a virtual clock)
test("test_sock_lowlevel.BaseSockTestsMixin.test_cancel_sock_accept", async () => {
  const loop = asyncio.testing.newVirtualTimeLoop();
  try {
    const listener = new socket.Socket();
    listener.setblocking(false);
    listener.bind(["127.0.0.1", 0]);
    listener.listen(1);
    const sockaddr = listener.getsockname();
    await assert.rejects(loop.runUntilComplete(asyncio.waitFor(loop.sockAccept(listener), 0.1)), TimeoutError);
    listener.close();
    const client = new socket.Socket();
    client.setblocking(false);
    await assert.rejects(loop.runUntilComplete(loop.sockConnect(client, sockaddr)), ConnectionRefusedError);
    client.close();
  } finally {
    loop.close();
  }
});

// test_sock_lowlevel.py BaseSockTestsMixin.test_create_connection_sock
test("test_sock_lowlevel.BaseSockTestsMixin.test_create_connection_sock", async () => {
  const httpd = await runTestServer();
  try {
    await withRealLoop(async (loop) => {
      const [host, port] = httpd.address as [string, number];
      const infos = await loop.runUntilComplete(loop.getaddrinfo(host, port, { type: socket.SOCK_STREAM }));
      let sock: socket.Socket | null = null;
      for (const [family, type, proto, , address] of infos) {
        try {
          sock = new socket.Socket(family, type, proto);
          sock.setblocking(false);
          await loop.runUntilComplete(loop.sockConnect(sock, address));
          break;
        } catch {
          sock = null;
        }
      }
      assert.ok(sock, "Can not create socket.");
      const [tr, pr] = await loop.runUntilComplete(loop.createConnection(() => new MyProto(loop), undefined, undefined, { sock }));
      assert.ok(tr instanceof asyncio.Transport);
      assert.ok(pr instanceof asyncio.Protocol);
      await loop.runUntilComplete(pr.done!);
      assert.ok(pr.nbytes > 0);
      tr.close();
    });
  } finally {
    await httpd.close();
  }
});
