import { isAbsolute, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import type { FunctionSpec } from "./wire.js";

// How a function crosses into a worker, which is another JavaScript isolate
// where no closure can follow it. Two forms, both documented on
// `workerFunction`:
//   (a) by reference: `workerFunction(import.meta.url, "name")` (or the plain
//       object `{ module, name }`); the worker imports the module and calls
//       the export. TypeScript modules work when the parent runs under tsx.
//   (b) by source: any other function; its text (`fn.toString()`) is
//       evaluated again in the worker, so it must not capture variables (it
//       may use its parameters, globals, `require(...)` and `import(...)`).

const WORKER_REF = Symbol.for("tsyncio.workerFunction");

/** A function exported by a module, named for a worker to import: `{ module: URL or path, name: "exportName" }`. */
export interface WorkerFunctionRef {
  /** A file URL, an absolute path, or a bare package specifier. */
  readonly module: string | URL;
  /** The export's name ("default" for the default export). */
  readonly name: string;
}

/** What submit() and runInExecutor() accept as the function to run in a worker. */
export type WorkerCallable<A extends unknown[] = never[], R = unknown> = ((...args: A) => R) | WorkerFunctionRef;

/**
 * A reference to the export `name` of the module `module` (pass
 * `import.meta.url` for the calling module), usable wherever a function is
 * run in a worker: `loop.runInExecutor(null, workerFunction<typeof cpuBound>(import.meta.url, "cpuBound"), n)`.
 * The worker imports the module and calls the export with the arguments.
 * Called in this thread, the returned function imports the module and calls
 * the export too (it returns a promise).
 * @typeParam F - the exported function's type (`typeof fn`), which gives the reference its signature.
 */
export function workerFunction<F extends (...args: never[]) => unknown>(
  module: string | URL,
  name: string,
): (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>> {
  if (typeof name !== "string" || name === "") throw new TypeError("name must be a non-empty string");
  const ref = { module: moduleHref(module), name };
  const local = async (...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> => {
    const mod = (await import(ref.module)) as Record<string, unknown>;
    const fn = mod[name];
    if (typeof fn !== "function") throw new TypeError(`module ${ref.module} has no exported function ${JSON.stringify(name)}`);
    return (await (fn as (...a: unknown[]) => unknown)(...args)) as Awaited<ReturnType<F>>;
  };
  Object.defineProperty(local, "name", { value: name });
  Object.defineProperty(local, WORKER_REF, { value: ref });
  return local;
}

function moduleHref(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== "string" || module === "") throw new TypeError("module must be a URL or a path");
  if (/^[a-z][a-z0-9+.-]*:/i.test(module)) return module; // file:, data:, node:
  if (isAbsolute(module) || module.startsWith("./") || module.startsWith("../")) return pathToFileURL(resolvePath(module)).href;
  return module; // a bare specifier, resolved by the worker
}

/** Turns what the caller passed into the form that crosses into a worker. */
/** @internal The wire form of a callable (executors/wire.ts). */
export function toFunctionSpec(fn: unknown): FunctionSpec {
  if (typeof fn === "function") {
    const ref = (fn as { [WORKER_REF]?: { module: string; name: string } })[WORKER_REF];
    if (ref !== undefined) return { kind: "ref", module: ref.module, name: ref.name };
    const source = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new TypeError(
        `${fn.name || "this function"} is native or bound and cannot be shipped to a worker; ` +
        "pass a self-contained function or a workerFunction(module, name) reference",
      );
    }
    return { kind: "source", source, name: fn.name };
  }
  if (typeof fn === "object" && fn !== null && "module" in fn && "name" in fn) {
    const r = fn as WorkerFunctionRef;
    if (typeof r.name !== "string") throw new TypeError("name must be a string");
    return { kind: "ref", module: moduleHref(r.module), name: r.name };
  }
  throw new TypeError(`a callable object was expected, got ${String(fn)}`);
}

