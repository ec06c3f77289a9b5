// The iteration budget measured: the same workloads with iterationBudget 0 (one loop
// iteration per Node macrotask) and 0.001 (the default). Run: node --import tsx bench/budget.ts
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";
async function tasks(budget: number, ntasks: number, per: number): Promise<number> {
  function* worker(): Coroutine<void> { for (let i = 0; i < per; i++) yield* asyncio.sleep(0); }
  function* main(): Coroutine<void> { const ws = []; for (let i = 0; i < ntasks; i++) ws.push(worker()); yield* asyncio.gather(...ws); }
  const loop = new asyncio.SelectorEventLoop({ iterationBudget: budget });
  const t0 = performance.now(); await loop.runUntilComplete(main()); const dt = performance.now() - t0; loop.close();
  return (ntasks * per) / (dt / 1000);
}
async function futures(budget: number, n: number): Promise<number> {
  function* main(): Coroutine<void> { const loop = asyncio.getRunningLoop(); for (let i = 0; i < n; i++) { const f = loop.createFuture<number>(); loop.callSoon((v: number) => f.setResult(v), i); yield* f; } }
  const loop = new asyncio.SelectorEventLoop({ iterationBudget: budget });
  const t0 = performance.now(); await loop.runUntilComplete(main()); const dt = performance.now() - t0; loop.close();
  return n / (dt / 1000);
}
async function chain(budget: number, n: number): Promise<number> {
  const loop = new asyncio.SelectorEventLoop({ iterationBudget: budget });
  const step = (k: number): void => { if (k > 1) loop.callSoon(step, k - 1); else loop.stop(); };
  loop.callSoon(step, n);
  const t0 = performance.now(); await loop.runForever(); const dt = performance.now() - t0; loop.close();
  return n / (dt / 1000);
}
for (const b of [0, 0.001]) {
  const r: number[][] = [];
  for (let i = 0; i < 3; i++) r.push([await tasks(b, 1, 300000), await tasks(b, 1000, 300), await futures(b, 100000), await chain(b, 300000)]);
  const best = [0, 1, 2, 3].map((j) => Math.max(...r.map((x) => x[j]!)));
  console.log(`budget ${b}: 1 task sleep(0) ${(best[0]! / 1e6).toFixed(2)}M/s, 1000 tasks ${(best[1]! / 1e6).toFixed(2)}M/s, future await ${(best[2]! / 1e6).toFixed(2)}M/s, callSoon chain ${(best[3]! / 1e6).toFixed(2)}M/s`);
}
