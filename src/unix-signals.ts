import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { Callback } from "./events.js";

// unix_events.py, signal part: addSignalHandler/removeSignalHandler. (Being written.)

export function addSignalHandler(_loop: BaseEventLoop, _sig: number | string, _cb: Callback, _args: unknown[]): void {
  throw new NotImplementedError("addSignalHandler is not implemented yet");
}
export function removeSignalHandler(_loop: BaseEventLoop, _sig: number | string): boolean {
  throw new NotImplementedError("removeSignalHandler is not implemented yet");
}
