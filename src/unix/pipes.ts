import { Buffer } from "node:buffer";
import { constants as osConstants } from "node:os";
import { bytesExpected } from "../internal/pyrepr.js";
import type { BaseEventLoop } from "../core/base-events.js";
import type { Coroutine } from "../core/coroutines.js";
import { BrokenPipeError, OSError, ValueError, osError } from "../stdlib/exceptions.js";
import { type Future, setResultUnlessCancelled } from "../core/futures.js";
import { native } from "../internal/native.js";
import { logger } from "../core/log.js";
import type { BaseProtocol, Protocol, ProtocolLike } from "../core/protocols.js";
import { _addReader, _addWriter, _releaseFd, _removeReader, _removeWriter } from "../net/selector.js";
import { ReadTransport, WriteTransport } from "../core/transports.js";
import { mixFlowControl, type FlowControlMethods } from "../core/flow-control.js";

// unix_events.py: _UnixReadPipeTransport and _UnixWritePipeTransport, on raw
// non-blocking fds (pipes, FIFOs, character devices, sockets).

const N = native();
const E = osConstants.errno;
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
/** writev() takes at most IOV_MAX buffers. */
const IOV_MAX = 1024;

/** What the pipe transports here accept: an fd or an object with fileno() or fd (src/loop.ts hands Node streams to node/streams.ts). */
export type PipeLike = number | { fileno(): number } | { fd: number };

/** The fd of a pipe argument, and how to close it (the object's own close when it has one, as Python's `pipe.close()`). */
function resolvePipe(pipe: unknown): { fd: number; close: () => void } {
  const obj = pipe as Record<string, unknown> | null;
  let fd: unknown;
  let close: (() => void) | null = null;
  if (typeof pipe === "number") {
    fd = pipe;
  } else if (obj !== null && typeof obj === "object") {
    if (typeof obj.fileno === "function") {
      fd = (obj.fileno as () => unknown).call(obj);
      if (typeof obj.close === "function") close = () => void (obj.close as () => unknown).call(obj);
    } else if (typeof obj.fd === "number") {
      fd = obj.fd;
    }
  }
  if (typeof fd !== "number" || !Number.isInteger(fd)) {
    throw new TypeError(`pipe must be an fd, an object with fileno(), or a Node stream, not ${pipe === null ? "null" : typeof pipe}`);
  }
  if (fd < 0) throw new ValueError(`Invalid file descriptor: ${fd}`);
  const theFd = fd;
  return { fd: theFd, close: close ?? (() => void N.close(theFd)) };
}

function fdKind(fd: number): string {
  const t = N.fdType(fd);
  if (typeof t === "number") throw osError(-t);
  return t;
}

/** The read end of a pipe (Python's _UnixReadPipeTransport). */
export class UnixReadPipeTransport extends ReadTransport {
  /** Most bytes read in one loop iteration. */
  static maxSize = 256 * 1024;

  /** @internal */ _loop: BaseEventLoop | null;
  /** @internal */ _pipe: unknown;
  /** @internal */ _fileno: number;
  /** @internal */ _closePipe: (() => void) | null;
  /** @internal */ _protocol: ProtocolLike | null;
  /** @internal */ _closing = false;
  /** @internal */ _paused = false;
  private readonly _readReadyBound = (): void => this._readReady();

  constructor(loop: BaseEventLoop, pipe: unknown, protocol: BaseProtocol | ProtocolLike, waiter: Future<void> | null = null, extra: Record<string, unknown> | null = null) {
    super(extra);
    const { fd, close } = resolvePipe(pipe);
    const kind = fdKind(fd);
    if (kind !== "fifo" && kind !== "socket" && kind !== "chr") throw new ValueError("Pipe transport is for pipes/sockets only.");
    this._extra.pipe = pipe;
    this._loop = loop;
    this._pipe = pipe;
    this._fileno = fd;
    this._closePipe = close;
    this._protocol = protocol as ProtocolLike;
    const r = N.setNonblocking(fd, true);
    if (r < 0) throw osError(-r);
    const p = this._protocol;
    loop._callSoonWith(() => p.connectionMade!(this), null, null);
    // Reading starts only once connectionMade() has run.
    loop._callSoonWith(() => this._startReading(), null, null);
    if (waiter !== null) loop._callSoonWith(setResultUnlessCancelled as (f: Future<void>, r: undefined) => void, [waiter, undefined], null);
  }

  /** @internal */
  _startReading(): void {
    if (!this.isReading() || this._loop === null) return;
    _addReader(this._loop, this._fileno, this._readReadyBound, null);
  }

  override isReading(): boolean {
    return !this._paused && !this._closing;
  }

  override toString(): string {
    const info = [this.constructor.name];
    if (this._pipe === null) info.push("closed");
    else if (this._closing) info.push("closing");
    info.push(`fd=${this._fileno}`);
    // As Python: a closed loop has no selector to ask, so the pipe is just "open".
    if (this._pipe !== null && this._loop !== null && !this._loop.isClosed()) info.push(this.isReading() ? "polling" : "idle");
    else info.push(this._pipe !== null ? "open" : "closed");
    return `<${info.join(" ")}>`;
  }

  /** @internal */
  _readReady(): void {
    const data = N.read(this._fileno, UnixReadPipeTransport.maxSize);
    if (typeof data === "number") {
      if (data === -E.EAGAIN || data === -E.EINTR) return;
      this._fatalError(osError(-data), "Fatal read error on pipe transport");
      return;
    }
    if (data.byteLength > 0) {
      (this._protocol as Protocol).dataReceived(data);
      return;
    }
    const loop = this._loop!;
    if (loop.getDebug()) logger.info(`${this} was closed by peer`);
    this._closing = true;
    _removeReader(loop, this._fileno);
    const p = this._protocol as Protocol;
    loop._callSoonWith(() => p.eofReceived(), null, null);
    loop._callSoonWith(() => this._callConnectionLost(null), null, null);
  }

  override pauseReading(): void {
    if (!this.isReading()) return;
    this._paused = true;
    _removeReader(this._loop!, this._fileno);
    if (this._loop!.getDebug()) logger.debug(`${this} pauses reading`);
  }

  override resumeReading(): void {
    if (this._closing || !this._paused) return;
    this._paused = false;
    _addReader(this._loop!, this._fileno, this._readReadyBound, null);
    if (this._loop!.getDebug()) logger.debug(`${this} resumes reading`);
  }

  override setProtocol(protocol: BaseProtocol | ProtocolLike): void {
    this._protocol = protocol as ProtocolLike;
  }

  override getProtocol(): BaseProtocol | ProtocolLike {
    return this._protocol as ProtocolLike;
  }

  override isClosing(): boolean {
    return this._closing;
  }

  override close(): void {
    if (!this._closing) this._close(null);
  }

  /** @internal */
  _fatalError(exc: Error, message = "Fatal error on pipe transport"): void {
    if (exc instanceof OSError && exc.errno === E.EIO) {
      if (this._loop!.getDebug()) logger.debug(`${this}: ${message}`);
    } else {
      this._loop!.callExceptionHandler({ message, exception: exc, transport: this, protocol: this._protocol });
    }
    this._close(exc);
  }

  /** @internal */
  _close(exc: Error | null): void {
    this._closing = true;
    const loop = this._loop!;
    _removeReader(loop, this._fileno);
    loop._callSoonWith(() => this._callConnectionLost(exc), null, null);
  }

  /** @internal */
  _callConnectionLost(exc: Error | null): void {
    callPipeConnectionLost(this, exc);
  }
}

/** The write end of a pipe (Python's _UnixWritePipeTransport), with the shared write-buffer flow control. */
/** Flow control from FlowControlTransport (mixFlowControl). */
export interface UnixWritePipeTransport extends FlowControlMethods {}
export class UnixWritePipeTransport extends WriteTransport {
  /** @internal */ _loop: BaseEventLoop | null;
  /** @internal */ _pipe: unknown;
  /** @internal */ _fileno: number;
  /** @internal */ _closePipe: (() => void) | null;
  /** @internal */ _protocol: ProtocolLike | null;
  /** @internal */ _buffer: Buffer[] = [];
  /** @internal */ _bufferSize = 0;
  /** @internal */ _connLost = 0;
  /** @internal */ _closing = false;
  /** @internal */ _protocolPaused = false;
  /** @internal */ _highWater = 64 * 1024;
  /** @internal */ _lowWater = 16 * 1024;
  private readonly _writeReadyBound = (): void => this._writeReady();
  private readonly _readReadyBound = (): void => this._readReady();

  constructor(loop: BaseEventLoop, pipe: unknown, protocol: BaseProtocol | ProtocolLike, waiter: Future<void> | null = null, extra: Record<string, unknown> | null = null) {
    super(extra);
    const { fd, close } = resolvePipe(pipe);
    const kind = fdKind(fd);
    if (kind !== "fifo" && kind !== "socket" && kind !== "chr") {
      throw new ValueError("Pipe transport is only for pipes, sockets and character devices");
    }
    this._extra.pipe = pipe;
    this._loop = loop;
    this._setWriteBufferLimits();
    this._pipe = pipe;
    this._fileno = fd;
    this._closePipe = close;
    this._protocol = protocol as ProtocolLike;
    const r = N.setNonblocking(fd, true);
    if (r < 0) throw osError(-r);
    const p = this._protocol;
    loop._callSoonWith(() => p.connectionMade!(this), null, null);
    // Watching a pipe's write end for readability tells when its reader has
    // closed (the kernel reports an error condition there).
    if (kind === "socket" || kind === "fifo") {
      loop._callSoonWith(() => {
        if (this._loop !== null && !this._closing) _addReader(this._loop, this._fileno, this._readReadyBound, null);
      }, null, null);
    }
    if (waiter !== null) loop._callSoonWith(setResultUnlessCancelled as (f: Future<void>, r: undefined) => void, [waiter, undefined], null);
  }

  override toString(): string {
    const info = [this.constructor.name];
    if (this._pipe === null) info.push("closed");
    else if (this._closing) info.push("closing");
    info.push(`fd=${this._fileno}`);
    if (this._pipe !== null && this._loop !== null && !this._loop.isClosed()) info.push(this._bufferSize > 0 ? "polling" : "idle", `bufsize=${this._bufferSize}`);
    else info.push(this._pipe !== null ? "open" : "closed");
    return `<${info.join(" ")}>`;
  }

  override getWriteBufferSize(): number {
    return this._bufferSize;
  }






  /** @internal The reader of the pipe went away. */
  _readReady(): void {
    if (this._loop === null) return;
    if (this._loop.getDebug()) logger.info(`${this} was closed by peer`);
    if (this._bufferSize > 0) this._close(new BrokenPipeError());
    else this._close(null);
  }

  override write(data: Uint8Array): void {
    if (!ArrayBuffer.isView(data)) throw bytesExpected(data, "data argument must be a bytes-like object");
    let buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (buf.length === 0) return;
    if (this._connLost || this._closing) {
      if (this._connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        logger.warning("pipe closed by peer or os.write(pipe, data) raised exception.");
      }
      this._connLost++;
      return;
    }
    if (this._buffer.length === 0) {
      // Try to write at once; buffer only the rest.
      let n = N.write(this._fileno, buf, 0, buf.length);
      if (n === -E.EAGAIN || n === -E.EINTR) n = 0;
      else if (n < 0) {
        this._connLost++;
        this._fatalError(osError(-n), "Fatal write error on pipe transport");
        return;
      }
      if (n === buf.length) return;
      if (n > 0) buf = buf.subarray(n);
      _addWriter(this._loop!, this._fileno, this._writeReadyBound, null);
    }
    // Copied: the caller may reuse its buffer.
    this._buffer.push(Buffer.from(buf));
    this._bufferSize += buf.length;
    this._maybePauseProtocol();
  }

  /** @internal */
  _writeReady(): void {
    if (this._bufferSize === 0) return;
    const chunks = this._buffer.length > IOV_MAX ? this._buffer.slice(0, IOV_MAX) : this._buffer;
    let n = chunks.length === 1 ? N.write(this._fileno, chunks[0]!, 0, chunks[0]!.length) : N.writev(this._fileno, chunks);
    if (n === -E.EAGAIN || n === -E.EINTR) return;
    const loop = this._loop!;
    if (n < 0) {
      this._buffer = [];
      this._bufferSize = 0;
      this._connLost++;
      // _fatalError() would not remove the writer: the buffer is empty now.
      _removeWriter(loop, this._fileno);
      this._fatalError(osError(-n), "Fatal write error on pipe transport");
      return;
    }
    if (n === this._bufferSize) {
      this._buffer = [];
      this._bufferSize = 0;
      _removeWriter(loop, this._fileno);
      this._maybeResumeProtocol(); // May write more.
      if (this._closing) {
        _removeReader(loop, this._fileno);
        this._callConnectionLost(null);
      }
      return;
    }
    this._bufferSize -= n;
    let i = 0;
    while (n > 0) {
      const c = this._buffer[i]!;
      if (c.length <= n) {
        n -= c.length;
        i++;
      } else {
        this._buffer[i] = c.subarray(n);
        n = 0;
      }
    }
    if (i > 0) this._buffer.splice(0, i);
  }

  override canWriteEof(): boolean {
    return true;
  }

  override writeEof(): void {
    if (this._closing) return;
    this._closing = true;
    if (this._bufferSize === 0) {
      const loop = this._loop!;
      _removeReader(loop, this._fileno);
      loop._callSoonWith(() => this._callConnectionLost(null), null, null);
    }
  }

  override setProtocol(protocol: BaseProtocol | ProtocolLike): void {
    this._protocol = protocol as ProtocolLike;
  }

  override getProtocol(): BaseProtocol | ProtocolLike {
    return this._protocol as ProtocolLike;
  }

  override isClosing(): boolean {
    return this._closing;
  }

  override close(): void {
    // Closing a write pipe is flushing it and writing EOF.
    if (this._pipe !== null && !this._closing) this.writeEof();
  }

  override abort(): void {
    this._close(null);
  }

  /** @internal */
  _fatalError(exc: Error, message = "Fatal error on pipe transport"): void {
    if (exc instanceof OSError) {
      if (this._loop!.getDebug()) logger.debug(`${this}: ${message}`);
    } else {
      this._loop!.callExceptionHandler({ message, exception: exc, transport: this, protocol: this._protocol });
    }
    this._close(exc);
  }

  /** @internal */
  _close(exc: Error | null = null): void {
    const loop = this._loop;
    if (loop === null) return;
    this._closing = true;
    if (this._bufferSize > 0) _removeWriter(loop, this._fileno);
    this._buffer = [];
    this._bufferSize = 0;
    _removeReader(loop, this._fileno);
    loop._callSoonWith(() => this._callConnectionLost(exc), null, null);
  }

  /** @internal */
  _callConnectionLost(exc: Error | null): void {
    callPipeConnectionLost(this, exc);
  }
}
mixFlowControl(UnixWritePipeTransport);

function* connectPipe<T, P>(loop: BaseEventLoop, make: (waiter: Future<void>) => T & { close(): void }, protocol: P): Coroutine<[T, P]> {
  const waiter = loop.createFuture<void>();
  const transport = make(waiter);
  try {
    yield* waiter;
  } catch (e) {
    transport.close();
    throw e;
  }
  if (loop.getDebug()) logger.debug(`Pipe connected: (${transport}, ${protocol})`);
  return [transport, protocol];
}

/** Python's `loop.connect_read_pipe()`. */
export function connectReadPipe<P extends BaseProtocol | ProtocolLike>(loop: BaseEventLoop, protocolFactory: () => P, pipe: unknown): Coroutine<[ReadTransport, P]> {
  return (function* (): Coroutine<[ReadTransport, P]> {
    const protocol = protocolFactory();
    return yield* connectPipe<ReadTransport, P>(loop, (w) => new UnixReadPipeTransport(loop, pipe, protocol, w), protocol);
  })();
}

/** Python's `loop.connect_write_pipe()`. */
export function connectWritePipe<P extends BaseProtocol | ProtocolLike>(loop: BaseEventLoop, protocolFactory: () => P, pipe: unknown): Coroutine<[WriteTransport, P]> {
  return (function* (): Coroutine<[WriteTransport, P]> {
    const protocol = protocolFactory();
    return yield* connectPipe<WriteTransport, P>(loop, (w) => new UnixWritePipeTransport(loop, pipe, protocol, w), protocol);
  })();
}

/** The fields both pipe transports share for their final step. */
interface PipeEnd {
  _pipe: unknown;
  _closePipe: (() => void) | null;
  _protocol: ProtocolLike | null;
  _loop: BaseEventLoop | null;
  _fileno: number;
}

/** The last step of either pipe transport: connectionLost, then the fd's watcher goes, then the fd. */
function callPipeConnectionLost(t: PipeEnd, exc: Error | null): void {
  if (t._pipe === null) return;
  try {
    t._protocol!.connectionLost?.(exc);
  } finally {
    const close = t._closePipe!;
    const loop = t._loop!;
    t._pipe = null;
    t._closePipe = null;
    t._protocol = null;
    t._loop = null;
    // The fd's watcher goes before the fd does (its number may be reused at once).
    _removeReader(loop, t._fileno);
    _releaseFd(loop, t._fileno);
    close();
  }
}
