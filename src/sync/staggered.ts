import { CancelledError, KeyboardInterrupt, SystemExit } from "../stdlib/exceptions.js";
import type { AbstractEventLoop, TimerHandle } from "../core/events.js";
import type { Future } from "../core/futures.js";
import type { Task } from "../core/tasks.js";
import type { Coroutine } from "../core/coroutines.js";

// staggered.py: run coroutines with staggered start times, keep the first
// that succeeds (RFC 8305's "Connection Attempt Delay", for Happy Eyeballs).

/** What staggeredRace returns: `[winnerResult, winnerIndex, exceptions]` (Python's tuple). */
export type StaggeredResult<T> = [winnerResult: T | null, winnerIndex: number | null, exceptions: (Error | null)[]];

/** Options of staggeredRace. */
export interface StaggeredOptions<T> {
  /**
   * Called with the result of an attempt that succeeded after another one
   * had already won (it could not be cancelled in time), so that it can be
   * released (a connected socket closed).
   */
  onLoserResult?: (result: T) => void;
}

function isExit(e: unknown): boolean {
  return e instanceof SystemExit || e instanceof KeyboardInterrupt;
}

/**
 * Python's `staggered_race`: starts the first coroutine at once, the next one
 * whenever the one started just before it fails or `delay` seconds pass
 * (`delay` null: only on failure, so one at a time), until one succeeds —
 * every other one is then cancelled — or all have failed. Returns once every
 * started attempt has finished. `exceptions[i]` is attempt i's error (null
 * for the winner), one entry per attempt actually started. Cancelling the
 * race cancels the running attempts and waits for them before re-raising.
 */
export function* staggeredRace<T>(
  loop: AbstractEventLoop,
  coroFns: Iterable<() => Coroutine<T>>,
  delay: number | null,
  options?: StaggeredOptions<T>,
): Coroutine<StaggeredResult<T>> {
  const fns = coroFns[Symbol.iterator]();
  const exceptions: (Error | null)[] = [];
  const running: Task<void>[] = [];
  let winnerIndex: number | null = null;
  let winnerResult: T | null = null;
  let exhausted = false;
  let timer: TimerHandle | null = null;
  const finished: Future<void> = loop.createFuture<void>();
  let pendingCount = 0;
  let stopped = false;

  const maybeFinish = (): void => {
    if (finished.done() || pendingCount > 0) return;
    if (winnerIndex !== null || exhausted) finished.setResult(undefined);
  };

  const startNext = (): void => {
    if (timer !== null) {
      timer.cancel();
      timer = null;
    }
    if (winnerIndex !== null || exhausted || stopped) return;
    const step = fns.next();
    if (step.done) {
      exhausted = true;
      maybeFinish();
      return;
    }
    const index = exceptions.length;
    exceptions.push(null);
    const task = loop.createTask(runOne(index, step.value));
    running.push(task);
    pendingCount++;
    task.addDoneCallback(onTaskDone);
    if (delay !== null) timer = loop.callLater(delay, startNext);
  };

  // Set while the race, cancelled, waits for its attempts to finish.
  let drained: Future<void> | null = null;

  function onTaskDone(task: Future<void>): void {
    pendingCount--;
    if (drained !== null && pendingCount === 0 && !drained.done()) drained.setResult(undefined);
    if (!task.cancelled() && task.exception() !== null && !finished.done()) {
      // Only KeyboardInterrupt/SystemExit escape runOne: they end the race.
      finished.setException(task.exception());
      return;
    }
    maybeFinish();
  }

  function* runOne(index: number, fn: () => Coroutine<T>): Coroutine<void> {
    let result: T;
    try {
      result = yield* fn();
    } catch (e) {
      if (isExit(e)) throw e;
      exceptions[index] = e instanceof Error ? e : new Error(String(e));
      // The next attempt starts early only when the latest one started fails.
      if (index === exceptions.length - 1) startNext();
      return;
    }
    if (winnerIndex !== null) {
      options?.onLoserResult?.(result);
      return;
    }
    winnerIndex = index;
    winnerResult = result;
    if (timer !== null) {
      timer.cancel();
      timer = null;
    }
    // Never cancel the winner itself: it is finishing in this very step.
    running.forEach((t, i) => {
      if (i !== index) t.cancel();
    });
  }

  startNext();
  try {
    yield* finished;
    return [winnerResult, winnerIndex, exceptions];
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    // As CPython's staggered_race: a cancelled race cancels its attempts and
    // waits for them (their cleanups run) before the CancelledError goes on;
    // a cancellation while waiting cancels them again and is the one raised.
    let cancelled: CancelledError = e;
    stopped = true;
    while (pendingCount > 0) {
      for (const t of running) t.cancel(cancelled.message || null);
      drained = loop.createFuture<void>();
      try {
        yield* drained;
      } catch (again) {
        if (!(again instanceof CancelledError)) throw again;
        cancelled = again;
      }
    }
    // Cancelled after an attempt won: nobody will receive its result.
    if (winnerIndex !== null) options?.onLoserResult?.(winnerResult as T);
    throw cancelled;
  } finally {
    stopped = true;
    if (timer !== null) (timer as TimerHandle).cancel();
    for (const t of running) t.cancel();
  }
}
