import * as asyncio from "../../../src/index.js";
import type { Handle } from "../../../src/index.js";
import { print } from "./_util.js";

async function main() {
  const loop = asyncio.newEventLoop();

  const cb = (name: string) => {
    print("cb", name);
  };

  const h1 = loop.callSoon(cb, "h1");
  const h2 = loop.callSoon(cb, "h2");
  const t1 = loop.callLater(0.01, cb, "t1");
  const t2 = loop.callLater(0.01, cb, "t2");
  print("types", h1.constructor.name, t1.constructor.name);
  h2.cancel();
  print("h2 cancelled", h2.cancelled(), "h1 cancelled", h1.cancelled());
  h2.cancel();

  const canceller = () => {
    print("canceller runs");
    h3.cancel();
    t2.cancel();
    // Cancelling a handle that already ran has no effect.
    h1.cancel();
    print("h1 cancelled after run", h1.cancelled());
  };

  loop.callSoon(canceller);
  const h3: Handle = loop.callSoon(cb, "h3");
  loop.callLater(0.02, () => loop.stop());
  await loop.runForever();
  print("t2 cancelled", t2.cancelled(), "t1 cancelled", t1.cancelled());
  loop.close();
}

await main();
