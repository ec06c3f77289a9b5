// sslproto.py: TLS over our transports. An SSLProtocol sits on a plain
// transport as its protocol; between them Node's tls.TLSSocket runs over a
// Duplex (CipherPipe) whose writes go to the plain transport and into which
// the plain transport's dataReceived pushes ciphertext. The application gets
// an SSLTransport. Node emits TLS events from its own callbacks, so every step
// that reaches the application protocol is re-posted as a loop callback:
// nothing of the protocol runs while the loop is stopped.
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import { isIP } from "node:net";
import {
  CancelledError, ConnectionAbortedError, ConnectionResetError, NotImplementedError, OSError, RuntimeError,
  TimeoutError, ValueError,
} from "../stdlib/exceptions.js";
import type { BaseEventLoop } from "../core/base-events.js";
import type { StartTlsOptions, TimerHandle } from "../core/events.js";
import type { Future } from "../core/futures.js";
import type { Coroutine } from "../core/coroutines.js";
import { logger } from "../core/log.js";
import { isBufferedProtocol, type BaseProtocol, type ProtocolLike } from "../core/protocols.js";
import type { BaseTransport, Transport } from "../core/transports.js";
import { FlowControlTransport } from "../core/flow-control.js";
import type { Socket } from "../stdlib/socket.js";
import { makeSocketTransport, type ServerInternals } from "./socket-transport.js";
import {
  CERT_NONE, CERT_REQUIRED, SSLCertVerificationError, SSLContext, SSLObject, sslErrorFromNode, createDefaultContext,
} from "../stdlib/ssl.js";

/** Seconds to wait for the TLS handshake before aborting (Python's SSL_HANDSHAKE_TIMEOUT). */
export const SSL_HANDSHAKE_TIMEOUT = 60.0;
/** Seconds to wait for the TLS shutdown before aborting (Python's SSL_SHUTDOWN_TIMEOUT). */
export const SSL_SHUTDOWN_TIMEOUT = 30.0;
const FLOW_CONTROL_HIGH_WATER_SSL_READ = 256 * 1024;
const FLOW_CONTROL_HIGH_WATER_SSL_WRITE = 512 * 1024;
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

const enum State {
  UNWRAPPED,
  DO_HANDSHAKE,
  WRAPPED,
  FLUSHING,
  SHUTDOWN,
}

const enum AppState {
  INIT,
  CON_MADE,
  EOF,
  CON_LOST,
}

/** Options of makeSslTransport. */
export interface SslTransportOptions {
  serverSide: boolean;
  serverHostname: string | null;
  extra?: Record<string, unknown> | null;
  server?: ServerInternals | null;
  sslHandshakeTimeout?: number | null;
  sslShutdownTimeout?: number | null;
}

// A plain transport as SSLProtocol uses it; `_forceClose` exists on ours.
type PlainTransport = Transport & { _forceClose?(exc: Error | null): void };

function pyFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

// Python's _FlowControlMixin defaults with a different base size.
function flowControlDefaults(high: number | null | undefined, low: number | null | undefined, base: number): [number, number] {
  let hi: number;
  let lo: number;
  if (high === undefined || high === null) hi = low === undefined || low === null ? base : 4 * low;
  else hi = high;
  lo = low === undefined || low === null ? Math.floor(hi / 4) : low;
  if (!(hi >= lo && lo >= 0)) throw new ValueError(`high (${hi}) must be >= low (${lo}) must be >= 0`);
  return [hi, lo];
}

/** The Duplex Node's TLSSocket runs over: ciphertext out to the plain transport, in from it. */
class CipherPipe extends Duplex {
  private readonly _owner: SSLProtocol;
  constructor(owner: SSLProtocol) {
    super({ allowHalfOpen: true, readableHighWaterMark: FLOW_CONTROL_HIGH_WATER_SSL_READ, decodeStrings: true });
    this._owner = owner;
  }
  override _read(): void {
    this._owner._cipherDemand();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._owner._sendCipher(chunk, cb);
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this._owner._sendCipher(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }
  override _final(cb: (err?: Error | null) => void): void {
    this._owner._cipherWriteEnded();
    cb();
  }
  override _destroy(_err: Error | null, cb: (err: Error | null) => void): void {
    // Errors are reported through the TLS socket; the pipe itself never fails.
    cb(null);
  }
}

/** The transport an application protocol gets for a TLS connection (Python's _SSLProtocolTransport). */
/**
 * The TLS options' checks, made before any I/O so that a bad value never
 * leaves a connected socket behind: each timeout needs `ssl` and must be a
 * positive number (ValueError, Python's messages).
 */
export function checkSslOptions(ssl: unknown, handshakeTimeout: number | null, shutdownTimeout: number | null): void {
  for (const [name, value] of [["ssl_handshake_timeout", handshakeTimeout], ["ssl_shutdown_timeout", shutdownTimeout]] as const) {
    if (value === null) continue;
    if (!ssl) throw new ValueError(`${name} is only meaningful with ssl`);
    if (!(value > 0)) throw new ValueError(`${name} should be a positive number, got ${value}`);
  }
}

export class SSLTransport extends FlowControlTransport {
  /** @internal */ _sslProtocol: SSLProtocol;
  /** @internal */ _closed = false;
  /** @internal Python's _start_tls_compatible: TLS may be layered over this transport again. */
  readonly _startTlsCompatible = true;
  /** @internal loop.sendfile reads and writes through the TLS layer (sendfile(2) cannot encrypt). */
  readonly _sendfileCompatible = "FALLBACK";

  /** @internal */
  constructor(loop: BaseEventLoop, sslProtocol: SSLProtocol) {
    super(null, loop);
    this._sslProtocol = sslProtocol;
    this._setWriteBufferLimits(FLOW_CONTROL_HIGH_WATER_SSL_WRITE);
  }

  override getExtraInfo(name: string, dflt: unknown = null): unknown {
    return this._sslProtocol._getExtraInfo(name, dflt);
  }

  override setProtocol(protocol: BaseProtocol | ProtocolLike): void {
    this._sslProtocol._setAppProtocol(protocol as ProtocolLike);
  }

  override getProtocol(): BaseProtocol | ProtocolLike {
    return this._sslProtocol._appProtocol as BaseProtocol | ProtocolLike;
  }

  override isClosing(): boolean {
    return this._closed;
  }

  /** Closes after flushing buffered data: TLS shutdown (close_notify), then the socket; connectionLost(null) follows. */
  override close(): void {
    if (!this._closed) {
      this._closed = true;
      this._sslProtocol._startShutdown();
    }
  }

  override isReading(): boolean {
    return !this._sslProtocol._appReadingPaused;
  }

  override pauseReading(): void {
    this._sslProtocol._pauseReading();
  }

  override resumeReading(): void {
    this._sslProtocol._resumeReading();
  }

  override setWriteBufferLimits(high?: number | null, low?: number | null): void {
    const [hi, lo] = flowControlDefaults(high, low, FLOW_CONTROL_HIGH_WATER_SSL_WRITE);
    this._setWriteBufferLimits(hi, lo);
    this._sslProtocol._controlAppWriting();
  }

  override getWriteBufferSize(): number {
    return this._sslProtocol._getWriteBufferSize();
  }

  /** Sets the water marks of the decrypted-side read buffer (ciphertext waiting to be decrypted). */
  setReadBufferLimits(high?: number | null, low?: number | null): void {
    this._sslProtocol._setReadBufferLimits(high, low);
    this._sslProtocol._controlSslReading();
  }

  /** `[low, high]` of the read buffer. */
  getReadBufferLimits(): [number, number] {
    return [this._sslProtocol._incomingLowWater, this._sslProtocol._incomingHighWater];
  }

  /** Ciphertext received and not yet decrypted. */
  getReadBufferSize(): number {
    return this._sslProtocol._getReadBufferSize();
  }

  override write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array) && !ArrayBuffer.isView(data)) {
      const name = data === null ? "NoneType" : typeof data === "object" ? (data as object).constructor?.name ?? "object" : typeof data;
      throw new TypeError(`data: expecting a bytes-like instance, got ${name}`);
    }
    if (data.byteLength === 0) return;
    this._sslProtocol._writeAppdata([data]);
  }

  override writelines(listOfData: Iterable<Uint8Array>): void {
    this._sslProtocol._writeAppdata(listOfData);
  }

  /** TLS transports do not support half-close (as in Python): NotImplementedError. */
  override writeEof(): void {
    throw new NotImplementedError();
  }

  override canWriteEof(): boolean {
    return false;
  }

  /** Closes immediately, without a TLS shutdown; connectionLost(null) follows. */
  override abort(): void {
    this._closed = true;
    this._sslProtocol._abort();
  }

  /** @internal */
  _forceClose(exc: Error | null): void {
    this._closed = true;
    this._sslProtocol._abort(exc);
  }

  /** @internal Python's _protocol_paused (read by the sendfile fallback). */
  get _appWritingPaused(): boolean {
    return this._protocolPaused;
  }

  override toString(): string {
    return `<asyncio.sslproto._SSLProtocolTransport object${this._closed ? " closed" : ""}>`;
  }
}

/** Python's SSLProtocol: the protocol of the plain transport that runs TLS for the application protocol. */
export class SSLProtocol implements ProtocolLike {
  /** @internal */ _loop: BaseEventLoop;
  /** @internal */ _appProtocol: ProtocolLike | null = null;
  /** @internal */ _appIsBuffered = false;
  /** @internal */ _sslcontext: SSLContext;
  /** @internal */ _waiter: Future<void> | null;
  /** @internal */ _serverSide: boolean;
  /** @internal */ _serverHostname: string | null;
  /** @internal */ _extra: Record<string, unknown>;
  /** @internal */ _transport: PlainTransport | null = null;
  /** @internal */ _appTransport: SSLTransport;
  /** @internal */ _state: State = State.UNWRAPPED;
  /** @internal */ _appState: AppState;
  /** @internal */ _connLost = 0;
  /** @internal */ _appReadingPaused = false;
  /** @internal */ _sslReadingPaused = false;
  /** @internal */ _sslWritingPaused = false;
  /** @internal */ _incomingHighWater = 0;
  /** @internal */ _incomingLowWater = 0;
  private readonly _handshakeTimeout: number;
  private readonly _shutdownTimeout: number;
  private _handshakeTimer: TimerHandle | null = null;
  private _shutdownTimer: TimerHandle | null = null;
  private _handshakeStart = 0;
  private _pipe: CipherPipe | null = null;
  private _tls: tls.TLSSocket | null = null;
  private _pendingCipher: Buffer[] = [];
  private _outQueue: Array<[Buffer, (err?: Error | null) => void]> = [];
  private _flushPosted = false;
  private _readPosted = false;
  private _writeCheckPosted = false;
  private _eofReceived = false;
  private _tlsEnded = false;
  private _tlsEndSent = false;
  private _cipherFinished = false;
  private _lostExc: Error | null = null;

  constructor(
    loop: BaseEventLoop, appProtocol: BaseProtocol | ProtocolLike, sslcontext: SSLContext | null, waiter: Future<void> | null,
    serverSide = false, serverHostname: string | null = null,
    options?: { callConnectionMade?: boolean; sslHandshakeTimeout?: number | null; sslShutdownTimeout?: number | null },
  ) {
    const hs = options?.sslHandshakeTimeout ?? null;
    const sd = options?.sslShutdownTimeout ?? null;
    checkSslOptions(sslcontext ?? true, hs, sd);
    this._handshakeTimeout = hs ?? SSL_HANDSHAKE_TIMEOUT;
    this._shutdownTimeout = sd ?? SSL_SHUTDOWN_TIMEOUT;
    if (!sslcontext) {
      if (serverSide) throw new ValueError("Server side SSL needs a valid SSLContext");
      sslcontext = createDefaultContext();
      if (!serverHostname) sslcontext.checkHostname = false;
    }
    if (serverSide && sslcontext.protocol === 16) {
      throw new ValueError("Cannot create a server socket with a PROTOCOL_TLS_CLIENT context");
    }
    if (!serverSide && sslcontext.protocol === 17) {
      throw new ValueError("Cannot create a client socket with a PROTOCOL_TLS_SERVER context");
    }
    this._serverSide = serverSide;
    this._serverHostname = serverHostname && !serverSide ? serverHostname : null;
    if (!serverSide && sslcontext.checkHostname && !this._serverHostname) {
      throw new ValueError("check_hostname requires server_hostname");
    }
    this._sslcontext = sslcontext;
    this._extra = { sslcontext };
    this._waiter = waiter;
    this._loop = loop;
    this._setAppProtocol(appProtocol as ProtocolLike);
    this._appState = options?.callConnectionMade === false ? AppState.CON_MADE : AppState.INIT;
    this._setReadBufferLimits();
    this._appTransport = new SSLTransport(loop, this);
    this._appTransport._protocol = this._appProtocol;
  }

  /** @internal */
  _setAppProtocol(appProtocol: ProtocolLike): void {
    this._appProtocol = appProtocol;
    this._appIsBuffered = isBufferedProtocol(appProtocol);
    if (this._appTransport) this._appTransport._protocol = appProtocol;
  }

  private _wakeupWaiter(exc: Error | null = null): void {
    const w = this._waiter;
    if (w === null) return;
    this._waiter = null;
    if (!w.cancelled()) {
      if (exc !== null) w.setException(exc);
      else w.setResult(undefined);
    }
  }

  // Runs `fn` as a loop callback (TLS events come from Node's own callbacks).
  private _post(fn: () => void): void {
    if (this._loop.isClosed()) return;
    this._loop._callSoonWith(fn, null, null);
  }

  // ---- the plain transport's protocol ----------------------------------------

  /** Called by the plain transport: starts the TLS handshake. */
  connectionMade(transport: BaseTransport): void {
    this._transport = transport as PlainTransport;
    this._startHandshake();
  }

  /** Called by the plain transport when the connection is lost or closed. */
  connectionLost(exc: Error | null): void {
    if (exc === null) exc = this._lostExc;
    this._outQueue = [];
    this._connLost++;
    this._appTransport._closed = true;
    if (this._state !== State.DO_HANDSHAKE) {
      if (this._appState === AppState.CON_MADE || this._appState === AppState.EOF) {
        this._appState = AppState.CON_LOST;
        const proto = this._appProtocol;
        this._loop._callSoonWith(() => proto?.connectionLost?.(exc), null, null);
      }
    }
    this._state = State.UNWRAPPED;
    this._transport = null;
    this._wakeupWaiter(exc);
    this._cancelTimers();
    this._destroyTls();
  }

  /** Called by the plain transport with ciphertext. */
  dataReceived(data: Uint8Array): void {
    // The pipe may keep the chunk queued; the transport may reuse its buffer.
    const chunk = Buffer.from(data);
    const pipe = this._pipe;
    if (pipe === null) {
      if (this._state !== State.UNWRAPPED || this._transport === null) this._pendingCipher.push(chunk);
      return;
    }
    pipe.push(chunk);
    this._controlSslReading();
  }

  /** Called by the plain transport on EOF: the TLS layer sees it after the ciphertext before it. */
  eofReceived(): boolean {
    if (this._eofReceived) return true;
    this._eofReceived = true;
    if (this._loop.getDebug()) logger.debug(`${this} received EOF`);
    // Before connectionMade() the handshake start pushes the EOF behind the pending ciphertext.
    if (this._pipe !== null) this._pipe.push(null);
    // Keep the plain transport open: the shutdown below closes it once the application saw the EOF.
    return true;
  }

  /** The plain transport's buffer went over its high-water mark. */
  pauseWriting(): void {
    this._sslWritingPaused = true;
  }

  /** The plain transport's buffer drained. */
  resumeWriting(): void {
    this._sslWritingPaused = false;
    this._flushOut();
  }

  // ---- handshake -------------------------------------------------------------

  private _startHandshake(): void {
    if (this._loop.getDebug()) {
      logger.debug(`${this} starts SSL handshake`);
      this._handshakeStart = this._loop.time();
    }
    this._state = State.DO_HANDSHAKE;
    this._handshakeTimer = this._loop.callLater(this._handshakeTimeout, () => this._checkHandshakeTimeout());
    try {
      this._createTls();
    } catch (exc) {
      this._onHandshakeComplete(exc as Error);
      return;
    }
    const pending = this._pendingCipher;
    this._pendingCipher = [];
    for (const chunk of pending) this._pipe!.push(chunk);
    if (this._eofReceived) this._pipe!.push(null);
  }

  private _createTls(): void {
    const ctx = this._sslcontext;
    const pipe = new CipherPipe(this);
    this._pipe = pipe;
    const alpn = ctx._alpnProtocols() ?? undefined;
    let sock: tls.TLSSocket;
    if (this._serverSide) {
      sock = new tls.TLSSocket(pipe as unknown as import("node:net").Socket, {
        isServer: true,
        secureContext: ctx._getSecureContext(),
        requestCert: ctx.verifyMode !== CERT_NONE,
        rejectUnauthorized: ctx.verifyMode === CERT_REQUIRED,
        ALPNProtocols: alpn,
      });
      sock.on("secure", () => this._post(() => this._onServerSecure()));
    } else {
      const host = this._serverHostname;
      const checkHostname = ctx.checkHostname;
      const opts: tls.ConnectionOptions = {
        socket: pipe as unknown as import("node:net").Socket,
        secureContext: ctx._getSecureContext(),
        rejectUnauthorized: ctx.verifyMode !== CERT_NONE,
        checkServerIdentity: (_h, cert) => (checkHostname && host ? tls.checkServerIdentity(host, cert) : undefined),
        ALPNProtocols: alpn,
      };
      // Python sends no SNI for an IP address but still checks it against the certificate.
      if (host && !isIP(host)) opts.servername = host;
      sock = tls.connect(opts);
      sock.on("secureConnect", () => this._post(() => this._onHandshakeComplete(null)));
    }
    this._tls = sock;
    sock.on("error", (err: Error) => this._post(() => this._onTlsError(err)));
    sock.on("readable", () => this._postRead());
    sock.on("end", () => this._post(() => this._onTlsEnd()));
    // Registered after the TLS socket's own listener, so it sees the pipe drained.
    pipe.on("data", () => {
      if (this._sslReadingPaused) this._post(() => this._controlSslReading());
    });
  }

  private _checkHandshakeTimeout(): void {
    this._handshakeTimer = null;
    if (this._state === State.DO_HANDSHAKE) {
      const msg = `SSL handshake is taking longer than ${pyFloat(this._handshakeTimeout)} seconds: aborting the connection`;
      this._fatalError(new ConnectionAbortedError(msg));
    }
  }

  private _onServerSecure(): void {
    if (this._state !== State.DO_HANDSHAKE || this._tls === null) return;
    let exc: Error | null = null;
    if (this._sslcontext.verifyMode !== CERT_NONE && this._tls.getPeerX509Certificate()) {
      // Node's server sockets leave the verdict to the caller (tls.Server does this check).
      const handle = (this._tls as unknown as { ssl?: { verifyError?(): Error | null } }).ssl;
      const verr = handle?.verifyError?.() ?? null;
      if (verr) exc = sslErrorFromNode(verr);
    }
    this._onHandshakeComplete(exc);
  }

  /** @internal */
  _onHandshakeComplete(handshakeExc: Error | null): void {
    if (this._state !== State.DO_HANDSHAKE) return;
    if (this._handshakeTimer !== null) {
      this._handshakeTimer.cancel();
      this._handshakeTimer = null;
    }
    let sslobj: SSLObject | null = null;
    let peercert: unknown = null;
    try {
      if (handshakeExc !== null) throw handshakeExc;
      this._state = State.WRAPPED;
      sslobj = new SSLObject(this._tls!, this._sslcontext, this._serverSide, this._serverHostname);
      peercert = sslobj.getpeercert();
    } catch (exc) {
      this._state = State.UNWRAPPED;
      const msg = exc instanceof SSLCertVerificationError
        ? "SSL handshake failed on verifying the certificate"
        : "SSL handshake failed";
      this._fatalError(exc as Error, msg);
      this._wakeupWaiter(exc as Error);
      return;
    }
    if (this._loop.getDebug()) {
      const dt = this._loop.time() - this._handshakeStart;
      logger.debug(`${this}: SSL handshake took ${(dt * 1e3).toFixed(1)} ms`);
    }
    Object.assign(this._extra, {
      peercert,
      cipher: sslobj.cipher(),
      compression: sslobj.compression(),
      ssl_object: sslobj,
    });
    if (this._appState === AppState.INIT) {
      this._appState = AppState.CON_MADE;
      try {
        this._appProtocol?.connectionMade?.(this._appTransport);
      } catch (exc) {
        this._fatalError(exc as Error, "Fatal error: protocol.connectionMade() call failed.");
        return;
      }
    }
    this._wakeupWaiter();
    this._doRead();
  }

  private _onTlsError(err: Error): void {
    if (this._state === State.UNWRAPPED) return;
    if (this._state === State.DO_HANDSHAKE) {
      const code = (err as { code?: string }).code;
      const exc = this._eofReceived && (code === "ECONNRESET" || code === "EPIPE")
        ? new ConnectionResetError()
        : sslErrorFromNode(err, this._serverHostname);
      this._onHandshakeComplete(exc);
      return;
    }
    this._fatalError(sslErrorFromNode(err, this._serverHostname), "Fatal error on SSL protocol");
  }

  // ---- reading ---------------------------------------------------------------

  private _postRead(): void {
    if (this._readPosted) return;
    this._readPosted = true;
    this._post(() => {
      this._readPosted = false;
      this._doRead();
    });
  }

  private _doRead(): void {
    if (this._state === State.SHUTDOWN) {
      this._drainDiscard();
      return;
    }
    if (this._state !== State.WRAPPED && this._state !== State.FLUSHING) return;
    const sock = this._tls;
    if (sock === null || this._appReadingPaused) return;
    try {
      if (this._appIsBuffered) this._doReadBuffered(sock);
      else {
        const data = sock.read() as Buffer | null;
        if (data !== null && data.length > 0) this._appProtocol?.dataReceived?.(data);
      }
    } catch (exc) {
      this._fatalError(exc as Error, "Fatal error on SSL protocol");
    }
  }

  private _doReadBuffered(sock: tls.TLSSocket): void {
    const available = sock.readableLength;
    if (available === 0) {
      // A read on an empty buffer lets the stream emit 'end' once EOF is queued.
      sock.read(0);
      return;
    }
    const proto = this._appProtocol!;
    const buf = proto.getBuffer!(available);
    const want = Math.min(buf.byteLength, available);
    if (want === 0) throw new RuntimeError("get_buffer() returned an empty buffer");
    const data = sock.read(want) as Buffer | null;
    if (data === null) return;
    new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).set(data);
    proto.bufferUpdated!(data.length);
    if (sock.readableLength > 0) this._postRead();
  }

  private _onTlsEnd(): void {
    this._tlsEnded = true;
    switch (this._state) {
      case State.DO_HANDSHAKE:
        this._onHandshakeComplete(new ConnectionResetError());
        return;
      case State.WRAPPED:
        // close_notify (or the peer's EOF): the application sees EOF, then the connection closes.
        this._callEofReceived();
        this._startShutdown();
        return;
      case State.FLUSHING:
      case State.SHUTDOWN:
        this._maybeFinishShutdown();
        return;
      default:
        return;
    }
  }

  private _callEofReceived(): void {
    if (this._appState !== AppState.CON_MADE) return;
    this._appState = AppState.EOF;
    try {
      const keepOpen = this._appProtocol?.eofReceived?.();
      if (keepOpen) logger.warning("returning true from eof_received() has no effect when using ssl");
    } catch (exc) {
      this._fatalError(exc as Error, "Error calling eof_received()");
    }
  }

  // ---- shutdown --------------------------------------------------------------

  /** @internal */
  _startShutdown(): void {
    if (this._state === State.FLUSHING || this._state === State.SHUTDOWN || this._state === State.UNWRAPPED) return;
    this._appTransport._closed = true;
    if (this._state === State.DO_HANDSHAKE) {
      this._abort();
      return;
    }
    this._state = State.FLUSHING;
    this._shutdownTimer = this._loop.callLater(this._shutdownTimeout, () => this._checkShutdownTimeout());
    // Data already decrypted still reaches the application, as Python's _do_flush does.
    this._doRead();
    if (this._state !== State.FLUSHING) return;
    this._state = State.SHUTDOWN;
    this._doShutdown();
  }

  private _doShutdown(): void {
    const sock = this._tls;
    // After the peer's EOF there is nobody to send close_notify to.
    if (this._eofReceived || sock === null) {
      this._cipherFinished = true;
    } else if (!this._tlsEndSent) {
      this._tlsEndSent = true;
      sock.end();
    }
    this._maybeFinishShutdown();
  }

  // Bidirectional shutdown: our close_notify went out and the peer's came in (or its EOF).
  private _maybeFinishShutdown(): void {
    if (this._state !== State.SHUTDOWN || !this._cipherFinished || !this._tlsEnded) {
      if (this._state === State.SHUTDOWN && this._tls !== null && !this._tlsEnded) {
        // Keep consuming: the peer's close_notify arrives behind any data it still sends.
        this._drainDiscard();
      }
      return;
    }
    if (this._shutdownTimer !== null) {
      this._shutdownTimer.cancel();
      this._shutdownTimer = null;
    }
    this._callEofReceived();
    const transport = this._transport;
    if (transport !== null) this._post(() => transport.close());
  }

  private _drainDiscard(): void {
    const sock = this._tls;
    if (sock === null) return;
    while (sock.read() !== null) {
      // Python's unwrap() discards application data that arrives during shutdown.
    }
  }

  private _checkShutdownTimeout(): void {
    this._shutdownTimer = null;
    if (this._state === State.FLUSHING || this._state === State.SHUTDOWN) {
      this._forceClosePlain(new TimeoutError("SSL shutdown timed out"));
    }
  }

  /** @internal */
  _abort(exc: Error | null = null): void {
    this._state = State.UNWRAPPED;
    if (this._transport !== null) {
      if (exc !== null) this._forceClosePlain(exc);
      else this._transport.abort();
    }
  }

  private _forceClosePlain(exc: Error): void {
    const t = this._transport;
    if (t === null) return;
    if (typeof t._forceClose === "function") t._forceClose(exc);
    else {
      this._lostExc = exc;
      t.abort();
    }
  }

  private _fatalError(exc: Error, message = "Fatal error on transport"): void {
    if (this._transport !== null) this._forceClosePlain(exc);
    if (exc instanceof OSError) {
      if (this._loop.getDebug()) logger.debug(`${this}: ${message}: ${exc}`);
    } else if (!(exc instanceof CancelledError)) {
      this._loop.callExceptionHandler({
        message,
        exception: exc,
        transport: this._transport,
        protocol: this,
      });
    }
  }

  private _cancelTimers(): void {
    if (this._shutdownTimer !== null) {
      this._shutdownTimer.cancel();
      this._shutdownTimer = null;
    }
    if (this._handshakeTimer !== null) {
      this._handshakeTimer.cancel();
      this._handshakeTimer = null;
    }
  }

  private _destroyTls(): void {
    const sock = this._tls;
    const pipe = this._pipe;
    this._pipe = null;
    if (sock !== null) {
      sock.removeAllListeners("readable");
      sock.removeAllListeners("end");
      sock.removeAllListeners("secure");
      sock.removeAllListeners("secureConnect");
      // Later errors of a torn-down socket have nobody to go to.
      sock.removeAllListeners("error");
      sock.on("error", () => {});
      sock.destroy();
    }
    pipe?.destroy();
  }

  // ---- writing ---------------------------------------------------------------

  /** @internal */
  _writeAppdata(listOfData: Iterable<Uint8Array>): void {
    if (this._state === State.FLUSHING || this._state === State.SHUTDOWN || this._state === State.UNWRAPPED) {
      if (this._connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warning("SSL connection is closed");
      this._connLost++;
      return;
    }
    const sock = this._tls;
    if (sock === null) return;
    try {
      for (const data of listOfData) {
        if (data.byteLength === 0) continue;
        // A chunk that waits in the socket's queue must not change under it.
        const chunk = sock.writableLength > 0 || !Buffer.isBuffer(data)
          ? Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
          : data;
        sock.write(chunk, this._onTlsWriteDone);
      }
    } catch (exc) {
      this._fatalError(exc as Error, "Fatal error on SSL protocol");
      return;
    }
    this._controlAppWriting();
  }

  private readonly _onTlsWriteDone = (): void => {
    if (!this._appTransport._appWritingPaused || this._writeCheckPosted) return;
    this._writeCheckPosted = true;
    this._post(() => {
      this._writeCheckPosted = false;
      this._controlAppWriting();
    });
  };

  /** @internal */
  _controlAppWriting(): void {
    if (this._appTransport._appWritingPaused) this._appTransport._maybeResumeProtocol();
    else this._appTransport._maybePauseProtocol();
  }

  /** @internal Plaintext written by the application and not yet handed to the socket as ciphertext. */
  _getWriteBufferSize(): number {
    return this._tls?.writableLength ?? 0;
  }

  /** @internal Called by the pipe with ciphertext for the plain transport. */
  _sendCipher(chunk: Buffer, cb: (err?: Error | null) => void): void {
    this._outQueue.push([chunk, cb]);
    // Outside the running loop (Node's own callbacks while it is stopped) the write waits for it.
    if (this._outQueue.length === 1 && this._loop.isRunning()) this._flushOut();
    else this._postFlush();
  }

  private _postFlush(): void {
    if (this._flushPosted) return;
    this._flushPosted = true;
    this._post(() => {
      this._flushPosted = false;
      this._flushOut();
    });
  }

  private _flushOut(): void {
    while (this._outQueue.length > 0 && !this._sslWritingPaused) {
      const [chunk, cb] = this._outQueue.shift()!;
      const t = this._transport;
      if (t !== null && !t.isClosing()) t.write(chunk);
      cb();
    }
  }

  /** @internal The pipe's writable side ended: our close_notify has been handed to the plain transport. */
  _cipherWriteEnded(): void {
    this._post(() => {
      this._cipherFinished = true;
      this._maybeFinishShutdown();
    });
  }

  // ---- read flow control -----------------------------------------------------

  /** @internal */
  _pauseReading(): void {
    this._appReadingPaused = true;
  }

  /** @internal */
  _resumeReading(): void {
    if (!this._appReadingPaused) return;
    this._appReadingPaused = false;
    this._post(() => {
      if (this._state === State.WRAPPED || this._state === State.FLUSHING) this._doRead();
    });
  }

  /** @internal The TLS socket wants more ciphertext. */
  _cipherDemand(): void {
    if (this._sslReadingPaused) this._post(() => this._controlSslReading());
  }

  /** @internal */
  _controlSslReading(): void {
    const t = this._transport;
    // After the plain transport's EOF there is nothing left to pause or resume.
    if (t === null || this._eofReceived) return;
    const size = this._getReadBufferSize();
    if (size >= this._incomingHighWater && !this._sslReadingPaused) {
      this._sslReadingPaused = true;
      t.pauseReading();
    } else if (size <= this._incomingLowWater && this._sslReadingPaused) {
      this._sslReadingPaused = false;
      t.resumeReading();
    }
  }

  /** @internal */
  _setReadBufferLimits(high?: number | null, low?: number | null): void {
    const [hi, lo] = flowControlDefaults(high, low, FLOW_CONTROL_HIGH_WATER_SSL_READ);
    this._incomingHighWater = hi;
    this._incomingLowWater = lo;
  }

  /** @internal */
  _getReadBufferSize(): number {
    return this._pipe?.readableLength ?? 0;
  }

  /** @internal */
  _getExtraInfo(name: string, dflt: unknown): unknown {
    if (Object.prototype.hasOwnProperty.call(this._extra, name)) return this._extra[name];
    if (this._transport !== null) return this._transport.getExtraInfo(name, dflt);
    return dflt;
  }

  toString(): string {
    return `<asyncio.sslproto.SSLProtocol object${this._serverSide ? " server_side" : ""}>`;
  }
}

/**
 * Creates a TLS transport over a fresh connected socket: the plain socket
 * transport carries an SSLProtocol that runs the handshake; `protocol` gets
 * connectionMade() with the returned transport once it completes, and
 * `waiter` (if any) completes then, or fails with the handshake's error.
 */
export function makeSslTransport(
  loop: BaseEventLoop, rawSock: Socket, protocol: BaseProtocol | ProtocolLike, sslcontext: SSLContext,
  waiter: Future<void> | null, options: SslTransportOptions,
): Transport {
  const sslProtocol = new SSLProtocol(loop, protocol, sslcontext, waiter, options.serverSide, options.serverHostname, {
    sslHandshakeTimeout: options.sslHandshakeTimeout ?? null,
    sslShutdownTimeout: options.sslShutdownTimeout ?? null,
  });
  makeSocketTransport(loop, rawSock, sslProtocol, null, options.extra ?? null, options.server ?? null);
  return sslProtocol._appTransport;
}

// Python checks the transport's _start_tls_compatible flag (stream socket and TLS transports have it).
function isTlsCapable(t: unknown): t is Transport {
  const o = t as Record<string, unknown> | null;
  return o !== null && typeof o === "object" && o._startTlsCompatible === true &&
    typeof o.setProtocol === "function" && typeof o.pauseReading === "function" && typeof o.resumeReading === "function";
}

/**
 * Upgrades an existing connection to TLS (loop.startTls): the transport stops
 * reading, its protocol becomes an SSLProtocol for `protocol`, reading resumes
 * (bytes the kernel holds go to TLS), and the future gives the new transport
 * once the handshake completes. The old transport must not be used afterwards.
 */
export function startTls(
  loop: BaseEventLoop, transport: BaseTransport, protocol: BaseProtocol | ProtocolLike, sslcontext: SSLContext,
  options: StartTlsOptions,
): Coroutine<Transport> {
  return (function* startTlsCoro(): Coroutine<Transport> {
    if (!(sslcontext instanceof SSLContext)) {
      throw new TypeError(`sslcontext is expected to be an instance of ssl.SSLContext, got ${String(sslcontext)}`);
    }
    if (!isTlsCapable(transport)) throw new TypeError(`transport ${String(transport)} is not supported by start_tls()`);
    const waiter = loop.createFuture<void>();
    const sslProtocol = new SSLProtocol(loop, protocol, sslcontext, waiter, options.serverSide ?? false, options.serverHostname ?? null, {
      callConnectionMade: false,
      sslHandshakeTimeout: options.sslHandshakeTimeout ?? null,
      sslShutdownTimeout: options.sslShutdownTimeout ?? null,
    });
    // Paused first, so no ciphertext reaches the SSL protocol before its connectionMade().
    transport.pauseReading();
    transport.setProtocol(sslProtocol);
    const conmade = loop.callSoon(() => sslProtocol.connectionMade(transport));
    const resume = loop.callSoon(() => transport.resumeReading());
    try {
      yield* waiter;
    } catch (exc) {
      transport.close();
      conmade.cancel();
      resume.cancel();
      throw exc;
    }
    return sslProtocol._appTransport;
  })();
}
