// Conformance: CPython 3.12.1's Lib/test/test_asyncio/test_sendfile.py, test
// by test (SockSendfileMixin and SendfileMixin; the selector classes run the
// same methods on the one tsyncio SelectorEventLoop, so each is re-created
// once). Real TCP connections on 127.0.0.1, a real file, TLS with the test
// certificates. Where CPython replaces the private `loop._sendfile_native` to
// force the fallback, the file here is a real pipe: sendfile(2) cannot read
// from one, which is the same "native sendfile not available" case.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../../src/index.js";
import { ConnectionError, RuntimeError, SendfileNotAvailableError } from "../../src/index.js";
import type { SSLContext } from "../../src/index.js";
import * as socket from "../../src/stdlib/socket.js";
import { osPipe, simpleClientSslContext, simpleServerSslContext, tell, withRealLoop } from "./_test-utils.js";

// 256 KiB plus a small unaligned tail, and 4 KiB socket buffers (SendfileBase).
const DATA = Buffer.alloc(1024 * 256 + 1, "x");
const BUF_SIZE = 4 * 1024;
const dir = mkdtempSync(join(tmpdir(), "tsyncio-c2-sendfile-"));
const TESTFN = join(dir, "data");
writeFileSync(TESTFN, DATA);
after(() => rmSync(dir, { recursive: true, force: true }));

/** test_sendfile.py MySendfileProto. */
class MySendfileProto extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;
  state = "INITIAL";
  nbytes = 0;
  connected: asyncio.Future<null>;
  done: asyncio.Future<null>;
  data: Buffer[] = [];
  constructor(loop: asyncio.AbstractEventLoop, readonly closeAfter = 0) {
    super();
    this.connected = loop.createFuture();
    this.done = loop.createFuture();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.data);
  }
  private assertState(...expected: string[]): void {
    assert.ok(expected.includes(this.state), `state: ${this.state}, expected: ${expected.join(", ")}`);
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.Transport;
    this.assertState("INITIAL");
    this.state = "CONNECTED";
    this.connected.setResult(null);
  }
  override eofReceived(): void {
    this.assertState("CONNECTED");
    this.state = "EOF";
  }
  override connectionLost(_exc: Error | null): void {
    this.assertState("CONNECTED", "EOF");
    this.state = "CLOSED";
    this.done.setResult(null);
  }
  override dataReceived(data: Uint8Array): void {
    this.assertState("CONNECTED");
    this.nbytes += data.length;
    this.data.push(Buffer.from(data));
    if (this.closeAfter && this.nbytes >= this.closeAfter) this.transport!.close();
  }
}

/** test_sendfile.py MyProto. */
class MyProto extends asyncio.Protocol {
  started = false;
  closed = false;
  data: Buffer[] = [];
  fut: asyncio.Future<null>;
  transport: asyncio.Transport | null = null;
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.fut = loop.createFuture();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.started = true;
    this.transport = transport as asyncio.Transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.data.push(Buffer.from(data));
  }
  override connectionLost(): void {
    this.closed = true;
    this.fut.setResult(null);
  }
  *waitClosed(): asyncio.Coroutine<void> {
    yield* this.fut;
  }
}

/** The test's setUp/tearDown: a fresh loop and the data file opened for reading. */
async function withFile(body: (loop: asyncio.SelectorEventLoop, file: number, cleanups: (() => Promise<void>)[]) => Promise<void>): Promise<void> {
  const file = openSync(TESTFN, "r");
  try {
    await withRealLoop(async (loop) => {
      const cleanups: (() => Promise<void>)[] = [];
      try {
        await body(loop, file, cleanups);
      } finally {
        for (const c of cleanups.reverse()) await c();
      }
    });
  } finally {
    closeSync(file);
  }
}

/** SockSendfileMixin.prepare_socksendfile. */
async function prepareSocksendfile(loop: asyncio.SelectorEventLoop, cleanups: (() => Promise<void>)[]): Promise<[socket.Socket, MyProto]> {
  const proto = new MyProto(loop);
  const srvSock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  srvSock.setblocking(false);
  srvSock.bind(["127.0.0.1", 0]);
  const port = (srvSock.getsockname() as [string, number])[1];
  const server = await loop.runUntilComplete(loop.createServer(() => proto, undefined, undefined, { sock: srvSock }));
  srvSock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUF_SIZE);
  const sock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.setblocking(false);
  await loop.runUntilComplete(loop.sockConnect(sock, ["127.0.0.1", port]));
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, BUF_SIZE);
  cleanups.push(async () => {
    sock.close();
    if (proto.transport !== null) {
      proto.transport.close();
      await loop.runUntilComplete(proto.waitClosed());
    }
    server.close();
    await loop.runUntilComplete(server.waitClosed());
  });
  return [sock, proto];
}

// test_sendfile.py SockSendfileMixin.test_sock_sendfile_success
test("test_sendfile.SockSendfileMixin.test_sock_sendfile_success", () => withFile(async (loop, file, cleanups) => {
  const [sock, proto] = await prepareSocksendfile(loop, cleanups);
  const ret = await loop.runUntilComplete(loop.sockSendfile(sock, file));
  sock.close();
  await loop.runUntilComplete(proto.waitClosed());
  assert.equal(ret, DATA.length);
  assert.ok(Buffer.concat(proto.data).equals(DATA));
  assert.equal(tell(file), DATA.length);
}));

// test_sendfile.py SockSendfileMixin.test_sock_sendfile_with_offset_and_count
test("test_sendfile.SockSendfileMixin.test_sock_sendfile_with_offset_and_count", () => withFile(async (loop, file, cleanups) => {
  const [sock, proto] = await prepareSocksendfile(loop, cleanups);
  const ret = await loop.runUntilComplete(loop.sockSendfile(sock, file, 1000, 2000));
  sock.close();
  await loop.runUntilComplete(proto.waitClosed());
  assert.ok(Buffer.concat(proto.data).equals(DATA.subarray(1000, 3000)));
  assert.equal(tell(file), 3000);
  assert.equal(ret, 2000);
}));

// test_sendfile.py SockSendfileMixin.test_sock_sendfile_zero_size
test("test_sendfile.SockSendfileMixin.test_sock_sendfile_zero_size", () => withFile(async (loop, file, cleanups) => {
  const [sock, proto] = await prepareSocksendfile(loop, cleanups);
  const emptyPath = join(dir, "empty");
  writeFileSync(emptyPath, "");
  const f = openSync(emptyPath, "r");
  let ret: number;
  try {
    ret = await loop.runUntilComplete(loop.sockSendfile(sock, f, 0, null));
  } finally {
    closeSync(f);
  }
  sock.close();
  await loop.runUntilComplete(proto.waitClosed());
  assert.equal(ret, 0);
  assert.equal(tell(file), 0);
}));

// test_sendfile.py SockSendfileMixin.test_sock_sendfile_mix_with_regular_send
test("test_sendfile.SockSendfileMixin.test_sock_sendfile_mix_with_regular_send", () => withFile(async (loop, file, cleanups) => {
  const buf = Buffer.alloc(16 * 4 * 1024, "mix_regular_send");
  const [sock, proto] = await prepareSocksendfile(loop, cleanups);
  await loop.runUntilComplete(loop.sockSendall(sock, buf));
  const ret = await loop.runUntilComplete(loop.sockSendfile(sock, file));
  await loop.runUntilComplete(loop.sockSendall(sock, buf));
  sock.close();
  await loop.runUntilComplete(proto.waitClosed());
  assert.equal(ret, DATA.length);
  assert.ok(Buffer.concat(proto.data).equals(Buffer.concat([buf, DATA, buf])));
  assert.equal(tell(file), DATA.length);
}));

/** SendfileMixin.prepare_sendfile. */
async function prepareSendfile(
  loop: asyncio.SelectorEventLoop, cleanups: (() => Promise<void>)[], opts: { isSsl?: boolean; closeAfter?: number } = {},
): Promise<[MySendfileProto, MySendfileProto]> {
  const srvProto = new MySendfileProto(loop, opts.closeAfter ?? 0);
  let srvCtx: SSLContext | undefined;
  let cliCtx: SSLContext | undefined;
  if (opts.isSsl) {
    srvCtx = simpleServerSslContext();
    cliCtx = simpleClientSslContext();
  }
  const srvSock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  srvSock.bind(["127.0.0.1", 0]);
  const port = (srvSock.getsockname() as [string, number])[1];
  const server = await loop.runUntilComplete(loop.createServer(() => srvProto, undefined, undefined, { sock: srvSock, ssl: srvCtx }));
  srvSock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUF_SIZE);
  const cliSock = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  cliSock.connect(["127.0.0.1", port]);
  const cliProto = new MySendfileProto(loop);
  const [tr] = await loop.runUntilComplete(loop.createConnection(() => cliProto, undefined, undefined, {
    sock: cliSock, ssl: cliCtx, serverHostname: opts.isSsl ? "127.0.0.1" : undefined,
  }));
  cliSock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, BUF_SIZE);
  tr.setWriteBufferLimits(BUF_SIZE);
  cleanups.push(async () => {
    srvProto.transport?.close();
    cliProto.transport!.close();
    await loop.runUntilComplete(srvProto.done);
    await loop.runUntilComplete(cliProto.done);
    server.close();
    await loop.runUntilComplete(server.waitClosed());
  });
  return [srvProto, cliProto];
}

/**
 * A pipe that carries DATA (written by a `cat` child process), standing for a
 * file that native sendfile cannot send. Returns its read end.
 */
function dataPipe(cleanups: (() => Promise<void>)[]): number {
  const [r, w] = osPipe();
  const child = spawn("cat", [TESTFN], { stdio: ["ignore", w, "inherit"] });
  closeSync(w);
  cleanups.push(async () => {
    child.kill();
    closeSync(r);
  });
  return r;
}

// test_sendfile.py SendfileMixin.test_sendfile_not_supported
test("test_sendfile.SendfileMixin.test_sendfile_not_supported", () => withFile(async (loop, file) => {
  const [tr] = await loop.runUntilComplete(loop.createDatagramEndpoint(() => new asyncio.DatagramProtocol(), undefined, undefined, { family: socket.AF_INET }));
  try {
    await assert.rejects(loop.runUntilComplete(loop.sendfile(tr as unknown as asyncio.Transport, file)), (e: Error) => e instanceof RuntimeError && /not supported/.test(e.message));
    assert.equal(tell(file), 0);
  } finally {
    tr.close();
  }
}));

// test_sendfile.py SendfileMixin.test_sendfile
test("test_sendfile.SendfileMixin.test_sendfile", () => withFile(async (loop, file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups);
  const ret = await loop.runUntilComplete(loop.sendfile(cliProto.transport!, file));
  cliProto.transport!.close();
  await loop.runUntilComplete(srvProto.done);
  assert.equal(ret, DATA.length);
  assert.equal(srvProto.nbytes, DATA.length);
  assert.ok(srvProto.bytes.equals(DATA));
  assert.equal(tell(file), DATA.length);
}));

// test_sendfile.py SendfileMixin.test_sendfile_force_fallback (the file is a
// pipe that sendfile(2) cannot read, so the loop must fall back; a pipe has no
// position, so the check of file.tell() is that nothing is left in it)
test("test_sendfile.SendfileMixin.test_sendfile_force_fallback", () => withFile(async (loop, _file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups);
  const pipe = dataPipe(cleanups);
  const ret = await loop.runUntilComplete(loop.sendfile(cliProto.transport!, pipe, 0, DATA.length));
  cliProto.transport!.close();
  await loop.runUntilComplete(srvProto.done);
  assert.equal(ret, DATA.length);
  assert.equal(srvProto.nbytes, DATA.length);
  assert.ok(srvProto.bytes.equals(DATA));
  assert.equal(readSync(pipe, Buffer.alloc(16)), 0);
}));

// test_sendfile.py SendfileMixin.test_sendfile_force_unsupported_native (the
// pipe again; CPython's forced `_sendfile_native` says "sendfile syscall is not
// supported", the real failure of sendfile(2) on a pipe says, in CPython as
// here, "os.sendfile call failed")
test("test_sendfile.SendfileMixin.test_sendfile_force_unsupported_native", () => withFile(async (loop, _file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups);
  const pipe = dataPipe(cleanups);
  await assert.rejects(
    loop.runUntilComplete(loop.sendfile(cliProto.transport!, pipe, 0, DATA.length, { fallback: false })),
    (e: Error) => e instanceof SendfileNotAvailableError && /os.sendfile call failed/.test(e.message),
  );
  cliProto.transport!.close();
  await loop.runUntilComplete(srvProto.done);
  assert.equal(srvProto.nbytes, 0);
  // Nothing was taken from the "file".
  const head = Buffer.alloc(16);
  assert.equal(readSync(pipe, head), 16);
  assert.ok(head.equals(DATA.subarray(0, 16)));
}));

// test_sendfile.py SendfileMixin.test_sendfile_ssl
test("test_sendfile.SendfileMixin.test_sendfile_ssl", () => withFile(async (loop, file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { isSsl: true });
  const ret = await loop.runUntilComplete(loop.sendfile(cliProto.transport!, file));
  cliProto.transport!.close();
  await loop.runUntilComplete(srvProto.done);
  assert.equal(ret, DATA.length);
  assert.equal(srvProto.nbytes, DATA.length);
  assert.ok(srvProto.bytes.equals(DATA));
  assert.equal(tell(file), DATA.length);
}));

// test_sendfile.py SendfileMixin.test_sendfile_for_closing_transp
test("test_sendfile.SendfileMixin.test_sendfile_for_closing_transp", () => withFile(async (loop, file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups);
  cliProto.transport!.close();
  await assert.rejects(loop.runUntilComplete(loop.sendfile(cliProto.transport!, file)), (e: Error) => e instanceof RuntimeError && /is closing/.test(e.message));
  await loop.runUntilComplete(srvProto.done);
  assert.equal(srvProto.nbytes, 0);
  assert.equal(tell(file), 0);
}));

async function preAndPostData(isSsl: boolean, PREFIX: Buffer, SUFFIX: Buffer): Promise<void> {
  await withFile(async (loop, file, cleanups) => {
    const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { isSsl });
    cliProto.transport!.write(PREFIX);
    const ret = await loop.runUntilComplete(loop.sendfile(cliProto.transport!, file));
    cliProto.transport!.write(SUFFIX);
    cliProto.transport!.close();
    await loop.runUntilComplete(srvProto.done);
    assert.equal(ret, DATA.length);
    assert.ok(srvProto.bytes.equals(Buffer.concat([PREFIX, DATA, SUFFIX])));
    assert.equal(tell(file), DATA.length);
  });
}

// test_sendfile.py SendfileMixin.test_sendfile_pre_and_post_data
test("test_sendfile.SendfileMixin.test_sendfile_pre_and_post_data", () =>
  preAndPostData(false, Buffer.alloc(8 * 1024, "PREFIX__"), Buffer.alloc(8 * 1024, "--SUFFIX")));

// test_sendfile.py SendfileMixin.test_sendfile_ssl_pre_and_post_data
test("test_sendfile.SendfileMixin.test_sendfile_ssl_pre_and_post_data", () =>
  preAndPostData(true, Buffer.alloc(7 * 1024, "zxcvbnm"), Buffer.alloc(10 * 1024, "0987654321")));

async function partial(isSsl: boolean): Promise<void> {
  await withFile(async (loop, file, cleanups) => {
    const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { isSsl });
    const ret = await loop.runUntilComplete(loop.sendfile(cliProto.transport!, file, 1000, 100));
    cliProto.transport!.close();
    await loop.runUntilComplete(srvProto.done);
    assert.equal(ret, 100);
    assert.equal(srvProto.nbytes, 100);
    assert.ok(srvProto.bytes.equals(DATA.subarray(1000, 1100)));
    assert.equal(tell(file), 1100);
  });
}

// test_sendfile.py SendfileMixin.test_sendfile_partial
test("test_sendfile.SendfileMixin.test_sendfile_partial", () => partial(false));

// test_sendfile.py SendfileMixin.test_sendfile_ssl_partial
test("test_sendfile.SendfileMixin.test_sendfile_ssl_partial", () => partial(true));

// test_sendfile.py SendfileMixin.test_sendfile_close_peer_after_receiving
test("test_sendfile.SendfileMixin.test_sendfile_close_peer_after_receiving", () => withFile(async (loop, file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { closeAfter: DATA.length });
  const ret = await loop.runUntilComplete(loop.sendfile(cliProto.transport!, file));
  cliProto.transport!.close();
  await loop.runUntilComplete(srvProto.done);
  assert.equal(ret, DATA.length);
  assert.equal(srvProto.nbytes, DATA.length);
  assert.ok(srvProto.bytes.equals(DATA));
  assert.equal(tell(file), DATA.length);
}));

// test_sendfile.py SendfileMixin.test_sendfile_ssl_close_peer_after_receiving
test("test_sendfile.SendfileMixin.test_sendfile_ssl_close_peer_after_receiving", () => withFile(async (loop, file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { isSsl: true, closeAfter: DATA.length });
  const ret = await loop.runUntilComplete(loop.sendfile(cliProto.transport!, file));
  await loop.runUntilComplete(srvProto.done);
  assert.equal(ret, DATA.length);
  assert.equal(srvProto.nbytes, DATA.length);
  assert.ok(srvProto.bytes.equals(DATA));
  assert.equal(tell(file), DATA.length);
}));

// test_sendfile.py SendfileMixin.test_sendfile_close_peer_in_the_middle_of_receiving
test("test_sendfile.SendfileMixin.test_sendfile_close_peer_in_the_middle_of_receiving", () => withFile(async (loop, file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { closeAfter: 1024 });
  await assert.rejects(loop.runUntilComplete(loop.sendfile(cliProto.transport!, file)), ConnectionError);
  await loop.runUntilComplete(srvProto.done);
  assert.ok(srvProto.nbytes >= 1024 && srvProto.nbytes < DATA.length, `received ${srvProto.nbytes}`);
  const pos = tell(file);
  assert.ok(pos >= 1024 && pos < DATA.length, `file position ${pos}`);
  await loop.runUntilComplete(asyncio.sleep(0));
  assert.ok(cliProto.transport!.isClosing(), `transport closing ${cliProto.state} ${(cliProto.transport as asyncio.ReadTransport).isReading()} ${cliProto.transport}`);
}));

// test_sendfile.py SendfileMixin.test_sendfile_fallback_close_peer_in_the_middle_of_receiving
// (the fallback forced with the pipe; its position is how much was read from it)
test("test_sendfile.SendfileMixin.test_sendfile_fallback_close_peer_in_the_middle_of_receiving", () => withFile(async (loop, _file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { closeAfter: 1024 });
  const pipe = dataPipe(cleanups);
  await assert.rejects(loop.runUntilComplete(loop.sendfile(cliProto.transport!, pipe, 0, DATA.length)), ConnectionError);
  await loop.runUntilComplete(srvProto.done);
  assert.ok(srvProto.nbytes >= 1024 && srvProto.nbytes < DATA.length, String(srvProto.nbytes));
  // Part of the "file" was read and part is left.
  let left = 0;
  const buf = Buffer.alloc(65536);
  for (let n; (n = readSync(pipe, buf)) > 0;) left += n;
  const pos = DATA.length - left;
  assert.ok(pos >= 1024 && pos < DATA.length, String(pos));
}));

// test_sendfile.py SendfileMixin.test_sendfile_prevents_bare_write
test("test_sendfile.SendfileMixin.test_sendfile_prevents_bare_write", () => withFile(async (loop, file, cleanups) => {
  const [, cliProto] = await prepareSendfile(loop, cleanups);
  const fut = loop.createFuture<null>();
  const t = loop.createTask((function* () {
    fut.setResult(null);
    return yield* loop.sendfile(cliProto.transport!, file);
  })());
  await loop.runUntilComplete(fut);
  assert.throws(() => cliProto.transport!.write(Buffer.from("data")), (e: Error) => e instanceof RuntimeError && /sendfile is in progress/.test(e.message));
  const ret = await loop.runUntilComplete(t);
  assert.equal(ret, DATA.length);
}));

// test_sendfile.py SendfileMixin.test_sendfile_no_fallback_for_fallback_transport
// (CPython's mock transport says _SendfileMode.FALLBACK; a TLS transport is one)
test("test_sendfile.SendfileMixin.test_sendfile_no_fallback_for_fallback_transport", () => withFile(async (loop, file, cleanups) => {
  const [srvProto, cliProto] = await prepareSendfile(loop, cleanups, { isSsl: true });
  await assert.rejects(
    loop.runUntilComplete(loop.sendfile(cliProto.transport!, file, undefined, undefined, { fallback: false })),
    (e: Error) => e instanceof RuntimeError && /fallback is disabled/.test(e.message),
  );
  assert.equal(srvProto.nbytes, 0);
}));
