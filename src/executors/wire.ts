// The messages between an executor and its workers, and how an error crosses
// them. Imported by the worker script too, so it depends on nothing of the
// library: a worker starts fast and never loads the loop.

/** How a function reaches a worker: a module export it imports, or source text it re-evaluates. */
export type FunctionSpec =
  | { kind: "ref"; module: string; name: string }
  | { kind: "source"; source: string; name: string };

/** An Error taken apart for structured clone, which keeps only the built-in error classes. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  /** Own enumerable properties that survive a structured clone (errno, code, ...). */
  props: Record<string, unknown>;
  cause?: Thrown;
}

/** Whatever a function threw: an Error taken apart, or any other value as is. */
export type Thrown = { error: SerializedError } | { value: unknown };

/** Parent → worker. */
export type ToWorker =
  | { op: "init"; initializer: FunctionSpec | null; initargs: unknown[] }
  | { op: "call"; id: number; fn: FunctionSpec; args: unknown[] }
  | { op: "exit" };

/** Worker → parent. */
export type FromWorker =
  | { op: "ready" }
  | { op: "initFailed"; thrown: Thrown }
  | { op: "result"; id: number; value: unknown }
  | { op: "error"; id: number; thrown: Thrown };

/** Takes a thrown value apart so that its class name, message, stack and fields survive the trip. */
export function serializeThrown(e: unknown, depth = 0): Thrown {
  if (!(e instanceof Error) && !isErrorLike(e)) {
    try {
      return { value: structuredClone(e) };
    } catch {
      return { value: String(e) };
    }
  }
  const err = e as Error & { cause?: unknown };
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(err)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    try {
      props[key] = structuredClone((err as unknown as Record<string, unknown>)[key]);
    } catch { /* not cloneable: dropped */ }
  }
  const out: SerializedError = { name: String(err.name), message: String(err.message), stack: err.stack, props };
  if (err.cause !== undefined && depth < 8) out.cause = serializeThrown(err.cause, depth + 1);
  return { error: out };
}

function isErrorLike(e: unknown): boolean {
  // A DOMException (DataCloneError) or an Error from another realm is not `instanceof Error`.
  return typeof e === "object" && e !== null && Object.prototype.toString.call(e) === "[object Error]";
}
