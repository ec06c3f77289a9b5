import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import {
  ConnectionError, ExceptionGroup, OSError, RuntimeError, SendfileNotAvailableError, ValueError, fromNodeError, osError, osErrorWithMessage,
} from "../stdlib/exceptions.js";
import type { BaseEventLoop } from "../core/base-events.js";
import type { AddrInfo, ConnectAcceptedSocketOptions, CreateConnectionOptions, FileLike } from "../core/events.js";
import { Future, wrapFuture } from "../core/futures.js";
import type { Coroutine } from "../core/coroutines.js";
import { logger } from "../core/log.js";
import { Protocol, type BaseProtocol, type ProtocolLike } from "../core/protocols.js";
import type { Transport, WriteTransport } from "../core/transports.js";
import { setUpTransport } from "./transport-setup.js";
import {
  AF_INET, AF_INET6, SOCK_STREAM, Socket,
  type Address,
} from "../stdlib/socket.js";
import { ensureResolved } from "./dns.js";
import { native } from "../internal/native.js";
import { pyRepr } from "../internal/pyrepr.js";
import { createDefaultContext, type SSLContext } from "../stdlib/ssl.js";
import { makeSocketTransport, type ServerInternals } from "./socket-transport.js";
import { checkSslOptions, makeSslTransport } from "./sslproto.js";
import { staggeredRace } from "../sync/staggered.js";

// base_events.py's createConnection (with Happy Eyeballs) and
// connectAcceptedSocket, plus the helpers createServer and the Unix module
// share. loop.sendfile is in sendfile.ts.

/** Python's `_interleave_addrinfos`: alternate address families, the first family's first `firstFamilyCount` addresses leading. */
export function interleaveAddrinfos(addrinfos: AddrInfo[], firstFamilyCount = 1): AddrInfo[] {
  const byFamily = new Map<number, AddrInfo[]>();
  for (const a of addrinfos) {
    let list = byFamily.get(a[0]);
    if (list === undefined) byFamily.set(a[0], (list = []));
    list.push(a);
  }
  const lists = [...byFamily.values()];
  const out: AddrInfo[] = [];
  if (firstFamilyCount > 1 && lists.length > 0) out.push(...lists[0]!.splice(0, firstFamilyCount - 1));
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const l of lists) if (i < l.length) out.push(l[i]!);
  }
  return out;
}

function checkSslSocket(sock: unknown): void {
  if (!(sock instanceof Socket)) throw new TypeError(`a tsyncio Socket was expected, got ${String(sock)}`);
}

// ---- createConnection -------------------------------------------------------

/** Python's `_connect_sock`: creates, binds (to the first local address of the family that works) and connects one socket. */
function* connectSock(
  loop: BaseEventLoop, exceptions: Error[][], addrInfo: AddrInfo, localAddrInfos: AddrInfo[] | null,
): Coroutine<Socket> {
  const mine: Error[] = [];
  exceptions.push(mine);
  const [family, type, proto, , address] = addrInfo;
  let sock: Socket | null = null;
  try {
    sock = new Socket(family, type, proto);
    sock.setblocking(false);
    if (localAddrInfos !== null) {
      let bound = false;
      for (const [lfamily, , , , laddr] of localAddrInfos) {
        if (lfamily !== family) continue;
        try {
          sock.bind(laddr);
          bound = true;
          break;
        } catch (exc) {
          if (!(exc instanceof OSError)) throw exc;
          const msg = `error while attempting to bind on address ${pyRepr(laddr)}: ${String(exc.message).toLowerCase()}`;
          mine.push(osErrorWithMessage(exc.errno, msg));
        }
      }
      if (!bound) {
        if (mine.length > 0) throw mine.pop()!;
        throw new OSError(`no matching local address with family=${familyName(family)} found`);
      }
    }
    yield* loop.sockConnect(sock, address);
    return sock;
  } catch (exc) {
    if (exc instanceof OSError) mine.push(exc);
    sock?.close();
    throw exc;
  }
}

function familyName(family: number): string {
  if (family === AF_INET) return `<AddressFamily.AF_INET: ${AF_INET}>`;
  if (family === AF_INET6) return `<AddressFamily.AF_INET6: ${AF_INET6}>`;
  return String(family);
}

/**
 * @internal The connecting half of createConnection once addresses are
 * resolved: one attempt after another, or staggered (Happy Eyeballs) when a
 * delay is given; the losers of a race are closed. Throws Python's error when
 * every attempt fails.
 */
export function* connectAddrinfos(
  loop: BaseEventLoop, infos: AddrInfo[], laddrInfos: AddrInfo[] | null, happyEyeballsDelay: number | null,
  interleave: number | null, allErrors: boolean,
): Coroutine<Socket> {
  if (interleave) infos = interleaveAddrinfos(infos, interleave);
  const exceptions: Error[][] = [];
  let sock: Socket | null = null;
  if (happyEyeballsDelay === null) {
    for (const info of infos) {
      try {
        sock = yield* connectSock(loop, exceptions, info, laddrInfos);
        break;
      } catch (exc) {
        if (!(exc instanceof OSError)) throw exc;
      }
    }
  } else {
    const attempts = infos.map((info) => () => connectSock(loop, exceptions, info, laddrInfos));
    [sock] = yield* staggeredRace<Socket>(loop, attempts, happyEyeballsDelay, { onLoserResult: (s) => s.close() });
  }
  if (sock !== null) return sock;
  const all = exceptions.flat();
  if (allErrors) throw new ExceptionGroup("create_connection failed", all);
  if (all.length === 1) throw all[0];
  // The same message from every attempt is raised once; else all are listed.
  const model = String(all[0]?.message);
  if (all.every((e) => String(e.message) === model)) throw all[0];
  throw new OSError(`Multiple exceptions: ${all.map((e) => e.message).join(", ")}`);
}

/** loop.createConnection(): see AbstractEventLoop.createConnection. */
export function createConnection<P extends BaseProtocol | ProtocolLike>(
  loop: BaseEventLoop, protocolFactory: () => P, host: string | null, port: number | string | null,
  options: CreateConnectionOptions,
): Coroutine<[Transport, P]> {
  return createConnectionCoro(loop, protocolFactory, host, port, options);
}

function* createConnectionCoro<P extends BaseProtocol | ProtocolLike>(
  loop: BaseEventLoop, protocolFactory: () => P, host: string | null, port: number | string | null,
  options: CreateConnectionOptions,
): Coroutine<[Transport, P]> {
  const ssl = options.ssl ?? null;
  const family = options.family ?? 0;
  const proto = options.proto ?? 0;
  const flags = options.flags ?? 0;
  const localAddr = options.localAddr ?? null;
  const sslHandshakeTimeout = options.sslHandshakeTimeout ?? null;
  const sslShutdownTimeout = options.sslShutdownTimeout ?? null;
  const happyEyeballsDelay = options.happyEyeballsDelay ?? null;
  let interleave = options.interleave ?? null;
  let serverHostname = options.serverHostname ?? null;
  let sock = options.sock ?? null;

  if (serverHostname !== null && !ssl) throw new ValueError("server_hostname is only meaningful with ssl");
  if (serverHostname === null && ssl) {
    // The host is the default name to check; "" turns the check off explicitly.
    if (!host) throw new ValueError("You must set server_hostname when using ssl without a host");
    serverHostname = host;
  }
  checkSslOptions(ssl, sslHandshakeTimeout, sslShutdownTimeout);
  if (sock !== null) checkSslSocket(sock);
  if (happyEyeballsDelay !== null && interleave === null) interleave = 1;

  if (host !== null || port !== null) {
    if (sock !== null) throw new ValueError("host/port and sock can not be specified at the same time");
    let infos = yield* ensureResolved(loop, [host, port], { family, type: SOCK_STREAM, proto, flags });
    if (infos.length === 0) throw new OSError("getaddrinfo() returned empty list");
    let laddrInfos: AddrInfo[] | null = null;
    if (localAddr !== null) {
      laddrInfos = yield* ensureResolved(loop, localAddr as Address, { family, type: SOCK_STREAM, proto, flags });
      if (laddrInfos.length === 0) throw new OSError("getaddrinfo() returned empty list");
    }
    sock = yield* connectAddrinfos(loop, infos, laddrInfos, happyEyeballsDelay, interleave, options.allErrors ?? false);
  } else {
    if (sock === null) throw new ValueError("host and port was not specified and no sock specified");
    if (sock.type !== SOCK_STREAM) {
      // AF_UNIX stream sockets are allowed here too, as in Python.
      throw new ValueError(`A Stream Socket was expected, got ${sock}`);
    }
  }

  const [transport, protocol] = yield* createConnectionTransport(loop, sock, protocolFactory, ssl, serverHostname, {
    sslHandshakeTimeout, sslShutdownTimeout,
  });
  if (loop.getDebug()) {
    const s = transport.getExtraInfo("socket");
    logger.debug(`${String(s)} connected to ${host}:${pyRepr(port)}: (${transport}, ${protocol})`);
  }
  return [transport, protocol];
}

/** Python's `_create_connection_transport`: the protocol, the (TLS or plain) transport, and waiting for connection_made. */
export function* createConnectionTransport<P extends BaseProtocol | ProtocolLike>(
  loop: BaseEventLoop, sock: Socket, protocolFactory: () => P, ssl: boolean | SSLContext | null,
  serverHostname: string | null,
  options: { serverSide?: boolean; sslHandshakeTimeout?: number | null; sslShutdownTimeout?: number | null },
): Coroutine<[Transport, P]> {
  let protocol: P | null = null;
  const waiter = loop.createFuture<void>();
  const transport = yield* setUpTransport(sock, waiter, () => {
    sock.setblocking(false);
    protocol = protocolFactory();
    return makeTransport(loop, sock, protocol, waiter, ssl, serverHostname, options);
  });
  return [transport, protocol!];
}

/** The TLS or plain transport of a connected socket. */
function makeTransport(
  loop: BaseEventLoop, sock: Socket, protocol: BaseProtocol | ProtocolLike, waiter: Future<void>,
  ssl: boolean | SSLContext | null, serverHostname: string | null,
  options: { serverSide?: boolean; sslHandshakeTimeout?: number | null; sslShutdownTimeout?: number | null },
): Transport {
  if (ssl) {
    const serverSide = options.serverSide ?? false;
    let sslcontext: SSLContext;
    if (ssl === true) {
      // Python's _create_transport_context.
      if (serverSide) throw new ValueError("Server side SSL needs a valid SSLContext");
      sslcontext = createDefaultContext();
      if (!serverHostname) sslcontext.checkHostname = false;
    } else {
      sslcontext = ssl;
    }
    return makeSslTransport(loop, sock, protocol, sslcontext, waiter, {
      serverSide,
      serverHostname,
      extra: null,
      server: null,
      sslHandshakeTimeout: options.sslHandshakeTimeout ?? null,
      sslShutdownTimeout: options.sslShutdownTimeout ?? null,
    });
  }
  return makeSocketTransport(loop, sock, protocol, waiter, null, null);
}

// ---- connectAcceptedSocket --------------------------------------------------

/** loop.connectAcceptedSocket(): see AbstractEventLoop.connectAcceptedSocket. */
export function connectAcceptedSocket<P extends BaseProtocol | ProtocolLike>(
  loop: BaseEventLoop, protocolFactory: () => P, sock: Socket, options: ConnectAcceptedSocketOptions,
): Coroutine<[Transport, P]> {
  return (function* connectAcceptedSocket(): Coroutine<[Transport, P]> {
    checkSslSocket(sock);
    if (sock.type !== SOCK_STREAM) throw new ValueError(`A Stream Socket was expected, got ${sock}`);
    const ssl = options.ssl ?? null;
    const sslHandshakeTimeout = options.sslHandshakeTimeout ?? null;
    const sslShutdownTimeout = options.sslShutdownTimeout ?? null;
    checkSslOptions(ssl, sslHandshakeTimeout, sslShutdownTimeout);
    const [transport, protocol] = yield* createConnectionTransport(loop, sock, protocolFactory, ssl, "", {
      serverSide: true, sslHandshakeTimeout, sslShutdownTimeout,
    });
    if (loop.getDebug()) logger.debug(`${String(transport.getExtraInfo("socket"))} handled: (${transport}, ${protocol})`);
    return [transport, protocol];
  })();
}
