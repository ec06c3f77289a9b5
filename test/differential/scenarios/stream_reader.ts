import * as asyncio from "../../../src/index.js";
import { ConnectionResetError, IncompleteReadError, LimitOverrunError, RuntimeError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en, repr } from "./_util.js";

function* attempt(label: string, coro: Coroutine<unknown>): Coroutine<void> {
  try {
    const r = yield* coro;
    print(label, "->", repr(r));
  } catch (e) {
    if (e instanceof IncompleteReadError) print(label, "raises", en(e), "partial", e.partial, "expected", e.expected);
    else if (e instanceof LimitOverrunError) print(label, "raises", en(e), "consumed", e.consumed);
    else if (e instanceof ValueError || e instanceof RuntimeError) print(label, "raises", en(e));
    else throw e;
  }
}

const b = (s: string) => Buffer.from(s, "latin1");

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  let r = new asyncio.StreamReader();
  r.feedData(b("line one\nline two\npartial"));
  yield* attempt("readline", r.readline());
  yield* attempt("readuntil two", r.readuntil(b("two\n")));
  yield* attempt("read(3)", r.read(3));
  yield* attempt("read(0)", r.read(0));
  loop.callSoon((d: Uint8Array) => r.feedData(d), b(" more\nrest"));
  yield* attempt("readline across feeds", r.readline());
  loop.callSoon(() => r.feedEof());
  yield* attempt("readline at eof", r.readline());
  yield* attempt("readline after eof", r.readline());
  print("at_eof", r.atEof());

  r = new asyncio.StreamReader();
  r.feedData(b("abc"));
  r.feedEof();
  yield* attempt("readexactly short", r.readexactly(5));
  r = new asyncio.StreamReader();
  r.feedData(b("abcdef"));
  yield* attempt("readexactly 4", r.readexactly(4));
  yield* attempt("readexactly 0", r.readexactly(0));
  yield* attempt("readexactly -1", r.readexactly(-1));
  r.feedEof();
  yield* attempt("readuntil no sep at eof", r.readuntil(b("!")));
  r = new asyncio.StreamReader();
  yield* attempt("readuntil empty sep", r.readuntil(b("")));

  // The limit.
  r = new asyncio.StreamReader({ limit: 8 });
  r.feedData(b("0123456789\nshort\n"));
  yield* attempt("readline over limit", r.readline());
  yield* attempt("readline after overrun", r.readline());
  r = new asyncio.StreamReader({ limit: 8 });
  r.feedData(b("0123456789ab"));
  yield* attempt("readuntil over limit", r.readuntil(b("\n")));
  r.feedData(b("X\n"));
  yield* attempt("readuntil still over", r.readuntil(b("X\n")));
  r = new asyncio.StreamReader({ limit: 8 });
  r.feedData(b("abc|defghijkl|"));
  yield* attempt("readuntil sep found past limit", r.readuntil(b("|")));
  yield* attempt("readuntil sep past limit", r.readuntil(b("|")));
  try {
    new asyncio.StreamReader({ limit: 0 });
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("limit 0", en(e));
  }

  // read(-1) reads to EOF; an exception set on the reader is raised by the next read.
  r = new asyncio.StreamReader();
  loop.callSoon((d: Uint8Array) => r.feedData(d), b("a"));
  loop.callSoon((d: Uint8Array) => r.feedData(d), b("b"));
  loop.callSoon(() => r.feedEof());
  yield* attempt("read all", r.read());
  r = new asyncio.StreamReader();
  r.feedData(b("buffered"));
  r.setException(new ConnectionResetError("gone"));
  try {
    yield* r.read(2);
  } catch (e) {
    if (!(e instanceof ConnectionResetError)) throw e;
    print("exception set", en(e));
  }
  print("exception()", en(r.exception()));
  // A waiting reader is woken by set_exception.
  r = new asyncio.StreamReader();
  const t = asyncio.createTask(r.readline());
  yield* asyncio.sleep(0);
  r.setException(new ValueError("broken"));
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("waiter woken by exception", en(e));
  }
  // Two readers at once.
  r = new asyncio.StreamReader();
  const t1 = asyncio.createTask(r.read(1));
  yield* asyncio.sleep(0);
  yield* attempt("concurrent read", r.read(1));
  t1.cancel();
  // Iteration over lines.
  r = new asyncio.StreamReader();
  r.feedData(b("x\ny\nz"));
  r.feedEof();
  const lines: Uint8Array[] = [];
  for (;;) {
    const line = yield* r.readline();
    if (!line.length) break;
    lines.push(line);
  }
  print("lines", lines);
}

await asyncio.run(main());
