// The memory left behind by many short tasks: RSS before, right after
// asyncio.run() of a million tasks (created in batches of 10,000, each
// awaiting sleep(0) once) returns, and after forced full GCs with the
// finalizers given a turn of Node's loop in between, and once more after the
// process has been idle for IDLE_MS: V8 gives back the young generation it
// grew during the burst (32 MiB committed) only from its idle-time memory
// reducer, which a forced GC does not run. The baseline is taken after the
// same idle wait. Target: back within 10 % of the baseline.
// Run in a fresh process: node --expose-gc --import tsx --import ./bench/use-build.mjs bench/burst.ts [TASKS]
import { fileURLToPath } from "node:url";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

/** RSS in bytes at each stage. */
export interface BurstRow {
  tasks: number;
  baseline: number;
  afterRun: number;
  afterGc: number;
  /** After IDLE_MS without work, then forced GCs. */
  afterIdle: number;
}

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

/** Runs the burst in this process; needs --expose-gc. */
export async function runBurst(tasks = 1_000_000): Promise<BurstRow> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("bench/burst.ts needs node --expose-gc");
  // A small run first, so that compiled code and the loop's first-use state count in the baseline.
  await asyncio.run((function* warm() {
    yield* asyncio.gather(...Array.from({ length: 1000 }, () => short()));
  })());
  const baseline = await idleRss(gc);
  await asyncio.run((function* main() {
    for (let i = 0; i < tasks; i += 10_000) {
      const batch = [];
      for (let j = 0; j < 10_000 && i + j < tasks; j++) batch.push(asyncio.createTask(short()));
      yield* asyncio.gather(...batch);
    }
  })());
  const afterRun = process.memoryUsage().rss;
  const afterGc = await settledRss(gc);
  return { tasks, baseline, afterRun, afterGc, afterIdle: await idleRss(gc) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runBurst(Number(process.argv[2] ?? 1_000_000));
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const pct = (b: number) => {
    const d = (b / r.baseline - 1) * 100;
    return `${Math.abs(d).toFixed(0)} % ${d < 0 ? "under" : "over"} the baseline`;
  };
  console.log(`BURST ${JSON.stringify(r)}`);
  console.log(`${r.tasks} tasks: RSS baseline ${mib(r.baseline)}, after the run ${mib(r.afterRun)}, after forced GCs ${mib(r.afterGc)} (${pct(r.afterGc)}), after ${IDLE_MS / 1000} s idle ${mib(r.afterIdle)} (${pct(r.afterIdle)})`);
}
