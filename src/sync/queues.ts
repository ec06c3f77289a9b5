import { QueueEmpty, QueueFull, QueueShutDown, ValueError } from "../stdlib/exceptions.js";
import type { Future } from "../core/futures.js";
import { reprValue } from "../core/events.js";
import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";
import { Deque } from "../internal/deque.js";
import { Event } from "./locks.js";
import { LoopBoundMixin } from "./mixins.js";

// queues.py (3.13, with shutdown()): Queue, PriorityQueue, LifoQueue.

/** What a queue keeps its items in: its size and iteration order are shown by qsize() and the repr. */
interface QueueStorage<T> extends Iterable<T> {
  readonly length: number;
}

const queuePut = awaitableCoroutine(function* put<T>(self: Queue<T>, item: T): Coroutine<void> {
  while (self.full()) {
    if (self._isShutdown) throw new QueueShutDown();
    const putter = self._getLoop().createFuture<void>();
    self._putters.push(putter);
    try {
      yield* putter;
    } catch (e) {
      putter.cancel();
      // A getNowait() or shutdown() may have removed it already.
      self._putters.remove(putter);
      // Woken by a get but leaving without putting: hand the free slot to the next putter.
      if (!self.full() && !putter.cancelled()) self._wakeupNext(self._putters);
      throw e;
    }
  }
  self.putNowait(item);
}) as <T>(self: Queue<T>, item: T) => AwaitableCoroutine<void>;

const queueGet = awaitableCoroutine(function* get<T>(self: Queue<T>): Coroutine<T> {
  while (self.empty()) {
    if (self._isShutdown) throw new QueueShutDown();
    const getter = self._getLoop().createFuture<void>();
    self._getters.push(getter);
    try {
      yield* getter;
    } catch (e) {
      getter.cancel();
      self._getters.remove(getter);
      // Woken by a put but leaving without taking: hand the item to the next getter.
      if (!self.empty() && !getter.cancelled()) self._wakeupNext(self._getters);
      throw e;
    }
  }
  return self.getNowait();
}) as <T>(self: Queue<T>) => AwaitableCoroutine<T>;

const queueJoin = awaitableCoroutine(function* join(self: Queue<unknown>): Coroutine<void> {
  if (self._unfinishedTasks > 0) yield* self._finished.wait();
});

/**
 * A FIFO queue for producer and consumer tasks (asyncio.Queue). `maxsize` <= 0
 * means unbounded; otherwise put() waits while the queue holds `maxsize` items.
 */
export class Queue<T = unknown> extends LoopBoundMixin {
  /** @internal */ readonly _maxsize: number;
  /** @internal Futures of the tasks blocked in get(). */
  _getters = new Deque<Future<void>>();
  /** @internal Futures of the tasks blocked in put(). */
  _putters = new Deque<Future<void>>();
  /** @internal */ _unfinishedTasks = 0;
  /** @internal */ readonly _finished = new Event();
  /** @internal */ _isShutdown = false;
  /** @internal The items; subclasses choose the structure in `_init`. */
  _queue!: QueueStorage<T>;

  constructor(maxsize = 0) {
    super();
    this._maxsize = maxsize;
    this._finished.set();
    this._init(maxsize);
  }

  /** @internal Creates the storage (overridable, as Python's `_init`). */
  _init(_maxsize: number): void {
    this._queue = new Deque<T>();
  }

  /** @internal Removes the next item (overridable). */
  _get(): T {
    return (this._queue as Deque<T>).shift() as T;
  }

  /** @internal Stores an item (overridable). */
  _put(item: T): void {
    (this._queue as Deque<T>).push(item);
  }

  /** @internal Wakes the first waiter that is not done yet, dropping it from the queue. */
  _wakeupNext(waiters: Deque<Future<void>>): void {
    while (waiters.length > 0) {
      const waiter = waiters.shift()!;
      if (!waiter.done()) {
        waiter.setResult(undefined);
        break;
      }
    }
  }

  /** The number of items in the queue. */
  qsize(): number {
    return this._queue.length;
  }

  /** The capacity given to the constructor (<= 0: unbounded). */
  get maxsize(): number {
    return this._maxsize;
  }

  /** Whether the queue holds no item. */
  empty(): boolean {
    return this._queue.length === 0;
  }

  /** Whether the queue holds `maxsize` items (never for an unbounded queue). */
  full(): boolean {
    if (this._maxsize <= 0) return false;
    return this.qsize() >= this._maxsize;
  }

  /** Puts an item, waiting for a free slot; QueueShutDown once the queue is shut down. */
  put(item: T): AwaitableCoroutine<void> {
    return queuePut(this, item);
  }

  /** Puts an item without waiting: QueueFull if there is no free slot, QueueShutDown if shut down. */
  putNowait(item: T): void {
    if (this._isShutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this._put(item);
    this._unfinishedTasks += 1;
    this._finished.clear();
    this._wakeupNext(this._getters);
  }

  /**
   * Removes and returns an item, waiting for one; QueueShutDown when the queue
   * is shut down and empty (or was shut down with `immediate`).
   */
  get(): AwaitableCoroutine<T> {
    return queueGet(this);
  }

  /** Removes and returns an item without waiting: QueueEmpty, or QueueShutDown if shut down and empty. */
  getNowait(): T {
    if (this.empty()) {
      if (this._isShutdown) throw new QueueShutDown();
      throw new QueueEmpty();
    }
    const item = this._get();
    this._wakeupNext(this._putters);
    return item;
  }

  /** Marks one fetched item as processed (for join()); ValueError if called more often than items were put. */
  taskDone(): void {
    if (this._unfinishedTasks <= 0) throw new ValueError("task_done() called too many times");
    this._unfinishedTasks -= 1;
    if (this._unfinishedTasks === 0) this._finished.set();
  }

  /** Waits until every item put has been marked done with taskDone(). */
  join(): AwaitableCoroutine<void> {
    return queueJoin(this);
  }

  /**
   * Shuts the queue down: put() and putNowait() raise QueueShutDown, and so do
   * get() and getNowait() once the queue is empty. With `immediate` the queue
   * is emptied at once (each dropped item counts as done for join()). Every
   * blocked put() and get() wakes up to re-check.
   */
  shutdown(immediate = false): void {
    this._isShutdown = true;
    if (immediate) {
      while (!this.empty()) {
        this._get();
        if (this._unfinishedTasks > 0) this._unfinishedTasks -= 1;
      }
      if (this._unfinishedTasks === 0) this._finished.set();
    }
    while (this._getters.length > 0) {
      const getter = this._getters.shift()!;
      if (!getter.done()) getter.setResult(undefined);
    }
    while (this._putters.length > 0) {
      const putter = this._putters.shift()!;
      if (!putter.done()) putter.setResult(undefined);
    }
  }

  /** @internal Python's `_format`. */
  _format(): string {
    let result = `maxsize=${reprValue(this._maxsize)}`;
    if (this._queue.length > 0) result += ` _queue=[${Array.from(this._queue, reprItem).join(", ")}]`;
    if (this._getters.length > 0) result += ` _getters[${this._getters.length}]`;
    if (this._putters.length > 0) result += ` _putters[${this._putters.length}]`;
    if (this._unfinishedTasks) result += ` tasks=${this._unfinishedTasks}`;
    if (this._isShutdown) result += " shutdown";
    return result;
  }

  /** Python's str: `<Queue maxsize=0 _queue=[1, 2] tasks=2>`. */
  override toString(): string {
    return `<${this.constructor.name} ${this._format()}>`;
  }
}

function reprItem(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(reprItem).join(", ")}]` : reprValue(v);
}

// ---- PriorityQueue ----------------------------------------------------------

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "tuple";
  return (v as object).constructor?.name ?? typeof v;
}

function isNumeric(v: unknown): v is number | bigint | boolean {
  return typeof v === "number" || typeof v === "bigint" || typeof v === "boolean";
}

/** Python's `==` for the values the ordering supports (identity for anything else). */
function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) {
    // Loose equality is Python's here: 1 == 1n == true.
    return a == b;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i], b[i])) return false;
    return true;
  }
  return false;
}

/** Python's ordering of str: by code point (JavaScript's `<` compares UTF-16 units). */
function stringLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (astral code points) sort differently from their UTF-16 units.
    if ((x & 0xf800) === 0xd800 || (y & 0xf800) === 0xd800) {
      return (a.codePointAt(i) ?? 0) < (b.codePointAt(i) ?? 0);
    }
    return x < y;
  }
  return a.length < b.length;
}

/**
 * Python's `a < b` for the items of a PriorityQueue: numbers (and bigints and
 * booleans, which Python treats as ints) compare numerically, strings by code
 * point, arrays lexicographically like Python tuples (the first unequal
 * elements decide, else the shorter one is smaller), so `[priority, item]`
 * entries work as in Python. Any other pair raises TypeError, as Python does
 * for unorderable types (for example two entries with equal priorities whose
 * items are plain objects).
 */
export function pyLess(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return a < b;
  if (typeof a === "string" && typeof b === "string") return stringLess(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!pyEquals(a[i], b[i])) return pyLess(a[i], b[i]);
    }
    return a.length < b.length;
  }
  throw new TypeError(`'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** A Queue that returns the smallest item first (asyncio.PriorityQueue), ordered by `pyLess`, in a binary heap. */
export class PriorityQueue<T = unknown> extends Queue<T> {
  declare _queue: T[];

  override _init(_maxsize: number): void {
    this._queue = [];
  }

  /** @internal heapq.heappush; a TypeError from the comparison leaves the heap unchanged. */
  override _put(item: T): void {
    const heap = this._queue;
    // Find the slot first, so an unorderable item raises before anything moves.
    let pos = heap.length;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!pyLess(item, heap[parent])) break;
      pos = parent;
    }
    let i = heap.length;
    heap.push(item);
    while (i > pos) {
      const parent = (i - 1) >> 1;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[pos] = item;
  }

  /** @internal heapq.heappop: the hole at the root descends to a leaf, then the last item rises into place. */
  override _get(): T {
    const heap = this._queue;
    const last = heap.pop()!;
    if (heap.length === 0) return last;
    const top = heap[0]!;
    const end = heap.length;
    let pos = 0;
    let child = 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !pyLess(heap[child], heap[right])) child = right;
      heap[pos] = heap[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!pyLess(last, heap[parent])) break;
      heap[pos] = heap[parent]!;
      pos = parent;
    }
    heap[pos] = last;
    return top;
  }
}

/** A Queue that returns the most recently added item first (asyncio.LifoQueue). */
export class LifoQueue<T = unknown> extends Queue<T> {
  declare _queue: T[];

  override _init(_maxsize: number): void {
    this._queue = [];
  }

  /** @internal */
  override _put(item: T): void {
    this._queue.push(item);
  }

  /** @internal */
  override _get(): T {
    return this._queue.pop()!;
  }
}
