
// coroutines.py: a coroutine is a generator (docs/architecture.md). `await x` is `yield* x`.

/** A coroutine: a generator that yields futures to its Task and returns T. */
export type Coroutine<T = unknown> = Generator<unknown, T, unknown>;

/** A generator function, the `async def` of tsyncio. */
export type CoroutineFunction<A extends unknown[] = unknown[], T = unknown> = (...args: A) => Coroutine<T>;


/** A coroutine that async functions can also `await` (module-level coroutines such as sleep()). */
export type AwaitableCoroutine<T> = Coroutine<T> & PromiseLike<T>;

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as new () => unknown;
/** @internal %GeneratorPrototype%: a hand-written coroutine inherits from it, so that it is a generator to isGeneratorObject(). */
export const GeneratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())) as object;

/** Whether `obj` is a coroutine object (a generator). */
export function iscoroutine(obj: unknown): obj is Coroutine<unknown> {
  if (typeof obj !== "object" || obj === null) return false;
  const g = obj as Partial<Coroutine<unknown>>;
  return typeof g.next === "function" && typeof g.throw === "function" && typeof g.return === "function" &&
    typeof (g as Iterable<unknown>)[Symbol.iterator] === "function";
}

/** Whether `fn` is a coroutine function (a generator function). */
export function iscoroutinefunction(fn: unknown): fn is CoroutineFunction {
  return typeof fn === "function" && (fn instanceof GeneratorFunction || (fn as { _isCoroutine?: boolean })._isCoroutine === true);
}

/** Whether `obj` is a generator object (for the "yield instead of yield*" diagnostics). */
export function isGeneratorObject(obj: unknown): boolean {
  return typeof obj === "object" && obj !== null && GeneratorPrototype.isPrototypeOf(obj);
}

let ensureFutureHook: (<T>(coro: Coroutine<T>) => PromiseLike<T>) | null = null;

/** @internal tasks.ts registers ensureFuture, which awaiting a coroutine from async code needs. */
export function _setEnsureFuture(f: <T>(coro: Coroutine<T>) => PromiseLike<T>): void {
  ensureFutureHook = f;
}

/** What a coroutine that was never started reports when it is collected. */
interface Unawaited {
  name: string;
  origin: string | null;
  started: boolean;
}

const STARTED = Symbol("tsyncio.started");
const RECORD = Symbol("tsyncio.unawaited");
const ORIGIN = Symbol("tsyncio.origin");

/** A coroutine of tsyncio's API, with what its "never awaited" check reads. */
type Watched = Coroutine<unknown> & { [STARTED]: boolean; [RECORD]?: Unawaited; [ORIGIN]?: string; __name__?: string };

// CPython warns when a coroutine object is destroyed without ever being
// started (`asyncio.sleep(1)` without await); its creation site is shown when
// origin tracking is on, which asyncio turns on for a loop in debug mode.
const unawaited = new FinalizationRegistry<Unawaited>((u) => {
  if (u.started) return;
  const where = u.origin === null ? "" : `\nCoroutine created at (most recent call first)\n${u.origin}`;
  process.emitWarning(`coroutine '${u.name}' was never awaited${where}`, "RuntimeWarning");
});

// Registering every coroutine with the FinalizationRegistry would cost the hot
// paths several times over (a million `yield* sleep(0)` ran 6x slower), and
// nearly every coroutine is started in the job that made it. So new ones wait
// in `fresh` (generators) and `freshLazy` (LazyCoroutines, core/tasks.ts)
// until the current job ends (one microtask per batch); only those still
// unstarted then are registered.
let fresh: Watched[] = [];
// A new array per job: one that outlived a scavenge would cost every push a
// write barrier (V8's old-to-new remembered set). It is made with room for a
// typical job's coroutines and filled by index: growing an empty array by push
// reallocated it twice for the ~18 coroutines of a job of the streams echo
// server (~30 instructions per request under callgrind).
const FRESH_LAZY_ROOM = 32;
let freshLazy: (LazyWatched | undefined)[] = new Array<LazyWatched | undefined>(FRESH_LAZY_ROOM);
let freshLazyCount = 0;
/** How many times freshLazy was cleared for reuse since it was made (see _dropStartedCoroutines). */
let freshLazyReuses = 0;
const FRESH_LAZY_REUSES = 64;
/**
 * How many of freshLazy's coroutines have left LAZY_CREATED: nearly always
 * all of them by the time the list is looked at (each was awaited right
 * after it was made), and then nothing needs reading their states one by
 * one. Counted where they are resumed rather than made, so that making one
 * (inlined where the hot awaits are) stays as small as it was.
 */
let freshLazyResumed = 0;
let flushQueued = false;

const settled = Promise.resolve();

/**
 * Runs registerUnstarted once the current job ends. A reaction on a settled
 * promise rather than queueMicrotask(), which makes an AsyncResource and a
 * bound function per call (Node's lib/internal/process/task_queues.js):
 * about a third of this bookkeeping's cost per job in the streams echo server.
 */
function flushAtJobEnd(): void {
  flushQueued = true;
  void settled.then(registerUnstarted);
}

function registerUnstarted(): void {
  flushQueued = false;
  if (fresh.length !== 0) {
    const batch = fresh;
    fresh = [];
    for (const g of batch) {
      if (g[STARTED]) continue;
      const u: Unawaited = { name: g.__name__ ?? "coroutine", origin: g[ORIGIN] ?? null, started: false };
      g[RECORD] = u;
      unawaited.register(g, u);
    }
  }
  if (freshLazyCount !== 0) {
    const batch = freshLazy;
    const n = freshLazyCount;
    freshLazy = new Array<LazyWatched | undefined>(FRESH_LAZY_ROOM);
    freshLazyCount = freshLazyReuses = 0;
    const allResumed = freshLazyResumed === n;
    freshLazyResumed = 0;
    if (allResumed) return;
    for (let i = 0; i < n; i++) {
      const g = batch[i]!;
      if (g._state !== LAZY_CREATED) continue;
      const u: Unawaited = { name: g.__name__ ?? "coroutine", origin: g[ORIGIN] ?? null, started: false };
      g[RECORD] = u;
      g._state = LAZY_UNAWAITED;
      unawaited.register(g, u);
    }
  }
}

/**
 * @internal The loop calls this before it runs a batch of iterations
 * (core/base-events.ts): the coroutines made during the batch need no job-end
 * flush of their own, since _endCoroutineBatch() looks at them when the batch
 * ends and queues the flush only if some are left unstarted. That saves a
 * promise reaction and a microtask per job (~125 instructions in the streams
 * echo server, whose jobs hold one to a few requests). Returns whether a
 * flush was already queued, to be handed back to _endCoroutineBatch().
 */
export function _beginCoroutineBatch(): boolean {
  const queued = flushQueued;
  // Read by the watch functions as "a flush is on its way": the batch's end is.
  flushQueued = true;
  return queued;
}

/**
 * @internal The batch begun by _beginCoroutineBatch() ended (also by an
 * exception): the started coroutines leave the lists, and the job-end flush
 * is queued for those left unstarted, unless `queued` says it already was.
 */
export function _endCoroutineBatch(queued: boolean): void {
  _dropStartedCoroutines();
  if (queued) return;
  if (fresh.length !== 0 || freshLazyCount !== 0) flushAtJobEnd();
  else flushQueued = false;
}

/**
 * @internal The loop calls this after each iteration: the coroutines already
 * started leave the lists now rather than when the job ends. One Node job can
 * run many iterations (core/base-events.ts's batch), and what their
 * coroutines hold would otherwise stay reachable until it ends, surviving
 * scavenges into the old generation. Unstarted ones stay for the job's end.
 */
export function _dropStartedCoroutines(): void {
  const n = fresh.length;
  if (n !== 0) {
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const g = fresh[i]!;
      if (!g[STARTED]) fresh[kept++] = g;
    }
    fresh.length = kept;
  }
  const m = freshLazyCount;
  if (m !== 0) {
    const batch = freshLazy;
    if (freshLazyResumed === m) {
      // Cleared for the next batch, and replaced only every FRESH_LAZY_REUSES
      // batches: kept much longer, it would likely outlive two scavenges and
      // be old, and each coroutine put in it would cost a write barrier;
      // replaced every batch, it costs its own allocation and the barrier of
      // storing it (the streams echo server runs ~5 requests per batch).
      if (++freshLazyReuses === FRESH_LAZY_REUSES) {
        freshLazy = new Array<LazyWatched | undefined>(FRESH_LAZY_ROOM);
        freshLazyReuses = 0;
      } else {
        for (let i = 0; i < m; i++) batch[i] = undefined;
      }
      freshLazyCount = freshLazyResumed = 0;
      return;
    }
    let kept = 0;
    for (let i = 0; i < m; i++) {
      const g = batch[i]!;
      if (g._state === LAZY_CREATED) batch[kept++] = g;
    }
    for (let i = kept; i < m; i++) batch[i] = undefined;
    freshLazyCount = kept;
    freshLazyResumed = 0;
  }
}

/** @internal A LazyCoroutine's `_state` (core/tasks.ts) until it is first resumed. */
export const LAZY_CREATED = 0;
/**
 * @internal A LazyCoroutine's `_state` once the end of its job found it not
 * resumed: registered for the "never awaited" warning, so its first
 * resumption calls _lazyCoroutineStarted. Any other state means started.
 */
export const LAZY_UNAWAITED = -1;

/**
 * A coroutine written as an object (LazyCoroutine, core/tasks.ts): it says
 * itself whether it was started, so joining the check costs it no property.
 */
type LazyWatched = { _state: number; [RECORD]?: Unawaited; [ORIGIN]?: string; __name__?: string };

let captureOrigin: ((skip: number) => string) | null = null;

/**
 * @internal A running loop in debug mode records where coroutines are created
 * (sys.set_coroutine_origin_tracking_depth); it passes core/events.ts's captureStack.
 */
export function _setCoroutineOriginTracking(capture: ((skip: number) => string) | null): void {
  captureOrigin = capture;
}

const genProto = GeneratorPrototype as Watched;
const genNext = genProto.next;
const genThrow = genProto.throw;
const genReturn = genProto.return;

/** Marks a watched coroutine as started: it was awaited or scheduled, so no warning. */
function markStarted(g: Watched): void {
  g[STARTED] = true;
  const u = g[RECORD];
  if (u !== undefined) u.started = true;
}

/** A new generator coroutine of tsyncio's API joins the "never awaited" check (and, in debug mode, records where it was made). */
function watchCoroutine(g: Watched): void {
  g[STARTED] = false;
  if (captureOrigin !== null) g[ORIGIN] = captureOrigin(2);
  fresh.push(g);
  if (!flushQueued) flushAtJobEnd();
}

/**
 * @internal A new LazyCoroutine (its `_state` LAZY_CREATED) joins the "never
 * awaited" check; in debug mode it records where it was made, leaving out
 * `skip` frames of the code that made it, besides tsyncio's core.
 */
export function _watchLazyCoroutine(g: LazyWatched, skip: number): void {
  if (captureOrigin !== null) g[ORIGIN] = captureOrigin(4 + skip);
  freshLazy[freshLazyCount++] = g;
  if (!flushQueued) flushAtJobEnd();
}

/** @internal A LazyCoroutine leaves LAZY_CREATED: resumed (next, throw or return) in the job that made it. */
export function _lazyCoroutineResumed(): void {
  freshLazyResumed++;
}

/** @internal A LazyCoroutine in state LAZY_UNAWAITED is resumed (next, throw or return): no warning. */
export function _lazyCoroutineStarted(g: LazyWatched): void {
  const u = g[RECORD];
  if (u !== undefined) u.started = true;
}

/**
 * Makes the coroutines of a generator function awaitable from async functions
 * too: `await sleep(1)` wraps the coroutine in a Task on the running loop, while
 * `yield* sleep(1)` still runs it inline as Python's `await` does. A coroutine
 * collected without ever being started emits Python's RuntimeWarning.
 */
export function awaitableCoroutine<A extends unknown[], T>(genFn: (...args: A) => Coroutine<T>): (...args: A) => AwaitableCoroutine<T> {
  const proto = genFn.prototype as object;
  Object.defineProperties(proto, {
    then: {
      configurable: true,
      writable: true,
      value(this: Coroutine<T>, onF?: (v: T) => unknown, onR?: (e: unknown) => unknown) {
        return ensureFutureHook!(this).then(onF, onR);
      },
    },
    // core/tasks.ts names a Task's coroutine from `__name__` (`coro=<sleep()>`).
    __name__: { configurable: true, value: genFn.name },
    next: { configurable: true, writable: true, value(this: Watched, v?: unknown) { if (!this[STARTED]) markStarted(this); return genNext.call(this, v); } },
    throw: { configurable: true, writable: true, value(this: Watched, e?: unknown) { if (!this[STARTED]) markStarted(this); return genThrow.call(this, e); } },
    return: { configurable: true, writable: true, value(this: Watched, v?: unknown) { if (!this[STARTED]) markStarted(this); return genReturn.call(this, v as never); } },
  });
  const name = genFn.name;
  // `arguments` rather than a rest array: V8 forwards it to apply() without allocating.
  const make = function (this: unknown): AwaitableCoroutine<T> {
    // eslint-disable-next-line prefer-rest-params
    const g = genFn.apply(this, arguments as unknown as A) as Watched;
    watchCoroutine(g);
    return g as unknown as AwaitableCoroutine<T>;
  };
  Object.defineProperties(make, { name: { value: name }, _isCoroutine: { value: true } });
  return make as (...args: A) => AwaitableCoroutine<T>;
}

/**
 * A Python `async def` over an implementation that returns a Future or a
 * coroutine: the returned function makes a lazy coroutine named `name` that
 * calls `impl` only when it is first resumed, so nothing runs and no loop is
 * looked up until it is awaited or scheduled.
 */
export function asyncDef<A extends unknown[], T>(name: string, impl: (...args: A) => Iterable<unknown, T, unknown> & object): (...args: A) => AwaitableCoroutine<T> {
  const genFn = function* (this: unknown, ...args: A): Coroutine<T> {
    return yield* impl.apply(this, args);
  };
  Object.defineProperty(genFn, "name", { value: name });
  return awaitableCoroutine(genFn);
}
