import { inspectRepr } from "../internal/pyrepr.js";
import { Buffer } from "node:buffer";
import {
  ConnectionResetError, IncompleteReadError, LimitOverrunError, NotImplementedError, RuntimeError, StopAsyncIteration, ValueError,
} from "../stdlib/exceptions.js";
import {
  captureStack, getEventLoop, getRunningLoop, reprValue,
  type AbstractEventLoop, type CreateConnectionOptions, type CreateServerOptions,
  type CreateUnixConnectionOptions, type CreateUnixServerOptions,
} from "../core/events.js";
import type { Future } from "../core/futures.js";
import { ensureFuture, sleep, _lazyCoroutineClass, _lazyCoroutineMade, LAZY_DONE, type LazyCoroutine } from "../core/tasks.js";
import { awaitableCoroutine, iscoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";
import { Protocol } from "../core/protocols.js";
import type { BaseTransport, Transport, WriteTransport } from "../core/transports.js";
import type { SSLContext } from "../stdlib/ssl.js";
import type { Server } from "./servers.js";
import { logger } from "../core/log.js";

// streams.py: StreamReader/StreamWriter over a protocol, and the
// open_connection/start_server helpers. The reader's `async def` methods are
// awaitable coroutines: `yield*` runs them inline as Python's `await` does (no
// Task per read), and `await` from async code wraps them in a Task.

/** The default buffer limit of a StreamReader (64 KiB), as asyncio's `_DEFAULT_LIMIT`. */
export const DEFAULT_LIMIT = 64 * 1024;

const EMPTY: Buffer = Buffer.alloc(0);
const NL: Buffer = Buffer.from("\n");
const NL_BYTE = 0x0a;

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) {
    const e = new Error(message);
    e.name = "AssertionError";
    throw e;
  }
}

function reprError(e: unknown): string {
  if (e instanceof Error) return `${e.name}(${e.message ? `'${e.message}'` : ""})`;
  return reprValue(e);
}

/** A separator for readuntil(): text (UTF-8 encoded) or bytes. */
export type Separator = string | Uint8Array;

function toBytes(s: Separator): Buffer {
  if (typeof s === "string") return Buffer.from(s, "utf8");
  return Buffer.isBuffer(s) ? s : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
}

/** The part of a read transport the reader uses for flow control. */
interface PausableTransport {
  pauseReading?(): void;
  resumeReading?(): void;
}

/** Options of the StreamReader constructor. */
export interface StreamReaderOptions {
  /** The buffer limit (default 64 KiB): the longest line readline() accepts; reading pauses at twice this. */
  limit?: number;
  /** The loop (default: the running or current loop). */
  loop?: AbstractEventLoop | null;
}

/**
 * A buffered byte stream fed by a protocol (asyncio.StreamReader). Read with
 * `yield* reader.readline()` in coroutines or `await reader.readline()` in
 * async functions; `for await (const line of reader)` iterates over lines.
 * Inside a coroutine, iterate with
 * `for (;;) { const line = yield* reader.readline(); if (!line.length) break; ... }`.
 */
export class StreamReader {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** @internal */ _limit: number;
  /** @internal */ _loop: AbstractEventLoop;
  // The buffered bytes are _buf[_start, _end). Bytes handed out are views of
  // _buf, so a region is never written again once it has been consumed: new
  // data only goes after _end, and growing copies into a fresh buffer. A
  // chunk fed into an empty reader is kept as is, without a copy.
  /** @internal */ _buf: Buffer = EMPTY;
  /** @internal Whether _buf is ours to append to (not a chunk kept from feedData). */ _owned = false;
  /** @internal */ _start = 0;
  /** @internal */ _end = 0;
  /** @internal */ _eof = false;
  /** @internal */ _waiter: Future<void> | null = null;
  /** @internal */ _exception: Error | null = null;
  /** @internal */ _transport: (BaseTransport & PausableTransport) | null = null;
  /** @internal */ _paused = false;
  /** @internal */ _sourceTraceback: string | null = null;

  constructor(options?: StreamReaderOptions | number, loop?: AbstractEventLoop | null) {
    // Python's positional form StreamReader(limit, loop) is accepted too.
    const opts: StreamReaderOptions = typeof options === "number" ? { limit: options, loop } : (options ?? {});
    const limit = opts.limit ?? DEFAULT_LIMIT;
    if (limit <= 0) throw new ValueError("Limit cannot be <= 0");
    this._limit = limit;
    this._loop = opts.loop ?? getEventLoop();
    if (this._loop.getDebug()) this._sourceTraceback = captureStack(2);
  }

  /** Python's repr. */
  toString(): string {
    const info = ["StreamReader"];
    const n = this._end - this._start;
    if (n) info.push(`${n} bytes`);
    if (this._eof) info.push("eof");
    if (this._limit !== DEFAULT_LIMIT) info.push(`limit=${this._limit}`);
    if (this._waiter !== null && !this._waiter.done()) info.push(`waiter=${reprValue(this._waiter)}`);
    if (this._exception) info.push(`exception=${reprError(this._exception)}`);
    if (this._transport) info.push(`transport=${reprValue(this._transport)}`);
    if (this._paused) info.push("paused");
    return `<${info.join(" ")}>`;
  }

  /** @internal A copy of the buffered bytes (Python's `_buffer`, for tests and debugging). */
  get _buffer(): Buffer {
    return Buffer.from(this._buf.subarray(this._start, this._end));
  }

  /** The exception set by setException(), or null. */
  exception(): Error | null {
    return this._exception;
  }

  /** Makes every pending and future read raise `exc` (the waiting read is woken with it). */
  setException(exc: Error): void {
    this._exception = exc;
    const waiter = this._waiter;
    if (waiter !== null) {
      this._waiter = null;
      if (!waiter.cancelled()) waiter.setException(exc);
    }
  }

  /** @internal Wakes the read waiting for data or EOF. */
  _wakeupWaiter(): void {
    const waiter = this._waiter;
    if (waiter !== null) {
      this._waiter = null;
      if (!waiter.cancelled()) waiter.setResult(undefined);
    }
  }

  /** Sets the transport whose reading is paused when the buffer grows past twice the limit. */
  setTransport(transport: BaseTransport): void {
    assert(this._transport === null, "Transport already set");
    this._transport = transport as BaseTransport & PausableTransport;
  }

  /** @internal */
  _maybeResumeTransport(): void {
    if (this._paused && this._end - this._start <= this._limit) {
      this._paused = false;
      this._transport!.resumeReading!();
    }
  }

  /** Signals the end of the stream. */
  feedEof(): void {
    this._eof = true;
    this._wakeupWaiter();
  }

  /** Whether the buffer is empty and feedEof() was called. */
  atEof(): boolean {
    return this._eof && this._start === this._end;
  }

  /**
   * Appends bytes to the buffer and wakes a waiting read. The reader may keep
   * `data` itself (no copy) and hand out views of it: do not modify it afterwards.
   */
  feedData(data: Uint8Array): void {
    assert(!this._eof, "feed_data after feed_eof");
    const n = data.length;
    if (n === 0) return;
    this._append(data, n);
    this._wakeupWaiter();
    const transport = this._transport;
    if (transport !== null && !this._paused && this._end - this._start > 2 * this._limit) {
      if (typeof transport.pauseReading !== "function") {
        this._transport = null;
        return;
      }
      try {
        transport.pauseReading();
      } catch (e) {
        // A transport that cannot pause: buffer everything, and stop asking.
        if (e instanceof NotImplementedError) {
          this._transport = null;
          return;
        }
        throw e;
      }
      this._paused = true;
    }
  }

  /** @internal */
  _append(data: Uint8Array, n: number): void {
    if (this._start === this._end) {
      // Nothing buffered: keep the chunk itself rather than copying it (the
      // common case of a line or a message per read).
      this._buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, n);
      this._start = 0;
      this._end = n;
      this._owned = false;
      return;
    }
    let buf = this._buf;
    if (!this._owned || this._end + n > buf.length) {
      const live = this._end - this._start;
      // The first merge (two received chunks, typically one message) is sized
      // exactly; later ones grow geometrically so a long read stays linear.
      const size = this._owned ? 2 * (live + n) : live + n;
      const fresh = Buffer.allocUnsafe(Math.max(size, 4096));
      buf.copy(fresh, 0, this._start, this._end);
      this._buf = buf = fresh;
      this._start = 0;
      this._end = live;
      this._owned = true;
    }
    buf.set(data, this._end);
    this._end += n;
  }

  /** @internal Removes and returns the first `n` buffered bytes (n <= buffered). */
  _take(n: number): Buffer {
    const s = this._start;
    const buf = this._buf;
    const out = s === 0 && n === buf.length ? buf : buf.subarray(s, s + n);
    this._start = s + n;
    if (this._start === this._end) this._drained();
    return out;
  }

  /** @internal */
  _drained(): void {
    // The next chunk is kept as is anyway, so an empty reader holds nothing:
    // an idle connection pins no memory.
    this._buf = EMPTY;
    this._start = this._end = 0;
    this._owned = false;
  }

  /** @internal Python's `_buffer.clear()`. */
  _clear(): void {
    this._start = this._end;
    this._drained();
  }

  /**
   * @internal The future a read waits on until feedData() or feedEof() is
   * called (`yield*` it), resuming a paused transport first. A plain future
   * rather than a generator: one coroutine level less on every read that
   * waits. Whoever completes it clears `_waiter`; a cancelled one is stale.
   */
  _waitForData(funcName: string): Future<void> {
    // Two concurrent reads could not know which of them gets the next data.
    if (this._waiter !== null && !this._waiter.done()) {
      throw new RuntimeError(`${funcName}() called while another coroutine is already waiting for incoming data`);
    }
    assert(!this._eof, "_wait_for_data after EOF");
    // Waiting while paused would deadlock (readexactly(n) with n > limit).
    if (this._paused) {
      this._paused = false;
      this._transport!.resumeReading!();
    }
    const waiter = this._loop.createFuture<void>();
    this._waiter = waiter;
    return waiter;
  }

  /**
   * Reads up to `n` bytes; with n < 0 (the default) reads until EOF. Returns
   * as soon as at least one byte is available; an empty result means EOF.
   */
  read(n = -1): AwaitableCoroutine<Buffer> {
    return readCoro(this, n);
  }

  /**
   * Reads one line ending in "\n". At EOF returns the partial line (empty when
   * nothing is left). A line longer than the limit raises ValueError and is
   * discarded (the whole buffer if its end was not found yet).
   */
  readline(): AwaitableCoroutine<Buffer> {
    return readlineCoro(this);
  }

  /**
   * Reads until `separator` (default "\n") and returns the data including it.
   * A list of separators matches whichever ends first (Python 3.13). EOF
   * first raises IncompleteReadError (the buffer is emptied into `partial`);
   * going over the limit raises LimitOverrunError and leaves the data buffered.
   */
  readuntil(separator: Separator | readonly Separator[] = NL): AwaitableCoroutine<Buffer> {
    return readuntilCoro(this, separator);
  }

  /** Reads exactly `n` bytes; IncompleteReadError (with `partial`, `expected`) at EOF before that. */
  readexactly(n: number): AwaitableCoroutine<Buffer> {
    return readexactlyCoro(this, n);
  }

  /** Python's `__aiter__`: the reader iterates its own lines (`aiter(reader)`). */
  __aiter__(): this {
    return this;
  }

  /** Python's `__anext__`: the next line; StopAsyncIteration at EOF. */
  *__anext__(): Coroutine<Buffer> {
    const line = yield* readlineCoro(this);
    if (!line.length) throw new StopAsyncIteration();
    return line;
  }

  /** Async iteration over lines, until EOF (`for await (const line of reader)`). */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    const reader = this;
    return {
      async next(): Promise<IteratorResult<Buffer, undefined>> {
        const line = await readlineCoro(reader);
        return line.length ? { value: line, done: false } : { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

/**
 * read(n)'s coroutine: with data buffered (or at EOF) it finishes on its first
 * resumption, otherwise it waits on the reader's waiter future once; no
 * generator either way. Reading to EOF (n < 0) loops in readToEof().
 */
interface ReadCoroutine extends LazyCoroutine<Buffer> {}
class ReadCoroutine {
  /** @internal */ _reader: StreamReader;
  /** @internal */ _n: number;

  constructor(reader: StreamReader, n: number) {
    this._reader = reader;
    this._n = n;
    _lazyCoroutineMade(this, 2);
  }

  /** @internal */
  _start(): IteratorResult<unknown, Buffer> {
    const r = this._reader;
    const n = this._n;
    if (r._exception !== null) throw r._exception;
    if (n === 0) return { done: true, value: EMPTY };
    if (n < 0) return this._delegate(readToEof(r));
    if (r._start === r._end && !r._eof) return this._wait(r._waitForData("read"));
    return { done: true, value: takeUpTo(r, n) };
  }

  /** @internal */
  _finish(fut: Future<unknown> | null): IteratorResult<unknown, Buffer> {
    // The waiter's exception (setException) or CancelledError, as `yield* waiter` raises it.
    (fut as Future<void>).result();
    return { done: true, value: takeUpTo(this._reader, this._n) };
  }
}
_lazyCoroutineClass(ReadCoroutine, "read");

function readCoro(r: StreamReader, n: number): AwaitableCoroutine<Buffer> {
  return new ReadCoroutine(r, n) as unknown as AwaitableCoroutine<Buffer>;
}

/** What read(n) returns once it has waited or need not: up to `n` buffered bytes (empty at EOF). */
function takeUpTo(r: StreamReader, n: number): Buffer {
  const avail = r._end - r._start;
  const data = avail === 0 ? EMPTY : r._take(n < avail ? n : avail);
  r._maybeResumeTransport();
  return data;
}

/** read() with n < 0: everything until EOF. */
function* readToEof(r: StreamReader): Coroutine<Buffer> {
  // Reading by limit-sized blocks keeps the transport flowing: waiting for
  // EOF with everything buffered would pause it forever.
  const blocks: Buffer[] = [];
  for (;;) {
    const block = yield* readCoro(r, r._limit);
    if (!block.length) break;
    blocks.push(block);
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}

const readexactlyCoro = awaitableCoroutine(function* readexactly(r: StreamReader, n: number): Coroutine<Buffer> {
  if (n < 0) throw new ValueError("readexactly size can not be less than zero");
  if (r._exception !== null) throw r._exception;
  if (n === 0) return EMPTY;
  while (r._end - r._start < n) {
    if (r._eof) {
      const incomplete = Buffer.from(r._buf.subarray(r._start, r._end));
      r._clear();
      throw new IncompleteReadError(incomplete, n);
    }
    yield* r._waitForData("readexactly");
  }
  const data = r._take(n);
  r._maybeResumeTransport();
  return data;
});

/** Finds `sep` in the buffered bytes at or after `offset` (relative); -1 if absent. */
function findIn(r: StreamReader, sep: Buffer, offset: number): number {
  const buf = r._buf;
  const end = r._end;
  const from = r._start + offset;
  // Searching the whole backing buffer is cheaper than a view; a hit past the
  // buffered bytes means there is none inside them.
  const i = sep.length === 1 ? buf.indexOf(sep[0]!, from) : buf.indexOf(sep, from);
  if (i === -1 || i + sep.length > end) return -1;
  return i - r._start;
}

const readuntilCoro = awaitableCoroutine(function* readuntil(r: StreamReader, separator: Separator | readonly Separator[]): Coroutine<Buffer> {
  let seps: Buffer[];
  if (Array.isArray(separator)) {
    // Shortest first, so that among matches ending at the same place the
    // shortest separator is the one that matched (as 3.13's sorted()).
    seps = (separator as readonly Separator[]).map(toBytes).sort((a, b) => a.length - b.length);
    if (seps.length === 0) throw new ValueError("Separator should contain at least one element");
  } else {
    seps = [separator === NL ? NL : toBytes(separator as Separator)];
  }
  const minSeplen = seps[0]!.length;
  const maxSeplen = seps[seps.length - 1]!.length;
  if (minSeplen === 0) throw new ValueError("Separator should be at least one-byte string");
  if (r._exception !== null) throw r._exception;

  // `offset`: how many leading buffered bytes are known to hold no separator.
  // After a miss, everything but the last (longest separator - 1) bytes is
  // known clean, since a separator could still be completed across them.
  let offset = 0;
  let matchStart = -1;
  let matchEnd = -1;
  for (;;) {
    const buflen = r._end - r._start;
    if (buflen - offset >= minSeplen) {
      for (let k = 0; k < seps.length; k++) {
        const sep = seps[k]!;
        const isep = findIn(r, sep, offset);
        if (isep !== -1) {
          const end = isep + sep.length;
          if (matchEnd === -1 || end < matchEnd) {
            matchEnd = end;
            matchStart = isep;
          }
        }
      }
      if (matchEnd !== -1) break;
      offset = Math.max(0, buflen + 1 - maxSeplen);
      if (offset > r._limit) {
        throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
      }
    }
    // The last chunk may have completed a separator even though EOF is set,
    // so EOF is checked only after looking.
    if (r._eof) {
      const chunk = Buffer.from(r._buf.subarray(r._start, r._end));
      r._clear();
      throw new IncompleteReadError(chunk, null);
    }
    yield* r._waitForData("readuntil");
  }
  if (matchStart > r._limit) {
    throw new LimitOverrunError("Separator is found, but chunk is longer than limit", matchStart);
  }
  const chunk = r._take(matchEnd);
  r._maybeResumeTransport();
  return chunk;
});

const readlineCoro = awaitableCoroutine(function* readline(r: StreamReader): Coroutine<Buffer> {
  try {
    return yield* readuntilCoro(r, NL);
  } catch (e) {
    if (e instanceof IncompleteReadError) return e.partial as Buffer;
    if (e instanceof LimitOverrunError) {
      // Drop the overlong line: through its newline if it was found,
      // otherwise everything buffered so far.
      const at = r._start + e.consumed;
      if (at < r._end && r._buf[at] === NL_BYTE) {
        r._start = at + 1;
        if (r._start === r._end) r._drained();
      } else {
        r._clear();
      }
      r._maybeResumeTransport();
      throw new ValueError(e.message);
    }
    throw e;
  }
});

/** A drain()-able protocol: what StreamWriter needs from its protocol. */
export interface StreamWriterProtocol {
  /** @internal */ _drainBlocked(): boolean;
  /** @internal */ _drainHelper(): Coroutine<void>;
  /** @internal */ _getCloseWaiter(stream: StreamWriter): Future<void>;
}

/**
 * Write flow control for StreamWriter.drain() (Python's FlowControlMixin):
 * implements pauseWriting(), resumeWriting() and connectionLost(); subclasses
 * that override them must call super.
 */
export class FlowControlMixin extends Protocol implements StreamWriterProtocol {
  /** @internal */ _loop: AbstractEventLoop;
  /** @internal */ _paused = false;
  /** @internal */ _drainWaiters: Future<void>[] = [];
  /** @internal */ _connectionLost = false;

  constructor(loop?: AbstractEventLoop | null) {
    super();
    this._loop = loop ?? getEventLoop();
  }

  override pauseWriting(): void {
    assert(!this._paused, "pause_writing() called while paused");
    this._paused = true;
    if (this._loop.getDebug()) logger.debug(`${reprValue(this)} pauses writing`);
  }

  override resumeWriting(): void {
    assert(this._paused, "resume_writing() called while not paused");
    this._paused = false;
    if (this._loop.getDebug()) logger.debug(`${reprValue(this)} resumes writing`);
    for (const waiter of this._drainWaiters) {
      if (!waiter.done()) waiter.setResult(undefined);
    }
  }

  override connectionLost(exc: Error | null): void {
    this._connectionLost = true;
    // Only paused writers wait; the others see _connectionLost on their next drain().
    if (!this._paused) return;
    for (const waiter of this._drainWaiters) {
      if (!waiter.done()) {
        if (exc === null) waiter.setResult(undefined);
        else waiter.setException(exc);
      }
    }
  }

  /** @internal Whether a drain has to wait (writing is paused); ConnectionResetError once the connection is lost. */
  _drainBlocked(): boolean {
    if (this._connectionLost) throw new ConnectionResetError("Connection lost");
    return this._paused;
  }

  /** @internal Waits until writing is resumed; ConnectionResetError once the connection is lost. */
  *_drainHelper(): Coroutine<void> {
    if (!this._drainBlocked()) return;
    const waiter = this._loop.createFuture<void>();
    this._drainWaiters.push(waiter);
    try {
      yield* waiter;
    } finally {
      const i = this._drainWaiters.indexOf(waiter);
      if (i !== -1) this._drainWaiters.splice(i, 1);
    }
  }

  /** @internal */
  _getCloseWaiter(_stream: StreamWriter): Future<void> {
    throw new NotImplementedError();
  }
}

/**
 * Called for each client of startServer() with its reader and writer: a plain
 * function, a generator function (run as a Task), or an async function.
 */
export type ClientConnectedCallback = (reader: StreamReader, writer: StreamWriter) => void | Coroutine<unknown> | PromiseLike<unknown>;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";
}

/**
 * Adapts a Protocol to a StreamReader (asyncio.StreamReaderProtocol); with a
 * `clientConnectedCb` it is a server-side protocol that creates the writer and
 * calls back on connection.
 */
export class StreamReaderProtocol extends FlowControlMixin {
  /** @internal */ _streamReader: StreamReader | null;
  /** @internal */ _sourceTraceback: string | null;
  /** @internal */ _streamWriter: StreamWriter | null = null;
  /** @internal */ _task: Future<unknown> | null = null;
  /** @internal */ _transport: BaseTransport | null = null;
  /** @internal */ _clientConnectedCb: ClientConnectedCallback | null;
  /** @internal */ _overSsl = false;
  /** @internal */ _closed: Future<void>;

  constructor(streamReader: StreamReader | null, clientConnectedCb: ClientConnectedCallback | null = null, loop: AbstractEventLoop | null = null) {
    super(loop);
    // Python holds the reader weakly; here the protocol holds it until the
    // connection is lost (the writer holds it anyway).
    this._streamReader = streamReader;
    this._sourceTraceback = streamReader?._sourceTraceback ?? null;
    this._clientConnectedCb = clientConnectedCb;
    this._closed = this._loop.createFuture<void>();
  }

  /** @internal After startTls(): the writer now writes to a new transport. */
  _replaceWriter(writer: StreamWriter): void {
    const transport = writer.transport;
    this._streamWriter = writer;
    this._transport = transport;
    this._overSsl = transport.getExtraInfo("sslcontext") != null;
  }

  /** Hands the transport to the reader and, on a server, starts the client-connected callback. */
  override connectionMade(transport: BaseTransport): void {
    this._transport = transport;
    const reader = this._streamReader;
    if (reader !== null) reader.setTransport(transport);
    this._overSsl = transport.getExtraInfo("sslcontext") != null;
    const cb = this._clientConnectedCb;
    if (cb === null) return;
    // The protocol does not keep the server-side writer (3.13): a handler that
    // drops its writer without closing it gets the "unclosed" warning.
    const writer = new StreamWriter(transport as Transport, this, reader, this._loop);
    const res = cb(reader as StreamReader, writer);
    let task: Future<unknown> | null = null;
    if (iscoroutine(res)) task = this._loop.createTask(res);
    else if (isThenable(res)) task = ensureFuture(res, { loop: this._loop });
    if (task === null) return;
    this._task = task;
    const loop = this._loop;
    task.addDoneCallback((t) => {
      // A cancelled handler closes quietly (3.13; 3.12.1 raised here).
      if (t.cancelled()) {
        transport.close();
        return;
      }
      const exc = t.exception();
      if (exc !== null) {
        loop.callExceptionHandler({
          message: "Unhandled exception in client_connected_cb",
          exception: exc,
          transport,
        });
        transport.close();
      }
    });
  }

  /** Feeds EOF (or the error) to the reader and wakes whoever waits for the writer to close. */
  override connectionLost(exc: Error | null): void {
    const reader = this._streamReader;
    if (reader !== null) {
      if (exc === null) reader.feedEof();
      else reader.setException(exc);
    }
    const closed = this._closed;
    if (!closed.done()) {
      if (exc === null) closed.setResult(undefined);
      else {
        closed.setException(exc);
        // Python retrieves it in __del__, so a close waiter nobody awaits never logs.
        closed._markRetrieved();
      }
    }
    super.connectionLost(exc);
    this._streamReader = null;
    this._streamWriter = null;
    this._task = null;
    this._transport = null;
  }

  override dataReceived(data: Uint8Array): void {
    const reader = this._streamReader;
    if (reader !== null) reader.feedData(data);
  }

  override eofReceived(): boolean {
    const reader = this._streamReader;
    if (reader !== null) reader.feedEof();
    // Keeping a TLS transport half-open is not possible (SSLProtocol warns).
    return !this._overSsl;
  }

  /** @internal */
  override _getCloseWaiter(_stream: StreamWriter): Future<void> {
    return this._closed;
  }
}

/** The transport a StreamWriter writes to. */
export type StreamTransport = Transport | WriteTransport;

/** What a collected StreamWriter leaves for its finalizer: never the writer itself. */
interface WriterState {
  transport: StreamTransport;
  reader: StreamReader | null;
  loop: AbstractEventLoop;
}

function writerRepr(s: WriterState): string {
  const info = ["StreamWriter", `transport=${reprValue(s.transport)}`];
  if (s.reader !== null) info.push(`reader=${s.reader}`);
  return `<${info.join(" ")}>`;
}

// Python's StreamWriter.__del__: a writer dropped while its transport is open
// closes it (and warns, where ResourceWarnings are shown: debug mode).
const unclosedWriters = new FinalizationRegistry<WriterState>((s) => {
  if (s.transport.isClosing()) return;
  const warn = s.loop.getDebug() || !!process.env.TSYNCIO_DEBUG;
  if (s.loop.isClosed()) {
    if (warn) process.emitWarning("loop is closed", "ResourceWarning");
    return;
  }
  s.transport.close();
  if (warn) process.emitWarning(`unclosed ${writerRepr(s)}`, "ResourceWarning");
});

/** Options of StreamWriter.startTls(). */
export interface StreamStartTlsOptions {
  serverHostname?: string | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
}

/**
 * Wraps a transport for writing (asyncio.StreamWriter): write(), then
 * `yield* writer.drain()` (or `await`) to respect flow control.
 */
export class StreamWriter {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** @internal */ _transport: StreamTransport;
  /** @internal */ _protocol: StreamWriterProtocol;
  /** @internal */ _reader: StreamReader | null;
  /** @internal */ _loop: AbstractEventLoop;
  /** @internal */ _state: WriterState;

  constructor(transport: StreamTransport, protocol: StreamWriterProtocol | FlowControlMixin, reader: StreamReader | null, loop: AbstractEventLoop) {
    assert(reader === null || reader instanceof StreamReader, "reader must be a StreamReader or null");
    this._transport = transport;
    this._protocol = protocol;
    this._reader = reader;
    this._loop = loop;
    this._state = { transport, reader, loop };
    unclosedWriters.register(this, this._state);
  }

  /** Python's repr. */
  toString(): string {
    return writerRepr(this._state);
  }

  /** The underlying transport. */
  get transport(): StreamTransport {
    return this._transport;
  }

  /** Writes bytes to the transport (buffered; see drain()). */
  write(data: Uint8Array): void {
    this._transport.write(data);
  }

  /** Writes a list of byte chunks. */
  writelines(data: Iterable<Uint8Array>): void {
    this._transport.writelines(data);
  }

  /** Closes the write end after the buffered data is sent. */
  writeEof(): void {
    return this._transport.writeEof();
  }

  /** Whether the transport supports writeEof(). */
  canWriteEof(): boolean {
    return this._transport.canWriteEof();
  }

  /** Closes the transport (wait for it with waitClosed()). */
  close(): void {
    return this._transport.close();
  }

  /** Whether the transport is closing or closed. */
  isClosing(): boolean {
    return this._transport.isClosing();
  }

  /** Waits until the connection is lost; raises the error it was lost with, if any. */
  waitClosed(): AwaitableCoroutine<void> {
    return waitClosedCoro(this);
  }

  /** Transport information ("peername", "sockname", "socket", "sslcontext", ...), or `dflt`. */
  getExtraInfo(name: string, dflt: unknown = null): unknown {
    return this._transport.getExtraInfo(name, dflt);
  }

  /**
   * Waits until the write buffer is below the low-water mark. Raises the
   * reader's exception, or ConnectionResetError once the connection is lost.
   */
  drain(): AwaitableCoroutine<void> {
    return drainCoro(this);
  }

  /** Upgrades the connection to TLS (loop.startTls) and writes to the new transport from then on. */
  startTls(sslcontext: SSLContext, options?: StreamStartTlsOptions): AwaitableCoroutine<void> {
    return startTlsCoro(this, sslcontext, options ?? {});
  }
}

const waitClosedCoro = awaitableCoroutine(function* waitClosed(w: StreamWriter): Coroutine<void> {
  yield* w._protocol._getCloseWaiter(w);
});

/**
 * drain()'s coroutine: a writer that need not wait (not paused, transport open)
 * finishes on its first resumption without a generator; the rest runs in
 * drainWaiting().
 */
interface DrainCoroutine extends LazyCoroutine<void> {}
class DrainCoroutine {
  /** @internal */ _writer: StreamWriter;

  constructor(writer: StreamWriter) {
    this._writer = writer;
    _lazyCoroutineMade(this, 2);
  }

  /** @internal */
  _start(): IteratorResult<unknown, void> {
    const w = this._writer;
    const reader = w._reader;
    if (reader !== null) {
      const exc = reader.exception();
      if (exc !== null) throw exc;
    }
    const closing = w._transport.isClosing();
    if (closing || w._protocol._drainBlocked()) return this._delegate(drainWaiting(w, closing));
    return LAZY_DONE;
  }

  /** @internal Never called: a drain waits only inside drainWaiting(). */
  _finish(_fut: Future<unknown> | null): IteratorResult<unknown, void> {
    return LAZY_DONE;
  }
}
_lazyCoroutineClass(DrainCoroutine, "drain");

function drainCoro(w: StreamWriter): AwaitableCoroutine<void> {
  return new DrainCoroutine(w) as unknown as AwaitableCoroutine<void>;
}

/** The part of drain() that may wait: on a closing transport, or a paused writer. */
function* drainWaiting(w: StreamWriter, closing: boolean): Coroutine<void> {
  // A closing transport: let connectionLost() run before asking the
  // protocol, or `write(); drain()` in a loop would never see the loss.
  if (closing) yield* sleep(0);
  if (w._protocol._drainBlocked()) yield* w._protocol._drainHelper();
}

const startTlsCoro = awaitableCoroutine(function* startTls(w: StreamWriter, sslcontext: SSLContext, options: StreamStartTlsOptions): Coroutine<void> {
  const protocol = w._protocol as StreamReaderProtocol;
  const serverSide = protocol._clientConnectedCb != null;
  yield* drainCoro(w);
  const newTransport = yield* w._loop.startTls(w._transport as BaseTransport, protocol, sslcontext, {
    serverSide,
    serverHostname: options.serverHostname ?? null,
    sslHandshakeTimeout: options.sslHandshakeTimeout ?? null,
    sslShutdownTimeout: options.sslShutdownTimeout ?? null,
  });
  w._transport = newTransport;
  w._state.transport = newTransport;
  protocol._replaceWriter(w);
});

/** Options of openConnection(): createConnection's options and the reader's `limit`. */
export interface OpenConnectionOptions extends CreateConnectionOptions {
  limit?: number;
}

/** Options of startServer(): createServer's options and the readers' `limit`. */
export interface StartServerOptions extends CreateServerOptions {
  limit?: number;
}

/** Options of openUnixConnection(). */
export interface OpenUnixConnectionOptions extends CreateUnixConnectionOptions {
  limit?: number;
}

/** Options of startUnixServer(). */
export interface StartUnixServerOptions extends CreateUnixServerOptions {
  limit?: number;
}

/** Connects (loop.createConnection) and returns a `[reader, writer]` pair. */
export const openConnection = awaitableCoroutine(function* openConnection(host?: string | null, port?: number | string | null, options?: OpenConnectionOptions): Coroutine<[StreamReader, StreamWriter]> {
  const loop = getRunningLoop();
  const { limit = DEFAULT_LIMIT, ...kwds } = options ?? {};
  const reader = new StreamReader({ limit, loop });
  const protocol = new StreamReaderProtocol(reader, null, loop);
  const [transport] = yield* loop.createConnection(() => protocol, host ?? null, port ?? null, kwds);
  return [reader, new StreamWriter(transport, protocol, reader, loop)];
});

/**
 * Starts a server (loop.createServer); `clientConnected(reader, writer)` is
 * called for each client. Returns the Server.
 */
export const startServer = awaitableCoroutine(function* startServer(clientConnected: ClientConnectedCallback, host?: string | string[] | null, port?: number | string | null, options?: StartServerOptions): Coroutine<Server> {
  const loop = getRunningLoop();
  const { limit = DEFAULT_LIMIT, ...kwds } = options ?? {};
  const factory = (): StreamReaderProtocol => new StreamReaderProtocol(new StreamReader({ limit, loop }), clientConnected, loop);
  // The loop's servers are always Server instances; its signature says AbstractServer.
  return (yield* loop.createServer(factory, host ?? null, port ?? null, kwds)) as Server;
});

/** Like openConnection(), over a Unix domain socket. */
export const openUnixConnection = awaitableCoroutine(function* openUnixConnection(path?: string | null, options?: OpenUnixConnectionOptions): Coroutine<[StreamReader, StreamWriter]> {
  const loop = getRunningLoop();
  const { limit = DEFAULT_LIMIT, ...kwds } = options ?? {};
  const reader = new StreamReader({ limit, loop });
  const protocol = new StreamReaderProtocol(reader, null, loop);
  const [transport] = yield* loop.createUnixConnection(() => protocol, path ?? null, kwds);
  return [reader, new StreamWriter(transport, protocol, reader, loop)];
});

/** Like startServer(), on a Unix domain socket. */
export const startUnixServer = awaitableCoroutine(function* startUnixServer(clientConnected: ClientConnectedCallback, path?: string | null, options?: StartUnixServerOptions): Coroutine<Server> {
  const loop = getRunningLoop();
  const { limit = DEFAULT_LIMIT, ...kwds } = options ?? {};
  const factory = (): StreamReaderProtocol => new StreamReaderProtocol(new StreamReader({ limit, loop }), clientConnected, loop);
  return (yield* loop.createUnixServer(factory, path ?? null, kwds)) as Server;
});
