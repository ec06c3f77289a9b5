// One phase of the task life cycle, repeated in one process so that the
// steady state (compiled code, grown heap) is measured apart from the first
// round that bench/tasks.ts times; for profiling a change to core/tasks.ts.
//   node --import tsx --import ./bench/use-build.mjs bench/task-phases.ts spawn|cancel [N] [ROUNDS]
// spawn: create N tasks returning a number and gather them; cancel: cancel N
// tasks sleeping 10 s and gather them until every `finally` ran. With
// PERF_CTL and PERF_ACK set to perf's control and ack fifos
// (`perf record -D -1 --control=fifo:CTL,ACK ...`), perf records the timed
// phases only.
import { openSync, readSync, writeSync } from "node:fs";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

const phase = process.argv[2] ?? "cancel";
const n = Number(process.argv[3] ?? 100_000);
const rounds = Number(process.argv[4] ?? 6);
if (phase !== "spawn" && phase !== "cancel") throw new Error(`bench/task-phases.ts: unknown phase ${phase}`);

const ctl = process.env.PERF_CTL ? openSync(process.env.PERF_CTL, "w") : -1;
const ack = process.env.PERF_ACK ? openSync(process.env.PERF_ACK, "r") : -1;
function perf(cmd: "enable" | "disable"): void {
  if (ctl < 0) return;
  writeSync(ctl, `${cmd}\n`);
  readSync(ack, Buffer.alloc(5));
}

let cleaned = 0;
function* sleeper(): Coroutine<void> {
  try {
    yield* asyncio.sleep(10);
  } finally {
    cleaned++;
  }
}
function* value(i: number): Coroutine<number> {
  return i;
}

/** One round; returns the timed phase's milliseconds. */
function* round(): Coroutine<number> {
  if (phase === "spawn") {
    perf("enable");
    const t0 = performance.now();
    const ts: asyncio.Task<number>[] = [];
    for (let i = 0; i < n; i++) ts.push(asyncio.createTask(value(i)));
    const r = yield* asyncio.gather(...ts);
    const dt = performance.now() - t0;
    perf("disable");
    if (r.length !== n || r[n - 1] !== n - 1) throw new Error("spawn: wrong results");
    return dt;
  }
  const ts: asyncio.Task<void>[] = [];
  for (let i = 0; i < n; i++) ts.push(asyncio.createTask(sleeper()));
  yield* asyncio.sleep(0);
  cleaned = 0;
  perf("enable");
  const t0 = performance.now();
  for (const t of ts) t.cancel();
  yield* asyncio.gather(...ts, { returnExceptions: true });
  const dt = performance.now() - t0;
  perf("disable");
  if (cleaned !== n) throw new Error("cancel: not every finally ran");
  return dt;
}

await asyncio.run((function* () {
  const after: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ms = yield* round();
    if (r > 0) after.push(ms);
    console.log(`${phase} round ${r}: ${((ms / n) * 1e6).toFixed(0)} ns per task`);
  }
  after.sort((a, b) => a - b);
  const median = after[after.length >> 1] ?? NaN;
  console.log(`${phase}: median of rounds 1..${rounds - 1}: ${((median / n) * 1e6).toFixed(0)} ns per task`);
})());
