import { inspectRepr } from "../internal/pyrepr.js";
import { copyContext, type Context } from "../stdlib/contextvars.js";
import {
  cancelledError, CancelledError, InvalidStateError, KeyboardInterrupt, RuntimeError, SystemExit,
} from "../stdlib/exceptions.js";
import { hideInternalFrames } from "../stdlib/traceback.js";
import type { Coroutine } from "./coroutines.js";
import { _getRunningLoop, captureStack, getEventLoop, inContext, reprValue, callbackName, type AbstractEventLoop } from "./events.js";

// futures.py. A Future is awaitable both ways: `yield* fut` in a coroutine
// (Symbol.iterator yields the future once, asyncio's __await__) and `await fut`
// in an async function (then()).

const PENDING = 0;
const CANCELLED = 1;
const FINISHED = 2;

/** Python's state names, for reprs and InvalidStateError messages. */
const STATE_NAMES = ["PENDING", "CANCELLED", "FINISHED"] as const;

/** A done callback: called with the future once it is done. */
export type DoneCallback<F> = (fut: F) => unknown;

/** The loop internals futures use to schedule callbacks without extra wrapping. */
interface FastLoop {
  _callSoonWith(callback: (...a: never[]) => unknown, args: readonly unknown[] | null, context: Context | null): unknown;
}

function hasFastPath(loop: AbstractEventLoop): loop is AbstractEventLoop & FastLoop {
  return typeof (loop as Partial<FastLoop>)._callSoonWith === "function";
}

/** Shared state of an exception that nobody has retrieved yet; checked when the future is collected. */
interface UnretrievedState {
  loop: AbstractEventLoop;
  exception: unknown;
  repr: string;
  sourceTraceback: string | null;
  retrieved: boolean;
  /**
   * A task's context: the handler runs in it, as in CPython (gh-96704). Held
   * strongly, like `exception`: a context variable whose value refers back to
   * the task would keep the task from being collected (and reported).
   */
  context: Context | null;
}

const unretrieved = new FinalizationRegistry<UnretrievedState>((s) => {
  if (s.retrieved) return;
  const ctx: Record<string, unknown> = {
    message: `${s.repr.startsWith("<Task") ? "Task" : "Future"} exception was never retrieved`,
    exception: s.exception,
    future_repr: s.repr,
  };
  if (s.sourceTraceback !== null) ctx.source_traceback = s.sourceTraceback;
  const report = (): void => s.loop.callExceptionHandler(ctx as { message: string });
  // The context may be entered right now (shared by a running task): then it is reported outside it.
  if (s.context !== null && !s.context._entered) s.context.run(report);
  else report();
});

/** The futures whose repr is being built (the recursion guard of toString()). */
const reprInProgress = new Set<object>();

/** @internal A done callback that is not a function but schedules itself (Future._addWaker). */
export interface Waker {
  /** @internal The future it waits on is done. */
  _wake(fut: Future<unknown>): void;
}

/** @internal A future's done callbacks as the flat [callback, context, ...] list, whichever form they are kept in. */
export function callbackEntries(fut: Future<unknown>): readonly unknown[] {
  const cbs = fut._callbacks;
  return cbs === null ? [] : Array.isArray(cbs) ? cbs : [cbs, null];
}

/** Anything asyncio accepts as an awaitable: a Future/Task, a coroutine, or a promise. */
export type Awaitable<T> = Future<T> | Coroutine<T> | PromiseLike<T>;

/** A Future: the result of an operation that has not completed yet (asyncio.Future). */
export class Future<T = unknown> implements PromiseLike<T> {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** @internal */ _state: number = PENDING;
  /** @internal */ _result: T | undefined = undefined;
  /** @internal The exception, once failed (undefined on the prototype: see below the class). */
  declare _exception: unknown;
  /** @internal */ _loop: AbstractEventLoop;
  /**
   * @internal Flattened [callback, context, callback, context, ...], or a
   * lone Waker (the one task waiting on the future, its most common
   * registration) without a list; callbackEntries() reads either form.
   */
  _callbacks: unknown[] | Waker | null = null;
  /** @internal */ _cancelMessage: string | null = null;
  /** @internal */ _cancelledExc: CancelledError | null = null;
  /** @internal Where it was made, in debug mode (null on the prototype). */
  declare _sourceTraceback: string | null;
  /** @internal An exception nobody has retrieved yet (null on the prototype). */
  declare _unretrieved: UnretrievedState | null;
  /**
   * Python's `_asyncio_future_blocking`: set when the future is yielded to a
   * Task, which then waits for it. Also how Tasks recognise futures.
   */
  _asyncio_future_blocking = false;

  constructor(options?: { loop?: AbstractEventLoop | null }) {
    this._loop = options?.loop ?? _getRunningLoop() ?? getEventLoop();
    if (this._loop.getDebug()) this._sourceTraceback = captureStack(3);
  }

  /** The loop the future is bound to. */
  getLoop(): AbstractEventLoop {
    return this._loop;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  /** Whether the future is done (has a result, an exception, or was cancelled). */
  done(): boolean {
    return this._state !== PENDING;
  }

  /** The result; raises the exception, CancelledError, or InvalidStateError if not done. */
  result(): T {
    if (this._state === FINISHED) {
      if (this._exception !== undefined) {
        this._markRetrieved();
        throw this._exception;
      }
      return this._result as T;
    }
    if (this._state === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Result is not ready.");
  }

  /** The exception (null if none); raises CancelledError or InvalidStateError if not done. */
  exception(): Error | null {
    if (this._state === FINISHED) {
      this._markRetrieved();
      return (this._exception ?? null) as Error | null;
    }
    if (this._state === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Exception is not set.");
  }

  /** Adds a callback run (via callSoon, in `context` or a copy of the current one) when the future is done. */
  addDoneCallback(fn: DoneCallback<this>, options?: { context?: Context | null }): void {
    const context = options?.context ?? null;
    if (this._state !== PENDING) {
      this._schedule(fn, context ?? copyContext());
      return;
    }
    this._pushCallback(fn, context ?? copyContext());
  }

  /**
   * @internal Registers a done callback that schedules itself (a Task waiting
   * on this future, core/tasks.ts): its `_wake(fut)` runs where a callback's
   * Handle would be made, and it runs in its own context.
   */
  _addWaker(waker: Waker): void {
    if (this._state !== PENDING) waker._wake(this);
    else if (this._callbacks === null) this._callbacks = waker;
    else this._pushCallback(waker, null);
  }

  /** Appends a (callback, context) pair, turning a lone Waker into the list's first pair. */
  private _pushCallback(fn: unknown, context: Context | null): void {
    const cbs = this._callbacks;
    if (cbs === null) this._callbacks = [fn, context];
    else if (Array.isArray(cbs)) cbs.push(fn, context);
    else this._callbacks = [cbs, null, fn, context];
  }

  /** Removes every registration of `fn`; returns how many were removed. */
  removeDoneCallback(fn: DoneCallback<this>): number {
    if (this._callbacks === null) return 0;
    const cbs = callbackEntries(this);
    let removed = 0;
    const kept: unknown[] = [];
    for (let i = 0; i < cbs.length; i += 2) {
      if (cbs[i] === fn) removed++;
      else kept.push(cbs[i], cbs[i + 1]);
    }
    if (removed) this._callbacks = kept.length ? kept : null;
    return removed;
  }

  /** Cancels the future and schedules its callbacks; false if it was already done. */
  cancel(msg?: string | null): boolean {
    if (this._unretrieved !== null) this._markRetrieved();
    if (this._state !== PENDING) return false;
    this._state = CANCELLED;
    this._cancelMessage = msg ?? null;
    this._scheduleCallbacks();
    return true;
  }

  /** Marks the future done with a result; InvalidStateError if it is already done. */
  setResult(result: T): void {
    if (this._state !== PENDING) throw new InvalidStateError(`${STATE_NAMES[this._state]}: ${this}`);
    this._result = result;
    this._state = FINISHED;
    this._scheduleCallbacks();
  }

  /** Marks the future done with an exception (an Error class is instantiated, as Python does). */
  setException(exception: unknown): void {
    if (this._state !== PENDING) throw new InvalidStateError(`${STATE_NAMES[this._state]}: ${this}`);
    if (typeof exception === "function" && (exception.prototype instanceof Error || exception === Error)) {
      exception = new (exception as new () => Error)();
    }
    if (exception instanceof Error && exception.name === "StopIteration") {
      throw new TypeError("StopIteration interacts badly with generators and cannot be raised into a Future");
    }
    if (exception === undefined) throw new TypeError("exception must be an exception, not undefined");
    this._exception = exception;
    this._state = FINISHED;
    this._scheduleCallbacks();
    // Formats the stack now: V8's lazy stack keeps its frames' receivers (this future, its task) alive,
    // and the registry holds the exception strongly, so the future could never be collected.
    if (exception instanceof Error) void exception.stack;
    const state: UnretrievedState = {
      loop: this._loop,
      exception,
      repr: this.toString(),
      sourceTraceback: this._sourceTraceback,
      retrieved: false,
      context: this._reportContext(),
    };
    this._unretrieved = state;
    unretrieved.register(this, state, state);
  }

  /** @internal Python's `__log_traceback = False`. */
  _markRetrieved(): void {
    const s = this._unretrieved;
    if (s !== null) {
      s.retrieved = true;
      unretrieved.unregister(s);
      this._unretrieved = null;
    }
  }

  /** @internal The CancelledError to raise for a cancelled future (cached, as Python 3.12). */
  _makeCancelledError(): CancelledError {
    if (this._cancelledExc !== null) {
      const exc = this._cancelledExc;
      this._cancelledExc = null;
      return exc;
    }
    const exc = cancelledError(this._cancelMessage, this._loop.getDebug());
    this._cancelledExc = exc;
    return exc;
  }

  /** @internal */
  _scheduleCallbacks(): void {
    const cbs = this._callbacks;
    if (cbs === null) return;
    this._callbacks = null;
    if (!Array.isArray(cbs)) return this._schedule(cbs as unknown as DoneCallback<this>, null);
    for (let i = 0; i < cbs.length; i += 2) this._schedule(cbs[i] as DoneCallback<this>, cbs[i + 1] as Context | null);
  }

  /** @internal */
  private _schedule(fn: DoneCallback<this>, context: Context | null): void {
    if (typeof fn !== "function") return (fn as Waker)._wake(this);
    const loop = this._loop;
    if (hasFastPath(loop)) loop._callSoonWith(fn as (...a: never[]) => unknown, this._selfArgs(), context);
    else if (context !== null) loop.callSoon(inContext(context, fn), this);
    else loop.callSoon(fn, this);
  }

  /** `yield* fut`: suspends the coroutine until the future is done, then returns its result. */
  [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return new FutureIter(this);
  }

  /** `await fut` from async code: resolves with the result, rejects with the exception or CancelledError. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return new Promise<T>((resolve, reject) => {
      const settle = (): void => {
        try {
          resolve(this.result());
        } catch (e) {
          if (!this._loop.getDebug()) hideInternalFrames(e);
          reject(e);
        }
      };
      if (this._state !== PENDING) settle();
      else this.addDoneCallback(settle);
    }).then(onfulfilled, onrejected);
  }

  /** @internal `[this]`, the argument list of a done callback's Handle (a Task keeps one: core/tasks.ts). */
  _selfArgs(): readonly unknown[] {
    return [this];
  }

  /** @internal The context an unretrieved exception is reported in: none for a plain Future (a Task has its own). */
  _reportContext(): Context | null {
    return null;
  }

  /** Python's repr; `...` for a future met again inside its own repr (its result holds it), as reprlib.recursive_repr. */
  toString(): string {
    if (reprInProgress.has(this)) return "...";
    reprInProgress.add(this);
    try {
      return `<${this.constructor.name} ${this._reprInfo().join(" ")}>`;
    } finally {
      reprInProgress.delete(this);
    }
  }

  /** @internal The parts of the repr (Python's `_repr_info`). */
  _reprInfo(): string[] {
    const info = [STATE_NAMES[this._state]!.toLowerCase()];
    if (this._state === FINISHED) {
      if (this._exception !== undefined) info.push(`exception=${reprException(this._exception)}`);
      else info.push(`result=${reprValue(this._result)}`);
    }
    const cbs = callbackEntries(this);
    if (cbs.length) {
      const names: string[] = [];
      for (let i = 0; i < cbs.length; i += 2) names.push(callbackName(cbs[i]) + "()");
      const n = names.length;
      const shown = n <= 2 ? names : [names[0]!, `<${n - 2} more>`, names[n - 1]!];
      info.push(`cb=[${shown.join(", ")}]`);
    }
    if (this._sourceTraceback !== null) {
      const site = this._sourceTraceback.split("\n")[0]?.trim();
      if (site) info.push(`created ${site}`);
    }
    return info;
  }
}

/** Python's repr of an exception: `ValueError('msg')`. */
export function reprException(e: unknown): string {
  if (e instanceof Error) return e.message === "" ? `${e.name}()` : `${e.name}('${e.message}')`;
  return String(e);
}

// Fields most futures never set live on the prototype: a future (and every
// Task) is smaller by them, which the garbage collector feels when 100,000
// tasks are alive at once; one that does set them gets its own property.
Object.defineProperties(Future.prototype, {
  _exception: { value: undefined, writable: true },
  _sourceTraceback: { value: null, writable: true },
  _unretrieved: { value: null, writable: true },
});

/** The iterator behind `yield* fut` (asyncio's Future.__await__). */
class FutureIter<T> implements Iterator<Future<T>, T, unknown> {
  private yielded = false;
  constructor(private readonly fut: Future<T>) {}

  next(): IteratorResult<Future<T>, T> {
    const f = this.fut;
    if (f._state === PENDING) {
      if (this.yielded) throw new RuntimeError("await wasn't used with future");
      this.yielded = true;
      _suspendOn(f);
      return { done: false, value: f };
    }
    return { done: true, value: f.result() };
  }

  throw(e: unknown): IteratorResult<Future<T>, T> {
    throw e;
  }

  return(value?: T): IteratorResult<Future<T>, T> {
    return { done: true, value: value as T };
  }
}

let suspensionHook: ((fut: Future<unknown>) => void) | null = null;

/** @internal What `yield* fut` does when it suspends on a pending future (asyncio's __await__ before its yield). */
export function _suspendOn(f: Future<unknown>): void {
  f._asyncio_future_blocking = true;
  if (suspensionHook !== null) suspensionHook(f);
}

/** @internal Called at every suspension on a future (debug mode records where tasks wait). */
export function _setSuspensionHook(hook: ((fut: Future<unknown>) => void) | null): void {
  suspensionHook = hook;
}

/** Whether `obj` is a Future (or Future-compatible: has `_asyncio_future_blocking`). */
export function isfuture(obj: unknown): obj is Future<unknown> {
  // Python's duck typing: an object whose `_asyncio_future_blocking` is not None (a class is not a future).
  return obj instanceof Future ||
    (typeof obj === "object" && obj !== null && (obj as Future)._asyncio_future_blocking != null);
}

/** Sets the result of `fut` unless it was cancelled meanwhile (the common guard of wakeups). */
export function setResultUnlessCancelled<T>(fut: Future<T>, result: T): void {
  if (!fut.cancelled()) fut.setResult(result);
}

/** Copies the outcome of `source` (done) into `dest` (pending). */
export function copyFutureState<T>(source: Future<T>, dest: Future<T>): void {
  if (source.cancelled()) dest.cancel(source._cancelMessage);
  else {
    const exc = source.exception();
    if (exc !== null) dest.setException(exc);
    else dest.setResult(source.result());
  }
}

/**
 * Wraps a promise (or any thenable, such as an executor's future) in a Future
 * of `loop`. Cancelling the Future does not stop a promise's work (it
 * cannot be interrupted); its outcome is then ignored. A concurrent future
 * (an executor's ConcurrentFuture) is cancelled along with it, as in Python.
 */
export function wrapFuture<T>(promise: PromiseLike<T> | Future<T>, options?: { loop?: AbstractEventLoop | null }): Future<T> {
  if (isfuture(promise)) {
    if (options?.loop && promise.getLoop() !== options.loop) {
      throw new RuntimeError(`${promise} is attached to a different loop`);
    }
    return promise as Future<T>;
  }
  if (promise === null || typeof (promise as PromiseLike<T>).then !== "function") {
    throw new TypeError(`concurrent.futures.Future is expected, got ${String(promise)}`);
  }
  const loop = options?.loop ?? _getRunningLoop() ?? getEventLoop();
  const fut = new Future<T>({ loop });
  // A concurrent.futures.Future (cancel/cancelled/done) is cancelled with the Future, as Python's _chain_future does.
  const source = promise as Partial<{ cancel(): unknown; cancelled(): unknown; done(): unknown }>;
  if (typeof source.cancel === "function" && typeof source.cancelled === "function" && typeof source.done === "function") {
    fut.addDoneCallback((f) => {
      if (f.cancelled()) source.cancel!();
    });
  }
  const settle = (ok: boolean, v: unknown): void => {
    if (fut.done()) return;
    if (ok) fut.setResult(v as T);
    else fut.setException(v ?? new RuntimeError("promise rejected with no reason"));
  };
  (promise as PromiseLike<T>).then(
    (v) => {
      if (!loop.isClosed()) loop.callSoonThreadsafe(settle, true, v);
    },
    (e: unknown) => {
      if (!loop.isClosed()) loop.callSoonThreadsafe(settle, false, e);
    },
  );
  return fut;
}

/** Python's KeyboardInterrupt/SystemExit test, used where such exceptions must propagate. */
export function isExitException(e: unknown): boolean {
  return e instanceof KeyboardInterrupt || e instanceof SystemExit;
}
