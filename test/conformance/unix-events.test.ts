// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_unix_events.py,
// test by test. CPython mocks the `signal` module, `os.read`/`os.write` and
// the pipe object; here the tests use real signals (process.kill of this
// process), real os pipes (pipe2) behind connectReadPipe/connectWritePipe,
// real AF_UNIX sockets and real sendfile(2). Child watchers, fork and the
// mocked OS failures are listed in SKIPPED.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../../src/index.js";
import {
  BrokenPipeError, CancelledError, FileNotFoundError, OSError, RuntimeError, SendfileNotAvailableError, ValueError,
} from "../../src/index.js";
import type { BaseEventLoop, Coroutine, ReadTransport, WriteTransport } from "../../src/index.js";
import { AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_SNDBUF, Socket } from "../../src/stdlib/socket.js";
import { native } from "../../src/internal/native.js";
import {
  Recorder, captureLogs, fdClosed, fillFd, nbPair, nonBlockingPipe, readFd, tick, until, withLoop,
} from "./_transport-helpers.js";
import { recordMessages } from "./_test-utils.js";

const N = native();

function tmpPath(name: string): { path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), "c6-unix-"));
  return { path: join(dir, name), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Python raises at the call: a synchronous error, or a coroutine that raises when run. */
function* raises(make: () => Coroutine<unknown>, cls: Function, re: RegExp): Coroutine<void> {
  try {
    yield* make();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.fail(`expected ${cls.name}`);
}

// ---- SelectorEventLoopSignalTests ---------------------------------------------

test("test_unix_events.py SelectorEventLoopSignalTests.test_check_signal", () =>
  withLoop(function* (loop) {
    // A signal must be an int (or, in tsyncio, a signal name); NSIG + 1 is out of range.
    assert.throws(() => loop.addSignalHandler(1.5 as number, () => {}), TypeError);
    assert.throws(() => loop.addSignalHandler({} as unknown as number, () => {}), TypeError);
    assert.throws(() => loop.addSignalHandler(65 + 1, () => {}), ValueError);
    assert.throws(() => loop.addSignalHandler("1", () => {}), ValueError);
  }));

test("test_unix_events.py SelectorEventLoopSignalTests.test_add_signal_handler_coroutine_error", () =>
  withLoop(function* (loop) {
    function* simpleCoroutine(): Coroutine<void> {}
    const coroObj = simpleCoroutine();
    for (const func of [simpleCoroutine, coroObj]) {
      assert.throws(() => loop.addSignalHandler("SIGINT", func as unknown as () => void), (e: unknown) =>
        e instanceof TypeError && /coroutines cannot be used with add_signal_handler/.test(e.message));
    }
    coroObj.return(undefined);
  }));

test("test_unix_events.py SelectorEventLoopSignalTests.test_add_signal_handler", () =>
  withLoop(function* (loop) {
    const got: unknown[] = [];
    loop.addSignalHandler("SIGHUP", (x: unknown) => got.push(x), "arg");
    process.kill(process.pid, "SIGHUP");
    yield* until(() => got.length === 1, "SIGHUP");
    assert.deepEqual(got, ["arg"]);
    assert.equal(loop.removeSignalHandler("SIGHUP"), true);
  }));

test("test_unix_events.py SelectorEventLoopSignalTests.test_add_signal_handler_install_error2", () =>
  withLoop(function* (loop) {
    // The OS refuses the handler (EINVAL: SIGKILL cannot be caught): RuntimeError, other handlers untouched.
    let hup = 0;
    loop.addSignalHandler("SIGHUP", () => hup++);
    assert.throws(() => loop.addSignalHandler("SIGKILL", () => {}), RuntimeError);
    process.kill(process.pid, "SIGHUP");
    yield* until(() => hup === 1, "SIGHUP");
    loop.removeSignalHandler("SIGHUP");
  }));

test("test_unix_events.py SelectorEventLoopSignalTests.test_add_signal_handler_install_error3", () =>
  withLoop(function* (loop) {
    // Same with no other handler installed: RuntimeError, and nothing left registered.
    assert.throws(() => loop.addSignalHandler("SIGSTOP", () => {}), RuntimeError);
    assert.equal(loop.removeSignalHandler("SIGSTOP"), false);
  }));

test("test_unix_events.py SelectorEventLoopSignalTests.test_remove_signal_handler", () =>
  withLoop(function* (loop) {
    const before = process.listenerCount("SIGHUP");
    let calls = 0;
    loop.addSignalHandler("SIGHUP", () => calls++);
    assert.equal(loop.removeSignalHandler("SIGHUP"), true);
    // Back to the disposition it had (the listeners of before).
    assert.equal(process.listenerCount("SIGHUP"), before);
    assert.equal(loop.removeSignalHandler("SIGHUP"), false);
    assert.equal(calls, 0);
  }));

test("test_unix_events.py SelectorEventLoopSignalTests.test_remove_signal_handler_2", () =>
  withLoop(function* (loop) {
    // SIGINT goes back to the previous listeners (Python: default_int_handler); another signal's handler stays.
    const mine = (): void => {};
    process.on("SIGINT", mine);
    try {
      let hup = 0;
      loop.addSignalHandler("SIGINT", () => {});
      loop.addSignalHandler("SIGHUP", () => hup++);
      assert.equal(process.listeners("SIGINT").includes(mine), false);
      assert.equal(loop.removeSignalHandler("SIGINT"), true);
      assert.equal(process.listeners("SIGINT").includes(mine), true);
      process.kill(process.pid, "SIGHUP");
      yield* until(() => hup === 1, "SIGHUP");
      loop.removeSignalHandler("SIGHUP");
    } finally {
      process.removeListener("SIGINT", mine);
    }
  }));

test("test_unix_events.py SelectorEventLoopSignalTests.test_close", async () => {
  const loop = asyncio.newEventLoop();
  const hup = process.listenerCount("SIGHUP");
  const chld = process.listenerCount("SIGCHLD");
  loop.addSignalHandler("SIGHUP", () => {});
  loop.addSignalHandler("SIGCHLD", () => {});
  loop.close();
  // close() removes every signal handler of the loop.
  assert.equal(process.listenerCount("SIGHUP"), hup);
  assert.equal(process.listenerCount("SIGCHLD"), chld);
});

// ---- SelectorEventLoopUnixSocketTests -----------------------------------------

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_existing_path_sock", () =>
  withLoop(function* (loop) {
    const t = tmpPath("s");
    const sock = new Socket(AF_UNIX);
    sock.bind(t.path);
    sock.listen(1);
    sock.close();
    // A stale socket file at the path is replaced.
    const srv = yield* loop.createUnixServer(() => new asyncio.Protocol(), t.path);
    srv.close();
    yield* srv.waitClosed();
    t.done();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_pathlib", () =>
  withLoop(function* (loop) {
    // pathlib.Path has no TypeScript counterpart; a URL-free path string made by path.join stands for it.
    const t = tmpPath("p");
    const srv = yield* loop.createUnixServer(() => new asyncio.Protocol(), t.path);
    srv.close();
    yield* srv.waitClosed();
    t.done();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_connection_pathlib", () =>
  withLoop(function* (loop) {
    const t = tmpPath("none");
    yield* raises(() => loop.createUnixConnection(() => new asyncio.Protocol(), t.path), FileNotFoundError, /.*/);
    t.done();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_existing_path_nonsock", () =>
  withLoop(function* (loop) {
    const t = tmpPath("file");
    writeFileSync(t.path, "");
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), t.path), OSError, /Address.*is already in use/);
    t.done();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_ssl_bool", () =>
  withLoop(function* (loop) {
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), "spam", { ssl: true as never }),
      TypeError, /ssl argument must be an SSLContext/);
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_nopath_nosock", () =>
  withLoop(function* (loop) {
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), null), ValueError, /path was not specified, and no sock/);
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_path_inetsock", () =>
  withLoop(function* (loop) {
    const sock = new Socket(AF_INET, SOCK_STREAM);
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), null, { sock }), ValueError, /A UNIX Domain Stream.*was expected/);
    sock.close();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_path_dgram", () =>
  withLoop(function* (loop) {
    const sock = new Socket(AF_UNIX, SOCK_DGRAM);
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), null, { sock }), ValueError, /A UNIX Domain Stream.*was expected/);
    sock.close();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_path_stream_bittype", () =>
  withLoop(function* (loop) {
    const t = tmpPath("b");
    const sock = new Socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    sock.bind(t.path);
    const srv = yield* loop.createUnixServer(() => new asyncio.Protocol(), null, { sock });
    srv.close();
    yield* srv.waitClosed();
    t.done();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_ssl_timeout_with_plain_sock", () =>
  withLoop(function* (loop) {
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), "spam", { sslHandshakeTimeout: 1 }),
      ValueError, /ssl_handshake_timeout is only meaningful with ssl/);
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_connection_path_inetsock", () =>
  withLoop(function* (loop) {
    const sock = new Socket(AF_INET, SOCK_STREAM);
    yield* raises(() => loop.createUnixConnection(() => new asyncio.Protocol(), null, { sock }), ValueError, /A UNIX Domain Stream.*was expected/);
    sock.close();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_server_bind_error", () =>
  withLoop(function* (loop) {
    // A bind error (here EACCES/ENOENT under a path that cannot exist) raises, and leaks no fd.
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), "/nonexistent-dir-c6/test"), OSError, /.*/);
    // Probe: a fresh socket gets the lowest free fd, the same as before the failed call.
    const a = new Socket(AF_UNIX);
    const fdA = a.fileno();
    a.close();
    yield* raises(() => loop.createUnixServer(() => new asyncio.Protocol(), "/nonexistent-dir-c6/test"), OSError, /.*/);
    const b = new Socket(AF_UNIX);
    assert.equal(b.fileno(), fdA);
    b.close();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_connection_path_sock", () =>
  withLoop(function* (loop) {
    const [a, b] = nbPair();
    yield* raises(() => loop.createUnixConnection(() => new asyncio.Protocol(), "/dev/null", { sock: a }), ValueError, /path and sock can not be/);
    a.close();
    b.close();
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_connection_nopath_nosock", () =>
  withLoop(function* (loop) {
    yield* raises(() => loop.createUnixConnection(() => new asyncio.Protocol(), null), ValueError, /no path and sock were specified/);
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_connection_nossl_serverhost", () =>
  withLoop(function* (loop) {
    yield* raises(() => loop.createUnixConnection(() => new asyncio.Protocol(), "/dev/null", { serverHostname: "spam" }),
      ValueError, /server_hostname is only meaningful/);
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_connection_ssl_noserverhost", () =>
  withLoop(function* (loop) {
    yield* raises(() => loop.createUnixConnection(() => new asyncio.Protocol(), "/dev/null", { ssl: true }),
      ValueError, /you have to pass server_hostname when using ssl/);
  }));

test("test_unix_events.py SelectorEventLoopUnixSocketTests.test_create_unix_connection_ssl_timeout_with_plain_sock", () =>
  withLoop(function* (loop) {
    yield* raises(() => loop.createUnixConnection(() => new asyncio.Protocol(), "spam", { sslHandshakeTimeout: 1 }),
      ValueError, /ssl_handshake_timeout is only meaningful with ssl/);
  }));

// ---- SelectorEventLoopUnixSockSendfileTests -----------------------------------

const DATA = Buffer.from("12345abcde".repeat(16 * 1024)); // 160 KiB

/** A file with DATA, a server whose protocol records what arrives, and a connected client socket with small buffers. */
function* prepare(loop: BaseEventLoop): Coroutine<{ sock: Socket; proto: Recorder; fd: number; cleanup(): Coroutine<void> }> {
  const t = tmpPath("data");
  writeFileSync(t.path, DATA);
  const fd = openSync(t.path, "r");
  const proto = new Recorder();
  const srv = yield* loop.createServer(() => proto, "127.0.0.1", 0);
  const port = (srv.sockets[0]!.getsockname() as [string, number])[1];
  const sock = new Socket(AF_INET, SOCK_STREAM);
  sock.setblocking(false);
  sock.setsockopt(SOL_SOCKET, SO_SNDBUF, 1024);
  sock.setsockopt(SOL_SOCKET, SO_RCVBUF, 1024);
  yield* loop.sockConnect(sock, ["127.0.0.1", port]);
  yield* until(() => proto.transport !== null);
  return {
    sock, proto, fd,
    *cleanup() {
      sock.close();
      proto.transport?.close();
      srv.close();
      yield* srv.waitClosed();
      closeSync(fd);
      t.done();
    },
  };
}

function filePos(fd: number): number {
  return N.lseek(fd, 0, 1) as number;
}

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_not_a_file", () =>
  withLoop(function* (loop) {
    const p = yield* prepare(loop);
    yield* raises(() => loop.sockSendfile(p.sock, {} as never, 0, null, { fallback: false }), SendfileNotAvailableError, /not a regular file/);
    assert.equal(filePos(p.fd), 0);
    yield* p.cleanup();
  }));

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_iobuffer", () =>
  withLoop(function* (loop) {
    // io.BytesIO: an in-memory buffer has no fd.
    const p = yield* prepare(loop);
    yield* raises(() => loop.sockSendfile(p.sock, Buffer.alloc(10) as never, 0, null, { fallback: false }), SendfileNotAvailableError, /not a regular file/);
    assert.equal(filePos(p.fd), 0);
    yield* p.cleanup();
  }));

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_not_regular_file", () =>
  withLoop(function* (loop) {
    const p = yield* prepare(loop);
    yield* raises(() => loop.sockSendfile(p.sock, { fileno: () => -1 }, 0, null, { fallback: false }), SendfileNotAvailableError, /not a regular file/);
    assert.equal(filePos(p.fd), 0);
    yield* p.cleanup();
  }));

/** test_sock_sendfile_cancel1/2: a sendfile cancelled while waiting for the socket leaves no watcher on it. */
function* sendfileCancel(loop: BaseEventLoop): Coroutine<void> {
  const p = yield* prepare(loop);
  p.proto.transport!.pauseReading();
  const task = loop.createTask(loop.sockSendfile(p.sock, p.fd, 0, null, { fallback: false }));
  yield* tick(3);
  assert.equal(task.done(), false);
  task.cancel();
  yield* raises(() => (function* () { return yield* task; })(), CancelledError, /.*/);
  assert.equal(loop.removeWriter(p.sock.fileno()), false);
  assert.equal(loop.removeReader(p.sock.fileno()), false);
  yield* p.cleanup();
}

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_cancel1", () =>
  withLoop(sendfileCancel));

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_cancel2", () =>
  withLoop(function* (loop) {
    // Cancelled, then the socket turns writable: the step that follows does nothing.
    const p = yield* prepare(loop);
    p.proto.transport!.pauseReading();
    const task = loop.createTask(loop.sockSendfile(p.sock, p.fd, 0, null, { fallback: false }));
    yield* tick(3);
    task.cancel();
    p.proto.transport!.resumeReading();
    yield* tick(5);
    assert.equal(task.cancelled(), true);
    assert.equal(loop.removeWriter(p.sock.fileno()), false);
    yield* p.cleanup();
  }));

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_blocking_error", () =>
  withLoop(function* (loop) {
    // sendfile would block: the operation waits for the socket and then completes.
    const p = yield* prepare(loop);
    p.proto.transport!.pauseReading();
    const task = loop.createTask(loop.sockSendfile(p.sock, p.fd, 0, null, { fallback: false }));
    yield* tick(3);
    assert.equal(task.done(), false);
    p.proto.transport!.resumeReading();
    assert.equal(yield* task, DATA.length);
    yield* until(() => p.proto.data.length === DATA.length);
    assert.ok(p.proto.data.equals(DATA));
    assert.equal(filePos(p.fd), DATA.length);
    yield* p.cleanup();
  }));

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_os_error_first_call", () =>
  withLoop(function* (loop) {
    // sendfile(2) fails before sending anything (the fd is not readable): SendfileNotAvailableError, position unchanged.
    const p = yield* prepare(loop);
    const t = tmpPath("wo");
    const wo = openSync(t.path, "w");
    writeFileSync(wo, DATA);
    N.lseek(wo, 0, 0);
    yield* raises(() => loop.sockSendfile(p.sock, wo, 0, null, { fallback: false }), SendfileNotAvailableError, /.*/);
    assert.equal(filePos(wo), 0);
    closeSync(wo);
    t.done();
    yield* p.cleanup();
  }));

test("test_unix_events.py SelectorEventLoopUnixSockSendfileTests.test_sock_sendfile_os_error_next_call", () =>
  withLoop(function* (loop) {
    // An error after some bytes went out is raised as it is, and the file position follows what was sent.
    const p = yield* prepare(loop);
    p.proto.transport!.pauseReading();
    const task = loop.createTask(loop.sockSendfile(p.sock, p.fd, 1000, null, { fallback: false }));
    yield* tick(3);
    assert.equal(task.done(), false);
    p.proto.transport!.abort();
    let err: unknown = null;
    try {
      yield* task;
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof OSError && !(err instanceof SendfileNotAvailableError), String(err));
    assert.ok(filePos(p.fd) > 1000);
    yield* p.cleanup();
  }));

// ---- UnixReadPipeTransportTests -------------------------------------------------

function* readPipe(loop: BaseEventLoop, proto = new Recorder()): Coroutine<{ tr: ReadTransport; proto: Recorder; rfd: number; wfd: number }> {
  const [rfd, wfd] = nonBlockingPipe();
  const [tr] = yield* loop.connectReadPipe(() => proto, rfd);
  return { tr: tr as ReadTransport, proto, rfd, wfd };
}

function write(fd: number, s: string): void {
  N.write(fd, Buffer.from(s));
}

test("test_unix_events.py UnixReadPipeTransportTests.test_ctor", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const [rfd, wfd] = nonBlockingPipe();
    const res = yield* loop.connectReadPipe(() => proto, rfd);
    assert.equal(res[1], proto);
    assert.deepEqual(proto.events, ["made"]);
    assert.equal(proto.transport, res[0]);
    assert.equal(res[0].isReading(), true);
    res[0].close();
    yield* tick(2);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test__read_ready", () =>
  withLoop(function* (loop) {
    const { tr, proto, wfd } = yield* readPipe(loop);
    write(wfd, "data");
    yield* until(() => proto.data.length === 4);
    assert.equal(proto.data.toString(), "data");
    tr.close();
    yield* tick(2);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test__read_ready_eof", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* readPipe(loop);
    closeSync(wfd);
    yield* until(() => proto.lost);
    assert.deepEqual(proto.events, ["made", "eof", "lost:null"]);
    assert.equal(tr.isClosing(), true);
    assert.equal(fdClosed(rfd), true);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_pause_reading", () =>
  withLoop(function* (loop) {
    const { tr, proto, wfd } = yield* readPipe(loop);
    tr.pauseReading();
    assert.equal(tr.isReading(), false);
    write(wfd, "data");
    yield* tick(5);
    assert.equal(proto.chunks.length, 0);
    tr.close();
    yield* tick(2);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_resume_reading", () =>
  withLoop(function* (loop) {
    const { tr, proto, wfd } = yield* readPipe(loop);
    tr.pauseReading();
    write(wfd, "data");
    yield* tick(3);
    tr.resumeReading();
    assert.equal(tr.isReading(), true);
    yield* until(() => proto.data.toString() === "data");
    tr.close();
    yield* tick(2);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_close", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* readPipe(loop);
    tr.close();
    assert.equal(tr.isClosing(), true);
    yield* tick(2);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    assert.equal(fdClosed(rfd), true);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_close_already_closing", () =>
  withLoop(function* (loop) {
    const { tr, proto, wfd } = yield* readPipe(loop);
    tr.close();
    tr.close();
    yield* tick(3);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test__call_connection_lost", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* readPipe(loop);
    tr.close();
    yield* tick(2);
    // connectionLost(None), then the pipe is closed.
    assert.equal(proto.lostExc, null);
    assert.equal(fdClosed(rfd), true);
    write(wfd, "x"); // nobody reads any more: no call
    yield* tick(2);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_pause_reading_on_closed_pipe", () =>
  withLoop(function* (loop) {
    const { tr, wfd } = yield* readPipe(loop);
    tr.close();
    yield* tick(2);
    tr.pauseReading();
    assert.equal(tr.isReading(), false);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_pause_reading_on_paused_pipe", () =>
  withLoop(function* (loop) {
    const { tr, wfd } = yield* readPipe(loop);
    tr.pauseReading();
    tr.pauseReading();
    assert.equal(tr.isReading(), false);
    tr.close();
    yield* tick(2);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_resume_reading_on_closed_pipe", () =>
  withLoop(function* (loop) {
    const { tr, proto, wfd } = yield* readPipe(loop);
    tr.close();
    yield* tick(2);
    tr.resumeReading();
    assert.equal(tr.isReading(), false);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    closeSync(wfd);
  }));

test("test_unix_events.py UnixReadPipeTransportTests.test_resume_reading_on_paused_pipe", () =>
  withLoop(function* (loop) {
    // Not paused: resumeReading() does nothing.
    const { tr, proto, wfd } = yield* readPipe(loop);
    tr.resumeReading();
    assert.equal(tr.isReading(), true);
    write(wfd, "ok");
    yield* until(() => proto.data.toString() === "ok");
    tr.close();
    yield* tick(2);
    closeSync(wfd);
  }));

// ---- UnixWritePipeTransportTests ------------------------------------------------

/** A write pipe transport over a real pipe (small capacity, so that writes buffer). */
function* writePipe(loop: BaseEventLoop): Coroutine<{ tr: WriteTransport; proto: Recorder; rfd: number; wfd: number }> {
  const [rfd, wfd] = nonBlockingPipe();
  const proto = new Recorder();
  const [tr] = yield* loop.connectWritePipe(() => proto, wfd);
  return { tr: tr as WriteTransport, proto, rfd, wfd };
}

function* readAll(rfd: number, n: number): Coroutine<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  yield* until(() => {
    const d = readFd(rfd);
    parts.push(d);
    got += d.length;
    return got >= n;
  }, `${n} bytes from the pipe`);
  return Buffer.concat(parts);
}

test("test_unix_events.py UnixWritePipeTransportTests.test_ctor", () =>
  withLoop(function* (loop) {
    const proto = new Recorder();
    const [rfd, wfd] = nonBlockingPipe();
    const res = yield* loop.connectWritePipe(() => proto, wfd);
    assert.equal(res[1], proto);
    assert.deepEqual(proto.events, ["made"]);
    assert.equal(proto.transport, res[0]);
    res[0].close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_can_write_eof", () =>
  withLoop(function* (loop) {
    const { tr, rfd } = yield* writePipe(loop);
    assert.equal(tr.canWriteEof(), true);
    tr.close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write", () =>
  withLoop(function* (loop) {
    const { tr, rfd } = yield* writePipe(loop);
    tr.write(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(readFd(rfd).toString(), "data");
    tr.close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_no_data", () =>
  withLoop(function* (loop) {
    const { tr, rfd } = yield* writePipe(loop);
    tr.write(Buffer.alloc(0));
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(readFd(rfd).length, 0);
    tr.close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_partial", () =>
  withLoop(function* (loop) {
    const { tr, rfd } = yield* writePipe(loop);
    const data = Buffer.alloc(1 << 20, 0x61);
    tr.write(data);
    const size = tr.getWriteBufferSize();
    assert.ok(size > 0 && size < data.length);
    const got = yield* readAll(rfd, data.length);
    assert.ok(got.equals(data));
    tr.close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_buffer", () =>
  withLoop(function* (loop) {
    const { tr, rfd, wfd } = yield* writePipe(loop);
    const filled = fillFd(wfd);
    tr.write(Buffer.from("previous"));
    tr.write(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 12);
    const got = yield* readAll(rfd, filled + 12);
    assert.equal(got.subarray(filled).toString(), "previousdata");
    tr.close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_again", () =>
  withLoop(function* (loop) {
    const { tr, rfd, wfd } = yield* writePipe(loop);
    fillFd(wfd);
    tr.write(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 4);
    tr.abort();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_err", () =>
  captureLogs((records) =>
    withLoop(function* (loop) {
      const errors = recordMessages(loop);
      const { tr, proto, rfd } = yield* writePipe(loop);
      closeSync(rfd);
      tr.write(Buffer.from("data")); // EPIPE
      assert.equal(tr.getWriteBufferSize(), 0);
      assert.equal(tr.isClosing(), true);
      const warnings = () => records.filter((r) => r.message === "pipe closed by peer or os.write(pipe, data) raised exception.").length;
      for (let i = 0; i < 4; i++) tr.write(Buffer.from("data"));
      assert.equal(warnings(), 0);
      tr.write(Buffer.from("data"));
      assert.equal(warnings(), 1);
      yield* until(() => proto.lost);
      assert.ok(proto.lostExc instanceof BrokenPipeError);
      assert.deepEqual(errors, []);
      tr.close();
    })));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_close", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd } = yield* writePipe(loop);
    closeSync(rfd); // the reader goes away
    yield* until(() => proto.lost);
    tr.write(Buffer.from("data"));
    tr.write(Buffer.from("data"));
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test__read_ready", () =>
  withLoop(function* (loop) {
    // The read end closed with nothing buffered: the transport closes, connectionLost(None).
    const { tr, proto, rfd, wfd } = yield* writePipe(loop);
    closeSync(rfd);
    yield* until(() => proto.lost);
    assert.equal(tr.isClosing(), true);
    assert.equal(proto.lostExc, null);
    assert.equal(fdClosed(wfd), true);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test__write_ready", () =>
  withLoop(function* (loop) {
    const { tr, rfd, wfd } = yield* writePipe(loop);
    const filled = fillFd(wfd);
    tr.write(Buffer.from("data"));
    const got = yield* readAll(rfd, filled + 4);
    assert.equal(got.subarray(filled).toString(), "data");
    yield* until(() => tr.getWriteBufferSize() === 0);
    tr.close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test__write_ready_partial", () =>
  withLoop(function* (loop) {
    const { tr, rfd, wfd } = yield* writePipe(loop);
    const filled = fillFd(wfd);
    const data = Buffer.alloc(300000, 0x62);
    tr.write(data);
    assert.equal(tr.getWriteBufferSize(), data.length);
    // One read of the pipe lets only part of the buffer go.
    let seen = readFd(rfd).length;
    yield* until(() => tr.getWriteBufferSize() < data.length);
    assert.ok(tr.getWriteBufferSize() > 0);
    seen += (yield* readAll(rfd, filled + data.length - seen)).length;
    assert.equal(seen, filled + data.length);
    tr.close();
    yield* tick(2);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test__write_ready_err", () =>
  withLoop(function* (loop) {
    const errors = recordMessages(loop);
    const { tr, proto, rfd, wfd } = yield* writePipe(loop);
    fillFd(wfd);
    tr.write(Buffer.from("data"));
    closeSync(rfd);
    yield* until(() => proto.lost);
    assert.ok(proto.lostExc instanceof BrokenPipeError);
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(tr.isClosing(), true);
    assert.deepEqual(errors, []);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test__write_ready_closing", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* writePipe(loop);
    const filled = fillFd(wfd);
    tr.write(Buffer.from("data"));
    tr.close();
    yield* tick(2);
    assert.equal(proto.lost, false);
    const got = yield* readAll(rfd, filled + 4);
    assert.equal(got.subarray(filled).toString(), "data");
    yield* until(() => proto.lost);
    assert.equal(proto.lostExc, null);
    assert.equal(fdClosed(wfd), true);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_abort", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* writePipe(loop);
    const filled = fillFd(wfd);
    tr.write(Buffer.from("da"));
    tr.write(Buffer.from("ta"));
    tr.abort();
    assert.equal(tr.getWriteBufferSize(), 0);
    assert.equal(tr.isClosing(), true);
    yield* tick(2);
    assert.equal(proto.lostExc, null);
    // Nothing of the buffer was written.
    assert.equal(readFd(rfd).length, filled);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test__call_connection_lost", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* writePipe(loop);
    tr.close();
    yield* tick(2);
    assert.equal(proto.lostExc, null);
    assert.equal(fdClosed(wfd), true);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test__call_connection_lost_with_err", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* writePipe(loop);
    closeSync(rfd);
    tr.write(Buffer.from("data"));
    yield* until(() => proto.lost);
    assert.ok(proto.lostExc instanceof BrokenPipeError);
    assert.equal(fdClosed(wfd), true);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_close", () =>
  withLoop(function* (loop) {
    // close() is writeEof(): the reader sees EOF; a second close() is harmless.
    const { tr, proto, rfd } = yield* writePipe(loop);
    tr.close();
    tr.close();
    yield* tick(2);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    const r = N.read(rfd, 10);
    assert.ok(typeof r !== "number" && r.length === 0);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_close_closing", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd } = yield* writePipe(loop);
    tr.writeEof();
    tr.close();
    yield* tick(2);
    assert.deepEqual(proto.events, ["made", "lost:null"]);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_eof", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd } = yield* writePipe(loop);
    tr.writeEof();
    assert.equal(tr.isClosing(), true);
    yield* tick(2);
    assert.equal(proto.lostExc, null);
    closeSync(rfd);
  }));

test("test_unix_events.py UnixWritePipeTransportTests.test_write_eof_pending", () =>
  withLoop(function* (loop) {
    const { tr, proto, rfd, wfd } = yield* writePipe(loop);
    const filled = fillFd(wfd);
    tr.write(Buffer.from("data"));
    tr.writeEof();
    assert.equal(tr.isClosing(), true);
    yield* tick(3);
    assert.equal(proto.lost, false);
    yield* readAll(rfd, filled + 4);
    yield* until(() => proto.lost);
    closeSync(rfd);
  }));

// ---- TestFunctional ----------------------------------------------------------------

test("test_unix_events.py TestFunctional.test_add_reader_invalid_argument", () =>
  withLoop(function* (loop) {
    const cb = (): void => {};
    const bad = {} as unknown as number;
    for (const f of [() => loop.addReader(bad, cb), () => loop.addWriter(bad, cb), () => loop.removeReader(bad), () => loop.removeWriter(bad)]) {
      assert.throws(f, (e: unknown) => e instanceof ValueError && /Invalid file object/.test(e.message));
    }
  }));

test("test_unix_events.py TestFunctional.test_add_reader_or_writer_transport_fd", () =>
  withLoop(function* (loop) {
    const [rsock, wsock] = nbPair();
    const [tr] = yield* loop.createConnection(() => new asyncio.Protocol(), undefined, undefined, { sock: rsock });
    const cb = (): void => {};
    const check = (f: () => unknown): void =>
      assert.throws(f, (e: unknown) => e instanceof RuntimeError && /File descriptor .* is used by transport/.test(e.message));
    try {
      check(() => loop.addReader(rsock, cb));
      check(() => loop.addReader(rsock.fileno(), cb));
      check(() => loop.removeReader(rsock));
      check(() => loop.removeReader(rsock.fileno()));
      check(() => loop.addWriter(rsock, cb));
      check(() => loop.addWriter(rsock.fileno(), cb));
      check(() => loop.removeWriter(rsock));
      check(() => loop.removeWriter(rsock.fileno()));
    } finally {
      tr.close();
    }
    yield* tick(2);
    wsock.close();
  }));
