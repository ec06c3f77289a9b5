// Memory per connection and connection set-up time: a C client
// (bench/loadgen/conns.c) opens N connections to an echo server and keeps them
// open, either idle (connected, nothing sent) or active (each has echoed one
// 1 KiB message); the figures are the growth of the server's RSS (and, for
// tsyncio, of its JS heap + external memory after a forced GC) divided by N,
// and the time from the first connect to the last echo. The connections come
// in two halves, and the RSS growth over the second half alone is reported too. tsyncio, CPython
// asyncio and uvloop run the same protocol echo server, interleaved in rounds.
// Usage: node --import tsx bench/conns.ts [N] [ROUNDS]
// Idle connections finish their handshake before the server accepts them, so
// the client cannot pace them by the server; every server here listens with a
// backlog of BACKLOG so that none is dropped into a 1 s SYN retry.
// The tsyncio server runs in a child started by this same file ("server");
// a line "snapshot PATH" on its stdin writes a V8 heap snapshot there.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ON_BUILD } from "./node-args.js";
import { writeHeapSnapshot } from "node:v8";
import { buildC, cpuTicks, median } from "./echo.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const BACKLOG = 4096;

/** How the N connections are held: connected only, or after one echo each. */
export type ConnMode = "idle" | "active";

/** One measured server in one mode (medians over the rounds). */
export interface ConnRow {
  server: string;
  mode: ConnMode;
  connections: number;
  /** RSS growth per connection, in bytes, as it stands (no forced GC). */
  rssPerConn: number;
  /** RSS growth per connection over the second half of the connections (no forced GC). */
  rssMarginal: number;
  /** RSS growth per connection after a forced full GC (tsyncio only). */
  rssPerConnGc: number | null;
  /** JS heap + external + array buffers growth per connection after a forced GC (tsyncio only). */
  heapPerConn: number | null;
  /** Seconds from the first connect to the last connection set up. */
  setupSeconds: number;
  /**
   * The server's CPU time (user + system, /proc/PID/stat) per connection
   * while the connections are set up: unlike the wall-clock set-up time, it
   * says whether a server does more work per connection or only waits longer.
   */
  setupCpuUs: number;
  /**
   * The same for the server's main thread alone: the rest is the runtime's
   * helper threads (V8's optimizing compiler and parallel GC for tsyncio).
   */
  setupMainCpuUs: number;
}

/** A process's user + system CPU ticks (1/100 s) so far, and its main thread's. */
function cpuTicksOf(pid: number): [number, number] {
  const [user, system] = cpuTicks(pid);
  const [mainUser, mainSystem] = cpuTicks(pid, pid);
  return [user + system, mainUser + mainSystem];
}

async function serve(): Promise<void> {
  const asyncio = await import("../src/index.js");
  const gc = (globalThis as { gc?: () => void }).gc;
  class Echo extends asyncio.Protocol {
    private transport: import("../src/index.js").Transport | null = null;
    override connectionMade(t: import("../src/index.js").Transport): void {
      this.transport = t;
    }
    override dataReceived(data: Uint8Array): void {
      this.transport!.write(data);
    }
  }
  const stats = (): string => {
    gc?.();
    const m = process.memoryUsage();
    return `STATS ${m.rss} ${m.heapUsed + m.external + m.arrayBuffers}`;
  };
  await asyncio.run((function* main() {
    const loop = asyncio.getRunningLoop();
    const server = yield* loop.createServer(() => new Echo(), "127.0.0.1", 0, { backlog: BACKLOG });
    const addr = server.sockets[0]!.getsockname() as [string, number];
    console.log(`READY ${addr[1]}`);
    // Requests arrive on stdin (read by Node, outside the loop) and are answered from the loop.
    process.stdin.on("data", (d: Buffer) => {
      const snap = /snapshot (\S+)/.exec(d.toString());
      loop.callSoonThreadsafe(() => {
        if (snap) writeHeapSnapshot(snap[1]);
        console.log(snap ? "SNAPSHOT" : stats());
      });
    });
    yield* server.serveForever();
  })());
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

function lines(child: ChildProcess): (re: RegExp) => Promise<RegExpExecArray> {
  let out = "";
  const waiters: [RegExp, (m: RegExpExecArray) => void][] = [];
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (let i = 0; i < waiters.length; i++) {
      const m = waiters[i]![0].exec(out);
      if (m) {
        out = out.slice(m.index + m[0].length);
        waiters[i]![1](m);
        waiters.splice(i--, 1);
      }
    }
  });
  child.on("exit", (code) => {
    for (const [re] of waiters) console.error(`(child exited with ${code} while waiting for ${re.source})`);
  });
  return (re) => new Promise((resolve) => {
    const m = re.exec(out);
    if (m) {
      out = out.slice(m.index + m[0].length);
      resolve(m);
    } else {
      waiters.push([re, resolve]);
    }
  });
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens n connections (echoing `size` bytes on each when size > 0); resolves when all are set up. */
async function openConnections(port: number, n: number, size: number): Promise<[ChildProcess, number]> {
  const client = spawn(buildC("loadgen", "conns"), ["127.0.0.1", String(port), String(n), String(size)], { stdio: ["pipe", "pipe", "inherit"] });
  const m = await lines(client)(/DONE (\S+)/);
  return [client, Number(m[1])];
}

async function closeConnections(client: ChildProcess): Promise<void> {
  const exited = new Promise((r) => client.once("exit", r));
  client.stdin!.end("x");
  await exited;
}

/** Starts a server and measures one mode with n connections. */
async function measure(name: string, cmd: string[], n: number, mode: ConnMode, heap: boolean): Promise<ConnRow> {
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const next = lines(child);
  try {
    const port = Number((await next(/READY (\d+)/))[1]);
    const gcStats = async (): Promise<[number, number | null, number | null]> => {
      await settle(300);
      const rss = rssOf(child.pid!);
      if (!heap) return [rss, null, null];
      child.stdin!.write("stats\n");
      const m = await next(/STATS (\d+) (\d+)/);
      return [rss, Number(m[1]), Number(m[2])];
    };
    // Warm up with a few echoing connections so that first-use costs do not
    // count (BENCH_CONN_WARM sets how many: with thousands, the JIT's first
    // burst falls in the warm-up too).
    const [warm] = await openConnections(port, Number(process.env.BENCH_CONN_WARM ?? 64), 1024);
    await closeConnections(warm);
    const [rss0, gcRss0, heap0] = await gcStats();
    // Two halves: the growth over the second one leaves out what grows once
    // whatever the count (V8's young generation, hash tables doubling).
    const size = mode === "active" ? 1024 : 0;
    const ticks0 = cpuTicksOf(child.pid!);
    const [first, seconds1] = await openConnections(port, n / 2, size);
    const ticks1 = cpuTicksOf(child.pid!);
    const [rss1] = await gcStats();
    const ticks2 = cpuTicksOf(child.pid!);
    const [second, seconds2] = await openConnections(port, n / 2, size);
    const ticks3 = cpuTicksOf(child.pid!);
    const [rss2, gcRss2, heap2] = await gcStats();
    await closeConnections(first);
    await closeConnections(second);
    return {
      server: name, mode, connections: n, setupSeconds: seconds1 + seconds2,
      setupCpuUs: ((ticks1[0] - ticks0[0] + ticks3[0] - ticks2[0]) * 1e4) / n,
      setupMainCpuUs: ((ticks1[1] - ticks0[1] + ticks3[1] - ticks2[1]) * 1e4) / n,
      rssPerConn: (rss2 - rss0) / n,
      rssMarginal: (rss2 - rss1) / (n / 2),
      rssPerConnGc: gcRss0 === null || gcRss2 === null ? null : (gcRss2 - gcRss0) / n,
      heapPerConn: heap0 === null || heap2 === null ? null : (heap2 - heap0) / n,
    };
  } finally {
    child.kill("SIGKILL");
  }
}

/** The command that runs this file's tsyncio server. */
export function tsyncioServer(): string[] {
  return [process.execPath, "--expose-gc", ...ON_BUILD, join(here, "conns.ts"), "server"];
}

/**
 * Measures tsyncio and, when /usr/bin/python3 is there, CPython asyncio and
 * uvloop (when it has uvloop), with n idle and n active connections, `rounds`
 * times interleaved; each figure is the median of the rounds. BENCH_SERVERS
 * (comma-separated name parts, as in bench/echo.ts) keeps only the servers
 * whose name contains one; BENCH_CONN_MODES ("active", "idle" or both) the modes.
 */
export async function runConns(n = 10_000, rounds = 3): Promise<ConnRow[]> {
  const servers: [string, string[], boolean][] = [["tsyncio protocol", tsyncioServer(), true]];
  const py = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
  if (existsSync(py)) {
    servers.push(["asyncio protocol", [py, join(here, "servers", "py_echo.py"), "asyncio", "protocol", "0", String(BACKLOG)], false]);
    try {
      execFileSync(py, ["-c", "import uvloop"], { stdio: "ignore" });
      servers.push(["uvloop protocol", [py, join(here, "servers", "py_echo.py"), "uvloop", "protocol", "0", String(BACKLOG)], false]);
    } catch { /* no uvloop */ }
  }
  const only = (process.env.BENCH_SERVERS ?? "").split(",").filter((x) => x !== "");
  if (only.length > 0) servers.splice(0, servers.length, ...servers.filter(([name]) => only.some((o) => name.includes(o))));
  const modes = (["active", "idle"] as const).filter((m) => (process.env.BENCH_CONN_MODES ?? "active,idle").split(",").includes(m));
  const runs = new Map<string, ConnRow[]>();
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      for (const [name, cmd, heap] of servers) {
        const row = await measure(name, cmd, n, mode, heap);
        const key = `${name}\0${mode}`;
        runs.set(key, [...(runs.get(key) ?? []), row]);
      }
    }
  }
  const pick = (list: ConnRow[], f: (r: ConnRow) => number | null): number | null => {
    const xs = list.map(f);
    return xs.some((x) => x === null) ? null : median(xs as number[]);
  };
  return [...runs.values()].map((list) => ({
    ...list[0]!,
    rssPerConn: median(list.map((r) => r.rssPerConn)),
    rssMarginal: median(list.map((r) => r.rssMarginal)),
    rssPerConnGc: pick(list, (r) => r.rssPerConnGc),
    heapPerConn: pick(list, (r) => r.heapPerConn),
    setupSeconds: median(list.map((r) => r.setupSeconds)),
    setupCpuUs: median(list.map((r) => r.setupCpuUs)),
    setupMainCpuUs: median(list.map((r) => r.setupMainCpuUs)),
  }));
}

/** Formats a byte count per connection as KiB. */
export function kib(bytes: number | null): string {
  return bytes === null ? "—" : `${(bytes / 1024).toFixed(2)} KiB`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "server") {
    await serve();
  } else {
    const rows = await runConns(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 3));
    for (const r of rows) {
      console.log(`${r.server}, ${r.connections} ${r.mode}: RSS ${kib(r.rssPerConn)}/conn (second half ${kib(r.rssMarginal)}, after GC ${kib(r.rssPerConnGc)}), heap + external ${kib(r.heapPerConn)}/conn, set-up ${r.setupSeconds.toFixed(3)} s, server CPU ${r.setupCpuUs.toFixed(1)} µs/conn (main thread ${r.setupMainCpuUs.toFixed(1)})`);
    }
  }
}
