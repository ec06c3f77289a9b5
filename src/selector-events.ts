import { NotImplementedError } from "./exceptions.js";
import type { BaseEventLoop } from "./base-events.js";
import type { Callback, FileDescriptorLike, FileLike } from "./events.js";
import type { Future } from "./futures.js";
import type { Address, Socket } from "./socket.js";

// selector_events.py: fd watching, the sock_* methods and the socket transport. (Being written.)

function todo(name: string): never {
  throw new NotImplementedError(`${name} is not implemented yet`);
}

export function addReader(_loop: BaseEventLoop, _fd: FileDescriptorLike, _cb: Callback, _args: unknown[]): void { todo("addReader"); }
export function removeReader(_loop: BaseEventLoop, _fd: FileDescriptorLike): boolean { todo("removeReader"); }
export function addWriter(_loop: BaseEventLoop, _fd: FileDescriptorLike, _cb: Callback, _args: unknown[]): void { todo("addWriter"); }
export function removeWriter(_loop: BaseEventLoop, _fd: FileDescriptorLike): boolean { todo("removeWriter"); }
export function sockRecv(_loop: BaseEventLoop, _sock: Socket, _n: number): Future<Buffer> { todo("sockRecv"); }
export function sockRecvInto(_loop: BaseEventLoop, _sock: Socket, _buf: Uint8Array): Future<number> { todo("sockRecvInto"); }
export function sockRecvfrom(_loop: BaseEventLoop, _sock: Socket, _n: number): Future<[Buffer, Address]> { todo("sockRecvfrom"); }
export function sockRecvfromInto(_loop: BaseEventLoop, _sock: Socket, _buf: Uint8Array, _n: number): Future<[number, Address]> { todo("sockRecvfromInto"); }
export function sockSendto(_loop: BaseEventLoop, _sock: Socket, _data: Uint8Array, _addr: Address): Future<number> { todo("sockSendto"); }
export function sockSendall(_loop: BaseEventLoop, _sock: Socket, _data: Uint8Array): Future<void> { todo("sockSendall"); }
export function sockConnect(_loop: BaseEventLoop, _sock: Socket, _addr: Address): Future<void> { todo("sockConnect"); }
export function sockAccept(_loop: BaseEventLoop, _sock: Socket): Future<[Socket, Address]> { todo("sockAccept"); }
export function sockSendfile(_loop: BaseEventLoop, _sock: Socket, _file: FileLike, _offset: number, _count: number | null, _fallback: boolean): Future<number> { todo("sockSendfile"); }
