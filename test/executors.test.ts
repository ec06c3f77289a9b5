// Executors: concurrent.futures shapes on worker threads and child processes,
// and the loop's side (CPython test_base_events.py executor parts,
// test_threads.py for to_thread).
import { test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

const tasksModule = new URL("../examples/_executor-tasks.ts", import.meta.url);
const exceptionsUrl = new URL("../src/stdlib/exceptions.ts", import.meta.url).href;
/** A module given as a data: URL: the reference form without a file. */
const dataModule = "data:text/javascript," + encodeURIComponent(
  "export function square(x) { return x * x; }\n" +
  "export async function later(x) { await new Promise((r) => setTimeout(r, 1)); return x + 1; }\n" +
  "export function fail(msg) { const e = new RangeError(msg); e.extra = 7; throw e; }\n" +
  "export const notAFunction = 3;\n",
);

/**
 * A gate a worker thread blocks on until the test opens it: orderings between
 * the loop and a worker are asserted without timing.
 */
function gate(): { sab: SharedArrayBuffer; open: () => void } {
  const sab = new SharedArrayBuffer(4);
  return {
    sab,
    open: () => {
      const a = new Int32Array(sab);
      Atomics.store(a, 0, 1);
      Atomics.notify(a, 0);
    },
  };
}
/** Shipped by source: blocks the worker until the gate opens, then returns `value`. */
const waitGate = (sab: SharedArrayBuffer, value: unknown): unknown => {
  const a = new Int32Array(sab);
  while (Atomics.load(a, 0) === 0) Atomics.wait(a, 0, 0, 10_000);
  return value;
};

/** assert.rejects for any thenable (it takes only real promises). */
function rejects(t: PromiseLike<unknown>, expected: Parameters<typeof assert.rejects>[1]): Promise<void> {
  return assert.rejects(Promise.resolve(t), expected);
}

function withLoop<T>(body: (loop: asyncio.BaseEventLoop) => Coroutine<T>): Promise<T> {
  const loop = asyncio.newEventLoop() as asyncio.BaseEventLoop;
  return loop.runUntilComplete(body(loop)).finally(async () => {
    await loop.runUntilComplete(loop.shutdownDefaultExecutor());
    loop.close();
  });
}

test("ThreadPoolExecutor: self-contained functions, sync and async, arguments and results by structured clone", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 2 });
  try {
    assert.equal(await pool.submit((a: number, b: number) => a * b, 6, 7), 42);
    const inner = await pool.submit((x: number) => {
      const twice = (q: number): number => q * 2;
      return twice(x);
    }, 21);
    assert.equal(inner, 42);
    assert.equal(await pool.submit(async (x: string) => {
      await new Promise((r) => setTimeout(r, 1));
      return x.toUpperCase();
    }, "abc"), "ABC");
    const m = await pool.submit((map: Map<string, number>, bytes: Uint8Array) => {
      map.set("n", bytes.length);
      return { map, date: new Date(0), bytes };
    }, new Map([["a", 1]]), new Uint8Array([1, 2, 3]));
    assert.deepEqual([...m.map], [["a", 1], ["n", 3]]);
    assert.equal(m.date.getTime(), 0);
    assert.deepEqual([...m.bytes], [1, 2, 3]);
    // require() of Node's modules works inside a shipped function.
    const tid = await pool.submit(() => (require("node:worker_threads") as typeof import("node:worker_threads")).threadId);
    assert.notEqual(tid, 0);
    // A method's source is not an expression; it still ships.
    const obj = { triple(x: number) { return x * 3; } };
    assert.equal(await pool.submit(obj.triple, 5), 15);
  } finally {
    await pool.shutdown();
  }
});

test("ThreadPoolExecutor: functions by reference (data: module, TypeScript module, plain { module, name })", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    assert.equal(await pool.submit(asyncio.workerFunction<(x: number) => number>(dataModule, "square"), 9), 81);
    assert.equal(await pool.submit({ module: dataModule, name: "later" }, 1), 2);
    const cpu = asyncio.workerFunction<(n?: number) => bigint>(tasksModule, "cpuBound");
    assert.equal(await pool.submit(cpu, 10), 285n);
    const io = await pool.submit(asyncio.workerFunction<() => Uint8Array>(tasksModule, "blockingIo"));
    assert.equal(io.length, 100);
    await rejects(pool.submit({ module: dataModule, name: "notAFunction" }), (e: Error) =>
      e instanceof TypeError && /no exported function "notAFunction"/.test(e.message));
    // Called locally, a reference imports the module and calls the export.
    assert.equal(await asyncio.workerFunction<(x: number) => number>(dataModule, "square")(4), 16);
  } finally {
    await pool.shutdown();
  }
});

test("errors cross back with their class, message, fields and the worker's stack", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    await rejects(pool.submit(() => {
      throw new TypeError("bad type");
    }), (e: Error) => e instanceof TypeError && e.message === "bad type" && /executors[\\/]worker/.test(e.stack ?? ""));
    await rejects(pool.submit(async (url: string) => {
      const m = (await import(url)) as typeof import("../src/stdlib/exceptions.js");
      throw new m.ValueError("bad value");
    }, exceptionsUrl), (e: Error) => e instanceof asyncio.ValueError && e.name === "ValueError" && e.message === "bad value");
    await rejects(pool.submit(async (url: string) => {
      const m = (await import(url)) as typeof import("../src/stdlib/exceptions.js");
      throw m.osError(2, "/nowhere");
    }, exceptionsUrl), (e: Error) => e instanceof asyncio.FileNotFoundError && (e as asyncio.OSError).errno === 2);
    await rejects(pool.submit({ module: dataModule, name: "fail" }, "out of range"), (e: Error) =>
      e instanceof RangeError && e.message === "out of range" && (e as unknown as { extra: number }).extra === 7);
    await rejects(pool.submit(() => {
      const e = new Error("custom");
      e.name = "MyError";
      throw e;
    }), (e: Error) => e.name === "MyError" && e.message === "custom" && String(e) === "MyError: custom");
    await rejects(pool.submit(() => {
      (require("node:fs") as typeof import("node:fs")).readFileSync("/nonexistent/file");
    }), (e: Error) => (e as NodeJS.ErrnoException).code === "ENOENT");
    await rejects(pool.submit(() => {
      throw 42;
    }), (e: unknown) => e === 42);
    // A result that cannot be cloned.
    await rejects(pool.submit(() => () => 1), (e: Error) => e.name === "DataCloneError");
    // An argument that cannot be cloned fails the future, not the pool.
    await rejects(pool.submit((f: unknown) => f, () => 1), (e: Error) => e.name === "DataCloneError");
    assert.equal(await pool.submit(() => "still usable"), "still usable");
  } finally {
    await pool.shutdown();
  }
});

test("functions that cannot be shipped are refused at submit", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    assert.throws(() => pool.submit(Math.max, 1, 2), (e: Error) => e instanceof TypeError && /cannot be shipped/.test(e.message));
    assert.throws(() => pool.submit(((x: number) => x).bind(null), 1), TypeError);
    assert.throws(() => pool.submit(42 as unknown as () => void), TypeError);
  } finally {
    await pool.shutdown();
  }
});

test("constructor validation", () => {
  assert.throws(() => new asyncio.ThreadPoolExecutor({ maxWorkers: 0 }), (e: Error) =>
    e instanceof asyncio.ValueError && e.message === "max_workers must be greater than 0");
  assert.throws(() => new asyncio.ProcessPoolExecutor({ maxWorkers: -1 }), asyncio.ValueError);
  assert.throws(() => new asyncio.ThreadPoolExecutor({ initializer: 3 as unknown as () => void }), (e: Error) =>
    e instanceof TypeError && e.message === "initializer must be a callable");
});

test("workers start lazily and are reused", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 4 });
  try {
    assert.equal(pool._slots.size, 0);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await pool.submit(() => (require("node:worker_threads") as typeof import("node:worker_threads")).threadId));
    }
    assert.equal(new Set(ids).size, 1);
    assert.equal(pool._slots.size, 1);
  } finally {
    await pool.shutdown();
  }
});

test("a queued call can be cancelled, a running one cannot; shutdown waits for pending work", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  const g = gate();
  const running = pool.submit(waitGate, g.sab, "first");
  const queued = pool.submit((x: string) => x, "second");
  const kept = pool.submit((x: string) => x, "third");
  assert.equal(queued.cancel(), true);
  assert.equal(queued.cancelled(), true);
  assert.equal(queued.done(), true);
  assert.throws(() => queued.result(), asyncio.CancelledError);
  await rejects(Promise.resolve(queued), asyncio.CancelledError);
  assert.throws(() => kept.result(), asyncio.InvalidStateError);
  // Wait until the worker took the first call.
  while (!running.running()) await new Promise((r) => setImmediate(r));
  assert.equal(running.cancel(), false);
  const done = pool.shutdown(true);
  assert.throws(() => pool.submit(() => 1), (e: Error) =>
    e instanceof asyncio.RuntimeError && e.message === "cannot schedule new futures after shutdown");
  g.open();
  await done;
  assert.equal(running.result(), "first");
  assert.equal(kept.result(), "third");
  assert.equal(pool._slots.size, 0);
});

test("shutdown(cancelFutures) cancels what has not started", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  const g = gate();
  const running = pool.submit(waitGate, g.sab, 1);
  const queued = [pool.submit(() => 2), pool.submit(() => 3)];
  while (!running.running()) await new Promise((r) => setImmediate(r));
  const done = pool.shutdown(true, { cancelFutures: true });
  assert.ok(queued.every((f) => f.cancelled()));
  g.open();
  await done;
  assert.equal(running.result(), 1);
});

test("map(): results in order, several iterables zipped, both as a thenable and an async iterator", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 3 });
  try {
    assert.deepEqual(await pool.map((x: number) => x * x, [1, 2, 3, 4]), [1, 4, 9, 16]);
    assert.deepEqual(await pool.map((a: number, b: string) => b.repeat(a), [1, 2, 3], ["a", "b"]), ["a", "bb"]);
    const out: number[] = [];
    for await (const r of pool.map(async (x: number) => {
      await new Promise((res) => setTimeout(res, 4 - x));
      return -x;
    }, [1, 2, 3])) out.push(r);
    assert.deepEqual(out, [-1, -2, -3]);
    await rejects(pool.map((x: number) => {
      if (x === 2) throw new TypeError("two");
      return x;
    }, [1, 2, 3]), TypeError);
    assert.throws(() => pool.map((x: number) => x, [1], { chunksize: 0 }), asyncio.ValueError);
  } finally {
    await pool.shutdown();
  }
});

test("map() timeout raises TimeoutError and cancels what has not started", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  const g = gate();
  const it = pool.map(waitGate, [g.sab, g.sab, g.sab], [1, 2, 3], { timeout: 0.01 });
  await rejects(it.next(), asyncio.TimeoutError);
  g.open();
  await pool.shutdown();
  assert.deepEqual(await it.next(), { done: true, value: undefined });
});

test("initializer and initargs run in each worker", async () => {
  const pool = new asyncio.ThreadPoolExecutor({
    maxWorkers: 1,
    initializer: (v: string) => {
      (globalThis as Record<string, unknown>).initValue = v;
    },
    initargs: ["ready"],
  });
  try {
    assert.equal(await pool.submit(() => (globalThis as Record<string, unknown>).initValue), "ready");
  } finally {
    await pool.shutdown();
  }
});

test("a failing initializer breaks the pool (BrokenThreadPool)", async () => {
  const pool = new asyncio.ThreadPoolExecutor({
    maxWorkers: 1,
    initializer: () => {
      throw new Error("init failed");
    },
  });
  const sink = asyncio.logger;
  const records: string[] = [];
  sink.setSink((r) => records.push(r.message));
  try {
    await rejects(pool.submit(() => 1), (e: Error) =>
      e instanceof asyncio.BrokenThreadPool && e instanceof asyncio.RuntimeError &&
      e.message === "A thread initializer failed, the thread pool is not usable anymore");
    assert.throws(() => pool.submit(() => 1), asyncio.BrokenThreadPool);
    assert.deepEqual(records, ["Exception in initializer:"]);
  } finally {
    sink.setSink(null);
    await pool.shutdown();
  }
});

test("a worker thread that exits while running a call breaks the pool", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  await rejects(pool.submit(() => process.exit(3)), asyncio.BrokenThreadPool);
  assert.throws(() => pool.submit(() => 1), asyncio.BrokenThreadPool);
  await pool.shutdown();
});

test("ProcessPoolExecutor: runs in reused child processes; errors and values cross", async () => {
  const pool = new asyncio.ProcessPoolExecutor({ maxWorkers: 2 });
  try {
    const pid1 = await pool.submit(() => process.pid);
    const pid2 = await pool.submit(() => process.pid);
    assert.notEqual(pid1, process.pid);
    assert.equal(pid1, pid2);
    assert.equal(await pool.submit(asyncio.workerFunction<(n: number) => bigint>(tasksModule, "cpuBound"), 4), 14n);
    assert.deepEqual(await pool.map((x: number) => x + 1, [1, 2, 3]), [2, 3, 4]);
    await rejects(pool.submit(async (url: string) => {
      const m = (await import(url)) as typeof import("../src/stdlib/exceptions.js");
      throw new m.ConnectionResetError(104, "reset");
    }, exceptionsUrl), (e: Error) => e instanceof asyncio.ConnectionResetError && e.message.includes("reset"));
  } finally {
    await pool.shutdown();
  }
  assert.equal(pool._slots.size, 0);
});

test("ProcessPoolExecutor: a child that dies breaks the pool (BrokenProcessPool)", async () => {
  const pool = new asyncio.ProcessPoolExecutor({ maxWorkers: 1 });
  await rejects(pool.submit(() => process.exit(5)), (e: Error) =>
    e instanceof asyncio.BrokenProcessPool &&
    e.message === "A process in the process pool was terminated abruptly while the future was running or pending.");
  assert.throws(() => pool.submit(() => 1), (e: Error) =>
    e instanceof asyncio.BrokenProcessPool &&
    e.message === "A child process terminated abruptly, the process pool is not usable anymore");
  await pool.shutdown();
});

test("ProcessPoolExecutor: initializer", async () => {
  const pool = new asyncio.ProcessPoolExecutor({
    maxWorkers: 1,
    initializer: (v: number) => {
      process.env.TSYNCIO_INIT = String(v);
    },
    initargs: [12],
  });
  try {
    assert.equal(await pool.submit(() => process.env.TSYNCIO_INIT), "12");
  } finally {
    await pool.shutdown();
  }
});

// ---- the loop's side ----------------------------------------------------------------

test("runInExecutor(null, ...) uses a lazily created default ThreadPoolExecutor", async () => {
  await withLoop(function* (loop) {
    assert.equal(loop._defaultExecutor, null);
    const r = yield* loop.runInExecutor(null, (a: number, b: number) => a + b, 2, 3);
    assert.equal(r, 5);
    assert.ok((loop._defaultExecutor as unknown) instanceof asyncio.ThreadPoolExecutor);
    assert.equal((loop._defaultExecutor as unknown as asyncio.ThreadPoolExecutor)._threadNamePrefix, "asyncio");
    const ref = asyncio.workerFunction<(x: number) => number>(dataModule, "square");
    assert.equal(yield* loop.runInExecutor(null, ref, 12), 144);
    // A shipped function that captures a variable fails in the worker, where the variable does not exist.
    const captured = 5;
    try {
      yield* loop.runInExecutor(null, () => captured);
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof ReferenceError, String(e));
    }
  });
});

test("the loop keeps running callbacks while a worker computes; the result arrives as a later callback", async () => {
  await withLoop(function* (loop) {
    const events: string[] = [];
    const g = gate();
    const fut = loop.runInExecutor(null, waitGate, g.sab, "result");
    fut.addDoneCallback(() => events.push("result"));
    let n = 0;
    const tick = (): void => {
      events.push(`tick${n}`);
      if (++n < 5) loop.callSoon(tick);
      else g.open();
    };
    loop.callSoon(tick);
    assert.equal(yield* fut, "result");
    assert.deepEqual(events, ["tick0", "tick1", "tick2", "tick3", "tick4", "result"]);
  });
});

test("runInExecutor with an explicit executor, and cancelling the asyncio future cancels a queued call", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    await withLoop(function* (loop) {
      const g = gate();
      const first = loop.runInExecutor(pool, waitGate, g.sab, 1);
      const second = loop.runInExecutor(pool, (x: number) => x, 2);
      const queuedCf = pool._queue[pool._queue.length - 1].future;
      second.cancel();
      yield* asyncio.sleep(0);
      assert.equal(queuedCf.cancelled(), true);
      g.open();
      assert.equal(yield* first, 1);
      assert.equal(second.cancelled(), true);
      assert.equal(loop._defaultExecutor, null);
    });
  } finally {
    await pool.shutdown();
  }
});

test("runInExecutor on a closed loop, and after shutdownDefaultExecutor", async () => {
  const closed = asyncio.newEventLoop();
  closed.close();
  assert.throws(() => closed.runInExecutor(null, () => 1), (e: Error) =>
    e instanceof asyncio.RuntimeError && e.message === "Event loop is closed");
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    await withLoop(function* (loop) {
      yield* loop.runInExecutor(null, () => 1);
      yield* loop.shutdownDefaultExecutor();
      assert.throws(() => loop.runInExecutor(null, () => 1), (e: Error) =>
        e instanceof asyncio.RuntimeError && e.message === "Executor shutdown has been called");
      // An explicit executor still works.
      assert.equal(yield* loop.runInExecutor(pool, () => 2), 2);
    });
  } finally {
    await pool.shutdown();
  }
});

test("shutdownDefaultExecutor() with no default executor only marks the shutdown", async () => {
  await withLoop(function* (loop) {
    yield* loop.shutdownDefaultExecutor();
    assert.equal(loop._executorShutdownCalled, true);
    assert.throws(() => loop.runInExecutor(null, () => 1), asyncio.RuntimeError);
  });
});

test("setDefaultExecutor accepts only a ThreadPoolExecutor", async () => {
  const loop = asyncio.newEventLoop();
  const proc = new asyncio.ProcessPoolExecutor({ maxWorkers: 1 });
  try {
    assert.throws(() => loop.setDefaultExecutor(proc), (e: Error) =>
      e instanceof TypeError && e.message === "executor must be ThreadPoolExecutor instance");
    assert.throws(() => loop.setDefaultExecutor({ submit: () => Promise.resolve(1), shutdown: () => {} }), TypeError);
    const pool = new asyncio.ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: () => {
        (globalThis as Record<string, unknown>).mine = true;
      },
    });
    loop.setDefaultExecutor(pool);
    const r = await loop.runUntilComplete(loop.runInExecutor(null, () => (globalThis as Record<string, unknown>).mine === true));
    assert.equal(r, true);
    await loop.runUntilComplete(loop.shutdownDefaultExecutor());
    assert.equal(pool._shutdown, true);
    assert.equal(pool._slots.size, 0);
  } finally {
    loop.close();
    await proc.shutdown();
  }
});

test("shutdownDefaultExecutor(timeout) warns and stops waiting when the workers do not finish in time", async () => {
  const loop = asyncio.newEventLoop();
  const g = gate();
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  process.on("warning", onWarning);
  try {
    const blocked = loop.runInExecutor(null, waitGate, g.sab, "late");
    await loop.runUntilComplete(loop.shutdownDefaultExecutor(0.01));
    await new Promise((r) => setImmediate(r));
    const w = warnings.find((x) => x.name === "RuntimeWarning");
    assert.ok(w);
    assert.equal(w.message, "The executor did not finishing joining its threads within 0.01 seconds.");
    g.open();
    assert.equal(await loop.runUntilComplete(blocked), "late");
  } finally {
    process.off("warning", onWarning);
    loop.close();
  }
});

test("close() shuts the default executor down without waiting", async () => {
  const loop = asyncio.newEventLoop() as asyncio.BaseEventLoop;
  await loop.runUntilComplete(loop.runInExecutor(null, () => 1));
  const pool = loop._defaultExecutor as asyncio.ThreadPoolExecutor;
  loop.close();
  assert.equal(loop._defaultExecutor, null);
  assert.equal(pool._shutdown, true);
  assert.throws(() => pool.submit(() => 1), asyncio.RuntimeError);
  await pool.shutdown();
});

test("debug mode refuses coroutine functions in runInExecutor", async () => {
  const loop = asyncio.newEventLoop();
  loop.setDebug(true);
  try {
    assert.throws(() => loop.runInExecutor(null, function* () {}), (e: Error) =>
      e instanceof TypeError && e.message === "coroutines cannot be used with runInExecutor()");
  } finally {
    loop.close();
  }
});

test("toThread runs in the default executor (coroutine and await forms)", async () => {
  const r = await asyncio.run((function* (): Coroutine<[number, string]> {
    const a = yield* asyncio.toThread((x: number, y: number) => x * y, 6, 7);
    const b = yield* asyncio.toThread(asyncio.workerFunction<(x: number) => number>(dataModule, "square"), 3);
    assert.equal(b, 9);
    try {
      yield* asyncio.toThread(() => {
        throw new SyntaxError("in thread");
      });
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof SyntaxError && e.message === "in thread");
    }
    const loop = asyncio.getRunningLoop() as asyncio.BaseEventLoop;
    assert.ok(loop._defaultExecutor instanceof asyncio.ThreadPoolExecutor);
    return [a, "ok"];
  })());
  assert.deepEqual(r, [42, "ok"]);
  assert.equal(await asyncio.run((async () => await asyncio.toThread((s: string) => s + "!", "hi"))()), "hi!");
});

test("toThread outside a running loop raises RuntimeError when awaited", () => {
  const coro = asyncio.toThread(() => 1);
  assert.throws(() => coro.next(), (e: Error) => e instanceof asyncio.RuntimeError && e.message === "no running event loop");
});

test("file URL and path forms of workerFunction's module", async () => {
  const pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
  try {
    const byPath = asyncio.workerFunction<(n: number) => bigint>(tasksModule.pathname, "cpuBound");
    assert.equal(await pool.submit(byPath, 3), 5n);
    const byHref = asyncio.workerFunction<(n: number) => bigint>(pathToFileURL(tasksModule.pathname).href, "cpuBound");
    assert.equal(await pool.submit(byHref, 2), 1n);
  } finally {
    await pool.shutdown();
  }
});

test("what a toThread/runInExecutor function prints reaches stdout before the awaiting coroutine's next lines (CPython's 'Running in threads')", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-print-"));
  try {
    const script = join(dir, "threads.mts");
    writeFileSync(script, [
      `import * as asyncio from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};`,
      "function blockingIo(tag) { console.log(`start blocking_io ${tag}`); process.stdout.write(`blocking_io complete ${tag}\\n`); console.error(`err ${tag}`); }",
      "await asyncio.run(function* main() {",
      "  console.log('started main');",
      "  yield* asyncio.toThread(blockingIo, 'a');",
      "  console.log('between');",
      "  yield* asyncio.getRunningLoop().runInExecutor(null, blockingIo, 'b');",
      "  console.log('finished main');",
      "}());",
    ].join("\n"));
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 180_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, [
      "started main", "start blocking_io a", "blocking_io complete a", "between",
      "start blocking_io b", "blocking_io complete b", "finished main", "",
    ].join("\n"));
    assert.equal(r.stderr, "err a\nerr b\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
