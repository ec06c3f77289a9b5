// loop.runInExecutor() in the default executor, a custom thread pool and a
// custom process pool (the asyncio documentation's run_in_executor example).
// Run: node --import tsx examples/run-in-executor.ts
//
// The functions cross into the workers by reference: a worker imports
// examples/_executor-tasks.ts and calls the export (a closure cannot cross
// into another isolate). Bytes come back as a Uint8Array (structured clone).
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";
import type { blockingIo as BlockingIo, cpuBound as CpuBound } from "./_executor-tasks.js";

const tasks = new URL("./_executor-tasks.ts", import.meta.url);
const blockingIo = asyncio.workerFunction<typeof BlockingIo>(tasks, "blockingIo");
const cpuBound = asyncio.workerFunction<typeof CpuBound>(tasks, "cpuBound");

const bytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();

  // Options:

  // 1. Run in the default loop's executor:
  let result = yield* loop.runInExecutor(null, blockingIo);
  console.log("default thread pool", bytes(result));

  // 2. Run in a custom thread pool (Python's `with ... as pool:` is try/finally around shutdown()):
  let pool: asyncio.Executor = new asyncio.ThreadPoolExecutor();
  try {
    result = yield* loop.runInExecutor(pool, blockingIo);
    console.log("custom thread pool", bytes(result));
  } finally {
    yield* asyncio.wrapFuture(pool.shutdown(true) as Promise<void>);
  }

  // 3. Run in a custom process pool:
  pool = new asyncio.ProcessPoolExecutor();
  try {
    const sum = yield* loop.runInExecutor(pool, cpuBound);
    console.log("custom process pool", String(sum));
  } finally {
    yield* asyncio.wrapFuture(pool.shutdown(true) as Promise<void>);
  }
}

await asyncio.run(main());
