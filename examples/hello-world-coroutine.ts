// The coroutine version of Hello World (the spec's seealso: a coroutine run with asyncio.run()).
// Run: node --import tsx examples/hello-world-coroutine.ts
import * as asyncio from "../src/index.js";

function* main(): asyncio.Coroutine<void> {
  console.log("hello");
  yield* asyncio.sleep(1);
  console.log("world");
}

await asyncio.run(main());
