// `npm run bench`: every benchmark, as a table of ratios measured in one run.
// tsyncio and raw Node run in this process; CPython asyncio and uvloop run in
// /usr/bin/python3 when it has uvloop (Debian: apt-get install python3-uvloop).
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ON_BUILD } from "./node-args.js";
import { bytesPerTimer, idleCpu, runCore, type CoreRow } from "./core.js";
import { CEILING, runEcho, standardServers, type EchoRow } from "./echo.js";
import { kib, runConns } from "./conns.js";
import { burstTable, type BurstRow } from "./burst.js";
import { printTaskTable, runTaskRounds } from "./task-rounds.js";
import { native } from "../src/internal/native.js";

const here = dirname(fileURLToPath(import.meta.url));

function python(kind: string): Record<string, number> | null {
  const py = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
  const r = spawnSync(py, [join(here, "loop_bench.py"), kind], { encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    if (kind === "uvloop") console.error(`(uvloop not measured: ${(r.stderr || "").trim().split("\n").pop()})`);
    return null;
  }
  return JSON.parse(r.stdout) as Record<string, number>;
}

function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "—";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return n.toFixed(0);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? "—" : `${(a / b).toFixed(2)}×`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}`);
  // The servers inherit the environment, so they run with the same policy (native/memory.cc).
  const policy = native().memoryPolicy();
  console.log(`addon memory policy: malloc tuning ${policy.tuned ? "on" : "off"} (TSYNCIO_MALLOC_TUNE), ArrayBuffers swept within the scavenge ${policy.gcTuned ? "yes" : "no"} (TSYNCIO_GC_TUNE)`);
  if (only.length === 0 || only.includes("core")) {
    const rows: CoreRow[] = await runCore();
    const asy = python("asyncio");
    const uv = python("uvloop");
    console.log("\n## Loop core (operations per second; best of 3)\n");
    console.log("| workload | tsyncio | raw Node (what) | asyncio | uvloop | tsyncio/uvloop | tsyncio/Node |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of rows) {
      console.log(`| ${r.name} | ${fmt(r.tsyncio)} | ${fmt(r.node)} (${r.nodeLabel}) | ${fmt(asy?.[r.name])} | ${fmt(uv?.[r.name])} | ${ratio(r.tsyncio, uv?.[r.name])} | ${ratio(r.tsyncio, r.node)} |`);
    }
    console.log(`\nidle loop CPU over 2 s: ${(await idleCpu()).toFixed(2)}% of one core`);
    console.log(`heap per pending callLater timer: ${(await bytesPerTimer()).toFixed(0)} bytes`);
  }
  if (only.length === 0 || only.includes("tasks")) {
    const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
    const n = Number(process.env.BENCH_TASKS ?? 100_000);
    console.log(`\n## Task life cycle (one process per measurement, ${rounds} interleaved rounds)\n`);
    printTaskTable(runTaskRounds(rounds, n), n);
  }
  if (only.length === 0 || only.includes("sock")) {
    // bench/sock.ts prints its own table (sockSendall/sockRecvInto throughput, watcher round trip).
    console.log("\n## Raw sockets (sock* methods and fd watchers) beside Node net\n");
    const r = spawnSync(process.execPath, [...ON_BUILD, join(here, "sock.ts")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    console.log(r.stdout.trimEnd());
  }
  if (only.length === 0 || only.includes("burst")) {
    // In a fresh process: the baseline must not carry this run's other sections.
    console.log("\n## Memory after a burst of short tasks (target: RSS back within 10 % of the baseline)\n");
    const rows: BurstRow[] = [];
    for (const system of ["tsyncio", "promises"] as const) {
      const r = spawnSync(process.execPath, ["--expose-gc", ...ON_BUILD, join(here, "burst.ts"), "1000000", system], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
      const m = /^BURST (.*)$/m.exec(r.stdout);
      if (m) rows.push(JSON.parse(m[1]!) as BurstRow);
      else console.log(`(${system}: no result)`);
    }
    console.log(burstTable(rows));
  }
  if (only.length === 0 || only.includes("conns") || only.includes("idle")) {
    const n = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const rows = await runConns(n, rounds);
    console.log(`\n## Memory per connection and set-up time (${n} connections held open; medians of ${rounds} interleaved rounds)\n`);
    console.log("| server | connections | RSS / connection | second half only | after a forced GC | JS heap + external / connection | set-up s | server CPU µs / connection set up | main thread µs / connection | RSS vs uvloop | second half vs uvloop | set-up vs uvloop | set-up CPU vs uvloop | main thread vs uvloop |");
    console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of rows) {
      const uv = rows.find((x) => x.server === "uvloop protocol" && x.mode === r.mode);
      console.log(`| ${r.server} | ${r.connections} ${r.mode} | ${kib(r.rssPerConn)} | ${kib(r.rssMarginal)} | ${kib(r.rssPerConnGc)} | ${kib(r.heapPerConn)} | ${r.setupSeconds.toFixed(2)} | ${r.setupCpuUs.toFixed(1)} | ${r.setupMainCpuUs.toFixed(1)} | ${ratio(r.rssPerConn, uv?.rssPerConn)} | ${ratio(r.rssMarginal, uv?.rssMarginal)} | ${ratio(r.setupSeconds, uv?.setupSeconds)} | ${ratio(r.setupCpuUs, uv?.setupCpuUs)} | ${ratio(r.setupMainCpuUs, uv?.setupMainCpuUs)} |`);
    }
  }
  if (only.length === 0 || only.includes("echo")) {
    const seconds = Number(process.env.BENCH_SECONDS ?? 3);
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const rows: EchoRow[] = await runEcho(standardServers(), [1024, 10240, 102400], seconds, 1, rounds);
    console.log(`\n## Echo, 10 connections (C load generator on core 1, server on core 0; medians of ${rounds} interleaved rounds)\n`);
    console.log("| server | message | requests/s | range | p50 µs | p99 µs | user µs/req | sys µs/req | full GCs/s | req/s vs uvloop | fraction of the ceiling | user CPU vs uvloop |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of rows) {
      const kind = r.server.endsWith("streams") ? "streams" : "protocol";
      const uv = rows.find((x) => x.server === `uvloop ${kind}` && x.size === r.size);
      const ceiling = rows.find((x) => x.server === CEILING && x.size === r.size);
      const fraction = ceiling === undefined ? "—" : (r.rps / ceiling.rps).toFixed(2);
      console.log(`| ${r.server} | ${r.size / 1024} KiB | ${fmt(r.rps)} | ${fmt(r.rpsMin)}–${fmt(r.rpsMax)} | ${r.p50} | ${r.p99} | ${r.userUs.toFixed(2)} | ${r.sysUs.toFixed(2)} | ${r.fullGcs === null ? "—" : r.fullGcs.toFixed(1)} | ${ratio(r.rps, uv?.rps)} | ${fraction} | ${ratio(r.userUs, uv?.userUs)} |`);
    }
  }
}

await main();
