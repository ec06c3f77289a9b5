import { Worker } from "node:worker_threads";
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, isAbsolute, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import * as exceptions from "../stdlib/exceptions.js";
import { CancelledError, InvalidStateError, RuntimeError, TimeoutError, ValueError } from "../stdlib/exceptions.js";
import type { BaseEventLoop } from "../core/base-events.js";
import type { Coroutine } from "../core/coroutines.js";
import { iscoroutinefunction } from "../core/coroutines.js";
import { Future, wrapFuture } from "../core/futures.js";
import { timeout as timeoutScope } from "../sync/timeouts.js";
import { logger, LogLevel } from "../core/log.js";
import { packageRoot } from "../internal/package-root.js";
import type { FromWorker, FunctionSpec, SerializedError, Thrown, ToWorker } from "./wire.js";

import { BrokenExecutor, BrokenProcessPool, BrokenThreadPool, ConcurrentFuture, rebuildThrown } from "./concurrent-futures.js";
import type { Executor } from "../core/events.js";
import { toFunctionSpec, type WorkerCallable } from "./function-refs.js";

// concurrent.futures' executors on Node: ThreadPoolExecutor on
// worker_threads, ProcessPoolExecutor on forked child processes, both
// running executors/worker.ts. Arguments and results cross by structured
// clone (worker threads) or Node's "advanced" serialization (child
// processes).

// ---- starting workers -------------------------------------------------------------

/** Node flags that make TypeScript (or another loader) work; the ones workers must get too. */
function loaderArgs(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--import" || a === "--require" || a === "-r" || a === "--loader" || a === "--experimental-loader" ||
        a === "--conditions" || a === "-C") {
      if (i + 1 < argv.length) out.push(a, argv[++i]);
    } else if (/^--(import|require|loader|experimental-loader|conditions)=/.test(a) ||
               a === "--enable-source-maps" || a === "--no-warnings" ||
               (a.startsWith("--experimental-") && !a.startsWith("--experimental-test"))) {
      out.push(a);
    }
  }
  return out;
}

function underTsx(): boolean {
  return process.execArgv.some((a) => /(^|[\\/@:])tsx([\\/]|$)/.test(a));
}

let workerScriptCache: string | null = null;

/** The worker program: the TypeScript source under tsx (it is current), else the built JavaScript. */
function workerScript(): string {
  if (workerScriptCache !== null) return workerScriptCache;
  const root = packageRoot();
  const candidates = underTsx()
    ? [join(root, "src/executors/worker.ts"), join(root, "dist/esm/executors/worker.js")]
    : [join(root, "dist/esm/executors/worker.js"), join(root, "src/executors/worker.ts")];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new RuntimeError("tsyncio: the executor worker script is missing (build the package)");
  workerScriptCache = found;
  return found;
}

let tsxApiCache: string | null | undefined;

/** The URL of tsx's ESM API, which a worker thread needs: Node 20 ignores --import in workers. */
function tsxApiUrl(): string | null {
  if (tsxApiCache !== undefined) return tsxApiCache;
  tsxApiCache = null;
  for (const base of [join(process.cwd(), "noop.js"), join(packageRoot(), "package.json")]) {
    try {
      const cjs = createRequire(base).resolve("tsx/esm/api");
      const mjs = join(dirname(cjs), "index.mjs");
      tsxApiCache = pathToFileURL(existsSync(mjs) ? mjs : cjs).href;
      break;
    } catch { /* try the next base */ }
  }
  return tsxApiCache;
}

/** The parent's side of one worker. */
interface WorkerChannel {
  post(msg: ToWorker): void;
  ref(): void;
  unref(): void;
}

// ---- the pool -------------------------------------------------------------------------

interface WorkItem {
  future: ConcurrentFuture<unknown>;
  fn: FunctionSpec;
  args: unknown[];
}

type SlotState = "starting" | "idle" | "busy" | "exiting";

interface Slot {
  channel: WorkerChannel;
  state: SlotState;
  item: WorkItem | null;
  callId: number;
}

/** Options of the executors' map(). */
export interface MapOptions {
  /** Seconds from the map() call after which waiting for a result throws TimeoutError. */
  timeout?: number | null;
  /** Accepted for concurrent.futures compatibility; items are always sent one by one. */
  chunksize?: number;
}

let poolCounter = 0;

/** What ThreadPoolExecutor and ProcessPoolExecutor share: a queue, lazily spawned reused workers, shutdown. */
abstract class PoolExecutor implements Executor {
  /** @internal */ readonly _maxWorkers: number;
  /** @internal */ _initializer: FunctionSpec | null;
  /** @internal */ _initargs: unknown[];
  /** @internal */ _queue: WorkItem[] = [];
  /** @internal */ _slots = new Set<Slot>();
  /** @internal */ _shutdown = false;
  /** @internal */ _broken: string | false = false;
  /** @internal */ _spawned = 0;
  private _exitWaiters: Array<() => void> = [];

  protected constructor(maxWorkers: number, initializer: WorkerCallable<never[], unknown> | null | undefined, initargs: unknown[] | undefined) {
    if (!Number.isInteger(maxWorkers)) throw new TypeError("max_workers must be an integer");
    if (maxWorkers <= 0) throw new ValueError("max_workers must be greater than 0");
    this._maxWorkers = maxWorkers;
    if (initializer !== null && initializer !== undefined && typeof initializer !== "function" &&
        !(typeof initializer === "object" && "module" in initializer)) {
      throw new TypeError("initializer must be a callable");
    }
    this._initializer = initializer === null || initializer === undefined ? null : toFunctionSpec(initializer);
    this._initargs = initargs ?? [];
  }

  /** The most workers this executor runs at once. */
  get maxWorkers(): number {
    return this._maxWorkers;
  }

  /** @internal Starts one worker; it must call the given handlers. */
  protected abstract _spawn(index: number, handlers: WorkerHandlers): WorkerChannel;
  /** @internal The executor's Broken* class. */
  protected abstract _brokenError(message: string): BrokenExecutor;
  /** @internal Message when a worker dies. */
  protected abstract _diedMessages(): { executor: string; future: string };

  /**
   * Schedules `fn(...args)` in a worker and returns its ConcurrentFuture.
   * `fn` is a workerFunction() reference (or `{ module, name }`), or a
   * self-contained function whose source is shipped.
   */
  submit<A extends unknown[], R>(fn: WorkerCallable<A, R>, ...args: A): ConcurrentFuture<Awaited<R>> {
    if (this._broken !== false) throw this._brokenError(this._broken);
    if (this._shutdown) throw new RuntimeError("cannot schedule new futures after shutdown");
    const spec = toFunctionSpec(fn);
    const future = new ConcurrentFuture<Awaited<R>>();
    this._queue.push({ future: future as ConcurrentFuture<unknown>, fn: spec, args });
    this._pump();
    return future;
  }

  /**
   * Calls fn on each item (on items of several iterables zipped, as Python
   * does, when more are given before the options), submitting every call at
   * once. The result is both an async iterator over the results in order
   * (`for await`), which throws TimeoutError once `timeout` seconds have passed
   * since the call, and a thenable of the whole array (`await`, or
   * `wrapFuture(...)` in a coroutine). Leaving the iteration early, or a
   * timeout, cancels the calls that have not started.
   */
  map<R>(fn: WorkerCallable<never[], R>, ...iterablesAndOptions: [Iterable<unknown>, ...Array<Iterable<unknown> | MapOptions>]): ExecutorMap<Awaited<R>> {
    let options: MapOptions = {};
    const iterables = [...iterablesAndOptions];
    const last = iterables[iterables.length - 1];
    if (iterables.length > 1 && typeof last === "object" && last !== null &&
        typeof (last as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
      options = iterables.pop() as MapOptions;
    }
    if (options.chunksize !== undefined && options.chunksize < 1) throw new ValueError("chunksize must be >= 1.");
    const timeout = options.timeout ?? null;
    const endTime = timeout === null ? null : performance.now() / 1000 + timeout;
    const iters = (iterables as Iterable<unknown>[]).map((it) => it[Symbol.iterator]());
    const futures: ConcurrentFuture<Awaited<R>>[] = [];
    for (;;) {
      const args: unknown[] = [];
      for (const it of iters) {
        const r = it.next();
        if (r.done) return new ExecutorMap(futures, endTime);
        args.push(r.value);
      }
      futures.push(this.submit(fn as WorkerCallable<unknown[], R>, ...args));
    }
  }

  /**
   * Stops accepting calls. Queued calls still run unless `cancelFutures`;
   * then every worker exits. With `wait` (the default) the promise resolves
   * once all of them have exited; without, it resolves at once.
   */
  shutdown(wait = true, options?: { cancelFutures?: boolean }): Promise<void> {
    this._shutdown = true;
    if (options?.cancelFutures) {
      const queued = this._queue;
      this._queue = [];
      for (const item of queued) item.future.cancel();
    }
    this._pump();
    if (!wait || this._slots.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this._exitWaiters.push(resolve));
  }

  /** `await using pool = new ThreadPoolExecutor()` shuts it down and waits (Python's `with`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown(true);
  }

  /** Hands queued work to idle workers, starts workers when none is free, retires workers after shutdown. */
  private _pump(): void {
    // Calls cancelled while queued are dropped as Python's workers drop them.
    while (this._queue.length > 0 && this._queue[0].future.cancelled()) this._queue.shift();
    for (const slot of this._slots) {
      if (slot.state !== "idle") continue;
      while (this._queue.length > 0) {
        const item = this._queue.shift()!;
        if (this._dispatch(slot, item)) break;
      }
      if (slot.state === "idle") {
        if (this._shutdown || this._broken !== false) {
          this._retire(slot);
        } else {
          slot.channel.unref();
        }
      }
    }
    if (this._broken !== false) return;
    let starting = 0;
    for (const slot of this._slots) if (slot.state === "starting") starting++;
    let needed = this._queue.length - starting;
    while (needed > 0 && this._slots.size < this._maxWorkers) {
      this._startWorker();
      needed--;
    }
  }

  /** Asks a worker to exit; it stays ref'd so that shutdown(true) can be awaited until it has. */
  private _retire(slot: Slot): void {
    slot.state = "exiting";
    slot.channel.ref();
    try {
      slot.channel.post({ op: "exit" });
    } catch {
      // Its channel is already gone: the worker is exiting anyway and its exit event follows.
    }
  }

  /** Sends one call to an idle worker; false if it was cancelled or its arguments cannot be sent. */
  private _dispatch(slot: Slot, item: WorkItem): boolean {
    if (!item.future.setRunningOrNotifyCancel()) return false;
    slot.callId++;
    try {
      slot.channel.post({ op: "call", id: slot.callId, fn: item.fn, args: item.args });
    } catch (e) {
      item.future.setException(e);
      return false;
    }
    slot.state = "busy";
    slot.item = item;
    slot.channel.ref();
    return true;
  }

  private _startWorker(): void {
    const index = this._spawned++;
    let slot: Slot;
    const handlers: WorkerHandlers = {
      message: (m) => this._onMessage(slot, m),
      exit: (cause) => this._onExit(slot, cause),
    };
    const channel = this._spawn(index, handlers);
    slot = { channel, state: "starting", item: null, callId: 0 };
    this._slots.add(slot);
    channel.ref();
    channel.post({ op: "init", initializer: this._initializer, initargs: this._initargs });
  }

  private _onMessage(slot: Slot, m: FromWorker): void {
    switch (m.op) {
      case "ready":
        if (slot.state !== "starting") return;
        slot.state = "idle";
        this._pump();
        return;
      case "initFailed": {
        const cause = rebuildThrown(m.thrown);
        logger.log(LogLevel.CRITICAL, "Exception in initializer:", cause);
        this._markBroken(this._initializerFailedMessage(), this._initializerFailedFutureMessage(), cause);
        return;
      }
      case "result":
      case "error": {
        const item = slot.item;
        if (item === null || slot.state !== "busy" || m.id !== slot.callId) return;
        slot.item = null;
        slot.state = "idle";
        if (m.op === "result") item.future.setResult(m.value);
        else item.future.setException(rebuildThrown(m.thrown));
        this._pump();
        return;
      }
    }
  }

  /** @internal The `_broken` message after an initializer failed. */
  protected abstract _initializerFailedMessage(): string;
  /** @internal What the queued calls fail with after an initializer failed. */
  protected abstract _initializerFailedFutureMessage(): string;

  private _onExit(slot: Slot, cause: unknown): void {
    if (!this._slots.has(slot)) return;
    const expected = slot.state === "exiting";
    this._slots.delete(slot);
    if (!expected && this._broken === false) {
      const msgs = this._diedMessages();
      const item = slot.item;
      slot.item = null;
      if (item !== null && !item.future.done()) {
        const err = this._brokenError(msgs.future);
        if (cause !== undefined) Object.defineProperty(err, "cause", { value: cause, configurable: true, writable: true });
        item.future.setException(err);
      }
      this._markBroken(msgs.executor, msgs.future, cause);
    } else if (slot.item !== null && !slot.item.future.done()) {
      slot.item.future.setException(this._brokenError(this._diedMessages().future));
    }
    if (this._slots.size === 0) {
      const waiters = this._exitWaiters;
      this._exitWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** The pool can run nothing anymore: fails every queued call and retires every worker. */
  private _markBroken(message: string, futureMessage: string, cause: unknown): void {
    if (this._broken !== false) return;
    this._broken = message;
    const queued = this._queue;
    this._queue = [];
    for (const item of queued) {
      if (item.future.done()) continue;
      const err = this._brokenError(futureMessage);
      if (cause !== undefined) Object.defineProperty(err, "cause", { value: cause, configurable: true, writable: true });
      item.future.setException(err);
    }
    for (const slot of this._slots) {
      if (slot.state === "starting" || slot.state === "idle") {
        this._retire(slot);
      }
    }
  }
}

/** @internal How a worker reports to its pool. */
interface WorkerHandlers {
  message(m: FromWorker): void;
  /** The worker ended; `cause` is the error that killed it, if any. */
  exit(cause: unknown): void;
}

/**
 * The iterator/thenable that map() returns: `for await (const r of pool.map(f, xs))`
 * gives the results in order; `await pool.map(f, xs)` gives them all as an array.
 */
export class ExecutorMap<R> implements AsyncIterableIterator<R>, PromiseLike<R[]> {
  private _index = 0;
  private _all: Promise<R[]> | null = null;

  /** @internal */
  constructor(private readonly _futures: ConcurrentFuture<R>[], private readonly _endTime: number | null) {}

  /** `for await` over the results, in order. */
  [Symbol.asyncIterator](): AsyncIterableIterator<R> {
    return this;
  }

  /** The next result in order (its exception, or TimeoutError past the map's timeout). */
  async next(): Promise<IteratorResult<R, undefined>> {
    if (this._index >= this._futures.length) return { done: true, value: undefined };
    const fut = this._futures[this._index++];
    try {
      return { done: false, value: await this._wait(fut) };
    } catch (e) {
      fut.cancel();
      this._cancelRest();
      throw e;
    }
  }

  /** Stops the iteration early, cancelling the calls not started yet. */
  async return(): Promise<IteratorResult<R, undefined>> {
    this._cancelRest();
    return { done: true, value: undefined };
  }

  then<R1 = R[], R2 = never>(
    onfulfilled?: ((value: R[]) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this._all === null) {
      this._all = (async () => {
        const out: R[] = [];
        for await (const r of this) out.push(r);
        return out;
      })();
    }
    return this._all.then(onfulfilled, onrejected);
  }

  private _cancelRest(): void {
    while (this._index < this._futures.length) this._futures[this._index++].cancel();
  }

  private _wait(fut: ConcurrentFuture<R>): Promise<R> {
    if (this._endTime === null || fut.done()) return Promise.resolve(fut);
    const ms = Math.max(0, (this._endTime - performance.now() / 1000) * 1000);
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError()), Math.ceil(ms));
      fut.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

// ---- the two executors --------------------------------------------------------------

/** Options of ThreadPoolExecutor. */
export interface ThreadPoolExecutorOptions {
  /** How many worker threads at most (default: min(32, CPUs + 4), as Python). */
  maxWorkers?: number | null;
  /** Worker threads are named `${threadNamePrefix}_${i}` (default `ThreadPoolExecutor-N`). */
  threadNamePrefix?: string;
  /** Called in each worker thread when it starts (same forms as submit's function). */
  initializer?: WorkerCallable<never[], unknown> | null;
  /** The initializer's arguments. */
  initargs?: unknown[];
}

/**
 * Python's concurrent.futures.ThreadPoolExecutor on Node worker threads:
 * workers start lazily (one per submit while none is idle, up to
 * maxWorkers) and are reused; an idle worker does not keep the process alive.
 */
export class ThreadPoolExecutor extends PoolExecutor {
  /** @internal */ readonly _threadNamePrefix: string;

  constructor(options: ThreadPoolExecutorOptions = {}) {
    super(options.maxWorkers ?? Math.min(32, availableParallelism() + 4), options.initializer, options.initargs);
    this._threadNamePrefix = options.threadNamePrefix || `ThreadPoolExecutor-${poolCounter++}`;
  }

  protected override _spawn(index: number, handlers: WorkerHandlers): WorkerChannel {
    const main = pathToFileURL(workerScript()).href;
    const api = main.endsWith(".ts") ? tsxApiUrl() : null;
    // Node 20 ignores --import inside workers, so tsx is registered by hand before the worker module loads.
    const boot =
      `(async () => {` +
      (api !== null ? ` const tsx = await import(${JSON.stringify(api)}); tsx.register();` : "") +
      ` await import(${JSON.stringify(main)});` +
      ` })().catch((e) => { process.exitCode = 70; throw e; });`;
    const worker = new Worker(boot, { eval: true, name: `${this._threadNamePrefix}_${index}`, stdout: false, stderr: false });
    let cause: unknown = undefined;
    worker.on("message", (m: FromWorker) => handlers.message(m));
    worker.on("error", (e) => {
      cause = e;
    });
    worker.on("exit", () => handlers.exit(cause));
    return {
      post: (m) => worker.postMessage(m),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    };
  }

  protected override _brokenError(message: string): BrokenExecutor {
    return new BrokenThreadPool(message);
  }

  protected override _diedMessages(): { executor: string; future: string } {
    return {
      executor: "A worker thread exited abruptly, the thread pool is not usable anymore",
      future: "A worker thread of the thread pool exited abruptly while the future was running or pending.",
    };
  }

  protected override _initializerFailedMessage(): string {
    return "A thread initializer failed, the thread pool is not usable anymore";
  }

  protected override _initializerFailedFutureMessage(): string {
    return this._initializerFailedMessage();
  }
}

/** Options of ProcessPoolExecutor. */
export interface ProcessPoolExecutorOptions {
  /** How many child processes at most (default: the number of CPUs). */
  maxWorkers?: number | null;
  /** Called in each child process when it starts (same forms as submit's function). */
  initializer?: WorkerCallable<never[], unknown> | null;
  /** The initializer's arguments. */
  initargs?: unknown[];
}

/**
 * Python's concurrent.futures.ProcessPoolExecutor on child processes
 * (`child_process.fork` with advanced serialization, the parent's loader
 * flags such as `--import tsx` passed on): workers start lazily and are
 * reused; a child that dies breaks the pool (BrokenProcessPool), as in Python.
 */
export class ProcessPoolExecutor extends PoolExecutor {
  constructor(options: ProcessPoolExecutorOptions = {}) {
    super(options.maxWorkers ?? availableParallelism(), options.initializer, options.initargs);
  }

  protected override _spawn(_index: number, handlers: WorkerHandlers): WorkerChannel {
    const child: ChildProcess = fork(workerScript(), [], {
      execArgv: loaderArgs(),
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let cause: unknown = undefined;
    child.on("message", (m) => handlers.message(m as FromWorker));
    child.on("error", (e) => {
      cause ??= e;
    });
    child.on("exit", (code, signal) => {
      if (cause === undefined && (code !== 0 || signal !== null)) {
        cause = new RuntimeError(signal !== null ? `worker process ${child.pid} was killed by ${signal}` : `worker process ${child.pid} exited with code ${code}`);
      }
      handlers.exit(cause);
    });
    return {
      post: (m) => {
        if (!child.connected) throw new BrokenProcessPool("A child process terminated abruptly, the process pool is not usable anymore");
        child.send(m);
      },
      ref: () => {
        child.ref();
        (child.channel as { ref?: () => void } | null | undefined)?.ref?.();
      },
      unref: () => {
        child.unref();
        (child.channel as { unref?: () => void } | null | undefined)?.unref?.();
      },
    };
  }

  protected override _brokenError(message: string): BrokenExecutor {
    return new BrokenProcessPool(message);
  }

  protected override _diedMessages(): { executor: string; future: string } {
    return {
      executor: "A child process terminated abruptly, the process pool is not usable anymore",
      future: "A process in the process pool was terminated abruptly while the future was running or pending.",
    };
  }

  protected override _initializerFailedMessage(): string {
    return "A child process terminated abruptly, the process pool is not usable anymore";
  }

  protected override _initializerFailedFutureMessage(): string {
    return this._diedMessages().future;
  }
}

