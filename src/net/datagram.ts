import { Buffer } from "node:buffer";
import { lstatSync, unlinkSync } from "node:fs";
import { constants as osConstants } from "node:os";
import type { BaseEventLoop } from "../core/base-events.js";
import type { Coroutine } from "../core/coroutines.js";
import type { CreateDatagramEndpointOptions } from "../core/events.js";
import { OSError, ValueError, osError } from "../stdlib/exceptions.js";
import { type Future, setResultUnlessCancelled } from "../core/futures.js";
import { native } from "../internal/native.js";
import { ensureResolved } from "./dns.js";
import { setReuseport } from "./servers.js";
import { bytesExpected, pyRepr } from "../internal/pyrepr.js";
import { logger } from "../core/log.js";
import type { BaseProtocol, DatagramProtocol, ProtocolLike } from "../core/protocols.js";
import { _addReader, _addWriter, _registerTransport, _removeReader, _removeWriter, _unregisterTransport } from "./selector.js";
import {
  AF_UNIX, SOCK_DGRAM, SOL_SOCKET, SO_BROADCAST,
  Socket, toNativeAddress, type Address,
} from "../stdlib/socket.js";
import { DatagramTransport } from "../core/transports.js";
import { mixFlowControl, type FlowControlMethods } from "../core/flow-control.js";
import { setUpTransport } from "./transport-setup.js";

// base_events.create_datagram_endpoint and selector_events._SelectorDatagramTransport.

const N = native();
const EAGAIN = osConstants.errno.EAGAIN;
const EINTR = osConstants.errno.EINTR;
/** asyncio's constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES. */
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;


function sameAddress(a: Address | null | undefined, b: Address | null): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null) return false;
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A UDP or AF_UNIX datagram transport on a non-blocking socket (Python's _SelectorDatagramTransport). */
/** Flow control from FlowControlTransport (mixFlowControl). */
export interface SelectorDatagramTransport extends FlowControlMethods {}
export class SelectorDatagramTransport extends DatagramTransport {
  /** Largest datagram read at once. */
  static maxSize = 256 * 1024;

  /** @internal */ _loop: BaseEventLoop | null;
  /** @internal */ _sock: Socket | null;
  /** @internal */ _sockFd: number;
  /** @internal */ _family: number;
  /** @internal */ _protocol: ProtocolLike | null = null;
  /** @internal */ _protocolConnected = false;
  /** @internal */ _address: Address | null;
  /** @internal */ _buffer: Array<[Buffer, Address | null]> = [];
  /** @internal */ _bufferSize = 0;
  /** @internal */ _connLost = 0;
  /** @internal */ _closing = false;
  /** @internal */ _paused = false;
  /** @internal */ _protocolPaused = false;
  /** @internal */ _highWater = 64 * 1024;
  /** @internal */ _lowWater = 16 * 1024;
  private readonly _readReadyBound = (): void => this._readReady();
  private readonly _sendtoReadyBound = (): void => this._sendtoReady();

  constructor(loop: BaseEventLoop, sock: Socket, protocol: BaseProtocol | ProtocolLike, address: Address | null = null,
    waiter: Future<void> | null = null, extra: Record<string, unknown> | null = null) {
    super(extra);
    this._loop = loop;
    this._setWriteBufferLimits();
    this._extra.socket = sock;
    try {
      this._extra.sockname = sock.getsockname();
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      this._extra.sockname = null;
    }
    if (!("peername" in this._extra)) {
      try {
        this._extra.peername = sock.getpeername();
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        this._extra.peername = null;
      }
    }
    this._sock = sock;
    this._sockFd = sock.fileno();
    this._family = sock.family;
    this.setProtocol(protocol);
    this._address = address;
    _registerTransport(loop, this._sockFd, this);
    const p = this._protocol as ProtocolLike;
    loop._callSoonWith(() => p.connectionMade!(this), null, null);
    // Reading starts only once connectionMade() has run.
    loop._callSoonWith(() => this._startReading(), null, null);
    if (waiter !== null) loop._callSoonWith(setResultUnlessCancelled as (f: Future<void>, r: undefined) => void, [waiter, undefined], null);
  }

  override toString(): string {
    const info = [this.constructor.name];
    if (this._sock === null) info.push("closed");
    else if (this._closing) info.push("closing");
    info.push(`fd=${this._sockFd}`);
    if (this._sock !== null) info.push(`read=${this.isReading() ? "polling" : "idle"}`, `write=<bufsize=${this._bufferSize}>`);
    return `<${info.join(" ")}>`;
  }

  /** @internal */
  _startReading(): void {
    if (!this.isReading() || this._loop === null) return;
    _addReader(this._loop, this._sockFd, this._readReadyBound, null);
  }

  override setProtocol(protocol: BaseProtocol | ProtocolLike): void {
    this._protocol = protocol as ProtocolLike;
    this._protocolConnected = true;
  }

  override getProtocol(): BaseProtocol | ProtocolLike {
    return this._protocol as ProtocolLike;
  }

  override isClosing(): boolean {
    return this._closing;
  }

  /** Whether datagrams are being received. */
  isReading(): boolean {
    return !this._closing && !this._paused;
  }

  /** Stops receiving until resumeReading(). */
  pauseReading(): void {
    if (!this.isReading()) return;
    this._paused = true;
    _removeReader(this._loop!, this._sockFd);
    if (this._loop!.getDebug()) logger.debug(`${this} pauses reading`);
  }

  /** Resumes receiving. */
  resumeReading(): void {
    if (this._closing || !this._paused) return;
    this._paused = false;
    this._startReading();
    if (this._loop!.getDebug()) logger.debug(`${this} resumes reading`);
  }

  override getWriteBufferSize(): number {
    return this._bufferSize;
  }






  override abort(): void {
    this._forceClose(null);
  }

  override close(): void {
    if (this._closing) return;
    this._closing = true;
    const loop = this._loop!;
    _removeReader(loop, this._sockFd);
    if (this._buffer.length === 0) {
      this._connLost++;
      _removeWriter(loop, this._sockFd);
      loop._callSoonWith(() => this._callConnectionLost(null), null, null);
    }
  }

  /** @internal */
  _readReady(): void {
    if (this._connLost) return;
    const r = N.recvfrom(this._sockFd, SelectorDatagramTransport.maxSize);
    const p = this._protocol as DatagramProtocol;
    if (typeof r === "number") {
      if (r === -EAGAIN || r === -EINTR) return;
      p.errorReceived(osError(-r));
      return;
    }
    p.datagramReceived(r[0], r[1]);
  }

  /** @internal One send attempt: bytes sent or -errno. */
  private _sendOne(data: Buffer, addr: Address | null): number {
    if (this._extra.peername) return N.send(this._sockFd, data, 0, data.byteLength);
    return N.sendto(this._sockFd, data, this._family, toNativeAddress(this._family, addr as Address, "sendto"));
  }

  override sendto(data: Uint8Array, addr: Address | null = null): void {
    if (!ArrayBuffer.isView(data)) {
      throw bytesExpected(data, "data argument must be a bytes-like object");
    }
    if (this._address !== null) {
      if (addr !== null && addr !== undefined && !sameAddress(addr, this._address)) {
        throw new ValueError(`Invalid address: must be None or ${pyRepr(this._address)}`);
      }
      addr = this._address;
    }
    if (this._connLost && this._address !== null) {
      if (this._connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warning("socket.send() raised exception.");
      this._connLost++;
      return;
    }
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this._buffer.length === 0) {
      // Try to send at once; buffer only what the kernel refuses for now.
      let r: number;
      try {
        r = this._sendOne(buf, addr ?? null);
      } catch (exc) {
        if (exc instanceof OSError) {
          (this._protocol as DatagramProtocol).errorReceived(exc);
          return;
        }
        throw exc;
      }
      if (r >= 0) return;
      if (r !== -EAGAIN && r !== -EINTR) {
        (this._protocol as DatagramProtocol).errorReceived(osError(-r));
        return;
      }
      _addWriter(this._loop!, this._sockFd, this._sendtoReadyBound, null);
    }
    // What is buffered must not change if the caller reuses its buffer.
    this._buffer.push([Buffer.from(buf), addr ?? null]);
    this._bufferSize += buf.byteLength;
    this._maybePauseProtocol();
  }

  /** @internal */
  _sendtoReady(): void {
    while (this._buffer.length > 0) {
      const [data, addr] = this._buffer.shift()!;
      this._bufferSize -= data.byteLength;
      let r: number;
      try {
        r = this._sendOne(data, addr);
      } catch (exc) {
        if (exc instanceof OSError) {
          (this._protocol as DatagramProtocol).errorReceived(exc);
          return;
        }
        throw exc;
      }
      if (r === -EAGAIN || r === -EINTR) {
        this._buffer.unshift([data, addr]);
        this._bufferSize += data.byteLength;
        break;
      }
      if (r < 0) {
        (this._protocol as DatagramProtocol).errorReceived(osError(-r));
        return;
      }
    }
    this._maybeResumeProtocol();
    if (this._buffer.length === 0) {
      _removeWriter(this._loop!, this._sockFd);
      if (this._closing) this._callConnectionLost(null);
    }
  }

  /** @internal */
  _fatalError(exc: unknown, message = "Fatal error on transport"): void {
    if (exc instanceof OSError) {
      if (this._loop!.getDebug()) logger.debug(`${this}: ${message}`);
    } else {
      this._loop!.callExceptionHandler({ message, exception: exc, transport: this, protocol: this._protocol });
    }
    this._forceClose(exc as Error);
  }

  /** @internal */
  _forceClose(exc: Error | null): void {
    if (this._connLost) return;
    const loop = this._loop!;
    if (this._buffer.length > 0) {
      this._buffer.length = 0;
      this._bufferSize = 0;
      _removeWriter(loop, this._sockFd);
    }
    if (!this._closing) {
      this._closing = true;
      _removeReader(loop, this._sockFd);
    }
    this._connLost++;
    loop._callSoonWith(() => this._callConnectionLost(exc), null, null);
  }

  /** @internal */
  _callConnectionLost(exc: Error | null): void {
    if (this._sock === null) return;
    try {
      if (this._protocolConnected) this._protocol!.connectionLost?.(exc);
    } finally {
      const loop = this._loop!;
      _removeReader(loop, this._sockFd);
      _removeWriter(loop, this._sockFd);
      _unregisterTransport(loop, this._sockFd);
      this._sock.close();
      this._sock = null;
      this._protocol = null;
      this._loop = null;
    }
  }
}
mixFlowControl(SelectorDatagramTransport);

function truthyAddr(a: Address | null | undefined): boolean {
  if (a === null || a === undefined) return false;
  return typeof a === "string" ? a.length > 0 : a.length > 0;
}

/** Python's `loop.create_datagram_endpoint()`: a datagram socket (made, or `sock`) and its transport. */
export function createDatagramEndpoint<P extends BaseProtocol | ProtocolLike>(loop: BaseEventLoop, protocolFactory: () => P, localAddr: Address | null, remoteAddr: Address | null, options: CreateDatagramEndpointOptions): Coroutine<[DatagramTransport, P]> {
  return createDatagramEndpointCoro(loop, protocolFactory, localAddr, remoteAddr, options);
}

function* createDatagramEndpointCoro<P extends BaseProtocol | ProtocolLike>(loop: BaseEventLoop, protocolFactory: () => P, localAddr: Address | null, remoteAddr: Address | null, options: CreateDatagramEndpointOptions): Coroutine<[DatagramTransport, P]> {
  let family = options.family ?? 0;
  let proto = options.proto ?? 0;
  const flags = options.flags ?? 0;
  const reusePort = options.reusePort ?? null;
  const allowBroadcast = options.allowBroadcast ?? null;
  let sock = options.sock ?? null;
  if (options.reuseAddress) {
    throw new ValueError("Passing `reuse_address=True` is no longer supported, as the usage of SO_REUSEPORT in UDP poses a significant security concern.");
  }
  let rAddr: Address | null = null;
  if (sock !== null) {
    if (sock.type !== SOCK_DGRAM) throw new ValueError(`A UDP Socket was expected, got ${sock}`);
    if (truthyAddr(localAddr) || truthyAddr(remoteAddr) || family || proto || flags || reusePort || allowBroadcast) {
      const opts: Array<[string, unknown]> = [["localAddr", localAddr], ["remoteAddr", remoteAddr], ["family", family],
        ["proto", proto], ["flags", flags], ["reusePort", reusePort], ["allowBroadcast", allowBroadcast]];
      const problems = opts.filter(([, v]) => v && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]) => `${k}=${Array.isArray(v) || typeof v === "string" ? pyRepr(v as Address) : String(v)}`).join(", ");
      throw new ValueError(`socket modifier keyword arguments can not be used when sock is specified. (${problems})`);
    }
    sock.setblocking(false);
  } else {
    let pairs: Array<[[number, number], [Address | null, Address | null]]>;
    if (!(truthyAddr(localAddr) || truthyAddr(remoteAddr))) {
      if (family === 0) throw new ValueError("unexpected address family");
      pairs = [[[family, proto], [null, null]]];
    } else if (family === AF_UNIX) {
      for (const a of [localAddr, remoteAddr]) {
        if (a !== null && typeof a !== "string") throw new TypeError("string is expected");
      }
      if (typeof localAddr === "string" && localAddr.length > 0 && localAddr[0] !== "\0") {
        // A socket file left behind by an earlier endpoint would make bind() fail.
        try {
          if (lstatSync(localAddr).isSocket()) unlinkSync(localAddr);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (err.code !== "ENOENT") {
            logger.error(`Unable to check or remove stale UNIX socket ${JSON.stringify(localAddr)}: ${err}`);
          }
        }
      }
      pairs = [[[family, proto], [localAddr, remoteAddr]]];
    } else {
      const infos = new Map<string, [[number, number], [Address | null, Address | null]]>();
      const both: Array<[number, Address | null]> = [[0, localAddr], [1, remoteAddr]];
      for (const [idx, addr] of both) {
        if (addr === null) continue;
        if (!(Array.isArray(addr) && addr.length === 2)) throw new TypeError("2-tuple is expected");
        const res = yield* ensureResolved(loop, addr, { family, type: SOCK_DGRAM, proto, flags });
        if (res.length === 0) throw new OSError("getaddrinfo() returned empty list");
        for (const [fam, , pro, , address] of res) {
          const key = `${fam},${pro}`;
          let entry = infos.get(key);
          if (entry === undefined) {
            entry = [[fam, pro], [null, null]];
            infos.set(key, entry);
          }
          entry[1][idx] = address;
        }
      }
      pairs = [...infos.values()].filter(([, ap]) => !((truthyAddr(localAddr) && ap[0] === null) || (truthyAddr(remoteAddr) && ap[1] === null)));
      if (pairs.length === 0) throw new ValueError("can not get address information");
    }

    const exceptions: Error[] = [];
    for (const [[fam, pro], [localAddress, remoteAddress]] of pairs) {
      family = fam;
      proto = pro;
      sock = null;
      rAddr = null;
      try {
        sock = new Socket(family, SOCK_DGRAM, proto);
        if (reusePort) setReuseport(sock);
        if (allowBroadcast) sock.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
        sock.setblocking(false);
        if (truthyAddr(localAddr)) sock.bind(localAddress as Address);
        if (truthyAddr(remoteAddr)) {
          // A datagram connect() only sets the default peer: it never blocks.
          if (!allowBroadcast) sock.connect(remoteAddress as Address);
          rAddr = remoteAddress;
        }
      } catch (exc) {
        sock?.close();
        sock = null;
        if (exc instanceof OSError) {
          exceptions.push(exc);
          continue;
        }
        throw exc;
      }
      break;
    }
    if (sock === null) throw exceptions[0];
  }

  const waiter = loop.createFuture<void>();
  let protocol: P | null = null;
  const transport = yield* setUpTransport(sock, waiter, () => {
    protocol = protocolFactory();
    return new SelectorDatagramTransport(loop, sock, protocol, rAddr, waiter);
  });
  if (loop.getDebug()) {
    if (truthyAddr(localAddr)) {
      logger.info(`Datagram endpoint localAddr=${pyRepr(localAddr)} remoteAddr=${pyRepr(remoteAddr)} created: (${transport}, ${protocol})`);
    } else {
      logger.debug(`Datagram endpoint remoteAddr=${pyRepr(remoteAddr)} created: (${transport}, ${protocol})`);
    }
  }
  return [transport, protocol!];
}
