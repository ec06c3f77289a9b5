import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { ReadTransport, WriteTransport } from "./transports.js";

// unix_events.py, pipe part: read and write pipe transports. (Being written.)

export function connectReadPipe<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _pipe: unknown): Future<[ReadTransport, P]> {
  throw new NotImplementedError("connectReadPipe is not implemented yet");
}
export function connectWritePipe<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _pipe: unknown): Future<[WriteTransport, P]> {
  throw new NotImplementedError("connectWritePipe is not implemented yet");
}
