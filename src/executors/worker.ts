import { parentPort } from "node:worker_threads";
import { createRequire } from "node:module";
import { writeSync } from "node:fs";
import type { Writable } from "node:stream";
import { serializeThrown, type FromWorker, type FunctionSpec, type ToWorker } from "./wire.js";

// The program an executor's worker runs: a worker thread of a
// ThreadPoolExecutor or a child process of a ProcessPoolExecutor. It takes one
// call at a time (the pool never sends a second before the first answered),
// so a worker is exactly as busy as a Python pool thread.

type AnyFunction = (...args: unknown[]) => unknown;

const port = parentPort;
const send: (m: FromWorker) => void = port !== null
  ? (m) => port.postMessage(m)
  : (m) => {
    process.send!(m);
  };

// Source-shipped functions see `require` (from the working directory, so
// `require("node:fs")` works in a self-contained function) and `__name`,
// which esbuild/tsx inserts into transformed functions to keep their names.
const requireFromCwd = createRequire(process.cwd() + "/");
const nameHelper = (target: unknown, value: string): unknown => {
  try {
    Object.defineProperty(target, "name", { value, configurable: true });
  } catch { /* frozen: keep */ }
  return target;
};
const compiled = new Map<string, AnyFunction>();

function compile(source: string): AnyFunction {
  let fn = compiled.get(source);
  if (fn !== undefined) return fn;
  let value: unknown;
  try {
    value = new Function("__name", "require", `"use strict"; return (${source}\n);`)(nameHelper, requireFromCwd);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    // A method's source ("name(a) { ... }") is not an expression; an object literal makes it one.
    const obj = new Function("__name", "require", `"use strict"; return ({${source}\n});`)(nameHelper, requireFromCwd) as Record<string, unknown>;
    value = Object.values(obj)[0];
  }
  if (typeof value !== "function") throw new TypeError("the shipped source did not evaluate to a function");
  fn = value as AnyFunction;
  compiled.set(source, fn);
  return fn;
}

async function resolve(spec: FunctionSpec): Promise<AnyFunction> {
  if (spec.kind === "source") return compile(spec.source);
  const mod = (await import(spec.module)) as Record<string, unknown>;
  const fn = mod[spec.name];
  if (typeof fn !== "function") {
    throw new TypeError(`module ${spec.module} has no exported function ${JSON.stringify(spec.name)}`);
  }
  return fn as AnyFunction;
}

async function invoke(spec: FunctionSpec, args: unknown[]): Promise<unknown> {
  const fn = await resolve(spec);
  return await fn(...args);
}

async function onMessage(msg: ToWorker): Promise<void> {
  switch (msg.op) {
    case "init":
      try {
        if (msg.initializer !== null) await invoke(msg.initializer, msg.initargs);
      } catch (e) {
        send({ op: "initFailed", thrown: serializeThrown(e) });
        return;
      }
      send({ op: "ready" });
      return;
    case "call": {
      let value: unknown;
      try {
        value = await invoke(msg.fn, msg.args);
      } catch (e) {
        send({ op: "error", id: msg.id, thrown: serializeThrown(e) });
        return;
      }
      try {
        send({ op: "result", id: msg.id, value });
      } catch (e) {
        // The result cannot be cloned (a function, a generator, ...).
        send({ op: "error", id: msg.id, thrown: serializeThrown(e) });
      }
      return;
    }
    case "exit":
      // Closing the channel lets the worker end once its own event loop is empty.
      if (port !== null) port.close();
      else process.disconnect();
      return;
  }
}

/**
 * A worker thread's process.stdout/stderr are streams the main thread drains
 * later, so a print made before the function returned used to reach the
 * terminal after the awaiting coroutine's next lines. Python's threads write
 * to the process's fds directly: so does a pool thread here, synchronously,
 * before its result is posted.
 */
function writeThrough(stream: Writable, fd: number): void {
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void): boolean => {
    const done = typeof encoding === "function" ? encoding : cb;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk;
    let error: Error | null = null;
    for (let off = 0; off < bytes.length;) {
      try {
        off += writeSync(fd, bytes, off);
      } catch (e) {
        // A non-blocking stdout (a pipe the parent made O_NONBLOCK) that is full: wait for room.
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
        error = e as Error;
        break;
      }
    }
    if (done !== undefined) process.nextTick(done, error);
    return true;
  }) as Writable["write"];
}

if (port !== null) {
  writeThrough(process.stdout, 1);
  writeThrough(process.stderr, 2);
  port.on("message", (m: ToWorker) => void onMessage(m));
} else if (typeof process.send === "function") {
  process.on("message", (m) => void onMessage(m as ToWorker));
}
