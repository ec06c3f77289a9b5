import { statSync, unlinkSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { OSError, ValueError } from "../stdlib/exceptions.js";
import type { BaseEventLoop } from "../core/base-events.js";
import type { AbstractServer, CreateUnixConnectionOptions, CreateUnixServerOptions } from "../core/events.js";
import type { Future } from "../core/futures.js";
import type { Coroutine } from "../core/coroutines.js";
import { logger } from "../core/log.js";
import type { BaseProtocol, ProtocolLike } from "../core/protocols.js";
import type { Transport } from "../core/transports.js";
import { AF_UNIX, SOCK_STREAM, Socket } from "../stdlib/socket.js";
import { createConnectionTransport } from "../net/connections.js";
import { osErrorWithMessage } from "../stdlib/exceptions.js";
import { pyRepr } from "../internal/pyrepr.js";
import { serveSockets } from "../net/servers.js";
import { checkSslOptions } from "../net/sslproto.js";

// unix_events.py, socket part: Unix stream connections and servers.

const EADDRINUSE = osConstants.errno.EADDRINUSE;

function isAbstract(path: string | Uint8Array): boolean {
  return path.length > 0 && (typeof path === "string" ? path.charCodeAt(0) === 0 : path[0] === 0);
}

function checkSocket(sock: unknown): asserts sock is Socket {
  if (!(sock instanceof Socket)) throw new TypeError(`a tsyncio Socket was expected, got ${String(sock)}`);
}

function checkPath(path: unknown): string {
  if (typeof path === "string") return path;
  if (path instanceof URL && path.protocol === "file:") return decodeURIComponent(path.pathname);
  throw new TypeError(`expected str, bytes or os.PathLike object, not ${path === null ? "None" : typeof path}`);
}

/** loop.createUnixConnection(): see AbstractEventLoop.createUnixConnection. */
export function createUnixConnection<P extends BaseProtocol | ProtocolLike>(
  loop: BaseEventLoop, protocolFactory: () => P, path: string | null, options: CreateUnixConnectionOptions,
): Coroutine<[Transport, P]> {
  return (function* createUnixConnection(): Coroutine<[Transport, P]> {
    const ssl = options.ssl ?? null;
    const serverHostname = options.serverHostname ?? null;
    const sslHandshakeTimeout = options.sslHandshakeTimeout ?? null;
    const sslShutdownTimeout = options.sslShutdownTimeout ?? null;
    let sock = options.sock ?? null;
    if (serverHostname !== null && typeof serverHostname !== "string") throw new TypeError("server_hostname must be a string");
    if (ssl) {
      if (serverHostname === null) throw new ValueError("you have to pass server_hostname when using ssl");
    } else {
      if (serverHostname !== null) throw new ValueError("server_hostname is only meaningful with ssl");
    }
    checkSslOptions(ssl, sslHandshakeTimeout, sslShutdownTimeout);
    if (path !== null) {
      if (sock !== null) throw new ValueError("path and sock can not be specified at the same time");
      const p = checkPath(path);
      sock = new Socket(AF_UNIX, SOCK_STREAM, 0);
      try {
        sock.setblocking(false);
        yield* loop.sockConnect(sock, p);
      } catch (e) {
        sock.close();
        throw e;
      }
    } else {
      if (sock === null) throw new ValueError("no path and sock were specified");
      checkSocket(sock);
      if (sock.family !== AF_UNIX || sock.type !== SOCK_STREAM) {
        throw new ValueError(`A UNIX Domain Stream Socket was expected, got ${sock}`);
      }
      sock.setblocking(false);
    }
    return yield* createConnectionTransport(loop, sock, protocolFactory, ssl, serverHostname, {
      sslHandshakeTimeout, sslShutdownTimeout,
    });
  })();
}

/** loop.createUnixServer(): see AbstractEventLoop.createUnixServer. */
export function createUnixServer(
  loop: BaseEventLoop, protocolFactory: () => BaseProtocol | ProtocolLike, path: string | null,
  options: CreateUnixServerOptions,
): Coroutine<AbstractServer> {
  return (function* createUnixServer(): Coroutine<AbstractServer> {
    const ssl = options.ssl ?? null;
    const sslHandshakeTimeout = options.sslHandshakeTimeout ?? null;
    const sslShutdownTimeout = options.sslShutdownTimeout ?? null;
    let sock = options.sock ?? null;
    if (typeof ssl === "boolean") throw new TypeError("ssl argument must be an SSLContext or None");
    checkSslOptions(ssl, sslHandshakeTimeout, sslShutdownTimeout);

    if (path !== null) {
      if (sock !== null) throw new ValueError("path and sock can not be specified at the same time");
      const p = checkPath(path);
      sock = new Socket(AF_UNIX, SOCK_STREAM);
      if (!isAbstract(p)) {
        // A socket file left by a previous server; anything else is not ours to remove.
        try {
          if (statSync(p).isSocket()) unlinkSync(p);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          // The directory may only let us create the socket.
          if (code !== "ENOENT") logger.error(`Unable to check or remove stale UNIX socket ${pyRepr(p)}: ${String(e)}`);
        }
      }
      try {
        sock.bind(p);
      } catch (exc) {
        sock.close();
        if (exc instanceof OSError && exc.errno === EADDRINUSE) {
          throw osErrorWithMessage(EADDRINUSE, `Address ${pyRepr(p)} is already in use`);
        }
        throw exc;
      }
    } else {
      if (sock === null) throw new ValueError("path was not specified, and no sock specified");
      checkSocket(sock);
      if (sock.family !== AF_UNIX || sock.type !== SOCK_STREAM) {
        throw new ValueError(`A UNIX Domain Stream Socket was expected, got ${sock}`);
      }
    }

    let cleanup: Map<Socket, bigint> | null = null;
    if (options.cleanup ?? true) {
      const bound = sock.getsockname();
      if (typeof bound === "string" && bound !== "" && !isAbstract(bound)) {
        try {
          cleanup = new Map([[sock, statSync(bound, { bigint: true }).ino]]);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        }
      }
    }
    return yield* serveSockets(loop, [sock], protocolFactory, ssl, options.backlog ?? 100, sslHandshakeTimeout,
      sslShutdownTimeout, options.startServing ?? true, cleanup);
  })();
}
