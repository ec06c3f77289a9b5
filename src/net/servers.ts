import { statSync, unlinkSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { CancelledError, OSError, RuntimeError, ValueError } from "../stdlib/exceptions.js";
import type { BaseEventLoop } from "../core/base-events.js";
import { AbstractServer, type AbstractEventLoop, type AddrInfo, type CreateServerOptions } from "../core/events.js";
import type { Future } from "../core/futures.js";
import { gather, sleep } from "../core/tasks.js";
import { awaitableCoroutine, type AwaitableCoroutine, type Coroutine } from "../core/coroutines.js";
import { logger } from "../core/log.js";
import type { BaseProtocol, ProtocolLike } from "../core/protocols.js";
import type { BaseTransport } from "../core/transports.js";
import {
  AF_INET6, AI_PASSIVE, IPPROTO_IPV6, IPV6_V6ONLY, SOCK_STREAM, SOL_SOCKET, SO_KEEPALIVE, SO_REUSEADDR, SO_REUSEPORT,
  Socket,
} from "../stdlib/socket.js";
import type { SSLContext } from "../stdlib/ssl.js";
import { startServing, stopServing } from "./accept.js";
import type { ServerInternals, ServerLinks } from "./socket-transport.js";
import { ensureResolved } from "./dns.js";
import { checkSslOptions } from "./sslproto.js";
import { osErrorWithMessage } from "../stdlib/exceptions.js";
import { inspectRepr, pyRepr } from "../internal/pyrepr.js";

// base_events.py's Server and createServer.

const EADDRNOTAVAIL = osConstants.errno.EADDRNOTAVAIL;

/**
 * A listening server (Python's asyncio.Server), made by createServer,
 * createUnixServer and the streams' startServer. `await using srv = ...`
 * closes it and waits for its connections to end.
 */
export class Server extends AbstractServer implements ServerInternals, AsyncDisposable {
  /** How console.log and the REPL show it: its Python repr. */
  [inspectRepr](): string {
    return this.toString();
  }
  /** @internal */ _loop: BaseEventLoop;
  /** @internal null once closed. */ _sockets: Socket[] | null;
  /** @internal The oldest of the connections accepted and still open, linked through their ServerLinks. */
  _clientsHead: (BaseTransport & ServerLinks) | null = null;
  /** @internal The newest of them. */ _clientsTail: (BaseTransport & ServerLinks) | null = null;
  /** @internal How many there are. */ _clientCount = 0;
  /** @internal null once closed with no connection left (waitClosed returns at once). */ _waiters: Future<void>[] | null = [];
  /** @internal */ _protocolFactory: () => BaseProtocol | ProtocolLike;
  /** @internal */ _backlog: number;
  /** @internal */ _sslContext: SSLContext | null;
  /** @internal */ _sslHandshakeTimeout: number | null;
  /** @internal */ _sslShutdownTimeout: number | null;
  /** @internal */ _serving = false;
  /** @internal */ _servingForeverFut: Future<void> | null = null;
  /**
   * @internal Unix socket files to remove when their socket closes, with the
   * inode seen at bind time (Python's loop._unix_server_sockets).
   */
  _unixCleanup = new Map<Socket, bigint>();

  /** @internal Made by createServer/createUnixServer; do not instantiate directly. */
  constructor(
    loop: BaseEventLoop, sockets: Socket[], protocolFactory: () => BaseProtocol | ProtocolLike,
    sslContext: SSLContext | null, backlog: number, sslHandshakeTimeout: number | null,
    sslShutdownTimeout: number | null = null,
  ) {
    super();
    this._loop = loop;
    this._sockets = sockets;
    this._protocolFactory = protocolFactory;
    this._sslContext = sslContext;
    this._backlog = backlog;
    this._sslHandshakeTimeout = sslHandshakeTimeout;
    this._sslShutdownTimeout = sslShutdownTimeout;
  }

  /** Python's repr: `<Server sockets=(...)>`. */
  override toString(): string {
    const socks = this.sockets.map(String);
    return `<${this.constructor.name} sockets=(${socks.join(", ")}${socks.length === 1 ? "," : ""})>`;
  }

  /** @internal A transport of this server's connections opened. */
  _attach(transport: BaseTransport & ServerLinks): void {
    // Python asserts the server is open; a connection accepted just before
    // close() may still arrive, and is simply tracked.
    if (transport._serverPrev !== null || this._clientsHead === transport) return;
    const tail = this._clientsTail;
    transport._serverPrev = tail;
    transport._serverNext = null;
    if (tail === null) this._clientsHead = transport;
    else tail._serverNext = transport;
    this._clientsTail = transport;
    this._clientCount++;
  }

  /** @internal A transport of this server's connections closed. */
  _detach(transport: BaseTransport & ServerLinks): void {
    const prev = transport._serverPrev as (BaseTransport & ServerLinks) | null;
    const next = transport._serverNext as (BaseTransport & ServerLinks) | null;
    if (prev !== null || this._clientsHead === transport) {
      if (prev === null) this._clientsHead = next;
      else prev._serverNext = next;
      if (next === null) this._clientsTail = prev;
      else next._serverPrev = prev;
      transport._serverPrev = null;
      transport._serverNext = null;
      this._clientCount--;
    }
    if (this._clientCount === 0 && this._sockets === null) this._wakeup();
  }

  /** The open connections, oldest first (a copy: closing one detaches it). */
  private _clientList(): (BaseTransport & ServerLinks)[] {
    const list: (BaseTransport & ServerLinks)[] = [];
    for (let t = this._clientsHead; t !== null; t = t._serverNext as (BaseTransport & ServerLinks) | null) list.push(t);
    return list;
  }

  /** @internal Wakes every waitClosed(); later calls return at once. */
  _wakeup(): void {
    const waiters = this._waiters;
    this._waiters = null;
    if (waiters === null) return;
    for (const w of waiters) if (!w.done()) w.setResult(undefined);
  }

  /** @internal */
  _startServing(): void {
    if (this._serving) return;
    this._serving = true;
    for (const sock of this._sockets ?? []) {
      sock.listen(this._backlog);
      startServing(this._loop, this._protocolFactory, sock, this._sslContext, this, this._backlog,
        this._sslHandshakeTimeout, this._sslShutdownTimeout);
    }
  }

  /** The loop the server runs on. */
  override getLoop(): AbstractEventLoop {
    return this._loop;
  }

  /** Whether the server accepts new connections. */
  override isServing(): boolean {
    return this._serving;
  }

  /** A copy of the list of listening sockets (empty once closed). */
  override get sockets(): Socket[] {
    return this._sockets === null ? [] : [...this._sockets];
  }

  /**
   * Stops listening: the listening sockets are closed; connections already
   * accepted stay open (see closeClients/abortClients). Cancels serveForever().
   */
  override close(): void {
    const sockets = this._sockets;
    if (sockets === null) return;
    this._sockets = null;
    for (const sock of sockets) {
      const ino = this._unixCleanup.get(sock);
      const path = ino !== undefined ? sock.getsockname() : null;
      stopServing(this._loop, sock); // also closes the socket
      if (ino !== undefined && typeof path === "string") {
        this._unixCleanup.delete(sock);
        removeSocketFile(path, ino);
      }
    }
    this._serving = false;
    const fut = this._servingForeverFut;
    if (fut !== null && !fut.done()) {
      fut.cancel();
      this._servingForeverFut = null;
    }
    if (this._clientCount === 0) this._wakeup();
  }

  /** Closes every connection of this server (their buffered data is still sent). */
  override closeClients(): void {
    for (const t of this._clientList()) t.close();
  }

  /** Aborts every connection of this server at once (buffered data is dropped). */
  override abortClients(): void {
    for (const t of this._clientList()) (t as BaseTransport & ServerLinks & { abort(): void }).abort();
  }

  /** Starts accepting connections (idempotent); done after one loop iteration, once the sockets are watched. */
  override startServing(): AwaitableCoroutine<void> {
    return serverStartServing(this);
  }

  /**
   * Accepts connections until cancelled; cancelling closes the server and
   * waits for it (waitClosed) before CancelledError propagates. One at a time.
   */
  override serveForever(): AwaitableCoroutine<void> {
    return serverServeForever(this);
  }

  /**
   * Waits until the server is closed and every connection it accepted is
   * gone (Python 3.12.1+ semantics), in either order.
   */
  override waitClosed(): AwaitableCoroutine<void> {
    return serverWaitClosed(this);
  }
}

const serverStartServing = awaitableCoroutine(function* startServing(self: Server): Coroutine<void> {
  self._startServing();
  yield* sleep(0);
});

const serverServeForever = awaitableCoroutine(function* serveForever(self: Server): Coroutine<void> {
  if (self._servingForeverFut !== null) {
    throw new RuntimeError(`server ${self} is already being awaited on serve_forever()`);
  }
  if (self._sockets === null) throw new RuntimeError(`server ${self} is closed`);
  self._startServing();
  const fut = self._loop.createFuture<void>();
  self._servingForeverFut = fut;
  try {
    yield* fut;
  } catch (e) {
    if (e instanceof CancelledError) {
      try {
        self.close();
        yield* self.waitClosed();
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw e;
      }
    }
    throw e;
  } finally {
    self._servingForeverFut = null;
  }
});

const serverWaitClosed = awaitableCoroutine(function* waitClosed(self: Server): Coroutine<void> {
  if (self._waiters === null) return;
  const waiter = self._loop.createFuture<void>();
  self._waiters.push(waiter);
  yield* waiter;
});

/** Removes a Unix server's socket file if it is still the one it bound (same inode), as Python's `_stop_serving`. */
function removeSocketFile(path: string, ino: bigint): void {
  if (path === "" || path.startsWith("\0")) return;
  try {
    if (statSync(path, { bigint: true }).ino === ino) unlinkSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") logger.error(`Unable to clean up listening UNIX socket ${pyRepr(path)}: ${String(e)}`);
  }
}

/** Python's `_set_reuseport`. */
export function setReuseport(sock: Socket): void {
  if (SO_REUSEPORT === undefined) throw new ValueError("reuse_port not supported by socket module");
  try {
    sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
  } catch (e) {
    if (e instanceof OSError) {
      throw new ValueError("reuse_port not supported by socket module, SO_REUSEPORT defined but not implemented.");
    }
    throw e;
  }
}

/** loop.createServer(): see AbstractEventLoop.createServer. */
export function createServer(
  loop: BaseEventLoop, protocolFactory: () => BaseProtocol | ProtocolLike, host: string | string[] | null,
  port: number | string | null, options: CreateServerOptions,
): Coroutine<AbstractServer> {
  return createServerCoro(loop, protocolFactory, host, port, options);
}

function* createServerCoro(
  loop: BaseEventLoop, protocolFactory: () => BaseProtocol | ProtocolLike, host: string | string[] | null,
  port: number | string | null, options: CreateServerOptions,
): Coroutine<AbstractServer> {
  const ssl = options.ssl ?? null;
  const family = options.family ?? 0;
  const flags = options.flags ?? AI_PASSIVE;
  const backlog = options.backlog ?? 100;
  const sslHandshakeTimeout = options.sslHandshakeTimeout ?? null;
  const sslShutdownTimeout = options.sslShutdownTimeout ?? null;
  let reuseAddress = options.reuseAddress ?? null;
  const sock = options.sock ?? null;

  if (typeof ssl === "boolean") throw new TypeError("ssl argument must be an SSLContext or None");
  checkSslOptions(ssl, sslHandshakeTimeout, sslShutdownTimeout);
  if (sock !== null && !(sock instanceof Socket)) throw new TypeError(`a tsyncio Socket was expected, got ${String(sock)}`);

  let sockets: Socket[];
  if (host !== null || port !== null) {
    if (sock !== null) throw new ValueError("host/port and sock can not be specified at the same time");
    if (reuseAddress === null) reuseAddress = process.platform !== "win32" && process.platform !== "cygwin";
    const hosts: (string | null)[] = host === "" ? [null] : typeof host === "string" || host === null ? [host] : [...host];
    const perHost = yield* gather(...hosts.map((h) => createServerGetaddrinfo(loop, h, port, family, flags)));
    // A host met twice (directly or through names) is bound once.
    const seen = new Set<string>();
    const infos: AddrInfo[] = [];
    for (const info of (perHost as AddrInfo[][]).flat()) {
      const key = JSON.stringify(info);
      if (!seen.has(key)) {
        seen.add(key);
        infos.push(info);
      }
    }
    sockets = [];
    let completed = false;
    try {
      for (const [af, socktype, proto, , sa] of infos) {
        let s: Socket;
        try {
          s = new Socket(af, socktype, proto);
        } catch (e) {
          if (!(e instanceof OSError)) throw e;
          // A family/type/protocol combination this host cannot make.
          if (loop.getDebug()) logger.warning(`create_server() failed to create socket.socket(${af}, ${socktype}, ${proto})`, e);
          continue;
        }
        sockets.push(s);
        if (reuseAddress) s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
        if (options.reusePort) setReuseport(s);
        if (options.keepAlive) s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1);
        // Linux's dual-stack sockets would take the IPv4 port too.
        if (af === AF_INET6) s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
        try {
          s.bind(sa);
        } catch (err) {
          if (!(err instanceof OSError)) throw err;
          const msg = `error while attempting to bind on address ${pyRepr(sa)}: ${String(err.message).toLowerCase()}`;
          if (err.errno === EADDRNOTAVAIL) {
            // The family is probably not enabled on this host (bpo-30945).
            sockets.pop();
            s.close();
            if (loop.getDebug()) logger.warning(msg);
            continue;
          }
          throw osErrorWithMessage(err.errno, msg);
        }
      }
      if (sockets.length === 0) {
        throw new OSError(`could not bind on any address out of [${infos.map((i) => pyRepr(i[4])).join(", ")}]`);
      }
      completed = true;
    } finally {
      if (!completed) for (const s of sockets) s.close();
    }
  } else {
    if (sock === null) throw new ValueError("Neither host/port nor sock were specified");
    if (sock.type !== SOCK_STREAM) throw new ValueError(`A Stream Socket was expected, got ${sock}`);
    sockets = [sock];
  }
  for (const s of sockets) s.setblocking(false);
  const server = new Server(loop, sockets, protocolFactory, ssl, backlog, sslHandshakeTimeout, sslShutdownTimeout);
  if (options.startServing ?? true) {
    server._startServing();
    // One iteration, so that the accept watchers are in place.
    yield* sleep(0);
  }
  if (loop.getDebug()) logger.info(`${server} is serving`);
  return server;
}

function* createServerGetaddrinfo(
  loop: BaseEventLoop, host: string | null, port: number | string | null, family: number, flags: number,
): Coroutine<AddrInfo[]> {
  const infos = yield* ensureResolved(loop, [host, port], { family, type: SOCK_STREAM, flags });
  if (infos.length === 0) throw new OSError(`getaddrinfo(${pyRepr(host)}) returned empty list`);
  return infos;
}

/** @internal Builds a Server around already bound sockets (createUnixServer). */
export function* serveSockets(
  loop: BaseEventLoop, sockets: Socket[], protocolFactory: () => BaseProtocol | ProtocolLike, ssl: SSLContext | null,
  backlog: number, sslHandshakeTimeout: number | null, sslShutdownTimeout: number | null, startServing: boolean,
  cleanup: Map<Socket, bigint> | null,
): Coroutine<Server> {
  for (const s of sockets) s.setblocking(false);
  const server = new Server(loop, sockets, protocolFactory, ssl, backlog, sslHandshakeTimeout, sslShutdownTimeout);
  if (cleanup !== null) for (const [s, ino] of cleanup) server._unixCleanup.set(s, ino);
  if (startServing) {
    server._startServing();
    yield* sleep(0);
  }
  return server;
}
