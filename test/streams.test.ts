// StreamReader/StreamWriter/StreamReaderProtocol, after CPython's test_streams.py.
// The first part feeds readers directly; the second runs real connections.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  run, sleep, getRunningLoop, ensureFuture, gather, createTask, Future,
  StreamReader, StreamWriter, StreamReaderProtocol, IncompleteReadError, LimitOverrunError,
  ValueError, RuntimeError, NotImplementedError, CancelledError, ConnectionResetError, ConnectionRefusedError,
  ConnectionAbortedError, BrokenPipeError, openConnection, startServer, openUnixConnection, startUnixServer, currentTask, wrapFuture,
  type Coroutine, type AbstractEventLoop, type ExceptionContext, type ClientConnectedCallback,
} from "../src/index.js";
import { FlowControlMixin } from "../src/net/streams.js";
import { Transport } from "../src/core/transports.js";
import { AF_INET, SOCK_STREAM, Socket } from "../src/stdlib/socket.js";
import type { Server } from "../src/net/servers.js";
import { SSLContext, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER } from "../src/stdlib/ssl.js";
import { native } from "../src/internal/native.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, rmSync } from "node:fs";

const DATA = "line1\nline2\nline3\n";
const B = (s: string): Buffer => Buffer.from(s, "latin1");
const S = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

/** Runs a coroutine body on a fresh loop (asyncio.run). */
function go<T>(body: (loop: AbstractEventLoop) => Coroutine<T>): Promise<T> {
  return run((function* (): Coroutine<T> {
    return yield* body(getRunningLoop());
  })());
}

/** Runs a coroutine and returns the error it raised. */
function* raises(co: Coroutine<unknown> | Future<unknown>): Coroutine<unknown> {
  try {
    yield* co;
  } catch (e) {
    return e;
  }
  assert.fail("did not raise");
}

/** A transport with no I/O, recording the calls the streams make on it. */
class RecordingTransport extends Transport {
  calls: string[] = [];
  written: Buffer[] = [];
  closing = false;
  canPause = true;
  constructor(extra?: Record<string, unknown>) {
    super(extra);
  }
  override pauseReading(): void {
    if (!this.canPause) throw new NotImplementedError();
    this.calls.push("pause");
  }
  override resumeReading(): void {
    this.calls.push("resume");
  }
  override write(data: Uint8Array): void {
    this.written.push(Buffer.from(data));
  }
  override writelines(list: Iterable<Uint8Array>): void {
    for (const d of list) this.write(d);
  }
  override writeEof(): void {
    this.calls.push("writeEof");
  }
  override canWriteEof(): boolean {
    return true;
  }
  override isClosing(): boolean {
    return this.closing;
  }
  override close(): void {
    this.calls.push("close");
    this.closing = true;
  }
  override toString(): string {
    return "<Transport>";
  }
}

test("feedData: empty data is ignored, data is buffered", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B(""));
    assert.equal(S(s._buffer), "");
    s.feedData(B(DATA));
    assert.equal(S(s._buffer), DATA);
  }));

test("read(0), read(n) waits for data, read returns at most what is buffered", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B(DATA));
    assert.equal(S(yield* s.read(0)), "");
    assert.equal(S(s._buffer), DATA);

    const s2 = new StreamReader({ loop });
    const t = loop.createTask(s2.read(30));
    loop.callSoon(() => s2.feedData(B(DATA)));
    assert.equal(S(yield* t), DATA);
    assert.equal(S(s2._buffer), "");

    const s3 = new StreamReader({ loop });
    s3.feedData(B("line1"));
    s3.feedData(B("line2"));
    assert.equal(S(yield* s3.read(5)), "line1");
    assert.equal(S(s3._buffer), "line2");
  }));

test("read at EOF returns empty bytes; read(-1) reads until EOF", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    const t = loop.createTask(s.read(1024));
    loop.callSoon(() => s.feedEof());
    assert.equal(S(yield* t), "");
    assert.equal(S(yield* s.read()), "");

    const s2 = new StreamReader({ loop });
    const t2 = loop.createTask(s2.read(-1));
    loop.callSoon(() => {
      s2.feedData(B("chunk1\n"));
      s2.feedData(B("chunk2"));
      s2.feedEof();
    });
    assert.equal(S(yield* t2), "chunk1\nchunk2");
    assert.equal(S(s2._buffer), "");
  }));

test("read(-1) with more than the limit buffered, fed over several iterations", () =>
  go(function* (loop) {
    const s = new StreamReader({ limit: 3, loop });
    const t = loop.createTask(s.read());
    for (let i = 0; i < 5; i++) {
      s.feedData(B(`part${i}-`));
      yield* sleep(0);
    }
    s.feedEof();
    assert.equal(S(yield* t), "part0-part1-part2-part3-part4-");
  }));

test("a set exception is raised by every read method", () =>
  go(function* (loop) {
    for (const method of ["read", "readline", "readexactly", "readuntil"] as const) {
      const s = new StreamReader({ loop });
      s.feedData(B("line\n"));
      assert.equal(S(yield* (method === "readline" || method === "readuntil" ? s[method]() : s[method](2))), method === "readline" || method === "readuntil" ? "line\n" : "li");
      const exc = new ValueError("boom");
      s.setException(exc);
      assert.equal(s.exception(), exc);
      const got = yield* raises(method === "readline" || method === "readuntil" ? s[method]() : s[method](2));
      assert.equal(got, exc);
    }
  }));

test("invalid limit raises ValueError", () =>
  go(function* (loop) {
    assert.throws(() => new StreamReader({ limit: 0, loop }), (e: unknown) => e instanceof ValueError && /imit/.test((e as Error).message));
    assert.throws(() => new StreamReader({ limit: -1, loop }), ValueError);
    // Python's positional form.
    assert.equal(new StreamReader(7, loop)._limit, 7);
  }));

test("read and readexactly are not bounded by the limit", () =>
  go(function* (loop) {
    const s = new StreamReader({ limit: 3, loop });
    s.feedData(B("chunk"));
    assert.equal(S(yield* s.read(5)), "chunk");
    assert.equal(S(s._buffer), "");
    s.feedData(B("chunk"));
    assert.equal(S(yield* s.readexactly(5)), "chunk");
  }));

test("readline waits for the rest of the line", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B("chunk1 "));
    const t = loop.createTask(s.readline());
    loop.callSoon(() => {
      s.feedData(B("chunk2 "));
      s.feedData(B("chunk3 "));
      s.feedData(B("\n chunk4"));
    });
    assert.equal(S(yield* t), "chunk1 chunk2 chunk3 \n");
    assert.equal(S(s._buffer), " chunk4");
  }));

test("readline over the limit with the data already buffered", () =>
  go(function* (loop) {
    let s = new StreamReader({ limit: 3, loop });
    s.feedData(B("li"));
    s.feedData(B("ne1\nline2\n"));
    const e = yield* raises(s.readline());
    assert.ok(e instanceof ValueError);
    assert.equal((e as Error).message, "Separator is found, but chunk is longer than limit");
    assert.equal(S(s._buffer), "line2\n");

    s = new StreamReader({ limit: 3, loop });
    s.feedData(B("li"));
    s.feedData(B("ne1"));
    s.feedData(B("li"));
    const e2 = yield* raises(s.readline());
    assert.ok(e2 instanceof ValueError);
    assert.equal((e2 as Error).message, "Separator is not found, and chunk exceed the limit");
    assert.equal(S(s._buffer), "");
  }));

test("atEof", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    assert.equal(s.atEof(), false);
    s.feedData(B("some data\n"));
    assert.equal(s.atEof(), false);
    yield* s.readline();
    assert.equal(s.atEof(), false);
    s.feedData(B("some data\n"));
    s.feedEof();
    yield* s.readline();
    assert.equal(s.atEof(), true);
  }));

test("readline limit: data fed after the call, and the strictness of the limit", () =>
  go(function* (loop) {
    let s = new StreamReader({ limit: 7, loop });
    loop.callSoon(() => {
      s.feedData(B("chunk1"));
      s.feedData(B("chunk2"));
      s.feedData(B("chunk3\n"));
      s.feedEof();
    });
    assert.ok((yield* raises(s.readline())) instanceof ValueError);
    assert.equal(S(s._buffer), "");

    s = new StreamReader({ limit: 7, loop });
    const s2 = s;
    loop.callSoon(() => {
      s2.feedData(B("chunk1"));
      s2.feedData(B("chunk2\n"));
      s2.feedData(B("chunk3\n"));
      s2.feedEof();
    });
    assert.ok((yield* raises(s.readline())) instanceof ValueError);
    assert.equal(S(s._buffer), "chunk3\n");

    s = new StreamReader({ limit: 7, loop });
    s.feedData(B("1234567\n"));
    assert.equal(S(yield* s.readline()), "1234567\n");
    assert.equal(S(s._buffer), "");
    s.feedData(B("12345678\n"));
    assert.ok((yield* raises(s.readline())) instanceof ValueError);
    assert.equal(S(s._buffer), "");
    s.feedData(B("12345678"));
    assert.ok((yield* raises(s.readline())) instanceof ValueError);
    assert.equal(S(s._buffer), "");
  }));

test("readline: no wait, EOF, empty EOF, then read", () =>
  go(function* (loop) {
    let s = new StreamReader({ loop });
    s.feedData(B(DATA.slice(0, 6)));
    s.feedData(B(DATA.slice(6)));
    assert.equal(S(yield* s.readline()), "line1\n");
    assert.equal(S(s._buffer), "line2\nline3\n");

    s = new StreamReader({ loop });
    s.feedData(B("some data"));
    s.feedEof();
    assert.equal(S(yield* s.readline()), "some data");

    s = new StreamReader({ loop });
    s.feedEof();
    assert.equal(S(yield* s.readline()), "");

    s = new StreamReader({ loop });
    s.feedData(B(DATA));
    yield* s.readline();
    assert.equal(S(yield* s.read(7)), "line2\nl");
    assert.equal(S(s._buffer), "ine3\n");
  }));

test("readuntil: separator validation", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    for (const sep of ["", [""], [B("")]]) {
      const e = yield* raises(s.readuntil(sep));
      assert.ok(e instanceof ValueError);
      assert.match((e as Error).message, /^Separator should be at least one-byte string$/);
    }
    const e = yield* raises(s.readuntil([]));
    assert.ok(e instanceof ValueError);
    assert.equal((e as Error).message, "Separator should contain at least one element");
  }));

test("readuntil: multi-byte separators across chunks", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B("lineAAA"));
    assert.equal(S(yield* s.readuntil("AAA")), "lineAAA");
    assert.equal(S(s._buffer), "");
    s.feedData(B("lineAAAxxx"));
    assert.equal(S(yield* s.readuntil(B("AAA"))), "lineAAA");
    assert.equal(S(s._buffer), "xxx");
    s.feedData(B("yyy")); // leaves "xxxyyy"
    assert.equal(S(yield* s.read(6)), "xxxyyy");

    const cases: string[][] = [
      ["QWEaa", "XYaa", "a"],
      ["QWEaa", "XYa", "aa"],
      ["aaa"],
      ["Xaaa"],
      ["XXX", "a", "a", "a"],
    ];
    for (const chunks of cases) {
      for (const c of chunks) s.feedData(B(c));
      assert.equal(S(yield* s.readuntil("aaa")), chunks.join(""));
      assert.equal(S(s._buffer), "");
    }
    // The same, with the chunks arriving while readuntil waits.
    for (const chunks of cases) {
      const t = loop.createTask(s.readuntil("aaa"));
      for (const c of chunks) {
        yield* sleep(0);
        s.feedData(B(c));
      }
      assert.equal(S(yield* t), chunks.join(""));
    }
  }));

test("readuntil: EOF raises IncompleteReadError with the buffer", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B("some dataAA"));
    s.feedEof();
    const e = yield* raises(s.readuntil("AAA"));
    assert.ok(e instanceof IncompleteReadError);
    assert.match((e as Error).message, /undefined expected bytes/);
    assert.equal(S((e as IncompleteReadError).partial), "some dataAA");
    assert.equal((e as IncompleteReadError).expected, null);
    assert.equal(S(s._buffer), "");
  }));

test("readuntil: LimitOverrunError leaves the data buffered", () =>
  go(function* (loop) {
    const s = new StreamReader({ limit: 3, loop });
    s.feedData(B("some dataAA"));
    const e = yield* raises(s.readuntil("AAA"));
    assert.ok(e instanceof LimitOverrunError);
    assert.equal((e as Error).message, "Separator is not found, and chunk exceed the limit");
    assert.equal((e as LimitOverrunError).consumed, 9);
    assert.equal(S(s._buffer), "some dataAA");
    s.feedData(B("A"));
    const e2 = yield* raises(s.readuntil("AAA"));
    assert.ok(e2 instanceof LimitOverrunError);
    assert.equal((e2 as Error).message, "Separator is found, but chunk is longer than limit");
    assert.equal((e2 as LimitOverrunError).consumed, 9);
    assert.equal(S(s._buffer), "some dataAAA");
  }));

test("readuntil: a list of separators (3.13): the earliest end wins, then the shortest", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B("line 1\nline 2\r"));
    assert.equal(S(yield* s.readuntil(["\r", "\n"])), "line 1\n");
    assert.equal(S(yield* s.readuntil(["\r", "\n"])), "line 2\r");
    assert.equal(S(s._buffer), "");
    s.feedData(B("ABCDEFG"));
    assert.equal(S(yield* s.readuntil(["DEF", "BCDE"])), "ABCDE");
    assert.equal(S(s._buffer), "FG");
    yield* s.read(2);
    // "\r\n" and "\n" end at the same place: "\n" (shorter) matched, which
    // decides the limit check.
    const l = new StreamReader({ limit: 3, loop });
    l.feedData(B("abc\r\n"));
    const el = yield* raises(l.readuntil(["\r\n", "\n"]));
    assert.ok(el instanceof LimitOverrunError);
    assert.equal((el as LimitOverrunError).consumed, 4);
    const l2 = new StreamReader({ limit: 4, loop });
    l2.feedData(B("abc\r\n"));
    assert.equal(S(yield* l2.readuntil(["\r\n", "\n"])), "abc\r\n");

    const m = new StreamReader({ limit: 3, loop });
    m.feedData(B("some dataA"));
    const e = yield* raises(m.readuntil(["A", "ome dataA"]));
    assert.ok(e instanceof LimitOverrunError);
    assert.equal((e as Error).message, "Separator is found, but chunk is longer than limit");
    assert.equal(S(m._buffer), "some dataA");
  }));

test("readuntil: a list of separators with the buffer shorter than the longest (offset stays >= 0)", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B("data"));
    const t = loop.createTask(s.readuntil(["A", "long sep"]));
    loop.callSoon(() => s.feedData(B("Z")));
    loop.callSoon(() => s.feedData(B("Aaaa")));
    assert.equal(S(yield* t), "dataZA");
    assert.equal(S(s._buffer), "aaa");
  }));

test("readuntil: Uint8Array separator", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B("some data\r\n"));
    assert.equal(S(yield* s.readuntil(new Uint8Array([13, 10]))), "some data\r\n");
    assert.equal(S(s._buffer), "");
  }));

test("readexactly: zero, negative, waiting, EOF", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    s.feedData(B(DATA));
    assert.equal(S(yield* s.readexactly(0)), "");
    assert.equal(S(s._buffer), DATA);
    const e = yield* raises(s.readexactly(-1));
    assert.ok(e instanceof ValueError);
    assert.match((e as Error).message, /less than zero/);
    assert.equal(S(s._buffer), DATA);

    const s2 = new StreamReader({ loop });
    const n = 2 * DATA.length;
    const t = loop.createTask(s2.readexactly(n));
    loop.callSoon(() => {
      s2.feedData(B(DATA));
      s2.feedData(B(DATA));
      s2.feedData(B(DATA));
    });
    assert.equal(S(yield* t), DATA + DATA);
    assert.equal(S(s2._buffer), DATA);

    const s3 = new StreamReader({ loop });
    const t3 = loop.createTask(s3.readexactly(n));
    loop.callSoon(() => {
      s3.feedData(B(DATA));
      s3.feedEof();
    });
    const e3 = yield* raises(t3);
    assert.ok(e3 instanceof IncompleteReadError);
    assert.equal(S((e3 as IncompleteReadError).partial), DATA);
    assert.equal((e3 as IncompleteReadError).expected, n);
    assert.equal((e3 as Error).message, "18 bytes read on a total of 36 expected bytes");
    assert.equal(S(s3._buffer), "");
  }));

test("setException wakes the waiting read; a cancelled waiter is left alone", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    assert.equal(s.exception(), null);
    const t1 = loop.createTask(s.readline());
    const t2 = loop.createTask((function* () {
      s.setException(new ValueError());
    })());
    yield* gather(t1, t2, { returnExceptions: true });
    assert.throws(() => t1.result(), ValueError);

    const s2 = new StreamReader({ loop });
    const t = loop.createTask(s2.readline());
    yield* sleep(0);
    t.cancel();
    yield* sleep(0);
    s2.setException(new RuntimeError("message"));
    yield* sleep(0);
    assert.equal(s2._waiter, null);
    assert.equal(t.cancelled(), true);
  }));

test("two concurrent reads: RuntimeError for the second", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    const t1 = loop.createTask(s.read(10));
    yield* sleep(0);
    for (const [name, co] of [["read", s.read(1)], ["readline", s.readline()], ["readuntil", s.readuntil("x")], ["readexactly", s.readexactly(3)]] as const) {
      const e = yield* raises(co);
      assert.ok(e instanceof RuntimeError);
      const expected = name === "readline" ? "readuntil" : name;
      assert.equal((e as Error).message, `${expected}() called while another coroutine is already waiting for incoming data`);
    }
    s.feedData(B("abc"));
    assert.equal(S(yield* t1), "abc");
  }));

test("a cancelled read leaves no waiter behind: the next read waits and gets the data", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    const t1 = loop.createTask(s.read(10));
    yield* sleep(0);
    assert.match(String(s), /waiter=/);
    t1.cancel();
    yield* sleep(0);
    assert.equal(t1.cancelled(), true);
    assert.doesNotMatch(String(s), /waiter=/);
    const t2 = loop.createTask(s.read(10));
    yield* sleep(0);
    s.feedData(B("hello"));
    assert.equal(S(yield* t2), "hello");
  }));

test("flow control: pause over 2*limit, resume at or below the limit, resume before waiting", () =>
  go(function* (loop) {
    const s = new StreamReader({ limit: 4, loop });
    const tr = new RecordingTransport();
    s.setTransport(tr);
    assert.throws(() => s.setTransport(tr), /Transport already set/);
    s.feedData(B("12345678"));
    assert.deepEqual(tr.calls, []);
    s.feedData(B("9"));
    assert.deepEqual(tr.calls, ["pause"]);
    assert.equal(String(s), "<StreamReader 9 bytes limit=4 transport=<Transport> paused>");
    s.feedData(B("abc"));
    assert.deepEqual(tr.calls, ["pause"]);
    assert.equal(S(yield* s.read(7)), "1234567");
    assert.deepEqual(tr.calls, ["pause"]); // 5 left > limit
    assert.equal(S(yield* s.read(1)), "8");
    assert.deepEqual(tr.calls, ["pause", "resume"]);
    // readexactly(n > 2*limit) must resume reading while it waits.
    s.feedData(B("0123456789"));
    assert.deepEqual(tr.calls, ["pause", "resume", "pause"]);
    const t = loop.createTask(s.readexactly(20));
    yield* sleep(0);
    assert.deepEqual(tr.calls, ["pause", "resume", "pause", "resume"]);
    s.feedData(B("abcdefg"));
    assert.equal(S(yield* t), "9abc0123456789abcdefg".slice(0, 20));
    // readline's overlong-line discard also resumes.
    const s2 = new StreamReader({ limit: 2, loop });
    const tr2 = new RecordingTransport();
    s2.setTransport(tr2);
    s2.feedData(B("abcdef"));
    assert.deepEqual(tr2.calls, ["pause"]);
    assert.ok((yield* raises(s2.readline())) instanceof ValueError);
    assert.deepEqual(tr2.calls, ["pause", "resume"]);
  }));

test("flow control: a transport that cannot pause is forgotten", () =>
  go(function* (loop) {
    const s = new StreamReader({ limit: 1, loop });
    const tr = new RecordingTransport();
    tr.canPause = false;
    s.setTransport(tr);
    s.feedData(B("abc"));
    assert.equal(s._transport, null);
    assert.equal(s._paused, false);
    s.feedData(B("def"));
    assert.equal(S(yield* s.read(100)), "abcdef");
  }));

test("toString as Python's repr", () =>
  go(function* (loop) {
    assert.equal(String(new StreamReader({ loop })), "<StreamReader>");
    assert.equal(String(new StreamReader({ loop, limit: 123 })), "<StreamReader limit=123>");
    const e = new StreamReader({ loop });
    e.feedEof();
    assert.equal(String(e), "<StreamReader eof>");
    const d = new StreamReader({ loop });
    d.feedData(B("data"));
    assert.equal(String(d), "<StreamReader 4 bytes>");
    const x = new StreamReader({ loop });
    x.setException(new RuntimeError());
    assert.equal(String(x), "<StreamReader exception=RuntimeError()>");
    const w = new StreamReader({ loop });
    const t = loop.createTask(w.read(1));
    yield* sleep(0);
    assert.match(String(w), /^<StreamReader waiter=<Future pending.*>>$/);
    w.feedEof();
    yield* t;
    assert.equal(String(w), "<StreamReader eof>");
  }));

test("the constructors use the running loop", () =>
  go(function* (loop) {
    assert.equal(new StreamReader()._loop, loop);
    assert.equal(new StreamReaderProtocol(new StreamReader())._loop, loop);
  }));

test("async iteration over lines from an async function", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    loop.callSoon(() => {
      s.feedData(B("a\nbb\n"));
      s.feedData(B("ccc"));
      s.feedEof();
    });
    const lines = yield* ensureFuture((async () => {
      const out: string[] = [];
      for await (const line of s) out.push(S(line));
      return out;
    })());
    assert.deepEqual(lines, ["a\n", "bb\n", "ccc"]);
    // and `await` on every read method
    const s2 = new StreamReader({ loop });
    s2.feedData(B("x\ny;zzzz"));
    s2.feedEof();
    const got = yield* ensureFuture((async () => [
      S(await s2.readline()), S(await s2.readuntil(";")), S(await s2.readexactly(2)), S(await s2.read()),
    ])());
    assert.deepEqual(got, ["x\n", "y;", "zz", "zz"]);
  }));

test("the generator form of line iteration", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop });
    loop.callSoon(() => {
      s.feedData(B("1\n2\n"));
      loop.callSoon(() => {
        s.feedData(B("3\n"));
        s.feedEof();
      });
    });
    const lines: string[] = [];
    for (;;) {
      const line = yield* s.readline();
      if (!line.length) break;
      lines.push(S(line));
    }
    assert.deepEqual(lines, ["1\n", "2\n", "3\n"]);
  }));

test("returned bytes stay intact while more data is fed and read", () =>
  go(function* (loop) {
    const s = new StreamReader({ loop, limit: 64 });
    const kept: [Buffer, string][] = [];
    for (let i = 0; i < 200; i++) {
      const line = `line-${i}-${"x".repeat(i % 13)}\n`;
      s.feedData(B(line.slice(0, 3)));
      s.feedData(B(line.slice(3)));
      if (i % 3 === 0) kept.push([yield* s.readexactly(2), line.slice(0, 2)], [yield* s.readline(), line.slice(2)]);
      else kept.push([yield* s.readline(), line]);
    }
    for (const [b, want] of kept) assert.equal(S(b), want);
  }));

/** Every split of `data` into two chunks, fed before and during the read. */
function* splits(data: string): Generator<[string, string]> {
  for (let i = 0; i <= data.length; i++) yield [data.slice(0, i), data.slice(i)];
}

test("every read method with the data split at every position", () =>
  go(function* (loop) {
    const data = "ab\r\ncd\nSEPefgh\n";
    type Op = (s: StreamReader) => Coroutine<Buffer>;
    const ops: [string, Op, string, string][] = [
      ["readline", (s) => s.readline(), "ab\r\n", "cd\nSEPefgh\n"],
      ["readuntil(SEP)", (s) => s.readuntil("SEP"), "ab\r\ncd\nSEP", "efgh\n"],
      ["readuntil([\\r\\n, SEP])", (s) => s.readuntil(["\r\n", "SEP"]), "ab\r\n", "cd\nSEPefgh\n"],
      ["readexactly(9)", (s) => s.readexactly(9), "ab\r\ncd\nSE", "Pefgh\n"],
      ["read(-1)", (s) => s.read(), data, ""],
    ];
    for (const [name, op, want, rest] of ops) {
      for (const [a, b] of splits(data)) {
        // both chunks before the read
        let s = new StreamReader({ loop });
        s.feedData(B(a));
        s.feedData(B(b));
        if (name === "read(-1)") s.feedEof();
        assert.equal(S(yield* op(s)), want, `${name} ${JSON.stringify([a, b])}`);
        assert.equal(S(s._buffer), rest);
        // the second chunk while the read waits
        s = new StreamReader({ loop });
        s.feedData(B(a));
        const t = loop.createTask(op(s));
        yield* sleep(0);
        s.feedData(B(b));
        if (name === "read(-1)") s.feedEof();
        assert.equal(S(yield* t), want, `${name} waiting ${JSON.stringify([a, b])}`);
        assert.equal(S(s._buffer), rest);
      }
    }
    // read(n) returns what the first chunk gave, as soon as it is there
    for (const [a, b] of splits(data)) {
      const s = new StreamReader({ loop });
      const t = loop.createTask(s.read(100));
      yield* sleep(0);
      if (a) s.feedData(B(a));
      else s.feedData(B(b));
      assert.equal(S(yield* t), a || b);
    }
  }));

test("FlowControlMixin: several drainers all wake on resumeWriting", () =>
  go(function* (loop) {
    let drained = 0;
    const stream = new FlowControlMixin(loop);
    stream.pauseWriting();
    loop.callLater(0.01, () => stream.resumeWriting());
    function* drainer(): Coroutine<void> {
      yield* stream._drainHelper();
      drained++;
    }
    yield* gather(...Array.from({ length: 10 }, () => drainer()));
    assert.equal(drained, 10);
    assert.equal(stream._drainWaiters.length, 0);
  }));

test("FlowControlMixin: connection lost wakes paused drainers with the exception, later drains raise ConnectionResetError", () =>
  go(function* (loop) {
    const p = new FlowControlMixin(loop);
    p.pauseWriting();
    const t = loop.createTask(p._drainHelper());
    yield* sleep(0);
    const exc = new ConnectionResetError("peer gone");
    p.connectionLost(exc);
    assert.equal(yield* raises(t), exc);
    const e = yield* raises(p._drainHelper());
    assert.ok(e instanceof ConnectionResetError);
    assert.equal((e as Error).message, "Connection lost");

    const q = new FlowControlMixin(loop);
    q.pauseWriting();
    const t2 = loop.createTask(q._drainHelper());
    yield* sleep(0);
    q.connectionLost(null);
    yield* t2;
  }));

/** A protocol connected to a RecordingTransport, as a server-side connection. */
function serverSide(loop: AbstractEventLoop, cb: ConstructorParameters<typeof StreamReaderProtocol>[1]): [StreamReaderProtocol, RecordingTransport] {
  const reader = new StreamReader({ loop });
  const proto = new StreamReaderProtocol(reader, cb, loop);
  const tr = new RecordingTransport();
  proto.connectionMade(tr);
  return [proto, tr];
}

test("StreamReaderProtocol: client callbacks of the three kinds", () =>
  go(function* (loop) {
    const contexts: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const seen: string[] = [];

    // plain function
    let plainWriter: StreamWriter | null = null;
    const [p1, tr1] = serverSide(loop, (r, w) => {
      assert.ok(r instanceof StreamReader);
      assert.ok(w instanceof StreamWriter);
      plainWriter = w;
      seen.push("plain");
    });
    assert.equal(plainWriter!.transport, tr1);
    assert.equal(p1._task, null);

    // generator function: runs as a Task
    const [p2, tr2] = serverSide(loop, function* (r, w) {
      const line = yield* r.readline();
      w.write(line);
      seen.push("generator");
    });
    assert.ok(p2._task !== null);
    p2.dataReceived(B("hello\n"));

    // async function: its promise wrapped in a Future
    const [p3, tr3] = serverSide(loop, async (r, w) => {
      const line = await r.readline();
      w.write(line);
      seen.push("async");
    });
    assert.ok(p3._task instanceof Future);
    p3.dataReceived(B("world\n"));
    yield* p2._task!;
    yield* p3._task!;
    yield* sleep(0);
    assert.deepEqual(seen, ["plain", "generator", "async"]);
    assert.equal(S(Buffer.concat(tr2.written)), "hello\n");
    assert.equal(S(Buffer.concat(tr3.written)), "world\n");
    assert.deepEqual([tr1.calls, tr2.calls, tr3.calls], [[], [], []]);
    assert.deepEqual(contexts, []);
  }));

test("StreamReaderProtocol: an exception in a coroutine callback goes to the handler and closes the transport", () =>
  go(function* (loop) {
    const contexts: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    const boom1 = new Error("gen");
    const [p1, tr1] = serverSide(loop, function* () {
      yield* sleep(0);
      throw boom1;
    });
    const boom2 = new Error("async");
    const [p2, tr2] = serverSide(loop, async () => {
      throw boom2;
    });
    yield* raises(p1._task!);
    yield* raises(p2._task!);
    yield* sleep(0);
    assert.equal(contexts.length, 2);
    assert.deepEqual(contexts.map((c) => [c.message, c.exception, c.transport]), [
      ["Unhandled exception in client_connected_cb", boom1, tr1],
      ["Unhandled exception in client_connected_cb", boom2, tr2],
    ]);
    assert.deepEqual(tr1.calls, ["close"]);
    assert.deepEqual(tr2.calls, ["close"]);

    // A cancelled handler closes the transport quietly (3.13).
    const [p3, tr3] = serverSide(loop, function* () {
      yield* sleep(10);
    });
    yield* sleep(0);
    p3._task!.cancel();
    yield* raises(p3._task!);
    yield* sleep(0);
    assert.deepEqual(tr3.calls, ["close"]);
    assert.equal(contexts.length, 2);

    // A plain callback's exception propagates out of connectionMade (the
    // transport's callSoon reports it).
    const reader = new StreamReader({ loop });
    const proto = new StreamReaderProtocol(reader, () => {
      throw new ValueError("plain");
    }, loop);
    assert.throws(() => proto.connectionMade(new RecordingTransport()), ValueError);
  }));

test("StreamReaderProtocol: data, EOF, connection lost and the close waiter", () =>
  go(function* (loop) {
    const reader = new StreamReader({ loop });
    const proto = new StreamReaderProtocol(reader, null, loop);
    const tr = new RecordingTransport();
    proto.connectionMade(tr);
    assert.equal(reader._transport, tr);
    const w = new StreamWriter(tr, proto, reader, loop);
    proto.dataReceived(B("abc"));
    assert.equal(proto.eofReceived(), true);
    assert.equal(reader.atEof(), false);
    assert.equal(S(yield* reader.read()), "abc");
    assert.equal(reader.atEof(), true);
    const waiting = loop.createTask(w.waitClosed());
    yield* sleep(0);
    assert.equal(waiting.done(), false);
    proto.connectionLost(null);
    yield* waiting;
    // over TLS, eofReceived returns false
    const p3 = new StreamReaderProtocol(new StreamReader({ loop }), null, loop);
    p3.connectionMade(new RecordingTransport({ sslcontext: {} }));
    assert.equal(p3.eofReceived(), false);
    const r2 = new StreamReader({ loop });
    const p2 = new StreamReaderProtocol(r2, null, loop);
    p2.connectionMade(new RecordingTransport());
    // lost with an error: readers and waitClosed raise it
    const exc = new ConnectionResetError("reset");
    const t = loop.createTask(r2.read(10));
    yield* sleep(0);
    p2.connectionLost(exc);
    assert.equal(yield* raises(t), exc);
    assert.equal(yield* raises(r2.readline()), exc);
    const w2 = new StreamWriter(new RecordingTransport(), p2, r2, loop);
    assert.equal(yield* raises(w2.waitClosed()), exc);
    // drain() raises the reader's exception first
    assert.equal(yield* raises(w2.drain()), exc);
  }));

test("StreamWriter delegates to its transport; drain() yields once on a closing transport", () =>
  go(function* (loop) {
    const reader = new StreamReader({ loop });
    const proto = new StreamReaderProtocol(reader, null, loop);
    const tr = new RecordingTransport({ peername: ["127.0.0.1", 1] });
    proto.connectionMade(tr);
    const w = new StreamWriter(tr, proto, reader, loop);
    w.write(B("a"));
    w.writelines([B("b"), B("c")]);
    assert.equal(w.canWriteEof(), true);
    w.writeEof();
    assert.deepEqual(w.getExtraInfo("peername"), ["127.0.0.1", 1]);
    assert.equal(w.getExtraInfo("nope", 5), 5);
    assert.equal(S(Buffer.concat(tr.written)), "abc");
    assert.equal(w.transport, tr);
    assert.equal(String(w), "<StreamWriter transport=<Transport> reader=<StreamReader transport=<Transport>>>");
    // not paused: drain() completes without suspending
    const it = w.drain();
    assert.equal(it.next().done, true);
    // paused: waits for resumeWriting()
    proto.pauseWriting();
    const t = loop.createTask(w.drain());
    yield* sleep(0);
    assert.equal(t.done(), false);
    proto.resumeWriting();
    yield* t;
    // closing: one yield so that connectionLost() can run first
    assert.equal(w.isClosing(), false);
    w.close();
    assert.equal(w.isClosing(), true);
    loop.callSoon(() => proto.connectionLost(null));
    const e = yield* raises(w.drain());
    assert.ok(e instanceof ConnectionResetError);
    assert.equal((e as Error).message, "Connection lost");
  }));

test("StreamWriter: a reader of the wrong type is refused", () =>
  go(function* (loop) {
    const proto = new StreamReaderProtocol(null, null, loop);
    assert.throws(() => new StreamWriter(new RecordingTransport(), proto, {} as StreamReader, loop));
    // cancelled drain leaves no waiter behind
    proto.pauseWriting();
    const w = new StreamWriter(new RecordingTransport(), proto, null, loop);
    const t = createTask(w.drain());
    yield* sleep(0);
    t.cancel();
    assert.ok((yield* raises(t)) instanceof CancelledError);
    assert.equal(proto._drainWaiters.length, 0);
  }));

// ---- real connections ------------------------------------------------------

function portOf(server: Server): number {
  return (server.sockets[0]!.getsockname() as [string, number])[1];
}

function tmpSocketPath(): string {
  return join(tmpdir(), `tsyncio-streams-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);
}

/** The client of CPython's test_start_server: send a line, read it back. */
function* lineClient(reader: StreamReader, writer: StreamWriter): Coroutine<string> {
  writer.write(B("hello world!\n"));
  const back = yield* reader.readline();
  writer.close();
  yield* writer.waitClosed();
  return S(back);
}

function* echoLine(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  const data = yield* reader.readline();
  writer.write(data);
  yield* writer.drain();
  writer.close();
  yield* writer.waitClosed();
}

test("startServer/openConnection: generator, plain and async client callbacks", () =>
  go(function* (loop) {
    const messages: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
    const callbacks: [string, ClientConnectedCallback][] = [
      ["generator", echoLine],
      ["plain", (r, w) => {
        loop.createTask(echoLine(r, w));
      }],
      ["async", async (r, w) => {
        const data = await r.readline();
        w.write(data);
        await w.drain();
        w.close();
        await w.waitClosed();
      }],
    ];
    for (const [kind, cb] of callbacks) {
      const server = yield* startServer(cb, "127.0.0.1", 0);
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
      assert.deepEqual(writer.getExtraInfo("peername"), ["127.0.0.1", portOf(server)]);
      assert.equal(yield* lineClient(reader, writer), "hello world!\n", kind);
      server.close();
      yield* server.waitClosed();
    }
    // and with a listening socket passed in
    const sock = new Socket(AF_INET, SOCK_STREAM);
    sock.bind(["127.0.0.1", 0]);
    const server = yield* startServer(echoLine, null, null, { sock });
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    assert.equal(yield* lineClient(reader, writer), "hello world!\n");
    server.close();
    yield* server.waitClosed();
    assert.deepEqual(messages, []);
  }));

test("startUnixServer/openUnixConnection", () =>
  go(function* (loop) {
    const messages: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
    for (const cb of [echoLine, (r: StreamReader, w: StreamWriter) => void loop.createTask(echoLine(r, w))]) {
      const path = tmpSocketPath();
      const server = yield* startUnixServer(cb, path);
      const [reader, writer] = yield* openUnixConnection(path);
      assert.equal(yield* lineClient(reader, writer), "hello world!\n");
      server.close();
      yield* server.waitClosed();
    }
    assert.deepEqual(messages, []);
  }));

test("openConnection to a closed port raises ConnectionRefusedError; bad limit raises ValueError", () =>
  go(function* () {
    const probe = new Socket(AF_INET, SOCK_STREAM);
    probe.bind(["127.0.0.1", 0]);
    const port = (probe.getsockname() as [string, number])[1];
    probe.close();
    assert.ok((yield* raises(openConnection("127.0.0.1", port))) instanceof ConnectionRefusedError);
    assert.ok((yield* raises(openConnection("127.0.0.1", port, { limit: 0 }))) instanceof ValueError);
  }));

test("a big transfer through a small limit: reading pauses and resumes, nothing is lost", () =>
  go(function* () {
    const total = 3 * 1024 * 1024;
    const payload = Buffer.alloc(total);
    for (let i = 0; i < total; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
    const server = yield* startServer(function* (_r, w) {
      w.write(payload);
      yield* w.drain();
      w.close();
    }, "127.0.0.1", 0);
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server), { limit: 1024 });
    const pieces: Buffer[] = [];
    let paused = 0;
    // readexactly above 2*limit must resume a paused transport itself.
    pieces.push(yield* reader.readexactly(10_000));
    while (!reader.atEof()) {
      if (reader._paused) paused++;
      pieces.push(yield* reader.read(777));
      if (pieces.length % 50 === 0) yield* sleep(0);
    }
    assert.ok(paused > 0, "the transport was never paused");
    assert.ok(Buffer.concat(pieces).equals(payload));
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }));

test("drain() waits for a slow peer and resumes when it reads", () =>
  go(function* (loop) {
    const peerMayRead = loop.createFuture<void>();
    let received = 0;
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    const done = loop.createFuture<void>();
    const server = yield* startServer(function* (r, w) {
      yield* peerMayRead;
      for (;;) {
        const data = yield* r.read(1 << 20);
        if (!data.length) break;
        received += data.length;
      }
      w.close();
      done.setResult(undefined);
    }, "127.0.0.1", 0);
    const [, writer] = yield* openConnection("127.0.0.1", portOf(server));
    writer.write(big);
    // More than the kernel buffers hold: the transport is over its high-water mark.
    const draining = loop.createTask(writer.drain());
    yield* sleep(0.05);
    assert.equal(draining.done(), false);
    assert.ok(writer.transport.getWriteBufferSize() > 0);
    peerMayRead.setResult(undefined);
    yield* draining;
    writer.writeEof();
    yield* done;
    assert.equal(received, big.length);
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }));

test("write/drain in a loop against a peer that closes raises a connection error", () =>
  go(function* (loop) {
    const messages: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
    const server = yield* startServer((_r, w) => w.close(), "127.0.0.1", 0);
    const [, writer] = yield* openConnection("127.0.0.1", portOf(server));
    const e = yield* raises((function* () {
      for (;;) {
        writer.write(B("foo\n"));
        yield* writer.drain();
      }
    })());
    assert.ok(e instanceof ConnectionResetError || e instanceof ConnectionAbortedError || e instanceof BrokenPipeError, String(e));
    writer.close();
    server.close();
    yield* server.waitClosed();
    assert.deepEqual(messages.filter((m) => !/socket\.send\(\) raised exception/.test(m.message)), []);
  }));

test("close then waitClosed; the reader sees EOF; write+drain after close raises ConnectionResetError", () =>
  go(function* () {
    const server = yield* startServer(function* (r, w) {
      yield* r.read();
      w.close();
    }, "127.0.0.1", 0);
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    assert.equal(writer.isClosing(), false);
    writer.close();
    assert.equal(writer.isClosing(), true);
    yield* writer.waitClosed();
    assert.equal(reader.atEof(), true);
    assert.equal(S(yield* reader.read()), "");

    const [, w2] = yield* openConnection("127.0.0.1", portOf(server));
    w2.close();
    const e = yield* raises((function* () {
      w2.write(B("data"));
      yield* w2.drain();
    })());
    assert.ok(e instanceof ConnectionResetError);
    server.close();
    yield* server.waitClosed();
  }));

test("writeEof half-closes: the peer reads to EOF and still answers", () =>
  go(function* () {
    const server = yield* startServer(async (r, w) => {
      const all = await r.read();
      w.write(B(`got ${all.length}`));
      await w.drain();
      w.close();
    }, "127.0.0.1", 0);
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    assert.equal(writer.canWriteEof(), true);
    writer.writelines([B("abc"), B("defg")]);
    writer.writeEof();
    assert.equal(S(yield* reader.read()), "got 7");
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }));

test("async iteration over the lines of a connection", () =>
  go(function* () {
    const server = yield* startServer(async (_r, w) => {
      w.writelines([B("one\ntw"), B("o\nthree\n")]);
      await w.drain();
      w.close();
    }, "127.0.0.1", 0);
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    const lines = yield* ensureFuture((async () => {
      const out: string[] = [];
      for await (const line of reader) out.push(S(line));
      return out;
    })());
    assert.deepEqual(lines, ["one\n", "two\n", "three\n"]);
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }));

test("unhandled exceptions in the client callback reach the handler; a cancelled one does not", () =>
  go(function* (loop) {
    for (const [kind, handler] of [
      ["async", async () => {
        throw new Error("test");
      }],
      ["generator", function* (): Coroutine<void> {
        throw new Error("test");
      }],
      ["cancel", function* (_r: StreamReader, w: StreamWriter): Coroutine<void> {
        w.close();
        currentTask()!.cancel();
        yield* sleep(0);
      }],
    ] as [string, ClientConnectedCallback][]) {
      const messages: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
      const server = yield* startServer(handler, "127.0.0.1", 0);
      const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
      writer.write(B("test msg"));
      yield* writer.drain();
      // The server closes its side in every case: EOF, or a reset when it
      // closed before reading what was sent.
      try {
        assert.equal(S(yield* reader.read()), "");
      } catch (e) {
        assert.ok(e instanceof ConnectionResetError, String(e));
      }
      writer.close();
      try {
        yield* writer.waitClosed();
      } catch (e) {
        assert.ok(e instanceof ConnectionResetError, String(e));
      }
      server.close();
      yield* server.waitClosed();
      if (kind === "cancel") assert.deepEqual(messages, []);
      else {
        assert.equal(messages.length, 1, kind);
        assert.equal(messages[0]!.message, "Unhandled exception in client_connected_cb");
        assert.equal((messages[0]!.exception as Error).message, "test");
      }
    }
  }));

test("a StreamReader with limit 1 on a read pipe reads everything a child wrote (asyncio issue 168)", () =>
  go(function* (loop) {
    const fds = native().pipe();
    assert.ok(Array.isArray(fds));
    const [rfd, wfd] = fds;
    const reader = new StreamReader({ loop, limit: 1 });
    const protocol = new StreamReaderProtocol(reader, null, loop);
    const [transport] = yield* loop.connectReadPipe(() => protocol, rfd);
    const child = spawn(process.execPath, ["-e", "require('fs').writeSync(1, 'data')"], { stdio: ["ignore", wfd, "inherit"] });
    yield* wrapFuture(once(child, "exit"));
    closeSync(wfd);
    assert.equal(S(yield* reader.read(-1)), "data");
    transport.close();
  }));

test("StreamWriter.startTls upgrades both ends of a connection", () =>
  go(function* (loop) {
    const dir = mkdtempSync(join(tmpdir(), "tsyncio-streams-tls-"));
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ], { stdio: "ignore" });
    const serverCtx = new SSLContext(PROTOCOL_TLS_SERVER);
    serverCtx.loadCertChain(cert, key);
    const clientCtx = new SSLContext(PROTOCOL_TLS_CLIENT);
    clientCtx.loadVerifyLocations(cert);
    rmSync(dir, { recursive: true });

    const messages: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => messages.push(ctx));
    const server = yield* startServer(function* (r, w) {
      const data1 = yield* r.readline();
      w.write(data1);
      yield* w.drain();
      assert.equal(w.getExtraInfo("sslcontext"), null);
      yield* w.startTls(serverCtx);
      assert.equal(w.getExtraInfo("sslcontext"), serverCtx);
      const data2 = yield* r.readline();
      w.write(data2);
      yield* w.drain();
      w.close();
      yield* w.waitClosed();
    }, "127.0.0.1", 0);
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    writer.write(B("hello world 1!\n"));
    yield* writer.drain();
    const back1 = S(yield* reader.readline());
    assert.equal(writer.getExtraInfo("sslcontext"), null);
    const raw = writer.transport;
    yield* writer.startTls(clientCtx, { serverHostname: "localhost" });
    assert.notEqual(writer.transport, raw);
    assert.equal(writer.getExtraInfo("sslcontext"), clientCtx);
    writer.write(B("hello world 2!\n"));
    yield* writer.drain();
    const back2 = S(yield* reader.readline());
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
    assert.deepEqual([back1, back2], ["hello world 1!\n", "hello world 2!\n"]);
    assert.deepEqual(messages, []);
  }));
