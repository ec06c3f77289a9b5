import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants as fsConstants, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BrokenPipeError, type BaseEventLoop, type BaseTransport, type Coroutine, type Future, Protocol, type ReadTransport,
  ValueError, type WriteTransport, newEventLoop, sleep,
} from "../src/index.js";
import { native } from "../src/internal/native.js";
import { AF_UNIX, SOCK_STREAM, socketpair } from "../src/stdlib/socket.js";

const N = native();

async function runLoop<T>(body: (loop: BaseEventLoop) => Coroutine<T>): Promise<T> {
  const loop = newEventLoop() as BaseEventLoop;
  try {
    return await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

function osPipe(): [number, number] {
  const r = N.pipe(0);
  assert.ok(Array.isArray(r));
  return r;
}

function isClosed(fd: number): boolean {
  return N.fdType(fd) === -9; // EBADF
}

/** Reads everything available from a non-blocking fd. */
function drainFd(fd: number): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const r = N.read(fd, 1 << 20);
    if (typeof r === "number" || r.byteLength === 0) break;
    parts.push(r);
  }
  return Buffer.concat(parts);
}

class Recorder extends Protocol {
  events: string[] = [];
  data: Buffer[] = [];
  transport: BaseTransport | null = null;
  made: Future<void>;
  lost: Future<Error | null>;
  gotData: Future<void>;
  resumed: Future<void> | null = null;
  constructor(readonly loop: BaseEventLoop) {
    super();
    this.made = loop.createFuture();
    this.lost = loop.createFuture();
    this.gotData = loop.createFuture();
  }
  override connectionMade(t: BaseTransport): void {
    this.events.push("made");
    this.transport = t;
    this.made.setResult(undefined);
  }
  override dataReceived(d: Uint8Array): void {
    if (this.events.at(-1) !== "data") this.events.push("data");
    this.data.push(Buffer.from(d));
    if (!this.gotData.done()) this.gotData.setResult(undefined);
  }
  override eofReceived(): void {
    this.events.push("eof");
  }
  override pauseWriting(): void {
    this.events.push("pause");
    this.resumed = this.loop.createFuture();
  }
  override resumeWriting(): void {
    this.events.push("resume");
    this.resumed?.setResult(undefined);
  }
  override connectionLost(exc: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(exc);
  }
  nextData(): Future<void> {
    this.gotData = this.loop.createFuture();
    return this.gotData;
  }
  text(): string {
    return Buffer.concat(this.data).toString();
  }
}

test("read pipe: data, EOF → eofReceived then connectionLost(null); the fd is closed", async () => {
  await runLoop(function* (loop) {
    const [r, w] = osPipe();
    const [t, p] = yield* loop.connectReadPipe(() => new Recorder(loop), r);
    assert.equal(t.getExtraInfo("pipe"), r);
    assert.equal(N.getNonblocking(r), 1);
    assert.ok(t.isReading());
    N.write(w, Buffer.from("hello "));
    yield* p.gotData;
    N.write(w, Buffer.from("world"));
    N.close(w);
    assert.equal(yield* p.lost, null);
    assert.equal(p.text(), "hello world");
    assert.deepEqual(p.events, ["made", "data", "eof", "lost"]);
    assert.ok(t.isClosing());
    assert.ok(isClosed(r));
  });
});

test("read pipe: pauseReading/resumeReading", async () => {
  await runLoop(function* (loop) {
    const [r, w] = osPipe();
    const [t, p] = yield* loop.connectReadPipe(() => new Recorder(loop), r);
    t.pauseReading();
    assert.ok(!t.isReading());
    t.pauseReading();
    N.write(w, Buffer.from("held"));
    yield* sleep(0.05);
    assert.deepEqual(p.data, []);
    t.resumeReading();
    assert.ok(t.isReading());
    yield* p.gotData;
    assert.equal(p.text(), "held");
    t.close();
    assert.equal(yield* p.lost, null);
    assert.deepEqual(p.events, ["made", "data", "lost"]);
    N.close(w);
  });
});

test("write pipe: write, writeEof closes the fd after flushing; getExtraInfo('pipe')", async () => {
  await runLoop(function* (loop) {
    const [r, w] = osPipe();
    const [t, p] = yield* loop.connectWritePipe(() => new Recorder(loop), w);
    assert.equal(t.getExtraInfo("pipe"), w);
    assert.ok(t.canWriteEof());
    t.write(Buffer.from("abc"));
    t.writelines([Buffer.from("d"), Buffer.from("ef")]);
    assert.equal(t.getWriteBufferSize(), 0);
    t.writeEof();
    assert.ok(t.isClosing());
    t.write(Buffer.from("dropped"));
    assert.equal(yield* p.lost, null);
    assert.ok(isClosed(w));
    assert.equal(drainFd(r).toString(), "abcdef");
    assert.equal(N.read(r, 10).toString(), "", "EOF after the writer closed");
    N.close(r);
  });
});

test("write pipe: flow control with the water marks, everything arrives in order", async () => {
  await runLoop(function* (loop) {
    const [r, w] = osPipe();
    const [wt, wp] = yield* loop.connectWritePipe(() => new Recorder(loop), w);
    const [, rp] = yield* loop.connectReadPipe(() => new Recorder(loop), r);
    const size = 4 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 7 + (i >> 12)) & 0xff;
    wt.setWriteBufferLimits(64 * 1024);
    wt.write(payload);
    assert.ok(wt.getWriteBufferSize() > 0, "a pipe does not take 4 MiB at once");
    assert.deepEqual(wp.events, ["made", "pause"]);
    yield* wp.resumed!;
    assert.ok(wt.getWriteBufferSize() <= 16 * 1024);
    wt.close();
    assert.equal(yield* wp.lost, null);
    assert.equal(yield* rp.lost, null);
    assert.ok(Buffer.concat(rp.data).equals(payload));
    assert.deepEqual(wp.events, ["made", "pause", "resume", "lost"]);
  });
});

test("write pipe: EPIPE → connectionLost(BrokenPipeError); later writes are dropped", async () => {
  await runLoop(function* (loop) {
    const [r, w] = osPipe();
    const [t, p] = yield* loop.connectWritePipe(() => new Recorder(loop), w);
    N.close(r);
    t.write(Buffer.from("x")); // fails at once, before the loop sees the reader gone
    assert.ok(t.isClosing());
    const exc = yield* p.lost;
    assert.ok(exc instanceof BrokenPipeError, String(exc));
    for (let i = 0; i < 3; i++) t.write(Buffer.from("y"));
    assert.ok(isClosed(w));
  });
});

test("write pipe: the reader closing is noticed without writing (BrokenPipeError when data was pending)", async () => {
  await runLoop(function* (loop) {
    let [r, w] = osPipe();
    let [, p] = yield* loop.connectWritePipe(() => new Recorder(loop), w);
    N.close(r);
    assert.equal(yield* p.lost, null);

    [r, w] = osPipe();
    let t: WriteTransport;
    [t, p] = yield* loop.connectWritePipe(() => new Recorder(loop), w);
    t.write(Buffer.alloc(1024 * 1024));
    assert.ok(t.getWriteBufferSize() > 0);
    N.close(r);
    const exc = yield* p.lost;
    assert.ok(exc instanceof BrokenPipeError, String(exc));
  });
});

test("write pipe: abort() discards the buffer; connectionLost(null)", async () => {
  await runLoop(function* (loop) {
    const [r, w] = osPipe();
    const [t, p] = yield* loop.connectWritePipe(() => new Recorder(loop), w);
    t.write(Buffer.alloc(1024 * 1024, 1));
    assert.ok(t.getWriteBufferSize() > 0);
    t.abort();
    assert.equal(t.getWriteBufferSize(), 0);
    assert.equal(yield* p.lost, null);
    N.close(r);
  });
});

test("FIFOs made with mkfifo, both directions", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-fifo-"));
  try {
    const path = join(dir, "fifo");
    execFileSync("mkfifo", [path]);
    const rfd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const wfd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    await runLoop(function* (loop) {
      const [, rp] = yield* loop.connectReadPipe(() => new Recorder(loop), rfd);
      const [wt, wp] = yield* loop.connectWritePipe(() => new Recorder(loop), wfd);
      wt.write(Buffer.from("through the fifo"));
      wt.close();
      assert.equal(yield* wp.lost, null);
      assert.equal(yield* rp.lost, null);
      assert.equal(rp.text(), "through the fifo");
      assert.deepEqual(rp.events, ["made", "data", "eof", "lost"]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sockets, character devices, fileno() objects and Node streams are accepted", async () => {
  await runLoop(function* (loop) {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    let closedA = 0;
    const pipeObj = { fileno: () => a.fileno(), close: () => { closedA++; a.close(); } };
    const [, rp] = yield* loop.connectReadPipe(() => new Recorder(loop), pipeObj);
    b.send(Buffer.from("socket"));
    yield* rp.gotData;
    b.close();
    yield* rp.lost;
    assert.equal(closedA, 1, "the object's own close() is called once");
    assert.equal(rp.text(), "socket");

    const devnull = openSync("/dev/null", "w");
    const [dt, dp] = yield* loop.connectWritePipe(() => new Recorder(loop), devnull);
    dt.write(Buffer.from("into the void"));
    dt.close();
    assert.equal(yield* dp.lost, null);
    assert.ok(isClosed(devnull));

    const [r, w] = osPipe();
    const stream = createReadStream("", { fd: r });
    const [st, sp] = yield* loop.connectReadPipe(() => new Recorder(loop), stream);
    assert.equal(st.getExtraInfo("pipe"), stream);
    N.write(w, Buffer.from("stream"));
    N.close(w);
    yield* sp.lost;
    assert.equal(sp.text(), "stream");
    yield* sleep(0.01); // the stream's destroy() closes the fd on the next tick
    assert.ok(stream.destroyed);
  });
});

test("regular files are refused with Python's ValueErrors", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-pipefile-"));
  try {
    const path = join(dir, "file");
    writeFileSync(path, "x");
    const fd = openSync(path, "r+");
    await runLoop(function* (loop) {
      let made = 0;
      const pf = () => new (class extends Protocol { override connectionMade() { made++; } })();
      for (const [fut, msg] of [
        [loop.connectReadPipe(pf, fd), "Pipe transport is for pipes/sockets only."],
        [loop.connectWritePipe(pf, fd), "Pipe transport is only for pipes, sockets and character devices"],
      ] as Array<[Coroutine<[ReadTransport | WriteTransport, Protocol]>, string]>) {
        try {
          yield* fut;
          assert.fail("no ValueError");
        } catch (e) {
          assert.ok(e instanceof ValueError);
          assert.equal((e as Error).message, msg);
        }
      }
      assert.equal(made, 0);
    });
    assert.ok(!isClosed(fd), "a refused fd is left open");
    closeSync(fd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
