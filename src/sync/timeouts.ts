import { CancelledError, RuntimeError, TimeoutError } from "../stdlib/exceptions.js";
import { getRunningLoop, type Handle } from "../core/events.js";
import { currentTask, _setTimeoutScope, type Task } from "../core/tasks.js";
import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";

// timeouts.py: a scope that cancels its task at a deadline and turns that
// cancellation into TimeoutError on the way out.

type State = "created" | "active" | "expiring" | "expired" | "finished";

/** A timeout scope (Python's asyncio.Timeout); enter it with `run(body)` or the timeout()/timeoutAt() forms. */
export class Timeout {
  private _state: State = "created";
  private _handle: Handle | null = null;
  private _task: Task<unknown> | null = null;
  private _cancelling = 0;
  private _when: number | null;

  /** `when` is an absolute loop.time() deadline, or null for none. */
  constructor(when: number | null) {
    this._when = when;
  }

  /** The current deadline, or null. */
  when(): number | null {
    return this._when;
  }

  /** Moves the deadline (null: no deadline). RuntimeError unless the scope is active. */
  reschedule(when: number | null): void {
    if (this._state !== "active") {
      if (this._state === "created") throw new RuntimeError("Timeout has not been entered");
      throw new RuntimeError(`Cannot change state of ${this._state} Timeout`);
    }
    this._when = when;
    this._handle?.cancel();
    if (when === null) {
      this._handle = null;
      return;
    }
    const loop = getRunningLoop();
    this._handle = when <= loop.time() ? loop.callSoon(() => this._onTimeout()) : loop.callAt(when, () => this._onTimeout());
  }

  /** Whether the deadline passed and the scope cancelled its task. */
  expired(): boolean {
    return this._state === "expiring" || this._state === "expired";
  }

  /** Python's __aenter__: binds the scope to the current task and arms the deadline. */
  enter(): this {
    if (this._state !== "created") throw new RuntimeError("Timeout has already been entered");
    const task = currentTask();
    if (task === null) throw new RuntimeError("Timeout should be used inside a task");
    this._state = "active";
    this._task = task;
    this._cancelling = task.cancelling();
    this.reschedule(this._when);
    return this;
  }

  /** Python's __aexit__: disarms; a cancellation caused by the deadline becomes TimeoutError. */
  exit(exc?: unknown): void {
    this._handle?.cancel();
    this._handle = null;
    if (this._state === "expiring") {
      this._state = "expired";
      if (this._task!.uncancel() <= this._cancelling && exc instanceof CancelledError) {
        const te = new TimeoutError();
        (te as { cause?: unknown }).cause = exc;
        throw te;
      }
    } else if (this._state === "active") {
      this._state = "finished";
    }
  }

  /** Runs `body(this)` inside the scope and returns its result. */
  *run<T>(body: (cm: Timeout) => Coroutine<T>): Coroutine<T> {
    this.enter();
    let result: T;
    try {
      result = yield* body(this);
    } catch (e) {
      this.exit(e);
      throw e;
    }
    this.exit(undefined);
    return result;
  }

  /** For `await using` in async functions: leaves the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.exit(undefined);
  }

  private _onTimeout(): void {
    this._task!.cancel();
    this._state = "expiring";
    this._handle = null;
  }

  /** Python's repr. */
  toString(): string {
    const info = this._state === "active" ? `when=${this._when === null ? "None" : this._when.toFixed(3)}` : "";
    return `<Timeout [${this._state}]${info ? " " + info : ""}>`;
  }
}

const runScope = awaitableCoroutine(function* runScope<T>(cm: Timeout, body: (cm: Timeout) => Coroutine<T>): Coroutine<T> {
  return yield* cm.run(body);
}) as <T>(cm: Timeout, body: (cm: Timeout) => Coroutine<T>) => AwaitableCoroutine<T>;

/** A timeout `delay` seconds from now (null: none): `yield* timeout(5, function* () {...})`, or the Timeout object alone. */
export function timeout(delay: number | null): Timeout;
export function timeout<T>(delay: number | null, body: (cm: Timeout) => Coroutine<T>): AwaitableCoroutine<T>;
export function timeout<T>(delay: number | null, body?: (cm: Timeout) => Coroutine<T>): Timeout | AwaitableCoroutine<T> {
  const cm = new Timeout(delay === null || delay === undefined ? null : getRunningLoop().time() + delay);
  return body === undefined ? cm : runScope(cm, body);
}

/** A timeout at absolute loop time `when` (null: none). */
export function timeoutAt(when: number | null): Timeout;
export function timeoutAt<T>(when: number | null, body: (cm: Timeout) => Coroutine<T>): AwaitableCoroutine<T>;
export function timeoutAt<T>(when: number | null, body?: (cm: Timeout) => Coroutine<T>): Timeout | AwaitableCoroutine<T> {
  const cm = new Timeout(when ?? null);
  return body === undefined ? cm : runScope(cm, body);
}

_setTimeoutScope(<T>(delay: number | null, body: () => Coroutine<T>) => timeout(delay, body));
