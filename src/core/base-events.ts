import { performance } from "node:perf_hooks";
import type { Context } from "../stdlib/contextvars.js";
import { KeyboardInterrupt, RuntimeError, SystemExit, ValueError } from "../stdlib/exceptions.js";
import {
  AbstractEventLoop, Handle, TimerHandle, _getRunningLoop, _setRunningLoop, captureStack, reprValue,
  type Callback, type ExceptionContext, type ExceptionHandler, type Executor, type ReadyEntry, type TaskFactory, type TimerEntry,
} from "./events.js";
import { Future, _setSuspensionHook, isfuture } from "./futures.js";
import { Task, ensureFuture, _recordSuspension, _releaseWaitingTasks, _taskOfHandle } from "./tasks.js";
import { _beginCoroutineBatch, _dropStartedCoroutines, _endCoroutineBatch, _setCoroutineOriginTracking, awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "./coroutines.js";
import { Deque } from "../internal/deque.js";
import { Heap } from "../internal/heap.js";
import { callQuietly } from "../internal/native.js";
import { logger } from "./log.js";
import { hideInternalFrames } from "../stdlib/traceback.js";

// base_events.py: the loop core (ready queue, timer heap, run/stop/close,
// exception handler, debug mode), layered on Node's own loop (see
// docs/architecture.md). Like CPython's base_events it knows no file
// descriptor: the I/O methods are added by the concrete loop in src/loop.ts.

/** Python's _MIN_SCHEDULED_TIMER_HANDLES / _MIN_CANCELLED_TIMER_HANDLES_FRACTION. */
const MIN_SCHEDULED_TIMER_HANDLES = 100;
const MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;
/** Node's longest timer delay (ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
// How often (ms) a running loop hands the tasks that have waited on a future
// since the previous sweep to the weak registry (core/tasks.ts): a task
// forgotten while the loop runs is collectable one to two sweeps later.
const TASK_SWEEP_MS = 1000;

/** Something a module attaches to a loop to follow its life (fd watchers pause while the loop is stopped). */
export interface LoopLifecycleHook {
  /** The loop starts running. */
  start?(): void;
  /** The loop stopped running. */
  stop?(): void;
  /** The loop is closing. */
  close?(): void;
  /**
   * stop() was called before runForever(): poll for I/O once with a timeout
   * of zero and queue the callbacks of what is ready (the spec's one
   * iteration), since Node's poll phase may not come before the loop stops.
   */
  pollNow?(): void;
}

/**
 * @internal The key of one module's per-loop state (the selector of
 * net/selector.ts, the signal table of unix/signals.ts): state lives on its
 * loop, never at module level, so two loops in one process share nothing.
 */
export class LoopStateKey<T> {
  /** Carries T for the type checker only. */
  declare readonly _type: T;
  constructor(readonly name: string) {}
}

/** Options of the loop constructor. */
export interface EventLoopOptions {
  /**
   * How long (seconds) one Node macrotask may keep running loop iterations
   * back to back while callbacks are ready; 0 runs exactly one iteration per
   * macrotask. Node's I/O is polled between macrotasks.
   */
  iterationBudget?: number;
}

function timerLess(a: TimerEntry, b: TimerEntry): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

const IN_ITERATION = Symbol("in-iteration");

/** Debug mode: a delay of `loop.longDelayWarning` seconds or more is logged, naming the unit. */
function warnLongDelay(loop: BaseEventLoop, delay: number): void {
  if (!(delay >= loop.longDelayWarning) || delay === Infinity) return;
  const seconds = Math.round(delay);
  logger.warning(
    `A timer was scheduled ${seconds} seconds (${(delay / 86400).toFixed(1)} days) ahead: ` +
    `tsyncio's delays and timeouts are in seconds, as in Python, not milliseconds; ` +
    `if ${seconds} meant milliseconds, pass ${seconds / 1000} instead (loop.longDelayWarning sets this threshold).`,
  );
}

/** The event loop core (Python's BaseEventLoop). */
export class BaseEventLoop extends AbstractEventLoop {
  /** @internal */ _ready = new Deque<ReadyEntry>(1024);
  /** @internal */ _scheduled = new Heap<TimerEntry>(timerLess);
  /** @internal */ _timerCancelledCount = 0;
  /** @internal */ _timerSeq = 0;
  /** @internal */ _closed = false;
  /** @internal */ _stopping = false;
  /** @internal */ _running = false;
  /** @internal */ _currentTask: Task<unknown> | null = null;
  /** @internal Pending tasks held strongly: not yet waited on a future, or not for long (core/tasks.ts). */
  _heldTasks: Task<unknown>[] = [];
  /**
   * The Node timer of the next sweep of _heldTasks while the loop runs and
   * holds tasks (null: none armed). A timer of its own, not a check of the
   * clock at the end of _iterate: V8 inlines _iterate into the poller's
   * callback, and a sweep call there that had run only before the function
   * had type feedback (the first sweeps come as the loop starts) threw the
   * optimized poll path away when it first ran again, in the middle of a
   * server's first burst of connections.
   */
  private _sweepTimer: ReturnType<typeof setTimeout> | null = null;
  /** @internal */ _currentHandle: Handle | null = null;
  /** @internal */ _debug: boolean;
  /** Callbacks that run longer than this (seconds) are logged in debug mode. */
  slowCallbackDuration = 0.1;
  /**
   * In debug mode, a timer scheduled at least this far ahead (seconds; one
   * day by default) logs a warning: delays are seconds, as in Python, and a
   * delay of days is most often milliseconds by mistake (`sleep(100000)`).
   * Infinity turns it off.
   */
  longDelayWarning = 86400;
  /** See EventLoopOptions.iterationBudget. */
  iterationBudget: number;
  /** @internal */ _exceptionHandler: ExceptionHandler | null = null;
  /** @internal */ _taskFactory: TaskFactory | null = null;
  /** @internal */ _defaultExecutor: Executor | null = null;
  /** @internal */ _executorShutdownCalled = false;
  /** @internal */ _asyncgens = new Set<AsyncGenerator<unknown, unknown, unknown>>();
  /** @internal */ _asyncgensShutdownCalled = false;
  /** @internal */ _hooks: LoopLifecycleHook[] = [];
  /** @internal Per-module state attached to this loop (the selector, signal handlers...). */
  _state = new Map<LoopStateKey<unknown>, unknown>();

  protected _immediate: ReturnType<typeof setImmediate> | typeof IN_ITERATION | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _timerWhen = Infinity;
  private _keepalive: ReturnType<typeof setInterval> | null = null;
  private _runSettle: ((err: unknown) => void) | null = null;
  /** @internal */
  protected readonly _iterateBound = (): void => this._iterate();
  private readonly _sweepFired = (): void => {
    this._sweepTimer = null;
    if (this._running && this._heldTasks.length !== 0) this._sweepTasks();
  };
  private readonly _timerFired = (): void => {
    this._timer = null;
    this._timerWhen = Infinity;
    if (this._immediate === null) this._iterate();
  };

  constructor(options?: EventLoopOptions) {
    super();
    this._debug = !!process.env.TSYNCIO_DEBUG;
    this.iterationBudget = options?.iterationBudget ?? 0.001;
  }

  override toString(): string {
    return `<${this.constructor.name} running=${reprValue(this.isRunning())} closed=${reprValue(this._closed)} debug=${reprValue(this._debug)}>`;
  }

  // ---- running and stopping -------------------------------------------------

  /** @internal */
  _checkClosed(): void {
    if (this._closed) throw new RuntimeError("Event loop is closed");
  }

  /** @internal */
  _checkRunning(): void {
    if (this._running) throw new RuntimeError("This event loop is already running");
    if (_getRunningLoop() !== null) throw new RuntimeError("Cannot run the event loop while another loop is running");
  }

  override runForever(): Promise<void> {
    this._checkClosed();
    this._checkRunning();
    this._running = true;
    _setRunningLoop(this);
    if (this._debug) this._setDebugHooks(true);
    // While running, the loop keeps the process alive as a blocked Python thread would.
    this._keepalive = setInterval(noop, MAX_TIMER_MS);
    const done = new Promise<void>((resolve, reject) => {
      this._runSettle = (err) => (err === undefined ? resolve() : reject(err));
    });
    try {
      for (const h of this._hooks) h.start?.();
      if (this._stopping) for (const h of this._hooks) h.pollNow?.();
    } catch (e) {
      this._finishRun(e);
      return done;
    }
    this._immediate = setImmediate(this._iterateBound);
    return done;
  }

  override runUntilComplete<T>(future: Future<T> | Coroutine<T> | PromiseLike<T>): Promise<T> {
    this._checkClosed();
    this._checkRunning();
    const newTask = !isfuture(future);
    const fut = ensureFuture(future, { loop: this });
    if (newTask && fut instanceof Task) fut._logDestroyPending = false;
    fut.addDoneCallback(runUntilCompleteCb);
    return this.runForever().then(
      () => {
        fut.removeDoneCallback(runUntilCompleteCb);
        if (!fut.done()) throw new RuntimeError("Event loop stopped before Future completed.");
        try {
          return fut.result();
        } catch (e) {
          if (!this._debug) hideInternalFrames(e);
          throw e;
        }
      },
      (err: unknown) => {
        fut.removeDoneCallback(runUntilCompleteCb);
        if (newTask && fut.done() && !fut.cancelled()) fut.exception();
        if (!this._debug) hideInternalFrames(err);
        throw err;
      },
    );
  }

  override stop(): void {
    this._stopping = true;
  }

  override isRunning(): boolean {
    return this._running;
  }

  override isClosed(): boolean {
    return this._closed;
  }

  override close(): void {
    if (this._running) {
      // From outside the loop's callbacks, the loop runs because the promise
      // of runForever()/runUntilComplete() was not awaited.
      const hint = this._immediate !== IN_ITERATION
        ? " (runUntilComplete() and runForever() return promises: await them before close())"
        : "";
      throw new RuntimeError(`Cannot close a running event loop${hint}`);
    }
    if (this._closed) return;
    if (this._debug) logger.debug(`Close ${this}`);
    this._closed = true;
    this._ready.clear();
    this._heldTasks.length = 0;
    this._scheduled.clear();
    this._timerCancelledCount = 0;
    this._executorShutdownCalled = true;
    const executor = this._defaultExecutor;
    if (executor !== null) {
      this._defaultExecutor = null;
      void executor.shutdown(false);
    }
    for (const h of this._hooks) h.close?.();
    this._hooks = [];
  }

  /** @internal The state a module attached to this loop under `key`, if any. */
  _getState<T>(key: LoopStateKey<T>): T | undefined {
    return this._state.get(key) as T | undefined;
  }

  /** @internal Attaches a module's state to this loop. */
  _setState<T>(key: LoopStateKey<T>, value: T): void {
    this._state.set(key, value);
  }

  /** @internal Registers a lifecycle hook (fd watchers, signal handlers). */
  _addLifecycleHook(hook: LoopLifecycleHook): void {
    this._hooks.push(hook);
    if (this._running) hook.start?.();
  }

  /** @internal Ends runForever(): resolves (err undefined) or rejects its promise. */
  private _finishRun(err: unknown): void {
    _releaseWaitingTasks(this, true);
    if (this._sweepTimer !== null) clearTimeout(this._sweepTimer);
    this._sweepTimer = null;
    this._running = false;
    this._stopping = false;
    _setRunningLoop(null);
    if (this._debug) this._setDebugHooks(false);
    if (this._immediate !== null && this._immediate !== IN_ITERATION) clearImmediate(this._immediate);
    this._immediate = null;
    if (this._timer !== null) clearTimeout(this._timer);
    this._timer = null;
    this._timerWhen = Infinity;
    if (this._keepalive !== null) clearInterval(this._keepalive);
    this._keepalive = null;
    for (const h of this._hooks) {
      try {
        h.stop?.();
      } catch (e) {
        if (err === undefined) err = e;
      }
    }
    const settle = this._runSettle;
    this._runSettle = null;
    settle?.(err);
  }

  /** One Node macrotask: one loop iteration, or several while the budget lasts and callbacks are ready. */
  private _iterate(): void {
    if (!this._running) return;
    this._immediate = IN_ITERATION;
    try {
      // Quietly: V8 then builds no message for the exceptions thrown and
      // caught inside, such as each CancelledError a cancellation throws
      // through a task's coroutines (native/quiet-call.cc).
      callQuietly(this._runBatch, this);
      if (this._stopping) return this._finishRun(undefined);
    } catch (e) {
      return this._finishRun(e);
    }
    if (this._heldTasks.length !== 0 && this._sweepTimer === null) this._sweepTasks();
    this._immediate = null;
    this._scheduleNext();
  }

  /** Hands the held tasks that have waited since the previous sweep to the weak registry; the next sweep comes in TASK_SWEEP_MS while some stay held. */
  private _sweepTasks(): void {
    _releaseWaitingTasks(this, false);
    if (this._heldTasks.length === 0) return;
    // Unref'd: the loop's own keepalive decides whether the process lives.
    this._sweepTimer = setTimeout(this._sweepFired, TASK_SWEEP_MS);
    this._sweepTimer.unref();
  }

  /** One iteration, then more while the iteration budget lasts and callbacks are ready, until the loop is stopping. */
  private _runBatch(): void {
    const flushQueued = _beginCoroutineBatch();
    try {
      this._runOnce();
      if (this._stopping || this._ready.length === 0 || this.iterationBudget <= 0) return;
      const deadline = performance.now() + this.iterationBudget * 1000;
      do {
        // The job goes on: what the last iteration's coroutines held need not.
        _dropStartedCoroutines();
        this._runOnce();
      } while (!this._stopping && this._ready.length > 0 && performance.now() < deadline);
    } finally {
      _endCoroutineBatch(flushQueued);
    }
  }

  /**
   * @internal The fd poller queued ready handles from libuv's check phase
   * (inside MakeCallback): the iteration that would wait for a setImmediate
   * runs now instead.
   */
  _iterateNow(): void {
    const im = this._immediate;
    if (im === IN_ITERATION || !this._running) return;
    if (im !== null) {
      clearImmediate(im);
      this._immediate = null;
    }
    this._iterate();
  }

  /** Arranges the next macrotask: at once if callbacks are ready, else a Node timer for the earliest timer. */
  private _scheduleNext(): void {
    if (this._ready.length > 0) {
      this._immediate = setImmediate(this._iterateBound);
      return;
    }
    const sched = this._scheduled;
    while (sched.length > 0 && sched.peek()!._cancelled) {
      this._timerCancelledCount--;
      sched.pop()!._scheduled = false;
    }
    if (sched.length === 0) return;
    this._armTimer(sched.peek()!._when);
  }

  /** @internal Sleeps until `when` (the virtual-time loop overrides this to jump instead). */
  protected _armTimer(when: number): void {
    if (this._timer !== null) {
      if (this._timerWhen <= when) return;
      clearTimeout(this._timer);
    }
    // Rounded up so that no timer ever fires early; a Node timer that fires a
    // little early anyway (its clock is cached per iteration) just re-arms.
    const ms = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil((when - this.time()) * 1000)));
    this._timerWhen = when;
    this._timer = setTimeout(this._timerFired, ms);
  }

  /** Python's _run_once: purge cancelled timers, move due timers to the ready queue, run what is ready now. */
  private _runOnce(): void {
    const sched = this._scheduled;
    if (sched.length > MIN_SCHEDULED_TIMER_HANDLES &&
        this._timerCancelledCount / sched.length > MIN_CANCELLED_TIMER_HANDLES_FRACTION) {
      const kept: TimerEntry[] = [];
      for (const h of sched.items) {
        if (h._cancelled) h._scheduled = false;
        else kept.push(h);
      }
      sched.items.length = 0;
      sched.items.push(...kept);
      sched.heapify();
      this._timerCancelledCount = 0;
    } else {
      while (sched.length > 0 && sched.peek()!._cancelled) {
        this._timerCancelledCount--;
        sched.pop()!._scheduled = false;
      }
    }
    if (sched.length > 0) {
      const now = this.time();
      while (sched.length > 0) {
        const h = sched.peek()!;
        if (h._when > now) break;
        sched.pop();
        h._scheduled = false;
        this._ready.push(h);
      }
    }
    const ready = this._ready;
    const ntodo = ready.length;
    if (this._debug) {
      for (let i = 0; i < ntodo; i++) {
        const h = ready.shift()!;
        if (h._cancelled) continue;
        this._currentHandle = h instanceof Handle ? h : null;
        const t0 = this.time();
        try {
          h._run();
        } finally {
          this._currentHandle = null;
        }
        const dt = this.time() - t0;
        if (dt >= this.slowCallbackDuration) logger.warning(`Executing ${formatHandle(h)} took ${dt.toFixed(3)} seconds`);
      }
    } else {
      for (let i = 0; i < ntodo; i++) {
        const h = ready.shift()!;
        if (!h._cancelled) h._run();
      }
    }
  }

  // ---- scheduling callbacks -------------------------------------------------

  /** @internal callSoon without rest-argument packing (futures and tasks use it). */
  _callSoonWith(callback: Callback, args: readonly unknown[] | null, context: Context | null): Handle {
    const h = new Handle(callback, args, this, context);
    this._ready.push(h);
    if (this._immediate === null && this._running) this._immediate = setImmediate(this._iterateBound);
    return h;
  }

  /** @internal Appends an existing entry (an fd watcher's reader or writer, a task's step) to the ready queue, as asyncio's _add_callback. */
  _addReadyHandle(h: ReadyEntry): void {
    this._ready.push(h);
    if (this._immediate === null && this._running) this._immediate = setImmediate(this._iterateBound);
  }

  /**
   * @internal Python's _check_thread, for one thread: in debug mode, scheduling
   * on this loop (other than with callSoonThreadsafe) while another loop runs is
   * the cross-loop mistake Python catches across threads; the callback would
   * wait until this loop runs.
   */
  _checkThread(): void {
    const running = _getRunningLoop();
    if (running !== null && running !== this) {
      throw new RuntimeError("Non-thread-safe operation invoked on an event loop other than the current one");
    }
  }

  override callSoon<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): Handle {
    this._checkClosed();
    if (this._debug) {
      this._checkThread();
      checkCallback(callback, "callSoon");
    }
    return this._callSoonWith(callback as Callback, args, null);
  }

  override callSoonThreadsafe<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): Handle {
    this._checkClosed();
    if (this._debug) checkCallback(callback, "callSoonThreadsafe");
    return this._callSoonWith(callback as Callback, args, null);
  }

  override callLater<A extends unknown[]>(delay: number, callback: (...args: A) => unknown, ...args: A): TimerHandle {
    if (delay === null || delay === undefined) throw new TypeError("delay must not be None");
    if (typeof delay !== "number") throw new TypeError(`delay must be a number, not ${typeof delay}`);
    if (Number.isNaN(delay)) throw new ValueError("Invalid delay: NaN (not a number)");
    return this._callAt(this.time() + delay, callback as Callback, args);
  }

  override callAt<A extends unknown[]>(when: number, callback: (...args: A) => unknown, ...args: A): TimerHandle {
    if (when === null || when === undefined) throw new TypeError("when cannot be None");
    if (typeof when !== "number") throw new TypeError(`when must be a number, not ${typeof when}`);
    if (Number.isNaN(when)) throw new ValueError("Invalid when: NaN (not a number)");
    return this._callAt(when, callback as Callback, args);
  }

  /** @internal */
  _callAt(when: number, callback: Callback, args: readonly unknown[]): TimerHandle {
    this._checkClosed();
    if (this._debug) {
      this._checkThread();
      checkCallback(callback, "callAt");
      warnLongDelay(this, when - this.time());
    }
    return this._scheduleTimer(new TimerHandle(when, this._timerSeq++, callback, args, this));
  }

  /** @internal Puts a timer entry made elsewhere (sleep()'s future, core/tasks.ts) on the timer heap. */
  _scheduleTimer<H extends TimerEntry>(h: H): H {
    h._scheduled = true;
    this._scheduled.push(h);
    if (this._running && this._immediate === null && this._scheduled.peek() === h) this._armTimer(h._when);
    return h;
  }

  /** @internal A TimerHandle was cancelled: counted, purged lazily (as asyncio does). */
  _timerHandleCancelled(h: TimerEntry): void {
    if (h._scheduled) this._timerCancelledCount++;
  }

  override time(): number {
    return performance.now() / 1000;
  }

  // ---- futures and tasks ----------------------------------------------------

  override createFuture<T = unknown>(): Future<T> {
    return new Future<T>({ loop: this });
  }

  override createTask<T>(coro: Coroutine<T>, options?: { name?: string | null; context?: Context | null }): Task<T> {
    this._checkClosed();
    const name = options?.name ?? null;
    const context = options?.context ?? null;
    if (this._taskFactory === null) return new Task(coro, { loop: this, name, context });
    const task = (context === null ? this._taskFactory(this, coro) : this._taskFactory(this, coro, { context })) as Task<T>;
    if (name !== null && typeof task.setName === "function") task.setName(name);
    return task;
  }

  override setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== "function") throw new TypeError("task factory must be a callable or None");
    this._taskFactory = factory;
  }

  override getTaskFactory(): TaskFactory | null {
    return this._taskFactory;
  }

  // ---- shutdown -------------------------------------------------------------

  /** @internal Registers an async generator to be closed by shutdownAsyncgens() (JS has no implicit hook). */
  _asyncgenFirstiter(agen: AsyncGenerator<unknown, unknown, unknown>): void {
    if (this._asyncgensShutdownCalled) {
      process.emitWarning(`asynchronous generator ${agen} was scheduled after loop.shutdown_asyncgens() call`, "ResourceWarning");
    }
    this._asyncgens.add(agen);
  }

  /** @internal */
  _asyncgenFinalizer(agen: AsyncGenerator<unknown, unknown, unknown>): void {
    this._asyncgens.delete(agen);
  }

  override shutdownAsyncgens(): AwaitableCoroutine<void> {
    return shutdownAsyncgens(this);
  }

  /** @internal Waits for promises, giving each one's error (or undefined) in order. */
  *_settleAll(promises: PromiseLike<unknown>[]): Coroutine<unknown[]> {
    const settled = Promise.all(promises.map((p) => Promise.resolve(p).then(() => undefined, (e: unknown) => e)));
    return yield* ensureFuture(settled, { loop: this });
  }

  // ---- error handling -------------------------------------------------------

  override getExceptionHandler(): ExceptionHandler | null {
    return this._exceptionHandler;
  }

  override setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(`A callable object or None is expected, got ${reprValue(handler)}`);
    }
    this._exceptionHandler = handler;
  }

  override defaultExceptionHandler(context: ExceptionContext): void {
    const message = context.message || "Unhandled exception in event loop";
    const exception = context.exception;
    const ctx: ExceptionContext = { ...context };
    if (!("source_traceback" in ctx) && this._currentHandle !== null && this._currentHandle._sourceTraceback !== null) {
      ctx.handle_traceback = this._currentHandle._sourceTraceback;
    }
    const lines = [message];
    for (const key of Object.keys(ctx).sort()) {
      if (key === "message" || key === "exception") continue;
      const value = ctx[key];
      if (key === "source_traceback") lines.push(`${key}: Object created at (most recent call last):\n${String(value).trimEnd()}`);
      else if (key === "handle_traceback") lines.push(`${key}: Handle created at (most recent call last):\n${String(value).trimEnd()}`);
      else lines.push(`${key}: ${reprValue(value)}`);
    }
    logger.error(lines.join("\n"), exception === undefined || exception === null ? undefined : exception);
  }

  override callExceptionHandler(context: ExceptionContext): void {
    if (this._exceptionHandler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (e) {
        if (e instanceof SystemExit || e instanceof KeyboardInterrupt) throw e;
        logger.error("Exception in default exception handler", e);
      }
      return;
    }
    try {
      const thing = (context.task ?? context.future ?? context.handle) as { getContext?: () => Context } | undefined;
      const ctx = typeof thing?.getContext === "function" ? thing.getContext() : null;
      if (ctx !== null && !ctx._entered) ctx.run(this._exceptionHandler, this, context);
      else this._exceptionHandler(this, context);
    } catch (exc) {
      if (exc instanceof SystemExit || exc instanceof KeyboardInterrupt) throw exc;
      try {
        this.defaultExceptionHandler({ message: "Unhandled error in exception handler", exception: exc, context });
      } catch (e) {
        if (e instanceof SystemExit || e instanceof KeyboardInterrupt) throw e;
        logger.error("Exception in default exception handler while handling an unexpected error in custom exception handler", e);
      }
    }
  }

  // ---- debug ----------------------------------------------------------------

  override getDebug(): boolean {
    return this._debug;
  }

  override setDebug(enabled: boolean): void {
    this._debug = !!enabled;
    if (this._running) this._setDebugHooks(this._debug);
  }

  /** Debug mode's process-wide hooks, on while a debug loop runs: suspension sites and coroutine origins. */
  private _setDebugHooks(on: boolean): void {
    _setSuspensionHook(on ? _recordSuspension : null);
    _setCoroutineOriginTracking(on ? captureStack : null);
  }
}

// sleep() (core/tasks.ts) makes its own light future and timer only on a loop
// whose createFuture and callLater are these: a loop that overrides either sees
// sleep call it, as asyncio's sleep calls loop.create_future and call_later.
Object.defineProperties(BaseEventLoop.prototype, {
  _baseCallLater: { value: BaseEventLoop.prototype.callLater },
  _baseCreateFuture: { value: BaseEventLoop.prototype.createFuture },
});

function noop(): void {}

const shutdownAsyncgens = awaitableCoroutine(function* shutdownAsyncgens(loop: BaseEventLoop): Coroutine<void> {
  loop._asyncgensShutdownCalled = true;
  if (loop._asyncgens.size === 0) return;
  const closing = [...loop._asyncgens];
  loop._asyncgens.clear();
  const results = yield* loop._settleAll(closing.map((ag) => ag.return(undefined)));
  results.forEach((r, i) => {
    if (r instanceof Error) {
      loop.callExceptionHandler({
        message: `an error occurred during closing of asynchronous generator ${closing[i]}`,
        exception: r,
        asyncgen: closing[i],
      });
    }
  });
});

function runUntilCompleteCb(fut: Future<unknown>): void {
  if (!fut.cancelled()) {
    const exc = fut.exception();
    // The exception propagates out of runUntilComplete; do not stop twice.
    if (exc instanceof SystemExit || exc instanceof KeyboardInterrupt) return;
  }
  (fut.getLoop() as BaseEventLoop).stop();
}

function checkCallback(callback: unknown, method: string): void {
  // As Python: a coroutine (object or function) is named as such before the callable check.
  const tag = Object.prototype.toString.call(callback);
  if (tag === "[object GeneratorFunction]" || tag === "[object Generator]") {
    throw new TypeError(`coroutines cannot be used with ${method}()`);
  }
  if (typeof callback !== "function") throw new TypeError(`a callable object was expected by ${method}(), got ${reprValue(callback)}`);
}

/** A handle's description for slow-callback warnings: the task it steps, else the callback. */
export function formatHandle(h: ReadyEntry): string {
  if (!(h instanceof Handle)) return String(h);
  return String(_taskOfHandle(h) ?? h);
}


