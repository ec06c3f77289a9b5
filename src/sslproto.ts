import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { StartTlsOptions } from "./events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { BaseTransport, Transport } from "./transports.js";
import type { SSLContext } from "./ssl.js";

// TLS over our transports: Node's tls over a Duplex bridged to the transport. (Being written.)

export function startTls(_loop: BaseEventLoop, _transport: BaseTransport, _protocol: BaseProtocol | ProtocolLike, _ctx: SSLContext, _options: StartTlsOptions): Future<Transport> {
  throw new NotImplementedError("startTls is not implemented yet");
}
