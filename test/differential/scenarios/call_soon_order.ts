import * as asyncio from "../../../src/index.js";
import { print } from "./_util.js";

async function main() {
  const loop = asyncio.newEventLoop();

  const cb = (name: string, again?: string) => {
    print("cb", name);
    if (again) loop.callSoon(cb, again);
  };

  loop.callSoon(cb, "a", "a2");
  loop.callSoon(cb, "b");
  loop.callLater(0, cb, "later0");
  loop.callSoon(cb, "c", "c2");
  loop.callSoon(() => loop.stop());
  loop.callSoon(cb, "after-stop");
  await loop.runForever();
  print("first run_forever returned");
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  print("second run_forever returned");
  loop.close();
  print("closed", loop.isClosed());
}

await main();
