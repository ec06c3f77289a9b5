import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";
import { wrapFuture } from "../core/futures.js";
import { QueueShutDown, StopAsyncIteration } from "../stdlib/exceptions.js";
import { Queue } from "../sync/queues.js";

// `async for` inside a coroutine. A generator cannot `for await`, and a
// synchronous for-of cannot suspend between items, so tsyncio takes Python's
// own protocol: an async iterator's `__anext__()` is a coroutine that raises
// StopAsyncIteration at the end, `aiter()` and `anext()` are Python's builtins,
// and the loop is spelled with anext's default:
//   for (let line; (line = yield* anext(it, null)) !== null;) { ... }

/** Python's async iterator: `__anext__()` returns the next item, or raises StopAsyncIteration. */
export interface AsyncIteratorLike<T> {
  /** The next item; StopAsyncIteration when there is none. */
  __anext__(): Coroutine<T>;
}

/** Python's async iterable: `__aiter__()` returns its async iterator. */
export interface AsyncIterableLike<T> {
  /** A new (or the same) async iterator. */
  __aiter__(): AsyncIteratorLike<T>;
}

/** What aiter() accepts. */
export type AsyncIterableSource<T> = AsyncIterableLike<T> | AsyncIteratorLike<T> | Queue<T> | AsyncIterable<T>;

/** A JavaScript async iterator (node:events `on`, a Node Readable, an async generator) as Python's protocol. */
class PromiseIterator<T> implements AsyncIteratorLike<T> {
  constructor(private readonly _it: AsyncIterator<T>) {}

  *__anext__(): Coroutine<T> {
    const fut = wrapFuture(this._it.next());
    let r: IteratorResult<T>;
    try {
      r = yield* fut;
    } finally {
      // Left without the item (cancelled): the iterator is closed, so that an
      // event iterator removes its listener and an item is never lost in a
      // next() nobody waits for.
      if (!fut.done() || fut.cancelled()) Promise.resolve(this._it.return?.()).catch(() => {});
    }
    if (r.done === true) throw new StopAsyncIteration();
    return r.value;
  }
}

/** A Queue's items, until it is shut down and empty (QueueShutDown ends the iteration). */
class QueueIterator<T> implements AsyncIteratorLike<T> {
  constructor(private readonly _queue: Queue<T>) {}

  *__anext__(): Coroutine<T> {
    try {
      return yield* this._queue.get();
    } catch (e) {
      if (e instanceof QueueShutDown) throw new StopAsyncIteration();
      throw e;
    }
  }
}

/**
 * Python's `aiter(obj)`: the async iterator of an object with `__aiter__` (a
 * StreamReader's lines), of a Queue (its items until shutdown()), or of any
 * JavaScript async iterable (node:events `on()`, a Node Readable).
 */
export function aiter<T>(obj: AsyncIterableSource<T>): AsyncIteratorLike<T> {
  if (obj instanceof Queue) return new QueueIterator(obj as Queue<T>);
  const o = obj as Partial<AsyncIterableLike<T> & AsyncIteratorLike<T> & AsyncIterable<T>>;
  if (typeof o.__aiter__ === "function") return o.__aiter__();
  if (typeof o.__anext__ === "function") return o as AsyncIteratorLike<T>;
  const asyncIterator = o[Symbol.asyncIterator];
  if (typeof asyncIterator === "function") return new PromiseIterator(asyncIterator.call(o));
  throw new TypeError(`'${obj === null ? "NoneType" : typeof obj}' object is not an async iterable`);
}

const NO_DEFAULT: unique symbol = Symbol("no default");

function* anextGen<T, D>(it: AsyncIteratorLike<T>, dflt: D | typeof NO_DEFAULT): Coroutine<T | D> {
  try {
    return yield* it.__anext__();
  } catch (e) {
    if (dflt !== NO_DEFAULT && e instanceof StopAsyncIteration) return dflt;
    throw e;
  }
}

const anextCoro = awaitableCoroutine(anextGen);

/** Python's `anext(it)`: the next item; StopAsyncIteration at the end. */
export function anext<T>(it: AsyncIteratorLike<T>): AwaitableCoroutine<T>;
/** Python's `anext(it, default)`: the next item, or `dflt` at the end. */
export function anext<T, D>(it: AsyncIteratorLike<T>, dflt: D): AwaitableCoroutine<T | D>;
export function anext<T, D>(it: AsyncIteratorLike<T>, ...dflt: [D?]): AwaitableCoroutine<T | D> {
  if (typeof (it as Partial<AsyncIteratorLike<T>> | null)?.__anext__ !== "function") {
    throw new TypeError(`'${it === null ? "NoneType" : typeof it}' object is not an async iterator`);
  }
  return anextCoro(it, dflt.length > 0 ? (dflt[0] as D) : NO_DEFAULT) as AwaitableCoroutine<T | D>;
}
