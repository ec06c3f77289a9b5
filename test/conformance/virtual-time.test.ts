// The virtual-time loop of asyncio.testing: a clock that jumps to the next timer when idle.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";
import { ValueError } from "../../src/index.js";

const { VirtualTimeLoop, newVirtualTimeLoop } = asyncio.testing;

test("the clock starts at 0 and jumps to each deadline; an hour of sleeping takes no real time", async () => {
  const wall = performance.now();
  const times = await asyncio.run((function* () {
    const loop = asyncio.getRunningLoop();
    const seen = [loop.time()];
    yield* asyncio.sleep(3600);
    seen.push(loop.time());
    yield* asyncio.sleep(0.5);
    seen.push(loop.time());
    return seen;
  })(), { loopFactory: newVirtualTimeLoop });
  assert.deepEqual(times, [0, 3600, 3600.5]);
  assert.ok(performance.now() - wall < 5000);
});

test("the clock does not move while callbacks are ready", async () => {
  const loop = new VirtualTimeLoop();
  const seen: number[] = [];
  let n = 0;
  const spin = (): void => {
    seen.push(loop.time());
    if (++n < 100) loop.callSoon(spin);
  };
  loop.callLater(10, () => loop.stop());
  loop.callSoon(spin);
  await loop.runForever();
  assert.ok(seen.every((t) => t === 0));
  assert.equal(loop.time(), 10);
  loop.close();
});

test("concurrent sleepers wake in deadline order, deterministically", async () => {
  const order = await asyncio.run((function* () {
    const out: string[] = [];
    const sleeper = function* (name: string, d: number): asyncio.Coroutine<void> {
      yield* asyncio.sleep(d);
      out.push(`${name}@${asyncio.getRunningLoop().time()}`);
    };
    yield* asyncio.gather(sleeper("c", 3), sleeper("a", 1), sleeper("b", 2), sleeper("a2", 1));
    return out;
  })(), { loopFactory: newVirtualTimeLoop });
  assert.deepEqual(order, ["a@1", "a2@1", "b@2", "c@3"]);
});

test("cancelled timers are skipped when jumping", async () => {
  const loop = new VirtualTimeLoop();
  const h = loop.callLater(5, () => assert.fail("cancelled timer ran"));
  loop.callLater(7, () => loop.stop());
  h.cancel();
  await loop.runForever();
  assert.equal(loop.time(), 7);
  loop.close();
});

test("advance() moves the clock by hand; with autoAdvance false only advance() moves it", async () => {
  const loop = new VirtualTimeLoop({ autoAdvance: false, start: 100 });
  assert.equal(loop.time(), 100);
  assert.throws(() => loop.advance(-1), ValueError);
  const fired: number[] = [];
  loop.callLater(1, () => fired.push(loop.time()));
  loop.callLater(3, () => {
    fired.push(loop.time());
    loop.stop();
  });
  const done = loop.runForever();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(fired, []);
  loop.advance(1);
  // advance() queued the loop's next iteration as an immediate; one queued after
  // it runs after it (a timer could fire first, before the check phase).
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(fired, [101]);
  loop.advance(5);
  await done;
  assert.deepEqual(fired, [101, 106]);
  loop.close();
});

test("real I/O still works on a virtual-time loop", async () => {
  const r = await asyncio.run((async () => {
    await new Promise((res) => setTimeout(res, 5));
    return asyncio.getRunningLoop().time();
  })(), { loopFactory: newVirtualTimeLoop });
  assert.equal(r, 0);
});
