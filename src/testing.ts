import type { EventLoopOptions } from "./core/base-events.js";
import { SelectorEventLoop } from "./loop.js";
import { ValueError } from "./stdlib/exceptions.js";

// A loop whose clock is virtual, for tests: time moves only when the loop has
// nothing left to do but wait for a timer, so hour-long sleeps and timeouts
// run in microseconds and always in the same order.

/** Options of VirtualTimeLoop. */
export interface VirtualTimeLoopOptions extends EventLoopOptions {
  /**
   * Jump the clock to the next timer whenever the loop would otherwise sleep
   * (default true). With false, time moves only through advance().
   */
  autoAdvance?: boolean;
  /** The clock's starting value in seconds (default 0). */
  start?: number;
}

/**
 * An event loop with a virtual clock (Python's `test_utils.TestLoop`, made
 * usable as a real loop). `time()` starts at 0 and never follows the wall
 * clock: whenever no callback is ready and the loop would sleep until its
 * next timer, the clock jumps straight to that timer's deadline and the loop
 * runs its next iteration at once (on the next Node macrotask). So
 * `sleep(3600)`, timeouts and `waitFor` complete in microseconds, in a
 * deterministic order, and a timer still never fires before its deadline.
 *
 * Real I/O still works: sockets, pipes, processes and Node callbacks are
 * polled between iterations as on any loop. But the clock jumps whenever the
 * loop would otherwise sleep, even if I/O that is really in flight would have
 * arrived first, so code that races real I/O against a timer sees the timer
 * win. With `{ autoAdvance: false }` the clock moves only through advance().
 */
export class VirtualTimeLoop extends SelectorEventLoop {
  private _now: number;
  private readonly _autoAdvance: boolean;
  private readonly _virtualTick = (): void => {
    this._immediate = null;
    if (!this._running) return;
    if (this._autoAdvance && this._ready.length === 0) {
      const next = this._nextDeadline();
      if (next !== null && next > this._now) this._now = next;
    }
    this._iterateBound();
  };

  constructor(options?: VirtualTimeLoopOptions) {
    super(options);
    this._now = options?.start ?? 0;
    this._autoAdvance = options?.autoAdvance ?? true;
  }

  /** The virtual clock, in seconds. */
  override time(): number {
    return this._now;
  }

  /**
   * Moves the clock forward by `seconds` (ValueError if negative); timers that
   * become due run on the loop's next iteration (at once if it is running).
   */
  advance(seconds: number): void {
    if (typeof seconds !== "number" || Number.isNaN(seconds)) throw new TypeError("seconds must be a number");
    if (seconds < 0) throw new ValueError("cannot move the clock backwards");
    this._now += seconds;
    if (this._running && this._immediate === null && this._scheduled.length > 0) {
      this._immediate = setImmediate(this._virtualTick);
    }
  }

  /** Instead of arming a Node timer, runs the next iteration at once; the clock jumps there if nothing else became ready. */
  protected override _armTimer(_when: number): void {
    if (!this._autoAdvance) return;
    if (this._immediate === null) this._immediate = setImmediate(this._virtualTick);
  }

  /** The deadline of the earliest timer that is not cancelled, or null (cancelled ones on top are purged, as _runOnce does). */
  private _nextDeadline(): number | null {
    const sched = this._scheduled;
    while (sched.length > 0 && sched.peek()!._cancelled) {
      this._timerCancelledCount--;
      sched.pop()!._scheduled = false;
    }
    return sched.length > 0 ? sched.peek()!._when : null;
  }
}

/** A new VirtualTimeLoop (usable as `run(main, { loopFactory: newVirtualTimeLoop })`). */
export function newVirtualTimeLoop(options?: VirtualTimeLoopOptions): VirtualTimeLoop {
  return new VirtualTimeLoop(options);
}
