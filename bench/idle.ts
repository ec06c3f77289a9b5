// Memory per idle connection: an echo server holds N idle client connections;
// reports the growth of its RSS (and of the JS heap for tsyncio, after a full
// GC) divided by N. Usage: node --import tsx bench/idle.ts [N]
// The tsyncio server runs in a child started by this same file ("server").
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

/** One measured server. */
export interface IdleRow {
  server: string;
  connections: number;
  rssPerConn: number;
  heapPerConn: number | null;
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
    const server = yield* loop.createServer(() => new Echo(), "127.0.0.1", 0);
    const addr = server.sockets[0]!.getsockname() as [string, number];
    console.log(`READY ${addr[1]}`);
    // Each line on stdin asks for the memory figures (read by Node, outside the loop).
    process.stdin.on("data", () => loop.callSoonThreadsafe(() => console.log(stats())));
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

async function connectAll(port: number, n: number): Promise<net.Socket[]> {
  const socks: net.Socket[] = [];
  for (let i = 0; i < n; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => resolve(s));
      s.once("error", reject);
    })));
    socks.push(...batch);
  }
  // One echo per connection: every transport has read and written once.
  await Promise.all(socks.map((s) => new Promise<void>((resolve) => {
    s.once("data", () => resolve());
    s.write("x");
  })));
  return socks;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(name: string, cmd: string[], n: number, heap: boolean): Promise<IdleRow> {
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const next = lines(child);
  try {
    const port = Number((await next(/READY (\d+)/))[1]);
    const ask = async (): Promise<[number, number | null]> => {
      if (!heap) {
        await settle(300);
        return [rssOf(child.pid!), null];
      }
      child.stdin!.write("stats\n");
      const m = await next(/STATS (\d+) (\d+)/);
      return [Number(m[1]), Number(m[2])];
    };
    // Warm up with a few connections so that first-use costs do not count.
    const warm = await connectAll(port, 10);
    for (const s of warm) s.destroy();
    await settle(300);
    const [rss0, heap0] = await ask();
    const socks = await connectAll(port, n);
    await settle(300);
    const [rss1, heap1] = await ask();
    for (const s of socks) s.destroy();
    return {
      server: name, connections: n, rssPerConn: (rss1 - rss0) / n,
      heapPerConn: heap0 === null || heap1 === null ? null : (heap1 - heap0) / n,
    };
  } finally {
    child.kill("SIGKILL");
  }
}

/** Measures tsyncio (protocol) and, when /usr/bin/python3 has it, uvloop. */
export async function runIdle(n = 1000): Promise<IdleRow[]> {
  const rows: IdleRow[] = [];
  rows.push(await measure("tsyncio protocol", ["node", "--expose-gc", "--import", "tsx", join(here, "idle.ts"), "server"], n, true));
  const py = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
  let uv = false;
  try {
    if (existsSync(py)) {
      execFileSync(py, ["-c", "import uvloop"], { stdio: "ignore" });
      uv = true;
    }
  } catch { /* no uvloop */ }
  if (uv) rows.push(await measure("uvloop protocol", [py, join(here, "servers", "py_echo.py"), "uvloop", "protocol", "0"], n, false));
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "server") {
    await serve();
  } else {
    const n = Number(process.argv[2] ?? 1000);
    for (const r of await runIdle(n)) {
      const heap = r.heapPerConn === null ? "—" : `${(r.heapPerConn / 1024).toFixed(2)} KiB`;
      console.log(`${r.server}: ${r.connections} idle connections, RSS ${(r.rssPerConn / 1024).toFixed(2)} KiB/conn, JS heap + external ${heap}/conn`);
    }
  }
}
