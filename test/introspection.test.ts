// formatTaskTree()/printTaskTree(): the tree of who awaits whom, and run()'s debug-mode SIGUSR2 dump.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

/** Gives a coroutine the name task reprs show (a generator object does not know its function's name). */
function named<T>(coro: Coroutine<T>, name: string): Coroutine<T> {
  Object.defineProperty(coro, "__name__", { value: name });
  return coro;
}

function* leaf(): Coroutine<void> {
  yield* asyncio.sleep(3600);
}

/** Creates a known set of tasks on the running loop, lets them suspend, then returns them. */
function* scenario(): Coroutine<asyncio.Task<unknown>[]> {
  const loop = asyncio.getRunningLoop();
  const fut = loop.createFuture<void>();
  const a = asyncio.createTask(named((function* () { yield* fut; })(), "waitFut"), { name: "a" });
  const b = asyncio.createTask(named(leaf(), "leaf"), { name: "b" });
  const c = asyncio.createTask(named((function* () { yield* asyncio.gather(a, b); })(), "gatherer"), { name: "c" });
  const s = asyncio.createTask(named((function* () {
    yield* asyncio.shield(asyncio.createTask(named(leaf(), "leaf"), { name: "inner" }));
  })(), "shielder"), { name: "s" });
  const g = asyncio.createTask(named((function* () {
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(named(leaf(), "leaf"), { name: "g1" });
      tg.createTask(named(leaf(), "leaf"), { name: "g2" });
    });
  })(), "grouper"), { name: "g" });
  const x = asyncio.createTask(named(leaf(), "leaf"), { name: "x" });
  const w = asyncio.createTask(named((function* () { yield* asyncio.waitFor(x, 100); })(), "waiter"), { name: "w" });
  for (let i = 0; i < 5; i++) yield* asyncio.sleep(0);
  return [a, b, c, s, g, x, w];
}

function* cleanup(): Coroutine<void> {
  const me = asyncio.currentTask();
  const rest = [...asyncio.allTasks()].filter((t) => t !== me);
  for (const t of rest) t.cancel();
  yield* asyncio.gather(...rest, { returnExceptions: true });
}

const EXPECTED = `├── (T) main main() running
├── (T) c gatherer() waiting on gather(Task 'a', Task 'b')
│   ├── (T) a waitFut() waiting on <Future pending>
│   └── (T) b leaf() waiting on <Future pending>
├── (T) s shielder() waiting on shield(Task 'inner')
│   └── (T) inner leaf() waiting on <Future pending>
├── (T) g grouper() waiting on <TaskGroup tasks=2 entered> exit
│   ├── (T) g1 leaf() waiting on <Future pending>
│   └── (T) g2 leaf() waiting on <Future pending>
└── (T) w waiter() waiting on Task 'x'
    └── (T) x leaf() waiting on <Future pending>
`;

test("formatTaskTree draws who awaits whom: gather, shield, TaskGroup and waitFor children", async () => {
  const loop = asyncio.newEventLoop();
  loop.setDebug(false);
  try {
    const result = await loop.runUntilComplete(loop.createTask(named((function* () {
      yield* scenario();
      const text = asyncio.formatTaskTree();
      const chunks: string[] = [];
      asyncio.printTaskTree(loop, { write: (s: string) => chunks.push(s) });
      yield* cleanup();
      return [text, chunks.join(""), asyncio.formatTaskTree(loop)];
    })(), "main"), { name: "main" }));
    assert.equal(result[0], EXPECTED);
    assert.equal(result[1], EXPECTED);
    // Only main is left, running.
    assert.equal(result[2], "└── (T) main main() running\n");
  } finally {
    loop.close();
  }
});

test("formatTaskTree of a loop with no pending task is empty; a task not started yet is ready", async () => {
  const loop = asyncio.newEventLoop();
  loop.setDebug(false);
  try {
    assert.equal(asyncio.formatTaskTree(loop), "");
    const t = loop.createTask(named(leaf(), "leaf"), { name: "idle" });
    // Not started yet: its first step is scheduled.
    assert.equal(asyncio.formatTaskTree(loop), "└── (T) idle leaf() ready\n");
    t.cancel();
    await loop.runUntilComplete(asyncio.gather(t, { returnExceptions: true }));
    assert.equal(asyncio.formatTaskTree(loop), "");
  } finally {
    loop.close();
  }
});

test("in debug mode the tree shows where each coroutine is suspended", async () => {
  const loop = asyncio.newEventLoop();
  loop.setDebug(true);
  try {
    const text = await loop.runUntilComplete(loop.createTask((function* main(): Coroutine<string> {
      const t = asyncio.createTask(leaf(), { name: "sleeper" });
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      const out = asyncio.formatTaskTree();
      t.cancel();
      yield* asyncio.gather(t, { returnExceptions: true });
      return out;
    })(), { name: "main" }));
    const lines = text.split("\n");
    // The running task shows where it runs now: the formatTaskTree() call.
    assert.match(lines[0]!, /^├── \(T\) main main\(\) running$/);
    assert.match(lines[1]!, /^│ {7}at main \(.*introspection\.test\.ts:\d+:\d+\)$/);
    // Outside debug mode a generator's name is unknown; in debug mode its suspension frame gives it.
    assert.match(lines[2]!, /^└── \(T\) sleeper leaf\(\) waiting on <Future pending> created at leaf \(.*introspection\.test\.ts:\d+:\d+\)$/);
    assert.match(lines[3]!, /^ {8}at leaf \(.*introspection\.test\.ts:\d+:\d+\)$/);
  } finally {
    loop.close();
  }
});

test("run() in debug mode prints the task tree on SIGUSR2", async () => {
  const written: string[] = [];
  const origWrite = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await asyncio.run((function* (): Coroutine<void> {
      const t = asyncio.createTask(leaf(), { name: "usr2-sleeper" });
      yield* asyncio.sleep(0);
      process.kill(process.pid, "SIGUSR2");
      // The signal arrives as a Node callback; bounded wait for it.
      for (let i = 0; i < 500 && !written.join("").includes("usr2-sleeper"); i++) yield* asyncio.sleep(0.01);
      t.cancel();
    })(), { debug: true });
  } finally {
    process.stderr.write = origWrite;
  }
  const out = written.join("");
  assert.match(out, /\(T\) Task-\d+ .* waiting on|\(T\) Task-\d+ .* running/);
  assert.match(out, /\(T\) usr2-sleeper leaf\(\) waiting on <Future pending>/);
  assert.equal(process.listenerCount("SIGUSR2"), 0);
});
