import { inspectRepr } from "../internal/pyrepr.js";
import { Buffer } from "node:buffer";
import { NotImplementedError } from "../stdlib/exceptions.js";
import type { Address } from "../stdlib/socket.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";

// Transport interfaces with asyncio's split. The concrete transports (sockets,
// pipes, datagrams, TLS, subprocesses) extend these; flow-control.ts holds the
// one implementation of the write-buffer water marks they share.

/** Base of every transport. */
export class BaseTransport {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** @internal */
  protected _extra: Record<string, unknown>;

  constructor(extra?: Record<string, unknown> | null) {
    this._extra = extra ?? {};
  }

  /** Optional transport information ("peername", "sockname", "socket", ...), or `dflt`. */
  getExtraInfo(name: string, dflt: unknown = null): unknown {
    return Object.prototype.hasOwnProperty.call(this._extra, name) ? this._extra[name] : dflt;
  }

  /** Whether the transport is closing or closed. */
  isClosing(): boolean {
    throw new NotImplementedError();
  }

  /** Closes the transport; buffered data is flushed asynchronously, then connectionLost(null) is called. */
  close(): void {
    throw new NotImplementedError();
  }

  /** Sets a new protocol. */
  setProtocol(_protocol: BaseProtocol | ProtocolLike): void {
    throw new NotImplementedError();
  }

  /** The current protocol. */
  getProtocol(): BaseProtocol | ProtocolLike {
    throw new NotImplementedError();
  }
}

/** A transport that receives data. */
export class ReadTransport extends BaseTransport {
  /** Whether the transport is receiving. */
  isReading(): boolean {
    throw new NotImplementedError();
  }
  /** Stops calling the protocol's dataReceived() until resumeReading(). */
  pauseReading(): void {
    throw new NotImplementedError();
  }
  /** Resumes receiving. */
  resumeReading(): void {
    throw new NotImplementedError();
  }
}

/** A transport that sends data. */
export class WriteTransport extends BaseTransport {
  /** A Transport is a WriteTransport too, as in Python (it takes these methods, see below). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || (this === WriteTransport && x instanceof Transport);
  }

  /** Sets the high and low water marks of the write buffer (bytes). */
  setWriteBufferLimits(_high?: number | null, _low?: number | null): void {
    throw new NotImplementedError();
  }
  /** The bytes currently buffered for writing. */
  getWriteBufferSize(): number {
    throw new NotImplementedError();
  }
  /** `[low, high]` water marks. */
  getWriteBufferLimits(): [number, number] {
    throw new NotImplementedError();
  }
  /** Writes bytes; never blocks, buffers what the OS does not take now. */
  write(_data: Uint8Array): void {
    throw new NotImplementedError();
  }
  /** Writes a list of byte chunks (the default joins them and calls write()). */
  writelines(listOfData: Iterable<Uint8Array>): void {
    this.write(Buffer.concat([...listOfData].map((d) => (Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength)))));
  }
  /** Closes the write end after flushing buffered data. */
  writeEof(): void {
    throw new NotImplementedError();
  }
  /** Whether writeEof() is supported. */
  canWriteEof(): boolean {
    throw new NotImplementedError();
  }
  /** Closes immediately, discarding buffered data; connectionLost(null) follows. */
  abort(): void {
    throw new NotImplementedError();
  }
}

/** A bidirectional stream transport (Python's `Transport`): a ReadTransport with WriteTransport's methods. */
export class Transport extends ReadTransport {}
// TypeScript has no multiple inheritance: Transport takes WriteTransport's
// methods (declaration merging for the types, the prototype for the code).
export interface Transport extends WriteTransport {}
for (const name of Object.getOwnPropertyNames(WriteTransport.prototype)) {
  if (name !== "constructor") {
    Object.defineProperty(Transport.prototype, name, Object.getOwnPropertyDescriptor(WriteTransport.prototype, name)!);
  }
}

/** A datagram transport. */
export class DatagramTransport extends BaseTransport {
  /** Sends `data` to `addr` (or to the connected peer when addr is omitted). */
  sendto(_data: Uint8Array, _addr?: Address | null): void {
    throw new NotImplementedError();
  }
  /** Closes immediately, discarding buffered data. */
  abort(): void {
    throw new NotImplementedError();
  }
  /** The bytes currently buffered for sending. */
  getWriteBufferSize(): number {
    throw new NotImplementedError();
  }
}

/** The transport of a child process. */
export class SubprocessTransport extends BaseTransport {
  /** The child's process id. */
  getPid(): number {
    throw new NotImplementedError();
  }
  /** The child's return code (negative signal number if killed), or null while it runs. */
  getReturncode(): number | null {
    throw new NotImplementedError();
  }
  /** The transport of the child's pipe `fd` (0, 1 or 2), or null. */
  getPipeTransport(_fd: number): BaseTransport | null {
    throw new NotImplementedError();
  }
  /** Sends signal `signal` to the child. */
  sendSignal(_signal: number | string): void {
    throw new NotImplementedError();
  }
  /** Sends SIGTERM. */
  terminate(): void {
    throw new NotImplementedError();
  }
  /** Sends SIGKILL. */
  kill(): void {
    throw new NotImplementedError();
  }
}
