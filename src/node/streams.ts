import { Buffer } from "node:buffer";
import { finished, Readable, Stream, type Writable } from "node:stream";
import { getRunningLoop, type AbstractEventLoop } from "../core/events.js";
import type { Future } from "../core/futures.js";
import type { BaseProtocol, ProtocolLike } from "../core/protocols.js";
import { Transport } from "../core/transports.js";
import { fromNodeError, NotImplementedError, RuntimeError } from "../stdlib/exceptions.js";
import { StreamReader, StreamReaderProtocol, StreamWriter } from "../net/streams.js";
import type { Task } from "../core/tasks.js";

// Node streams as asyncio transports, and a StreamReader as a Node Readable.
// A Node stream is driven by Node itself (its libuv handle, zlib's thread
// pool, fs reads): the transport only listens, so a stream with an fd is never
// watched twice. Every stream event reaches the protocol through callSoon, in
// the order Node emitted them, as a selector transport's callbacks do.
// Backpressure is Node's own: write() returning false pauses the protocol
// until 'drain'; pauseReading() pauses the Readable.

/** Whether `obj` is a Node stream (Readable, Writable, Duplex, a socket, a file or zlib stream). */
export function isNodeStream(obj: unknown): obj is Readable | Writable {
  return obj instanceof Stream;
}

/** A Node stream error as asyncio sees it: a system call's errno becomes its OSError subclass; others stay as they are. */
function streamError(err: Error): Error {
  // zlib errors carry a negative zlib errno that is not a system errno.
  return typeof (err as NodeJS.ErrnoException).syscall === "string" ? fromNodeError(err) : err;
}

function isPrematureClose(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE";
}

/**
 * A transport over a Node Readable and/or Writable (one Duplex may be both):
 * reading calls the protocol's dataReceived / eofReceived, writing writes to
 * the stream, connectionLost comes once both sides are finished.
 */
export class NodeStreamTransport extends Transport {
  /** @internal */ _loop: AbstractEventLoop;
  /** @internal */ _protocol: ProtocolLike | null;
  /** @internal */ _readable: Readable | null;
  /** @internal */ _writable: Writable | null;
  /** @internal */ _closing = false;
  /** @internal */ _readPaused = false;
  /** @internal */ _writePaused = false;
  /** @internal */ _eofWritten = false;
  /** @internal */ _lost = false;

  /** Usually made by readerFromReadable(), writerFromWritable() or loop.connectReadPipe()/connectWritePipe(). */
  constructor(loop: AbstractEventLoop, protocol: ProtocolLike, readable: Readable | null, writable: Writable | null, waiter?: Future<void> | null) {
    super({ pipe: readable ?? writable });
    this._loop = loop;
    this._protocol = protocol;
    this._readable = readable;
    this._writable = writable;
    // connectionMade is queued first, so every stream event (queued by the
    // listeners attached right now, before the stream can emit an error
    // nobody listens to) reaches the protocol after it.
    loop.callSoon(() => {
      this._protocol?.connectionMade?.(this);
      if (waiter && !waiter.cancelled()) waiter.setResult(undefined);
    });
    this._listen();
  }

  /** @internal */
  _listen(): void {
    const sides = new Set<Readable | Writable>();
    const r = this._readable;
    if (r !== null) {
      sides.add(r);
      r.on("data", (chunk: Buffer | string) => this._schedule(() => this._onData(chunk)));
      r.on("end", () => this._schedule(() => this._onEnd()));
    }
    const w = this._writable;
    if (w !== null) {
      sides.add(w);
      w.on("drain", () => this._schedule(() => this._onDrain()));
    }
    let left = sides.size;
    for (const side of sides) {
      finished(side, { readable: side === r, writable: side === w }, (err) => {
        this._schedule(() => {
          if (err && !(this._closing && isPrematureClose(err))) this._fatal(streamError(err));
          else if (--left === 0) this._connectionLost(null);
        });
      });
    }
  }

  /** @internal */
  _schedule(cb: () => void): void {
    if (!this._loop.isClosed()) this._loop.callSoon(cb);
  }

  /** @internal */
  _onData(chunk: Buffer | string): void {
    const p = this._protocol;
    if (p === null || this._lost) return;
    let data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (typeof p.getBuffer !== "function") {
      p.dataReceived?.(data);
      return;
    }
    // A BufferedProtocol: as many getBuffer()/bufferUpdated() rounds as the chunk needs.
    while (data.length > 0) {
      const buf = p.getBuffer(data.length);
      const n = Math.min(buf.byteLength, data.length);
      if (n === 0) throw new RuntimeError("get_buffer() returned an empty buffer");
      buf.set(data.subarray(0, n));
      p.bufferUpdated?.(n);
      data = data.subarray(n);
    }
  }

  /** @internal */
  _onEnd(): void {
    if (this._protocol === null || this._lost) return;
    const keepOpen = this._protocol.eofReceived?.();
    // A Duplex whose protocol does not keep it half-open closes, as a socket transport does at EOF.
    if (!keepOpen && this._writable !== null && this._writable === (this._readable as unknown)) this.close();
  }

  /** @internal */
  _onDrain(): void {
    if (!this._writePaused || this._protocol === null) return;
    this._writePaused = false;
    this._protocol.resumeWriting?.();
  }

  /** @internal */
  _fatal(exc: Error): void {
    if (this._lost) return;
    this._closing = true;
    this._readable?.destroy();
    this._writable?.destroy();
    this._connectionLost(exc);
  }

  /** @internal */
  _connectionLost(exc: Error | null): void {
    if (this._lost) return;
    this._lost = true;
    const p = this._protocol;
    this._protocol = null;
    p?.connectionLost?.(exc);
  }

  override isClosing(): boolean {
    return this._closing;
  }

  override close(): void {
    if (this._closing) return;
    this._closing = true;
    const r = this._readable;
    const w = this._writable;
    // The writable half flushes what is buffered first; a readable half stops at once.
    if (w !== null) w.end(() => r?.destroy());
    else r?.destroy();
  }

  override abort(): void {
    this._closing = true;
    this._readable?.destroy();
    this._writable?.destroy();
  }

  override setProtocol(protocol: BaseProtocol | ProtocolLike): void {
    this._protocol = protocol;
  }

  override getProtocol(): BaseProtocol | ProtocolLike {
    return this._protocol as BaseProtocol | ProtocolLike;
  }

  override isReading(): boolean {
    return this._readable !== null && !this._readPaused && !this._closing;
  }

  override pauseReading(): void {
    if (this._readable === null || this._readPaused || this._closing) return;
    this._readPaused = true;
    this._readable.pause();
  }

  override resumeReading(): void {
    if (this._readable === null || !this._readPaused || this._closing) return;
    this._readPaused = false;
    this._readable.resume();
  }

  override write(data: Uint8Array): void {
    const w = this._writable;
    if (w === null) throw new NotImplementedError("this transport has no Writable");
    if (this._eofWritten) throw new RuntimeError("Cannot call write() after write_eof()");
    if (this._lost || this._closing || data.byteLength === 0) return;
    if (!w.write(data) && !this._writePaused) {
      this._writePaused = true;
      this._protocol?.pauseWriting?.();
    }
  }

  override writeEof(): void {
    if (this._writable === null || this._eofWritten) return;
    this._eofWritten = true;
    this._writable.end();
  }

  override canWriteEof(): boolean {
    return this._writable !== null;
  }

  override getWriteBufferSize(): number {
    return this._writable?.writableLength ?? 0;
  }

  /** `[0, highWaterMark]`: Node pauses at the Writable's highWaterMark and emits 'drain' once the buffer is empty. */
  override getWriteBufferLimits(): [number, number] {
    return [0, this._writable?.writableHighWaterMark ?? 0];
  }

  override setWriteBufferLimits(_high?: number | null, _low?: number | null): void {
    throw new NotImplementedError("a Node Writable's highWaterMark is fixed when the stream is created");
  }
}

/** Options of readerFromReadable(). */
export interface ReaderFromReadableOptions {
  /** The StreamReader's limit (buffer size before the Readable is paused; line length limit). */
  limit?: number;
}

/**
 * A StreamReader that reads a Node Readable (a PassThrough, a zlib or file
 * stream, a child's stdout): EOF at 'end', the stream's error raised from the
 * read, and the Readable paused while the reader's buffer is full.
 */
export function readerFromReadable(readable: Readable, options?: ReaderFromReadableOptions): StreamReader {
  const loop = getRunningLoop();
  const reader = new StreamReader({ limit: options?.limit, loop });
  new NodeStreamTransport(loop, new StreamReaderProtocol(reader, null, loop), readable, null);
  return reader;
}

/**
 * A StreamWriter that writes to a Node Writable: `drain()` waits for the
 * Writable's 'drain', `writeEof()`/`close()` end it, `waitClosed()` waits for
 * it to finish (and raises its error).
 */
export function writerFromWritable(writable: Writable): StreamWriter {
  const loop = getRunningLoop();
  const protocol = new StreamReaderProtocol(null, null, loop);
  const transport = new NodeStreamTransport(loop, protocol, null, writable);
  return new StreamWriter(transport, protocol, null, loop);
}

/**
 * A Node Readable over a StreamReader: each `_read` reads up to
 * `highWaterMark` bytes in a task on the reader's loop, so a Node consumer
 * that stops pulling stops the reader (and its transport) too.
 */
export function readableFromReader(reader: StreamReader, options?: { highWaterMark?: number }): Readable {
  const loop = reader._loop;
  const size = options?.highWaterMark ?? 64 * 1024;
  let pending: Task<Buffer> | null = null;
  return new Readable({
    highWaterMark: size,
    read(this: Readable): void {
      if (pending !== null) return;
      const task = loop.createTask(reader.read(size));
      pending = task;
      task.addDoneCallback((t) => {
        pending = null;
        if (t.cancelled()) return;
        const exc = t.exception();
        if (exc !== null) this.destroy(exc);
        else this.push(t.result().length > 0 ? t.result() : null);
      });
    },
    destroy(err, callback): void {
      pending?.cancel();
      callback(err);
    },
  });
}

/** loop.connectReadPipe()/connectWritePipe() given a Node stream: the stream becomes the transport. */
export function connectNodeStream<P extends BaseProtocol | ProtocolLike>(
  loop: AbstractEventLoop, protocolFactory: () => P, stream: Readable | Writable, direction: "read" | "write",
): Future<[NodeStreamTransport, P]> {
  const protocol = protocolFactory();
  const waiter = loop.createFuture<void>();
  const transport = direction === "read"
    ? new NodeStreamTransport(loop, protocol, stream as Readable, null, waiter)
    : new NodeStreamTransport(loop, protocol, null, stream as Writable, waiter);
  const result = loop.createFuture<[NodeStreamTransport, P]>();
  waiter.addDoneCallback(() => {
    if (!result.done()) result.setResult([transport, protocol]);
  });
  return result;
}
