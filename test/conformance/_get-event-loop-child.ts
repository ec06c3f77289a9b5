// The child-process side of test_events.py GetEventLoopTestsMixin.test_get_event_loop_new_process:
// run by a ProcessPoolExecutor in a child process, it makes that process's own
// loop, sets it as current and runs a coroutine on it (Python's
// _test_get_event_loop_new_process__sub_proc). A module of its own so the worker loads only this.
import * as asyncio from "../../src/index.js";

export async function getEventLoopNewProcessSubProc(): Promise<string> {
  function* doit(): asyncio.Coroutine<string> {
    return "hello";
  }
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  try {
    return await loop.runUntilComplete(doit());
  } finally {
    loop.close();
  }
}
