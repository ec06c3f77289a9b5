import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";
import { wrapFuture } from "../core/futures.js";

// A promise-returning Node operation inside a task, with cancellation that
// reaches it. wrapFuture alone stops at the promise: the task is cancelled but
// the operation runs on. Here the operation gets an AbortSignal that aborts
// the moment the awaiting coroutine is left without the promise's outcome
// (the task cancelled, a timeout() scope or waitFor expiring, the generator
// closed). wrapFuture's own handlers consume the promise's later rejection.

function* abortableGen<T>(operation: (signal: AbortSignal) => PromiseLike<T>): Coroutine<T> {
  const controller = new AbortController();
  const fut = wrapFuture(operation(controller.signal));
  try {
    return yield* fut;
  } finally {
    if (!fut.done() || fut.cancelled()) controller.abort();
  }
}

const abortableCoro = awaitableCoroutine(abortableGen);

/**
 * Runs `operation(signal)` and waits for its promise; cancelling the awaiting
 * task (or a timeout expiring) aborts `signal` and raises at once:
 * `const res = yield* abortable((signal) => fetch(url, { signal }))`.
 */
export function abortable<T>(operation: (signal: AbortSignal) => PromiseLike<T>): AwaitableCoroutine<T> {
  return abortableCoro(operation) as AwaitableCoroutine<T>;
}
