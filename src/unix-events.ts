import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { AbstractServer, Callback, CreateUnixConnectionOptions, CreateUnixServerOptions } from "./events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { ReadTransport, Transport, WriteTransport } from "./transports.js";

// unix_events.py: Unix sockets, pipes and signals. (Being written.)

export function createUnixConnection<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _path: string | null, _options: CreateUnixConnectionOptions): Future<[Transport, P]> {
  throw new NotImplementedError("createUnixConnection is not implemented yet");
}
export function createUnixServer(_loop: BaseEventLoop, _pf: () => BaseProtocol | ProtocolLike, _path: string | null, _options: CreateUnixServerOptions): Future<AbstractServer> {
  throw new NotImplementedError("createUnixServer is not implemented yet");
}
export function connectReadPipe<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _pipe: unknown): Future<[ReadTransport, P]> {
  throw new NotImplementedError("connectReadPipe is not implemented yet");
}
export function connectWritePipe<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _pipe: unknown): Future<[WriteTransport, P]> {
  throw new NotImplementedError("connectWritePipe is not implemented yet");
}
export function addSignalHandler(_loop: BaseEventLoop, _sig: number | string, _cb: Callback, _args: unknown[]): void {
  throw new NotImplementedError("addSignalHandler is not implemented yet");
}
export function removeSignalHandler(_loop: BaseEventLoop, _sig: number | string): boolean {
  throw new NotImplementedError("removeSignalHandler is not implemented yet");
}
