// loop.createUnixServer and loop.createUnixConnection on real AF_UNIX sockets
// (paths and abstract names): the behaviour CPython's test_events.py,
// test_unix_events.py and test_server.py (UnixServerCleanupTests) check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import {
  ConnectionRefusedError, FileNotFoundError, OSError, ValueError, type Coroutine,
} from "../src/index.js";
import { inLoop, futureRaises as raises } from "./helpers/loop.js";

const { AF_INET, AF_UNIX, SOCK_STREAM, SOCK_DGRAM } = socket;
const EADDRINUSE = 98;

const dir = mkdtempSync(join(tmpdir(), "tsyncio-unix-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const newPath = (): string => join(dir, `s${++counter}.sock`);

class Echo extends asyncio.Protocol {
  t: asyncio.Transport | null = null;
  override connectionMade(t: asyncio.BaseTransport): void {
    this.t = t as asyncio.Transport;
  }
  override dataReceived(d: Uint8Array): void {
    this.t!.write(d);
  }
}

class Client extends asyncio.Protocol {
  data = "";
  t: asyncio.Transport | null = null;
  got: asyncio.Future<void>;
  lost: asyncio.Future<void>;
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.got = loop.createFuture();
    this.lost = loop.createFuture();
  }
  override connectionMade(t: asyncio.BaseTransport): void {
    this.t = t as asyncio.Transport;
  }
  override dataReceived(d: Uint8Array): void {
    this.data += Buffer.from(d).toString();
    if (!this.got.done()) this.got.setResult(undefined);
  }
  override connectionLost(): void {
    if (!this.lost.done()) this.lost.setResult(undefined);
  }
}

function* echoOnce(loop: asyncio.BaseEventLoop, path: string, msg: string): Coroutine<asyncio.Transport> {
  const [tr, c] = yield* loop.createUnixConnection(() => new Client(loop), path);
  tr.write(Buffer.from(msg));
  yield* c.got;
  assert.equal(c.data, msg);
  return tr;
}

test("createUnixServer on a path; createUnixConnection echoes; close removes the socket file", () =>
  inLoop(function* (loop) {
    const path = newPath();
    const srv = yield* loop.createUnixServer(() => new Echo(), path);
    assert.ok(existsSync(path));
    assert.equal(srv.sockets[0]!.family, AF_UNIX);
    assert.equal(srv.sockets[0]!.getsockname(), path);
    const tr = yield* echoOnce(loop, path, "unix hello");
    assert.equal(tr.getExtraInfo("peername"), path);
    tr.close();
    srv.close();
    assert.equal(existsSync(path), false);
    yield* srv.waitClosed();
  }));

test("createUnixServer with an abstract name (leading NUL)", () =>
  inLoop(function* (loop) {
    const name = `\0tsyncio-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const srv = yield* loop.createUnixServer(() => new Echo(), name);
    assert.equal(srv.sockets[0]!.getsockname(), name);
    const tr = yield* echoOnce(loop, name, "abstract");
    tr.close();
    srv.close();
    yield* srv.waitClosed();
  }));

test("a stale socket file is replaced; a file that is not a socket is left and bind fails", () =>
  inLoop(function* (loop) {
    const path = newPath();
    const stale = new socket.Socket(AF_UNIX, SOCK_STREAM);
    stale.bind(path);
    stale.close();
    assert.ok(existsSync(path));
    const srv = yield* loop.createUnixServer(() => new Echo(), path);
    const tr = yield* echoOnce(loop, path, "fresh");
    tr.close();
    srv.close();

    const regular = newPath();
    writeFileSync(regular, "not a socket");
    const e = yield* raises(loop.createUnixServer(() => new Echo(), regular), OSError);
    assert.equal((e as OSError).errno, EADDRINUSE);
    assert.equal(e.message, `[Errno 98] Address '${regular}' is already in use`);
    assert.ok(existsSync(regular), "the regular file is untouched");
  }));

test("cleanup: false keeps the socket file", () =>
  inLoop(function* (loop) {
    const path = newPath();
    const srv = yield* loop.createUnixServer(() => new Echo(), path, { cleanup: false });
    srv.close();
    assert.ok(existsSync(path));
    unlinkSync(path);
  }));

test("a server on an already bound sock removes its file on close; a replaced file is left alone", () =>
  inLoop(function* (loop) {
    const path = newPath();
    const sock = new socket.Socket(AF_UNIX, SOCK_STREAM);
    sock.bind(path);
    const srv = yield* loop.createUnixServer(() => new Echo(), undefined, { sock });
    const tr = yield* echoOnce(loop, path, "pre-bound");
    tr.close();
    srv.close();
    assert.equal(existsSync(path), false);

    // Someone else already removed the file: close() does not complain.
    const gone = newPath();
    const srv2 = yield* loop.createUnixServer(() => new Echo(), gone);
    unlinkSync(gone);
    srv2.close();

    // Someone else put their own socket there: it is not ours to remove.
    const replaced = newPath();
    const srv3 = yield* loop.createUnixServer(() => new Echo(), replaced);
    unlinkSync(replaced);
    const theirs = new socket.Socket(AF_UNIX, SOCK_STREAM);
    theirs.bind(replaced);
    srv3.close();
    assert.ok(existsSync(replaced));
    theirs.close();
  }));

test("createUnixConnection to a missing path or a path nobody listens on", () =>
  inLoop(function* (loop) {
    yield* raises(loop.createUnixConnection(() => new Client(loop), join(dir, "missing.sock")), FileNotFoundError);
    const path = newPath();
    const dead = new socket.Socket(AF_UNIX, SOCK_STREAM);
    dead.bind(path);
    try {
      yield* raises(loop.createUnixConnection(() => new Client(loop), path), ConnectionRefusedError);
    } finally {
      dead.close();
    }
  }));

test("createUnixConnection with a connected sock; createConnection accepts AF_UNIX stream socks too", () =>
  inLoop(function* (loop) {
    const path = newPath();
    const srv = yield* loop.createUnixServer(() => new Echo(), path);
    for (const api of ["unix", "tcp"] as const) {
      const s = new socket.Socket(AF_UNIX, SOCK_STREAM);
      s.setblocking(false);
      yield* loop.sockConnect(s, path);
      const [tr, c] = api === "unix"
        ? yield* loop.createUnixConnection(() => new Client(loop), undefined, { sock: s })
        : yield* loop.createConnection(() => new Client(loop), undefined, undefined, { sock: s });
      tr.write(Buffer.from(api));
      yield* c.got;
      assert.equal(c.data, api);
      tr.close();
      yield* c.lost;
    }
    srv.close();
    yield* srv.waitClosed();
  }));

test("Unix argument errors are Python's", () =>
  inLoop(function* (loop) {
    const pf = () => new Client(loop);
    const inet = new socket.Socket(AF_INET, SOCK_STREAM);
    const dgram = new socket.Socket(AF_UNIX, SOCK_DGRAM);
    const unixSock = new socket.Socket(AF_UNIX, SOCK_STREAM);
    try {
      yield* raises(loop.createUnixServer(pf, "/x", { sock: unixSock }), ValueError, "path and sock can not be specified at the same time");
      yield* raises(loop.createUnixServer(pf), ValueError, "path was not specified, and no sock specified");
      yield* raises(loop.createUnixServer(pf, undefined, { sock: inet }), ValueError, /^A UNIX Domain Stream Socket was expected, got/);
      yield* raises(loop.createUnixServer(pf, undefined, { sock: dgram }), ValueError, /^A UNIX Domain Stream Socket was expected, got/);
      yield* raises(loop.createUnixServer(pf, "/x", { ssl: true as never }), TypeError, "ssl argument must be an SSLContext or None");
      yield* raises(loop.createUnixServer(pf, "/x", { sslHandshakeTimeout: 1 }), ValueError, "ssl_handshake_timeout is only meaningful with ssl");
      yield* raises(loop.createUnixServer(pf, "/x", { sslShutdownTimeout: 1 }), ValueError, "ssl_shutdown_timeout is only meaningful with ssl");
      yield* raises(loop.createUnixConnection(pf, "/x", { sock: unixSock }), ValueError, "path and sock can not be specified at the same time");
      yield* raises(loop.createUnixConnection(pf), ValueError, "no path and sock were specified");
      yield* raises(loop.createUnixConnection(pf, undefined, { sock: inet }), ValueError, /^A UNIX Domain Stream Socket was expected, got/);
      yield* raises(loop.createUnixConnection(pf, "/x", { serverHostname: "h" }), ValueError, "server_hostname is only meaningful with ssl");
      yield* raises(loop.createUnixConnection(pf, "/x", { ssl: true }), ValueError, "you have to pass server_hostname when using ssl");
      yield* raises(loop.createUnixConnection(pf, "/x", { sslHandshakeTimeout: 1 }), ValueError, "ssl_handshake_timeout is only meaningful with ssl");
      yield* raises(loop.createUnixConnection(pf, "/x", { sslShutdownTimeout: 1 }), ValueError, "ssl_shutdown_timeout is only meaningful with ssl");
    } finally {
      inet.close();
      dgram.close();
      unixSock.close();
    }
  }));

test("startServing: false, then serveForever, cancelled: the socket file is gone", () =>
  inLoop(function* (loop) {
    const path = newPath();
    const srv = yield* loop.createUnixServer(() => new Echo(), path, { startServing: false });
    assert.equal(srv.isServing(), false);
    yield* srv.startServing();
    assert.equal(srv.isServing(), true);
    const main = asyncio.ensureFuture(srv.serveForever());
    const tr = yield* echoOnce(loop, path, "served");
    tr.close();
    main.cancel();
    yield* asyncio.wait([main]);
    assert.ok(main.cancelled());
    assert.deepEqual(srv.sockets, []);
    assert.equal(existsSync(path), false);
  }));
