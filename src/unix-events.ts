import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { AbstractServer, CreateUnixConnectionOptions, CreateUnixServerOptions } from "./events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { Transport } from "./transports.js";

// unix_events.py, socket part: Unix stream connections and servers. (Being written.)

export function createUnixConnection<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _path: string | null, _options: CreateUnixConnectionOptions): Future<[Transport, P]> {
  throw new NotImplementedError("createUnixConnection is not implemented yet");
}
export function createUnixServer(_loop: BaseEventLoop, _pf: () => BaseProtocol | ProtocolLike, _path: string | null, _options: CreateUnixServerOptions): Future<AbstractServer> {
  throw new NotImplementedError("createUnixServer is not implemented yet");
}
