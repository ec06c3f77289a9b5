import type { Coroutine } from "../core/coroutines.js";
import { _getRunningLoop, newEventLoop, type AbstractEventLoop } from "../core/events.js";
import { logger } from "../core/log.js";

// tsyncio inside an existing Node program (an http server's handler, an
// Express route, a CLI's callback). asyncio.run() there fails as soon as two
// calls overlap: one loop runs at a time. Instead every call submits its
// coroutine to one shared, long-lived loop. The loop runs while a submitted
// coroutine is in flight and stops when the last one ends, so it never keeps
// the process alive by itself; the next submit() starts it again.

let shared: AbstractEventLoop | null = null;
let inFlight = 0;
let driving = false;

/** The loop submit() runs coroutines on when no loop is running: created on first use, replaced if closed. */
export function sharedLoop(): AbstractEventLoop {
  if (shared === null || shared.isClosed()) shared = newEventLoop();
  return shared;
}

function drive(loop: AbstractEventLoop): void {
  if (driving) return;
  driving = true;
  loop.runForever().then(
    () => {
      driving = false;
      // Work submitted while the stop was pending: run again.
      if (inFlight > 0 && !loop.isClosed()) drive(loop);
    },
    (e: unknown) => {
      driving = false;
      logger.error("the shared loop of submit() failed", e);
    },
  );
}

/**
 * Runs `coro` as a Task and returns a Promise of its result, from any Node
 * callback: on the running loop if there is one, else on the shared loop,
 * started as needed. A failing or cancelled coroutine rejects only its own
 * Promise: `server.on("request", (req, res) => void submit(handle(req, res)))`.
 */
export function submit<T>(coro: Coroutine<T>): Promise<T> {
  const running = _getRunningLoop();
  const loop = running ?? sharedLoop();
  const task = loop.createTask(coro);
  const onShared = loop === shared;
  if (onShared) inFlight++;
  const result = new Promise<T>((resolve, reject) => {
    task.addDoneCallback((t) => {
      if (onShared && --inFlight === 0) loop.stop();
      if (t.cancelled()) {
        // result() raises the CancelledError, with the task's cancel message.
        try {
          t.result();
        } catch (e) {
          reject(e);
        }
        return;
      }
      const exc = t.exception();
      if (exc !== null) reject(exc);
      else resolve(t.result());
    });
  });
  if (onShared && !loop.isRunning()) drive(loop);
  return result;
}
