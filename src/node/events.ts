import { once as nodeOnce, type EventEmitter } from "node:events";
import type { AwaitableCoroutine } from "../core/coroutines.js";
import { abortable } from "./promises.js";

/**
 * Waits for one `name` event of `emitter` and returns its arguments (as
 * node:events `once`; an `'error'` event raises instead). Cancelling the
 * waiting task removes the listener.
 */
export function once(emitter: EventEmitter | EventTarget, name: string | symbol): AwaitableCoroutine<unknown[]> {
  // node:events removes its listeners when the signal aborts: one mechanism for every abortable wait.
  return abortable((signal) => nodeOnce(emitter as EventEmitter, name, { signal }));
}
