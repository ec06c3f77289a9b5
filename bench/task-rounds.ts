// Interleaved rounds of the task life-cycle workloads (bench/tasks.ts for the
// Node systems, bench/tasks_bench.py for CPython asyncio and uvloop): every
// round runs each system once per workload, each in a fresh process, so that
// the load of a shared machine spreads over all systems alike.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ON_BUILD } from "./node-args.js";

const here = dirname(fileURLToPath(import.meta.url));

/** The systems measured, in the order of the table. */
export const TASK_SYSTEMS = ["tsyncio", "uvloop", "asyncio", "effect", "promises"] as const;
/** One of TASK_SYSTEMS. */
export type TaskSystemName = (typeof TASK_SYSTEMS)[number];
/** The workloads measured. */
export const TASK_WORKLOADS = ["spawn", "cancel", "sleeps"] as const;

/** One process's measurement (fields as printed by bench/tasks.ts). */
export interface TaskSample {
  seconds?: number;
  cpuSeconds?: number;
  armedSeconds?: number;
  worstLateSeconds?: number;
  maxRssKiB: number;
}

/** samples[system][workload] = one sample per round (a system that could not run has none). */
export type TaskSamples = Record<string, Record<string, TaskSample[]>>;

function runOne(system: TaskSystemName, workload: string, n: number): TaskSample | null {
  const python = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
  const r = system === "uvloop" || system === "asyncio"
    ? spawnSync(python, [join(here, "tasks_bench.py"), system, workload, String(n)], { encoding: "utf8", timeout: 600_000 })
    : spawnSync(process.execPath, [...ON_BUILD, join(here, "tasks.ts"), system, workload, String(n)], { encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    console.error(`(${system} ${workload} not measured: ${(r.stderr || "").trim().split("\n").pop()})`);
    return null;
  }
  return JSON.parse(r.stdout) as TaskSample;
}

/** Runs `rounds` interleaved rounds of every system and workload with `n` tasks. */
export function runTaskRounds(rounds: number, n: number, systems: readonly TaskSystemName[] = TASK_SYSTEMS): TaskSamples {
  const out: TaskSamples = {};
  for (let round = 0; round < rounds; round++) {
    for (const workload of TASK_WORKLOADS) {
      for (const system of systems) {
        const s = runOne(system, workload, n);
        const bySystem = (out[system] ??= {});
        const list = (bySystem[workload] ??= []);
        if (s !== null) list.push(s);
      }
    }
  }
  return out;
}

/** The median and range of `xs` (undefined when empty). */
export function medianRange(xs: readonly number[]): { median: number; min: number; max: number } | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

/** Prints the task life-cycle table (rates from CPU time and from wall time, RSS, sleeps). */
export function printTaskTable(samples: TaskSamples, n: number): void {
  const rate = (xs: (number | undefined)[]): string => {
    const m = medianRange(xs.filter((x): x is number => x !== undefined).map((s) => n / s));
    return m === undefined ? "—" : `${kfmt(m.median)} (${kfmt(m.min)}–${kfmt(m.max)})`;
  };
  const ms = (xs: (number | undefined)[]): string => {
    const m = medianRange(xs.filter((x): x is number => x !== undefined).map((s) => s * 1000));
    return m === undefined ? "—" : `${m.median.toFixed(0)} (${m.min.toFixed(0)}–${m.max.toFixed(0)})`;
  };
  const mib = (xs: number[]): string => {
    const m = medianRange(xs.map((k) => k / 1024));
    return m === undefined ? "—" : `${m.median.toFixed(0)} (${m.min.toFixed(0)}–${m.max.toFixed(0)})`;
  };
  const rows: [string, (s: TaskSample[]) => string][] = [
    ["spawn-join, tasks/s of CPU time", (s) => rate(s.map((x) => x.cpuSeconds))],
    ["spawn-join, tasks/s of wall time", (s) => rate(s.map((x) => x.seconds))],
    ["cancel to all cleaned, tasks/s of CPU time", (s) => rate(s.map((x) => x.cpuSeconds))],
    ["cancel to all cleaned, tasks/s of wall time", (s) => rate(s.map((x) => x.seconds))],
    ["peak RSS, spawn-join (MiB)", (s) => mib(s.map((x) => x.maxRssKiB))],
    ["sleeps: all armed (ms)", (s) => ms(s.map((x) => x.armedSeconds))],
    ["sleeps: worst lateness (ms)", (s) => ms(s.map((x) => x.worstLateSeconds))],
  ];
  const workloadOf = (label: string): string => label.startsWith("spawn") || label.startsWith("peak") ? "spawn" : label.startsWith("cancel") ? "cancel" : "sleeps";
  const systems = TASK_SYSTEMS.filter((s) => samples[s] !== undefined);
  console.log(`| workload (${n / 1000}k tasks; median (min–max)) | ${systems.join(" | ")} |`);
  console.log(`| --- |${systems.map(() => " ---: |").join("")}`);
  for (const [label, cell] of rows) {
    console.log(`| ${label} | ${systems.map((s) => cell(samples[s]![workloadOf(label)] ?? [])).join(" | ")} |`);
  }
}

function kfmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`;
}
