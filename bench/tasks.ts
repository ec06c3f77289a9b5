// Task life cycle beside Effect and plain Promises (bench/tasks_bench.py runs the
// same workloads on CPython asyncio and uvloop). One measurement per process, so
// one system's garbage and JIT state never weigh on another's:
//   node --expose-gc --import tsx bench/tasks.ts tsyncio|effect|promises spawn|cancel|sleeps [n]
// prints one JSON object: { seconds, maxRssKiB } for spawn and cancel,
// { armedSeconds, worstLateSeconds } for sleeps.
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";
import type { Fiber } from "effect";

/** What one process measures. */
export type TaskWorkload = "spawn" | "cancel" | "sleeps";
/** The systems this file runs (the Python ones are in bench/tasks_bench.py). */
export type TaskSystem = "tsyncio" | "effect" | "promises";

interface Result {
  seconds?: number;
  /** CPU time (user + system) of the measured span: steadier than wall time on a shared machine. */
  cpuSeconds?: number;
  armedSeconds?: number;
  worstLateSeconds?: number;
  maxRssKiB: number;
}

const now = (): number => performance.now() / 1000;

interface Mark {
  wall: number;
  cpu: NodeJS.CpuUsage;
}

function mark(): Mark {
  return { wall: now(), cpu: process.cpuUsage() };
}

/** Records the wall and CPU seconds since `m` into `out`. */
function since(m: Mark, out: Result): void {
  out.seconds = now() - m.wall;
  const c = process.cpuUsage(m.cpu);
  out.cpuSeconds = (c.user + c.system) / 1e6;
}

/** The delays of the sleeps workload: 0–100 ms from a fixed LCG, the same sequence as tasks_bench.py. */
function delays(n: number): number[] {
  let s = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push((s / 2147483648) * 0.1);
  }
  return out;
}

function fail(msg: string): never {
  throw new Error(`bench/tasks.ts: ${msg}`);
}

async function tsyncio(kind: TaskWorkload, n: number): Promise<Result> {
  const out: Result = { maxRssKiB: 0 };
  if (kind === "spawn") {
    function* child(i: number): Coroutine<number> {
      return i;
    }
    function* main(): Coroutine<number[]> {
      const ts: asyncio.Task<number>[] = [];
      for (let i = 0; i < n; i++) ts.push(asyncio.createTask(child(i)));
      return yield* asyncio.gather(...ts);
    }
    const m = mark();
    const r = await asyncio.run(main());
    since(m, out);
    if (r.length !== n || r[n - 1] !== n - 1) fail("spawn: wrong results");
  } else if (kind === "cancel") {
    let cleaned = 0;
    function* child(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        cleaned++;
      }
    }
    function* main(): Coroutine<void> {
      const ts: asyncio.Task<void>[] = [];
      for (let i = 0; i < n; i++) ts.push(asyncio.createTask(child()));
      yield* asyncio.sleep(0);
      const m = mark();
      for (const t of ts) t.cancel();
      yield* asyncio.gather(...ts, { returnExceptions: true });
      since(m, out);
    }
    await asyncio.run(main());
    if (cleaned !== n) fail("cancel: not every finally ran");
  } else {
    let armed = 0;
    let late = 0;
    let t0 = 0;
    function* child(d: number): Coroutine<void> {
      if (++armed === n) out.armedSeconds = now() - t0;
      const start = now();
      yield* asyncio.sleep(d);
      late = Math.max(late, now() - start - d);
    }
    function* main(): Coroutine<void> {
      t0 = now();
      const ts: asyncio.Task<void>[] = [];
      for (const d of delays(n)) ts.push(asyncio.createTask(child(d)));
      yield* asyncio.gather(...ts);
    }
    await asyncio.run(main());
    out.worstLateSeconds = late;
  }
  return out;
}

async function effect(kind: TaskWorkload, n: number): Promise<Result> {
  // Loaded here so that the other systems' RSS does not include Effect's modules.
  const { Effect, Fiber } = await import("effect");
  const out: Result = { maxRssKiB: 0 };
  if (kind === "spawn") {
    const main = Effect.gen(function* () {
      const fibers: Fiber.Fiber<number>[] = [];
      for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(Effect.succeed(i)));
      return yield* Fiber.joinAll(fibers);
    });
    const m = mark();
    const r = await Effect.runPromise(main);
    since(m, out);
    if (r.length !== n || r[n - 1] !== n - 1) fail("spawn: wrong results");
  } else if (kind === "cancel") {
    let cleaned = 0;
    const child = Effect.sleep("10 seconds").pipe(Effect.ensuring(Effect.sync(() => void cleaned++)));
    const main = Effect.gen(function* () {
      const fibers: Fiber.Fiber<void>[] = [];
      for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(child));
      yield* Effect.yieldNow;
      const m = mark();
      yield* Fiber.interruptAll(fibers);
      since(m, out);
    });
    await Effect.runPromise(main);
    if (cleaned !== n) fail("cancel: not every finalizer ran");
  } else {
    let armed = 0;
    let late = 0;
    let t0 = 0;
    const child = (d: number) => Effect.gen(function* () {
      if (++armed === n) out.armedSeconds = now() - t0;
      const start = now();
      yield* Effect.sleep(d * 1000);
      late = Math.max(late, now() - start - d);
    });
    const main = Effect.gen(function* () {
      t0 = now();
      const fibers: Fiber.Fiber<void>[] = [];
      for (const d of delays(n)) fibers.push(yield* Effect.forkChild(child(d)));
      yield* Fiber.joinAll(fibers);
    });
    await Effect.runPromise(main);
    out.worstLateSeconds = late;
  }
  return out;
}

async function promises(kind: TaskWorkload, n: number): Promise<Result> {
  const out: Result = { maxRssKiB: 0 };
  if (kind === "spawn") {
    const child = async (i: number): Promise<number> => i;
    const m = mark();
    const ps: Promise<number>[] = [];
    for (let i = 0; i < n; i++) ps.push(child(i));
    const r = await Promise.all(ps);
    since(m, out);
    if (r.length !== n || r[n - 1] !== n - 1) fail("spawn: wrong results");
  } else if (kind === "cancel") {
    let cleaned = 0;
    const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(t);
        reject(signal.reason);
      }, { once: true });
    });
    const child = async (signal: AbortSignal): Promise<void> => {
      try {
        await sleep(10_000, signal);
      } finally {
        cleaned++;
      }
    };
    const acs: AbortController[] = [];
    const ps: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const ac = new AbortController();
      acs.push(ac);
      ps.push(child(ac.signal));
    }
    await new Promise((r) => setImmediate(r));
    const m = mark();
    for (const ac of acs) ac.abort();
    await Promise.allSettled(ps);
    since(m, out);
    if (cleaned !== n) fail("cancel: not every finally ran");
  } else {
    let armed = 0;
    let late = 0;
    const t0 = now();
    const child = async (d: number): Promise<void> => {
      if (++armed === n) out.armedSeconds = now() - t0;
      const start = now();
      await new Promise((r) => setTimeout(r, d * 1000));
      late = Math.max(late, now() - start - d);
    };
    await Promise.all(delays(n).map(child));
    out.worstLateSeconds = late;
  }
  return out;
}

const runners: Record<TaskSystem, (kind: TaskWorkload, n: number) => Promise<Result>> = { tsyncio, effect, promises };

/** Runs one measurement in this process and prints it as JSON. */
async function main(): Promise<void> {
  const [system, kind, count] = process.argv.slice(2) as [TaskSystem, TaskWorkload, string | undefined];
  const run = runners[system] ?? fail(`unknown system ${system}`);
  if (kind !== "spawn" && kind !== "cancel" && kind !== "sleeps") fail(`unknown workload ${kind}`);
  const r = await run(kind, Number(count ?? 100_000));
  r.maxRssKiB = process.resourceUsage().maxRSS;
  console.log(JSON.stringify(r));
}

await main();
