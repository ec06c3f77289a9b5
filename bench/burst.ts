// The memory left behind by many short tasks: RSS before, right after
// asyncio.run() of a million tasks (created in batches of 10,000, each
// awaiting sleep(0) once) returns, after forced full GCs with the
// finalizers given a turn of Node's loop in between, after QUIET_MS with
// nothing to do (no forced GC), and once more after the process has been idle
// for IDLE_MS. A forced GC alone does not shrink the young generation V8
// grew during the burst (32 MiB committed); V8's own idle-time memory reducer
// does, seconds later. tsyncio's addon follows a forced full GC after a burst
// with the memory-reducing GC at once, and asks for one itself once the
// process is quiet (native/memory.cc). The same
// burst written with plain promises and async functions ("promises": a
// million async functions awaiting a setImmediate turn, in batches of 10,000
// under Promise.all) runs in its own process for comparison. The baseline is
// taken after the same idle wait. Target: back within 10 % of the baseline.
// Run in a fresh process: node --expose-gc --import tsx --import ./bench/use-build.mjs bench/burst.ts [TASKS] [tsyncio|promises]
import { fileURLToPath } from "node:url";
import type { Coroutine } from "../src/index.js";

// Loaded only for the tsyncio run: the promises run must not have the addon
// (and its quiet-time memory policy) in its process.
type Tsyncio = typeof import("../src/index.js");
let asyncio: Tsyncio;

/** RSS in bytes at each stage. */
export interface BurstRow {
  system: BurstSystem;
  tasks: number;
  baseline: number;
  afterRun: number;
  afterGc: number;
  /** After QUIET_MS more without work or forced GC. */
  afterQuiet: number;
  /** After IDLE_MS without work, then forced GCs. */
  afterIdle: number;
}

/** What runs the burst: tsyncio tasks, or plain promises and async functions. */
export type BurstSystem = "tsyncio" | "promises";

/** The quiet moment after the forced GCs (native/memory.cc acts after 100 ms). */
const QUIET_MS = 1_000;

/** How long the process sits idle before the settled figures (V8's memory reducer first runs ~8 s after a full GC). */
const IDLE_MS = 10_000;

function* short(): Coroutine<void> {
  yield* asyncio.sleep(0);
}

const turn = () => new Promise((r) => setImmediate(r));

async function settledRss(gc: () => void): Promise<number> {
  // FinalizationRegistry callbacks run in their own macrotasks after a GC.
  for (let i = 0; i < 4; i++) {
    gc();
    await turn();
  }
  return process.memoryUsage().rss;
}

async function idleRss(gc: () => void): Promise<number> {
  await settledRss(gc);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return settledRss(gc);
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The burst with plain promises: async functions awaiting one turn of Node's loop, batches under Promise.all. */
async function promisesBurst(tasks: number): Promise<void> {
  const short = async (): Promise<void> => {
    await turn();
  };
  for (let i = 0; i < tasks; i += 10_000) {
    const batch: Promise<void>[] = [];
    for (let j = 0; j < 10_000 && i + j < tasks; j++) batch.push(short());
    await Promise.all(batch);
  }
}

async function tsyncioBurst(tasks: number): Promise<void> {
  asyncio ??= await import("../src/index.js");
  return asyncio.run((function* main() {
    for (let i = 0; i < tasks; i += 10_000) {
      const batch = [];
      for (let j = 0; j < 10_000 && i + j < tasks; j++) batch.push(asyncio.createTask(short()));
      yield* asyncio.gather(...batch);
    }
  })());
}

/** Runs the burst in this process; needs --expose-gc. */
export async function runBurst(tasks = 1_000_000, system: BurstSystem = "tsyncio"): Promise<BurstRow> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("bench/burst.ts needs node --expose-gc");
  const burst = system === "tsyncio" ? tsyncioBurst : promisesBurst;
  // A small run first, so that compiled code and first-use state count in the baseline.
  await burst(1000);
  const baseline = await idleRss(gc);
  await burst(tasks);
  const afterRun = process.memoryUsage().rss;
  const afterGc = await settledRss(gc);
  await sleepMs(QUIET_MS);
  const afterQuiet = process.memoryUsage().rss;
  return { system, tasks, baseline, afterRun, afterGc, afterQuiet, afterIdle: await idleRss(gc) };
}

/** A markdown table of burst rows, each stage with its distance from that row's baseline. */
export function burstTable(rows: readonly BurstRow[]): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)}`;
  const cell = (r: BurstRow, b: number) => {
    const d = (b / r.baseline - 1) * 100;
    return `${mib(b)} (${d >= 0 ? "+" : "−"}${Math.abs(d).toFixed(0)} %)`;
  };
  const lines = [
    `| ${rows[0]?.tasks ?? 0} short tasks | baseline MiB | right after the run | after forced GCs | after ${QUIET_MS / 1000} s quiet | after ${IDLE_MS / 1000} s idle |`,
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    lines.push(`| ${r.system} | ${mib(r.baseline)} | ${cell(r, r.afterRun)} | ${cell(r, r.afterGc)} | ${cell(r, r.afterQuiet)} | ${cell(r, r.afterIdle)} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const system = (process.argv[3] ?? "tsyncio") as BurstSystem;
  if (system !== "tsyncio" && system !== "promises") throw new Error(`unknown system ${system}: tsyncio or promises`);
  const r = await runBurst(Number(process.argv[2] ?? 1_000_000), system);
  console.log(`BURST ${JSON.stringify(r)}`);
  console.log(burstTable([r]));
}
