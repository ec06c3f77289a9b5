// Set signal handlers for SIGINT and SIGTERM (the asyncio documentation's
// "signals" example; Unix only).
// Run: node --import tsx examples/signals.ts   (then Ctrl+C, or kill -TERM <pid>)
//
// As in Python, the handler stops the loop while asyncio.run() still waits
// for main(), so run() ends with "RuntimeError: Event loop stopped before
// Future completed."
import * as asyncio from "../src/index.js";
import type { AbstractEventLoop, Coroutine } from "../src/index.js";

function askExit(signame: string, loop: AbstractEventLoop): void {
  console.log(`got signal ${signame}: exit`);
  loop.stop();
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();

  for (const signame of new Set(["SIGINT", "SIGTERM"])) {
    loop.addSignalHandler(signame, askExit, signame, loop);
  }

  // Python prints these two lines before asyncio.run(); here they come once
  // the handlers are in place, so a signal sent on seeing the pid is handled.
  console.log("Event loop running for 1 hour, press Ctrl+C to interrupt.");
  console.log(`pid ${process.pid}: send SIGINT or SIGTERM to exit.`);

  yield* asyncio.sleep(3600);
}

try {
  await asyncio.run(main());
} catch (e) {
  console.error(`${(e as Error).name}: ${(e as Error).message}`);
  process.exitCode = 1;
}
