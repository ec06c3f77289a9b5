import { inspectRepr } from "../internal/pyrepr.js";
import type { BaseEventLoop } from "../core/base-events.js";
import { BaseSubprocessTransport, DEVNULL, PIPE, STDOUT } from "./base-subprocess.js";
import { type AwaitableCoroutine, type Coroutine, awaitableCoroutine } from "../core/coroutines.js";
import { getRunningLoop, type StdioSpec, type SubprocessOptions } from "../core/events.js";
import { BrokenPipeError, ConnectionResetError } from "../stdlib/exceptions.js";
import type { Future } from "../core/futures.js";
import { logger } from "../core/log.js";
import { DEFAULT_LIMIT, FlowControlMixin, StreamReader, StreamWriter } from "../net/streams.js";
import { gather } from "../core/tasks.js";
import type { BaseTransport, ReadTransport, SubprocessTransport, WriteTransport } from "../core/transports.js";

// subprocess.py: Process and create_subprocess_exec/shell over StreamReader
// and StreamWriter.

export { PIPE, STDOUT, DEVNULL };

/** The protocol of createSubprocessExec/Shell: feeds stdout/stderr into StreamReaders (Python's SubprocessStreamProtocol). */
export class SubprocessStreamProtocol extends FlowControlMixin {
  /** @internal */ _limit: number;
  /** The writer of the child's stdin, or null. */
  stdin: StreamWriter | null = null;
  /** The reader of the child's stdout, or null. */
  stdout: StreamReader | null = null;
  /** The reader of the child's stderr, or null. */
  stderr: StreamReader | null = null;
  /** @internal */ _transport: SubprocessTransport | null = null;
  /** @internal */ _processExited = false;
  /** @internal */ _pipeFds: number[] = [];
  /** @internal */ _stdinClosed: Future<void>;

  constructor(limit: number, loop: BaseEventLoop) {
    super(loop);
    this._limit = limit;
    this._stdinClosed = loop.createFuture<void>();
  }

  override toString(): string {
    const info = [this.constructor.name];
    if (this.stdin !== null) info.push(`stdin=${this.stdin}`);
    if (this.stdout !== null) info.push(`stdout=${this.stdout}`);
    if (this.stderr !== null) info.push(`stderr=${this.stderr}`);
    return `<${info.join(" ")}>`;
  }

  override connectionMade(transport: BaseTransport): void {
    const t = transport as SubprocessTransport;
    this._transport = t;
    const stdoutTransport = t.getPipeTransport(1);
    if (stdoutTransport !== null) {
      this.stdout = new StreamReader({ limit: this._limit, loop: this._loop });
      this.stdout.setTransport(stdoutTransport);
      this._pipeFds.push(1);
    }
    const stderrTransport = t.getPipeTransport(2);
    if (stderrTransport !== null) {
      this.stderr = new StreamReader({ limit: this._limit, loop: this._loop });
      this.stderr.setTransport(stderrTransport);
      this._pipeFds.push(2);
    }
    const stdinTransport = t.getPipeTransport(0);
    if (stdinTransport !== null) this.stdin = new StreamWriter(stdinTransport as WriteTransport, this, null, this._loop);
  }

  /** Data from the child's stdout (1) or stderr (2). */
  pipeDataReceived(fd: number, data: Uint8Array): void {
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    reader?.feedData(data);
  }

  /** One of the child's pipes closed. */
  pipeConnectionLost(fd: number, exc: Error | null): void {
    if (fd === 0) {
      this.stdin?.close();
      this.connectionLost(exc);
      if (exc === null) this._stdinClosed.setResult(undefined);
      else {
        this._stdinClosed.setException(exc);
        // waitClosed() is optional: an unobserved error here is not worth a log line.
        this._stdinClosed._markRetrieved();
      }
      return;
    }
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    if (reader !== null) {
      if (exc === null) reader.feedEof();
      else reader.setException(exc);
    }
    const i = this._pipeFds.indexOf(fd);
    if (i !== -1) this._pipeFds.splice(i, 1);
    this._maybeCloseTransport();
  }

  /** The child exited. */
  processExited(): void {
    this._processExited = true;
    this._maybeCloseTransport();
  }

  /** @internal */
  _maybeCloseTransport(): void {
    if (this._pipeFds.length === 0 && this._processExited && this._transport !== null) {
      this._transport.close();
      this._transport = null;
    }
  }

  override _getCloseWaiter(stream: StreamWriter): Future<void> {
    if (stream === this.stdin) return this._stdinClosed;
    return undefined as unknown as Future<void>;
  }
}

/** A child process started by createSubprocessExec/createSubprocessShell (Python's asyncio.subprocess.Process). */
export class Process {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** @internal */ _transport: SubprocessTransport;
  /** @internal */ _protocol: SubprocessStreamProtocol;
  /** @internal */ _loop: BaseEventLoop;
  /** The writer of the child's stdin (stdin: PIPE), else null. */
  readonly stdin: StreamWriter | null;
  /** The reader of the child's stdout (stdout: PIPE), else null. */
  readonly stdout: StreamReader | null;
  /** The reader of the child's stderr (stderr: PIPE), else null. */
  readonly stderr: StreamReader | null;
  /** The child's process id. */
  readonly pid: number;

  constructor(transport: SubprocessTransport, protocol: SubprocessStreamProtocol, loop: BaseEventLoop) {
    this._transport = transport;
    this._protocol = protocol;
    this._loop = loop;
    this.stdin = protocol.stdin;
    this.stdout = protocol.stdout;
    this.stderr = protocol.stderr;
    this.pid = transport.getPid();
  }

  /** Python's repr. */
  toString(): string {
    return `<${this.constructor.name} ${this.pid}>`;
  }

  /** The return code (negative signal number if killed by a signal), or null while the child runs. */
  get returncode(): number | null {
    return this._transport.getReturncode();
  }

  /** Waits for the child to exit; its return code. */
  wait(): AwaitableCoroutine<number> {
    return processWait(this);
  }

  /** Sends `signal` to the child. */
  sendSignal(signal: number | string): void {
    this._transport.sendSignal(signal);
  }

  /** Sends SIGTERM to the child. */
  terminate(): void {
    this._transport.terminate();
  }

  /** Sends SIGKILL to the child. */
  kill(): void {
    this._transport.kill();
  }

  /**
   * Writes `input` to stdin (then closes it) while reading stdout and stderr
   * to EOF, then waits for the child: `[stdout, stderr]` (null where not a pipe).
   */
  communicate(input: Uint8Array | null = null): AwaitableCoroutine<[Buffer | null, Buffer | null]> {
    return processCommunicate(this, input);
  }
}

const processWait = awaitableCoroutine(function* wait(p: Process): Coroutine<number> {
  return yield* (p._transport as BaseSubprocessTransport)._wait();
});

function* feedStdin(p: Process, input: Uint8Array | null): Coroutine<null> {
  const debug = p._loop.getDebug();
  const stdin = p.stdin!;
  try {
    if (input !== null) {
      stdin.write(input);
      if (debug) logger.debug(`${p} communicate: feed stdin (${input.byteLength} bytes)`);
    }
    yield* stdin.drain();
  } catch (exc) {
    // communicate() ignores a child that does not read its input.
    if (!(exc instanceof BrokenPipeError || exc instanceof ConnectionResetError)) throw exc;
    if (debug) logger.debug(`${p} communicate: stdin got ${exc}`);
  }
  if (debug) logger.debug(`${p} communicate: close stdin`);
  stdin.close();
  return null;
}

function* readStream(p: Process, fd: 1 | 2): Coroutine<Buffer> {
  const transport = p._transport.getPipeTransport(fd) as ReadTransport;
  const stream = fd === 2 ? p.stderr! : p.stdout!;
  const name = fd === 1 ? "stdout" : "stderr";
  if (p._loop.getDebug()) logger.debug(`${p} communicate: read ${name}`);
  const output = yield* stream.read();
  if (p._loop.getDebug()) logger.debug(`${p} communicate: close ${name}`);
  transport.close();
  return output;
}

function* noop(): Coroutine<null> {
  return null;
}

const processCommunicate = awaitableCoroutine(function* communicate(p: Process, input: Uint8Array | null): Coroutine<[Buffer | null, Buffer | null]> {
  const stdin = p.stdin !== null ? feedStdin(p, input) : noop();
  const stdout = p.stdout !== null ? readStream(p, 1) : noop();
  const stderr = p.stderr !== null ? readStream(p, 2) : noop();
  const [, out, err] = yield* gather(stdin, stdout, stderr);
  yield* processWait(p);
  return [out, err];
});

/** Options of createSubprocessExec/createSubprocessShell: stdio defaults to inheriting. */
export type CreateSubprocessOptions = SubprocessOptions;

function stdioOf(options: SubprocessOptions): { stdin: StdioSpec; stdout: StdioSpec; stderr: StdioSpec } {
  return { stdin: options.stdin ?? null, stdout: options.stdout ?? null, stderr: options.stderr ?? null };
}

/** Starts `program` with `args`: a coroutine giving its Process (stdio inherited unless PIPE, DEVNULL, ... is given). */
export const createSubprocessExec = awaitableCoroutine(function* createSubprocessExec(program: string, args: string[] = [], options: CreateSubprocessOptions = {}): Coroutine<Process> {
  const loop = getRunningLoop() as BaseEventLoop;
  const { limit = DEFAULT_LIMIT, ...rest } = options;
  const [transport, protocol] = yield* loop.subprocessExec(() => new SubprocessStreamProtocol(limit, loop), program, args, { ...rest, ...stdioOf(options) });
  return new Process(transport, protocol, loop);
});

/** Runs `cmd` with /bin/sh: a coroutine giving its Process (stdio inherited unless PIPE, DEVNULL, ... is given). */
export const createSubprocessShell = awaitableCoroutine(function* createSubprocessShell(cmd: string, options: CreateSubprocessOptions = {}): Coroutine<Process> {
  const loop = getRunningLoop() as BaseEventLoop;
  const { limit = DEFAULT_LIMIT, ...rest } = options;
  const [transport, protocol] = yield* loop.subprocessShell(() => new SubprocessStreamProtocol(limit, loop), cmd, { ...rest, ...stdioOf(options) });
  return new Process(transport, protocol, loop);
});
