import { Buffer } from "node:buffer";
import { constants as osConstants } from "node:os";
import { ConnectionError, OSError, RuntimeError, osError } from "../stdlib/exceptions.js";
import { LoopStateKey, type BaseEventLoop } from "../core/base-events.js";
import { Handle, type Callback } from "../core/events.js";
import { Future, isExitException, setResultUnlessCancelled } from "../core/futures.js";
import { native, type FastPoller } from "../internal/native.js";
import { LogLevel, logger } from "../core/log.js";
import { isBufferedProtocol, type BaseProtocol, type ProtocolLike } from "../core/protocols.js";
import type { BaseTransport, Transport } from "../core/transports.js";
import { FlowControlTransport } from "../core/flow-control.js";
import { AF_INET, AF_INET6, IPPROTO_TCP, SHUT_WR, SOCK_STREAM, TCP_NODELAY, isBytes, type Socket } from "../stdlib/socket.js";
import {
  _addWriter, _isPolling, _removeReader, _removeWriter, _unregisterTransport, selectorOf, type Selector,
} from "./selector.js";
import { bytesExpected, pyTypeName } from "../internal/pyrepr.js";
import { runInContext, snapshotVars, takeRunContext } from "../stdlib/contextvars.js";

// selector_events.py's _SelectorTransport and _SelectorSocketTransport: a
// stream transport on a raw non-blocking socket fd (docs/architecture.md). The read path
// is one recv per readiness event (up to 256 KiB, or into a BufferedProtocol's
// own buffer): small and medium reads land in the free tail of a shared slab
// and the protocol gets a Buffer view of them (no allocation, no copy, as
// Node's Buffer pool), and after a large read the next ones go straight into
// a Buffer of the size the kernel reports. The write path sends at once when
// nothing is buffered and only watches for writability when the kernel pushes
// back, then drains the buffer with one sendmsg per event.

const N = native();
const E = osConstants.errno;
const EAGAIN = E.EAGAIN;
const EINTR = E.EINTR;
/** asyncio's _SelectorTransport.max_size: the most one recv() reads. */
const MAX_SIZE = 256 * 1024;
/**
 * Makes the Buffer views handed to dataReceived(). Buffer's species
 * constructor (what buf.subarray() itself uses) makes a genuine Buffer without
 * Buffer.from()'s argument dispatch and its call into C++ on every read.
 */
const BufferView: new (ab: ArrayBuffer, offset: number, length: number) => Buffer = (() => {
  const species = (Buffer as unknown as { [Symbol.species]?: unknown })[Symbol.species];
  if (typeof species === "function" && species.prototype === Buffer.prototype) {
    return species as new (ab: ArrayBuffer, offset: number, length: number) => Buffer;
  }
  return function view(ab: ArrayBuffer, offset: number, length: number): Buffer {
    return Buffer.from(ab, offset, length);
  } as unknown as new (ab: ArrayBuffer, offset: number, length: number) => Buffer;
})();

/** Reads at least this large go into their own exact Buffer; smaller ones into the free tail of the slab. */
const LARGE_READ = 64 * 1024;
/**
 * Each read slab: a Buffer the protocol keeps (Python's bytes semantics)
 * pins its slab, so this bounds what one kept read can hold alive; it is also
 * the most one recv() reads (asyncio's max_size).
 */
const SLAB_SIZE = MAX_SIZE;
/**
 * A new slab starts when the free tail is less than twice the last read (and
 * at least this), so that the next read of that size likely fits whole while
 * small reads use nearly all of a slab: every slab is external memory V8
 * must collect, and at 1 KiB reads a fixed 64 KiB reserve wasted a quarter.
 */
const SLAB_MIN_FREE = 4 * 1024;
/**
 * A loop's read path: its poller's lean recv/send, held as plain fields (a
 * property load on the addon's own object was a megamorphic IC call per
 * request), and the current read slab with the offset where its free tail
 * begins. The slab is the loop's: its poller learns of each one (setSlab).
 */
class SocketIo {
  readonly recvSlab: FastPoller["recvSlab"];
  readonly recvU8: FastPoller["recvU8"];
  readonly sendU8: FastPoller["sendU8"];
  private readonly _poller: FastPoller;
  slab: Buffer = Buffer.alloc(0);
  slabAb = new ArrayBuffer(0);
  slabOff = 0;

  constructor(poller: FastPoller) {
    this._poller = poller;
    this.recvSlab = poller.recvSlab;
    this.recvU8 = poller.recvU8;
    this.sendU8 = poller.sendU8;
    this.newSlab();
  }

  newSlab(): void {
    // Uninitialized: the protocol only ever sees bytes recv() wrote (zero-filling
    // 256 KiB per slab was the largest user-space item at 1 KiB echo).
    const slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    this.slab = slab;
    this.slabAb = slab.buffer as ArrayBuffer;
    this.slabOff = 0;
    this._poller.setSlab(slab);
  }
}

const SOCKET_IO = new LoopStateKey<SocketIo>("socket-io");

function socketIoOf(loop: BaseEventLoop): SocketIo {
  let io = loop._getState(SOCKET_IO);
  if (io === undefined) {
    io = new SocketIo(selectorOf(loop).poller);
    loop._setState(SOCKET_IO, io);
    loop._addLifecycleHook({ close: () => forgetLoop(loop) });
  }
  return io;
}

// The loop of the last transport made, with its SocketIo and Selector: the
// connections of a server all come from one loop, so a new transport finds
// both without the two lookups in the loop's state Map (and the graphs of
// Map.get that V8 inlines into the constructor). Forgotten when that loop closes.
let cachedLoop: BaseEventLoop | null = null;
let cachedIo: SocketIo | null = null;
let cachedSel: Selector | null = null;

function useLoop(loop: BaseEventLoop): void {
  if (loop === cachedLoop) return;
  cachedIo = socketIoOf(loop);
  cachedSel = selectorOf(loop);
  cachedLoop = loop;
}

function forgetLoop(loop: BaseEventLoop): void {
  if (cachedLoop !== loop) return;
  cachedLoop = null;
  cachedIo = null;
  cachedSel = null;
}

/** asyncio's constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES. */
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
/** The most buffers one sendmsg() takes (Linux's IOV_MAX). */
const IOV_MAX = 1024;

/**
 * The links of a transport in its server's list of open connections (Python's
 * Server._clients): a server links its transports to one another rather than
 * holding them in a Set, whose hash entry cost more than these two fields and
 * a hash insert per connection accepted.
 */
export interface ServerLinks {
  /** The connection attached before this one (null: first, or not attached). */
  _serverPrev: ServerLinks | null;
  /** The connection attached after this one (null: last, or not attached). */
  _serverNext: ServerLinks | null;
}

/** The server side a socket transport reports to (Python's Server._attach/_detach). */
export interface ServerInternals {
  /** A connection was made. */
  _attach(transport: BaseTransport & ServerLinks): void;
  /** A connection was lost. */
  _detach(transport: BaseTransport & ServerLinks): void;
}

function toBuffer(d: ArrayBufferView | ArrayBuffer): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (d instanceof ArrayBuffer) return Buffer.from(d);
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

// Handle callbacks: one static function each, the transport as argument, so
// that registering a reader or writer allocates no closure.
function readReady(t: _SelectorSocketTransport): void {
  t._readReady();
}
function writeReady(t: _SelectorSocketTransport): void {
  t._writeReady();
}
function startReading(t: _SelectorSocketTransport): void {
  t._addReaderIfReading();
}
function callConnectionLost(t: _SelectorSocketTransport, exc: Error | null): void {
  t._callConnectionLost(exc);
}

/**
 * The arguments of the inner connectionMade call, reused: runInContext()
 * reads them before the call, so each use only needs them until then.
 */
const madeArgs: [ProtocolLike | null, _SelectorSocketTransport | null] = [null, null];
function callConnectionMade(p: ProtocolLike, t: _SelectorSocketTransport): void {
  p.connectionMade!(t);
}

/**
 * asyncio's two consecutive callbacks of a new transport, connection_made and
 * then _add_reader, in one Handle (a Handle, its arguments and a bound method
 * less per connection). Nothing can run between two Handles queued one after
 * the other, so only their separate contexts and error reports need keeping:
 * connectionMade runs in its own copy of the context (what it sets is not
 * seen by the reader, as in Python), what it raises is reported with the
 * Handle asyncio would have had, and reading starts whatever it raised.
 */
function connectionMadeThenRead(t: _SelectorSocketTransport, p: ProtocolLike): void {
  madeArgs[0] = p;
  madeArgs[1] = t;
  try {
    runInContext(null, snapshotVars(), callConnectionMade, madeArgs);
  } catch (exc) {
    const h = new Handle(p.connectionMade!.bind(p) as Callback, [t], t._loop, null);
    h._ctx = takeRunContext();
    if (isExitException(exc)) {
      // The loop stops here: the reader's Handle is next in line, as it would have been.
      t._loop._ready.unshift(new Handle(startReading as Callback, [t], t._loop, null));
    }
    h._reportError(exc);
  } finally {
    madeArgs[0] = null;
    madeArgs[1] = null;
  }
  t._addReaderIfReading();
}

// Every connection of a server reports the same local host and often one of
// a few peer hosts: a repeat shares the last connection's host string instead
// of holding its own copy (32 bytes each, per connection).
const lastHosts = ["", ""];
function shareHost(addr: unknown, slot: 0 | 1): unknown {
  if (Array.isArray(addr) && typeof addr[0] === "string") {
    if (addr[0] === lastHosts[slot]) addr[0] = lastHosts[slot];
    else lastHosts[slot] = addr[0];
  }
  return addr;
}

// The local address of a server's connections is nearly always the same
// tuple: a sockname equal to the previous transport's is that same frozen
// array (a Python tuple is immutable too), not an array of its own: 64 bytes
// less per connection, and fewer bytes for V8's young generation to copy.
let lastSockname: readonly unknown[] | null = null;
function shareSockname(addr: unknown): unknown {
  if (!Array.isArray(addr)) return addr;
  const last = lastSockname;
  if (last !== null && last.length === addr.length) {
    let same = true;
    for (let i = 0; i < addr.length; i++) {
      if (last[i] !== addr[i]) {
        same = false;
        break;
      }
    }
    if (same) return last;
  }
  shareHost(addr, 0);
  lastSockname = Object.freeze(addr);
  return addr;
}

/** Python's base_events._set_nodelay: TCP_NODELAY on TCP sockets (small writes go out at once). */
function setNodelay(sock: Socket): void {
  const family = sock.family;
  if ((family === AF_INET || family === AF_INET6) && sock.type === SOCK_STREAM &&
      (sock.proto === IPPROTO_TCP || sock.proto === 0)) {
    N.setsockopt(sock.fileno(), IPPROTO_TCP, TCP_NODELAY, 1);
  }
}

// An empty write queue is this one shared frozen array (a push into it would
// throw): an idle connection holds no array of its own, and a queue that
// drains drops its array instead of allocating a new empty one.
const NO_CHUNKS = Object.freeze([]) as unknown as Buffer[];

// The bits of a socket transport's _flags.
const FLAG_CLOSING = 1;
const FLAG_PAUSED = 2;
const FLAG_EOF = 4;
const FLAG_PROTOCOL_CONNECTED = 8;
const FLAG_BUFFERED = 16;
const FLAG_BIG_READS = 32;

/** `flags` with `bit` set or cleared. */
function withFlag(flags: number, bit: number, on: boolean): number {
  return on ? flags | bit : flags & ~bit;
}

/** The socket transport of the selector loop (Python's _SelectorSocketTransport). */
export class _SelectorSocketTransport extends FlowControlTransport implements ServerLinks {
  /** @internal The loop (FlowControlTransport's field, typed as the base loop: no second field per connection). */ declare _loop: BaseEventLoop;
  // Declared only, and set once each, in this order, at the top of the
  // constructor (Handle's in core/events.ts says why).
  /** @internal */ declare _io: SocketIo;
  /** @internal */ declare _sock: Socket | null;
  /** @internal */ declare _sockFd: number;
  /** @internal */ declare _server: ServerInternals | null;
  /** @internal Chunks not yet sent, oldest first. */ declare _buffer: Buffer[];
  /** @internal */ declare _bufferSize: number;
  /** @internal Set when connectionLost is scheduled; counts writes after it. */ declare _connLost: number;
  /** @internal */ declare _emptyWaiter: Future<void> | null;
  /** @internal */ declare _serverPrev: ServerLinks | null;
  /** @internal */ declare _serverNext: ServerLinks | null;
  /**
   * @internal The transport's six booleans, one bit each (FLAG_*), read and
   * written through the accessors below: one field instead of six, 40 bytes
   * less per connection.
   */
  declare _flags: number;
  /** @internal */ get _closing(): boolean { return (this._flags & FLAG_CLOSING) !== 0; }
  set _closing(v: boolean) { this._flags = withFlag(this._flags, FLAG_CLOSING, v); }
  /** @internal */ get _paused(): boolean { return (this._flags & FLAG_PAUSED) !== 0; }
  set _paused(v: boolean) { this._flags = withFlag(this._flags, FLAG_PAUSED, v); }
  /** @internal */ get _eof(): boolean { return (this._flags & FLAG_EOF) !== 0; }
  set _eof(v: boolean) { this._flags = withFlag(this._flags, FLAG_EOF, v); }
  /** @internal */ get _protocolConnected(): boolean { return (this._flags & FLAG_PROTOCOL_CONNECTED) !== 0; }
  set _protocolConnected(v: boolean) { this._flags = withFlag(this._flags, FLAG_PROTOCOL_CONNECTED, v); }
  /** @internal The protocol reads into its own buffer. */ get _buffered(): boolean { return (this._flags & FLAG_BUFFERED) !== 0; }
  set _buffered(v: boolean) { this._flags = withFlag(this._flags, FLAG_BUFFERED, v); }
  /** @internal The last read was at least LARGE_READ bytes. */ get _bigReads(): boolean { return (this._flags & FLAG_BIG_READS) !== 0; }
  set _bigReads(v: boolean) { this._flags = withFlag(this._flags, FLAG_BIG_READS, v); }
  /** @internal loop.startTls may wrap this transport (on the prototype: no field per connection). */ declare readonly _startTlsCompatible: true;
  /** @internal loop.sendfile may use sendfile(2) on the socket (on the prototype). */ declare readonly _sendfileCompatible: "TRY_NATIVE";

  /** @internal Made by makeSocketTransport. */
  constructor(loop: BaseEventLoop, sock: Socket, protocol: BaseProtocol | ProtocolLike, waiter: Future<void> | null,
    extra: Record<string, unknown> | null, server: ServerInternals | null) {
    super(extra, loop);
    useLoop(loop);
    const sel = cachedSel!;
    this._io = cachedIo!;
    this._sock = sock;
    this._sockFd = sock.fileno();
    this._server = server;
    this._buffer = NO_CHUNKS;
    this._bufferSize = 0;
    this._connLost = 0;
    this._emptyWaiter = null;
    this._serverPrev = null;
    this._serverNext = null;
    this._flags = 0;
    this._extra.socket = sock;
    // The accept loop passes the sockname when its listener has one address.
    const sockname = this._extra.sockname;
    if (sockname === undefined || sockname === null) {
      try {
        this._extra.sockname = shareSockname(sock.getsockname());
      } catch {
        this._extra.sockname = null;
      }
    }
    if ("peername" in this._extra) {
      shareHost(this._extra.peername, 1);
    } else {
      try {
        this._extra.peername = shareHost(sock.getpeername(), 1);
      } catch {
        this._extra.peername = null;
      }
    }
    this.setProtocol(protocol);
    if (server !== null) server._attach(this);
    sel.setTransport(this._sockFd, this);
    // The selector now holds this transport until _callConnectionLost()
    // closes the socket, so the socket needs no close-on-collection of its own.
    sock._untrack();
    setNodelay(sock);
    const p = this._protocol as ProtocolLike;
    if (typeof p.connectionMade !== "function") {
      loop._callSoonWith(startReading as Callback, [this], null);
    } else if (loop._debug) {
      // Each callback its own Handle, as asyncio's: debug mode times and names them one by one.
      loop._callSoonWith(p.connectionMade.bind(p) as Callback, [this], null);
      loop._callSoonWith(startReading as Callback, [this], null);
    } else {
      loop._callSoonWith(connectionMadeThenRead as Callback, [this, p], null);
    }
    // The waiter wakes up after connectionMade() and the start of reading.
    if (waiter !== null) loop._callSoonWith(setResultUnlessCancelled as Callback, [waiter, undefined], null);
  }

  /** @internal The loop closed with this transport open: a collected socket closes its fd again. */
  _selectorClosed(): void {
    this._sock?._track();
  }

  override toString(): string {
    const info = [this.constructor.name];
    if (this._sock === null) info.push("closed");
    else if (this._closing) info.push("closing");
    info.push(`fd=${this._sockFd}`);
    if (!this._loop.isClosed()) {
      info.push(`read=${_isPolling(this._loop, this._sockFd, false) ? "polling" : "idle"}`);
      const state = _isPolling(this._loop, this._sockFd, true) ? "polling" : "idle";
      info.push(`write=<${state}, bufsize=${this._bufferSize}>`);
    }
    return `<${info.join(" ")}>`;
  }

  override setProtocol(protocol: BaseProtocol | ProtocolLike): void {
    this._buffered = isBufferedProtocol(protocol);
    this._protocol = protocol as ProtocolLike;
    this._protocolConnected = true;
  }

  override getProtocol(): BaseProtocol | ProtocolLike {
    return this._protocol as BaseProtocol | ProtocolLike;
  }

  override isClosing(): boolean {
    return this._closing;
  }

  override isReading(): boolean {
    return !this._closing && !this._paused;
  }

  override pauseReading(): void {
    if (!this.isReading()) return;
    this._paused = true;
    _removeReader(this._loop, this._sockFd);
    if (this._loop.getDebug()) logger.debug(`${this} pauses reading`);
  }

  override resumeReading(): void {
    if (this._closing || !this._paused) return;
    this._paused = false;
    this._addReaderIfReading();
    if (this._loop.getDebug()) logger.debug(`${this} resumes reading`);
  }

  /** @internal asyncio's _SelectorTransport._add_reader(fd, self._read_ready). */
  _addReaderIfReading(): void {
    if (!this.isReading()) return;
    const loop = this._loop;
    loop._checkClosed();
    (loop === cachedLoop ? cachedSel! : selectorOf(loop)).addReader(this._sockFd, readReady as Callback, [this]);
  }

  override close(): void {
    if (this._closing) return;
    this._closing = true;
    _removeReader(this._loop, this._sockFd);
    if (this._bufferSize === 0) {
      this._connLost++;
      _removeWriter(this._loop, this._sockFd);
      this._loop._callSoonWith(callConnectionLost as Callback, [this, null], null);
    }
  }

  override abort(): void {
    this._forceClose(null);
  }

  /** @internal A fatal error: OSErrors are logged only in debug mode, others go to the exception handler; then the transport closes. */
  _fatalError(exc: unknown, message = "Fatal error on transport"): void {
    if (exc instanceof OSError) {
      if (this._loop.getDebug()) logger.log(LogLevel.DEBUG, `${this}: ${message}`, exc);
    } else {
      this._loop.callExceptionHandler({ message, exception: exc, transport: this, protocol: this._protocol });
    }
    this._forceClose(exc as Error);
  }

  /** @internal Closes without flushing; connectionLost(exc) follows via callSoon. */
  _forceClose(exc: Error | null): void {
    if (this._connLost) return;
    if (this._bufferSize !== 0) {
      this._buffer = NO_CHUNKS;
      this._bufferSize = 0;
      _removeWriter(this._loop, this._sockFd);
    }
    if (!this._closing) {
      this._closing = true;
      _removeReader(this._loop, this._sockFd);
    }
    this._connLost++;
    this._loop._callSoonWith(callConnectionLost as Callback, [this, exc], null);
  }

  /** @internal */
  _callConnectionLost(exc: Error | null): void {
    try {
      if (this._protocolConnected) this._protocol?.connectionLost?.(exc);
    } finally {
      const sock = this._sock;
      if (sock !== null) {
        _unregisterTransport(this._loop, this._sockFd);
        sock.close();
        this._sock = null;
      }
      this._protocol = null;
      const server = this._server;
      if (server !== null) {
        this._server = null;
        server._detach(this);
      }
      if (this._emptyWaiter !== null && !this._emptyWaiter.done()) {
        this._emptyWaiter.setException(new ConnectionError("Connection is closed by peer"));
      }
    }
  }

  override getWriteBufferSize(): number {
    return this._bufferSize;
  }

  // ---- reading ----------------------------------------------------------------

  /** @internal The reader callback. */
  _readReady(): void {
    if (this._connLost) return;
    if (this._buffered) {
      this._readReadyGetBuffer();
      return;
    }
    // After a large read, large reads are likely to follow: the native side
    // asks the kernel how much is waiting and receives it into its own Buffer.
    const io = this._io;
    const off = io.slabOff;
    const r = io.recvSlab(this._sockFd, io.slab, off, this._bigReads ? LARGE_READ : 0);
    let data: Buffer;
    if (typeof r === "number") {
      if (r <= 0) {
        if (r === 0) this._readReadyOnEof();
        else if (r !== -EAGAIN && r !== -EINTR) this._fatalError(osError(-r), "Fatal read error on socket transport");
        return;
      }
      data = new BufferView(io.slabAb, off, r);
      const next = (off + r + 7) & ~7;
      io.slabOff = next;
      if (SLAB_SIZE - next < Math.max(SLAB_MIN_FREE, 2 * r)) io.newSlab();
      this._bigReads = r >= LARGE_READ;
    } else {
      data = r;
    }
    try {
      this._protocol!.dataReceived!(data);
    } catch (exc) {
      if (isExitException(exc)) throw exc;
      this._fatalError(exc, "Fatal error: protocol.data_received() call failed.");
    }
  }

  private _readReadyGetBuffer(): void {
    let buf: ArrayBufferView;
    try {
      buf = this._protocol!.getBuffer!(-1);
      if (!buf || !buf.byteLength) throw new RuntimeError("get_buffer() returned an empty buffer");
    } catch (exc) {
      if (isExitException(exc)) throw exc;
      this._fatalError(exc, "Fatal error: protocol.get_buffer() call failed.");
      return;
    }
    const n = buf instanceof Uint8Array
      ? this._io.recvU8(this._sockFd, buf, 0, buf.length)
      : N.recvInto(this._sockFd, buf, 0, buf.byteLength);
    if (n < 0) {
      if (n === -EAGAIN || n === -EINTR) return;
      this._fatalError(osError(-n), "Fatal read error on socket transport");
      return;
    }
    if (n === 0) {
      this._readReadyOnEof();
      return;
    }
    try {
      this._protocol!.bufferUpdated!(n);
    } catch (exc) {
      if (isExitException(exc)) throw exc;
      this._fatalError(exc, "Fatal error: protocol.buffer_updated() call failed.");
    }
  }

  private _readReadyOnEof(): void {
    if (this._loop.getDebug()) logger.debug(`${this} received EOF`);
    let keepOpen: unknown;
    try {
      keepOpen = this._protocol!.eofReceived?.();
    } catch (exc) {
      if (isExitException(exc)) throw exc;
      this._fatalError(exc, "Fatal error: protocol.eof_received() call failed.");
      return;
    }
    if (keepOpen) {
      // Half-open: the protocol may still write, but nothing more can be read.
      _removeReader(this._loop, this._sockFd);
    } else {
      this.close();
    }
  }

  // ---- writing ----------------------------------------------------------------

  override write(data: Uint8Array): void {
    if (!isBytes(data)) throw bytesExpected(data, "data argument must be a bytes-like object");
    if (this._eof) throw new RuntimeError("Cannot call write() after write_eof()");
    if (this._emptyWaiter !== null) throw new RuntimeError("unable to write; sendfile is in progress");
    // Typed arrays' `length` is inlined by V8's optimizer; `byteLength` is a generic property load.
    const len = data instanceof Uint8Array ? data.length : (data as ArrayBufferView).byteLength;
    if (len === 0) return;
    if (this._connLost) {
      if (this._connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warning("socket.send() raised exception.");
      this._connLost++;
      return;
    }
    let rest: Buffer;
    if (this._bufferSize === 0) {
      // Nothing queued: try to send now, and watch for writability only if
      // the kernel did not take everything.
      const n = data instanceof Uint8Array
        ? this._io.sendU8(this._sockFd, data, 0, len)
        : N.send(this._sockFd, data, 0, len);
      if (n === len) return;
      if (n >= 0) {
        rest = toBuffer(data).subarray(n);
      } else if (n === -EAGAIN || n === -EINTR) {
        rest = toBuffer(data);
      } else {
        this._fatalError(osError(-n), "Fatal write error on socket transport");
        return;
      }
      _addWriter(this._loop, this._sockFd, writeReady as Callback, [this]);
    } else {
      rest = toBuffer(data);
    }
    if (this._buffer.length === 0) this._buffer = [rest];
    else this._buffer.push(rest);
    this._bufferSize += rest.length;
    this._maybePauseProtocol();
  }

  override writelines(listOfData: Iterable<Uint8Array>): void {
    if (this._eof) throw new RuntimeError("Cannot call writelines() after write_eof()");
    if (this._emptyWaiter !== null) throw new RuntimeError("unable to writelines; sendfile is in progress");
    const chunks: Buffer[] = [];
    let size = 0;
    for (const d of listOfData) {
      if (!isBytes(d)) throw bytesExpected(d, "memoryview: a bytes-like object is required");
      if (d.byteLength === 0) continue;
      const b = toBuffer(d);
      chunks.push(b);
      size += b.length;
    }
    if (size === 0) return;
    if (this._connLost) {
      if (this._connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warning("socket.send() raised exception.");
      this._connLost++;
      return;
    }
    const wasEmpty = this._bufferSize === 0;
    if (wasEmpty) this._buffer = chunks;
    else for (const b of chunks) this._buffer.push(b);
    this._bufferSize += size;
    if (!wasEmpty) return;
    this._writeReady();
    if (this._bufferSize !== 0) _addWriter(this._loop, this._sockFd, writeReady as Callback, [this]);
  }

  /** @internal The writer callback: one send/sendmsg of the queued chunks. */
  _writeReady(): void {
    if (this._connLost || this._bufferSize === 0) return;
    const buf = this._buffer;
    const n = buf.length === 1
      ? this._io.sendU8(this._sockFd, buf[0]!, 0, buf[0]!.length)
      : N.sendmsg(this._sockFd, buf.length > IOV_MAX ? buf.slice(0, IOV_MAX) : buf);
    if (n < 0) {
      if (n === -EAGAIN || n === -EINTR) return;
      const exc = osError(-n);
      _removeWriter(this._loop, this._sockFd);
      this._buffer = NO_CHUNKS;
      this._bufferSize = 0;
      this._fatalError(exc, "Fatal write error on socket transport");
      if (this._emptyWaiter !== null && !this._emptyWaiter.done()) this._emptyWaiter.setException(exc);
      return;
    }
    this._adjustLeftoverBuffer(n);
    this._maybeResumeProtocol(); // may write more
    if (this._bufferSize === 0) {
      _removeWriter(this._loop, this._sockFd);
      if (this._emptyWaiter !== null && !this._emptyWaiter.done()) this._emptyWaiter.setResult(undefined);
      if (this._closing) this._callConnectionLost(null);
      else if (this._eof) this._sock!.shutdown(SHUT_WR);
    }
  }

  private _adjustLeftoverBuffer(nbytes: number): void {
    const buf = this._buffer;
    this._bufferSize -= nbytes;
    let i = 0;
    while (nbytes > 0) {
      const b = buf[i]!;
      if (b.length <= nbytes) {
        nbytes -= b.length;
        i++;
      } else {
        buf[i] = b.subarray(nbytes);
        break;
      }
    }
    if (i === buf.length) this._buffer = NO_CHUNKS;
    else if (i > 0) buf.splice(0, i);
  }

  override writeEof(): void {
    if (this._closing || this._eof) return;
    this._eof = true;
    if (this._bufferSize === 0) this._sock!.shutdown(SHUT_WR);
  }

  override canWriteEof(): boolean {
    return true;
  }

  /** @internal loop.sendfile: a future done once the write buffer is empty. */
  _makeEmptyWaiter(): Future<void> {
    if (this._emptyWaiter !== null) throw new RuntimeError("Empty waiter is already set");
    this._emptyWaiter = this._loop.createFuture<void>();
    if (this._bufferSize === 0) this._emptyWaiter.setResult(undefined);
    return this._emptyWaiter;
  }

  /** @internal */
  _resetEmptyWaiter(): void {
    this._emptyWaiter = null;
  }
}
Object.defineProperties(_SelectorSocketTransport.prototype, {
  _startTlsCompatible: { value: true, writable: true },
  _sendfileCompatible: { value: "TRY_NATIVE", writable: true },
});

/**
 * Wraps a connected non-blocking socket into a stream transport (Python's
 * loop._make_socket_transport): connectionMade() runs via callSoon, then
 * reading starts, then `waiter` is resolved.
 */
export function makeSocketTransport(loop: BaseEventLoop, sock: Socket, protocol: BaseProtocol | ProtocolLike,
  waiter: Future<void> | null, extra: Record<string, unknown> | null, server: ServerInternals | null): Transport {
  return new _SelectorSocketTransport(loop, sock, protocol, waiter, extra, server);
}
