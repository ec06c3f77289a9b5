// Loop-core workloads: tsyncio beside raw Node (same process, same run).
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

/** One measured workload: operations per second for tsyncio and its raw Node counterpart. */
export interface CoreRow {
  name: string;
  unit: string;
  tsyncio: number;
  node: number;
  nodeLabel: string;
}

async function best(fn: () => Promise<number>, repeat = 3): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < repeat; i++) b = Math.min(b, await fn());
  return b;
}

function now(): number {
  return performance.now() / 1000;
}

async function tsFanout(chains = 1000, per = 1000): Promise<number> {
  const loop = asyncio.newEventLoop();
  let left = chains;
  const step = (n: number): void => {
    if (n > 1) loop.callSoon(step, n - 1);
    else if (--left === 0) loop.stop();
  };
  for (let i = 0; i < chains; i++) loop.callSoon(step, per);
  const t0 = now();
  await loop.runForever();
  const dt = now() - t0;
  loop.close();
  return dt;
}

async function nodeFanout(chains = 1000, per = 1000): Promise<number> {
  return new Promise((resolve) => {
    let left = chains;
    const t0 = now();
    const step = (n: number): void => {
      if (n > 1) setImmediate(step, n - 1);
      else if (--left === 0) resolve(now() - t0);
    };
    for (let i = 0; i < chains; i++) setImmediate(step, per);
  });
}

async function tsChain(n = 1_000_000): Promise<number> {
  const loop = asyncio.newEventLoop();
  const step = (k: number): void => {
    if (k > 1) loop.callSoon(step, k - 1);
    else loop.stop();
  };
  loop.callSoon(step, n);
  const t0 = now();
  await loop.runForever();
  const dt = now() - t0;
  loop.close();
  return dt;
}

async function nodeChain(n = 1_000_000): Promise<number> {
  return new Promise((resolve) => {
    const t0 = now();
    const step = (k: number): void => {
      if (k > 1) setImmediate(step, k - 1);
      else resolve(now() - t0);
    };
    setImmediate(step, n);
  });
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function tsTimers(n = 100_000): Promise<number> {
  const loop = asyncio.newEventLoop();
  const rnd = lcg(1);
  let fired = 0;
  const expected = n - Math.floor(n / 2);
  const cb = (): void => {
    if (++fired === expected) loop.stop();
  };
  const t0 = now();
  const hs: asyncio.TimerHandle[] = [];
  for (let i = 0; i < n; i++) hs.push(loop.callLater(rnd() * 0.05, cb));
  for (let i = 1; i < n; i += 2) hs[i]!.cancel();
  await loop.runForever();
  const dt = now() - t0;
  loop.close();
  return dt;
}

async function nodeTimers(n = 100_000): Promise<number> {
  return new Promise((resolve) => {
    const rnd = lcg(1);
    let fired = 0;
    const expected = n - Math.floor(n / 2);
    const t0 = now();
    const cb = (): void => {
      if (++fired === expected) resolve(now() - t0);
    };
    const hs: NodeJS.Timeout[] = [];
    for (let i = 0; i < n; i++) hs.push(setTimeout(cb, rnd() * 50));
    for (let i = 1; i < n; i += 2) clearTimeout(hs[i]);
  });
}

async function tsTasks(ntasks = 1000, per = 1000): Promise<number> {
  function* worker(): Coroutine<void> {
    for (let i = 0; i < per; i++) yield* asyncio.sleep(0);
  }
  function* main(): Coroutine<void> {
    const ws: Coroutine<void>[] = [];
    for (let i = 0; i < ntasks; i++) ws.push(worker());
    yield* asyncio.gather(...ws);
  }
  const loop = asyncio.newEventLoop();
  const t0 = now();
  await loop.runUntilComplete(main());
  const dt = now() - t0;
  loop.close();
  return dt;
}

async function nodeTasks(ntasks = 1000, per = 1000): Promise<number> {
  async function worker(): Promise<void> {
    for (let i = 0; i < per; i++) await new Promise<void>((r) => setImmediate(r));
  }
  const t0 = now();
  const ws: Promise<void>[] = [];
  for (let i = 0; i < ntasks; i++) ws.push(worker());
  await Promise.all(ws);
  return now() - t0;
}

async function tsFutures(n = 200_000): Promise<number> {
  function* main(): Coroutine<void> {
    const loop = asyncio.getRunningLoop();
    for (let i = 0; i < n; i++) {
      const f = loop.createFuture<number>();
      loop.callSoon((v: number) => f.setResult(v), i);
      yield* f;
    }
  }
  const loop = asyncio.newEventLoop();
  const t0 = now();
  await loop.runUntilComplete(main());
  const dt = now() - t0;
  loop.close();
  return dt;
}

async function nodeFutures(n = 200_000): Promise<number> {
  const t0 = now();
  for (let i = 0; i < n; i++) await new Promise<number>((r) => setImmediate(r, i));
  return now() - t0;
}

/** Runs every loop-core workload; each figure is the best of three runs. */
export async function runCore(): Promise<CoreRow[]> {
  const rows: CoreRow[] = [];
  const add = async (name: string, unit: string, ops: number, ts: () => Promise<number>, node: () => Promise<number>, nodeLabel: string, repeat = 3) => {
    rows.push({ name, unit, tsyncio: ops / (await best(ts, repeat)), node: ops / (await best(node, repeat)), nodeLabel });
  };
  await add("callSoon fan-out (1000 chains x 1000)", "callbacks/s", 1e6, () => tsFanout(), () => nodeFanout(), "setImmediate");
  await add("one chain x 1M callSoon", "callbacks/s", 1e6, () => tsChain(), () => nodeChain(), "setImmediate");
  await add("100k callLater, half cancelled", "timers/s", 1e5, () => tsTimers(), () => nodeTimers(), "setTimeout");
  await add("1000 tasks x 1000 sleep(0)", "switches/s", 1e6, () => tsTasks(), () => nodeTasks(), "async fn + setImmediate");
  await add("one task x 1M sleep(0)", "switches/s", 1e6, () => tsTasks(1, 1_000_000), () => nodeTasks(1, 1_000_000), "async fn + setImmediate", 1);
  await add("future create/resolve/await", "awaits/s", 2e5, () => tsFutures(), () => nodeFutures(), "await Promise + setImmediate");
  return rows;
}

/** CPU used by a running loop with nothing to do, as a percentage of one core over `seconds`. */
export async function idleCpu(seconds = 2): Promise<number> {
  const loop = asyncio.newEventLoop();
  loop.callLater(seconds, () => loop.stop());
  const c0 = process.cpuUsage();
  const t0 = now();
  await loop.runForever();
  const c = process.cpuUsage(c0);
  const dt = now() - t0;
  loop.close();
  return ((c.user + c.system) / 1e6 / dt) * 100;
}

/** Heap bytes per pending callLater timer (100k timers). */
export async function bytesPerTimer(n = 100_000): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const loop = asyncio.newEventLoop();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const hs: asyncio.TimerHandle[] = [];
  for (let i = 0; i < n; i++) hs.push(loop.callLater(3600 + i, () => {}));
  gc?.();
  const after = process.memoryUsage().heapUsed;
  loop.close();
  return (after - before) / n;
}
