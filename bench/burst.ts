// The memory left behind by many short tasks: RSS before, right after
// asyncio.run() of a million tasks (created in batches of 10,000, each
// awaiting sleep(0) once) returns, and after forced full GCs with the
// finalizers given a turn of Node's loop in between. Target: back within
// 10 % of the baseline. Run in a fresh process: node --expose-gc --import tsx bench/burst.ts [TASKS]
import { fileURLToPath } from "node:url";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

/** RSS in bytes at each stage. */
export interface BurstRow {
  tasks: number;
  baseline: number;
  afterRun: number;
  afterGc: number;
}

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

/** Runs the burst in this process; needs --expose-gc. */
export async function runBurst(tasks = 1_000_000): Promise<BurstRow> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("bench/burst.ts needs node --expose-gc");
  // A small run first, so that compiled code and the loop's first-use state count in the baseline.
  await asyncio.run((function* warm() {
    yield* asyncio.gather(...Array.from({ length: 1000 }, () => short()));
  })());
  const baseline = await settledRss(gc);
  await asyncio.run((function* main() {
    for (let i = 0; i < tasks; i += 10_000) {
      const batch = [];
      for (let j = 0; j < 10_000 && i + j < tasks; j++) batch.push(asyncio.createTask(short()));
      yield* asyncio.gather(...batch);
    }
  })());
  const afterRun = process.memoryUsage().rss;
  return { tasks, baseline, afterRun, afterGc: await settledRss(gc) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runBurst(Number(process.argv[2] ?? 1_000_000));
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(`BURST ${JSON.stringify(r)}`);
  console.log(`${r.tasks} tasks: RSS baseline ${mib(r.baseline)}, after the run ${mib(r.afterRun)}, after forced GCs ${mib(r.afterGc)} (${((r.afterGc / r.baseline - 1) * 100).toFixed(0)} % over the baseline)`);
}
