import * as exceptions from "../stdlib/exceptions.js";
import { CancelledError, InvalidStateError, RuntimeError, TimeoutError } from "../stdlib/exceptions.js";
import { logger } from "../core/log.js";
import type { SerializedError, Thrown } from "./wire.js";

// concurrent.futures' Future and Broken* errors. An error thrown in a worker
// comes back through rebuildThrown() with the same class (Python's names
// from stdlib/exceptions.ts and JavaScript's own), message, fields and the
// worker's stack.

// ---- errors crossing back -------------------------------------------------------

class BrokenExecutorBase extends RuntimeError {}

/** Python's concurrent.futures.BrokenExecutor: the executor cannot run anything anymore. */
export class BrokenExecutor extends BrokenExecutorBase {}
Object.defineProperty(BrokenExecutor.prototype, "name", { value: "BrokenExecutor", writable: true, configurable: true });
/** Python's BrokenThreadPool: a worker thread's initializer failed, or a worker thread died. */
export class BrokenThreadPool extends BrokenExecutor {}
Object.defineProperty(BrokenThreadPool.prototype, "name", { value: "BrokenThreadPool", writable: true, configurable: true });
/** Python's BrokenProcessPool: a child process died or its initializer failed. */
export class BrokenProcessPool extends BrokenExecutor {}
Object.defineProperty(BrokenProcessPool.prototype, "name", { value: "BrokenProcessPool", writable: true, configurable: true });

type ErrorClass = { prototype: Error };
const errorClasses = new Map<string, ErrorClass>();
for (const cls of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]) {
  errorClasses.set(cls.name, cls);
}
for (const value of Object.values(exceptions)) {
  if (typeof value === "function" && value.prototype instanceof Error) {
    errorClasses.set((value.prototype as Error).name, value as ErrorClass);
  }
}
for (const cls of [BrokenExecutor, BrokenThreadPool, BrokenProcessPool]) errorClasses.set(cls.prototype.name, cls);

/** Rebuilds what a worker threw: same class when the name is known, same message, fields and stack. */
/** @internal */
export function rebuildThrown(t: Thrown): unknown {
  if ("value" in t) return t.value;
  return rebuildError(t.error);
}

function rebuildError(s: SerializedError): Error {
  const cls = errorClasses.get(s.name);
  // Built without the constructor: Python's classes take different arguments (OSError(errno, ...)).
  const err = Object.create((cls ?? Error).prototype) as Error;
  Object.defineProperty(err, "message", { value: s.message, writable: true, configurable: true });
  if (cls === undefined || cls.prototype.name !== s.name) {
    Object.defineProperty(err, "name", { value: s.name, writable: true, configurable: true });
  }
  Object.defineProperty(err, "stack", {
    value: s.stack ?? `${s.name}: ${s.message}`,
    writable: true,
    configurable: true,
  });
  Object.assign(err, s.props);
  if (s.cause !== undefined) {
    Object.defineProperty(err, "cause", { value: rebuildThrown(s.cause), writable: true, configurable: true });
  }
  return err;
}

// ---- the concurrent future ------------------------------------------------------

type CFState = "PENDING" | "RUNNING" | "CANCELLED" | "FINISHED";

/**
 * Python's concurrent.futures.Future, as far as a JavaScript caller needs it:
 * a thenable (await it, or `wrapFuture(f)` for an asyncio Future) with
 * done(), running(), cancelled(), cancel(), result(), exception(),
 * addDoneCallback(), and, for executor implementations and tests,
 * setRunningOrNotifyCancel(), setResult() and setException(). result() never blocks: it throws InvalidStateError while
 * the call is pending.
 */
export class ConcurrentFuture<T = unknown> implements PromiseLike<T> {
  private _state: CFState = "PENDING";
  private _result: T | undefined = undefined;
  private _exception: unknown = undefined;
  private _hasException = false;
  private _callbacks: Array<(f: ConcurrentFuture<T>) => unknown> = [];
  private _promise: Promise<T> | null = null;

  /** Cancels the call if it has not started; true if the future is (now) cancelled. */
  cancel(): boolean {
    if (this._state === "RUNNING" || this._state === "FINISHED") return false;
    if (this._state === "CANCELLED") return true;
    this._state = "CANCELLED";
    this._invokeCallbacks();
    return true;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this._state === "CANCELLED";
  }

  /** Whether the call is executing in a worker now. */
  running(): boolean {
    return this._state === "RUNNING";
  }

  /** Whether the call finished or was cancelled. */
  done(): boolean {
    return this._state === "CANCELLED" || this._state === "FINISHED";
  }

  /** The call's result; throws its error, CancelledError, or InvalidStateError if not done yet. */
  result(): T {
    if (this._state === "CANCELLED") throw new CancelledError();
    if (this._state !== "FINISHED") throw new InvalidStateError("Result is not ready.");
    if (this._hasException) throw this._exception;
    return this._result as T;
  }

  /** The call's error (null if it returned); throws CancelledError, or InvalidStateError if not done yet. */
  exception(): unknown {
    if (this._state === "CANCELLED") throw new CancelledError();
    if (this._state !== "FINISHED") throw new InvalidStateError("Exception is not set.");
    return this._hasException ? this._exception : null;
  }

  /** Calls fn(future) when done (at once if it already is). */
  addDoneCallback(fn: (f: ConcurrentFuture<T>) => unknown): void {
    if (!this.done()) {
      this._callbacks.push(fn);
      return;
    }
    this._callOne(fn);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this._promise === null) {
      this._promise = new Promise<T>((resolve, reject) => {
        this.addDoneCallback((f) => {
          if (f._state === "CANCELLED") reject(new CancelledError());
          else if (f._hasException) reject(f._exception);
          else resolve(f._result as T);
        });
      });
    }
    return this._promise.then(onfulfilled, onrejected);
  }

  toString(): string {
    return `<ConcurrentFuture state=${this._state.toLowerCase()}>`;
  }

  /** Marks the call as running (for executor implementations); false if it was cancelled while queued. */
  setRunningOrNotifyCancel(): boolean {
    if (this._state === "CANCELLED") return false;
    if (this._state !== "PENDING") throw new RuntimeError(`Future in unexpected state ${this._state}`);
    this._state = "RUNNING";
    return true;
  }

  /** Finishes the future with `value` (for executor implementations and tests); InvalidStateError if already done. */
  setResult(value: T): void {
    if (this.done()) throw new InvalidStateError(`${this._state}: ${this}`);
    this._result = value;
    this._state = "FINISHED";
    this._invokeCallbacks();
  }

  /** Finishes the future with the error `e` (for executor implementations and tests); InvalidStateError if already done. */
  setException(e: unknown): void {
    if (this.done()) throw new InvalidStateError(`${this._state}: ${this}`);
    this._exception = e;
    this._hasException = true;
    this._state = "FINISHED";
    this._invokeCallbacks();
  }

  private _invokeCallbacks(): void {
    const cbs = this._callbacks;
    this._callbacks = [];
    for (const cb of cbs) this._callOne(cb);
  }

  private _callOne(cb: (f: ConcurrentFuture<T>) => unknown): void {
    try {
      cb(this);
    } catch (e) {
      logger.error(`exception calling callback for ${this}`, e);
    }
  }
}

