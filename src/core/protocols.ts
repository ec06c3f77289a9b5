import type { BaseTransport, DatagramTransport, SubprocessTransport, Transport } from "./transports.js";
import type { Address } from "../stdlib/socket.js";

// Protocol base classes with asyncio's no-op defaults. Any object with the
// methods works; these exist so a subclass only overrides what it needs.

/** Base of every protocol: connection lifecycle and write flow control. */
export class BaseProtocol {
  /** Called when a connection is made; `transport` represents it. */
  connectionMade(_transport: BaseTransport): void {}
  /** Called when the connection is lost or closed; `exc` is null on a regular EOF or close. */
  connectionLost(_exc: Error | null): void {}
  /** The transport's write buffer went over the high-water mark. */
  pauseWriting(): void {}
  /** The transport's write buffer drained below the low-water mark. */
  resumeWriting(): void {}
}

/** A streaming protocol (TCP, Unix sockets, pipes). */
export class Protocol extends BaseProtocol {
  override connectionMade(_transport: Transport | BaseTransport): void {}
  /** Some data was received. */
  dataReceived(_data: Uint8Array): void {}
  /** The other end signalled EOF; return a truthy value to keep the transport half-open. */
  eofReceived(): boolean | void {
    return undefined;
  }
}

/** A streaming protocol that receives into its own buffer. */
export class BufferedProtocol extends BaseProtocol {
  /** Returns a buffer to read into; `sizehint` is the recommended minimum size (-1: any). */
  getBuffer(_sizehint: number): Uint8Array {
    throw new TypeError("BufferedProtocol.getBuffer() must be implemented");
  }
  /** `nbytes` bytes were written into the buffer returned by getBuffer(). */
  bufferUpdated(_nbytes: number): void {}
  /** The other end signalled EOF; return a truthy value to keep the transport half-open. */
  eofReceived(): boolean | void {
    return undefined;
  }
}

/** A datagram (UDP, AF_UNIX SOCK_DGRAM) protocol. */
export class DatagramProtocol extends BaseProtocol {
  override connectionMade(_transport: DatagramTransport | BaseTransport): void {}
  /** A datagram was received from `addr`. */
  datagramReceived(_data: Uint8Array, _addr: Address | null): void {}
  /** A previous send or receive operation raised an OSError. */
  errorReceived(_exc: Error): void {}
}

/** A protocol for the pipes of a child process. */
export class SubprocessProtocol extends BaseProtocol {
  override connectionMade(_transport: SubprocessTransport | BaseTransport): void {}
  /** The child wrote `data` to its stdout (fd 1) or stderr (fd 2). */
  pipeDataReceived(_fd: number, _data: Uint8Array): void {}
  /** One of the child's pipes was closed. */
  pipeConnectionLost(_fd: number, _exc: Error | null): void {}
  /** The child process exited. */
  processExited(): void {}
}

/** The methods a streaming protocol object may have (duck-typed, as in Python). */
export interface ProtocolLike {
  /** See BaseProtocol.connectionMade. */
  connectionMade?(transport: BaseTransport): void;
  /** See BaseProtocol.connectionLost. */
  connectionLost?(exc: Error | null): void;
  /** See BaseProtocol.pauseWriting. */
  pauseWriting?(): void;
  /** See BaseProtocol.resumeWriting. */
  resumeWriting?(): void;
  /** See Protocol.dataReceived. */
  dataReceived?(data: Uint8Array): void;
  /** See Protocol.eofReceived. */
  eofReceived?(): boolean | void;
  /** See BufferedProtocol.getBuffer. */
  getBuffer?(sizehint: number): Uint8Array;
  /** See BufferedProtocol.bufferUpdated. */
  bufferUpdated?(nbytes: number): void;
  /** See DatagramProtocol.datagramReceived. */
  datagramReceived?(data: Uint8Array, addr: Address | null): void;
  /** See DatagramProtocol.errorReceived. */
  errorReceived?(exc: Error): void;
  /** See SubprocessProtocol.pipeDataReceived. */
  pipeDataReceived?(fd: number, data: Uint8Array): void;
  /** See SubprocessProtocol.pipeConnectionLost. */
  pipeConnectionLost?(fd: number, exc: Error | null): void;
  /** See SubprocessProtocol.processExited. */
  processExited?(): void;
}

/** Whether a protocol reads into its own buffer (has getBuffer/bufferUpdated), as asyncio checks. */
export function isBufferedProtocol(p: unknown): boolean {
  return typeof (p as ProtocolLike | null)?.getBuffer === "function";
}
