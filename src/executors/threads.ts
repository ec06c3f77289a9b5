import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";
import { getRunningLoop } from "../core/events.js";

// threads.py: asyncio.to_thread.
//
// Python runs func inside a copy of the caller's contextvars.Context. A
// worker thread here is another JavaScript isolate: only the function (by
// reference or by source, see executors.ts) and its structured-cloned
// arguments cross into it, so ContextVar values set by the caller are not
// visible to func. Pass what it needs as arguments.

const toThreadCoro = awaitableCoroutine(function* toThread<A extends unknown[], R>(
  func: (...args: A) => R | PromiseLike<R>,
  args: A,
): Coroutine<Awaited<R>> {
  const loop = getRunningLoop();
  return yield* loop.runInExecutor(null, func, ...args);
});

/**
 * Python's asyncio.to_thread: runs func(...args) in the running loop's default
 * executor (a worker thread) and gives its result: `yield* asyncio.toThread(f, x)`
 * in a coroutine, `await asyncio.toThread(f, x)` in async code. func crosses
 * as a workerFunction() reference or as self-contained source; the caller's
 * ContextVar values do not cross into the worker.
 */
export function toThread<A extends unknown[], R>(func: (...args: A) => R | PromiseLike<R>, ...args: A): AwaitableCoroutine<Awaited<R>> {
  return toThreadCoro(func, args) as AwaitableCoroutine<Awaited<R>>;
}
