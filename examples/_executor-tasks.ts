// The two functions of the run_in_executor example. They live in their own
// module because a worker thread or process imports them by reference
// (asyncio.workerFunction(url, "name")): a closure cannot cross into another
// isolate, a module export can.
import { closeSync, openSync, readSync } from "node:fs";

/** File operations (such as logging) can block the event loop: run them in a thread pool. */
export function blockingIo(): Uint8Array {
  const fd = openSync("/dev/urandom", "r");
  try {
    const buf = Buffer.alloc(100);
    readSync(fd, buf, 0, 100, null);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/**
 * CPU-bound operations will block the event loop: in general it is
 * preferable to run them in a process pool. Python's
 * `sum(i * i for i in range(n))`, exact (the sum passes 2**53).
 */
export function cpuBound(n = 10 ** 7): bigint {
  let total = 0n;
  let partial = 0;
  for (let i = 0; i < n; i++) {
    partial += i * i;
    // Flushed while the float sum is still exact (each square is below 2**47 for n <= 10**7).
    if ((i & 31) === 31) {
      total += BigInt(partial);
      partial = 0;
    }
  }
  return total + BigInt(partial);
}
