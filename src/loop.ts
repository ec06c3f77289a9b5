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
import type { BaseProtocol, ProtocolLike } from "./core/protocols.js";
import type { BaseTransport, DatagramTransport, ReadTransport, SubprocessTransport, Transport, WriteTransport } from "./core/transports.js";
import type { Address, Socket } from "./stdlib/socket.js";
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
  override shutdownDefaultExecutor(timeout: number | null = null): Future<void> {
    return this._coroutineFuture(executors.shutdownDefaultExecutor(this, timeout));
  }

  override createConnection<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, host?: string | null, port?: number | string | null, options?: CreateConnectionOptions): Future<[Transport, P]> {
    return connections.createConnection(this, protocolFactory, host ?? null, port ?? null, options ?? {});
  }
  override createServer(protocolFactory: () => BaseProtocol | ProtocolLike, host?: string | string[] | null, port?: number | string | null, options?: CreateServerOptions): Future<AbstractServer> {
    return servers.createServer(this, protocolFactory, host ?? null, port ?? null, options ?? {});
  }
  override sendfile(transport: WriteTransport | Transport, file: FileLike, offset = 0, count: number | null = null, options?: { fallback?: boolean }): Future<number> {
    return sendfile.sendfile(this, transport, file, offset, count, options?.fallback ?? true);
  }
  override startTls(transport: BaseTransport, protocol: BaseProtocol | ProtocolLike, sslcontext: SSLContext, options?: StartTlsOptions): Future<Transport> {
    return sslproto.startTls(this, transport, protocol, sslcontext, options ?? {});
  }
  override createUnixConnection<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, path?: string | null, options?: CreateUnixConnectionOptions): Future<[Transport, P]> {
    return unix.createUnixConnection(this, protocolFactory, path ?? null, options ?? {});
  }
  override createUnixServer(protocolFactory: () => BaseProtocol | ProtocolLike, path?: string | null, options?: CreateUnixServerOptions): Future<AbstractServer> {
    return unix.createUnixServer(this, protocolFactory, path ?? null, options ?? {});
  }
  override connectAcceptedSocket<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, sock: Socket, options?: ConnectAcceptedSocketOptions): Future<[Transport, P]> {
    return connections.connectAcceptedSocket(this, protocolFactory, sock, options ?? {});
  }
  override createDatagramEndpoint<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, localAddr?: Address | null, remoteAddr?: Address | null, options?: CreateDatagramEndpointOptions): Future<[DatagramTransport, P]> {
    return datagram.createDatagramEndpoint(this, protocolFactory, localAddr ?? null, remoteAddr ?? null, options ?? {});
  }
  override getaddrinfo(host: string | null, port: number | string | null, options?: GetaddrinfoOptions): Future<AddrInfo[]> {
    return dns.getaddrinfo(this, host, port, options ?? {});
  }
  override getnameinfo(sockaddr: Address, flags = 0): Future<[string, string]> {
    return dns.getnameinfo(this, sockaddr, flags);
  }
  // A Node stream is read and written by Node itself (its fd, if any, is already watched by libuv): it becomes the transport.
  override connectReadPipe<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, pipe: unknown): Future<[ReadTransport, P]> {
    if (nodeStreams.isNodeStream(pipe)) return nodeStreams.connectNodeStream(this, protocolFactory, pipe, "read");
    return pipes.connectReadPipe(this, protocolFactory, pipe);
  }
  override connectWritePipe<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, pipe: unknown): Future<[WriteTransport, P]> {
    if (nodeStreams.isNodeStream(pipe)) return nodeStreams.connectNodeStream(this, protocolFactory, pipe, "write");
    return pipes.connectWritePipe(this, protocolFactory, pipe);
  }
  override subprocessExec<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, program: string, args?: string[], options?: SubprocessOptions): Future<[SubprocessTransport, P]> {
    return subprocess.subprocessExec(this, protocolFactory, program, args ?? [], options ?? {});
  }
  override subprocessShell<P extends BaseProtocol | ProtocolLike>(protocolFactory: () => P, cmd: string, options?: SubprocessOptions): Future<[SubprocessTransport, P]> {
    return subprocess.subprocessShell(this, protocolFactory, cmd, options ?? {});
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
  override sockRecv(sock: Socket, nbytes: number): Future<Buffer> {
    return sockOps.sockRecv(this, sock, nbytes);
  }
  override sockRecvInto(sock: Socket, buf: Uint8Array): Future<number> {
    return sockOps.sockRecvInto(this, sock, buf);
  }
  override sockRecvfrom(sock: Socket, bufsize: number): Future<[Buffer, Address]> {
    return sockOps.sockRecvfrom(this, sock, bufsize);
  }
  override sockRecvfromInto(sock: Socket, buf: Uint8Array, nbytes = 0): Future<[number, Address]> {
    return sockOps.sockRecvfromInto(this, sock, buf, nbytes);
  }
  override sockSendto(sock: Socket, data: Uint8Array, address: Address): Future<number> {
    return sockOps.sockSendto(this, sock, data, address);
  }
  override sockSendall(sock: Socket, data: Uint8Array): Future<void> {
    return sockOps.sockSendall(this, sock, data);
  }
  override sockConnect(sock: Socket, address: Address): Future<void> {
    return sockOps.sockConnect(this, sock, address);
  }
  override sockAccept(sock: Socket): Future<[Socket, Address]> {
    return sockOps.sockAccept(this, sock);
  }
  override sockSendfile(sock: Socket, file: FileLike, offset = 0, count: number | null = null, options?: { fallback?: boolean }): Future<number> {
    return sockOps.sockSendfile(this, sock, file, offset, count, options?.fallback ?? true);
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

_setDefaultLoopFactory(() => new SelectorEventLoop());
