/** A growable ring buffer: O(1) push at the back and shift at the front, no per-item allocation. */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap <<= 1;
    this.buf = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  /** The number of items. */
  get length(): number {
    return this.count;
  }

  /** Appends at the back. */
  push(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  /** Prepends at the front. */
  unshift(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = item;
    this.count++;
  }

  /** Removes and returns the front item (undefined when empty). */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return item;
  }

  /** Removes and returns the back item (undefined when empty). */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    this.count--;
    const i = (this.head + this.count) & this.mask;
    const item = this.buf[i];
    this.buf[i] = undefined;
    return item;
  }

  /** The front item without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  /** The item at index i from the front. */
  at(i: number): T | undefined {
    return i < 0 || i >= this.count ? undefined : this.buf[(this.head + i) & this.mask];
  }

  /** Removes the first item equal to `item`; returns whether one was found. */
  remove(item: T): boolean {
    for (let i = 0; i < this.count; i++) {
      if (this.buf[(this.head + i) & this.mask] === item) {
        for (let j = i; j < this.count - 1; j++) {
          this.buf[(this.head + j) & this.mask] = this.buf[(this.head + j + 1) & this.mask];
        }
        this.count--;
        this.buf[(this.head + this.count) & this.mask] = undefined;
        return true;
      }
    }
    return false;
  }

  /** Empties the deque. */
  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.buf[(this.head + i) & this.mask] as T;
  }

  private grow(): void {
    const old = this.buf;
    const n = old.length;
    const next = new Array<T | undefined>(n * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (n - 1)];
    this.buf = next;
    this.head = 0;
    this.mask = n * 2 - 1;
  }
}
