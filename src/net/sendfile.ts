import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import { constants as osConstants } from "node:os";
import { ConnectionError, RuntimeError, SendfileNotAvailableError, ValueError, fromNodeError, osError } from "../stdlib/exceptions.js";
import { pyRepr } from "../internal/pyrepr.js";
import type { BaseEventLoop } from "../core/base-events.js";
import type { FileLike } from "../core/events.js";
import { wrapFuture, type Future } from "../core/futures.js";
import type { Coroutine } from "../core/coroutines.js";
import { Protocol, type BaseProtocol, type ProtocolLike } from "../core/protocols.js";
import type { Transport, WriteTransport } from "../core/transports.js";
import { Socket } from "../stdlib/socket.js";
import { native } from "../internal/native.js";
import * as selectorEvents from "./selector.js";
import { checkOffsetCount, fileFd } from "./sock-ops.js";

// base_events.py's loop.sendfile(): the native path through the socket
// transport's fd (sendfile(2), as sock_sendfile), or the fallback that reads
// the file and writes through the transport with flow control.

/** Python's `_SendfileMode`: how a transport takes part in loop.sendfile(). */
export type SendfileMode = "UNSUPPORTED" | "TRY_NATIVE" | "FALLBACK";

/** The transport internals loop.sendfile() uses (Python's names, camelCased). */
interface SendfileTransport {
  _sendfileCompatible?: SendfileMode;
  _protocolPaused?: boolean;
  _sock?: Socket;
  _makeEmptyWaiter?(): Future<void>;
  _resetEmptyWaiter?(): void;
  isReading?(): boolean;
  pauseReading?(): void;
  resumeReading?(): void;
  isClosing(): boolean;
  getProtocol(): BaseProtocol | ProtocolLike;
  setProtocol(p: BaseProtocol | ProtocolLike): void;
  write(data: Uint8Array): void;
  getExtraInfo(name: string, dflt?: unknown): unknown;
}

const SEEK_SET = 0;
const SEEK_CUR = 1;
const ESPIPE = osConstants.errno.ESPIPE;

/** Python's SENDFILE_FALLBACK_READBUFFER_SIZE for transports. */
const FALLBACK_BLOCK = 16384;

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

/** loop.sendfile(): see AbstractEventLoop.sendfile. */
export function sendfile(
  loop: BaseEventLoop, transport: WriteTransport | Transport, file: FileLike, offset: number, count: number | null,
  fallback: boolean,
): Coroutine<number> {
  return (function* sendfile(): Coroutine<number> {
    const transp = transport as unknown as SendfileTransport;
    if (transp.isClosing()) throw new RuntimeError("Transport is closing");
    const mode = transp._sendfileCompatible ?? "UNSUPPORTED";
    if (mode === "UNSUPPORTED") throw new RuntimeError(`sendfile is not supported for transport ${transport}`);
    if (mode === "TRY_NATIVE") {
      try {
        return yield* sendfileNative(loop, transp, file, offset, count);
      } catch (e) {
        if (!(e instanceof SendfileNotAvailableError) || !fallback) throw e;
      }
    }
    if (!fallback) {
      throw new RuntimeError(`fallback is disabled and native sendfile is not supported for transport ${transport}`);
    }
    return yield* sendfileFallback(loop, transp, file, offset, count);
  })();
}

/**
 * Python's selector `_sendfile_native`: stop reading, let the transport's
 * write buffer drain, then sendfile(2) straight from the file to the socket
 * (loop.sockSendfile without fallback), then read again.
 */
function* sendfileNative(
  loop: BaseEventLoop, transp: SendfileTransport, file: FileLike, offset: number, count: number | null,
): Coroutine<number> {
  const sock = transp._sock ?? (transp.getExtraInfo("socket") as Socket | null);
  if (!(sock instanceof Socket)) throw new SendfileNotAvailableError("the transport has no socket");
  checkOffsetCount(offset, count);
  const resumeReading = transp.isReading?.() ?? false;
  transp.pauseReading?.();
  const fd = sock.fileno();
  try {
    if (typeof transp._makeEmptyWaiter === "function") yield* transp._makeEmptyWaiter();
    // sockSendfile refuses an fd that a transport owns: lend it for the call, as Python does.
    selectorEvents._unregisterTransport(loop, fd);
    try {
      return yield* loop.sockSendfile(sock, file, offset, count, { fallback: false });
    } finally {
      if (sock.fileno() === fd) selectorEvents._registerTransport(loop, fd, transp);
    }
  } finally {
    transp._resetEmptyWaiter?.();
    if (resumeReading && !transp.isClosing()) transp.resumeReading?.();
  }
}

/**
 * Python's `_SendfileFallbackProtocol`: takes the transport's protocol place
 * during a fallback sendfile, so that writes wait while the transport asks
 * the writer to pause, and reading stays paused.
 */
class SendfileFallbackProtocol extends Protocol {
  private readonly transport: SendfileTransport;
  private readonly proto: BaseProtocol | ProtocolLike;
  private readonly shouldResumeReading: boolean;
  private readonly shouldResumeWriting: boolean;
  private writeReady: Future<boolean> | null;
  private readonly loop: BaseEventLoop;

  constructor(loop: BaseEventLoop, transp: SendfileTransport) {
    super();
    if (typeof transp.pauseReading !== "function" || typeof transp._protocolPaused !== "boolean") {
      throw new TypeError("transport should be _FlowControlMixin instance");
    }
    this.loop = loop;
    this.transport = transp;
    this.proto = transp.getProtocol();
    this.shouldResumeReading = transp.isReading?.() ?? false;
    this.shouldResumeWriting = transp._protocolPaused;
    transp.pauseReading();
    transp.setProtocol(this);
    this.writeReady = this.shouldResumeWriting ? loop.createFuture<boolean>() : null;
  }

  *drain(): Coroutine<void> {
    if (this.transport.isClosing()) throw new ConnectionError("Connection closed by peer");
    const fut = this.writeReady;
    if (fut === null) return;
    yield* fut;
  }

  override connectionMade(): void {
    throw new RuntimeError("Invalid state: connection should have been established already.");
  }

  override connectionLost(exc: Error | null): void {
    if (this.writeReady !== null) {
      // The peer went away in the middle of the file: always an error for the sender.
      this.writeReady.setException(exc ?? new ConnectionError("Connection is closed by peer"));
    }
    this.proto.connectionLost?.(exc);
  }

  override pauseWriting(): void {
    if (this.writeReady !== null) return;
    this.writeReady = this.loop.createFuture<boolean>();
  }

  override resumeWriting(): void {
    if (this.writeReady === null) return;
    this.writeReady.setResult(false);
    this.writeReady = null;
  }

  override dataReceived(): void {
    throw new RuntimeError("Invalid state: reading should be paused");
  }

  override eofReceived(): boolean {
    throw new RuntimeError("Invalid state: reading should be paused");
  }

  restore(): void {
    this.transport.setProtocol(this.proto);
    if (this.shouldResumeReading && !this.transport.isClosing()) this.transport.resumeReading?.();
    if (this.writeReady !== null) {
      // Nobody waits on it any more once the real protocol is back.
      this.writeReady.cancel();
    }
    if (this.shouldResumeWriting) this.proto.resumeWriting?.();
  }
}

/** read(2) from the file's current position, off the loop thread (Python's file.readinto in the executor). */
function readNext(loop: BaseEventLoop, fd: number, buf: Buffer, length: number): Future<number> {
  return wrapFuture(new Promise<number>((resolve, reject) => {
    fs.read(fd, buf, 0, length, null, (err, n) => (err ? reject(fromNodeError(err)) : resolve(n)));
  }), { loop });
}

function seek(fd: number, offset: number): void {
  const r = native().lseek(fd, offset, SEEK_SET);
  if (r < 0) throw osError(-r);
}

/** Python's `_sendfile_fallback`: read blocks off the loop thread and write them, waiting while the transport is over its high-water mark. */
function* sendfileFallback(
  loop: BaseEventLoop, transp: SendfileTransport, file: FileLike, offset: number, count: number | null,
): Coroutine<number> {
  const fd = fileFd(file);
  if (fd === null) throw new TypeError(`file must be an fd number, an object with fileno() or a FileHandle, not ${String(file)}`);
  if (!isInt(offset)) throw new TypeError(`offset must be a non-negative integer (got ${pyRepr(offset)})`);
  if (offset < 0) throw new ValueError(`negative seek position ${offset}`);
  // As Python: offset 0 means "from the current position".
  if (offset) seek(fd, offset);
  let blocksize = count ? Math.min(count, FALLBACK_BLOCK) : FALLBACK_BLOCK;
  let totalSent = 0;
  const proto = new SendfileFallbackProtocol(loop, transp);
  try {
    for (;;) {
      if (count) {
        blocksize = Math.min(count - totalSent, blocksize);
        if (blocksize <= 0) return totalSent;
      }
      // A fresh buffer per block: the transport may keep a reference to what it was given.
      const buf = Buffer.allocUnsafe(blocksize);
      const read = yield* readNext(loop, fd, buf, blocksize);
      if (!read) return totalSent;
      yield* proto.drain();
      transp.write(read === blocksize ? buf : buf.subarray(0, read));
      totalSent += read;
    }
  } finally {
    // The file position ends after what was sent, as Python leaves it. A
    // pipe has no position (Python seeks only a file object that has seek()).
    try {
      if (totalSent > 0 && native().lseek(fd, 0, SEEK_CUR) !== -ESPIPE) seek(fd, offset + totalSent);
    } finally {
      proto.restore();
    }
  }
}
