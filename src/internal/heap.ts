/** A binary min-heap ordered by a comparison function (Python's heapq, as a class). */
export class Heap<T> {
  /** The items in heap order; index 0 is the smallest. */
  readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  /** The number of items. */
  get length(): number {
    return this.items.length;
  }

  /** The smallest item without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds an item. */
  push(item: T): void {
    const a = this.items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(item, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = item;
  }

  /** Removes and returns the smallest item. */
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) this.siftDown(last, 0);
    return top;
  }

  /** Rebuilds the heap after `items` was filtered in place (heapify). */
  heapify(): void {
    const a = this.items;
    for (let i = (a.length >> 1) - 1; i >= 0; i--) this.siftDown(a[i]!, i);
  }

  /** Removes every item. */
  clear(): void {
    this.items.length = 0;
  }

  private siftDown(item: T, i: number): void {
    const a = this.items;
    const n = a.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(a[c + 1]!, a[c]!)) c++;
      if (!this.less(a[c]!, item)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = item;
  }
}
