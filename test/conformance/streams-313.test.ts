// Conformance: re-creates the test methods CPython 3.13.0 added to
// test_streams.py (StreamTests). The 3.12.1 tests are in streams.test.ts; skips
// are listed in SKIPPED.md ("CPython 3.13.0 additions"). Each test makes its own
// loop (no current loop set), as StreamTests.setUp does; run_until_complete is
// awaited. `stream._buffer` is the reader's test accessor.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as asyncio from "../../src/index.js";
import { LimitOverrunError } from "../../src/index.js";
import type { Coroutine, ExceptionContext, StreamReader, StreamWriter } from "../../src/index.js";
import { AF_INET, SOCK_STREAM, Socket } from "../../src/stdlib/socket.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const b = (s: string) => Buffer.from(s, "latin1");

async function withLoop(body: (loop: asyncio.BaseEventLoop) => Promise<void>): Promise<void> {
  const loop = asyncio.newEventLoop() as asyncio.BaseEventLoop;
  asyncio.setEventLoop(null);
  try {
    await body(loop);
  } finally {
    loop.close();
    asyncio.setEventLoop(null);
  }
}

function recordMessages(loop: asyncio.AbstractEventLoop): ExceptionContext[] {
  const messages: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => void messages.push(ctx));
  return messages;
}

async function rejectsLimitOverrun(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof LimitOverrunError && re.test(e.message));
}

// test_streams.py (3.13) StreamTests.test_readuntil_multi_separator
test("test_streams.py (3.13) StreamTests.test_readuntil_multi_separator", () => withLoop(async (loop) => {
  const stream = new asyncio.StreamReader({ loop });
  stream.feedData(b("line 1\nline 2\r"));
  assert.deepEqual(await loop.runUntilComplete(stream.readuntil([b("\r"), b("\n")])), b("line 1\n"));
  assert.deepEqual(await loop.runUntilComplete(stream.readuntil([b("\r"), b("\n")])), b("line 2\r"));
  assert.deepEqual(stream._buffer, b(""));
  // The match that ends first wins, even when it is the longer separator.
  stream.feedData(b("ABCDEFG"));
  assert.deepEqual(await loop.runUntilComplete(stream.readuntil([b("DEF"), b("BCDE")])), b("ABCDE"));
  assert.deepEqual(stream._buffer, b("FG"));
}));

// test_streams.py (3.13) StreamTests.test_readuntil_multi_separator_limit
test("test_streams.py (3.13) StreamTests.test_readuntil_multi_separator_limit", () => withLoop(async (loop) => {
  const stream = new asyncio.StreamReader({ loop, limit: 3 });
  stream.feedData(b("some dataA"));
  await rejectsLimitOverrun(loop.runUntilComplete(stream.readuntil([b("A"), b("ome dataA")])), /is found/);
  assert.deepEqual(stream._buffer, b("some dataA"));
}));

// test_streams.py (3.13) StreamTests.test_readuntil_multi_separator_negative_offset
test("test_streams.py (3.13) StreamTests.test_readuntil_multi_separator_negative_offset", () => withLoop(async (loop) => {
  const stream = new asyncio.StreamReader({ loop });
  stream.feedData(b("data"));
  const readuntilTask = loop.createTask(stream.readuntil([b("A"), b("long sep")]));
  loop.callSoon(() => stream.feedData(b("Z")));
  loop.callSoon(() => stream.feedData(b("Aaaa")));
  assert.deepEqual(await loop.runUntilComplete(readuntilTask), b("dataZA"));
  assert.deepEqual(stream._buffer, b("aaa"));
}));

// test_streams.py (3.13) StreamTests.test_readuntil_bytearray
// bytearray is a plain Uint8Array (not a Buffer) here.
test("test_streams.py (3.13) StreamTests.test_readuntil_bytearray", () => withLoop(async (loop) => {
  const stream = new asyncio.StreamReader({ loop });
  stream.feedData(b("some data\r\n"));
  const sep = new Uint8Array([0x0d, 0x0a]);
  assert.deepEqual(await loop.runUntilComplete(stream.readuntil(sep)), b("some data\r\n"));
  assert.deepEqual(stream._buffer, b(""));
}));

// test_streams.py (3.13) StreamTests.test_unclosed_server_resource_warnings
// ResourceWarnings are shown in debug mode (docs/differences.md) and come when
// V8 collects the writer, so the handler drops its writer and collects garbage
// (letting the loop turn, for the finalizer to run) until the warning comes.
test("test_streams.py (3.13) StreamTests.test_unclosed_server_resource_warnings", () => withLoop(async (loop) => {
  loop.setDebug(true);
  const warnings: string[] = [];
  const onWarning = (w: Error) => {
    if (w.name === "ResourceWarning") warnings.push(w.message);
  };
  const fut = loop.createFuture<boolean>();
  function* inner(_rd: StreamReader, wr: StreamWriter | null): Coroutine<void> {
    fut.setResult(true);
    process.on("warning", onWarning);
    try {
      wr = null; // del wr
      void wr;
      for (let i = 0; i < 20 && warnings.length === 0; i++) {
        gc();
        yield* asyncio.sleep(0.001);
      }
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0]!.startsWith("unclosed <StreamWriter"), warnings[0]);
    } finally {
      process.off("warning", onWarning);
    }
  }
  let failure: unknown = null;
  function* handler(rd: StreamReader, wr: StreamWriter | null): Coroutine<void> {
    // Hands the writer on without keeping it in this frame.
    const held = [wr!];
    wr = null;
    try {
      yield* inner(rd, held.pop()!);
    } catch (e) {
      failure = e;
    }
  }
  function* outer(): Coroutine<void> {
    const srv = yield* asyncio.startServer(handler, "127.0.0.1", 0);
    try {
      const addr = srv.sockets[0]!.getsockname() as [string, number];
      const sock = new Socket(AF_INET, SOCK_STREAM);
      sock.setblocking(false);
      try {
        yield* loop.sockConnect(sock, addr);
        yield* fut;
        // The handler's task runs to its end before the server closes.
        for (let i = 0; i < 100 && warnings.length === 0 && failure === null; i++) yield* asyncio.sleep(0.002);
      } finally {
        sock.close();
      }
    } finally {
      srv.close();
      yield* srv.waitClosed();
    }
  }
  const messages = recordMessages(loop);
  await loop.runUntilComplete(outer());
  if (failure !== null) throw failure;
  assert.deepEqual(messages, []);
}));

/** StreamTests._basetest_unhandled_exceptions */
async function basetestUnhandledExceptions(
  loop: asyncio.BaseEventLoop, handleEcho: (r: StreamReader, w: StreamWriter) => Coroutine<void>,
): Promise<ExceptionContext[]> {
  const probe = new Socket(AF_INET, SOCK_STREAM);
  probe.bind(["127.0.0.1", 0]);
  const port = (probe.getsockname() as [string, number])[1];
  probe.close();
  const messages = recordMessages(loop);
  function* client(): Coroutine<void> {
    const [, wr] = yield* asyncio.openConnection("127.0.0.1", port);
    wr.write(b("test msg"));
    yield* wr.drain();
    wr.close();
    yield* wr.waitClosed();
  }
  function* main(): Coroutine<void> {
    const server = yield* asyncio.startServer(handleEcho, "127.0.0.1", port);
    yield* server.startServing();
    yield* client();
    server.close();
    yield* server.waitClosed();
  }
  await loop.runUntilComplete(main());
  return messages;
}

// test_streams.py (3.13) StreamTests.test_unhandled_exception
test("test_streams.py (3.13) StreamTests.test_unhandled_exception", () => withLoop(async (loop) => {
  // eslint-disable-next-line require-yield
  function* handleEcho(_r: StreamReader, _w: StreamWriter): Coroutine<void> {
    throw new Error("test");
  }
  const messages = await basetestUnhandledExceptions(loop, handleEcho);
  assert.equal(messages[0]?.message, "Unhandled exception in client_connected_cb");
}));

// test_streams.py (3.13) StreamTests.test_unhandled_cancel
test("test_streams.py (3.13) StreamTests.test_unhandled_cancel", () => withLoop(async (loop) => {
  // eslint-disable-next-line require-yield
  function* handleEcho(_r: StreamReader, writer: StreamWriter): Coroutine<void> {
    writer.close();
    asyncio.currentTask()!.cancel();
  }
  const messages = await basetestUnhandledExceptions(loop, handleEcho);
  assert.deepEqual(messages, []);
}));
