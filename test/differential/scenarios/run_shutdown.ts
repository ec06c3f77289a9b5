import * as asyncio from "../../../src/index.js";
import { CancelledError, RuntimeError, ValueError } from "../../../src/index.js";
import type { AbstractEventLoop, Coroutine, ExceptionContext } from "../../../src/index.js";
import { print, en, keys, msg } from "./_util.js";

// run() cancels the leftover tasks in all_tasks() order, a set's order in CPython: so each task's events
// are kept apart and printed per task, with the step (iteration) each happened in.
const events = new Map<string, string[]>();
let step = 0;

function note(name: string, what: string) {
  if (!events.has(name)) events.set(name, []);
  events.get(name)!.push(`${what} @step${step}`);
}

function tick(loop: AbstractEventLoop) {
  step += 1;
  loop.callSoon(tick, loop);
}

function* background(name: string, options: { catch_?: boolean; raiseAfter?: Error } = {}): Coroutine<string> {
  try {
    yield* asyncio.sleep(10);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    note(name, `cancelled ${en(e)}`);
    if (options.raiseAfter) throw options.raiseAfter;
    if (!options.catch_) throw e;
    return "ignored";
  } finally {
    note(name, "finally");
    yield* asyncio.sleep(0);
    note(name, "finally after await");
  }
  return "";
}

function* main(): Coroutine<string> {
  const loop = asyncio.getRunningLoop();

  const handler = (lp: AbstractEventLoop, ctx: ExceptionContext) => {
    print("handler:", keys(ctx), msg(ctx), "exception" in ctx ? en(ctx.exception) : "-");
  };

  loop.setExceptionHandler(handler);
  loop.callSoon(tick, loop);
  asyncio.createTask(background("b1"), { name: "b1" });
  asyncio.createTask(background("b2", { catch_: true }), { name: "b2" });
  asyncio.createTask(background("b3", { raiseAfter: new ValueError("in cleanup") }), { name: "b3" });
  yield* asyncio.sleep(0);
  print("main returns");
  return "main result";
}

print("run ->", await asyncio.run(main()));
for (const name of [...events.keys()].sort()) print(name, events.get(name));
// asyncio.run inside a running loop is refused.

function* nested(): Coroutine<void> {
  const coro = asyncio.sleep(0);
  try {
    void asyncio.run(coro);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("nested run", en(e));
    coro.return(undefined);
  }
}

await asyncio.run(nested());
// The main coroutine raises: the exception comes out of run().
function* failing(): Coroutine<void> {
  throw new ValueError("main failed");
}
try {
  await asyncio.run(failing());
} catch (e) {
  if (!(e instanceof ValueError)) throw e;
  print("run raised", en(e));
}
// Runner: two runs on one loop share it.
{
  const runner = new asyncio.Runner();
  function* getLoop(): Coroutine<AbstractEventLoop> {
    return asyncio.getRunningLoop();
  }
  print("same loop", (await runner.run(getLoop())) === (await runner.run(getLoop())));
  await runner.close();
}
try {
  await asyncio.run(42 as unknown as Coroutine<void>);
} catch (e) {
  if (!(e instanceof ValueError)) throw e;
  print("not a coroutine", en(e));
}
