import * as asyncio from "../../../src/index.js";
import { BaseExceptionGroup, CancelledError, ExceptionGroup, RuntimeError, ValueError } from "../../../src/index.js";
import type { Coroutine, Task, TaskGroup } from "../../../src/index.js";
import { print, en, repr } from "./_util.js";

function* child(name: string, steps: number, fail: Error | null = null): Coroutine<string> {
  try {
    for (let i = 0; i < steps; i++) yield* asyncio.sleep(0);
    if (fail !== null) {
      print(name, "fails");
      throw fail;
    }
    print(name, "done");
    return name;
  } catch (e) {
    if (e instanceof CancelledError) print(name, "cancelled", en(e));
    throw e;
  } finally {
    print(name, "finally");
  }
}

function show(eg: BaseExceptionGroup, indent = ""): void {
  print(indent + eg.name, repr(eg.message));
  for (const e of eg.exceptions) {
    if (e instanceof BaseExceptionGroup) show(e, indent + "  ");
    else print(indent + "  -", en(e));
  }
}

function* main(): Coroutine<void> {
  let a!: Task<string>;
  let b!: Task<string>;
  yield* asyncio.taskGroup(function* (tg) {
    a = tg.createTask(child("a", 2));
    b = tg.createTask(child("b", 1), { name: "bee" });
    print("body ends", b.getName());
  });
  print("results", a.result(), b.result());
  // A child failure cancels the siblings and the body.
  try {
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(child("c", 5));
      tg.createTask(child("d", 1, new ValueError("d failed")));
      tg.createTask(child("e", 5));
      try {
        yield* asyncio.sleep(10);
      } catch (e) {
        if (e instanceof CancelledError) print("body cancelled", en(e));
        throw e;
      }
    });
  } catch (eg) {
    if (!(eg instanceof ExceptionGroup)) throw eg;
    show(eg);
  }
  // Two failures in the same iteration: both in the group, in completion order.
  try {
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(child("f", 1, new ValueError("f")));
      tg.createTask(child("g", 1, new TypeError("g")));
      tg.createTask(child("h", 3));
    });
  } catch (eg) {
    if (!(eg instanceof ExceptionGroup)) throw eg;
    const [v, rest] = eg.split(ValueError);
    if (v) {
      print("except* ValueError");
      show(v, "  ");
    }
    const [t] = rest ? rest.split(TypeError) : [null];
    if (t) {
      print("except* TypeError");
      show(t, "  ");
    }
  }
  // The body raises: the children are cancelled, the body's exception is in the group.
  try {
    yield* asyncio.taskGroup(function* (tg) {
      tg.createTask(child("i", 5));
      yield* asyncio.sleep(0);
      throw new RuntimeError("body failed");
    });
  } catch (eg) {
    if (!(eg instanceof ExceptionGroup)) throw eg;
    show(eg);
  }
  // Nested groups: the inner failure travels out as a nested group.
  let tg!: TaskGroup;
  try {
    yield* asyncio.taskGroup(function* (outer) {
      outer.createTask(child("j", 5));
      yield* asyncio.taskGroup(function* (inner) {
        tg = inner;
        inner.createTask(child("k", 1, new ValueError("k")));
        inner.createTask(child("l", 5));
      });
    });
  } catch (eg) {
    if (!(eg instanceof ExceptionGroup)) throw eg;
    show(eg);
  }
  // Creating a task on a finished group.
  try {
    tg.createTask(child("m", 0));
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("finished group", e.name, e.message.includes("is finished"));
  }
  // The enclosing task is cancelled from outside: CancelledError, not a group.
  function* runner(): Coroutine<void> {
    yield* asyncio.taskGroup(function* (g) {
      g.createTask(child("n", 10));
      g.createTask(child("o", 10));
    });
  }
  const t = asyncio.createTask(runner());
  yield* asyncio.sleep(0);
  yield* asyncio.sleep(0);
  t.cancel("outside");
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("outside cancel ->", en(e));
  }
}

await asyncio.run(main());
