import { copyContext, type Context } from "./stdlib/contextvars.js";
import { CancelledError, KeyboardInterrupt, RuntimeError, ValueError } from "./stdlib/exceptions.js";
import { _getRunningLoop, newEventLoop, setEventLoop, type AbstractEventLoop } from "./core/events.js";
import { iscoroutine, type Coroutine } from "./core/coroutines.js";
import { allTasks, describeNotAwaitable, gather, type Task as TaskT } from "./core/tasks.js";
import { isfuture, wrapFuture, type Future } from "./core/futures.js";
import { printTaskTree } from "./sync/introspection.js";

// runners.py: asyncio.run() and Runner, with the same shutdown sequence.

/** Python's constants.THREAD_JOIN_TIMEOUT: how long run() waits for the default executor at shutdown. */
const THREAD_JOIN_TIMEOUT = 300;

/** Options of run() and Runner. */
export interface RunnerOptions {
  /** Sets the loop's debug mode (null/undefined: leave as is). */
  debug?: boolean | null;
  /** Creates the loop (default: newEventLoop(), also set as the current loop). */
  loopFactory?: (() => AbstractEventLoop) | null;
}

type RunnerState = "created" | "initialized" | "closed";

/** Runs coroutines on one loop that it creates and closes (Python's asyncio.Runner). */
export class Runner {
  private _state: RunnerState = "created";
  private _loop: AbstractEventLoop | null = null;
  private _context: Context | null = null;
  private _setLoop = false;
  private _interruptCount = 0;
  private _mainError: Error | null = null;
  private readonly _debug: boolean | null;
  private readonly _loopFactory: (() => AbstractEventLoop) | null;

  constructor(options?: RunnerOptions) {
    this._debug = options?.debug ?? null;
    this._loopFactory = options?.loopFactory ?? null;
  }

  /** Runs `coro` (or awaits a promise) on the runner's loop and returns its result. */
  async run<T>(coro: Coroutine<T> | PromiseLike<T>, options?: { context?: Context | null }): Promise<T> {
    // A Future (or Task) is refused as Python refuses it, although it has then().
    if (isfuture(coro)) throw new ValueError(`a coroutine was expected, got ${String(coro)}`);
    if (!iscoroutine(coro) && !(coro !== null && typeof (coro as PromiseLike<T>).then === "function")) {
      throw new ValueError(`a coroutine was expected, got ${describeNotAwaitable(coro)}`);
    }
    if (_getRunningLoop() !== null) throw new RuntimeError("Runner.run() cannot be called from a running event loop");
    this._lazyInit();
    const loop = this._loop!;
    const context = options?.context ?? this._context;
    const task: Future<T> = iscoroutine(coro)
      ? loop.createTask(coro as Coroutine<T>, { context })
      : loop.createTask((function* (): Coroutine<T> {
        return yield* wrapFuture(coro as PromiseLike<T>, { loop });
      })(), { context });
    let sigint: (() => void) | null = null;
    if (process.listenerCount("SIGINT") === 0) {
      sigint = () => this._onSigint(task);
      process.on("SIGINT", sigint);
    }
    // Debug mode: `kill -USR2 <pid>` prints the task tree.
    const usr2 = loop.getDebug() ? () => printTaskTree(loop, process.stderr) : null;
    if (usr2 !== null) process.on("SIGUSR2", usr2);
    this._interruptCount = 0;
    try {
      return await loop.runUntilComplete(task);
    } catch (e) {
      if (e instanceof CancelledError && this._interruptCount > 0) {
        const t = task as unknown as Partial<TaskT<T>>;
        if (typeof t.uncancel === "function" && t.uncancel() === 0) throw new KeyboardInterrupt();
      }
      if (e instanceof Error && !(e instanceof CancelledError)) this._mainError = e;
      throw e;
    } finally {
      if (sigint !== null) process.removeListener("SIGINT", sigint);
      if (usr2 !== null) process.removeListener("SIGUSR2", usr2);
    }
  }

  /** Cancels what is left, shuts down async generators and the default executor, closes the loop. */
  async close(): Promise<void> {
    if (this._state !== "initialized") return;
    const loop = this._loop!;
    try {
      // The tasks left behind may be awaited by async functions nobody awaits
      // (`yield* asyncFn()` in the main coroutine); their CancelledError is
      // then what Node reports first, so it names the error that ended main.
      const e = this._mainError;
      await cancelAllTasks(loop, e === null ? null : `asyncio.run() shut down after the main coroutine raised ${e.name}: ${e.message}`);
      await loop.runUntilComplete(loop.shutdownAsyncgens());
      await loop.runUntilComplete(loop.shutdownDefaultExecutor(THREAD_JOIN_TIMEOUT));
    } finally {
      if (this._setLoop) setEventLoop(null);
      loop.close();
      this._loop = null;
      this._state = "closed";
    }
  }

  /** The runner's loop (created on first use). */
  getLoop(): AbstractEventLoop {
    this._lazyInit();
    return this._loop!;
  }

  /** `await using runner = new Runner()` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private _lazyInit(): void {
    if (this._state === "closed") throw new RuntimeError("Runner is closed");
    if (this._state === "initialized") return;
    if (this._loopFactory === null) {
      this._loop = newEventLoop();
      if (!this._setLoop) {
        setEventLoop(this._loop);
        this._setLoop = true;
      }
    } else {
      this._loop = this._loopFactory();
    }
    if (this._debug !== null) this._loop.setDebug(this._debug);
    this._context = copyContext();
    this._state = "initialized";
  }

  private _onSigint(task: Future<unknown>): void {
    this._interruptCount += 1;
    if (this._interruptCount === 1 && this._loop!.getDebug()) printTaskTree(this._loop, process.stderr);
    if (this._interruptCount === 1 && !task.done()) {
      task.cancel();
      this._loop!.callSoonThreadsafe(() => {});
      return;
    }
    // A second Ctrl-C interrupts the loop itself, as Python's KeyboardInterrupt does.
    this._loop!.callSoonThreadsafe(() => {
      throw new KeyboardInterrupt();
    });
  }
}

async function cancelAllTasks(loop: AbstractEventLoop, msg: string | null): Promise<void> {
  const toCancel = allTasks(loop);
  if (toCancel.size === 0) return;
  for (const t of toCancel) t.cancel(msg);
  await loop.runUntilComplete(gather(...toCancel, { returnExceptions: true }));
  for (const t of toCancel) {
    if (t.cancelled()) continue;
    const exc = t.exception();
    if (exc !== null) {
      loop.callExceptionHandler({ message: "unhandled exception during asyncio.run() shutdown", exception: exc, task: t });
    }
  }
}

/**
 * Runs a coroutine on a new loop and closes it (Python's asyncio.run).
 * `main` may be a coroutine or a promise; the result comes back as a promise.
 */
export function run<T>(main: Coroutine<T> | PromiseLike<T>, options?: RunnerOptions): Promise<T> {
  // Raised synchronously, as Python raises it at the call (and as runUntilComplete does): a coroutine
  // calling run() cannot await the promise.
  if (_getRunningLoop() !== null) throw new RuntimeError("asyncio.run() cannot be called from a running event loop");
  return runOnNewRunner(main, options);
}

async function runOnNewRunner<T>(main: Coroutine<T> | PromiseLike<T>, options?: RunnerOptions): Promise<T> {
  const runner = new Runner(options);
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}

