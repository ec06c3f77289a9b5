import * as asyncio from "../../../src/index.js";
import { RuntimeError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en } from "./_util.js";

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const got: string[] = [];
  let done = loop.createFuture<void>();

  const handler = (name: string, n: number) => {
    got.push(`${name} ${n} running=${loop.isRunning() ? "True" : "False"}`);
    if (n === 2) done.setResult();
  };

  loop.addSignalHandler("SIGUSR1", handler, "usr1", 1);
  loop.addSignalHandler("SIGUSR2", handler, "usr2", 2);
  process.kill(process.pid, "SIGUSR1");
  yield* asyncio.sleep(0.05);
  process.kill(process.pid, "SIGUSR2");
  yield* done;
  print("handled", got);
  // Replacing a handler: the new one runs.
  loop.addSignalHandler("SIGUSR1", handler, "replaced", 2);
  done = loop.createFuture<void>();
  process.kill(process.pid, "SIGUSR1");
  yield* done;
  print("handled", got[got.length - 1]);
  print("remove", loop.removeSignalHandler("SIGUSR1"), loop.removeSignalHandler("SIGUSR1"));
  print("remove usr2", loop.removeSignalHandler("SIGUSR2"));
  for (const sig of ["SIGKILL", 12345] as const) {
    try {
      loop.addSignalHandler(sig, handler as (...a: unknown[]) => void);
    } catch (e) {
      if (!(e instanceof ValueError || e instanceof RuntimeError)) throw e;
      print("refused", sig === "SIGKILL" ? "SIGKILL" : "invalid", e.name);
    }
  }
  function* coro(): Coroutine<void> {}
  try {
    loop.addSignalHandler("SIGUSR1", coro as unknown as () => void);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("coroutine handler", en(e));
  }
}

await asyncio.run(main());
