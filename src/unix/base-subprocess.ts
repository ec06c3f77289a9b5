import type { BaseEventLoop } from "../core/base-events.js";
import type { Coroutine } from "../core/coroutines.js";
import { ProcessLookupError } from "../stdlib/exceptions.js";
import type { Future } from "../core/futures.js";
import { native } from "../internal/native.js";
import { logger } from "../core/log.js";
import type { BaseProtocol, ProtocolLike, SubprocessProtocol } from "../core/protocols.js";
import { type BaseTransport, SubprocessTransport } from "../core/transports.js";

// base_subprocess.py: the transport of a child process, independent of how
// the child is started (unix-subprocess.ts starts it with Node's spawn).

const N = native();

/** Python's subprocess.PIPE. */
export const PIPE = -1;
/** Python's subprocess.STDOUT (stderr only: merge it into stdout). */
export const STDOUT = -2;
/** Python's subprocess.DEVNULL. */
export const DEVNULL = -3;

/** What a concrete subprocess transport gives the base class: the started child. */
export interface ChildHandle {
  /** The child's pid. */
  readonly pid: number;
  /** The parent's end of the child's stdin pipe (an fd), or null. */
  readonly stdin: number | null;
  /** The parent's end of the child's stdout pipe, or null. */
  readonly stdout: number | null;
  /** The parent's end of the child's stderr pipe, or null. */
  readonly stderr: number | null;
  /** Whether the child has been reaped. */
  exited(): boolean;
  /** Sends a signal (ignored once the child has exited). */
  sendSignal(sig: number | string): void;
  /** The object exposed as `getExtraInfo("subprocess")`. */
  readonly object: unknown;
}

/** The protocol of one pipe of a child (Python's WriteSubprocessPipeProto and ReadSubprocessPipeProto). */
export class SubprocessPipeProtocol {
  /** @internal */ proc: BaseSubprocessTransport | null;
  /** The child's fd this pipe is (0, 1 or 2). */
  readonly fd: number;
  /** The pipe's transport, once connected. */
  pipe: BaseTransport | null = null;
  /** Whether connectionLost() was called. */
  disconnected = false;

  constructor(proc: BaseSubprocessTransport, fd: number) {
    this.proc = proc;
    this.fd = fd;
  }

  toString(): string {
    return `<${this.constructor.name} fd=${this.fd} pipe=${this.pipe}>`;
  }

  connectionMade(transport: BaseTransport): void {
    this.pipe = transport;
  }

  connectionLost(exc: Error | null): void {
    this.disconnected = true;
    this.proc!._pipeConnectionLost(this.fd, exc);
    this.proc = null;
  }

  pauseWriting(): void {
    this.proc!._protocol!.pauseWriting?.();
  }

  resumeWriting(): void {
    this.proc!._protocol!.resumeWriting?.();
  }

  dataReceived(data: Uint8Array): void {
    this.proc!._pipeDataReceived(this.fd, data);
  }

  eofReceived(): void {}
}

/** Python's BaseSubprocessTransport: pipes, exit status and the protocol's callback order. */
export abstract class BaseSubprocessTransport extends SubprocessTransport {
  /** @internal */ _closed = false;
  /** @internal */ _protocol: ProtocolLike | null;
  /** @internal */ _loop: BaseEventLoop | null;
  /** @internal */ _proc: ChildHandle | null = null;
  /** @internal */ _pid: number | null = null;
  /** @internal */ _returncode: number | null = null;
  /** @internal */ _exitWaiters: Future<number>[] | null = [];
  /** @internal */ _pendingCalls: Array<() => void> | null = [];
  /** @internal */ _pipes = new Map<number, SubprocessPipeProtocol | null>();
  /** @internal */ _finished = false;

  constructor(loop: BaseEventLoop, protocol: BaseProtocol | ProtocolLike, stdin: unknown, stdout: unknown, stderr: unknown, extra: Record<string, unknown> | null = null) {
    super(extra);
    this._protocol = protocol as ProtocolLike;
    this._loop = loop;
    if (stdin === PIPE) this._pipes.set(0, null);
    if (stdout === PIPE) this._pipes.set(1, null);
    if (stderr === PIPE) this._pipes.set(2, null);
  }

  /** @internal Called by the subclass once the child is started. */
  _started(proc: ChildHandle, waiter: Future<void> | null, program: string): void {
    this._proc = proc;
    this._pid = proc.pid;
    this._extra.subprocess = proc.object;
    if (this._loop!.getDebug()) logger.debug(`process ${JSON.stringify(program)} created: pid ${this._pid}`);
    this._loop!.createTask(this._connectPipes(waiter));
  }

  override toString(): string {
    const info = [this.constructor.name];
    if (this._closed) info.push("closed");
    if (this._pid !== null) info.push(`pid=${this._pid}`);
    if (this._returncode !== null) info.push(`returncode=${this._returncode}`);
    else if (this._pid !== null) info.push("running");
    else info.push("not started");
    const stdin = this._pipes.get(0);
    if (stdin) info.push(`stdin=${stdin.pipe}`);
    const stdout = this._pipes.get(1);
    const stderr = this._pipes.get(2);
    if (stdout && stderr === stdout) info.push(`stdout=stderr=${stdout.pipe}`);
    else {
      if (stdout) info.push(`stdout=${stdout.pipe}`);
      if (stderr) info.push(`stderr=${stderr.pipe}`);
    }
    return `<${info.join(" ")}>`;
  }

  override setProtocol(protocol: BaseProtocol | ProtocolLike): void {
    this._protocol = protocol as ProtocolLike;
  }

  override getProtocol(): BaseProtocol | ProtocolLike {
    return this._protocol as ProtocolLike;
  }

  override isClosing(): boolean {
    return this._closed;
  }

  /** Closes the pipes and kills the child if it still runs (it is reaped when it dies). */
  override close(): void {
    if (this._closed) return;
    this._closed = true;
    for (const proto of this._pipes.values()) {
      if (proto === null || proto.pipe === null) continue;
      proto.pipe.close();
    }
    if (this._proc !== null && this._returncode === null && !this._proc.exited()) {
      if (this._loop?.getDebug()) logger.warning(`Close running child process: kill ${this}`);
      try {
        this._proc.sendSignal("SIGKILL");
      } catch (e) {
        if (!(e instanceof ProcessLookupError)) throw e;
      }
    }
  }

  override getPid(): number {
    return this._pid as number;
  }

  override getReturncode(): number | null {
    return this._returncode;
  }

  override getPipeTransport(fd: number): BaseTransport | null {
    const p = this._pipes.get(fd);
    return p ? p.pipe : null;
  }

  /** @internal */
  _checkProc(): ChildHandle {
    if (this._proc === null) throw new ProcessLookupError();
    return this._proc;
  }

  override sendSignal(signal: number | string): void {
    this._checkProc().sendSignal(signal);
  }

  override terminate(): void {
    this._checkProc().sendSignal("SIGTERM");
  }

  override kill(): void {
    this._checkProc().sendSignal("SIGKILL");
  }

  /** @internal */
  *_connectPipes(waiter: Future<void> | null): Coroutine<void> {
    const proc = this._proc!;
    // The parent's ends not yet owned by a pipe transport (closed here on failure).
    const pending = [proc.stdin, proc.stdout, proc.stderr];
    try {
      const loop = this._loop!;
      for (let fd = 0; fd < 3; fd++) {
        const end = pending[fd];
        if (end === null || end === undefined) continue;
        const factory = () => new SubprocessPipeProtocol(this, fd);
        const [, pipe] = fd === 0 ? yield* loop.connectWritePipe(factory, end) : yield* loop.connectReadPipe(factory, end);
        pending[fd] = null;
        this._pipes.set(fd, pipe);
      }
      const p = this._protocol!;
      loop._callSoonWith(() => p.connectionMade!(this), null, null);
      for (const cb of this._pendingCalls!) loop._callSoonWith(cb, null, null);
      this._pendingCalls = null;
    } catch (exc) {
      for (const end of pending) if (end !== null) N.close(end);
      if (waiter !== null && !waiter.cancelled()) waiter.setException(exc);
      return;
    }
    if (waiter !== null && !waiter.cancelled()) waiter.setResult(undefined);
  }

  /** @internal Runs a protocol callback soon, or after connectionMade() while the pipes are being connected. */
  _call(cb: () => void): void {
    if (this._pendingCalls !== null) this._pendingCalls.push(cb);
    else this._loop!._callSoonWith(cb, null, null);
  }

  /** @internal */
  _pipeConnectionLost(fd: number, exc: Error | null): void {
    const p = this._protocol as SubprocessProtocol;
    this._call(() => p.pipeConnectionLost(fd, exc));
    this._tryFinish();
  }

  /** @internal */
  _pipeDataReceived(fd: number, data: Uint8Array): void {
    const p = this._protocol as SubprocessProtocol;
    this._call(() => p.pipeDataReceived(fd, data));
  }

  /** @internal The child exited with `returncode` (negative: killed by that signal). */
  _processExited(returncode: number): void {
    if (this._returncode !== null || this._loop === null) return;
    if (this._loop.getDebug()) logger.info(`${this} exited with return code ${returncode}`);
    this._returncode = returncode;
    const p = this._protocol as SubprocessProtocol;
    this._call(() => p.processExited());
    this._tryFinish();
  }

  /** @internal Waits until the child has exited and every pipe is closed; its return code. */
  *_wait(): Coroutine<number> {
    if (this._returncode !== null) return this._returncode;
    const waiter = this._loop!.createFuture<number>();
    this._exitWaiters!.push(waiter);
    return yield* waiter;
  }

  /** @internal */
  _tryFinish(): void {
    if (this._finished || this._returncode === null) return;
    for (const p of this._pipes.values()) {
      if (p === null || !p.disconnected) return;
    }
    this._finished = true;
    this._call(() => this._callConnectionLost(null));
  }

  /** @internal */
  _callConnectionLost(exc: Error | null): void {
    try {
      this._protocol!.connectionLost?.(exc);
    } finally {
      for (const w of this._exitWaiters!) {
        if (!w.cancelled()) w.setResult(this._returncode!);
      }
      this._exitWaiters = null;
      this._loop = null;
      this._proc = null;
      this._protocol = null;
    }
  }
}
