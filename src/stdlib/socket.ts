// tsyncio/socket: Python's socket module, as far as the loop needs it
// (docs/mapping.md), on real file descriptors through the native core.
//
// For the event loop layer (selector-events.ts, unix-events.ts):
// - `sock.fileno()` is the fd. Sockets the loop drives must be non-blocking
//   (`sock.setblocking(false)`), as asyncio requires.
// - Hot paths skip this class and call the addon directly:
//   `native().recv(fd, n)`, `recvInto`, `send`, `sendmsg`, `accept(fd,
//   SOCK_NONBLOCK)` + `acceptedAddress()`, `connect`, `sendfile`, each
//   returning -errno instead of throwing; `osError(-r)` (exceptions.ts) turns
//   a failure into Python's exception. Readiness: `native().fastPoll()`, one handle per
//   fd, its mask changed with `start()`.
// - `new Socket(family, type, proto, fd)` wraps an accepted fd;
//   `toNativeAddress(sock.family, addr)` validates and resolves an address the
//   way `connect`/`bind` do; `gaierrorFrom(failure)` makes the gaierror of a
//   failed `native().getaddrinfo`/`getnameinfo`.
import { Buffer } from "node:buffer";
import { constants as osConstants, hostname } from "node:os";
import { native, type GaiFailure, type NativeAddressIn } from "../internal/native.js";
import { OSError, TimeoutError, ValueError, gaierror, osError } from "./exceptions.js";
import { bytesExpected, pyRepr } from "../internal/pyrepr.js";

const N = native();
const C = N.constants;

/** Python's IPv4 address: `[host, port]`. */
export type IPv4Address = [host: string, port: number];
/** Python's IPv6 address: `[host, port, flowinfo, scopeId]`. */
export type IPv6Address = [host: string, port: number, flowinfo: number, scopeId: number];
/** An address as the socket layer returns it: IPv4, IPv6, or an AF_UNIX name (abstract names start with "\0"; unnamed is ""). */
export type Address = IPv4Address | IPv6Address | string;

declare const familyBrand: unique symbol;
/**
 * The type of an address family constant: a number (the platform's value) that
 * also names the family, so that a Socket created with AF_INET, AF_INET6 or
 * AF_UNIX knows which address form it returns (see {@link AddressOf}).
 */
export type Family<Name extends string> = number & { readonly [familyBrand]: Name };
/**
 * The address form of family `F`: `[host, port]` for AF_INET, `[host, port,
 * flowinfo, scopeId]` for AF_INET6, a string for AF_UNIX, and the union
 * {@link Address} when the family is only known at run time (a plain number).
 */
export type AddressOf<F extends number> =
  F extends Family<"AF_INET"> ? IPv4Address :
  F extends Family<"AF_INET6"> ? IPv6Address :
  F extends Family<"AF_UNIX"> ? string :
  Address;
/** An address as the socket layer accepts it: hosts may be names; IPv6 flowinfo and scopeId are optional; AF_UNIX names may be bytes. */
export type AddressLike =
  | IPv4Address
  | [host: string, port: number, flowinfo?: number, scopeId?: number]
  | string
  | Uint8Array;
/** One getaddrinfo result: `[family, type, proto, canonname, sockaddr]`. */
export type AddrInfo = [family: number, type: number, proto: number, canonname: string, sockaddr: Address];
/** Bytes the socket methods accept. */
export type Bytes = ArrayBufferView | ArrayBuffer;

/** Address family: unspecified. */
export const AF_UNSPEC: number = C.AF_UNSPEC!;
/** Address family: IPv4. */
export const AF_INET = C.AF_INET! as Family<"AF_INET">;
/** Address family: IPv6. */
export const AF_INET6 = C.AF_INET6! as Family<"AF_INET6">;
/** Address family: Unix domain sockets. */
export const AF_UNIX = C.AF_UNIX! as Family<"AF_UNIX">;
/** Socket type: a byte stream. */
export const SOCK_STREAM: number = C.SOCK_STREAM!;
/** Socket type: datagrams. */
export const SOCK_DGRAM: number = C.SOCK_DGRAM!;
/** Socket type: raw. */
export const SOCK_RAW: number = C.SOCK_RAW!;
/** Socket type: sequenced packets. */
export const SOCK_SEQPACKET: number = C.SOCK_SEQPACKET!;
/** Type flag: create the socket non-blocking. */
export const SOCK_NONBLOCK: number = C.SOCK_NONBLOCK!;
/** Type flag: close-on-exec (always set by tsyncio). */
export const SOCK_CLOEXEC: number = C.SOCK_CLOEXEC!;
/** Option level: the socket itself. */
export const SOL_SOCKET: number = C.SOL_SOCKET!;
/** Option level: TCP (same as IPPROTO_TCP). */
export const SOL_TCP: number = C.SOL_TCP!;
/** SO_REUSEADDR. */
export const SO_REUSEADDR: number = C.SO_REUSEADDR!;
/** SO_REUSEPORT. */
export const SO_REUSEPORT: number = C.SO_REUSEPORT!;
/** SO_BROADCAST. */
export const SO_BROADCAST: number = C.SO_BROADCAST!;
/** SO_KEEPALIVE. */
export const SO_KEEPALIVE: number = C.SO_KEEPALIVE!;
/** SO_ERROR: the pending error (read-only). */
export const SO_ERROR: number = C.SO_ERROR!;
/** SO_TYPE (read-only). */
export const SO_TYPE: number = C.SO_TYPE!;
/** SO_RCVBUF. */
export const SO_RCVBUF: number = C.SO_RCVBUF!;
/** SO_SNDBUF. */
export const SO_SNDBUF: number = C.SO_SNDBUF!;
/** SO_LINGER (a struct linger: use bytes). */
export const SO_LINGER: number = C.SO_LINGER!;
/** SO_RCVLOWAT. */
export const SO_RCVLOWAT: number = C.SO_RCVLOWAT!;
/** SO_SNDLOWAT. */
export const SO_SNDLOWAT: number = C.SO_SNDLOWAT!;
/** SO_ACCEPTCONN (read-only). */
export const SO_ACCEPTCONN: number = C.SO_ACCEPTCONN!;
/** SO_DOMAIN (read-only). */
export const SO_DOMAIN: number = C.SO_DOMAIN!;
/** SO_PROTOCOL (read-only). */
export const SO_PROTOCOL: number = C.SO_PROTOCOL!;
/** SO_OOBINLINE. */
export const SO_OOBINLINE: number = C.SO_OOBINLINE!;
/** SO_PASSCRED. */
export const SO_PASSCRED: number = C.SO_PASSCRED!;
/** SO_PEERCRED (a struct ucred: use bytes). */
export const SO_PEERCRED: number = C.SO_PEERCRED!;
/** SO_BINDTODEVICE. */
export const SO_BINDTODEVICE: number = C.SO_BINDTODEVICE!;
/** Protocol: IP. */
export const IPPROTO_IP: number = C.IPPROTO_IP!;
/** Protocol: IPv6 (also its option level). */
export const IPPROTO_IPV6: number = C.IPPROTO_IPV6!;
/** Protocol: TCP (also its option level). */
export const IPPROTO_TCP: number = C.IPPROTO_TCP!;
/** Protocol: UDP. */
export const IPPROTO_UDP: number = C.IPPROTO_UDP!;
/** Protocol: ICMP. */
export const IPPROTO_ICMP: number = C.IPPROTO_ICMP!;
/** Protocol: ICMPv6. */
export const IPPROTO_ICMPV6: number = C.IPPROTO_ICMPV6!;
/** IP_TOS. */
export const IP_TOS: number = C.IP_TOS!;
/** IP_TTL. */
export const IP_TTL: number = C.IP_TTL!;
/** IP_MULTICAST_TTL. */
export const IP_MULTICAST_TTL: number = C.IP_MULTICAST_TTL!;
/** IP_MULTICAST_LOOP. */
export const IP_MULTICAST_LOOP: number = C.IP_MULTICAST_LOOP!;
/** IP_MULTICAST_IF. */
export const IP_MULTICAST_IF: number = C.IP_MULTICAST_IF!;
/** IP_ADD_MEMBERSHIP (a struct ip_mreq: use bytes). */
export const IP_ADD_MEMBERSHIP: number = C.IP_ADD_MEMBERSHIP!;
/** IP_DROP_MEMBERSHIP (a struct ip_mreq: use bytes). */
export const IP_DROP_MEMBERSHIP: number = C.IP_DROP_MEMBERSHIP!;
/** IPV6_V6ONLY. */
export const IPV6_V6ONLY: number = C.IPV6_V6ONLY!;
/** IPV6_JOIN_GROUP. */
export const IPV6_JOIN_GROUP: number = C.IPV6_JOIN_GROUP!;
/** IPV6_LEAVE_GROUP. */
export const IPV6_LEAVE_GROUP: number = C.IPV6_LEAVE_GROUP!;
/** IPV6_MULTICAST_HOPS. */
export const IPV6_MULTICAST_HOPS: number = C.IPV6_MULTICAST_HOPS!;
/** IPV6_MULTICAST_LOOP. */
export const IPV6_MULTICAST_LOOP: number = C.IPV6_MULTICAST_LOOP!;
/** IPV6_MULTICAST_IF. */
export const IPV6_MULTICAST_IF: number = C.IPV6_MULTICAST_IF!;
/** IPV6_UNICAST_HOPS. */
export const IPV6_UNICAST_HOPS: number = C.IPV6_UNICAST_HOPS!;
/** TCP_NODELAY. */
export const TCP_NODELAY: number = C.TCP_NODELAY!;
/** TCP_MAXSEG. */
export const TCP_MAXSEG: number = C.TCP_MAXSEG!;
/** TCP_CORK. */
export const TCP_CORK: number = C.TCP_CORK!;
/** TCP_KEEPIDLE. */
export const TCP_KEEPIDLE: number = C.TCP_KEEPIDLE!;
/** TCP_KEEPINTVL. */
export const TCP_KEEPINTVL: number = C.TCP_KEEPINTVL!;
/** TCP_KEEPCNT. */
export const TCP_KEEPCNT: number = C.TCP_KEEPCNT!;
/** TCP_QUICKACK. */
export const TCP_QUICKACK: number = C.TCP_QUICKACK!;
/** TCP_DEFER_ACCEPT. */
export const TCP_DEFER_ACCEPT: number = C.TCP_DEFER_ACCEPT!;
/** TCP_FASTOPEN. */
export const TCP_FASTOPEN: number = C.TCP_FASTOPEN!;
/** TCP_USER_TIMEOUT. */
export const TCP_USER_TIMEOUT: number = C.TCP_USER_TIMEOUT!;
/** TCP_NOTSENT_LOWAT. */
export const TCP_NOTSENT_LOWAT: number = C.TCP_NOTSENT_LOWAT!;
/** shutdown(): no more receptions. */
export const SHUT_RD: number = C.SHUT_RD!;
/** shutdown(): no more transmissions. */
export const SHUT_WR: number = C.SHUT_WR!;
/** shutdown(): neither. */
export const SHUT_RDWR: number = C.SHUT_RDWR!;
/** MSG_OOB. */
export const MSG_OOB: number = C.MSG_OOB!;
/** MSG_PEEK: read without consuming. */
export const MSG_PEEK: number = C.MSG_PEEK!;
/** MSG_DONTROUTE. */
export const MSG_DONTROUTE: number = C.MSG_DONTROUTE!;
/** MSG_DONTWAIT: this call only is non-blocking. */
export const MSG_DONTWAIT: number = C.MSG_DONTWAIT!;
/** MSG_WAITALL. */
export const MSG_WAITALL: number = C.MSG_WAITALL!;
/** MSG_TRUNC. */
export const MSG_TRUNC: number = C.MSG_TRUNC!;
/** MSG_CTRUNC. */
export const MSG_CTRUNC: number = C.MSG_CTRUNC!;
/** MSG_EOR. */
export const MSG_EOR: number = C.MSG_EOR!;
/** MSG_NOSIGNAL (always added by tsyncio's sends). */
export const MSG_NOSIGNAL: number = C.MSG_NOSIGNAL!;
/** MSG_MORE. */
export const MSG_MORE: number = C.MSG_MORE!;
/** MSG_CONFIRM. */
export const MSG_CONFIRM: number = C.MSG_CONFIRM!;
/** MSG_ERRQUEUE. */
export const MSG_ERRQUEUE: number = C.MSG_ERRQUEUE!;
/** MSG_CMSG_CLOEXEC. */
export const MSG_CMSG_CLOEXEC: number = C.MSG_CMSG_CLOEXEC!;
/** The system's listen backlog maximum. */
export const SOMAXCONN: number = C.SOMAXCONN!;
/** INADDR_ANY (host order). */
export const INADDR_ANY: number = C.INADDR_ANY!;
/** INADDR_BROADCAST (host order). */
export const INADDR_BROADCAST: number = C.INADDR_BROADCAST!;
/** INADDR_LOOPBACK (host order). */
export const INADDR_LOOPBACK: number = C.INADDR_LOOPBACK!;
/** INADDR_NONE (host order). */
export const INADDR_NONE: number = C.INADDR_NONE!;
/** getaddrinfo: an address to bind to (the wildcard when host is null). */
export const AI_PASSIVE: number = C.AI_PASSIVE!;
/** getaddrinfo: report the canonical name. */
export const AI_CANONNAME: number = C.AI_CANONNAME!;
/** getaddrinfo: the host must be numeric. */
export const AI_NUMERICHOST: number = C.AI_NUMERICHOST!;
/** getaddrinfo: the port must be numeric. */
export const AI_NUMERICSERV: number = C.AI_NUMERICSERV!;
/** getaddrinfo: only families configured on this host. */
export const AI_ADDRCONFIG: number = C.AI_ADDRCONFIG!;
/** getaddrinfo: IPv4-mapped IPv6 addresses when there is no IPv6 one. */
export const AI_V4MAPPED: number = C.AI_V4MAPPED!;
/** getaddrinfo: with AI_V4MAPPED, both IPv6 and mapped IPv4 addresses. */
export const AI_ALL: number = C.AI_ALL!;
/** getnameinfo: the numeric host. */
export const NI_NUMERICHOST: number = C.NI_NUMERICHOST!;
/** getnameinfo: the numeric port. */
export const NI_NUMERICSERV: number = C.NI_NUMERICSERV!;
/** getnameinfo: only the host part of local names. */
export const NI_NOFQDN: number = C.NI_NOFQDN!;
/** getnameinfo: fail when the name cannot be found. */
export const NI_NAMEREQD: number = C.NI_NAMEREQD!;
/** getnameinfo: the service is a datagram service. */
export const NI_DGRAM: number = C.NI_DGRAM!;
/** getnameinfo: host buffer size. */
export const NI_MAXHOST: number = C.NI_MAXHOST!;
/** getnameinfo: service buffer size. */
export const NI_MAXSERV: number = C.NI_MAXSERV!;
/** gaierror: temporary failure in name resolution. */
export const EAI_AGAIN: number = C.EAI_AGAIN!;
/** gaierror: bad flags. */
export const EAI_BADFLAGS: number = C.EAI_BADFLAGS!;
/** gaierror: non-recoverable failure. */
export const EAI_FAIL: number = C.EAI_FAIL!;
/** gaierror: family not supported. */
export const EAI_FAMILY: number = C.EAI_FAMILY!;
/** gaierror: out of memory. */
export const EAI_MEMORY: number = C.EAI_MEMORY!;
/** gaierror: name or service not known. */
export const EAI_NONAME: number = C.EAI_NONAME!;
/** gaierror: service not supported for the socket type. */
export const EAI_SERVICE: number = C.EAI_SERVICE!;
/** gaierror: socket type not supported. */
export const EAI_SOCKTYPE: number = C.EAI_SOCKTYPE!;
/** gaierror: a system error (raised as the errno's OSError). */
export const EAI_SYSTEM: number = C.EAI_SYSTEM!;
/** gaierror: argument buffer overflow. */
export const EAI_OVERFLOW: number = C.EAI_OVERFLOW!;
/** gaierror: address family for the host not supported (glibc). */
export const EAI_ADDRFAMILY: number | undefined = C.EAI_ADDRFAMILY;
/** gaierror: no address associated with the host (glibc). */
export const EAI_NODATA: number | undefined = C.EAI_NODATA;

/** IPv6 is supported. */
export const hasIpv6 = true;

/** Python's `socket.error`, an alias of OSError. */
export { OSError as error, TimeoutError as timeout, gaierror };

const E = osConstants.errno;
const POLLIN = C.POLLIN!;
const POLLOUT = C.POLLOUT!;
const TYPE_FLAGS = SOCK_NONBLOCK | SOCK_CLOEXEC;

let defaultTimeout: number | null = null;

/** The timeout new sockets get (null: blocking), as Python's `socket.getdefaulttimeout()`. */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/** Sets the timeout new sockets get, as Python's `socket.setdefaulttimeout()`. */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = checkTimeout(timeout);
}

function checkTimeout(timeout: number | null | undefined): number | null {
  if (timeout === null || timeout === undefined) return null;
  if (typeof timeout !== "number") throw new TypeError("Timeout value must be a number or null");
  if (Number.isNaN(timeout)) throw new ValueError("Invalid value NaN (not a number)");
  if (timeout < 0) throw new ValueError("Timeout value out of range");
  return timeout;
}

let resourceWarnings = false;

/** Turns the ResourceWarning for sockets garbage-collected while open on or off (also on when TSYNCIO_DEBUG is set). */
export function setResourceWarnings(enabled: boolean): void {
  resourceWarnings = enabled;
}

function warningsOn(): boolean {
  return resourceWarnings || !!process.env.TSYNCIO_DEBUG;
}

/** @internal TypeError unless `v` is an integer (Python's "an integer is required" checks). */
export function checkInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, not ${v === null ? "null" : typeof v}`);
  }
  return v;
}

/** @internal Whether `v` is bytes-like (a typed array, DataView or ArrayBuffer). */
export function isBytes(v: unknown): v is Bytes {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

function checkBytes(v: unknown): Bytes {
  if (!isBytes(v)) {
    throw bytesExpected(v);
  }
  return v;
}

function byteLength(b: Bytes): number {
  return b.byteLength;
}

/** The gaierror (or, for EAI_SYSTEM, the errno's OSError) of a failed native getaddrinfo/getnameinfo. */
export function gaierrorFrom(failure: GaiFailure): OSError {
  if (failure.eai === EAI_SYSTEM && failure.errno) return osError(failure.errno);
  const err = new gaierror(failure.eai, failure.message);
  return err;
}

function check(r: number): number {
  if (r < 0) throw osError(-r);
  return r;
}

function checkResult<T>(r: T | number): T {
  if (typeof r === "number" && r < 0) throw osError(-r);
  return r as T;
}

function isNumericHost(family: number, host: string): boolean {
  if (host === "" || (family === AF_INET && host === "<broadcast>")) return true;
  if (family === AF_INET6 && host.includes("%")) return true;
  return typeof N.inetPton(family, host) !== "number";
}

/**
 * Validates an address for `family` and resolves a host name in it (blocking,
 * through getaddrinfo) into the form the native layer takes, as Python's
 * socket methods do before each syscall. `op` names the method in messages.
 */
export function toNativeAddress(family: number, addr: AddressLike, op = "connect"): NativeAddressIn {
  if (family === AF_UNIX) {
    if (typeof addr === "string") {
      if (Buffer.byteLength(addr) > 108) throw new OSError("AF_UNIX path too long");
      return addr;
    }
    if (addr instanceof Uint8Array) {
      if (addr.byteLength > 108) throw new OSError("AF_UNIX path too long");
      return addr;
    }
    throw new TypeError(`${op}(): AF_UNIX address must be str or bytes, not ${Array.isArray(addr) ? "array" : typeof addr}`);
  }
  if (family !== AF_INET && family !== AF_INET6) {
    throw new OSError(`${op}(): bad family`);
  }
  if (!Array.isArray(addr)) {
    throw new TypeError(`${op}(): AF_INET${family === AF_INET6 ? "6" : ""} address must be an array, not ${typeof addr}`);
  }
  if (family === AF_INET && addr.length !== 2) {
    throw new TypeError("AF_INET address must be a pair [host, port]");
  }
  if (family === AF_INET6 && (addr.length < 2 || addr.length > 4)) {
    throw new TypeError("AF_INET6 address must be an array [host, port[, flowinfo[, scopeId]]]");
  }
  const [host, port, flowinfo, scopeId] = addr;
  if (typeof host !== "string") throw new TypeError(`${op}(): host must be a string, not ${typeof host}`);
  checkInt(port, "port");
  if (port < 0 || port > 65535) throw new ValueError(`${op}(): port must be 0-65535.`);
  if (flowinfo !== undefined) {
    checkInt(flowinfo, "flowinfo");
    if (flowinfo < 0 || flowinfo > 0xfffff) throw new ValueError(`${op}(): flowinfo must be 0-1048575.`);
  }
  if (scopeId !== undefined) checkInt(scopeId, "scopeId");
  let h = host;
  let resolvedScope = 0;
  if (!isNumericHost(family, host)) {
    const res = N.getaddrinfoSync(host, null, family, 0, 0, 0);
    if (!Array.isArray(res)) throw gaierrorFrom(res);
    const first = res[0];
    if (!first || !Array.isArray(first[4])) throw new gaierror(EAI_NONAME, N.gaiStrerror(EAI_NONAME));
    const sa = first[4];
    h = sa[0];
    if (sa.length === 4) resolvedScope = sa[3];
  }
  if (family === AF_INET) return [h, port];
  return [h, port, flowinfo ?? 0, scopeId ?? resolvedScope];
}

/** Python's socket repr shows a unix path bare and an IP address as a tuple. */
function formatAddress(a: Address): string {
  return typeof a === "string" ? a : pyRepr(a);
}

// What a collected-while-open socket leaves behind: never the socket itself,
// so that the registry does not keep it alive.
interface FdState {
  fd: number;
  family: number;
  type: number;
  proto: number;
}

/** Told of an fd just before Socket.close() closes it (net/selector.ts releases the fd's idle watcher). */
const closeListeners: ((fd: number) => void)[] = [];

/** @internal Registers `listener`, called with the fd just before each Socket.close() closes it. */
export function _onSocketClose(listener: (fd: number) => void): void {
  closeListeners.push(listener);
}

const registry = new FinalizationRegistry<FdState>((state) => {
  if (state.fd < 0) return;
  if (warningsOn()) {
    process.emitWarning(`unclosed ${describe(state, false)}`, "ResourceWarning");
  }
  N.close(state.fd);
  state.fd = -1;
});

function describe(s: FdState, closed: boolean): string {
  let out = `<Socket${closed ? " [closed]" : ""} fd=${s.fd}, family=${s.family}, type=${s.type}, proto=${s.proto}`;
  if (!closed && s.fd >= 0) {
    const l = N.getsockname(s.fd);
    if (l !== null && typeof l !== "number" && l !== "") out += `, laddr=${formatAddress(l)}`;
    const r = N.getpeername(s.fd);
    if (r !== null && typeof r !== "number" && r !== "") out += `, raddr=${formatAddress(r)}`;
  }
  return out + ">";
}

/**
 * @internal While `on`, each new Socket is adopted: it stays out of the
 * registry closing a collected open socket's fd, and its owner closes it or
 * calls _track(). The accept loop sets it around the Socket of each accepted
 * fd, whose transport, one iteration later, would take it out of the
 * registry anyway: a register and unregister cost ~2,000 instructions per
 * connection (callgrind), most in the registry's unregister-token table. A
 * flag rather than a wrapper function: V8 would compile the constructor once
 * more inlined into the wrapper. An adopted socket's arguments are taken as
 * given (the listener's family, type and proto, an fd from accept4() with
 * SOCK_NONBLOCK): only the accept loop may set it.
 */
export const _adoption = { on: false };

/**
 * Python's `socket.socket`: a real socket file descriptor with Python's
 * blocking, timeout and error semantics. `F` is the type of its family:
 * `new Socket(AF_INET6)` is a `Socket<Family<"AF_INET6">>`, whose
 * getsockname() is typed `[host, port, flowinfo, scopeId]`; a family known
 * only at run time gives `Socket<number>` (plain `Socket`) and the union.
 */
export class Socket<F extends number = number> implements Disposable {
  /** The fd, -1 once closed or detached. */
  #fd: number;
  #family: number;
  #type: number;
  #proto: number;
  #timeout: number | null;
  /**
   * What the registry closing a collected open socket's fd holds for this
   * one, or null while the socket is out of it: an adopted socket
   * (_adoption) has no such object at all.
   */
  #held: FdState | null = null;

  /**
   * Creates a socket, or wraps the socket fd `fileno` (its family, type and
   * proto are read from the fd when not given).
   */
  constructor(family: F = -1 as F, type: number = -1, proto: number = -1, fileno?: number | null) {
    if (_adoption.on) {
      // An accepted connection: the listener's family, type and proto, and
      // the fd accept4() returned with SOCK_NONBLOCK (_adoption). Nothing
      // below could fail or differ for it, and V8 compiles only this path for
      // the thousands of connections of a server's first burst.
      this.#fd = fileno as number;
      this.#family = family;
      this.#type = type & ~TYPE_FLAGS;
      this.#proto = proto;
      this.#timeout = 0;
      return;
    }
    checkInt(family, "family");
    checkInt(type, "type");
    checkInt(proto, "proto");
    let fd: number;
    if (fileno !== undefined && fileno !== null) {
      checkInt(fileno, "fileno");
      if (fileno < 0) throw new ValueError("negative file descriptor");
      fd = fileno;
      if (family === -1 || type === -1 || proto === -1) {
        const info = checkResult(N.socketInfo(fd));
        if (family === -1) family = info[0] as F;
        if (type === -1) type = info[1];
        if (proto === -1) proto = info[2];
      }
    } else {
      if (family === -1) family = AF_INET as number as F;
      if (type === -1) type = SOCK_STREAM;
      if (proto === -1) proto = 0;
      fd = check(N.socket(family, type, proto));
    }
    this.#fd = fd;
    this.#family = family;
    this.#type = type & ~TYPE_FLAGS;
    this.#proto = proto;
    if (!_adoption.on) this._track();
    if (type & SOCK_NONBLOCK) {
      this.#timeout = 0;
    } else {
      this.#timeout = defaultTimeout;
      if (defaultTimeout !== null) N.setNonblocking(fd, true);
    }
  }

  /** The address family (AF_INET, AF_INET6, AF_UNIX, ...). */
  get family(): F {
    return this.#family as F;
  }

  /** The socket type, without SOCK_NONBLOCK and SOCK_CLOEXEC. */
  get type(): number {
    return this.#type;
  }

  /** The protocol number. */
  get proto(): number {
    return this.#proto;
  }

  /** Whether close() or detach() was called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The file descriptor, or -1 once closed or detached. */
  fileno(): number {
    return this.#fd;
  }

  /** Blocking (true: timeout null) or non-blocking (false: timeout 0). */
  setblocking(flag: boolean): void {
    this.settimeout(flag ? null : 0);
  }

  /** Whether the socket blocks (its timeout is not 0). */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /** null: blocking; 0: non-blocking; a positive number of seconds: operations time out with TimeoutError. */
  settimeout(value: number | null): void {
    const t = checkTimeout(value);
    this.#timeout = t;
    check(N.setNonblocking(this.#fd, t !== null));
  }

  /** The timeout in seconds, or null for a blocking socket. */
  gettimeout(): number | null {
    return this.#timeout;
  }

  // Python's sock_call: retry on EAGAIN while a positive timeout lasts.
  #call<T>(events: number, op: () => T | number, deadline?: number): T {
    const t = this.#timeout;
    let end = deadline;
    for (;;) {
      const r = op();
      if (typeof r !== "number" || r >= 0) return r as T;
      const err = -r;
      if (t !== null && t > 0 && (err === E.EAGAIN || err === E.EWOULDBLOCK)) {
        end ??= performance.now() + t * 1000;
        this.#wait(events, end);
        continue;
      }
      throw osError(err);
    }
  }

  #wait(events: number, end: number): void {
    const left = end - performance.now();
    if (left <= 0) throw new TimeoutError("timed out");
    const p = N.pollOne(this.#fd, events, Math.ceil(left));
    if (p === 0) throw new TimeoutError("timed out");
    if (p < 0) throw osError(-p);
  }

  /** Binds to `addr`. */
  bind(addr: AddressLike): void {
    const a = toNativeAddress(this.#family, addr, "bind");
    check(N.bind(this.#fd, this.#family, a));
  }

  /** Listens for connections (backlog: Python's default min(SOMAXCONN, 128); negative means 0). */
  listen(backlog?: number): void {
    let b = backlog === undefined ? Math.min(SOMAXCONN, 128) : checkInt(backlog, "backlog");
    if (b < 0) b = 0;
    check(N.listen(this.#fd, b));
  }

  /** Accepts a connection: `[socket, address]`; the new socket gets the default timeout, as in Python. */
  accept(): [Socket<F>, AddressOf<F>] {
    const fd = this.#call(POLLIN, () => N.accept(this.#fd));
    const addr = N.acceptedAddress();
    const sock = new Socket(this.#family as F, this.#type, this.#proto, fd);
    // Python's issue #7995: a listener with a timeout must not hand out a
    // socket that looks non-blocking.
    if (defaultTimeout === null && this.#timeout) sock.setblocking(true);
    return [sock, (addr ?? "") as AddressOf<F>];
  }

  #connect(addr: AddressLike, raise: boolean): number {
    const a = toNativeAddress(this.#family, addr, "connect");
    const fd = this.#fd;
    let r = N.connect(fd, this.#family, a);
    if (r === -E.EINPROGRESS && this.#timeout !== null && this.#timeout > 0) {
      try {
        this.#wait(POLLOUT, performance.now() + this.#timeout * 1000);
      } catch (e) {
        if (!raise && e instanceof TimeoutError) return E.EWOULDBLOCK;
        throw e;
      }
      r = -check(N.getsockopt(fd, SOL_SOCKET, SO_ERROR));
    }
    if (r < 0 && raise) throw osError(-r);
    return -r;
  }

  /** Connects to `addr` (a host name is resolved, blocking); throws the OSError subclass on failure, BlockingIOError (EINPROGRESS) when non-blocking. */
  connect(addr: AddressLike): void {
    this.#connect(addr, true);
  }

  /** Like connect(), but returns the errno (0 on success) instead of throwing an OSError. */
  connectEx(addr: AddressLike): number {
    return this.#connect(addr, false);
  }

  /** Receives up to n bytes (empty at EOF). */
  recv(n: number, flags = 0): Buffer {
    checkInt(n, "bufsize");
    if (n < 0) throw new ValueError("negative buffersize in recv");
    checkInt(flags, "flags");
    return this.#call(POLLIN, () => N.recv(this.#fd, n, flags));
  }

  /** Receives into `buffer` (up to nbytes, 0 meaning its whole length): the number of bytes received. */
  recvInto(buffer: Bytes, nbytes = 0, flags = 0): number {
    checkBytes(buffer);
    checkInt(nbytes, "nbytes");
    checkInt(flags, "flags");
    if (nbytes < 0) throw new ValueError("negative buffersize in recv_into");
    const len = byteLength(buffer);
    if (nbytes === 0) nbytes = len;
    if (nbytes > len) throw new ValueError("buffer too small for requested bytes");
    return this.#call(POLLIN, () => N.recvInto(this.#fd, buffer, 0, nbytes, flags));
  }

  /** Receives a datagram (or up to n bytes): `[data, address]` (address null when the kernel gives none). */
  recvfrom(n: number, flags = 0): [Buffer, AddressOf<F> | null] {
    checkInt(n, "bufsize");
    if (n < 0) throw new ValueError("negative buffersize in recvfrom");
    checkInt(flags, "flags");
    return this.#call(POLLIN, () => N.recvfrom(this.#fd, n, flags)) as [Buffer, AddressOf<F> | null];
  }

  /** Receives a datagram into `buffer`: `[nbytes, address]`. */
  recvfromInto(buffer: Bytes, nbytes = 0, flags = 0): [number, AddressOf<F> | null] {
    checkBytes(buffer);
    checkInt(nbytes, "nbytes");
    checkInt(flags, "flags");
    if (nbytes < 0) throw new ValueError("negative buffersize in recvfrom_into");
    const len = byteLength(buffer);
    if (nbytes === 0) nbytes = len;
    if (nbytes > len) throw new ValueError("nbytes is greater than the length of the buffer");
    return this.#call(POLLIN, () => N.recvfromInto(this.#fd, buffer, 0, nbytes, flags)) as [number, AddressOf<F> | null];
  }

  /** Sends data: the number of bytes sent (maybe fewer than given). */
  send(data: Bytes, flags = 0): number {
    checkBytes(data);
    checkInt(flags, "flags");
    return this.#call(POLLOUT, () => N.send(this.#fd, data, 0, byteLength(data), flags));
  }

  /** Sends all of data; the timeout, if any, bounds the whole call. */
  sendall(data: Bytes, flags = 0): void {
    checkBytes(data);
    checkInt(flags, "flags");
    const total = byteLength(data);
    const deadline = this.#timeout !== null && this.#timeout > 0 ? performance.now() + this.#timeout * 1000 : undefined;
    let off = 0;
    do {
      off += this.#call(POLLOUT, () => N.send(this.#fd, data, off, total - off, flags), deadline);
    } while (off < total);
  }

  /** Sends a datagram to `addr` (Python's `sendto(data, address)` and `sendto(data, flags, address)`). */
  sendto(data: Bytes, address: AddressLike): number;
  sendto(data: Bytes, flags: number, address: AddressLike): number;
  sendto(data: Bytes, flagsOrAddress: number | AddressLike, address?: AddressLike): number {
    checkBytes(data);
    let flags = 0;
    let addr: AddressLike;
    if (address === undefined) {
      addr = flagsOrAddress as AddressLike;
    } else {
      flags = checkInt(flagsOrAddress, "flags");
      addr = address;
    }
    const a = toNativeAddress(this.#family, addr, "sendto");
    return this.#call(POLLOUT, () => N.sendto(this.#fd, data, this.#family, a, flags));
  }

  /** Shuts down one or both directions (SHUT_RD, SHUT_WR, SHUT_RDWR). */
  shutdown(how: number): void {
    checkInt(how, "how");
    check(N.shutdown(this.#fd, how));
  }

  /** Closes the socket (idempotent; ECONNRESET from close is ignored, as Python does). */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    this._untrack();
    for (const listener of closeListeners) listener(fd);
    const r = N.close(fd);
    if (r < 0 && -r !== E.ECONNRESET) throw osError(-r);
  }

  /**
   * @internal The fd's owner closes it: a socket transport, which its
   * selector holds (so it cannot be collected) until it closes the socket.
   * The socket leaves the registry that closes a collected open socket's fd,
   * and the connection does not keep the registry's cell (~74 bytes).
   * `_track()` puts it back (the selector does that when its loop closes).
   */
  _untrack(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    registry.unregister(held);
  }

  /** @internal Closes the fd if the socket is collected while open (every socket but an adopted one starts so). */
  _track(): void {
    if (this.#fd < 0 || this.#held !== null) return;
    const held: FdState = { fd: this.#fd, family: this.#family, type: this.#type, proto: this.#proto };
    this.#held = held;
    registry.register(this, held, held);
  }

  /** Gives up the fd without closing it: returns it; the socket is closed afterwards. */
  detach(): number {
    const fd = this.#fd;
    this.#fd = -1;
    this._untrack();
    return fd;
  }

  /** The local address. */
  getsockname(): AddressOf<F> {
    return (checkResult(N.getsockname(this.#fd)) ?? "") as AddressOf<F>;
  }

  /** The remote address (ENOTCONN when not connected). */
  getpeername(): AddressOf<F> {
    return (checkResult(N.getpeername(this.#fd)) ?? "") as AddressOf<F>;
  }

  /** Sets an option: an int (booleans are 1/0) or raw bytes for struct options. */
  setsockopt(level: number, opt: number, value: number | boolean | Bytes): void {
    checkInt(level, "level");
    checkInt(opt, "option");
    if (typeof value === "number" || typeof value === "boolean") {
      if (typeof value === "number") checkInt(value, "value");
      check(N.setsockopt(this.#fd, level, opt, value));
    } else {
      check(N.setsockoptBytes(this.#fd, level, opt, checkBytes(value)));
    }
  }

  /** Reads an int option, or `buflen` raw bytes of a struct option. */
  getsockopt(level: number, opt: number): number;
  getsockopt(level: number, opt: number, buflen: number): Buffer;
  getsockopt(level: number, opt: number, buflen?: number): number | Buffer {
    checkInt(level, "level");
    checkInt(opt, "option");
    if (buflen === undefined) return check(N.getsockopt(this.#fd, level, opt));
    checkInt(buflen, "buflen");
    if (buflen <= 0 || buflen > 1024) throw new OSError("getsockopt buflen out of range");
    return checkResult(N.getsockoptBytes(this.#fd, level, opt, buflen));
  }

  /** A new Socket on a duplicate of the fd, with the same timeout. */
  dup(): Socket<F> {
    const fd = check(N.dup(this.#fd));
    const s = new Socket(this.#family as F, this.#type, this.#proto, fd);
    s.settimeout(this.#timeout);
    return s;
  }

  /** Python's repr: `<Socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 8080)>`. */
  toString(): string {
    return describe({ fd: this.#fd, family: this.#family, type: this.#type, proto: this.#proto }, this.#fd < 0);
  }

  /** Shows the repr in console.log and util.inspect. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Closes the socket (`using sock = new Socket()`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A connected pair of sockets (AF_UNIX by default). */
export function socketpair<F extends number = typeof AF_UNIX>(
  family: F = AF_UNIX as number as F, type: number = SOCK_STREAM, proto = 0,
): [Socket<F>, Socket<F>] {
  checkInt(family, "family");
  checkInt(type, "type");
  checkInt(proto, "proto");
  const [a, b] = checkResult(N.socketpair(family, type, proto));
  return [new Socket(family, type, proto, a), new Socket(family, type, proto, b)];
}

/** A Socket on a duplicate of `fd`, as Python's `socket.fromfd()`. */
export function fromfd<F extends number>(fd: number, family: F, type: number, proto = 0): Socket<F> {
  checkInt(fd, "fd");
  return new Socket(family, type, proto, check(N.dup(fd)));
}

/** Python's `socket.getaddrinfo()` (blocking): `[family, type, proto, canonname, sockaddr]` tuples; throws gaierror. */
export function getaddrinfo(
  host: string | null,
  port: string | number | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): AddrInfo[] {
  if (host !== null && typeof host !== "string") throw new TypeError("getaddrinfo() argument 1 must be string or null");
  if (port !== null && typeof port !== "string" && typeof port !== "number") {
    throw new OSError("Int or String expected");
  }
  if (typeof port === "number") checkInt(port, "port");
  const r = N.getaddrinfoSync(host, port, checkInt(family, "family"), checkInt(type, "type"), checkInt(proto, "proto"), checkInt(flags, "flags"));
  if (!Array.isArray(r)) throw gaierrorFrom(r);
  return r;
}

/** Python's `socket.getnameinfo()` (blocking): `[host, port]` strings; the family follows the address's shape. */
export function getnameinfo(sockaddr: IPv4Address | [host: string, port: number, flowinfo?: number, scopeId?: number], flags: number): [string, string] {
  if (!Array.isArray(sockaddr) || sockaddr.length < 2 || sockaddr.length > 4) {
    throw new TypeError("getnameinfo() argument 1 must be an array [host, port[, flowinfo[, scopeId]]]");
  }
  checkInt(flags, "flags");
  const family = sockaddr.length > 2 || String(sockaddr[0]).includes(":") ? AF_INET6 : AF_INET;
  const r = N.getnameinfoSync(sockaddr, family, flags);
  if (!Array.isArray(r)) throw gaierrorFrom(r);
  return r;
}

/** The host name of this machine. */
export function gethostname(): string {
  return hostname();
}

/** The packed bytes of a numeric address (Python's `socket.inet_pton`). */
export function inetPton(family: number, address: string): Buffer {
  checkInt(family, "family");
  if (typeof address !== "string") throw new TypeError("inet_pton() argument 2 must be str");
  const r = N.inetPton(family, address);
  if (typeof r === "number") {
    if (-r === E.EAFNOSUPPORT) throw osError(-r);
    throw new OSError("illegal IP address string passed to inet_pton");
  }
  return r;
}

/** The text form of a packed address (Python's `socket.inet_ntop`). */
export function inetNtop(family: number, packed: Bytes): string {
  checkInt(family, "family");
  checkBytes(packed);
  const r = N.inetNtop(family, packed);
  if (typeof r === "number") {
    if (family !== AF_INET && family !== AF_INET6) throw new ValueError("unknown address family " + family);
    throw new ValueError("invalid length of packed IP address string");
  }
  return r;
}
