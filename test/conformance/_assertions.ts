// unittest's assertRaises family for the conformance files, re-created for
// generator coroutines. CPython's tests use one `self.assertRaises` /
// `assertRaisesRegex` everywhere, so the ports share one set here:
//  - `raises`      `with self.assertRaises(cls):` around an awaitable (or a thunk making one), inside a coroutine;
//  - `raisesSync`  `self.assertRaises(cls, fn)` around a plain call;
//  - `rejects`     assertRaises around a promise (`loop.run_until_complete(...)` outside a coroutine);
//  - `check`       the class (and message) assertion they all make.
// As in unittest, an exception of another class than expected propagates unchanged
// out of `raises`; every form returns the exception it caught.
import assert from "node:assert/strict";
import type { Coroutine } from "../../src/index.js";

/** A class of exception, as assertRaises takes it. */
export type ErrorClass<E = unknown> = abstract new (...args: never[]) => E;

/** Asserts `e` is an instance of `cls` (and its message matches `re`, assertRaisesRegex); returns it. */
export function check<E>(e: unknown, cls: ErrorClass<E>, re?: RegExp): E {
  assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
  if (re) assert.match(String((e as Error).message), re);
  return e as E;
}

/**
 * `with self.assertRaises(cls):` inside a coroutine: awaits `aw` (an awaitable,
 * or a thunk returning one — a body to run) and returns what it raises.
 */
export function* raises<E>(cls: ErrorClass<E>, aw: Iterable<unknown> | (() => Iterable<unknown>), re?: RegExp): Coroutine<E> {
  try {
    yield* (typeof aw === "function" ? aw() : aw);
  } catch (e) {
    if (!(e instanceof cls)) throw e;
    return check(e, cls, re);
  }
  assert.fail(`${cls.name} not raised`);
}

/** `self.assertRaises(cls, fn)` for a plain function; returns the exception. */
export function raisesSync<E>(cls: ErrorClass<E>, fn: () => unknown, re?: RegExp): E {
  try {
    fn();
  } catch (e) {
    return check(e, cls, re);
  }
  assert.fail(`${cls.name} not raised`);
}

/** assertRaises around a promise: `p` rejects with an instance of `cls` (and a message matching `re`); returns it. */
export async function rejects<E>(cls: ErrorClass<E>, p: PromiseLike<unknown>, re?: RegExp): Promise<E> {
  try {
    await p;
  } catch (e) {
    return check(e, cls, re);
  }
  assert.fail(`${cls.name} not raised`);
}
