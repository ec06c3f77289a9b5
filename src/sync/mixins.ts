import { inspectRepr } from "../internal/pyrepr.js";
import { RuntimeError } from "../stdlib/exceptions.js";
import { _getRunningLoop, type AbstractEventLoop } from "../core/events.js";

// mixins.py: primitives are created outside any loop and bind to the first
// running loop that makes them wait, so that one primitive never mixes futures
// of two loops (a Task would refuse them with a less helpful message).

/** Base of the loop-bound primitives (Python's `_LoopBoundMixin`). */
export class LoopBoundMixin {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** @internal The loop this object is bound to (null until its first wait). */
  _loop: AbstractEventLoop | null = null;

  /** @internal The running loop, binding the object to it; RuntimeError when it is bound to another loop. */
  _getLoop(): AbstractEventLoop {
    const loop = _getRunningLoop();
    if (this._loop === null) this._loop = loop;
    if (loop !== this._loop) throw new RuntimeError(`${String(this)} is bound to a different event loop`);
    if (loop === null) throw new RuntimeError("no running event loop");
    return loop;
  }
}
