import { inspectRepr } from "../internal/pyrepr.js";
import { Context, contextFromVars, runInContext, snapshotVars, takeRunContext, type ContextVar } from "../stdlib/contextvars.js";
import { KeyboardInterrupt, NotImplementedError, RuntimeError, SystemExit } from "../stdlib/exceptions.js";
import type { Future } from "./futures.js";
import type { Task } from "./tasks.js";
import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "./coroutines.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { BaseTransport, DatagramTransport, ReadTransport, SubprocessTransport, Transport, WriteTransport } from "./transports.js";
import type { Address, AddressOf, Socket } from "../stdlib/socket.js";
import type { SSLContext } from "../stdlib/ssl.js";

// events.py: callback handles, the abstract loop and server, policies, and the
// per-thread "running loop" (one thread here, so a module variable).

/** Anything callable with loop-callback arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Callback<A extends unknown[] = any[]> = (...args: A) => unknown;

const CONTEXT: unique symbol = Symbol("tsyncio.context");

/** A callback bound to a Context: what Python's `context=` keyword of callSoon/callLater/callAt/callSoonThreadsafe gives. */
export interface ContextBoundCallback<A extends unknown[]> {
  (...args: A): unknown;
  /** @internal */
  readonly [CONTEXT]: Context;
  /** @internal */
  readonly inner: (...args: A) => unknown;
}

/**
 * Binds `callback` to `context` for the scheduling methods, the form tsyncio
 * gives Python's keyword `context=`: `loop.callSoon(inContext(ctx, cb), arg)`
 * runs `cb(arg)` inside `ctx`, and the handle's getContext() returns `ctx`.
 */
export function inContext<A extends unknown[]>(context: Context, callback: (...args: A) => unknown): ContextBoundCallback<A> {
  if (!(context instanceof Context)) throw new TypeError("context must be a contextvars.Context");
  const bound = ((...args: A) => context.run(callback, ...args)) as ContextBoundCallback<A>;
  Object.defineProperty(bound, CONTEXT, { value: context });
  Object.defineProperty(bound, "inner", { value: callback });
  Object.defineProperty(bound, "name", { value: callback.name });
  return bound;
}

/** The callable name Python's reprs show for a callback. */
export function callbackName(cb: unknown): string {
  if (typeof cb === "function") {
    const inner = (cb as Partial<ContextBoundCallback<unknown[]>>).inner;
    const f = inner ?? cb;
    return (f as { __qualname__?: string }).__qualname__ ?? (f.name || "<anonymous>");
  }
  // A callback object that names itself (a Task registered as its future's done callback: "Task.task_wakeup").
  const named = (cb as { _callbackName?: unknown } | null)?._callbackName;
  return typeof named === "string" ? named : String(cb);
}

/**
 * What the loop's ready queue holds: a Handle, or an object that runs itself
 * the way a Handle does (a Task, for its steps and wakeups: core/tasks.ts).
 */
export interface ReadyEntry {
  /** @internal Skipped by the loop when true. */
  _cancelled: boolean;
  /** @internal Runs the callback; its exceptions go to the loop's exception handler. */
  _run(): void;
}

/** What the loop's timer heap holds: a TimerHandle, or an object due and run the same way (sleep()'s future, core/tasks.ts). */
export interface TimerEntry extends ReadyEntry {
  /** @internal The absolute due time (loop.time() clock). */
  _when: number;
  /** @internal The order among entries due at the same time. */
  _seq: number;
  /** @internal Whether it is on the heap. */
  _scheduled: boolean;
  /** Whether it was cancelled (a TimerHandle's or a Future's own method). */
  cancelled(): boolean;
}

/** The minimal loop surface a Handle needs (the loop core implements it). */
export interface HandleOwner {
  /** @internal */ _timerHandleCancelled(h: TimerEntry): void;
  callExceptionHandler(context: ExceptionContext): void;
  getDebug(): boolean;
}

/** A callback scheduled with callSoon()/callSoonThreadsafe(). */
export class Handle implements ReadyEntry {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  // The fields are declared only and each set once, in this order, by the
  // constructor: as class fields they were first defined by a function of
  // their own (V8's <instance_members_initializer>, one more call per Handle,
  // and one more function for V8 to compile in a server's first burst) and
  // then most of them set again here.
  /** @internal */ declare _callback: Callback | null;
  /** @internal */ declare _args: readonly unknown[] | null;
  /** @internal */ declare _cancelled: boolean;
  /** @internal */ declare _loop: HandleOwner;
  /** @internal */ declare _ctx: Context | null;
  /** @internal */ declare _vars: Map<ContextVar<unknown>, unknown>;
  /** @internal */ declare _sourceTraceback: string | null;
  /** @internal */ declare _repr: string | null;

  /** @internal Created by the loop's scheduling methods, not by users. */
  constructor(callback: Callback, args: readonly unknown[] | null, loop: HandleOwner, context?: Context | null) {
    const bound = (callback as Partial<ContextBoundCallback<unknown[]>>)[CONTEXT];
    let ctx: Context | null;
    let vars: Map<ContextVar<unknown>, unknown>;
    if (bound !== undefined) {
      callback = (callback as ContextBoundCallback<unknown[]>).inner;
      ctx = bound;
      vars = bound._vars;
    } else if (context) {
      ctx = context;
      vars = context._vars;
    } else {
      ctx = null;
      vars = snapshotVars();
    }
    this._callback = callback;
    this._args = args !== null && args.length === 0 ? null : args;
    this._cancelled = false;
    this._loop = loop;
    this._ctx = ctx;
    this._vars = vars;
    this._sourceTraceback = loop.getDebug() ? captureStack(3) : null;
    this._repr = null;
  }

  /** The Context the callback runs in. */
  getContext(): Context {
    if (this._ctx === null) this._ctx = contextFromVars(this._vars);
    return this._ctx;
  }

  /** Cancels the callback; does nothing if it already ran or was cancelled. */
  cancel(): void {
    if (!this._cancelled) {
      this._cancelled = true;
      if (this._loop.getDebug()) this._repr = this.toString();
      this._callback = null;
      this._args = null;
    }
  }

  /** Whether the callback was cancelled. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /** @internal Runs the callback; its exceptions go to the loop's exception handler. */
  _run(): void {
    try {
      runInContext(this._ctx, this._vars, this._callback as Callback, this._args);
    } catch (exc) {
      // The callback ran in an anonymous copy and set a variable: that is the handle's context now.
      if (this._ctx === null) this._ctx = takeRunContext();
      this._reportError(exc);
    }
  }

  /** @internal Hands what the callback raised to the loop's exception handler (SystemExit and KeyboardInterrupt propagate). */
  _reportError(exc: unknown): void {
    if (exc instanceof SystemExit || exc instanceof KeyboardInterrupt) throw exc;
    const ctx: ExceptionContext = {
      message: `Exception in callback ${this._describeCallback()}`,
      exception: exc,
      handle: this,
    };
    if (this._sourceTraceback !== null) ctx.source_traceback = this._sourceTraceback;
    this._loop.callExceptionHandler(ctx);
  }

  /** @internal */
  _describeCallback(): string {
    if (this._callback === null) return "";
    const args = this._args === null ? "" : this._args.map(reprValue).join(", ");
    return `${callbackName(this._callback)}(${args})`;
  }

  /** Python's repr: `<Handle callback(args)>`, with `cancelled` and the creation site in debug mode. */
  toString(): string {
    if (this._repr !== null) return this._repr;
    const parts = [this.constructor.name];
    if (this._cancelled) parts.push("cancelled");
    if (this instanceof TimerHandle) parts.push(`when=${this._when}`);
    if (this._callback !== null) parts.push(this._describeCallback());
    if (this._sourceTraceback !== null) {
      const site = this._sourceTraceback.split("\n")[0]?.trim();
      if (site) parts.push(`created ${site}`);
    }
    return `<${parts.join(" ")}>`;
  }
}

/** A callback scheduled with callLater()/callAt(). */
export class TimerHandle extends Handle implements TimerEntry {
  /** @internal */ _when: number;
  /** @internal */ _seq: number;
  /** @internal */ _scheduled = false;

  /** @internal */
  constructor(when: number, seq: number, callback: Callback, args: readonly unknown[] | null, loop: HandleOwner, context?: Context | null) {
    super(callback, args, loop, context);
    this._when = when;
    this._seq = seq;
  }

  /** The absolute time (loop.time() clock) the callback is scheduled for. */
  when(): number {
    return this._when;
  }

  override cancel(): void {
    if (!this._cancelled) this._loop._timerHandleCancelled(this);
    super.cancel();
  }
}

/**
 * V8 keeps a field "const" until some object of its shape writes it a second
 * time, and optimized code may rely on that: the first rewrite throws such
 * code away. cancel() and getContext() are the first rewrites of four Handle
 * fields, and in a server the first cancel comes with the first closed
 * connection, which then discarded the optimized loop and accept path
 * (_runOnce, _onPollBatch, _callSoonWith, the Handle constructor) to be
 * compiled again (docs/BENCHMARKS.md, "The first close"). Doing both here, on
 * a Handle and a TimerHandle made for nothing, before anything is optimized,
 * makes those fields mutable from the start.
 */
function primeHandleShapes(): void {
  const owner: HandleOwner = {
    _timerHandleCancelled() {},
    callExceptionHandler() {},
    getDebug: () => false,
  };
  const noop: Callback = () => {};
  for (const h of [new Handle(noop, [0], owner), new TimerHandle(0, 0, noop, [0], owner)]) {
    h.getContext();
    h.cancel();
  }
}
primeHandleShapes();

/** A short Python-like repr of a value for handle and future reprs. */
export function reprValue(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "function") return callbackName(v);
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (Array.isArray(v)) return `[${v.map(reprValue).join(", ")}]`;
  if (v instanceof Set) return v.size === 0 ? "set()" : `{${[...v].map(reprValue).join(", ")}}`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${reprValue(k)}: ${reprValue(x)}`).join(", ")}}`;
  if (typeof v === "object") {
    const s = (v as { toString(): string }).toString();
    if (s !== "[object Object]") return s;
    return `<${(v as object).constructor?.name ?? "object"}>`;
  }
  return String(v);
}

/** @internal The caller's stack, for debug-mode creation tracebacks (the frames above `skip`). */
export function captureStack(skip: number): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = skip + 40;
  const lines = (new Error().stack ?? "").split("\n");
  Error.stackTraceLimit = limit;
  // Frames inside tsyncio's own directory are not where the user created the object; drop the leading ones.
  const dir = /\((.*[\\/])[^\\/]*:\d+:\d+\)$/.exec(lines[1] ?? "")?.[1];
  let i = skip;
  if (dir !== undefined) while (i < lines.length - 1 && (lines[i]!.includes(dir) || lines[i]!.endsWith("(<anonymous>)"))) i++;
  return lines.slice(i).join("\n");
}

/**
 * The concurrent.futures Executor shape, as the loop uses it: submit() and
 * shutdown(). tsyncio's ThreadPoolExecutor and ProcessPoolExecutor
 * (src/executors/) implement it; so may a user's own executor.
 */
export interface Executor {
  /** Schedules fn(...args) in a worker; the result is a thenable (a ConcurrentFuture for tsyncio's executors). */
  submit(fn: ((...args: never[]) => unknown) | object, ...args: unknown[]): PromiseLike<unknown>;
  /** Stops the executor; with wait, the promise resolves once every worker exited. */
  shutdown(wait?: boolean, options?: { cancelFutures?: boolean }): Promise<void> | void;
}

/** The context object given to exception handlers, with Python's keys. */
export interface ExceptionContext {
  /** The error message (always present). */
  message: string;
  /** The exception, if any. */
  exception?: unknown;
  /** A Future involved. */
  future?: Future<unknown>;
  /** A Task involved. */
  task?: Task<unknown>;
  /** A Handle involved. */
  handle?: Handle;
  /** A protocol involved. */
  protocol?: unknown;
  /** A transport involved. */
  transport?: unknown;
  /** A socket involved. */
  socket?: unknown;
  /** An asynchronous generator involved. */
  asyncgen?: unknown;
  /** Where the object involved was created (debug mode). */
  source_traceback?: string;
  /** Where the handle that failed was created (debug mode). */
  handle_traceback?: string;
  [key: string]: unknown;
}

/** An exception handler: `(loop, context) => void`. */
export type ExceptionHandler = (loop: AbstractEventLoop, context: ExceptionContext) => void;

/** A task factory: `(loop, coro, options) => Future` (Python's `factory(loop, coro, **kwargs)`). */
export type TaskFactory = <T>(loop: AbstractEventLoop, coro: Coroutine<T>, options?: { name?: string | null; context?: Context | null }) => Future<T>;

/** An fd number or an object with fileno(). */
export type FileDescriptorLike = number | {
  /** The file descriptor. */
  fileno(): number;
};

/** A file for sendfile: an fd number, an object with fileno(), or an object with an `fd` (Node's FileHandle). */
export type FileLike = number | {
  /** The file descriptor. */
  fileno(): number;
} | {
  /** The file descriptor. */
  fd: number;
};

/** A result of getaddrinfo: `[family, type, proto, canonname, sockaddr]`. */
export type AddrInfo = [number, number, number, string, Address];

/** Options of createConnection (Python's keyword arguments). */
export interface CreateConnectionOptions {
  ssl?: boolean | SSLContext | null;
  family?: number;
  proto?: number;
  flags?: number;
  sock?: Socket | null;
  localAddr?: Address | null;
  serverHostname?: string | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
  happyEyeballsDelay?: number | null;
  interleave?: number | null;
  allErrors?: boolean;
}

/** Options of createServer. */
export interface CreateServerOptions {
  family?: number;
  flags?: number;
  sock?: Socket | null;
  backlog?: number;
  ssl?: SSLContext | null;
  reuseAddress?: boolean | null;
  reusePort?: boolean | null;
  keepAlive?: boolean | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
  startServing?: boolean;
}

/** Options of createUnixConnection. */
export interface CreateUnixConnectionOptions {
  ssl?: boolean | SSLContext | null;
  sock?: Socket | null;
  serverHostname?: string | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
}

/** Options of createUnixServer. */
export interface CreateUnixServerOptions {
  sock?: Socket | null;
  backlog?: number;
  ssl?: SSLContext | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
  startServing?: boolean;
  cleanup?: boolean;
}

/** Options of connectAcceptedSocket. */
export interface ConnectAcceptedSocketOptions {
  ssl?: SSLContext | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
}

/** Options of startTls. */
export interface StartTlsOptions {
  serverSide?: boolean;
  serverHostname?: string | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
}

/** Options of createDatagramEndpoint. */
export interface CreateDatagramEndpointOptions {
  family?: number;
  proto?: number;
  flags?: number;
  reuseAddress?: boolean | null;
  reusePort?: boolean | null;
  allowBroadcast?: boolean | null;
  sock?: Socket | null;
}

/** Options of getaddrinfo. */
export interface GetaddrinfoOptions {
  family?: number;
  type?: number;
  proto?: number;
  flags?: number;
}

/** A stdio setting of a child process: PIPE, DEVNULL, STDOUT, null (inherit), an fd, or a stream with an fd. */
export type StdioSpec = number | null | {
  /** The file descriptor to use. */
  fileno(): number;
} | { fd: number };

/** Options of subprocessExec/subprocessShell (Popen keywords with a Node meaning). */
export interface SubprocessOptions {
  stdin?: StdioSpec;
  stdout?: StdioSpec;
  stderr?: StdioSpec;
  cwd?: string | null;
  env?: Record<string, string | undefined> | null;
  passFds?: number[];
  startNewSession?: boolean;
  executable?: string | null;
  bufsize?: number;
  universalNewlines?: boolean;
  shell?: boolean;
  text?: boolean;
  encoding?: string | null;
  errors?: string | null;
  /** Stream buffer limit (createSubprocessExec/Shell only). */
  limit?: number;
  uid?: number;
  gid?: number;
  umask?: number;
}

// The `async def` methods of the abstract bases: a coroutine that raises
// NotImplementedError when awaited, as calling an abstract `async def` does.
const notImplemented = awaitableCoroutine(function* notImplemented(): Coroutine<never> {
  throw new NotImplementedError();
});

/** Python's AbstractServer: every method raises NotImplementedError; net/servers.ts's Server implements them. */
export abstract class AbstractServer {
  /** Stops listening; existing connections stay open. */
  close(): void { throw new NotImplementedError(); }
  /** Closes every client connection. */
  closeClients(): void { throw new NotImplementedError(); }
  /** Aborts every client connection at once. */
  abortClients(): void { throw new NotImplementedError(); }
  /** The loop the server runs on. */
  getLoop(): AbstractEventLoop { throw new NotImplementedError(); }
  /** Whether the server accepts new connections. */
  isServing(): boolean { throw new NotImplementedError(); }
  /** Starts accepting connections (idempotent). */
  startServing(): AwaitableCoroutine<void> { return notImplemented(); }
  /** Accepts connections until the awaiting task is cancelled. */
  serveForever(): AwaitableCoroutine<void> { return notImplemented(); }
  /** Waits until the server is closed and its connections are gone. */
  waitClosed(): AwaitableCoroutine<void> { return notImplemented(); }
  /** The listening sockets (Server's attribute, declared here so that createServer's result types it). */
  get sockets(): Socket[] { throw new NotImplementedError(); }
  /** `await using`: close() then waitClosed(). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }
}

type PF<P> = () => P;

/**
 * The event loop interface (Python's AbstractEventLoop). Every method raises
 * NotImplementedError here; BaseEventLoop implements them.
 */
export abstract class AbstractEventLoop {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** Runs until `future` is done; returns its result. */
  runUntilComplete<T>(_future: Future<T> | Coroutine<T> | PromiseLike<T>): Promise<T> { throw new NotImplementedError(); }
  /** Runs until stop() is called. */
  runForever(): Promise<void> { throw new NotImplementedError(); }
  /** Stops the loop after the current iteration. */
  stop(): void { throw new NotImplementedError(); }
  /** Whether the loop is running. */
  isRunning(): boolean { throw new NotImplementedError(); }
  /** Whether the loop was closed. */
  isClosed(): boolean { throw new NotImplementedError(); }
  /** Closes the loop. */
  close(): void { throw new NotImplementedError(); }
  /** Closes every asynchronous generator still open. */
  shutdownAsyncgens(): AwaitableCoroutine<void> { return notImplemented(); }
  /** Shuts the default executor down and waits for it. */
  shutdownDefaultExecutor(_timeout?: number | null): AwaitableCoroutine<void> { return notImplemented(); }

  /** Schedules `callback(...args)` for the next iteration. */
  callSoon<A extends unknown[]>(_callback: (...args: A) => unknown, ..._args: A): Handle { throw new NotImplementedError(); }
  /** callSoon, safe from any Node callback and from other threads' messages; wakes an idle loop. */
  callSoonThreadsafe<A extends unknown[]>(_callback: (...args: A) => unknown, ..._args: A): Handle { throw new NotImplementedError(); }
  /** Schedules `callback(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(_delay: number, _callback: (...args: A) => unknown, ..._args: A): TimerHandle { throw new NotImplementedError(); }
  /** Schedules `callback(...args)` at absolute time `when` (loop.time() clock). */
  callAt<A extends unknown[]>(_when: number, _callback: (...args: A) => unknown, ..._args: A): TimerHandle { throw new NotImplementedError(); }
  /** The loop's monotonic clock, in seconds. */
  time(): number { throw new NotImplementedError(); }

  /** A new Future attached to this loop. */
  createFuture<T = unknown>(): Future<T> { throw new NotImplementedError(); }
  /** Wraps a coroutine in a Task scheduled on this loop. */
  createTask<T>(_coro: Coroutine<T>, _options?: { name?: string | null; context?: Context | null }): Task<T> { throw new NotImplementedError(); }
  /** Sets the factory createTask() uses (null: the default). */
  setTaskFactory(_factory: TaskFactory | null): void { throw new NotImplementedError(); }
  /** The current task factory, or null. */
  getTaskFactory(): TaskFactory | null { throw new NotImplementedError(); }

  /** Opens a streaming connection. */
  createConnection<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _host?: string | null, _port?: number | string | null, _options?: CreateConnectionOptions): AwaitableCoroutine<[Transport, P]> { return notImplemented(); }
  /** Creates a TCP server. */
  createServer(_protocolFactory: PF<BaseProtocol | ProtocolLike>, _host?: string | string[] | null, _port?: number | string | null, _options?: CreateServerOptions): AwaitableCoroutine<AbstractServer> { return notImplemented(); }
  /** Sends a file over a transport. */
  sendfile(_transport: WriteTransport | Transport, _file: FileLike, _offset?: number, _count?: number | null, _options?: { fallback?: boolean }): AwaitableCoroutine<number> { return notImplemented(); }
  /** Upgrades a connection to TLS. */
  startTls(_transport: BaseTransport, _protocol: BaseProtocol | ProtocolLike, _sslcontext: SSLContext, _options?: StartTlsOptions): AwaitableCoroutine<Transport> { return notImplemented(); }
  /** Opens a Unix socket connection. */
  createUnixConnection<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _path?: string | null, _options?: CreateUnixConnectionOptions): AwaitableCoroutine<[Transport, P]> { return notImplemented(); }
  /** Creates a Unix socket server. */
  createUnixServer(_protocolFactory: PF<BaseProtocol | ProtocolLike>, _path?: string | null, _options?: CreateUnixServerOptions): AwaitableCoroutine<AbstractServer> { return notImplemented(); }
  /** Wraps an accepted socket into a transport/protocol pair. */
  connectAcceptedSocket<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _sock: Socket, _options?: ConnectAcceptedSocketOptions): AwaitableCoroutine<[Transport, P]> { return notImplemented(); }
  /** Creates a datagram endpoint. */
  createDatagramEndpoint<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _localAddr?: Address | null, _remoteAddr?: Address | null, _options?: CreateDatagramEndpointOptions): AwaitableCoroutine<[DatagramTransport, P]> { return notImplemented(); }

  /** Resolves a host and port. */
  getaddrinfo(_host: string | null, _port: number | string | null, _options?: GetaddrinfoOptions): AwaitableCoroutine<AddrInfo[]> { return notImplemented(); }
  /** Reverse-resolves a socket address. */
  getnameinfo(_sockaddr: Address, _flags?: number): AwaitableCoroutine<[string, string]> { return notImplemented(); }

  /** Connects the read end of a pipe. */
  connectReadPipe<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _pipe: unknown): AwaitableCoroutine<[ReadTransport, P]> { return notImplemented(); }
  /** Connects the write end of a pipe. */
  connectWritePipe<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _pipe: unknown): AwaitableCoroutine<[WriteTransport, P]> { return notImplemented(); }
  /** Runs a program in a child process. */
  subprocessExec<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _program: string, _args?: string[], _options?: SubprocessOptions): AwaitableCoroutine<[SubprocessTransport, P]> { return notImplemented(); }
  /** Runs a shell command in a child process. */
  subprocessShell<P extends BaseProtocol | ProtocolLike>(_protocolFactory: PF<P>, _cmd: string, _options?: SubprocessOptions): AwaitableCoroutine<[SubprocessTransport, P]> { return notImplemented(); }

  /** Watches `fd` for reading. */
  addReader<A extends unknown[]>(_fd: FileDescriptorLike, _callback: (...args: A) => unknown, ..._args: A): void { throw new NotImplementedError(); }
  /** Stops watching `fd` for reading. */
  removeReader(_fd: FileDescriptorLike): boolean { throw new NotImplementedError(); }
  /** Watches `fd` for writing. */
  addWriter<A extends unknown[]>(_fd: FileDescriptorLike, _callback: (...args: A) => unknown, ..._args: A): void { throw new NotImplementedError(); }
  /** Stops watching `fd` for writing. */
  removeWriter(_fd: FileDescriptorLike): boolean { throw new NotImplementedError(); }

  /** Receives up to `nbytes`. */
  sockRecv(_sock: Socket, _nbytes: number): AwaitableCoroutine<Buffer> { return notImplemented(); }
  /** Receives into `buf`. */
  sockRecvInto(_sock: Socket, _buf: Uint8Array): AwaitableCoroutine<number> { return notImplemented(); }
  /** Receives a datagram: `[data, address]`, the address in the form of the socket's family. */
  sockRecvfrom<F extends number>(_sock: Socket<F>, _bufsize: number): AwaitableCoroutine<[Buffer, AddressOf<F>]> { return notImplemented(); }
  /** Receives a datagram into `buf`: `[nbytes, address]`. */
  sockRecvfromInto<F extends number>(_sock: Socket<F>, _buf: Uint8Array, _nbytes?: number): AwaitableCoroutine<[number, AddressOf<F>]> { return notImplemented(); }
  /** Sends a datagram. */
  sockSendto(_sock: Socket, _data: Uint8Array, _address: Address): AwaitableCoroutine<number> { return notImplemented(); }
  /** Sends all of `data`. */
  sockSendall(_sock: Socket, _data: Uint8Array): AwaitableCoroutine<void> { return notImplemented(); }
  /** Connects `sock` to `address`. */
  sockConnect(_sock: Socket, _address: Address): AwaitableCoroutine<void> { return notImplemented(); }
  /** Accepts a connection: `[conn, address]`, both of the listening socket's family. */
  sockAccept<F extends number>(_sock: Socket<F>): AwaitableCoroutine<[Socket<F>, AddressOf<F>]> { return notImplemented(); }
  /** Sends a file over a socket. */
  sockSendfile(_sock: Socket, _file: FileLike, _offset?: number, _count?: number | null, _options?: { fallback?: boolean }): AwaitableCoroutine<number> { return notImplemented(); }

  /** Sets a Unix signal handler. */
  addSignalHandler<A extends unknown[]>(_sig: number | string, _callback: (...args: A) => unknown, ..._args: A): void { throw new NotImplementedError(); }
  /** Removes a Unix signal handler. */
  removeSignalHandler(_sig: number | string): boolean { throw new NotImplementedError(); }

  /** Runs `func(...args)` in an executor. */
  runInExecutor<A extends unknown[], R>(_executor: Executor | null, _func: (...args: A) => R | PromiseLike<R>, ..._args: A): Future<Awaited<R>> { throw new NotImplementedError(); }
  /** Sets the default executor of runInExecutor(null, ...). */
  setDefaultExecutor(_executor: Executor): void { throw new NotImplementedError(); }

  /** Sets the exception handler (null: the default). */
  setExceptionHandler(_handler: ExceptionHandler | null): void { throw new NotImplementedError(); }
  /** The current exception handler, or null for the default. */
  getExceptionHandler(): ExceptionHandler | null { throw new NotImplementedError(); }
  /** The default exception handler: logs the context. */
  defaultExceptionHandler(_context: ExceptionContext): void { throw new NotImplementedError(); }
  /** Calls the current exception handler. */
  callExceptionHandler(_context: ExceptionContext): void { throw new NotImplementedError(); }

  /** Whether debug mode is on. */
  getDebug(): boolean { throw new NotImplementedError(); }
  /** Turns debug mode on or off. */
  setDebug(_enabled: boolean): void { throw new NotImplementedError(); }
}

/** Python's AbstractEventLoopPolicy. */
export class AbstractEventLoopPolicy {
  /** The current loop of this context (NotImplementedError here, as in Python). */
  getEventLoop(): AbstractEventLoop { throw new NotImplementedError(); }
  /** Sets the current loop (NotImplementedError here, as in Python). */
  setEventLoop(_loop: AbstractEventLoop | null): void { throw new NotImplementedError(); }
  /** Creates a new loop (NotImplementedError here, as in Python). */
  newEventLoop(): AbstractEventLoop { throw new NotImplementedError(); }
}

let loopFactory: (() => AbstractEventLoop) | null = null;

/** @internal The loop core registers the class the default policy creates. */
export function _setDefaultLoopFactory(f: () => AbstractEventLoop): void {
  loopFactory = f;
}

let warnedNoLoop = false;

/** The default policy: one current loop, created on demand by getEventLoop() (with a DeprecationWarning, as Python 3.12). */
export class DefaultEventLoopPolicy extends AbstractEventLoopPolicy {
  private loop: AbstractEventLoop | null = null;
  private setCalled = false;

  override getEventLoop(): AbstractEventLoop {
    if (this.loop === null && !this.setCalled) {
      if (!warnedNoLoop) {
        warnedNoLoop = true;
        process.emitWarning("There is no current event loop", "DeprecationWarning");
      }
      this.setEventLoop(this.newEventLoop());
    }
    if (this.loop === null) throw new RuntimeError("There is no current event loop in thread 'MainThread'.");
    return this.loop;
  }

  override setEventLoop(loop: AbstractEventLoop | null): void {
    this.setCalled = true;
    if (loop !== null && !(loop instanceof AbstractEventLoop)) {
      throw new TypeError(`loop must be an instance of AbstractEventLoop or None, not '${(loop as object)?.constructor?.name}'`);
    }
    this.loop = loop;
  }

  override newEventLoop(): AbstractEventLoop {
    if (loopFactory === null) throw new RuntimeError("tsyncio's loop core is not loaded");
    return loopFactory();
  }
}

let policy: AbstractEventLoopPolicy | null = null;
let runningLoop: AbstractEventLoop | null = null;

/** The running loop, or null (Python's `_get_running_loop`). */
export function _getRunningLoop(): AbstractEventLoop | null {
  return runningLoop;
}

/** @internal Sets the running loop (the loop core calls it around runForever). */
export function _setRunningLoop(loop: AbstractEventLoop | null): void {
  runningLoop = loop;
}

/** The running loop; RuntimeError when none is running. */
export function getRunningLoop(): AbstractEventLoop {
  if (runningLoop === null) throw new RuntimeError("no running event loop");
  return runningLoop;
}

/** The running loop, else the policy's current loop. */
export function getEventLoop(): AbstractEventLoop {
  return runningLoop ?? getEventLoopPolicy().getEventLoop();
}

/** Sets the current loop of the policy. */
export function setEventLoop(loop: AbstractEventLoop | null): void {
  getEventLoopPolicy().setEventLoop(loop);
}

/** A new loop from the policy. */
export function newEventLoop(): AbstractEventLoop {
  return getEventLoopPolicy().newEventLoop();
}

/** The current policy. */
export function getEventLoopPolicy(): AbstractEventLoopPolicy {
  if (policy === null) policy = new DefaultEventLoopPolicy();
  return policy;
}

/** Sets the policy (null: the default). */
export function setEventLoopPolicy(p: AbstractEventLoopPolicy | null): void {
  if (p !== null && !(p instanceof AbstractEventLoopPolicy)) {
    throw new TypeError(`policy must be an instance of AbstractEventLoopPolicy or None, not '${(p as object)?.constructor?.name}'`);
  }
  policy = p;
}
