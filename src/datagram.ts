import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { CreateDatagramEndpointOptions } from "./events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { DatagramTransport } from "./transports.js";
import type { Address } from "./socket.js";

// createDatagramEndpoint and the datagram transport. (Being written.)

export function createDatagramEndpoint<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _local: Address | null, _remote: Address | null, _options: CreateDatagramEndpointOptions): Future<[DatagramTransport, P]> {
  throw new NotImplementedError("createDatagramEndpoint is not implemented yet");
}
