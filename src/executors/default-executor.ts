import { RuntimeError, TimeoutError } from "../stdlib/exceptions.js";
import type { BaseEventLoop } from "../core/base-events.js";
import type { Executor } from "../core/events.js";
import type { Coroutine } from "../core/coroutines.js";
import { iscoroutinefunction } from "../core/coroutines.js";
import { wrapFuture, type Future } from "../core/futures.js";
import { timeout as timeoutScope } from "../sync/timeouts.js";
import { ConcurrentFuture } from "./concurrent-futures.js";
import { ThreadPoolExecutor } from "./pools.js";
import type { WorkerCallable } from "./function-refs.js";

// The loop's side of executors (base_events.py: run_in_executor,
// set_default_executor, shutdown_default_executor): a concurrent future's
// outcome reaches the loop as a ready callback.

/** Python's _chain_future for a concurrent future: the result reaches the loop as a ready callback. */
function chainToLoop<T>(loop: BaseEventLoop, source: PromiseLike<T>): Future<T> {
  if (!(source instanceof ConcurrentFuture)) return wrapFuture(source, { loop });
  const dest = loop.createFuture<T>();
  const cf = source as ConcurrentFuture<T>;
  dest.addDoneCallback((d) => {
    if (d.cancelled()) cf.cancel();
  });
  cf.addDoneCallback((s) => {
    if (loop.isClosed()) return;
    loop.callSoonThreadsafe(copyConcurrentState, s, dest);
  });
  return dest;
}

function copyConcurrentState<T>(source: ConcurrentFuture<T>, dest: Future<T>): void {
  if (dest.cancelled()) return;
  if (source.cancelled()) {
    dest.cancel();
    return;
  }
  const exc = source.exception();
  if (exc !== null) dest.setException(exc as Error);
  else dest.setResult(source.result());
}

/** loop.runInExecutor(): runs func(...args) in `executor`, or in the default ThreadPoolExecutor when null. */
export function runInExecutor<A extends unknown[], R>(loop: BaseEventLoop, executor: Executor | null, func: (...args: A) => R | PromiseLike<R>, args: A): Future<Awaited<R>> {
  loop._checkClosed();
  if (loop.getDebug()) {
    if (typeof func !== "function" && !(typeof func === "object" && func !== null)) {
      throw new TypeError(`a callable object was expected by runInExecutor(), got ${String(func)}`);
    }
    if (iscoroutinefunction(func)) throw new TypeError("coroutines cannot be used with runInExecutor()");
  }
  if (executor === null || executor === undefined) {
    executor = loop._defaultExecutor;
    if (loop._executorShutdownCalled) throw new RuntimeError("Executor shutdown has been called");
    if (executor === null) {
      executor = new ThreadPoolExecutor({ threadNamePrefix: "asyncio" });
      loop._defaultExecutor = executor;
    }
  }
  const submitted = executor.submit(func as unknown as WorkerCallable<never[], unknown>, ...args);
  return chainToLoop(loop, submitted) as Future<Awaited<R>>;
}

/** loop.setDefaultExecutor(): only a ThreadPoolExecutor, as CPython 3.12. */
export function setDefaultExecutor(loop: BaseEventLoop, executor: Executor): void {
  if (!(executor instanceof ThreadPoolExecutor)) throw new TypeError("executor must be ThreadPoolExecutor instance");
  loop._defaultExecutor = executor;
}

/** loop.shutdownDefaultExecutor(timeout): waits for the default executor's workers (CPython 3.13's timeout handling). */
export function* shutdownDefaultExecutor(loop: BaseEventLoop, timeout: number | null): Coroutine<void> {
  loop._executorShutdownCalled = true;
  const executor = loop._defaultExecutor;
  if (executor === null) return;
  const fut = loop.createFuture<void>();
  Promise.resolve(executor.shutdown(true)).then(
    () => {
      if (!loop.isClosed()) loop.callSoonThreadsafe(setUnlessCancelled, fut);
    },
    (e: unknown) => {
      if (!loop.isClosed() && !fut.cancelled()) loop.callSoonThreadsafe(failUnlessCancelled, fut, e);
    },
  );
  try {
    yield* timeoutScope(timeout, function* () {
      yield* fut;
    });
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    process.emitWarning(`The executor did not finishing joining its threads within ${timeout} seconds.`, "RuntimeWarning");
    void executor.shutdown(false);
  }
}

function setUnlessCancelled(fut: Future<void>): void {
  if (!fut.cancelled()) fut.setResult(undefined);
}

function failUnlessCancelled(fut: Future<void>, e: unknown): void {
  if (!fut.cancelled()) fut.setException(e as Error);
}
