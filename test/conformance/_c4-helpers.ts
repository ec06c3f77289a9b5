// Helpers shared by c4's conformance files (futures-cpython, taskgroups,
// timeouts-cpython, the Barrier section of locks): unittest's
// IsolatedAsyncioTestCase and assertRaises, re-created for generator coroutines.
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import type { Coroutine } from "../../src/index.js";

/** IsolatedAsyncioTestCase: runs `main` with asyncio.run on a fresh virtual-time loop. */
export function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: asyncio.testing.newVirtualTimeLoop, debug: false });
}

/** The running loop as the virtual-time loop it is inside run(). */
export function virtualLoop(): asyncio.testing.VirtualTimeLoop {
  return asyncio.getRunningLoop() as asyncio.testing.VirtualTimeLoop;
}

type ErrorClass = abstract new (...args: never[]) => unknown;

/** Asserts `e` is an instance of `cls` (and its message matches `re`); returns it. */
export function check<E>(e: unknown, cls: abstract new (...args: never[]) => E, re?: RegExp): E {
  assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
  if (re) assert.match(String((e as Error).message), re);
  return e as E;
}

/**
 * `with self.assertRaises(cls):` around a coroutine body; returns the exception.
 * As in unittest, an exception of another class propagates unchanged.
 */
export function* raises<E>(cls: abstract new (...args: never[]) => E, body: () => Iterable<unknown>, re?: RegExp): Coroutine<E> {
  try {
    yield* body();
  } catch (e) {
    if (!(e instanceof cls)) throw e;
    return check(e, cls, re);
  }
  assert.fail(`${cls.name} not raised`);
}

/** `self.assertRaises(cls, fn)` for a plain function; returns the exception. */
export function raisesSync<E>(cls: abstract new (...args: never[]) => E, fn: () => unknown, re?: RegExp): E {
  try {
    fn();
  } catch (e) {
    return check(e, cls, re);
  }
  assert.fail(`${cls.name} not raised`);
}

export type { ErrorClass };
