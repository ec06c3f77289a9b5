import { iscoroutine, type Coroutine } from "../core/coroutines.js";
import { isfuture, wrapFuture } from "../core/futures.js";

// Python's `async with cm as value:` inside a coroutine, for every kind of
// context manager tsyncio has. `await using` is not allowed in a generator,
// so the body is a generator function, as in lock.hold() and taskGroup().

/** A context manager that runs a body itself (locks, semaphores, conditions, barriers: `hold`). */
export interface Holdable<V> {
  /** Runs `body` inside the context. */
  hold(body: (value: V) => Coroutine<unknown>): unknown;
}

/** A context manager that runs a body itself (a TaskGroup: `run`). */
export interface Runnable<V> {
  /** Runs `body` inside the context. */
  run(body: (value: V) => Coroutine<unknown>): unknown;
}

/** Python's `__aenter__`/`__aexit__` pair (a Timeout). */
export interface Enterable<V> {
  /** Python's `__aenter__`. */
  enter(): V | Coroutine<V>;
  /** Python's `__aexit__`, given what the body raised (undefined if nothing). */
  exit(exc?: unknown): unknown;
}

/** What asyncWith() accepts: the shapes tsyncio's context managers have, or any (async-)disposable object. */
export type AsyncContextManager<V> = Holdable<V> | Runnable<V> | Enterable<V> | AsyncDisposable | Disposable;

/** A value that may be a coroutine, a future or a promise, awaited; anything else as it is. */
function* settle(v: unknown): Coroutine<unknown> {
  if (iscoroutine(v) || isfuture(v)) return yield* (v as Coroutine<unknown>);
  if (v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function") {
    return yield* wrapFuture(v as PromiseLike<unknown>);
  }
  return v;
}

/**
 * Python's `async with cm as value: body`: `yield* asyncWith(server, function* (s) { ... })`.
 * A lock/semaphore/condition/barrier is held (`hold`), a TaskGroup run, a
 * Timeout entered and exited; any other object with `Symbol.asyncDispose`
 * (a Server, a Runner, an executor) or `Symbol.dispose` is the value and is
 * disposed of when the body ends, however it ends.
 */
export function asyncWith<V, T>(cm: Holdable<V> | Runnable<V> | Enterable<V>, body: (value: V) => Coroutine<T>): Coroutine<T>;
/** `async with cm as value:` for an object with `Symbol.asyncDispose`/`Symbol.dispose`: the value is `cm` itself. */
export function asyncWith<C extends AsyncDisposable | Disposable, T>(cm: C, body: (value: C) => Coroutine<T>): Coroutine<T>;
export function* asyncWith<V, T>(cm: AsyncContextManager<V>, body: (value: V) => Coroutine<T>): Coroutine<T> {
  const o = cm as unknown as Record<string | symbol, unknown>;
  if (typeof o.hold === "function") return (yield* settle((o.hold as (b: typeof body) => unknown).call(cm, body))) as T;
  if (typeof o.run === "function") return (yield* settle((o.run as (b: typeof body) => unknown).call(cm, body))) as T;
  if (typeof o.enter === "function" && typeof o.exit === "function") {
    const value = (yield* settle((o.enter as () => unknown).call(cm))) as V;
    let result: T;
    try {
      result = yield* body(value);
    } catch (e) {
      // Python's __aexit__ may turn the exception into another (Timeout: TimeoutError); else it is re-raised.
      yield* settle((o.exit as (e: unknown) => unknown).call(cm, e));
      throw e;
    }
    yield* settle((o.exit as (e: unknown) => unknown).call(cm, undefined));
    return result;
  }
  const asyncDispose = o[Symbol.asyncDispose];
  const dispose = o[Symbol.dispose];
  if (typeof asyncDispose !== "function" && typeof dispose !== "function") {
    throw new TypeError(`'${(cm as object)?.constructor?.name ?? typeof cm}' object does not support the asynchronous context manager protocol`);
  }
  try {
    return yield* body(cm as V);
  } finally {
    if (typeof asyncDispose === "function") yield* settle(asyncDispose.call(cm));
    else (dispose as () => void).call(cm);
  }
}
