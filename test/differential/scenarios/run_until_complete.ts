import * as asyncio from "../../../src/index.js";
import { RuntimeError, ValueError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print, en } from "./_util.js";

async function main() {
  const loop = asyncio.newEventLoop();
  const fut = loop.createFuture<number>();
  loop.callSoon((v: number) => fut.setResult(v), 42);
  print("result", await loop.runUntilComplete(fut));
  // An already-done future: still returns its result.
  print("again", await loop.runUntilComplete(fut));
  // stop() before the future completes.
  const fut2 = loop.createFuture();
  loop.callSoon(() => loop.stop());
  try {
    await loop.runUntilComplete(fut2);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("stopped early", en(e));
  }
  print("fut2 done", fut2.done());
  // A coroutine is wrapped in a task; its exception propagates.
  function* boom(): Coroutine<void> {
    yield* asyncio.sleep(0);
    throw new ValueError("boom");
  }
  try {
    await loop.runUntilComplete(boom());
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("raised", en(e));
  }
  // stop() inside run_until_complete of a running loop's callback chain, then run_forever picks up.
  const cb = (n: number) => {
    print("cb", n);
  };
  loop.callSoon(cb, 1);
  loop.callSoon(() => loop.stop());
  loop.callSoon(cb, 2);
  await loop.runForever();
  print("is_running after", loop.isRunning());
  // A running loop refuses to run again.
  function* nested(): Coroutine<void> {
    try {
      void loop.runUntilComplete(asyncio.sleep(0));
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      print("nested", en(e));
    }
    try {
      void loop.runForever();
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      print("nested forever", en(e));
    }
  }
  const coro = nested();
  await loop.runUntilComplete(coro);
  loop.close();
  try {
    loop.callSoon(cb, 3);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("closed", en(e));
  }
  try {
    await loop.runForever();
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("closed run", en(e));
  }
  loop.close();
  print("close twice ok");
}

await main();
