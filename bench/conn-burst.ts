// What one burst of N connections costs a tsyncio echo server, from inside
// it: the server's CPU time per connection while they are set up (user and
// system, from process.cpuUsage(); steadier than the wall-clock set-up time
// on a shared machine), and per connection the growth of RSS, of the JS heap
// and external memory, and of V8's young generation (new space), before and
// after a forced GC. The C client (bench/loadgen/conns.c) opens the
// connections, at most 64 in set-up at once, idle or each echoing 1 KiB
// (active), after a warm-up of 64 echoing connections.
// Usage: node --expose-gc --import tsx bench/conn-burst.ts [N] [idle|active]
import { spawn, type ChildProcess } from "node:child_process";
import { getHeapSpaceStatistics } from "node:v8";
import * as asyncio from "../src/index.js";
import type { Coroutine, Transport } from "../src/index.js";
import { buildC } from "./echo.js";

const n = Number(process.argv[2] ?? 10_000);
const size = process.argv[3] === "idle" ? 0 : 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

class Echo extends asyncio.Protocol {
  private transport: Transport | null = null;
  override connectionMade(t: Transport): void {
    this.transport = t;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

interface Memory {
  rss: number;
  heap: number;
  newSpace: number;
}

function memory(): Memory {
  const m = process.memoryUsage();
  const ns = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  return { rss: m.rss, heap: m.heapUsed + m.external, newSpace: ns?.space_size ?? 0 };
}

function perConn(a: Memory, b: Memory): string {
  return `RSS ${Math.round((b.rss - a.rss) / n)} B, JS heap + external ${Math.round((b.heap - a.heap) / n)} B, new space ${Math.round((b.newSpace - a.newSpace) / n)} B`;
}

/** Opens `count` connections; resolves with the client (holding them open) and its set-up seconds. */
function open(port: number, count: number, bytes: number): Promise<[ChildProcess, string]> {
  return new Promise((resolve) => {
    const client = spawn(buildC("loadgen", "conns"), ["127.0.0.1", String(port), String(count), String(bytes)], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    client.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /DONE (\S+)/.exec(out);
      if (m) resolve([client, m[1]!]);
    });
  });
}

await asyncio.run((function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const server = yield* loop.createServer(() => new Echo(), "127.0.0.1", 0, { backlog: 4096 });
  const port = (server.sockets[0]!.getsockname() as [string, number])[1];
  const [warm] = yield* asyncio.ensureFuture(open(port, 64, 1024));
  warm.stdin!.end("x");
  yield* asyncio.sleep(0.3);
  gc();
  const before = memory();
  const cpu0 = process.cpuUsage();
  const [client, seconds] = yield* asyncio.ensureFuture(open(port, n, size));
  const cpu = process.cpuUsage(cpu0);
  yield* asyncio.sleep(0.3);
  const after = memory();
  gc();
  const collected = memory();
  console.log(`${n} ${size ? "active" : "idle"} connections: set-up ${seconds} s, server CPU per connection user ${(cpu.user / n).toFixed(1)} µs, system ${(cpu.system / n).toFixed(1)} µs`);
  console.log(`  per connection: ${perConn(before, after)}`);
  console.log(`  after a forced GC: ${perConn(before, collected)}`);
  client.stdin!.end("x");
  server.close();
})());
