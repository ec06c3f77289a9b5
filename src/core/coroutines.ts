import type { Future } from "./futures.js";

// coroutines.py: a coroutine is a generator (docs/architecture.md). `await x` is `yield* x`.

/** A coroutine: a generator that yields futures to its Task and returns T. */
export type Coroutine<T = unknown> = Generator<unknown, T, unknown>;

/** A generator function, the `async def` of tsyncio. */
export type CoroutineFunction<A extends unknown[] = unknown[], T = unknown> = (...args: A) => Coroutine<T>;

/** Anything asyncio accepts as an awaitable: a Future/Task, a coroutine, or a promise. */
export type Awaitable<T> = Future<T> | Coroutine<T> | PromiseLike<T>;

/** A coroutine that async functions can also `await` (module-level coroutines such as sleep()). */
export type AwaitableCoroutine<T> = Coroutine<T> & PromiseLike<T>;

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as new () => unknown;
const GeneratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})()));

/** Whether `obj` is a coroutine object (a generator). */
export function iscoroutine(obj: unknown): obj is Coroutine<unknown> {
  if (typeof obj !== "object" || obj === null) return false;
  const g = obj as Partial<Coroutine<unknown>>;
  return typeof g.next === "function" && typeof g.throw === "function" && typeof g.return === "function" &&
    typeof (g as Iterable<unknown>)[Symbol.iterator] === "function";
}

/** Whether `fn` is a coroutine function (a generator function). */
export function iscoroutinefunction(fn: unknown): fn is CoroutineFunction {
  return typeof fn === "function" && (fn instanceof GeneratorFunction || (fn as { _isCoroutine?: boolean })._isCoroutine === true);
}

/** Whether `obj` is a generator object (for the "yield instead of yield*" diagnostics). */
export function isGeneratorObject(obj: unknown): boolean {
  return typeof obj === "object" && obj !== null && GeneratorPrototype.isPrototypeOf(obj);
}

let ensureFutureHook: (<T>(coro: Coroutine<T>) => PromiseLike<T>) | null = null;

/** @internal tasks.ts registers ensureFuture, which awaiting a coroutine from async code needs. */
export function _setEnsureFuture(f: <T>(coro: Coroutine<T>) => PromiseLike<T>): void {
  ensureFutureHook = f;
}

/**
 * Makes the coroutines of a generator function awaitable from async functions
 * too: `await sleep(1)` wraps the coroutine in a Task on the running loop, while
 * `yield* sleep(1)` still runs it inline as Python's `await` does.
 */
export function awaitableCoroutine<A extends unknown[], T>(genFn: (...args: A) => Coroutine<T>): (...args: A) => AwaitableCoroutine<T> {
  Object.defineProperty(genFn.prototype, "then", {
    configurable: true,
    writable: true,
    value(this: Coroutine<T>, onF?: (v: T) => unknown, onR?: (e: unknown) => unknown) {
      return ensureFutureHook!(this).then(onF, onR);
    },
  });
  return genFn as (...args: A) => AwaitableCoroutine<T>;
}
