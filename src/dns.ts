import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { AddrInfo, GetaddrinfoOptions } from "./events.js";
import type { Future } from "./futures.js";
import type { Address } from "./socket.js";

// getaddrinfo/getnameinfo on libuv's thread pool. (Being written.)

export function getaddrinfo(_loop: BaseEventLoop, _host: string | null, _port: number | string | null, _options: GetaddrinfoOptions): Future<AddrInfo[]> {
  throw new NotImplementedError("getaddrinfo is not implemented yet");
}
export function getnameinfo(_loop: BaseEventLoop, _sockaddr: Address, _flags: number): Future<[string, string]> {
  throw new NotImplementedError("getnameinfo is not implemented yet");
}
