import * as asyncio from "../../../src/index.js";
import { RuntimeError, ValueError } from "../../../src/index.js";
import type { AbstractEventLoop, ExceptionContext, ExceptionHandler, Future } from "../../../src/index.js";
import { print, en, keys, msg } from "./_util.js";

function bad(x: number) {
  throw new ValueError(`bad ${x}`);
}

function good() {
  print("good runs after bad");
}

class LookupError extends Error {}
LookupError.prototype.name = "LookupError";

function doneCb(f: Future<unknown>) {
  throw new LookupError("in done callback");
}

async function main() {
  const loop = asyncio.newEventLoop();
  print("default handler", loop.getExceptionHandler());

  const handler = (lp: AbstractEventLoop, ctx: ExceptionContext) => {
    print("handler", lp === loop, keys(ctx), msg(ctx), "exception" in ctx ? en(ctx.exception) : "-");
    if ("handle" in ctx) print("  handle type", ctx.handle!.constructor.name);
    if ("future" in ctx) print("  future type", ctx.future!.constructor.name);
  };

  loop.setExceptionHandler(handler);
  print("handler set", loop.getExceptionHandler() === handler);

  loop.callSoon(bad, 1);
  loop.callSoon(good);
  const fut = loop.createFuture();

  fut.addDoneCallback(doneCb);
  loop.callSoon(() => fut.setResult(undefined));
  loop.callSoon((c: ExceptionContext) => loop.callExceptionHandler(c), { message: "custom", answer: 42 });
  // Scheduled during the iteration that also schedules the done callback: it can only come after it.
  loop.callSoon(() => loop.callLater(0.001, bad, 2));
  loop.callLater(0.1, () => loop.stop());
  await loop.runForever();
  // A handler that raises: the loop logs and goes on.
  const raisingHandler = (lp: AbstractEventLoop, ctx: ExceptionContext) => {
    print("raising handler for", msg(ctx));
    throw new RuntimeError("handler failed");
  };
  loop.setExceptionHandler(raisingHandler);
  loop.callSoon(bad, 3);
  loop.callSoon(good);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  loop.setExceptionHandler(null);
  print("reset", loop.getExceptionHandler());
  try {
    loop.setExceptionHandler(42 as unknown as ExceptionHandler);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("not callable", e.name);
  }
  loop.close();
}

await main();
