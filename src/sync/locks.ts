import { BrokenBarrierError, CancelledError, RuntimeError, ValueError } from "../stdlib/exceptions.js";
import type { Future } from "../core/futures.js";
import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";
import { Deque } from "../internal/deque.js";
import { LoopBoundMixin } from "./mixins.js";

// locks.py: Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier.
// Python's `async def` methods are coroutines built with awaitableCoroutine, so
// `yield* lock.acquire()` runs inline as `await` does in Python, and async
// functions may `await lock.acquire()` (it then runs as a Task of its own).
// The waiter bookkeeping follows the latest 3.12 bug-fix releases (the same
// code as 3.13): FIFO fairness in Semaphore, and Condition.wait() passing a
// notification on when the notified task fails or is cancelled.

/** Something `hold()` and `async with` can acquire and release. */
interface Acquirable {
  acquire(): Coroutine<unknown>;
  release(): void;
}

const holdScope = awaitableCoroutine(function* hold<T>(cm: Acquirable, body: () => Coroutine<T>): Coroutine<T> {
  yield* cm.acquire();
  try {
    return yield* body();
  } finally {
    cm.release();
  }
}) as <T>(cm: Acquirable, body: () => Coroutine<T>) => AwaitableCoroutine<T>;

function waitersInfo(extra: string, waiters: { length: number } | null): string {
  return waiters !== null && waiters.length > 0 ? `${extra}, waiters:${waiters.length}` : extra;
}

// ---- Lock -------------------------------------------------------------------

const lockAcquire = awaitableCoroutine(function* acquire(self: Lock): Coroutine<boolean> {
  // Fair: the fast path is taken only when nobody live is queued.
  if (!self._locked && (self._waiters === null || everyCancelled(self._waiters))) {
    self._locked = true;
    return true;
  }
  if (self._waiters === null) self._waiters = new Deque();
  const fut = self._getLoop().createFuture<boolean>();
  self._waiters.push(fut);
  try {
    try {
      yield* fut;
    } finally {
      // Removed before waking the next one, or a cancelled waiter would wake itself.
      self._waiters.remove(fut);
    }
  } catch (e) {
    // The lock may be free with someone queued behind us: make sure the head runs.
    if (e instanceof CancelledError && !self._locked) self._wakeUpFirst();
    throw e;
  }
  self._locked = true;
  return true;
});

function everyCancelled(waiters: Deque<Future<boolean>>): boolean {
  for (const w of waiters) if (!w.cancelled()) return false;
  return true;
}

/** A mutual-exclusion lock for tasks (asyncio.Lock): FIFO, not owned by a task, not re-entrant. */
export class Lock extends LoopBoundMixin {
  /** @internal Futures of the tasks blocked in acquire(), in arrival order. */
  _waiters: Deque<Future<boolean>> | null = null;
  /** @internal */ _locked = false;

  /** Whether the lock is held. */
  locked(): boolean {
    return this._locked;
  }

  /** Waits until the lock is free, takes it, and returns true. */
  acquire(): AwaitableCoroutine<boolean> {
    return lockAcquire(this);
  }

  /** Frees the lock and lets the first waiter take it; RuntimeError if it is not held. */
  release(): void {
    if (!this._locked) throw new RuntimeError("Lock is not acquired.");
    this._locked = false;
    this._wakeUpFirst();
  }

  /** `async with lock:`: runs `body` holding the lock, releases it, and returns the body's result. */
  hold<T>(body: () => Coroutine<T>): AwaitableCoroutine<T> {
    return holdScope(this, body);
  }

  /** For `await using` after `await lock.acquire()`: releases the lock. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  /** @internal Ensures the head waiter will run (a done one already will, and retries if it was cancelled). */
  _wakeUpFirst(): void {
    const fut = this._waiters?.peek();
    if (fut !== undefined && !fut.done()) fut.setResult(true);
  }

  /** Python's repr: `<Lock [locked, waiters:2]>`. */
  override toString(): string {
    return `<${this.constructor.name} [${waitersInfo(this._locked ? "locked" : "unlocked", this._waiters)}]>`;
  }
}

// ---- Event ------------------------------------------------------------------

const eventWait = awaitableCoroutine(function* wait(self: Event): Coroutine<true> {
  if (self._value) return true;
  const fut = self._getLoop().createFuture<boolean>();
  self._waiters.push(fut);
  try {
    yield* fut;
    return true;
  } finally {
    self._waiters.remove(fut);
  }
});

/** A flag tasks can wait for (asyncio.Event). */
export class Event extends LoopBoundMixin {
  /** @internal */ _waiters = new Deque<Future<boolean>>();
  /** @internal */ _value = false;

  /** Whether the flag is set. */
  isSet(): boolean {
    return this._value;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this._value) return;
    this._value = true;
    for (const fut of this._waiters) if (!fut.done()) fut.setResult(true);
  }

  /** Clears the flag. */
  clear(): void {
    this._value = false;
  }

  /** Waits until the flag is set; returns true. */
  wait(): AwaitableCoroutine<true> {
    return eventWait(this);
  }

  /** Python's repr: `<Event [set, waiters:1]>`. */
  override toString(): string {
    return `<${this.constructor.name} [${waitersInfo(this._value ? "set" : "unset", this._waiters)}]>`;
  }
}

// ---- Condition --------------------------------------------------------------

const condWait = awaitableCoroutine(function* wait(self: Condition): Coroutine<true> {
  if (!self.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
  const fut = self._getLoop().createFuture<boolean>();
  self.release();
  let ok = false;
  try {
    try {
      self._waiters.push(fut);
      try {
        yield* fut;
      } finally {
        self._waiters.remove(fut);
      }
    } finally {
      // The caller holds the lock on the way out whatever happened, even when cancelled
      // (repeatedly) while re-acquiring; the last CancelledError is raised afterwards.
      let err: CancelledError | null = null;
      for (;;) {
        try {
          yield* self.acquire();
          break;
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          err = e;
        }
      }
      if (err !== null) throw err;
    }
    ok = true;
  } finally {
    // We may have been notified before failing: pass the notification on (a spurious wakeup is allowed).
    if (!ok) self._notify(1);
  }
  return true;
});

const condWaitFor = awaitableCoroutine(function* waitFor<T>(self: Condition, predicate: () => T): Coroutine<T> {
  let result = predicate();
  while (!result) {
    yield* self.wait();
    result = predicate();
  }
  return result;
}) as <T>(self: Condition, predicate: () => T) => AwaitableCoroutine<T>;

/** A condition variable over a Lock (asyncio.Condition). */
export class Condition extends LoopBoundMixin {
  /** @internal The underlying lock. */
  readonly _lock: Lock;
  /** @internal Futures of the tasks blocked in wait(). */
  _waiters = new Deque<Future<boolean>>();

  /** `lock` is the underlying Lock (default: a new one). */
  constructor(lock?: Lock | null) {
    super();
    this._lock = lock ?? new Lock();
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this._lock.locked();
  }

  /** Acquires the underlying lock. */
  acquire(): AwaitableCoroutine<boolean> {
    return this._lock.acquire();
  }

  /** Releases the underlying lock. */
  release(): void {
    this._lock.release();
  }

  /**
   * Releases the lock, waits to be notified, re-acquires the lock and returns
   * true; RuntimeError if the lock is not held. May wake up spuriously.
   */
  wait(): AwaitableCoroutine<true> {
    return condWait(this);
  }

  /** Waits until `predicate()` is truthy (JavaScript truthiness) and returns its last value. */
  waitFor<T>(predicate: () => T): AwaitableCoroutine<T> {
    return condWaitFor(this, predicate);
  }

  /** Wakes up to `n` waiters; RuntimeError if the lock is not held. */
  notify(n = 1): void {
    if (!this.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    this._notify(n);
  }

  /** @internal */
  _notify(n: number): void {
    let idx = 0;
    for (const fut of this._waiters) {
      if (idx >= n) break;
      if (!fut.done()) {
        idx += 1;
        fut.setResult(false);
      }
    }
  }

  /** Wakes every waiter; RuntimeError if the lock is not held. */
  notifyAll(): void {
    this.notify(this._waiters.length);
  }

  /** `async with cond:`: runs `body` holding the lock and returns its result. */
  hold<T>(body: () => Coroutine<T>): AwaitableCoroutine<T> {
    return holdScope(this, body);
  }

  /** For `await using` after `await cond.acquire()`: releases the lock. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  /** Python's repr: `<Condition [locked, waiters:1]>`. */
  override toString(): string {
    return `<${this.constructor.name} [${waitersInfo(this.locked() ? "locked" : "unlocked", this._waiters)}]>`;
  }
}

// ---- Semaphore --------------------------------------------------------------

const semAcquire = awaitableCoroutine(function* acquire(self: Semaphore): Coroutine<boolean> {
  if (!self.locked()) {
    self._value -= 1;
    return true;
  }
  if (self._waiters === null) self._waiters = new Deque();
  const fut = self._getLoop().createFuture<boolean>();
  self._waiters.push(fut);
  try {
    try {
      yield* fut;
    } finally {
      self._waiters.remove(fut);
    }
  } catch (e) {
    // Woken (and counted) but cancelled before running: give the unit back.
    if (e instanceof CancelledError && fut.done() && !fut.cancelled()) self._value += 1;
    throw e;
  } finally {
    // Waiters queued behind us for FIFO's sake may now proceed, as many as the value allows.
    while (self._value > 0) {
      if (!self._wakeUpNext()) break;
    }
  }
  return true;
});

/** A counter of available units (asyncio.Semaphore); acquire() waits at zero, FIFO. */
export class Semaphore extends LoopBoundMixin {
  /** @internal */ _waiters: Deque<Future<boolean>> | null = null;
  /** @internal */ _value: number;

  /** `value` is the initial counter (ValueError if negative). */
  constructor(value = 1) {
    super();
    if (value < 0) throw new ValueError("Semaphore initial value must be >= 0");
    this._value = value;
  }

  /** Whether acquire() would block: the value is zero, or live waiters are queued ahead. */
  locked(): boolean {
    if (this._value === 0) return true;
    if (this._waiters !== null) for (const w of this._waiters) if (!w.cancelled()) return true;
    return false;
  }

  /** Waits for a unit, takes it, and returns true. */
  acquire(): AwaitableCoroutine<boolean> {
    return semAcquire(this);
  }

  /** Returns a unit and wakes the first waiter. */
  release(): void {
    this._value += 1;
    this._wakeUpNext();
  }

  /** `async with sem:`: runs `body` holding a unit and returns its result. */
  hold<T>(body: () => Coroutine<T>): AwaitableCoroutine<T> {
    return holdScope(this, body);
  }

  /** For `await using` after `await sem.acquire()`: releases the unit. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  /** @internal Hands a unit to the first waiter not woken yet; false if there is none. */
  _wakeUpNext(): boolean {
    if (this._waiters === null) return false;
    for (const fut of this._waiters) {
      if (!fut.done()) {
        this._value -= 1;
        fut.setResult(true);
        return true;
      }
    }
    return false;
  }

  /** Python's repr: `<Semaphore [unlocked, value:2]>`. */
  override toString(): string {
    const extra = this.locked() ? "locked" : `unlocked, value:${this._value}`;
    return `<${this.constructor.name} [${waitersInfo(extra, this._waiters)}]>`;
  }
}

/** A Semaphore whose release() raises ValueError above the initial value (asyncio.BoundedSemaphore). */
export class BoundedSemaphore extends Semaphore {
  /** @internal */ readonly _boundValue: number;

  constructor(value = 1) {
    super(value);
    this._boundValue = value;
  }

  /** Returns a unit; ValueError if that would exceed the initial value. */
  override release(): void {
    if (this._value >= this._boundValue) throw new ValueError("BoundedSemaphore released too many times");
    super.release();
  }
}

// ---- Barrier ----------------------------------------------------------------

type BarrierState = "filling" | "draining" | "resetting" | "broken";

const barrierWait = awaitableCoroutine(function* wait(self: Barrier): Coroutine<number> {
  return yield* self._cond.hold(function* () {
    yield* self._block();
    try {
      const index = self._count;
      self._count += 1;
      if (index + 1 === self._parties) self._release();
      else yield* self._wait();
      return index;
    } finally {
      self._count -= 1;
      self._exit();
    }
  });
});

const barrierReset = awaitableCoroutine(function* reset(self: Barrier): Coroutine<void> {
  yield* self._cond.hold(function* () {
    if (self._count > 0) {
      if (self._state !== "resetting") self._state = "resetting";
    } else {
      self._state = "filling";
    }
    self._cond.notifyAll();
  });
});

const barrierAbort = awaitableCoroutine(function* abort(self: Barrier): Coroutine<void> {
  yield* self._cond.hold(function* () {
    self._state = "broken";
    self._cond.notifyAll();
  });
});

const barrierHold = awaitableCoroutine(function* hold<T>(self: Barrier, body: (index: number) => Coroutine<T>): Coroutine<T> {
  const index = yield* self.wait();
  return yield* body(index);
}) as <T>(self: Barrier, body: (index: number) => Coroutine<T>) => AwaitableCoroutine<T>;

/** A meeting point for a fixed number of tasks (asyncio.Barrier). */
export class Barrier extends LoopBoundMixin {
  /** @internal Notifies every task when the state changes. */
  readonly _cond = new Condition();
  /** @internal */ readonly _parties: number;
  /** @internal */ _state: BarrierState = "filling";
  /** @internal Tasks inside wait(). */
  _count = 0;

  /** `parties`: how many tasks must wait() to trip the barrier (ValueError if < 1). */
  constructor(parties: number) {
    super();
    if (parties < 1) throw new ValueError("parties must be > 0");
    this._parties = parties;
  }

  /**
   * Waits until `parties` tasks are waiting, then releases them all; returns
   * this task's arrival index (0 to parties-1). BrokenBarrierError if the
   * barrier is reset or aborted meanwhile, or already broken.
   */
  wait(): AwaitableCoroutine<number> {
    return barrierWait(this);
  }

  /** `async with barrier as index:`: waits, then runs `body(index)` and returns its result. */
  hold<T>(body: (index: number) => Coroutine<T>): AwaitableCoroutine<T> {
    return barrierHold(this, body);
  }

  /** Python's `__aexit__` does nothing; present for `await using` symmetry. */
  async [Symbol.asyncDispose](): Promise<void> {}

  /** Back to the empty filling state; tasks waiting get BrokenBarrierError. */
  reset(): AwaitableCoroutine<void> {
    return barrierReset(this);
  }

  /** Breaks the barrier: current and future waiters get BrokenBarrierError. */
  abort(): AwaitableCoroutine<void> {
    return barrierAbort(this);
  }

  /** The number of tasks needed to trip the barrier. */
  get parties(): number {
    return this._parties;
  }

  /** The number of tasks waiting while the barrier fills (0 in the other states). */
  get nWaiting(): number {
    return this._state === "filling" ? this._count : 0;
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return this._state === "broken";
  }

  /** @internal Waits while the barrier drains or resets; BrokenBarrierError if broken. */
  *_block(): Coroutine<void> {
    yield* this._cond.waitFor(() => this._state !== "draining" && this._state !== "resetting");
    if (this._state === "broken") throw new BrokenBarrierError("Barrier aborted");
  }

  /** @internal The last arrival: start draining and wake everyone. */
  _release(): void {
    this._state = "draining";
    this._cond.notifyAll();
  }

  /** @internal Waits for the filling to end; BrokenBarrierError on reset or abort. */
  *_wait(): Coroutine<void> {
    yield* this._cond.waitFor(() => this._state !== "filling");
    if (this._state === "broken" || this._state === "resetting") {
      throw new BrokenBarrierError("Abort or reset of barrier");
    }
  }

  /** @internal The last task out ends the draining or resetting and wakes the blocked ones. */
  _exit(): void {
    if (this._count === 0) {
      if (this._state === "resetting" || this._state === "draining") this._state = "filling";
      this._cond.notifyAll();
    }
  }

  /** Python's repr: `<Barrier [filling, waiters:2/5]>`. */
  override toString(): string {
    const extra = this.broken ? this._state : `${this._state}, waiters:${this.nWaiting}/${this.parties}`;
    return `<${this.constructor.name} [${extra}]>`;
  }
}
