// The harness shared by the suites that run a coroutine on a real (not virtual-time) loop.
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

/** Runs `body` as a task on a fresh loop (bounded by a timeout), then closes the loop. */
export async function inLoop<T>(body: (loop: asyncio.BaseEventLoop) => Coroutine<T>, timeout = 10): Promise<T> {
  const loop = new asyncio.SelectorEventLoop();
  try {
    return await loop.runUntilComplete(asyncio.waitFor(body(loop), timeout));
  } finally {
    loop.close();
  }
}

/** Waits for `fut` and returns its exception, asserting its class and (exact or matching) message. */
export function* futureRaises(aw: asyncio.Future<unknown> | Coroutine<unknown>, cls: new (...a: never[]) => Error, msg?: string | RegExp): Coroutine<Error> {
  const fut = asyncio.ensureFuture(aw);
  yield* asyncio.wait([fut]);
  const e = fut.exception();
  assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
  if (typeof msg === "string") assert.equal(e.message, msg);
  else if (msg) assert.match(e.message, msg);
  return e;
}
