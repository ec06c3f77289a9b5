import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { AbstractServer, CreateServerOptions } from "./events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";

// createServer and the Server object. (Being written.)

export function createServer(_loop: BaseEventLoop, _pf: () => BaseProtocol | ProtocolLike, _host: string | string[] | null, _port: number | string | null, _options: CreateServerOptions): Future<AbstractServer> {
  throw new NotImplementedError("createServer is not implemented yet");
}
