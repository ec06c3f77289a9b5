import type { Buffer } from "node:buffer";
import { BaseEventLoop } from "./core/base-events.js";
import {
  _setDefaultLoopFactory,
  type AbstractServer, type AddrInfo, type Callback, type ConnectAcceptedSocketOptions, type CreateConnectionOptions,
  type CreateDatagramEndpointOptions, type CreateServerOptions, type CreateUnixConnectionOptions,
  type CreateUnixServerOptions, type Executor, type FileDescriptorLike, type FileLike,
  type GetaddrinfoOptions, type StartTlsOptions, type SubprocessOptions,
} from "./core/events.js";
import type { Future } from "./core/futures.js";
import { asyncDef, type AwaitableCoroutine } from "./core/coroutines.js";
import type { BaseProtocol, ProtocolLike } from "./core/protocols.js";
import type { BaseTransport, DatagramTransport, ReadTransport, SubprocessTransport, Transport, WriteTransport } from "./core/transports.js";
import type { Address, AddressOf, Socket } from "./stdlib/socket.js";
import type { SSLContext } from "./stdlib/ssl.js";
import * as executors from "./executors/default-executor.js";
import * as dns from "./net/dns.js";
import * as selector from "./net/selector.js";
import * as sockOps from "./net/sock-ops.js";
import * as connections from "./net/connections.js";
import * as sendfile from "./net/sendfile.js";
import * as servers from "./net/servers.js";
import * as datagram from "./net/datagram.js";
import * as sslproto from "./net/sslproto.js";
import * as unix from "./unix/unix-sockets.js";
import * as pipes from "./unix/pipes.js";
import * as signals from "./unix/signals.js";
import * as subprocess from "./unix/subprocess-transport.js";
import * as nodeStreams from "./node/streams.js";

// The concrete loop, assembled as CPython assembles its Unix loop: the core
// of core/base-events.ts plus the I/O methods, each a one-liner into the
// module that implements it next to its transports. This file is the one
// place where a new loop method is wired (docs/architecture.md).

/** The concrete loop: the core plus the I/O methods (Python's SelectorEventLoop on Unix). */
export class SelectorEventLoop extends BaseEventLoop {
  override shutdownDefaultExecutor(timeout: number | null = null): AwaitableCoroutine<void> {
    return shutdownDefaultExecutorDef(this, timeout);
  }

  override createConnection<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, host?: string | null, port?: number | string | null, options?: CreateConnectionOptions): AwaitableCoroutine<[Transport, P]> {
    return createConnectionDef(this, protocolFactory, host ?? null, port ?? null, options ?? {});
  }
  override createServer(protocolFactory: () => BaseProtocol | ProtocolLike, host?: string | string[] | null, port?: number | string | null, options?: CreateServerOptions): AwaitableCoroutine<AbstractServer> {
    return createServerDef(this, protocolFactory, host ?? null, port ?? null, options ?? {});
  }
  override sendfile(transport: WriteTransport | Transport, file: FileLike, offset = 0, count: number | null = null, options?: { fallback?: boolean }): AwaitableCoroutine<number> {
    return sendfileDef(this, transport, file, offset, count, options?.fallback ?? true);
  }
  override startTls(transport: BaseTransport, protocol: BaseProtocol | ProtocolLike, sslcontext: SSLContext, options?: StartTlsOptions): AwaitableCoroutine<Transport> {
    return startTlsDef(this, transport, protocol, sslcontext, options ?? {});
  }
  override createUnixConnection<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, path?: string | null, options?: CreateUnixConnectionOptions): AwaitableCoroutine<[Transport, P]> {
    return createUnixConnectionDef(this, protocolFactory, path ?? null, options ?? {});
  }
  override createUnixServer(protocolFactory: () => BaseProtocol | ProtocolLike, path?: string | null, options?: CreateUnixServerOptions): AwaitableCoroutine<AbstractServer> {
    return createUnixServerDef(this, protocolFactory, path ?? null, options ?? {});
  }
  override connectAcceptedSocket<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, sock: Socket, options?: ConnectAcceptedSocketOptions): AwaitableCoroutine<[Transport, P]> {
    return connectAcceptedSocketDef(this, protocolFactory, sock, options ?? {});
  }
  override createDatagramEndpoint<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, localAddr?: Address | null, remoteAddr?: Address | null, options?: CreateDatagramEndpointOptions): AwaitableCoroutine<[DatagramTransport, P]> {
    return createDatagramEndpointDef(this, protocolFactory, localAddr ?? null, remoteAddr ?? null, options ?? {});
  }
  override getaddrinfo(host: string | null, port: number | string | null, options?: GetaddrinfoOptions): AwaitableCoroutine<AddrInfo[]> {
    return getaddrinfoDef(this, host, port, options ?? {});
  }
  override getnameinfo(sockaddr: Address, flags = 0): AwaitableCoroutine<[string, string]> {
    return getnameinfoDef(this, sockaddr, flags);
  }
  override connectReadPipe<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, pipe: unknown): AwaitableCoroutine<[ReadTransport, P]> {
    return connectReadPipeDef(this, protocolFactory, pipe);
  }
  override connectWritePipe<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, pipe: unknown): AwaitableCoroutine<[WriteTransport, P]> {
    return connectWritePipeDef(this, protocolFactory, pipe);
  }
  override subprocessExec<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, program: string, args?: string[], options?: SubprocessOptions): AwaitableCoroutine<[SubprocessTransport, P]> {
    return subprocessExecDef(this, protocolFactory, program, args ?? [], options ?? {});
  }
  override subprocessShell<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, cmd: string, options?: SubprocessOptions): AwaitableCoroutine<[SubprocessTransport, P]> {
    return subprocessShellDef(this, protocolFactory, cmd, options ?? {});
  }
  override addReader<A extends unknown[]>(fd: FileDescriptorLike, callback: (...args: A) => unknown, ...args: A): void {
    selector.addReader(this, fd, callback as Callback, args);
  }
  override removeReader(fd: FileDescriptorLike): boolean {
    return selector.removeReader(this, fd);
  }
  override addWriter<A extends unknown[]>(fd: FileDescriptorLike, callback: (...args: A) => unknown, ...args: A): void {
    selector.addWriter(this, fd, callback as Callback, args);
  }
  override removeWriter(fd: FileDescriptorLike): boolean {
    return selector.removeWriter(this, fd);
  }
  override sockRecv(sock: Socket, nbytes: number): AwaitableCoroutine<Buffer> {
    return sockRecvDef(this, sock, nbytes);
  }
  override sockRecvInto(sock: Socket, buf: Uint8Array): AwaitableCoroutine<number> {
    return sockRecvIntoDef(this, sock, buf);
  }
  override sockRecvfrom<F extends number>(sock: Socket<F>, bufsize: number): AwaitableCoroutine<[Buffer, AddressOf<F>]> {
    return sockRecvfromDef(this, sock, bufsize) as AwaitableCoroutine<[Buffer, AddressOf<F>]>;
  }
  override sockRecvfromInto<F extends number>(sock: Socket<F>, buf: Uint8Array, nbytes = 0): AwaitableCoroutine<[number, AddressOf<F>]> {
    return sockRecvfromIntoDef(this, sock, buf, nbytes) as AwaitableCoroutine<[number, AddressOf<F>]>;
  }
  override sockSendto(sock: Socket, data: Uint8Array, address: Address): AwaitableCoroutine<number> {
    return sockSendtoDef(this, sock, data, address);
  }
  override sockSendall(sock: Socket, data: Uint8Array): AwaitableCoroutine<void> {
    return sockSendallDef(this, sock, data);
  }
  override sockConnect(sock: Socket, address: Address): AwaitableCoroutine<void> {
    return sockConnectDef(this, sock, address);
  }
  override sockAccept<F extends number>(sock: Socket<F>): AwaitableCoroutine<[Socket<F>, AddressOf<F>]> {
    return sockAcceptDef(this, sock) as AwaitableCoroutine<[Socket<F>, AddressOf<F>]>;
  }
  override sockSendfile(sock: Socket, file: FileLike, offset = 0, count: number | null = null, options?: { fallback?: boolean }): AwaitableCoroutine<number> {
    return sockSendfileDef(this, sock, file, offset, count, options?.fallback ?? true);
  }
  override addSignalHandler<A extends unknown[]>(sig: number | string, callback: (...args: A) => unknown, ...args: A): void {
    signals.addSignalHandler(this, sig, callback as Callback, args);
  }
  override removeSignalHandler(sig: number | string): boolean {
    return signals.removeSignalHandler(this, sig);
  }
  override runInExecutor<A extends unknown[], R>(executor: Executor | null, func: (...args: A) => R | PromiseLike<R>, ...args: A): Future<Awaited<R>> {
    return executors.runInExecutor(this, executor, func, args);
  }
  override setDefaultExecutor(executor: Executor): void {
    executors.setDefaultExecutor(this, executor);
  }
}

// Python's `async def` loop methods: each call makes a lazy coroutine over its module's implementation.
const shutdownDefaultExecutorDef = asyncDef("shutdownDefaultExecutor", executors.shutdownDefaultExecutor);
const createConnectionDef = asyncDef("createConnection", connections.createConnection);
const createServerDef = asyncDef("createServer", servers.createServer);
const sendfileDef = asyncDef("sendfile", sendfile.sendfile);
const startTlsDef = asyncDef("startTls", sslproto.startTls);
const createUnixConnectionDef = asyncDef("createUnixConnection", unix.createUnixConnection);
const createUnixServerDef = asyncDef("createUnixServer", unix.createUnixServer);
const connectAcceptedSocketDef = asyncDef("connectAcceptedSocket", connections.connectAcceptedSocket);
const createDatagramEndpointDef = asyncDef("createDatagramEndpoint", datagram.createDatagramEndpoint);
const getaddrinfoDef = asyncDef("getaddrinfo", dns.getaddrinfo);
const getnameinfoDef = asyncDef("getnameinfo", dns.getnameinfo);
// A Node stream is read and written by Node itself (its fd, if any, is already
// watched by libuv): it becomes the transport; anything else is a pipe's fd.
function connectReadPipeImpl<P extends BaseProtocol | ProtocolLike>(loop: SelectorEventLoop, protocolFactory: () => P, pipe: unknown): Iterable<unknown, [ReadTransport, P], unknown> & object {
  if (nodeStreams.isNodeStream(pipe)) return nodeStreams.connectNodeStream(loop, protocolFactory, pipe, "read");
  return pipes.connectReadPipe(loop, protocolFactory, pipe);
}
function connectWritePipeImpl<P extends BaseProtocol | ProtocolLike>(loop: SelectorEventLoop, protocolFactory: () => P, pipe: unknown): Iterable<unknown, [WriteTransport, P], unknown> & object {
  if (nodeStreams.isNodeStream(pipe)) return nodeStreams.connectNodeStream(loop, protocolFactory, pipe, "write");
  return pipes.connectWritePipe(loop, protocolFactory, pipe);
}
const connectReadPipeDef = asyncDef("connectReadPipe", connectReadPipeImpl);
const connectWritePipeDef = asyncDef("connectWritePipe", connectWritePipeImpl);
const subprocessExecDef = asyncDef("subprocessExec", subprocess.subprocessExec);
const subprocessShellDef = asyncDef("subprocessShell", subprocess.subprocessShell);
const sockRecvDef = asyncDef("sockRecv", sockOps.sockRecv);
const sockRecvIntoDef = asyncDef("sockRecvInto", sockOps.sockRecvInto);
const sockRecvfromDef = asyncDef("sockRecvfrom", sockOps.sockRecvfrom);
const sockRecvfromIntoDef = asyncDef("sockRecvfromInto", sockOps.sockRecvfromInto);
const sockSendtoDef = asyncDef("sockSendto", sockOps.sockSendto);
const sockSendallDef = asyncDef("sockSendall", sockOps.sockSendall);
const sockConnectDef = asyncDef("sockConnect", sockOps.sockConnect);
const sockAcceptDef = asyncDef("sockAccept", sockOps.sockAccept);
const sockSendfileDef = asyncDef("sockSendfile", sockOps.sockSendfile);

_setDefaultLoopFactory(() => new SelectorEventLoop());
