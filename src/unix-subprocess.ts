import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { SubprocessOptions } from "./events.js";
import type { Future } from "./futures.js";
import type { BaseProtocol, ProtocolLike } from "./protocols.js";
import type { SubprocessTransport } from "./transports.js";

// The subprocess transport. (Being written.)

export function subprocessExec<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _program: string, _args: string[], _options: SubprocessOptions): Future<[SubprocessTransport, P]> {
  throw new NotImplementedError("subprocessExec is not implemented yet");
}
export function subprocessShell<P extends BaseProtocol | ProtocolLike>(_loop: BaseEventLoop, _pf: () => P, _cmd: string, _options: SubprocessOptions): Future<[SubprocessTransport, P]> {
  throw new NotImplementedError("subprocessShell is not implemented yet");
}
