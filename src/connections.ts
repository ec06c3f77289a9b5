import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { ConnectAcceptedSocketOptions, CreateConnectionOptions, FileLike } from "./events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { Transport, WriteTransport } from "./transports.js";
import type { Socket } from "./socket.js";

// createConnection (with Happy Eyeballs), connectAcceptedSocket, loop.sendfile. (Being written.)

export function createConnection<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _host: string | null, _port: number | string | null, _options: CreateConnectionOptions): Future<[Transport, P]> {
  throw new NotImplementedError("createConnection is not implemented yet");
}
export function connectAcceptedSocket<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _sock: Socket, _options: ConnectAcceptedSocketOptions): Future<[Transport, P]> {
  throw new NotImplementedError("connectAcceptedSocket is not implemented yet");
}
export function sendfile(_loop: BaseEventLoop, _transport: WriteTransport | Transport, _file: FileLike, _offset: number, _count: number | null, _fallback: boolean): Future<number> {
  throw new NotImplementedError("sendfile is not implemented yet");
}
