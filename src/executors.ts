import { NotImplementedError, RuntimeError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { Coroutine } from "./coroutines.js";
import type { Future } from "./futures.js";

// concurrent.futures executors on worker threads and child processes, and the loop's default executor. (Being written.)

/** The concurrent.futures Executor shape. */
export interface Executor {
  /** Schedules fn(...args); the result is a thenable (wrapFuture turns it into an asyncio Future). */
  submit(fn: (...args: never[]) => unknown, ...args: unknown[]): PromiseLike<unknown>;
  /** Stops the executor; with wait, the promise resolves once every worker exited. */
  shutdown(wait?: boolean, options?: { cancelFutures?: boolean }): Promise<void> | void;
}

export function runInExecutor<A extends unknown[], R>(loop: BaseEventLoop, _executor: Executor | null, _func: (...args: A) => R | PromiseLike<R>, _args: A): Future<Awaited<R>> {
  loop._checkClosed();
  throw new NotImplementedError("runInExecutor is not implemented yet");
}
export function setDefaultExecutor(_loop: BaseEventLoop, _executor: Executor): void {
  throw new NotImplementedError("setDefaultExecutor is not implemented yet");
}
export function* shutdownDefaultExecutor(loop: BaseEventLoop, _timeout: number | null): Coroutine<void> {
  loop._executorShutdownCalled = true;
  if (loop._defaultExecutor === null) return;
  throw new RuntimeError("default executor shutdown is not implemented yet");
}
