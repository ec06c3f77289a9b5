import type { BaseEventLoop } from "../core/base-events.js";
import type { AddrInfo, GetaddrinfoOptions } from "../core/events.js";
import { Future } from "../core/futures.js";
import { native, type GaiFailure, type NativeAddrInfo } from "../internal/native.js";
import { logger } from "../core/log.js";
import { pyRepr } from "../internal/pyrepr.js";
import type { Coroutine } from "../core/coroutines.js";
import {
  AF_INET, AF_INET6, AF_UNSPEC, AI_CANONNAME, checkInt, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM, gaierrorFrom,
  type Address,
} from "../stdlib/socket.js";

// loop.getaddrinfo/getnameinfo on libuv's thread pool (the native core), and
// Python's _ipaddr_info shortcut for hosts that are already numeric.

const N = native();

/**
 * Python's base_events._ipaddr_info: the one getaddrinfo result for a host
 * that is already a numeric address (and a numeric port, and a stream or
 * datagram type), or null when getaddrinfo must really run.
 */
export function ipaddrInfo(
  host: string | null,
  port: number | string | null,
  family: number,
  type: number,
  proto: number,
  flowinfo = 0,
  scopeid = 0,
): AddrInfo | null {
  if ((proto !== 0 && proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) || host === null || typeof host !== "string") return null;
  if (type === SOCK_STREAM) proto = IPPROTO_TCP;
  else if (type === SOCK_DGRAM) proto = IPPROTO_UDP;
  else return null;
  let p: number;
  if (port === null || port === undefined || port === "") {
    p = 0;
  } else if (typeof port === "number") {
    if (!Number.isInteger(port)) return null;
    p = port;
  } else if (typeof port === "string" && /^\s*[+-]?\d+\s*$/.test(port)) {
    p = parseInt(port, 10);
  } else {
    // A service name such as "http" needs getaddrinfo.
    return null;
  }
  const afs = family === AF_UNSPEC ? [AF_INET, AF_INET6] : [family];
  // Linux's inet_pton takes no IPv6 zone index ("::1%lo").
  if (host.includes("%")) return null;
  for (const af of afs) {
    if (af !== AF_INET && af !== AF_INET6) continue;
    if (typeof N.inetPton(af, host) === "number") continue;
    if (af === AF_INET6) return [af, type, proto, "", [host, p, flowinfo, scopeid]];
    return [af, type, proto, "", [host, p]];
  }
  return null;
}

/** loop.getaddrinfo(): Python's 5-tuples `[family, type, proto, canonname, sockaddr]`; gaierror on failure. */
export function getaddrinfo(loop: BaseEventLoop, host: string | null, port: number | string | null, options: GetaddrinfoOptions): Future<AddrInfo[]> {
  const fut = new Future<AddrInfo[]>({ loop });
  let family: number, type: number, proto: number, flags: number;
  try {
    family = checkInt(options.family ?? 0, "family");
    type = checkInt(options.type ?? 0, "type");
    proto = checkInt(options.proto ?? 0, "proto");
    flags = checkInt(options.flags ?? 0, "flags");
    if (host !== null && typeof host !== "string") throw new TypeError("getaddrinfo() argument 1 must be string or None");
    if (port !== null && typeof port !== "string" && typeof port !== "number") throw new TypeError("Int or String expected");
    if (typeof port === "number") checkInt(port, "port");
  } catch (exc) {
    fut.setException(exc);
    return fut;
  }
  if (!(flags & AI_CANONNAME)) {
    const info = ipaddrInfo(host, port, family, type, proto);
    if (info !== null) {
      fut.setResult([info]);
      return fut;
    }
  }
  const debug = loop.getDebug();
  const t0 = debug ? loop.time() : 0;
  const done = (failure: GaiFailure | null, results: NativeAddrInfo[] | null): void => {
    if (debug) {
      const dt = (loop.time() - t0) * 1000;
      const what = `Getting address info ${host}:${port}, type=${type} took ${dt.toFixed(3)}ms`;
      if (dt >= loop.slowCallbackDuration * 1000) logger.info(what);
      else logger.debug(what);
    }
    if (fut.done()) return;
    if (failure !== null) fut.setException(gaierrorFrom(failure));
    else fut.setResult((results ?? []) as AddrInfo[]);
  };
  const failure = N.getaddrinfo(host, port, family, type, proto, flags, done);
  if (failure !== null) fut.setException(gaierrorFrom(failure));
  return fut;
}

/** loop.getnameinfo(): `[host, port]` strings for an IPv4 or IPv6 address; gaierror on failure. */
export function getnameinfo(loop: BaseEventLoop, sockaddr: Address, flags: number): Future<[string, string]> {
  const fut = new Future<[string, string]>({ loop });
  try {
    if (!Array.isArray(sockaddr) || sockaddr.length < 2 || sockaddr.length > 4) {
      throw new TypeError("getnameinfo() argument 1 must be an array [host, port[, flowinfo[, scopeId]]]");
    }
    checkInt(flags, "flags");
  } catch (exc) {
    fut.setException(exc);
    return fut;
  }
  const family = sockaddr.length > 2 || String(sockaddr[0]).includes(":") ? AF_INET6 : AF_INET;
  const failure = N.getnameinfo(sockaddr, family, flags, (f, result) => {
    if (fut.done()) return;
    if (f !== null) fut.setException(gaierrorFrom(f));
    else fut.setResult(result!);
  });
  if (failure !== null) fut.setException(gaierrorFrom(failure));
  return fut;
}

/** Python's `_ensure_resolved`: the numeric address as is, else loop.getaddrinfo(). */
export function* ensureResolved(
  loop: BaseEventLoop, address: Address | readonly unknown[],
  options: { family?: number; type?: number; proto?: number; flags?: number },
): Coroutine<AddrInfo[]> {
  const family = options.family ?? 0;
  const type = options.type ?? SOCK_STREAM;
  const proto = options.proto ?? 0;
  const flags = options.flags ?? 0;
  if (!Array.isArray(address) || address.length < 2) {
    throw new TypeError(`address must be an array [host, port], got ${pyRepr(address)}`);
  }
  const host = address[0] as string | null;
  const port = address[1] as number | string | null;
  const info = ipaddrInfo(host, port, family, type, proto, (address[2] as number | undefined) ?? 0, (address[3] as number | undefined) ?? 0);
  if (info !== null) return [info];
  return yield* loop.getaddrinfo(host, port, { family, type, proto, flags });
}
