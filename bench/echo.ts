// The echo benchmark (docs/BENCHMARKS.md): a C load generator on one core drives an
// echo server pinned to the other, 10 connections, 1/10/100 KiB messages.
// Reports requests/s, p50/p99 latency and the server's user and system CPU
// per request (from /proc/PID/stat over the measured window), and for the Node
// servers the V8 full collections (Mark-Compacts, from --trace-gc) per second
// of that window: docs/BENCHMARKS.md shows how they decide the medium and
// large message rows.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ON_BUILD } from "./node-args.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const CLK_TCK = 100;

/** One server implementation. */
interface ServerSpec {
  name: string;
  cmd: string[];
  /** A Node process started with --trace-gc: its Mark-Compacts are counted. */
  tracesGc?: boolean;
}

/** One measured row. */
export interface EchoRow {
  server: string;
  size: number;
  rps: number;
  p50: number;
  p99: number;
  userUs: number;
  sysUs: number;
  /** V8 Mark-Compacts per second of the measured window (Node servers only). */
  fullGcs: number | null;
  /** The slowest and fastest of the rounds (rps is their median). */
  rpsMin: number;
  rpsMax: number;
}

/** Builds bench/DIR/NAME.c into bench/DIR/NAME (when older than its source) and returns its path. */
export function buildC(dir: string, name: string): string {
  const src = join(here, dir, `${name}.c`);
  const bin = join(here, dir, name);
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync("cc", ["-O2", "-Wall", "-o", bin, src], { stdio: "inherit" });
  }
  return bin;
}

/** The name of the C epoll server whose requests/s is the ceiling of the echo tables. */
export const CEILING = "C epoll (ceiling)";

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-c", "0", "true"]);
    return true;
  } catch {
    return false;
  }
}

function pin(core: number, cmd: string[], taskset: boolean): string[] {
  return taskset ? ["taskset", "-c", String(core), ...cmd] : cmd;
}

/** A process's (or with `tid`, one of its threads') user and system CPU ticks (1/100 s) so far, from /proc. */
export function cpuTicks(pid: number, tid?: number): [number, number] {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(fields[11]), Number(fields[12])];
}

/** A started server: its process, its port, and how many Mark-Compacts it has traced so far. */
interface Started {
  child: ChildProcess;
  port: number;
  fullGcs: { count: number };
}

function startServer(spec: ServerSpec, taskset: boolean): Promise<Started> {
  const argv = pin(0, [...spec.cmd, "0"], taskset);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const fullGcs = { count: 0 };
  return new Promise((resolve, reject) => {
    // Line by line: --trace-gc writes a line per collection for the whole run.
    let partial = "";
    child.stdout!.on("data", (d: Buffer) => {
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.includes(": Mark-Compact ")) fullGcs.count++;
        const m = /^READY (\d+)/.exec(line);
        if (m) resolve({ child, port: Number(m[1]), fullGcs });
      }
    });
    child.on("exit", (code) => reject(new Error(`${spec.name} exited with ${code} before it was ready`)));
  });
}

/** The load generator's line, and the server's CPU ticks and Mark-Compacts at the start and end of the measured window. */
type LoadResult = [string, [number, number], [number, number], number];

function runLoadgen(bin: string, size: number, seconds: number, warmup: number, taskset: boolean, server: Started): Promise<LoadResult> {
  const argv = pin(1, [bin, "127.0.0.1", String(server.port), "10", String(size), String(seconds), String(warmup)], taskset);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  const pid = server.child.pid!;
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  let before: [number, number] = [0, 0];
  let gcsBefore = 0;
  setTimeout(() => {
    before = cpuTicks(pid);
    gcsBefore = server.fullGcs.count;
  }, warmup * 1000);
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => {
      const after = cpuTicks(pid);
      if (code !== 0) reject(new Error(`loadgen exited with ${code}`));
      else resolve([out.trim(), before, after, server.fullGcs.count - gcsBefore]);
    });
  });
}

/** One measurement of one server at one size, or null when it could not run. */
async function measureOnce(bin: string, spec: ServerSpec, size: number, seconds: number, warmup: number, taskset: boolean): Promise<EchoRow | null> {
  let server: Started;
  try {
    server = await startServer(spec, taskset);
  } catch (e) {
    console.error(`(${spec.name} not measured: ${(e as Error).message})`);
    return null;
  }
  try {
    const [line, before, after, gcs] = await runLoadgen(bin, size, seconds, warmup, taskset, server);
    const [reqs, secs, rps, p50, p99] = line.split(" ").map(Number) as [number, number, number, number, number];
    const userUs = (((after[0] - before[0]) / CLK_TCK) * 1e6) / Math.max(1, reqs);
    const sysUs = (((after[1] - before[1]) / CLK_TCK) * 1e6) / Math.max(1, reqs);
    const fullGcs = spec.tracesGc ? gcs / Math.max(secs, 1e-3) : null;
    return { server: spec.name, size, rps, p50, p99, userUs, sysUs, fullGcs, rpsMin: rps, rpsMax: rps };
  } catch (e) {
    console.error(`(${spec.name} at ${size} B failed: ${(e as Error).message})`);
    return null;
  } finally {
    server.child.kill("SIGKILL");
  }
}

/** The median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Measures every server at every size, `rounds` times in interleaved order
 * (every server once per round), and reports each figure's median: on a
 * shared VM one run moves by a quarter, and interleaving spreads slow
 * periods over all servers alike.
 */
export async function runEcho(servers: ServerSpec[], sizes: number[], seconds = 3, warmup = 1, rounds = 3): Promise<EchoRow[]> {
  const bin = buildC("loadgen", "loadgen");
  const taskset = hasTaskset();
  const runs = new Map<string, EchoRow[]>();
  for (let round = 0; round < rounds; round++) {
    for (const spec of servers) {
      for (const size of sizes) {
        const row = await measureOnce(bin, spec, size, seconds, warmup, taskset);
        if (row === null) continue;
        const key = `${spec.name}\0${size}`;
        const list = runs.get(key) ?? [];
        list.push(row);
        runs.set(key, list);
      }
    }
  }
  const rows: EchoRow[] = [];
  for (const list of runs.values()) {
    const rps = list.map((r) => r.rps);
    rows.push({
      server: list[0]!.server,
      size: list[0]!.size,
      rps: median(rps),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      userUs: median(list.map((r) => r.userUs)),
      sysUs: median(list.map((r) => r.sysUs)),
      fullGcs: list[0]!.fullGcs === null ? null : median(list.map((r) => r.fullGcs!)),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
    });
  }
  return rows;
}

/**
 * The servers of the standard run (CPython ones only when /usr/bin/python3 has
 * uvloop); BENCH_SERVERS, a comma-separated list of name parts, keeps only
 * those whose name contains one of them.
 */
export function standardServers(): ServerSpec[] {
  const only = (process.env.BENCH_SERVERS ?? "").split(",").filter((x) => x !== "");
  const all = allServers();
  return only.length === 0 ? all : all.filter((s) => only.some((o) => s.name.includes(o)));
}

function allServers(): ServerSpec[] {
  const tsx = ["node", "--trace-gc", ...ON_BUILD];
  const list: ServerSpec[] = [
    { name: CEILING, cmd: [buildC("servers", "c-echo")] },
    { name: "tsyncio protocol", cmd: [...tsx, "bench/servers/tsyncio-echo.ts", "protocol"], tracesGc: true },
    { name: "tsyncio buffered protocol", cmd: [...tsx, "bench/servers/tsyncio-echo.ts", "buffered"], tracesGc: true },
    { name: "tsyncio streams", cmd: [...tsx, "bench/servers/tsyncio-echo.ts", "streams"], tracesGc: true },
    { name: "node net", cmd: ["node", "--trace-gc", "bench/servers/node-net-echo.mjs"], tracesGc: true },
  ];
  const py = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
  let uv = false;
  try {
    execFileSync(py, ["-c", "import uvloop"], { stdio: "ignore" });
    uv = true;
  } catch { /* no uvloop */ }
  if (existsSync(py)) {
    list.push({ name: "asyncio protocol", cmd: [py, "bench/servers/py_echo.py", "asyncio", "protocol"] });
    list.push({ name: "asyncio streams", cmd: [py, "bench/servers/py_echo.py", "asyncio", "streams"] });
  }
  if (uv) {
    list.push({ name: "uvloop protocol", cmd: [py, "bench/servers/py_echo.py", "uvloop", "protocol"] });
    list.push({ name: "uvloop streams", cmd: [py, "bench/servers/py_echo.py", "uvloop", "streams"] });
  }
  return list;
}
