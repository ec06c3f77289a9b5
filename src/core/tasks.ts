import { copyContext, runInContext, runWithArg, type Context } from "../stdlib/contextvars.js";
import {
  cancelledError, CancelledError, InvalidStateError, RuntimeError, StopAsyncIteration, TimeoutError, ValueError, KeyboardInterrupt, SystemExit,
} from "../stdlib/exceptions.js";
import {
  Handle, _getRunningLoop, captureStack, getEventLoop, getRunningLoop, reprValue,
  type AbstractEventLoop, type HandleOwner, type ReadyEntry, type TimerEntry,
} from "./events.js";
import {
  Future, isfuture, setResultUnlessCancelled, wrapFuture, _suspendOn, type Awaitable, type DoneCallback, type Waker,
} from "./futures.js";
import { iscoroutinefunction,
  awaitableCoroutine, iscoroutine, isGeneratorObject, _setEnsureFuture, _watchLazyCoroutine, _lazyCoroutineResumed, _lazyCoroutineStarted, LAZY_CREATED, LAZY_UNAWAITED, GeneratorPrototype,
  type AwaitableCoroutine, type Coroutine,
} from "./coroutines.js";

// tasks.py: the Task that drives a generator coroutine step by step (docs/architecture.md),
// and the module-level task API.

/** Future._state while pending (core/futures.ts). */
const PENDING = 0;
/** Task._registered: in no registry (done, or not constructed yet). */
const NOT_REGISTERED = 0;
/** Task._registered: in its loop's _heldTasks. */
const HELD = 1;
/** Task._registered: in its loop's _heldTasks, and found waiting on a future by the last sweep. */
const HELD_WAITING = 2;
/** Task._registered: in waitingTasks and the destroyed-pending finalizer. */
const WEAK = 3;

let taskCounter = 0;

/** Options of `new Task(...)` and the task factories. */
export interface TaskOptions {
  loop?: AbstractEventLoop | null;
  name?: string | null;
  context?: Context | null;
  /** Run the first step synchronously when the loop is running (Python 3.12's eager tasks). */
  eagerStart?: boolean;
}

// How allTasks() and the "Task was destroyed but it is pending!" report find
// pending tasks (Python's _scheduled_tasks WeakSet and Task.__del__). A new
// task goes into its loop's `_heldTasks` array, a strong reference and no
// allocation per task (the task keeps its index, so leaving is a swap with
// the last entry: a Set's delete cost ~0.5 µs per task among 100k). Only a
// task waiting on a future can become garbage (one in the ready queue is
// reachable from it), and only then does it need a WeakRef (a PendingRef,
// which also carries what the report says) and a FinalizationRegistry entry,
// which cost some 2 µs per task (docs/BENCHMARKS.md, "Task life cycle").
// Most waits are short, so the loop pays that only for a task still waiting
// after two sweeps (_releaseWaitingTasks: about one a second while the loop
// runs, and all at once when it stops, so that a task forgotten while the
// loop is stopped is collected and reported as before). Finishing removes a task from whichever registry holds it, so a
// finished task leaves nothing behind (test/conformance/gc-warnings.test.ts).

/**
 * The weak reference to a pending task that has waited a while, with what is
 * kept to report "Task was destroyed but it is pending!": the finalizer's held
 * value and unregister token, and the entry allTasks() reads.
 */
class PendingRef extends WeakRef<Task<unknown>> {
  loop: AbstractEventLoop;
  /** The task's name, kept current by setName() (the finalizer cannot read the collected task). */
  name: string;
  sourceTraceback: string | null;
  /** Python's `_log_destroy_pending`. */
  log: boolean;

  constructor(task: Task<unknown>) {
    super(task);
    this.loop = task._loop;
    this.name = task.getName();
    this.sourceTraceback = task._sourceTraceback;
    this.log = task._logDestroy;
  }
}

const destroyedPending = new FinalizationRegistry<PendingRef>((s) => {
  if (!s.log || s.loop.isClosed()) return;
  const ctx: Record<string, unknown> = {
    message: "Task was destroyed but it is pending!", task_repr: `<Task pending name='${s.name}'>`,
  };
  if (s.sourceTraceback !== null) ctx.source_traceback = s.sourceTraceback;
  s.loop.callExceptionHandler(ctx as { message: string });
});

/** Weak references to the pending tasks that have waited on a future, for allTasks(). */
const waitingTasks = new Set<PendingRef>();
/** Where each task last suspended, in debug mode (Task.getStack()); a side table, so a task has no field for it. */
const suspensionSites = new WeakMap<Task<unknown>, string>();
/** Eager tasks whose first step is running right now (Python's _eager_tasks). */
const eagerTasks = new Set<Task<unknown>>();

/** A Future that runs a coroutine (asyncio.Task). */
export class Task<T = unknown> extends Future<T> implements ReadyEntry, Waker {
  /** @internal */ _coro: Coroutine<T> | null;
  /** @internal */ _context: Context;
  /** @internal The name given, or the number N of `Task-N`, formatted on demand by getName(). */
  _name: string | number;
  /** @internal */ _mustCancel = false;
  /** @internal */ _futWaiter: Future<unknown> | null = null;
  /** @internal */ _numCancelsRequested = 0;
  /** @internal Which registry holds the task: NOT_REGISTERED, HELD, HELD_WAITING or WEAK. */
  _registered = NOT_REGISTERED;
  /** @internal The task's index in its loop's _heldTasks while HELD or HELD_WAITING. */
  _heldAt = -1;
  /** @internal The weak registry's entry, once the task waited long on a future (WEAK; null on the prototype). */
  declare _weak: PendingRef | null;
  /** @internal Python's `_log_destroy_pending`, copied into the finalizer's state (true on the prototype). */
  declare _logDestroy: boolean;
  /** @internal Where the coroutine last suspended (debug mode). */
  get _suspendedAt(): string | null {
    return suspensionSites.get(this as Task<unknown>) ?? null;
  }
  /** @internal `[this]`, made on first use by the Handles that pass the task (debug mode; null on the prototype). */
  declare _argList: [Task<unknown>] | null;
  /** @internal ReadyEntry: a task in the ready queue is never skipped (on the prototype: no field per task). */
  declare _cancelled: boolean;
  /** @internal How a future's repr names the task among its done callbacks (on the prototype). */
  declare _callbackName: string;
  /** @internal Python's `_log_destroy_pending`, kept in the state the finalizer sees. */
  get _logDestroyPending(): boolean {
    return this._logDestroy;
  }
  /** @internal */
  set _logDestroyPending(value: boolean) {
    this._logDestroy = value;
    if (this._weak !== null) this._weak.log = value;
  }

  constructor(coro: Coroutine<T>, options?: TaskOptions) {
    super({ loop: options?.loop ?? null });
    if (!iscoroutine(coro)) {
      this._logDestroy = false;
      throw new TypeError(`a coroutine was expected, got ${describeNotAwaitable(coro)}`);
    }
    this._coro = coro;
    const name = options?.name;
    this._name = name != null ? String(name) : ++taskCounter;
    this._context = options?.context ?? copyContext();
    const loop = this._loop as AbstractEventLoop & FastLoop;
    this._heldAt = loop._heldTasks.push(this as Task<unknown>) - 1;
    this._registered = HELD;
    if (options?.eagerStart && loop.isRunning()) eagerStart(this as Task<unknown>);
    else scheduleResume(this as Task<unknown>);
  }

  /**
   * @internal ReadyEntry: the loop runs the task's next step (or its wakeup by
   * the future it waited on) straight from the ready queue, in the task's
   * context, as a Handle would; a failure is reported as a Handle's is.
   */
  _run(): void {
    try {
      runWithArg(this._context, resumeTask, this as Task<unknown>);
    } catch (exc) {
      new Handle(resumeTask, [this], this._loop as AbstractEventLoop & HandleOwner, this._context)._reportError(exc);
    }
  }

  /** @internal The one `[this]` list serves every Handle that passes the task (handles never change their arguments). */
  override _selfArgs(): readonly unknown[] {
    return this._argList ??= [this as Task<unknown>];
  }

  /** @internal Waker: the future this task waits on is done. */
  _wake(_fut: Future<unknown>): void {
    scheduleResume(this as Task<unknown>);
  }

  /** Task does not support setResult() (RuntimeError, as Python). */
  override setResult(_result: T): void {
    throw new RuntimeError("Task does not support set_result() operation");
  }

  /** Task does not support setException() (RuntimeError, as Python). */
  override setException(_exception: unknown): void {
    throw new RuntimeError("Task does not support set_exception() operation");
  }

  /** The task's name. */
  getName(): string {
    const name = this._name;
    return typeof name === "string" ? name : (this._name = `Task-${name}`);
  }

  /** Renames the task. */
  setName(value: unknown): void {
    this._name = String(value);
    if (this._weak !== null) this._weak.name = this._name;
  }

  /** The coroutine the task wraps (null once an eager task finished in its first step). */
  getCoro(): Coroutine<T> | null {
    return this._coro;
  }

  /** The Context the task's steps run in. */
  getContext(): Context {
    return this._context;
  }

  /** @internal */ override _reportContext(): Context | null {
    return this._context;
  }

  /**
   * Frames of the task, newest first: called from inside the running task,
   * its live frames; when suspended, where its coroutine is suspended
   * (recorded in debug mode); when done with an exception, that exception's
   * stack. JavaScript cannot inspect a suspended generator, so outside debug
   * mode a suspended task reports its creation site when known, else nothing.
   */
  getStack(options?: { limit?: number | null }): string[] {
    let text: string | null = null;
    if (this.done()) {
      if (!this.cancelled() && this._exception instanceof Error) text = this._exception.stack ?? null;
    } else if ((this._loop as AbstractEventLoop & Partial<FastLoop>)._currentTask === this) {
      // Called from inside the running task: its live frames, down to where the loop stepped it.
      text = liveTaskStack();
    } else {
      text = this._suspendedAt ?? this._sourceTraceback;
    }
    if (text === null) return [];
    let frames = text.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("at "));
    const limit = options?.limit;
    if (limit != null) frames = limit >= 0 ? frames.slice(0, limit) : frames.slice(limit);
    return frames;
  }

  /** Prints the stack (or the traceback of the exception) to `file` (default stderr). */
  printStack(options?: { limit?: number | null; file?: { write(s: string): unknown } }): void {
    const out = options?.file ?? process.stderr;
    const frames = this.getStack(options);
    if (frames.length === 0) out.write(`No stack for ${this}\n`);
    else if (this.done() && this._exception !== undefined) out.write(`Traceback for ${this} (most recent call last):\n`);
    else out.write(`Stack for ${this} (most recent call last):\n`);
    for (const f of [...frames].reverse()) out.write(`  ${f}\n`);
    if (this.done() && this._exception instanceof Error) out.write(`${this._exception.name}: ${this._exception.message}\n`);
  }

  /** Requests cancellation: CancelledError is thrown into the coroutine at its next step. */
  override cancel(msg?: string | null): boolean {
    this._markRetrieved();
    if (this.done()) return false;
    this._numCancelsRequested += 1;
    // The waiter is kept: it may be a task that swallows the cancellation and must be cancelled again.
    if (this._futWaiter !== null && this._futWaiter.cancel(msg)) return true;
    this._mustCancel = true;
    this._cancelMessage = msg ?? null;
    return true;
  }

  /** The number of pending cancellation requests. */
  cancelling(): number {
    return this._numCancelsRequested;
  }

  /** Decrements the cancellation requests; returns the remaining count. */
  uncancel(): number {
    if (this._numCancelsRequested > 0) {
      this._numCancelsRequested -= 1;
      // No request left: a cancellation not delivered yet is withdrawn too (3.13, gh-116720; TaskGroup relies on it).
      if (this._numCancelsRequested === 0) this._mustCancel = false;
    }
    return this._numCancelsRequested;
  }

  /** @internal */
  override _reprInfo(): string[] {
    const info = super._reprInfo();
    // As base_tasks._task_repr_info: "cancelling" while a request is pending, whether or not it reached a waiter.
    if (this._numCancelsRequested > 0 && !this.done()) info[0] = "cancelling";
    info.splice(1, 0, `name='${this.getName()}'`);
    if (this._futWaiter !== null) info.splice(2, 0, `wait_for=${this._futWaiter}`);
    if (this._coro !== null) info.splice(2, 0, `coro=<${coroName(this._coro)}()>`);
    return info;
  }
}

/** The stack of the running task's coroutines: the caller's frames above the step that resumed them. */
function liveTaskStack(): string {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = saved;
  const out: string[] = [];
  let started = false;
  for (const line of stack.split("\n").slice(1)) {
    const t = line.trim();
    if (/^at stepRunAndHandleResult\b/.test(t)) break;
    if (!started && /^at (?:\S+\.)?(?:liveTaskStack|getStack|printStack) /.test(t)) continue;
    started = true;
    // The generators' own resumption frames (`foo.next (<anonymous>)`) say nothing more.
    if (/^at \S+\.next \(<anonymous>\)$/.test(t)) continue;
    out.push(line);
  }
  return out.join("\n");
}

function coroName(coro: Coroutine<unknown>): string {
  const proto = Object.getPrototypeOf(coro) as { constructor?: unknown } | null;
  // A generator object's prototype is its function's `prototype`; find the function via a registry-free path.
  const fnName = (coro as { __name__?: string }).__name__ ?? generatorNames.get(proto as object);
  return fnName ?? "coroutine";
}

const generatorNames = new WeakMap<object, string>();

/** @internal Records a generator function's name so task reprs can show `coro=<name()>`. */
export function nameCoroutineFunction(fn: (...a: never[]) => Coroutine<unknown>): void {
  if (fn.prototype) generatorNames.set(fn.prototype as object, fn.name);
}

Object.defineProperties(Task.prototype, {
  _argList: { value: null, writable: true },
  _weak: { value: null, writable: true },
  _logDestroy: { value: true, writable: true },
  _cancelled: { value: false, writable: false },
  _callbackName: { value: "Task.task_wakeup", writable: false },
});

interface FastLoop extends HandleOwner {
  _callSoonWith(callback: (...a: never[]) => unknown, args: readonly unknown[] | null, context: Context | null): unknown;
  _scheduleTimer<H extends TimerEntry>(h: H): H;
  _baseCallLater: unknown;
  _baseCreateFuture: unknown;
  _timerSeq: number;
  _addReadyHandle(entry: ReadyEntry): void;
  _currentTask: Task<unknown> | null;
  _heldTasks: Task<unknown>[];
  _debug: boolean;
}

/**
 * Queues the task's next step: the task itself is the ready-queue entry (no
 * Handle and argument list per step or wakeup). In debug mode a Handle is
 * made as asyncio does, for its creation site and the slow-callback report.
 */
function scheduleResume(task: Task<unknown>): void {
  const loop = task._loop as AbstractEventLoop & FastLoop;
  if (loop._debug) loop._callSoonWith(resumeTask, [task], task._context);
  else loop._addReadyHandle(task);
}

/** Python's Task.__step when nothing woke the task, Task.__wakeup(future) when the future it waited on did. */
function resumeTask(task: Task<unknown>): void {
  const fut = task._futWaiter;
  if (fut === null) taskStep(task, undefined);
  else taskWakeup(task, fut);
}
Object.defineProperty(resumeTask, "__qualname__", { value: "Task.__step" });

/** @internal The task a Handle steps or wakes (its description in slow-callback reports), or null. */
export function _taskOfHandle(h: Handle): Task<unknown> | null {
  const cb = h._callback as { __self__?: unknown } | null;
  if (cb !== null && cb.__self__ instanceof Task) return cb.__self__ as Task<unknown>;
  const first = h._args?.[0];
  return (cb === resumeTask || cb === taskStep) && first instanceof Task ? first : null;
}

function scheduleStep(task: Task<unknown>, exc: unknown): void {
  if (exc === undefined) scheduleResume(task);
  else (task._loop as AbstractEventLoop & FastLoop)._callSoonWith(taskStep, [task, exc], task._context);
}

/** The done callback of a task waiting on a future that overrides addDoneCallback (Python's bound Task.__wakeup). */
function makeWakeup(task: Task<unknown>): (fut: Future<unknown>) => void {
  const wakeup = (fut: Future<unknown>): void => taskWakeup(task, fut);
  (wakeup as { __self__?: unknown }).__self__ = task;
  return wakeup;
}

const futureAddDoneCallback = Future.prototype.addDoneCallback;

/** The task has waited on a future for a while: from now on only a weak reference keeps track of it. */
function registerWaiting(task: Task<unknown>): void {
  releaseHeld(task);
  const ref = new PendingRef(task);
  task._weak = ref;
  waitingTasks.add(ref);
  destroyedPending.register(task, ref, ref);
  task._registered = WEAK;
}

/**
 * @internal Moves the tasks of `loop` that wait on a future from its
 * _heldTasks to the weak registry: those found waiting by the previous sweep too, or
 * every waiting one when `all` (the loop stops running).
 */
export function _releaseWaitingTasks(loop: AbstractEventLoop, all: boolean): void {
  const held = (loop as AbstractEventLoop & FastLoop)._heldTasks;
  // Downwards: releaseHeld() moves the last entry, already visited, into the freed slot.
  for (let i = held.length - 1; i >= 0; i--) {
    const task = held[i]!;
    if (task._futWaiter === null) task._registered = HELD;
    else if (all || task._registered === HELD_WAITING) registerWaiting(task);
    else task._registered = HELD_WAITING;
  }
}

/** Takes the task out of its loop's _heldTasks (a swap with the last entry). */
function releaseHeld(task: Task<unknown>): void {
  const held = (task._loop as AbstractEventLoop & FastLoop)._heldTasks;
  const i = task._heldAt;
  task._heldAt = -1;
  // Not there any more when the loop was closed (close() empties the array).
  if (held[i] !== task) return;
  const last = held.pop()!;
  if (last !== task) {
    held[i] = last;
    last._heldAt = i;
  }
}

function unregisterTask(task: Task<unknown>): void {
  if (task._registered === HELD || task._registered === HELD_WAITING) {
    releaseHeld(task);
  } else if (task._registered === WEAK) {
    waitingTasks.delete(task._weak!);
    destroyedPending.unregister(task._weak!);
    task._weak = null;
  }
  task._registered = NOT_REGISTERED;
}

function enterTask(loop: FastLoop, task: Task<unknown>): void {
  const cur = loop._currentTask;
  if (cur !== null) {
    throw new RuntimeError(`Cannot enter into task ${task} while another task ${cur} is being executed.`);
  }
  loop._currentTask = task;
}

function leaveTask(loop: FastLoop, task: Task<unknown>): void {
  const cur = loop._currentTask;
  if (cur !== task) {
    throw new RuntimeError(`Leaving task ${task} does not match the current task ${cur}.`);
  }
  loop._currentTask = null;
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new () => unknown;

/**
 * @internal What `obj` is, for the error of an API that wanted a coroutine or
 * an awaitable: the repr, and the fix for the mistakes a JavaScript user
 * makes (a generator function not called, a Promise, an array for gather).
 */
export function describeNotAwaitable(obj: unknown): string {
  if (iscoroutinefunction(obj)) {
    const name = obj.name || "main";
    return `the generator function ${name}; did you mean ${name}()?`;
  }
  if (obj instanceof AsyncFunction) {
    const name = (obj as { name: string }).name || "fn";
    return `the async function ${name}; an async function's promise is awaited with yield* wrapFuture(${name}())`;
  }
  if (obj !== null && typeof obj === "object" && typeof (obj as PromiseLike<unknown>).then === "function" && !iscoroutine(obj)) {
    return `a Promise (${reprValue(obj)}); a Promise is not a coroutine: use ensureFuture(promise) for a Future, or yield* wrapFuture(promise) inside a coroutine`;
  }
  if (Array.isArray(obj)) {
    return `an array; pass the awaitables as separate arguments: gather(...array)`;
  }
  return reprValue(obj);
}

/** The hint added to the TypeError a task step raises for `yield*` of something not iterable. */
const NOT_ITERABLE_HINT =
  " (in a coroutine, yield* takes a Future, a Task or a coroutine: a Promise, such as an async function's result, " +
  "is awaited with yield* wrapFuture(promise))";

/** Adds NOT_ITERABLE_HINT to a TypeError "... is not iterable", the mark of `yield* promise`, message and stack alike. */
function explainNotIterable(e: unknown): void {
  if (!(e instanceof TypeError) || !/is not iterable/.test(e.message) || e.message.endsWith(NOT_ITERABLE_HINT)) return;
  const head = `${e.name}: ${e.message}`;
  e.message += NOT_ITERABLE_HINT;
  if (typeof e.stack === "string" && e.stack.startsWith(head)) e.stack = `${e.name}: ${e.message}${e.stack.slice(head.length)}`;
}

/** Python's Task.__step. */
function taskStep(task: Task<unknown>, exc: unknown): void {
  if (task._state !== PENDING) throw new InvalidStateError(`_step(): already done: ${task}, ${reprValue(exc)}`);
  if (task._mustCancel) {
    if (!(exc instanceof CancelledError)) exc = task._makeCancelledError();
    task._mustCancel = false;
  }
  task._futWaiter = null;
  const loop = task._loop as AbstractEventLoop & FastLoop;
  enterTask(loop, task);
  try {
    stepRunAndHandleResult(task, exc);
  } finally {
    leaveTask(loop, task);
  }
}

const futureSetResult = Future.prototype.setResult;
const futureSetException = Future.prototype.setException;
const futureCancel = Future.prototype.cancel;

/**
 * Python's Task.__step_run_and_handle_result. The usual step (the coroutine
 * yields a future of the task's loop to wait on) is all that is written here;
 * the rest is in the functions after it, so that this one is small enough for
 * V8 to inline into the task's step.
 */
function stepRunAndHandleResult(task: Task<unknown>, exc: unknown): void {
  const coro = task._coro!;
  let r: IteratorResult<unknown, unknown>;
  try {
    r = exc === undefined ? coro.next(undefined) : coro.throw(exc);
  } catch (e) {
    stepRaised(task, e);
    return;
  }
  if (r.done) return stepReturned(task, r.value);
  const result = r.value as Future<unknown> | undefined;
  if (result !== undefined && result !== null && typeof result === "object" &&
      typeof (result as Future<unknown>)._asyncio_future_blocking === "boolean") {
    const sameLoop = result.getLoop() === task._loop;
    const blocking = sameLoop && result._asyncio_future_blocking;
    if (blocking && result !== task) {
      result._asyncio_future_blocking = false;
      if (result.addDoneCallback === futureAddDoneCallback) result._addWaker(task);
      else result.addDoneCallback(makeWakeup(task) as DoneCallback<Future<unknown>>, { context: task._context });
      task._futWaiter = result;
      if (task._mustCancel && result.cancel(task._cancelMessage)) task._mustCancel = false;
    } else {
      stepYieldedBadFuture(task, result, sameLoop, blocking);
    }
  } else if (result === undefined) {
    // A bare `yield` (sleep(0)): run the next step on the next iteration.
    scheduleStep(task, undefined);
  } else {
    stepYieldedNotFuture(task, result);
  }
}

/** The coroutine raised: the task ends with its exception (cancelled by a CancelledError). */
function stepRaised(task: Task<unknown>, e: unknown): void {
  unregisterTask(task);
  if (e instanceof CancelledError) {
    task._cancelledExc = e;
    futureCancel.call(task);
  } else if (e instanceof KeyboardInterrupt || e instanceof SystemExit) {
    futureSetException.call(task, e);
    throw e;
  } else {
    explainNotIterable(e);
    futureSetException.call(task, e === undefined ? new RuntimeError("coroutine threw undefined") : e);
  }
}

/** The coroutine returned: the task ends with its value (or cancelled, if that was asked meanwhile). */
function stepReturned(task: Task<unknown>, value: unknown): void {
  unregisterTask(task);
  if (task._mustCancel) {
    task._mustCancel = false;
    futureCancel.call(task, task._cancelMessage);
  } else {
    futureSetResult.call(task, value);
  }
}

/** The coroutine yielded a future it cannot wait on: of another loop, itself, or not through `yield*`. */
function stepYieldedBadFuture(task: Task<unknown>, result: Future<unknown>, sameLoop: boolean, blocking: boolean): void {
  if (!sameLoop) {
    scheduleStep(task, new RuntimeError(`Task ${task} got Future ${result} attached to a different loop`));
  } else if (blocking) {
    scheduleStep(task, new RuntimeError(`Task cannot await on itself: ${task}`));
  } else {
    scheduleStep(task, new RuntimeError(`yield was used instead of yield* in task ${task} with ${result}`));
  }
}

/** The coroutine yielded something other than a future or nothing. */
function stepYieldedNotFuture(task: Task<unknown>, result: unknown): void {
  if (isGeneratorObject(result)) {
    scheduleStep(task, new RuntimeError(`yield was used instead of yield* for generator in task ${task} with ${reprValue(result)}`));
  } else {
    scheduleStep(task, new RuntimeError(`Task got bad yield: ${describeNotAwaitable(result)}`));
  }
}

const futureResult = Future.prototype.result;

/** Python's Task.__wakeup. */
function taskWakeup(task: Task<unknown>, fut: Future<unknown>): void {
  if (fut.result === futureResult && fut.done()) {
    // Future's own result(), read without the throw and catch it would take
    // (as the C Task reads a Future's state): a cancelled or failed future's
    // exception goes straight into the task's step.
    if (fut.cancelled()) return taskStep(task, fut._makeCancelledError());
    const exc = fut._exception;
    if (exc !== undefined) {
      fut._markRetrieved();
      return taskStep(task, exc);
    }
    return taskStep(task, undefined);
  }
  try {
    fut.result();
  } catch (e) {
    taskStep(task, e);
    return;
  }
  taskStep(task, undefined);
}

/** Python's Task.__eager_start. */
function eagerStart(task: Task<unknown>): void {
  const loop = task._loop as AbstractEventLoop & FastLoop;
  const prev = loop._currentTask;
  loop._currentTask = task;
  try {
    eagerTasks.add(task);
    try {
      runInContext(task._context, task._context._vars, stepRunAndHandleResult as (...a: never[]) => unknown, [task, undefined]);
    } catch (e) {
      // The step could not run (its context was already entered): nothing will ever step the task.
      if (!task.done()) unregisterTask(task);
      throw e;
    } finally {
      eagerTasks.delete(task);
    }
  } finally {
    loop._currentTask = prev;
  }
  if (task.done()) task._coro = null;
}

/** The task running right now on `loop` (default: the running loop), or null. */
export function currentTask(loop?: AbstractEventLoop | null): Task<unknown> | null {
  const l = (loop ?? getRunningLoop()) as AbstractEventLoop & Partial<FastLoop>;
  return l._currentTask ?? null;
}

/** The set of tasks of `loop` (default: the running loop) that are not done. */
export function allTasks(loop?: AbstractEventLoop | null): Set<Task<unknown>> {
  const l = loop ?? getRunningLoop();
  const out = new Set<Task<unknown>>();
  const held = (l as AbstractEventLoop & Partial<FastLoop>)._heldTasks;
  if (held !== undefined) for (const t of held) if (!t.done()) out.add(t);
  for (const ref of waitingTasks) {
    const t = ref.deref();
    if (t === undefined) waitingTasks.delete(ref);
    else if (t._loop === l && !t.done()) out.add(t);
  }
  for (const t of eagerTasks) if (t._loop === l && !t.done()) out.add(t);
  return out;
}

/** Wraps `coro` in a Task on the running loop (RuntimeError when none runs). */
export function createTask<T>(coro: Coroutine<T>, options?: { name?: string | null; context?: Context | null }): Task<T> {
  // As Python 3.12: the task is created unnamed (taking a Task-N number) and named afterwards.
  const context = options?.context ?? null;
  const task = getRunningLoop().createTask(coro, context === null ? undefined : { context });
  const name = options?.name ?? null;
  if (name !== null && typeof task.setName === "function") task.setName(name);
  return task;
}

/**
 * Turns an awaitable into a Future: a Future is returned as is, a coroutine is
 * wrapped in a Task, a promise in a Future (wrapFuture).
 */
export function ensureFuture<T>(obj: Awaitable<T>, options?: { loop?: AbstractEventLoop | null }): Future<T> {
  const loop = options?.loop ?? null;
  if (isfuture(obj)) {
    if (loop !== null && loop !== obj.getLoop()) {
      throw new ValueError("The future belongs to a different loop than the one specified as the loop argument");
    }
    return obj as Future<T>;
  }
  if (iscoroutine(obj)) {
    const l = loop ?? _getRunningLoop() ?? getEventLoop();
    try {
      return l.createTask(obj as Coroutine<T>);
    } catch (e) {
      if (e instanceof RuntimeError) (obj as Coroutine<T>).return(undefined as T);
      throw e;
    }
  }
  if (obj !== null && typeof obj === "object" && typeof (obj as PromiseLike<T>).then === "function") {
    return wrapFuture(obj as PromiseLike<T>, { loop });
  }
  throw new TypeError(`An asyncio.Future, a coroutine or an awaitable is required, got ${describeNotAwaitable(obj)}`);
}

_setEnsureFuture(<T>(coro: Coroutine<T>) => ensureFuture(coro));

/** The task factory that starts tasks eagerly (Python 3.12's eager_task_factory). */
export function eagerTaskFactory<T>(loop: AbstractEventLoop, coro: Coroutine<T>, options?: { name?: string | null; context?: Context | null }): Task<T> {
  return new Task(coro, { loop, name: options?.name ?? null, context: options?.context ?? null, eagerStart: true });
}

/** A factory that creates eager tasks of a custom Task class. */
export function createEagerTaskFactory<C extends new (coro: Coroutine<unknown>, options?: TaskOptions) => Task<unknown>>(taskConstructor: C) {
  return <T>(loop: AbstractEventLoop, coro: Coroutine<T>, options?: { name?: string | null; context?: Context | null }): Task<T> =>
    new taskConstructor(coro as Coroutine<unknown>, { loop, name: options?.name ?? null, context: options?.context ?? null, eagerStart: true }) as Task<T>;
}

/** Suspends the calling coroutine for `delay` seconds, then returns `result`; `sleep(0)` yields exactly once. */
export function sleep<T = undefined>(delay: number, result?: T): AwaitableCoroutine<T> {
  return new SleepCoroutine(delay, result as T) as unknown as AwaitableCoroutine<T>;
}
Object.defineProperty(sleep, "_isCoroutine", { value: true });

/**
 * Python's sleep through createFuture and callLater: SleepCoroutine runs it in
 * debug mode (their checks), for a delay that is not a number (callLater's
 * TypeError) and on a loop that overrides either (core/base-events.ts).
 */
function* sleepThroughLoop<T>(loop: AbstractEventLoop, delay: number, result: T): Coroutine<T> {
  const future = loop.createFuture<T>();
  const h = loop.callLater(delay, setResultUnlessCancelled, future, result);
  try {
    return yield* future;
  } finally {
    h.cancel();
  }
}

/**
 * @internal What a LazyCoroutine's step returns when it finishes without a
 * value, or yields nothing (a bare yield): one frozen object for every such
 * step rather than a new one (drain() ends so on every call). Whoever
 * resumes a coroutine reads `done` and `value` at once and keeps neither.
 */
export const LAZY_DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
/** A bare yield's step result (sleep(0)); see LAZY_DONE. */
const LAZY_YIELD: IteratorYieldResult<undefined> = Object.freeze({ done: false, value: undefined });

/** LazyCoroutine._state: made, not resumed yet (LAZY_UNAWAITED too, once its job ended: core/coroutines.ts). */
const CO_CREATED = LAZY_CREATED;
/** Suspended on the future in _inner, or (null) on a bare yield. */
const CO_WAITING = 1;
/** Running the generator in _inner, which it forwards to. */
const CO_DELEGATING = 2;
const CO_DONE = 3;

/**
 * @internal A coroutine of tsyncio's API written as an object rather than a
 * generator function, for the hot awaits (sleep(), StreamReader.read(),
 * StreamWriter.drain()). Whatever does not wait costs no generator at all,
 * and cancelling a waiting task throws CancelledError through no coroutine
 * frame of it (V8's search for a handler costs per frame: docs/BENCHMARKS.md,
 * "Task life cycle"): its throw() rethrows at once, as a Future's own
 * iterator does. It is still a coroutine everywhere one is looked at: lazy
 * (nothing runs until it is first resumed), a generator to
 * isGeneratorObject(), named in task reprs by its prototype's `__name__`,
 * awaitable from async functions, and reported when collected without ever
 * being awaited. A coroutine class does not `extend` it (a derived class's
 * construction is not inlined where the hot awaits make them, and went
 * through V8's generic construct stubs twice: ~120 instructions per
 * coroutine): it declares itself a LazyCoroutine through an interface,
 * calls _lazyCoroutineMade(this) last in its constructor, and is given the
 * methods by _lazyCoroutineClass(). It writes the body's first run (_start)
 * and what follows the wait (_finish); anything rarer it hands to a
 * generator (_delegate).
 */
export abstract class LazyCoroutine<T> {
  /** @internal CO_CREATED, CO_WAITING, CO_DELEGATING or CO_DONE. */
  declare _state: number;
  /** @internal The Future waited on, or the generator delegated to. */
  declare _inner: Future<unknown> | Coroutine<T> | null;

  /** @internal The body up to its first wait: returns with _wait() or _delegate(), or finishes. */
  abstract _start(): IteratorResult<unknown, T>;

  /** @internal The body after the wait: `fut` is done (null after a bare yield). */
  abstract _finish(fut: Future<unknown> | null): IteratorResult<unknown, T>;

  /** Resumes the coroutine, as a generator's next(). */
  next(_value?: unknown): IteratorResult<unknown, T> {
    switch (this._state) {
      case CO_CREATED:
        _lazyCoroutineResumed();
        // Done unless _start() waits: an exception leaves it finished, as it leaves a generator.
        this._state = CO_DONE;
        return this._start();
      case CO_WAITING: {
        const fut = this._inner as Future<unknown> | null;
        this._state = CO_DONE;
        this._inner = null;
        // Resumed while its future is pending: what `yield* fut` raises.
        if (fut !== null && fut._state === PENDING) throw new RuntimeError("await wasn't used with future");
        return this._finish(fut);
      }
      case CO_DELEGATING:
        return this._forward((this._inner as Coroutine<T>).next());
      case LAZY_UNAWAITED:
        _lazyCoroutineStarted(this);
        this._state = CO_DONE;
        return this._start();
      default:
        return LAZY_DONE as IteratorResult<unknown, T>;
    }
  }

  /** Throws into the coroutine, as a generator's throw(). */
  throw(exc?: unknown): IteratorResult<unknown, T> {
    if (this._state === CO_DELEGATING) return this._forward((this._inner as Coroutine<T>).throw(exc));
    // Not started, suspended or finished: the exception comes straight out (a
    // future it waited on is left to complete into nothing).
    this._end();
    throw exc;
  }

  /** Closes the coroutine, as a generator's return(). */
  return(value?: T): IteratorResult<unknown, T> {
    if (this._state === CO_DELEGATING) return this._forward((this._inner as Coroutine<T>).return(value as T));
    this._end();
    return { done: true, value: value as T };
  }

  /** @internal Finishes it without running more of its body (throw() or return() while not delegating); it counts as started. */
  _end(): void {
    if (this._state === CO_CREATED) _lazyCoroutineResumed();
    else if (this._state === LAZY_UNAWAITED) _lazyCoroutineStarted(this);
    this._state = CO_DONE;
    this._inner = null;
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** `await coro` from an async function: runs it as a Task on the running loop. */
  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return ensureFuture(this as unknown as Coroutine<T>).then(onfulfilled, onrejected);
  }

  /** @internal Suspends on `fut` (null: a bare yield, the next step on the next loop iteration), as `yield* fut` does. */
  _wait(fut: Future<unknown> | null): IteratorResult<unknown, T> {
    this._inner = fut;
    this._state = CO_WAITING;
    if (fut === null) return LAZY_YIELD;
    _suspendOn(fut);
    return { done: false, value: fut };
  }

  /** @internal Runs the rest of the body as the generator `gen`, as `return yield* gen` does. */
  _delegate(gen: Coroutine<T>): IteratorResult<unknown, T> {
    this._inner = gen;
    this._state = CO_DELEGATING;
    return this._forward(gen.next());
  }

  /** @internal A step of the generator delegated to, passed on. */
  _forward(r: IteratorResult<unknown, T>): IteratorResult<unknown, T> {
    if (r.done) {
      this._state = CO_DONE;
      this._inner = null;
    }
    return r;
  }
}
// A generator to the checks that tell a coroutine object from a plain iterator.
Object.setPrototypeOf(LazyCoroutine.prototype, GeneratorPrototype);

/**
 * @internal Ends a LazyCoroutine's constructor: not started yet, and watched
 * for "never awaited"; `skip` frames (the constructor, its factory) are left
 * out of its creation site in debug mode when they are outside the core.
 */
export function _lazyCoroutineMade(coro: LazyCoroutine<unknown>, skip: number): void {
  coro._state = CO_CREATED;
  coro._inner = null;
  _watchLazyCoroutine(coro, skip);
}

/**
 * @internal Makes `cls` a LazyCoroutine class named `name`, as a generator
 * function's coroutines are named: `coro=<name()>` in task reprs.
 */
export function _lazyCoroutineClass(cls: new (...a: never[]) => LazyCoroutine<unknown>, name: string): void {
  Object.setPrototypeOf(cls.prototype, LazyCoroutine.prototype);
  Object.defineProperty(cls.prototype, "__name__", { value: name });
  Object.defineProperty(cls, "name", { value: name });
}

/**
 * sleep()'s coroutine: a bare yield for a delay ≤ 0, else a wait on a
 * SleepFuture (its own timer), or sleepThroughLoop where the loop's own
 * createFuture and callLater must run.
 */
interface SleepCoroutine<T> extends LazyCoroutine<T> {}
class SleepCoroutine<T> {
  /** @internal */ _delay: number;
  /** @internal */ _result: T;

  constructor(delay: number, result: T) {
    this._delay = delay;
    this._result = result;
    _lazyCoroutineMade(this, 0);
  }

  /** @internal The body of Python's sleep. */
  _start(): IteratorResult<unknown, T> {
    const delay = this._delay;
    if (Number.isNaN(delay)) throw new ValueError("Invalid delay: NaN");
    // A bare yield (Python's __sleep0): the Task runs the next step on the next loop iteration.
    if (delay <= 0) return this._wait(null);
    const loop = getRunningLoop() as AbstractEventLoop & FastLoop;
    if (loop._debug || typeof delay !== "number" || loop.callLater !== loop._baseCallLater ||
        loop.createFuture !== loop._baseCreateFuture) {
      return this._delegate(sleepThroughLoop(loop, delay, this._result));
    }
    // Else a future that is its own timer: no TimerHandle, no try/finally.
    return this._wait(loop._scheduleTimer(new SleepFuture<T>(loop, loop.time() + delay, this._result)));
  }

  /** @internal After the wait: the future's result, or its exception, as `yield* fut` resumes. */
  _finish(fut: Future<unknown> | null): IteratorResult<unknown, T> {
    return { done: true, value: fut === null ? this._result : (fut as Future<T>).result() };
  }
}
_lazyCoroutineClass(SleepCoroutine, "sleep");

/**
 * sleep()'s future, which is also its own timer on the loop's heap (a
 * TimerEntry): due, it sets its result; cancelled, it leaves the heap's count
 * at once, which is what the `finally` of Python's sleep does when the
 * cancellation reaches it (a sleep left another way, its coroutine closed or
 * thrown into directly, leaves the entry to fire into a future nobody awaits).
 * One object instead of a Future, a TimerHandle and its argument list. It
 * shows as a Future (a repr, `wait_for=<Future pending ...>`, is asyncio's).
 */
class SleepFuture<T> extends Future<T> implements TimerEntry {
  /** @internal */ _when: number;
  /** @internal */ _seq: number;
  /** @internal */ _scheduled = false;
  /** @internal TimerEntry: skipped by the loop once true. */
  _cancelled = false;

  constructor(loop: AbstractEventLoop & FastLoop, when: number, result: T) {
    super({ loop });
    this._when = when;
    this._seq = loop._timerSeq++;
    // The result to set when due; a pending future's _result is read by nothing.
    this._result = result;
  }

  /** @internal TimerEntry: due (Python's `_set_result_unless_cancelled`). */
  _run(): void {
    if (this._state === PENDING) futureSetResult.call(this, this._result);
  }

  override cancel(msg?: string | null): boolean {
    if (!super.cancel(msg)) return false;
    this._cancelled = true;
    (this._loop as AbstractEventLoop & FastLoop)._timerHandleCancelled(this);
    return true;
  }
}
Object.defineProperty(SleepFuture, "name", { value: "Future" });

/** The future gather() returns: cancelling it cancels every child. */
class GatheringFuture<T> extends Future<T> {
  /** @internal */ _children: Future<unknown>[];
  /** @internal */ _cancelRequested = false;
  constructor(children: Future<unknown>[], loop: AbstractEventLoop) {
    super({ loop });
    this._children = children;
  }
  override cancel(msg?: string | null): boolean {
    if (this.done()) return false;
    let ret = false;
    for (const child of this._children) if (child.cancel(msg)) ret = true;
    if (ret) this._cancelRequested = true;
    return ret;
  }
}

/** The options gather() takes as its last argument. */
export interface GatherOptions {
  returnExceptions?: boolean;
}

/** gather()'s result: each awaitable's result, in order. */
export type GatherResults<A extends readonly unknown[]> = { -readonly [K in keyof A]: A[K] extends Awaitable<infer R> ? R : never };
/** gather()'s result with `returnExceptions`: each awaitable's result, or the exception it raised (CancelledError if cancelled). */
export type GatherResultsOrErrors<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: (A[K] extends Awaitable<infer R> ? R : never) | Error;
};

function isOptionsObject(x: unknown): x is GatherOptions {
  return typeof x === "object" && x !== null && !isfuture(x) && !iscoroutine(x) &&
    typeof (x as PromiseLike<unknown>).then !== "function" && Object.getPrototypeOf(x) === Object.prototype;
}

/**
 * Runs awaitables concurrently; the future's result is the list of their
 * results in order. Pass `{ returnExceptions: true }` last to collect
 * exceptions as results instead of failing on the first.
 */
export function gather<A extends readonly Awaitable<unknown>[]>(...args: [...A]): Future<GatherResults<A>>;
export function gather<A extends readonly Awaitable<unknown>[]>(...args: [...A, { returnExceptions?: false }]): Future<GatherResults<A>>;
/** With `{ returnExceptions: true }` (or a boolean not known statically), each element is its result or an Error. */
export function gather<A extends readonly Awaitable<unknown>[]>(...args: [...A, GatherOptions]): Future<GatherResultsOrErrors<A>>;
export function gather(...args: unknown[]): Future<unknown[]> {
  let returnExceptions = false;
  let aws = args as unknown[];
  if (aws.length > 0 && isOptionsObject(aws[aws.length - 1])) {
    returnExceptions = !!(aws[aws.length - 1] as GatherOptions).returnExceptions;
    aws = aws.slice(0, -1);
  }
  if (aws.length === 0) {
    const loop = _getRunningLoop() ?? getEventLoop();
    const outer = loop.createFuture<unknown[]>();
    outer.setResult([]);
    return outer;
  }
  const argToFut = new Map<unknown, Future<unknown>>();
  const children: Future<unknown>[] = [];
  const doneFuts: Future<unknown>[] = [];
  let nfuts = 0;
  let nfinished = 0;
  let loop: AbstractEventLoop | null = null;
  let outer: GatheringFuture<unknown[]> | null = null;

  const doneCallback = (fut: Future<unknown>): void => {
    nfinished += 1;
    if (outer === null || outer.done()) {
      if (!fut.cancelled()) fut.exception();
      return;
    }
    if (!returnExceptions) {
      if (fut.cancelled()) {
        outer.setException(fut._makeCancelledError());
        return;
      }
      const exc = fut.exception();
      if (exc !== null) {
        outer.setException(exc);
        return;
      }
    }
    if (nfinished === nfuts) {
      const results: unknown[] = [];
      for (const f of children) {
        if (f.cancelled()) results.push(cancelledResult(f, loop!));
        else {
          const e = f.exception();
          results.push(e !== null ? e : f.result());
        }
      }
      if (outer._cancelRequested) outer.setException(fut._makeCancelledError());
      else outer.setResult(results);
    }
  };

  // One copy of the context serves every child's done callback (the callback reads no context variable).
  const callbackOptions = { context: copyContext() };
  let loopOptions: { loop: AbstractEventLoop } | undefined;
  let waker: ChildDoneWaker | null = null;
  for (const arg of aws) {
    // Only a coroutine or a promise given twice must be wrapped once; a future
    // given twice is registered twice, which ends the same, without a Map
    // entry per child (gather of 100k tasks spent a tenth of its time there).
    let fut = isfuture(arg) ? undefined : argToFut.get(arg);
    if (fut === undefined) {
      fut = ensureFuture(arg as Awaitable<unknown>, loopOptions);
      if (loopOptions === undefined) {
        loop = fut.getLoop();
        loopOptions = { loop };
        waker = childDoneWaker(doneCallback, loop);
      }
      if (fut !== arg && fut instanceof Task) fut._logDestroyPending = false;
      nfuts += 1;
      if (fut !== arg) argToFut.set(arg, fut);
      if (fut.done()) doneFuts.push(fut);
      else if (waker !== null && fut.addDoneCallback === futureAddDoneCallback) fut._addWaker(waker);
      else fut.addDoneCallback(doneCallback, callbackOptions);
    }
    children.push(fut);
  }
  outer = new GatheringFuture<unknown[]>(children, loop!);
  for (const f of doneFuts) doneCallback(f);
  return outer;
}

/**
 * The CancelledError gather(returnExceptions) reports for a cancelled child.
 * Python makes a new one with the child's cancel message; the one the child
 * already holds (a task's, raised out of its coroutine) is reused when its
 * message is that one, which saves an Error per child when many are cancelled.
 */
function cancelledResult(f: Future<unknown>, loop: AbstractEventLoop): CancelledError {
  const msg = f._cancelMessage ?? "";
  const held = f._cancelledExc;
  if (held !== null && held.message === msg) return held;
  return cancelledError(msg, loop.getDebug());
}

/**
 * gather()'s done callback on a child, registered as a Waker: when the child
 * is done it queues a ChildDone entry where asyncio queues the callback's
 * Handle (the same place in the order), without the Handle and without a
 * callback list on a child that has no other callback. Debug mode, and a
 * child whose addDoneCallback is overridden, get the callback itself.
 */
class ChildDoneWaker implements Waker {
  /** @internal How a child's repr names the callback (on the prototype). */
  declare _callbackName: string;

  constructor(
    /** @internal */ readonly _fn: (fut: Future<unknown>) => void,
    /** @internal */ readonly _loop: AbstractEventLoop & FastLoop,
  ) {}

  /** @internal */
  _wake(fut: Future<unknown>): void {
    this._loop._addReadyHandle(new ChildDone(this, fut));
  }
}
Object.defineProperty(ChildDoneWaker.prototype, "_callbackName", { value: "gather.<locals>._done_callback" });

/** gather()'s waker on `loop`, or null where the callback itself is registered: debug mode, a loop of another kind. */
function childDoneWaker(fn: (fut: Future<unknown>) => void, loop: AbstractEventLoop): ChildDoneWaker | null {
  const l = loop as AbstractEventLoop & Partial<FastLoop>;
  return typeof l._addReadyHandle === "function" && !l._debug ? new ChildDoneWaker(fn, l as AbstractEventLoop & FastLoop) : null;
}

/** One run of gather()'s done callback for one child: a ready entry (core/events.ts's ReadyEntry). */
class ChildDone implements ReadyEntry {
  /** @internal */ _cancelled = false;

  constructor(private readonly _waker: ChildDoneWaker, private readonly _fut: Future<unknown>) {}

  /** @internal The callback touches futures only: it needs no context of its own. A failure is reported as a Handle's. */
  _run(): void {
    const w = this._waker;
    try {
      w._fn(this._fut);
    } catch (exc) {
      new Handle(w._fn, [this._fut], w._loop, null)._reportError(exc);
    }
  }
}

/** Protects an awaitable from cancellation: cancelling the returned future does not cancel the inner one. */
export function shield<T>(arg: Awaitable<T>): Future<T> {
  const inner = ensureFuture(arg);
  if (inner.done()) return inner;
  const loop = inner.getLoop();
  const outer = loop.createFuture<T>();
  const innerDone = (inn: Future<T>): void => {
    if (outer.cancelled()) {
      if (!inn.cancelled()) inn.exception();
      return;
    }
    if (inn.cancelled()) outer.cancel();
    else {
      const exc = inn.exception();
      if (exc !== null) outer.setException(exc);
      else outer.setResult(inn.result());
    }
  };
  const outerDone = (): void => {
    if (!inner.done()) inner.removeDoneCallback(innerDone);
  };
  // Lets formatTaskTree() see through the shield to the task behind it.
  (innerDone as { __self__?: unknown }).__self__ = outer;
  inner.addDoneCallback(innerDone);
  outer.addDoneCallback(outerDone);
  return outer;
}

/** Cancels `fut` and waits until it is done (Python's _cancel_and_wait). */
function* cancelAndWait(fut: Future<unknown>): Coroutine<void> {
  const loop = fut.getLoop();
  const waiter = loop.createFuture<void>();
  const cb = (): void => {
    if (!waiter.done()) waiter.setResult(undefined);
  };
  fut.addDoneCallback(cb);
  try {
    fut.cancel();
    yield* waiter;
  } finally {
    fut.removeDoneCallback(cb);
  }
}

let timeoutFactory: (<T>(delay: number | null, body: () => Coroutine<T>) => Coroutine<T>) | null = null;

/** @internal timeouts.ts registers its scoped timeout, which waitFor() is built on (as in Python 3.12). */
export function _setTimeoutScope(f: <T>(delay: number | null, body: () => Coroutine<T>) => Coroutine<T>): void {
  timeoutFactory = f;
}

/** Waits for an awaitable with a timeout (seconds or null); on timeout it is cancelled and TimeoutError is raised. */
export const waitFor = awaitableCoroutine(function* waitFor<T>(aw: Awaitable<T>, timeout: number | null): Coroutine<T> {
  if (timeout !== null && timeout !== undefined && timeout <= 0) {
    const fut = ensureFuture(aw);
    if (fut.done()) return fut.result();
    yield* cancelAndWait(fut);
    try {
      return fut.result();
    } catch (e) {
      if (e instanceof CancelledError) {
        const te = new TimeoutError();
        (te as { cause?: unknown }).cause = e;
        throw te;
      }
      throw e;
    }
  }
  return yield* timeoutFactory!(timeout ?? null, function* () {
    return yield* (isfuture(aw) || iscoroutine(aw) ? (aw as Coroutine<T>) : ensureFuture(aw));
  });
}) as <T>(aw: Awaitable<T>, timeout: number | null) => AwaitableCoroutine<T>;

/**
 * The type named by wait()/asCompleted() when given a future or a coroutine instead of an
 * iterable. Every generator object is a coroutine here, so a generator of futures is refused
 * too; the message says how to pass it.
 */
function describeIterableArg(fs: object): string {
  if (isfuture(fs)) return fs.constructor.name;
  return "coroutine (a generator object is a coroutine in tsyncio: pass a generator of futures as an array, [...gen])";
}

/** Return when any future finishes or is cancelled. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** Return when any future finishes with an exception (or all finish). */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** Return when all futures finish or are cancelled. */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** The `returnWhen` values of wait(). */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Waits for futures and tasks; returns `[done, pending]` sets. Coroutines are refused (TypeError), as in Python 3.11+. */
export const wait = awaitableCoroutine(function* wait<T>(
  fs: Iterable<Future<T> | PromiseLike<T>>,
  options?: { timeout?: number | null; returnWhen?: ReturnWhen },
): Coroutine<[Set<Future<T>>, Set<Future<T>>]> {
  if (isfuture(fs) || iscoroutine(fs)) throw new TypeError(`expect a list of futures, not ${describeIterableArg(fs)}`);
  const list = [...fs];
  if (list.length === 0) throw new ValueError("Set of Tasks/Futures is empty.");
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new ValueError(`Invalid return_when value: ${returnWhen}`);
  }
  const loop = getRunningLoop();
  const set = new Set<Future<T>>();
  for (const f of list) {
    if (iscoroutine(f)) throw new TypeError("Passing coroutines is forbidden, use tasks explicitly.");
    set.add(ensureFuture(f as Awaitable<T>, { loop }));
  }
  const futs = [...set];
  const timeout = options?.timeout ?? null;
  const waiter = loop.createFuture<void>();
  const timeoutHandle = timeout !== null ? loop.callLater(timeout, releaseWaiter, waiter) : null;
  let counter = futs.length;
  const onCompletion = (f: Future<T>): void => {
    counter -= 1;
    if (counter <= 0 || returnWhen === FIRST_COMPLETED ||
        (returnWhen === FIRST_EXCEPTION && !f.cancelled() && f.exception() !== null)) {
      timeoutHandle?.cancel();
      if (!waiter.done()) waiter.setResult(undefined);
    }
  };
  for (const f of futs) f.addDoneCallback(onCompletion);
  try {
    yield* waiter;
  } finally {
    timeoutHandle?.cancel();
    for (const f of futs) f.removeDoneCallback(onCompletion);
  }
  const done = new Set<Future<T>>();
  const pending = new Set<Future<T>>();
  for (const f of futs) (f.done() ? done : pending).add(f);
  return [done, pending];
}) as <T>(fs: Iterable<Future<T> | PromiseLike<T>>, options?: { timeout?: number | null; returnWhen?: ReturnWhen }) =>
  AwaitableCoroutine<[Set<Future<T>>, Set<Future<T>>]>;

function releaseWaiter(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

/**
 * Python 3.13's as_completed() iterator. Iterated synchronously it gives one
 * coroutine per awaitable; awaiting the n-th gives the n-th result to complete
 * (or raises its exception, or TimeoutError after `timeout`). Iterated
 * asynchronously (`asyncio.aiter()`/`anext()`) it gives the finished futures
 * themselves: a future or task passed in comes back as it is. Breaking out of
 * a loop over it does not close it: the next loop resumes where it stopped.
 */
export class AsCompletedIterator<T> implements IterableIterator<AwaitableCoroutine<T>> {
  private _loop: AbstractEventLoop | null = null;
  private readonly _todo = new Set<Future<T>>();
  private readonly _done: (Future<T> | null)[] = [];
  private readonly _waiters: Future<void>[] = [];
  private _timeoutHandle: { cancel(): void } | null = null;
  private _todoLeft = 0;
  private _fs: Iterable<Awaitable<T>> | null;
  private readonly _timeout: number | null;

  /** @internal Use asCompleted(). */
  constructor(fs: Iterable<Awaitable<T>>, timeout: number | null) {
    this._fs = fs;
    this._timeout = timeout;
  }

  /** The awaitables become futures at the first step, as 3.12's generator did (the loop is looked up then). */
  private _start(): void {
    const fs = this._fs;
    if (fs === null) return;
    this._fs = null;
    if (isfuture(fs) || iscoroutine(fs)) throw new TypeError(`expect an iterable of futures, not ${describeIterableArg(fs)}`);
    const loop = _getRunningLoop() ?? getEventLoop();
    this._loop = loop;
    for (const f of new Set(fs)) this._todo.add(ensureFuture(f, { loop }));
    for (const f of this._todo) f.addDoneCallback(this._onCompletion);
    if (this._todo.size > 0 && this._timeout !== null) this._timeoutHandle = loop.callLater(this._timeout, this._onTimeout);
    this._todoLeft = this._todo.size;
  }

  private _push(f: Future<T> | null): void {
    this._done.push(f);
    while (this._waiters.length > 0) {
      const w = this._waiters.shift()!;
      if (!w.done()) {
        w.setResult(undefined);
        break;
      }
    }
  }

  private readonly _onCompletion = (f: Future<T>): void => {
    if (this._todo.size === 0) return;
    this._todo.delete(f);
    this._push(f);
    if (this._todo.size === 0 && this._timeoutHandle !== null) this._timeoutHandle.cancel();
  };

  private readonly _onTimeout = (): void => {
    for (const f of this._todo) {
      f.removeDoneCallback(this._onCompletion);
      this._push(null);
    }
    this._todo.clear();
  };

  private *_waitForOne(resolve: boolean): Coroutine<T | Future<T>> {
    while (this._done.length === 0) {
      const w = this._loop!.createFuture<void>();
      this._waiters.push(w);
      yield* w;
    }
    const f = this._done.shift()!;
    if (f === null) throw new TimeoutError();
    return resolve ? f.result() : f;
  }

  /** The iterator itself (`for (const aw of asCompleted(...))`). */
  [Symbol.iterator](): this {
    return this;
  }

  /** The next awaitable; awaiting it gives the next result to complete. */
  next(): IteratorResult<AwaitableCoroutine<T>, undefined> {
    this._start();
    if (this._todoLeft === 0) return { done: true, value: undefined };
    this._todoLeft -= 1;
    const one = awaitableCoroutine(function* waitForOne(it: AsCompletedIterator<T>): Coroutine<T> {
      return (yield* it._waitForOne(true)) as T;
    }) as (it: AsCompletedIterator<T>) => AwaitableCoroutine<T>;
    return { done: false, value: one(this) };
  }

  /** The iterator itself, for `asyncio.aiter()`. */
  __aiter__(): this {
    return this;
  }

  /** Waits for the next future to finish and gives it (StopAsyncIteration after the last). */
  *__anext__(): Coroutine<Future<T>> {
    this._start();
    if (this._todoLeft === 0) throw new StopAsyncIteration();
    this._todoLeft -= 1;
    return (yield* this._waitForOne(false)) as Future<T>;
  }
}

/** Python's `as_completed(aws, *, timeout=None)` (3.13: iterable synchronously and asynchronously). */
export function asCompleted<T>(fs: Iterable<Awaitable<T>>, options?: { timeout?: number | null }): AsCompletedIterator<T> {
  return new AsCompletedIterator(fs, options?.timeout ?? null);
}

/** Python's `asyncio.run_coroutine_threadsafe` has no threads to cross here; scheduling from any Node callback is callSoonThreadsafe. */
export function runCoroutineThreadsafe<T>(coro: Coroutine<T>, loop: AbstractEventLoop): Promise<T> {
  if (!iscoroutine(coro)) throw new TypeError("A coroutine object is required");
  return new Promise<T>((resolve, reject) => {
    loop.callSoonThreadsafe(() => {
      try {
        ensureFuture(coro, { loop }).then(resolve, reject);
      } catch (e) {
        reject(e);
        // As Python's callback, the error also goes to the loop's exception handler.
        throw e;
      }
    });
  });
}

/** @internal Debug mode records the suspension site of each task (Task.getStack()). */
export function _recordSuspension(): void {
  const loop = _getRunningLoop() as (AbstractEventLoop & Partial<FastLoop>) | null;
  const t = loop?._currentTask;
  if (t) suspensionSites.set(t, captureStack(4));
}
