// fd watching (CPython's test_selector_events add/remove reader/writer
// behaviour, on real sockets): loop.addReader/removeReader/addWriter/removeWriter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../src/index.js";
import type { BaseEventLoop } from "../src/core/base-events.js";
import type { Coroutine } from "../src/core/coroutines.js";
import { socketpair, type Socket } from "../src/stdlib/socket.js";
import { makeSocketTransport } from "../src/net/socket-transport.js";
import { Protocol } from "../src/core/protocols.js";

function newLoop(): BaseEventLoop {
  return asyncio.newEventLoop() as BaseEventLoop;
}

function pair(): [Socket, Socket] {
  const [a, b] = socketpair();
  a.setblocking(false);
  b.setblocking(false);
  return [a, b];
}

async function withLoop(body: (loop: BaseEventLoop) => Coroutine<void>): Promise<void> {
  const loop = newLoop();
  try {
    await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

test("addReader runs the callback with its arguments when the fd is readable, as a loop callback", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const fut = loop.createFuture<unknown[]>();
    loop.addReader(a.fileno(), (...args: unknown[]) => {
      assert.equal(asyncio.getRunningLoop(), loop);
      fut.setResult([...args, a.recv(10).toString()]);
      loop.removeReader(a.fileno());
    }, 1, "x");
    b.send(Buffer.from("hi"));
    assert.deepEqual(yield* fut, [1, "x", "hi"]);
    a.close();
    b.close();
  }));

test("an object with fileno() is accepted; a second addReader replaces the first", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const calls: string[] = [];
    const fut = loop.createFuture<void>();
    loop.addReader(a, () => calls.push("first"));
    loop.addReader(a, () => {
      calls.push("second");
      a.recv(10);
      loop.removeReader(a);
      fut.setResult();
    });
    b.send(Buffer.from("x"));
    yield* fut;
    yield* asyncio.sleep(0);
    assert.deepEqual(calls, ["second"]);
    a.close();
    b.close();
  }));

test("removeReader/removeWriter say whether a callback was registered", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    assert.equal(loop.removeReader(a), false);
    assert.equal(loop.removeWriter(a), false);
    loop.addReader(a, () => {});
    loop.addWriter(a, () => {});
    assert.equal(loop.removeReader(a), true);
    assert.equal(loop.removeReader(a), false);
    assert.equal(loop.removeWriter(a), true);
    assert.equal(loop.removeWriter(a), false);
    yield* asyncio.sleep(0);
    a.close();
    b.close();
  }));

test("addWriter fires for a writable socket; reader and writer on one fd are independent", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const events: string[] = [];
    const w = loop.createFuture<void>();
    const r = loop.createFuture<void>();
    loop.addWriter(a, () => {
      events.push("write");
      loop.removeWriter(a);
      w.setResult();
    });
    loop.addReader(a, () => {
      events.push("read");
      a.recv(10);
      loop.removeReader(a);
      r.setResult();
    });
    yield* w;
    assert.deepEqual(events, ["write"]);
    b.send(Buffer.from("x"));
    yield* r;
    assert.deepEqual(events, ["write", "read"]);
    a.close();
    b.close();
  }));

test("bad file objects: ValueError as selectors._fileobj_to_fd", () => {
  const loop = newLoop();
  try {
    assert.throws(() => loop.addReader({} as never, () => {}), { name: "ValueError", message: /^Invalid file object: / });
    assert.throws(() => loop.addReader("3" as never, () => {}), { name: "ValueError", message: /^Invalid file object: / });
    assert.throws(() => loop.addReader(-1, () => {}), { name: "ValueError", message: "Invalid file descriptor: -1" });
    assert.throws(() => loop.addWriter({ fileno: () => -1 }, () => {}), { name: "ValueError", message: "Invalid file descriptor: -1" });
    assert.throws(() => loop.removeReader({ fileno: () => "x" } as never), { name: "ValueError", message: /^Invalid file object/ });
  } finally {
    loop.close();
  }
});

test("a regular file cannot be watched (epoll's EPERM); a closed fd is EBADF", () => {
  const loop = newLoop();
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-sel-"));
  try {
    const fd = openSync(join(dir, "f"), "w");
    try {
      assert.throws(() => loop.addReader(fd, () => {}), { name: "PermissionError" });
    } finally {
      closeSync(fd);
    }
    const [a, b] = pair();
    const dead = a.fileno();
    a.close();
    b.close();
    assert.throws(() => loop.addReader(dead, () => {}), (e: Error & { errno?: number }) => e.name === "OSError" && e.errno === 9);
  } finally {
    loop.close();
    rmSync(dir, { recursive: true });
  }
});

test("a closed loop refuses addReader/addWriter (RuntimeError) and removeReader/removeWriter return false", () => {
  const loop = newLoop();
  const [a, b] = pair();
  loop.close();
  assert.throws(() => loop.addReader(a, () => {}), { name: "RuntimeError", message: "Event loop is closed" });
  assert.throws(() => loop.addWriter(a, () => {}), { name: "RuntimeError", message: "Event loop is closed" });
  assert.equal(loop.removeReader(a), false);
  assert.equal(loop.removeWriter(a), false);
  a.close();
  b.close();
});

test("an fd owned by a transport is refused with RuntimeError until the transport closes", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const fd = a.fileno();
    const lost = loop.createFuture<void>();
    const proto = new (class extends Protocol {
      override connectionLost(): void {
        lost.setResult();
      }
    })();
    const tr = makeSocketTransport(loop, a, proto, null, null, null);
    for (const f of [
      () => loop.addReader(fd, () => {}), () => loop.addWriter(fd, () => {}),
      () => loop.removeReader(fd), () => loop.removeWriter(fd), () => loop.addReader(a, () => {}),
    ]) {
      assert.throws(f, (e: Error) => e.name === "RuntimeError" && e.message.startsWith("File descriptor ") &&
        e.message.includes("is used by transport <_SelectorSocketTransport fd="));
    }
    tr.close();
    // Closing: the check no longer applies (asyncio tests is_closing()).
    assert.equal(loop.removeReader(fd), false);
    yield* lost;
    b.close();
  }));

test("watchers do not fire while the loop is stopped; the event waits and is delivered when it runs again", async () => {
  const loop = newLoop();
  const [a, b] = pair();
  const seen: string[] = [];
  try {
    loop.addReader(a, () => {
      seen.push(a.recv(10).toString());
      loop.stop();
    });
    b.send(Buffer.from("early"));
    // The loop is not running: Node's own loop turns over several times.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, []);
    await loop.runForever();
    assert.deepEqual(seen, ["early"]);
    // Stopped again: data arriving now waits too.
    b.send(Buffer.from("late"));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ["early"]);
    await loop.runForever();
    assert.deepEqual(seen, ["early", "late"]);
  } finally {
    loop.removeReader(a);
    loop.close();
    a.close();
    b.close();
  }
});

test("a reader added while the loop is stopped starts watching when it runs", async () => {
  const loop = newLoop();
  const [a, b] = pair();
  try {
    b.send(Buffer.from("ready"));
    let got = "";
    loop.addReader(a, () => {
      got = a.recv(10).toString();
      loop.removeReader(a);
      loop.stop();
    });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(got, "");
    await loop.runForever();
    assert.equal(got, "ready");
  } finally {
    loop.close();
    a.close();
    b.close();
  }
});

test("an exception in a reader callback goes to the exception handler and the reader stays registered", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    const contexts: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
    let calls = 0;
    const done = loop.createFuture<void>();
    loop.addReader(a, () => {
      calls++;
      if (calls === 1) throw new Error("boom");
      a.recv(10);
      loop.removeReader(a);
      done.setResult();
    });
    b.send(Buffer.from("x"));
    yield* done;
    assert.equal(calls, 2);
    assert.equal(contexts.length, 1);
    assert.match(contexts[0]!.message, /^Exception in callback /);
    assert.equal((contexts[0]!.exception as Error).message, "boom");
    a.close();
    b.close();
  }));

test("an fd number closed and reused by a new socket is watched correctly", () =>
  withLoop(function* (loop) {
    const [a, b] = pair();
    loop.addReader(a, () => {});
    loop.removeReader(a);
    const fd = a.fileno();
    a.close();
    b.close();
    // The lowest free numbers come back.
    const [c, d] = pair();
    const socks = [c, d];
    const reused = socks.find((s) => s.fileno() === fd);
    assert.ok(reused, "the fd number was reused");
    const other = socks.find((s) => s !== reused)!;
    const fut = loop.createFuture<string>();
    loop.addReader(reused, () => {
      fut.setResult(reused.recv(10).toString());
      loop.removeReader(reused);
    });
    other.send(Buffer.from("again"));
    assert.equal(yield* fut, "again");
    c.close();
    d.close();
  }));

test("closing the loop releases its watchers: the process is not kept alive and the fds stay usable", async () => {
  const loop = newLoop();
  const [a, b] = pair();
  loop.addReader(a, () => {});
  loop.addWriter(b, () => {});
  await loop.runUntilComplete(asyncio.sleep(0));
  loop.close();
  // A new loop can watch the same fds.
  const loop2 = newLoop();
  try {
    await loop2.runUntilComplete((function* (): Coroutine<void> {
      const fut = loop2.createFuture<string>();
      loop2.addReader(a, () => {
        fut.setResult(a.recv(10).toString());
        loop2.removeReader(a);
      });
      b.send(Buffer.from("ok"));
      assert.equal(yield* fut, "ok");
    })());
  } finally {
    loop2.close();
    a.close();
    b.close();
  }
});

test("two loops keep separate selectors: each runs only its own readers, and closing one leaves the other's fds watched", async () => {
  const loop1 = newLoop();
  const loop2 = newLoop();
  const [a1, b1] = pair();
  const [a2, b2] = pair();
  try {
    const seen: string[] = [];
    loop1.addReader(a1.fileno(), () => {
      seen.push(`loop1:${a1.recv(10).toString()}`);
    });
    const got2 = loop2.createFuture<string>();
    loop2.addReader(a2.fileno(), () => {
      if (!got2.done()) got2.setResult(a2.recv(10).toString());
    });
    b1.send(Buffer.from("one"));
    b2.send(Buffer.from("two"));
    assert.equal(await loop2.runUntilComplete(got2), "two");
    assert.deepEqual(seen, [], "loop1 does not run while loop2 runs");
    loop2.close();
    const got1 = loop1.createFuture<void>();
    loop1.callLater(0.05, () => got1.setResult());
    await loop1.runUntilComplete(got1);
    assert.deepEqual(seen, ["loop1:one"]);
    assert.equal(loop1.removeReader(a1.fileno()), true);
  } finally {
    loop1.close();
    loop2.close();
    for (const s of [a1, b1, a2, b2]) s.close();
  }
});

test("an fd watched by one loop is refused by another (FileExistsError); once released, the other loop may watch it", async () => {
  const loop1 = newLoop();
  const loop2 = newLoop();
  const [a, b] = pair();
  try {
    loop1.addReader(a.fileno(), () => {});
    assert.throws(() => loop2.addReader(a.fileno(), () => {}), asyncio.FileExistsError);
    loop1.removeReader(a.fileno());
    const got = loop2.createFuture<string>();
    loop2.addReader(a.fileno(), () => {
      if (!got.done()) got.setResult(a.recv(10).toString());
    });
    b.send(Buffer.from("x"));
    assert.equal(await loop2.runUntilComplete(got), "x");
  } finally {
    loop1.close();
    loop2.close();
    a.close();
    b.close();
  }
});

test("stop() before runForever(): I/O already readable is polled once (timeout 0) and its reader runs, after what was already scheduled", async () => {
  const loop = newLoop();
  const [a, b] = pair();
  try {
    b.send(Buffer.from("x"));
    const seen: string[] = [];
    loop.addReader(a.fileno(), () => {
      seen.push(`read ${a.recv(10).toString()}`);
      loop.removeReader(a.fileno());
    });
    loop.callSoon(() => seen.push("soon"));
    loop.stop();
    await loop.runForever();
    assert.deepEqual(seen, ["soon", "read x"]);
    // The watcher was parked, not lost: the next run sees new data.
    const again = loop.createFuture<string>();
    loop.addReader(a.fileno(), () => {
      loop.removeReader(a.fileno());
      again.setResult(a.recv(10).toString());
    });
    b.send(Buffer.from("y"));
    assert.equal(await loop.runUntilComplete(again), "y");
  } finally {
    loop.close();
    a.close();
    b.close();
  }
});

test("stop() before runForever(): a writable fd's writer runs once; nothing ready runs nothing", async () => {
  const loop = newLoop();
  const [a, b] = pair();
  try {
    let writes = 0;
    let reads = 0;
    loop.addWriter(a.fileno(), () => writes++);
    loop.addReader(b.fileno(), () => reads++);
    loop.stop();
    await loop.runForever();
    assert.equal(writes, 1);
    assert.equal(reads, 0);
    loop.removeWriter(a.fileno());
    loop.removeReader(b.fileno());
  } finally {
    loop.close();
    a.close();
    b.close();
  }
});
