import { getSystemErrorMap } from "node:util";
import { constants } from "node:os";

// Python's exception hierarchy, as far as asyncio raises it. Every class sets
// `name` to Python's class name so that stack traces and `String(err)` read as
// they would in Python.

function named<T extends { prototype: Error }>(cls: T, name: string): T {
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
  return cls;
}

/** The task or future was cancelled (Python: a BaseException, not an Exception). */
export class CancelledError extends Error {}
named(CancelledError, "CancelledError");

/**
 * @internal A CancelledError made by the loop's machinery (a cancelled
 * future's result(), gather's per-child result). Its V8 stack would hold only
 * tsyncio's own frames, which tracebacks leave out, yet capturing it was most
 * of the cost of cancelling a task; so the stack is captured only when
 * `withStack` (the loop's debug mode). The class and message are unchanged.
 */
export function cancelledError(msg: string | null, withStack: boolean): CancelledError {
  if (withStack) return msg === null ? new CancelledError() : new CancelledError(msg);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const exc = msg === null ? new CancelledError() : new CancelledError(msg);
  Error.stackTraceLimit = limit;
  return exc;
}

/** Python's KeyboardInterrupt: raised by `run()` when SIGINT interrupts the main task. */
export class KeyboardInterrupt extends Error {}
named(KeyboardInterrupt, "KeyboardInterrupt");

/** Python's SystemExit. */
export class SystemExit extends Error {
  /** The exit code. */
  code: number | string | null;
  constructor(code: number | string | null = null) {
    super(code === null ? "" : String(code));
    this.code = code;
  }
}
named(SystemExit, "SystemExit");

/** True for the exceptions Python derives from BaseException but not Exception. */
export function isBaseExceptionOnly(e: unknown): boolean {
  return e instanceof CancelledError || e instanceof KeyboardInterrupt || e instanceof SystemExit ||
    (e instanceof BaseExceptionGroup && !(e instanceof ExceptionGroup));
}

/** Python's RuntimeError. */
export class RuntimeError extends Error {}
named(RuntimeError, "RuntimeError");

/** Python's NotImplementedError. */
export class NotImplementedError extends RuntimeError {}
named(NotImplementedError, "NotImplementedError");

/** Python's ValueError. */
export class ValueError extends Error {}
named(ValueError, "ValueError");

/** Python's KeyError. */
export class KeyError extends Error {}
named(KeyError, "KeyError");

/** Python's IndexError. */
export class IndexError extends Error {}
named(IndexError, "IndexError");

/** Python's StopIteration. */
export class StopIteration extends Error {}
named(StopIteration, "StopIteration");

/** Python's StopAsyncIteration: an async iterator's `__anext__` is exhausted. */
export class StopAsyncIteration extends Error {}
named(StopAsyncIteration, "StopAsyncIteration");

/** Python's EOFError. */
export class EOFError extends Error {}
named(EOFError, "EOFError");

/** The operation is not allowed in the future's current state. */
export class InvalidStateError extends Error {}
named(InvalidStateError, "InvalidStateError");

/** Python's BaseExceptionGroup: several exceptions raised together. */
export class BaseExceptionGroup extends Error {
  /** The exceptions of the group, in the order they were collected. */
  readonly exceptions: readonly Error[];
  /** The message given to the constructor (without the sub-exception count). */
  readonly groupMessage: string;
  constructor(message: string, exceptions: readonly Error[]) {
    if (typeof message !== "string") throw new TypeError("argument 1 must be str");
    if (!Array.isArray(exceptions) || exceptions.length === 0) {
      throw new ValueError("second argument (exceptions) must be a non-empty sequence");
    }
    const n = exceptions.length;
    super(`${message} (${n} sub-exception${n === 1 ? "" : "s"})`);
    this.groupMessage = message;
    this.exceptions = Object.freeze([...exceptions]);
  }
  /** A group of the same class with the exceptions that match (recursively), or null. */
  subgroup(match: ((e: Error) => boolean) | (abstract new (...a: never[]) => Error)): BaseExceptionGroup | null {
    const pred = toPredicate(match);
    if (pred(this)) return this;
    const kept: Error[] = [];
    for (const e of this.exceptions) {
      if (e instanceof BaseExceptionGroup) {
        const sub = e.subgroup(pred);
        if (sub) kept.push(sub);
      } else if (pred(e)) kept.push(e);
    }
    if (kept.length === 0) return null;
    if (kept.length === this.exceptions.length && kept.every((e, i) => e === this.exceptions[i])) return this;
    return this.derive(kept);
  }
  /** `[match, rest]` as Python's `split()`. */
  split(match: ((e: Error) => boolean) | (abstract new (...a: never[]) => Error)): [BaseExceptionGroup | null, BaseExceptionGroup | null] {
    const pred = toPredicate(match);
    return [this.subgroup(pred), this.subgroup((e) => !(e instanceof BaseExceptionGroup) && !pred(e))];
  }
  /** A group of the same kind around other exceptions (Python's `derive`). */
  derive(exceptions: readonly Error[]): BaseExceptionGroup {
    return makeExceptionGroup(this.groupMessage, exceptions);
  }
}
named(BaseExceptionGroup, "BaseExceptionGroup");

/** Python's ExceptionGroup: a BaseExceptionGroup whose members are all ordinary exceptions. */
export class ExceptionGroup extends BaseExceptionGroup {
  constructor(message: string, exceptions: readonly Error[]) {
    super(message, exceptions);
    for (const e of exceptions) {
      if (isBaseExceptionOnly(e)) throw new TypeError(`Cannot nest BaseExceptions in an ExceptionGroup`);
    }
  }
}
named(ExceptionGroup, "ExceptionGroup");

/** An ExceptionGroup when every member is an ordinary exception, else a BaseExceptionGroup, as Python picks. */
export function makeExceptionGroup(message: string, exceptions: readonly Error[]): BaseExceptionGroup {
  return exceptions.some(isBaseExceptionOnly)
    ? new BaseExceptionGroup(message, exceptions)
    : new ExceptionGroup(message, exceptions);
}

function toPredicate(match: ((e: Error) => boolean) | (abstract new (...a: never[]) => Error)): (e: Error) => boolean {
  if (typeof match === "function" && match.prototype instanceof Error || match === Error) {
    const cls = match as abstract new (...a: never[]) => Error;
    return (e) => e instanceof cls;
  }
  return match as (e: Error) => boolean;
}

const errnoNames: Map<number, [string, string]> = (() => {
  const m = new Map<number, [string, string]>();
  // Node's messages are lowercase ("connection refused"); glibc's, which Python shows, are capitalised.
  for (const [neg, [name, msg]] of getSystemErrorMap()) m.set(-neg, [name, msg.charAt(0).toUpperCase() + msg.slice(1)]);
  return m;
})();

/** Python's OSError: `errno`, `code` (the symbolic name, e.g. "ECONNREFUSED"), `strerror`. */
export class OSError extends Error {
  /** The numeric errno (0 when there is none). */
  errno: number;
  /** The symbolic errno name, e.g. "ECONNREFUSED" ("" when there is none). */
  code: string;
  /** The operating system's description of the error. */
  strerror: string;
  /** The file name involved, when there is one. */
  filename?: string;
  /** Python's `OSError(errno, strerror)` form, or `OSError(message)`. */
  constructor(errnoOrMessage?: number | string, strerror?: string, filename?: string) {
    let errno = 0;
    let msg = "";
    let text = "";
    if (typeof errnoOrMessage === "number") {
      errno = errnoOrMessage;
      text = strerror ?? errnoNames.get(errno)?.[1] ?? `Unknown error ${errno}`;
      msg = `[Errno ${errno}] ${text}` + (filename !== undefined ? `: '${filename}'` : "");
    } else if (typeof errnoOrMessage === "string") {
      msg = errnoOrMessage;
      text = strerror ?? errnoOrMessage;
    }
    super(msg);
    this.errno = errno;
    this.code = errno ? (errnoNames.get(errno)?.[0] ?? "") : "";
    this.strerror = text;
    if (filename !== undefined) this.filename = filename;
  }
}
named(OSError, "OSError");

/** EAGAIN/EWOULDBLOCK/EINPROGRESS on a non-blocking call. */
export class BlockingIOError extends OSError {}
named(BlockingIOError, "BlockingIOError");
/** Python's ChildProcessError (ECHILD). */
export class ChildProcessError extends OSError {}
named(ChildProcessError, "ChildProcessError");
/** Base of the connection errors. */
export class ConnectionError extends OSError {}
named(ConnectionError, "ConnectionError");
/** EPIPE / ESHUTDOWN. */
export class BrokenPipeError extends ConnectionError {}
named(BrokenPipeError, "BrokenPipeError");
/** ECONNABORTED. */
export class ConnectionAbortedError extends ConnectionError {}
named(ConnectionAbortedError, "ConnectionAbortedError");
/** ECONNREFUSED. */
export class ConnectionRefusedError extends ConnectionError {}
named(ConnectionRefusedError, "ConnectionRefusedError");
/** ECONNRESET. */
export class ConnectionResetError extends ConnectionError {}
named(ConnectionResetError, "ConnectionResetError");
/** EEXIST. */
export class FileExistsError extends OSError {}
named(FileExistsError, "FileExistsError");
/** ENOENT. */
export class FileNotFoundError extends OSError {}
named(FileNotFoundError, "FileNotFoundError");
/** EINTR. */
export class InterruptedError extends OSError {}
named(InterruptedError, "InterruptedError");
/** EISDIR. */
export class IsADirectoryError extends OSError {}
named(IsADirectoryError, "IsADirectoryError");
/** ENOTDIR. */
export class NotADirectoryError extends OSError {}
named(NotADirectoryError, "NotADirectoryError");
/** EACCES / EPERM. */
export class PermissionError extends OSError {}
named(PermissionError, "PermissionError");
/** ESRCH. */
export class ProcessLookupError extends OSError {}
named(ProcessLookupError, "ProcessLookupError");
/** Python's builtin TimeoutError (an OSError; asyncio.TimeoutError is the same class since 3.11). */
export class TimeoutError extends OSError {}
named(TimeoutError, "TimeoutError");
/** Python's socket.gaierror: getaddrinfo/getnameinfo failures (`errno` is the EAI_* code). */
export class gaierror extends OSError {}
named(gaierror, "gaierror");

const E = constants.errno;
const errnoClass = new Map<number, typeof OSError>([
  [E.EAGAIN, BlockingIOError], [E.EWOULDBLOCK, BlockingIOError], [E.EALREADY, BlockingIOError],
  [E.EINPROGRESS, BlockingIOError], [E.ECHILD, ChildProcessError], [E.EPIPE, BrokenPipeError],
  [E.ECONNABORTED, ConnectionAbortedError], [E.ECONNREFUSED, ConnectionRefusedError],
  [E.ECONNRESET, ConnectionResetError], [E.EEXIST, FileExistsError], [E.ENOENT, FileNotFoundError],
  [E.EISDIR, IsADirectoryError], [E.ENOTDIR, NotADirectoryError], [E.EINTR, InterruptedError],
  [E.EACCES, PermissionError], [E.EPERM, PermissionError], [E.ESRCH, ProcessLookupError],
  [E.ETIMEDOUT, TimeoutError],
]);
// ESHUTDOWN is not in Node's table on every platform.
errnoClass.set(108, BrokenPipeError);

/** The OSError subclass Python raises for an errno (positive), with Python's message. */
export function osError(errno: number, filename?: string): OSError {
  const cls = errnoClass.get(errno) ?? OSError;
  return new cls(errno, undefined, filename);
}

/** An OSError of the class Python picks for `errno`, with a message of ours (Python's `OSError(errno, msg)`). */
export function osErrorWithMessage(errno: number, message: string): OSError {
  const cls = errnoClass.get(errno) ?? OSError;
  return new cls(errno, message);
}

/** Converts an error thrown by a Node API (with `errno`/`code`) into the Python OSError subclass. */
export function fromNodeError(err: unknown): Error {
  if (err instanceof OSError || !(err instanceof Error)) return err as Error;
  const e = err as NodeJS.ErrnoException;
  if (typeof e.errno === "number" && e.errno !== 0) {
    const out = osError(Math.abs(e.errno), e.path);
    out.stack = e.stack;
    return out;
  }
  if (typeof e.code === "string" && e.code in E) {
    const out = osError((E as Record<string, number>)[e.code]!, e.path);
    out.stack = e.stack;
    return out;
  }
  return err;
}

/** Raised by `StreamReader.readexactly`/`readuntil` when EOF comes first. */
export class IncompleteReadError extends EOFError {
  /** The bytes read before EOF. */
  readonly partial: Uint8Array;
  /** The total number of expected bytes (null when unknown). */
  readonly expected: number | null;
  constructor(partial: Uint8Array, expected: number | null) {
    super(`${partial.length} bytes read on a total of ${expected === null ? "undefined" : expected} expected bytes`);
    this.partial = partial;
    this.expected = expected;
  }
}
named(IncompleteReadError, "IncompleteReadError");

/** The buffer limit was reached while looking for a separator. */
export class LimitOverrunError extends Error {
  /** How many bytes must be consumed. */
  readonly consumed: number;
  constructor(message: string, consumed: number) {
    super(message);
    this.consumed = consumed;
  }
}
named(LimitOverrunError, "LimitOverrunError");

/** sendfile(2) cannot be used for this transport or socket (a RuntimeError, as in Python). */
export class SendfileNotAvailableError extends RuntimeError {}
named(SendfileNotAvailableError, "SendfileNotAvailableError");

/** `getNowait()` on an empty queue. */
export class QueueEmpty extends Error {}
named(QueueEmpty, "QueueEmpty");
/** `putNowait()` on a full queue. */
export class QueueFull extends Error {}
named(QueueFull, "QueueFull");
/** A put or get on a queue that was shut down. */
export class QueueShutDown extends Error {}
named(QueueShutDown, "QueueShutDown");
/** The barrier was reset or aborted while waiting. */
export class BrokenBarrierError extends RuntimeError {}
named(BrokenBarrierError, "BrokenBarrierError");
