// The harness shared by the suites that run coroutines on a virtual-time loop.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

/** Runs `main()` with asyncio.run on a virtual-time loop (long sleeps cost nothing). */
export function atest(name: string, main: () => Coroutine<unknown>): void {
  test(name, async () => {
    await asyncio.run(main(), { loopFactory: () => new asyncio.testing.VirtualTimeLoop() });
  });
}

/** An exception class, abstract or not. */
export type ErrorClass<E> = abstract new (...a: never[]) => E;

/** Awaits `aw` and returns the error it raises, asserting its class (and message). */
export function* raises<E extends Error>(cls: ErrorClass<E>, aw: Iterable<unknown>, message?: RegExp): Coroutine<E> {
  try {
    yield* aw as Coroutine<unknown>;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (message) assert.match((e as Error).message, message);
    return e as E;
  }
  assert.fail(`${cls.name} was not raised`);
}
