import type { Context } from "../stdlib/contextvars.js";
import { CancelledError, RuntimeError, makeExceptionGroup } from "../stdlib/exceptions.js";
import { getRunningLoop, type AbstractEventLoop } from "../core/events.js";
import { isExitException, type Future } from "../core/futures.js";
import { currentTask, type Task } from "../core/tasks.js";
import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";

// taskgroups.py. The parent task's cancellation count is kept balanced as in
// 3.13 (gh-116720, a fix of 3.12's bookkeeping): uncancel() runs after the
// children are done, and a failure while the parent is being cancelled from
// outside re-cancels it, so `cancelling()` is the same after the group as
// before it.

const tgEnter = awaitableCoroutine(function* enter(self: TaskGroup): Coroutine<TaskGroup> {
  if (self._entered) throw new RuntimeError(`TaskGroup ${self} has already been entered`);
  if (self._loop === null) self._loop = getRunningLoop();
  self._parentTask = currentTask(self._loop);
  if (self._parentTask === null) throw new RuntimeError(`TaskGroup ${self} cannot determine the parent task`);
  self._entered = true;
  return self;
});

const tgExit = awaitableCoroutine(function* exit(self: TaskGroup, exc?: unknown): Coroutine<void> {
  const raised = exc !== undefined && exc !== null;
  self._exiting = true;
  if (raised && isExitException(exc) && self._baseError === null) self._baseError = exc as Error;
  let propagateCancellation: CancelledError | null = raised && exc instanceof CancelledError ? exc : null;
  // The body failed or its task is being cancelled: cancel the children.
  if (raised && !self._aborting) self._abort();

  // A loop, because the parent may be cancelled again and again while the children finish.
  while (self._tasks.size > 0) {
    if (self._onCompletedFut === null) self._onCompletedFut = self._loop!.createFuture<boolean>();
    try {
      yield* self._onCompletedFut;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      // The parent was cancelled from outside while waiting for the children.
      if (!self._aborting) {
        propagateCancellation = e;
        self._abort();
      }
    }
    self._onCompletedFut = null;
  }

  if (self._baseError !== null) throw self._baseError;

  const parent = self._parentTask!;
  if (self._parentCancelRequested) {
    // The group cancelled its parent itself: take that request back, and swallow
    // the CancelledError unless someone else asked for a cancellation too.
    if (parent.uncancel() === 0) propagateCancellation = null;
  }

  const errors = self._errors!;
  // Other errors have priority over the cancellation.
  if (propagateCancellation !== null && errors.length === 0) throw propagateCancellation;

  if (raised && !(exc instanceof CancelledError)) errors.push(exc as Error);

  if (errors.length > 0) {
    // Raising instead of being cancelled: re-request an outside cancellation so the count stays stable.
    if (parent.cancelling()) {
      parent.uncancel();
      parent.cancel();
    }
    self._errors = null;
    throw makeExceptionGroup("unhandled errors in a TaskGroup", errors);
  }
});

const tgRun = awaitableCoroutine(function* run<T>(self: TaskGroup, body: (tg: TaskGroup) => Coroutine<T>): Coroutine<T> {
  yield* self.enter();
  let result: T;
  try {
    result = yield* body(self);
  } catch (e) {
    yield* self.exit(e);
    throw e;
  }
  yield* self.exit(undefined);
  return result;
}) as <T>(self: TaskGroup, body: (tg: TaskGroup) => Coroutine<T>) => AwaitableCoroutine<T>;

/**
 * A scope that owns tasks (asyncio.TaskGroup): leaving it waits for every task;
 * the first task to fail cancels the others and the body, and the failures are
 * raised together as an ExceptionGroup (BaseExceptionGroup if one is not an
 * ordinary exception); KeyboardInterrupt and SystemExit propagate as
 * themselves. Use `yield* asyncio.taskGroup(function* (tg) {...})`, or
 * `tg.enter()`/`tg.exit(exc)`. The group cancels its parent task to interrupt
 * the body, so it belongs in a coroutine run by a Task; an async function is
 * not a task (its `await tg.enter()` runs in a short-lived Task of its own), so
 * there a failing child cannot interrupt the body and is also reported to the
 * loop's exception handler.
 */
export class TaskGroup {
  /** @internal */ _entered = false;
  /** @internal */ _exiting = false;
  /** @internal */ _aborting = false;
  /** @internal */ _loop: AbstractEventLoop | null = null;
  /** @internal */ _parentTask: Task<unknown> | null = null;
  /** @internal Whether the group cancelled its parent (and must uncancel it). */
  _parentCancelRequested = false;
  /** @internal The children not done yet. */
  _tasks = new Set<Task<unknown>>();
  /** @internal */ _errors: Error[] | null = [];
  /** @internal */ _baseError: Error | null = null;
  /** @internal */ _onCompletedFut: Future<boolean> | null = null;
  /** @internal */ readonly _onTaskDone = (task: Task<unknown>): void => this._taskDone(task);

  /** Python's `__aenter__`: binds the group to the current task; RuntimeError if entered twice or outside a task. */
  enter(): AwaitableCoroutine<TaskGroup> {
    return tgEnter(this);
  }

  /**
   * Python's `__aexit__`: `exc` is what the body raised (undefined or null if
   * it finished). Waits for every child, then raises the collected errors,
   * the base error, or the cancellation; returns normally otherwise (the
   * caller then re-raises `exc` itself, as `async with` does).
   */
  exit(exc?: unknown): AwaitableCoroutine<void> {
    return tgExit(this, exc);
  }

  /** Enters the group, runs `body(this)`, exits, and returns the body's result. */
  run<T>(body: (tg: TaskGroup) => Coroutine<T>): AwaitableCoroutine<T> {
    return tgRun(this, body);
  }

  /** For `await using` after `await tg.enter()`: exits the group as if its body finished. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.exit(undefined);
  }

  /**
   * Creates a task in the group (as asyncio.createTask). RuntimeError, after
   * closing `coro`, if the group was not entered, has finished, or is
   * shutting down after a failure.
   */
  createTask<T>(coro: Coroutine<T>, options?: { name?: string | null; context?: Context | null }): Task<T> {
    if (!this._entered) {
      coro.return(undefined as T);
      throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    }
    if (this._exiting && this._tasks.size === 0) {
      coro.return(undefined as T);
      throw new RuntimeError(`TaskGroup ${this} is finished`);
    }
    if (this._aborting) {
      coro.return(undefined as T);
      throw new RuntimeError(`TaskGroup ${this} is shutting down`);
    }
    // As Python 3.12: the task is created unnamed (taking a Task-N number) and named afterwards.
    const context = options?.context ?? null;
    const task = this._loop!.createTask(coro, context === null ? undefined : { context });
    const name = options?.name ?? null;
    if (name !== null && typeof task.setName === "function") task.setName(name);
    // An eager task may be done already: no callback to schedule then.
    if (task.done()) {
      this._taskDone(task as Task<unknown>);
    } else {
      this._tasks.add(task as Task<unknown>);
      // Lets formatTaskTree() find the group (and its parent task) from the child's callbacks.
      (this._onTaskDone as { __self__?: unknown }).__self__ = this;
      task.addDoneCallback(this._onTaskDone as (t: Task<T>) => void);
    }
    return task;
  }

  /** @internal Cancels every child. */
  _abort(): void {
    this._aborting = true;
    for (const t of this._tasks) if (!t.done()) t.cancel();
  }

  /** @internal */
  _taskDone(task: Task<unknown>): void {
    this._tasks.delete(task);
    if (this._onCompletedFut !== null && this._tasks.size === 0 && !this._onCompletedFut.done()) {
      this._onCompletedFut.setResult(true);
    }
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === null) return;
    this._errors!.push(exc);
    if (isExitException(exc) && this._baseError === null) this._baseError = exc;
    const parent = this._parentTask!;
    if (parent.done()) {
      this._loop!.callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception: exc,
        task,
      });
      return;
    }
    if (!this._aborting && !this._parentCancelRequested) {
      // Interrupt whatever the body is awaiting; exit() takes the cancellation back.
      this._abort();
      this._parentCancelRequested = true;
      parent.cancel();
    }
  }

  /** Python's repr: `<TaskGroup tasks=2 errors=1 cancelling>`. */
  toString(): string {
    let info = "";
    if (this._tasks.size > 0) info += ` tasks=${this._tasks.size}`;
    if (this._errors !== null && this._errors.length > 0) info += ` errors=${this._errors.length}`;
    if (this._aborting) info += " cancelling";
    else if (this._entered) info += " entered";
    return `<TaskGroup${info}>`;
  }
}

/** `async with asyncio.TaskGroup() as tg:` as `yield* asyncio.taskGroup(function* (tg) {...})`; returns the body's result. */
export function taskGroup<T>(body: (tg: TaskGroup) => Coroutine<T>): AwaitableCoroutine<T> {
  return new TaskGroup().run(body);
}
