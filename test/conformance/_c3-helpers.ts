// Helpers shared by c3's conformance files (base-events-cpython, runners-cpython,
// pep492, threads): the IsolatedAsyncioTestCase stand-in and assertRaises.
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

/** Runs `main` with asyncio.run on a fresh loop (IsolatedAsyncioTestCase); virtual time unless `real`. */
export function runTest<T>(main: () => Coroutine<T>, real = false): Promise<T> {
  return asyncio.run(main(), real ? { debug: false } : { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

/** Awaits `aw` and returns what it raises, asserting its class and, if given, that its message matches `re` (assertRaisesRegex). */
export function* raises<E extends Error>(cls: abstract new (...a: never[]) => E, aw: Iterable<unknown>, re?: RegExp): Coroutine<E> {
  try {
    yield* aw;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (re !== undefined) assert.match(e.message, re);
    return e;
  }
  assert.fail(`${cls.name} not raised`);
}

/** assertRaisesRegex for a synchronous call. */
export function throws<E extends Error>(cls: abstract new (...a: never[]) => E, fn: () => unknown, re?: RegExp): E {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (re !== undefined) assert.match(e.message, re);
    return e;
  }
  assert.fail(`${cls.name} not raised`);
}
