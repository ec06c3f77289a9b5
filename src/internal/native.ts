import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "./package-root.js";

// Conventions of the addon (native/):
// - A syscall wrapper returns a value >= 0 (or a Buffer, array, address) on
//   success and `-errno` (a negative number) on failure; it never throws for
//   an OS error, so EAGAIN on a hot path costs no exception. Only arguments of
//   the wrong type throw (TypeError), or out of range (RangeError).
// - Every fd it creates is close-on-exec.
// - Addresses are Python's forms (NativeAddress below); hosts must be numeric
//   ("" is the wildcard, "<broadcast>" INADDR_BROADCAST, IPv6 may carry
//   "%scope"): a host that is not numeric gives -EINVAL.

/** Bytes accepted by the addon: any TypedArray, a DataView or an ArrayBuffer. */
export type NativeBytes = ArrayBufferView | ArrayBuffer;

/** An address as the addon reads and writes it. */
export type NativeAddress =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number, scopeId: number]
  | string;

/** An address the addon accepts (IPv6 flowinfo and scopeId are optional). */
export type NativeAddressIn =
  | NativeAddress
  | [host: string, port: number, flowinfo?: number, scopeId?: number]
  | Uint8Array;

/** One getaddrinfo result: `[family, type, proto, canonname, sockaddr]`. */
export type NativeAddrInfo = [family: number, type: number, proto: number, canonname: string, sockaddr: NativeAddress];

/** A getaddrinfo/getnameinfo failure: the platform's EAI_* code, errno for EAI_SYSTEM, gai_strerror(). */
export interface GaiFailure {
  /** The platform's EAI_* value (negative on glibc, as Python's `gaierror.errno`). */
  eai: number;
  /** The system errno when `eai` is EAI_SYSTEM, else 0. */
  errno: number;
  /** `gai_strerror(eai)`, or `strerror(errno)` for EAI_SYSTEM. */
  message: string;
}

/** The platform's true values of the constants the addon uses. */
export interface NativeConstants {
  readonly [name: string]: number;
}

/** The functions the C++ addon exports (native/). */
export interface NativeBinding {
  /** The addon's version. */
  version(): string;
  /** fn.call(thisArg) under a v8::TryCatch that captures no message (native/quiet-call.cc). */
  callQuietly(fn: () => void, thisArg: unknown): void;
  /** Platform constants: AF_*, SOCK_*, SOL_*, SO_*, IPPROTO_*, IP_*, IPV6_*, TCP_*, SHUT_*, MSG_*, AI_*, NI_*, EAI_*, POLL*, READABLE/WRITABLE/DISCONNECT/PRIORITIZED. */
  readonly constants: NativeConstants;

  /** socket(2) with SOCK_CLOEXEC added: fd or -errno. */
  socket(family: number, type: number, proto?: number): number;
  /** socketpair(2), close-on-exec: `[fd1, fd2]` or -errno. */
  socketpair(family?: number, type?: number, proto?: number): [number, number] | number;
  /** bind(2): 0 or -errno. */
  bind(fd: number, family: number, addr: NativeAddressIn): number;
  /** listen(2) (backlog defaults to SOMAXCONN): 0 or -errno. */
  listen(fd: number, backlog?: number): number;
  /** accept4(2) with SOCK_CLOEXEC | flags (e.g. SOCK_NONBLOCK): the new fd or -errno. The peer address is kept for acceptedAddress(). */
  accept(fd: number, flags?: number): number;
  /** The peer address of this thread's last successful accept() (null when the kernel gave none). */
  acceptedAddress(): NativeAddress | null;
  /** connect(2): 0 or -errno (-EINPROGRESS on a non-blocking socket). A blocking connect blocks the thread. */
  connect(fd: number, family: number, addr: NativeAddressIn): number;
  /** recv(2) of up to n bytes: a Buffer of exactly the bytes received (empty at EOF) or -errno. */
  recv(fd: number, n: number, flags?: number): Buffer | number;
  /** recv(2) into buffer[offset, offset + n): bytes read or -errno. */
  recvInto(fd: number, buffer: NativeBytes, offset?: number, n?: number, flags?: number): number;
  /** recvfrom(2): `[data, address]` (address null when the kernel gave none) or -errno. */
  recvfrom(fd: number, n: number, flags?: number): [Buffer, NativeAddress | null] | number;
  /** recvfrom(2) into buffer[offset, offset + n): `[nbytes, address]` or -errno. */
  recvfromInto(fd: number, buffer: NativeBytes, offset?: number, n?: number, flags?: number): [number, NativeAddress | null] | number;
  /** send(2) of buffer[offset, offset + length) with MSG_NOSIGNAL: bytes sent or -errno. */
  send(fd: number, buffer: NativeBytes, offset?: number, length?: number, flags?: number): number;
  /** sendto(2) of the whole buffer with MSG_NOSIGNAL: bytes sent or -errno. */
  sendto(fd: number, buffer: NativeBytes, family: number, addr: NativeAddressIn, flags?: number): number;
  /** sendmsg(2) of up to IOV_MAX buffers with MSG_NOSIGNAL: bytes sent or -errno. */
  sendmsg(fd: number, buffers: readonly NativeBytes[], flags?: number): number;
  /** writev(2) of up to IOV_MAX buffers (any fd: pipes too): bytes written or -errno. */
  writev(fd: number, buffers: readonly NativeBytes[]): number;
  /** shutdown(2): 0 or -errno. */
  shutdown(fd: number, how: number): number;
  /** close(2) (EINTR counts as closed): 0 or -errno. */
  close(fd: number): number;
  /** fcntl(F_DUPFD_CLOEXEC): the new fd or -errno. */
  dup(fd: number): number;
  /** getsockname(2): the address ("" for an unbound AF_UNIX socket; null for other families) or -errno. */
  getsockname(fd: number): NativeAddress | null | number;
  /** getpeername(2): the address or -errno (-ENOTCONN when unconnected). */
  getpeername(fd: number): NativeAddress | null | number;
  /** setsockopt(2) of an int option (a boolean is 1/0): 0 or -errno. */
  setsockopt(fd: number, level: number, opt: number, value: number | boolean): number;
  /** getsockopt(2) of an int option: its value or -errno (a negative option value cannot be told apart: use getsockoptBytes). */
  getsockopt(fd: number, level: number, opt: number): number;
  /** setsockopt(2) with a raw struct: 0 or -errno. */
  setsockoptBytes(fd: number, level: number, opt: number, value: NativeBytes): number;
  /** getsockopt(2) into a buffer of buflen (1..1024) bytes: the bytes the kernel wrote or -errno. */
  getsockoptBytes(fd: number, level: number, opt: number, buflen: number): Buffer | number;
  /** Sets or clears O_NONBLOCK: 0 or -errno. */
  setNonblocking(fd: number, flag: boolean): number;
  /** 1 when O_NONBLOCK is set, 0 when not, or -errno. */
  getNonblocking(fd: number): number;
  /** fstat(2) file type, or -errno. */
  fdType(fd: number): "socket" | "fifo" | "chr" | "reg" | "dir" | "blk" | "other" | number;
  /** `[family, type, proto]` of a socket fd (SO_DOMAIN, SO_TYPE, SO_PROTOCOL) or -errno. */
  socketInfo(fd: number): [number, number, number] | number;
  /** read(2) of up to n bytes: a Buffer of exactly the bytes read (empty at EOF) or -errno. */
  read(fd: number, n: number): Buffer | number;
  /** read(2) into buffer[offset, offset + n): bytes read or -errno. */
  readInto(fd: number, buffer: NativeBytes, offset?: number, n?: number): number;
  /** write(2) of buffer[offset, offset + length): bytes written or -errno. */
  write(fd: number, buffer: NativeBytes, offset?: number, length?: number): number;
  /** pipe2(2) with O_CLOEXEC | flags (e.g. O_NONBLOCK): `[readFd, writeFd]` or -errno. */
  pipe(flags?: number): [number, number] | number;
  /** poll(2) on one fd with POLL* events, blocking the thread up to timeoutMs (-1: forever): revents, 0 on timeout, or -errno. */
  pollOne(fd: number, events: number, timeoutMs: number): number;
  /** inet_pton(3): the packed address or -errno (-EINVAL when malformed, -EAFNOSUPPORT). */
  inetPton(family: number, address: string): Buffer | number;
  /** inet_ntop(3): the text form or -errno. */
  inetNtop(family: number, packed: NativeBytes): string | number;
  /** sendfile(2) from inFd at `offset` (inFd's position is left alone): bytes sent or -errno. */
  sendfile(outFd: number, inFd: number, offset: number, count: number): number;

  /**
   * getaddrinfo(3) on libuv's thread pool. Returns null when queued (the
   * callback then runs once, through MakeCallback), or a failure at once
   * (the callback is not called).
   */
  getaddrinfo(
    host: string | null,
    port: string | number | null,
    family: number,
    type: number,
    proto: number,
    flags: number,
    callback: (failure: GaiFailure | null, results: NativeAddrInfo[] | null) => void,
  ): GaiFailure | null;
  /** getaddrinfo(3), blocking the thread: the results or a failure. */
  getaddrinfoSync(
    host: string | null,
    port: string | number | null,
    family?: number,
    type?: number,
    proto?: number,
    flags?: number,
  ): NativeAddrInfo[] | GaiFailure;
  /** getnameinfo(3) on libuv's thread pool: null when queued, else a failure at once (a host that is not numeric is EAI_NONAME). */
  getnameinfo(
    addr: NativeAddressIn,
    family: number,
    flags: number,
    callback: (failure: GaiFailure | null, result: [host: string, service: string] | null) => void,
  ): GaiFailure | null;
  /** getnameinfo(3), blocking the thread: `[host, service]` or a failure. */
  getnameinfoSync(addr: NativeAddressIn, family: number, flags?: number): [host: string, service: string] | GaiFailure;
  /** gai_strerror(3). */
  gaiStrerror(code: number): string;

  /**
   * A new poller (native/poller.cc); each loop's selector makes its own. After each poll
   * phase of libuv that found ready fds, `callback(events, n)` runs once,
   * through MakeCallback: `events[2i]` is an fd, `events[2i + 1]` its mask
   * (an fd in error reports READABLE | WRITABLE). Read the pairs before
   * returning: the array is reused.
   */
  fastPoll(callback: (events: Int32Array, n: number) => void): FastPoller;
  /** lseek(2): the new offset or -errno. */
  lseek(fd: number, offset: number, whence: number): number;
  /** The addon's malloc policy in this environment (native/memory.cc). */
  memoryPolicy(): MemoryPolicy;
}

/** What memoryPolicy() reports. */
export interface MemoryPolicy {
  /** glibc's thresholds are raised (false with TSYNCIO_MALLOC_TUNE=0, or without glibc); only then is anything trimmed. */
  tuned: boolean;
  /** V8 sweeps dead ArrayBuffers within the scavenge instead of on a worker thread (false with TSYNCIO_GC_TUNE=0, when node's command line names the flag, or on a V8 it was not measured on). */
  gcTuned: boolean;
  /** malloc_trim(0) calls made once the process went quiet after a GC, or right after a forced full GC that reduced. */
  trims: number;
  /** Memory-reducing GCs asked of V8 after 4 MiB of fresh memory (read memory; each young-generation GC counts 1 MiB): once the process went quiet, or at once after a forced full GC (`gc()`). */
  collections: number;
  /** The process CPU milliseconds the last of those GCs took (0 before the first). */
  lastCollectionMs: number;
}

/** One unref'd uv_poll_t per fd, kept idle between uses (native/poller.cc). */
export interface FastPoller {
  /**
   * Watches fd for events (0: create or keep the handle idle): 0 or -errno.
   * With `now` false the fd is only claimed for `events` (its loop is
   * stopped): nothing is polled, and another poller's start() is -EEXIST.
   */
  start(fd: number, events: number, now?: boolean): number;
  /** Stops watching fd; the handle stays idle. */
  stop(fd: number): number;
  /** Releases fd's handle (before the fd is closed, if it is watched). */
  close(fd: number): number;
  /** Releases every handle of this poller and the poller itself (its loop is closing); later calls do nothing. */
  dispose(): void;
  /** Tells the addon of a new read slab (its memory counts as fresh for the addon's trim); JS passes it to recvSlab(). */
  setSlab(buffer: Uint8Array): void;
  /**
   * When big > 0 and at least `big` bytes are waiting (FIONREAD), receives
   * them into a new Buffer of that size (at most the slab's length) and
   * returns it; else one recv(2) into `slab` from offset to its end: bytes
   * read, 0 at EOF, or -errno (-EINVAL for an offset outside the slab).
   */
  recvSlab(fd: number, slab: Uint8Array, offset: number, big: number): Buffer | number;
  /** recv(2) into u8[offset, offset + length): bytes read, 0 at EOF, or -errno. */
  recvU8(fd: number, u8: Uint8Array, offset: number, length: number): number;
  /** send(2) with MSG_NOSIGNAL of u8[offset, offset + length): bytes sent or -errno. */
  sendU8(fd: number, u8: Uint8Array, offset: number, length: number): number;
}

let binding: NativeBinding | null = null;

/**
 * fn.call(thisArg) with V8 building no message for the exceptions thrown
 * inside (native/quiet-call.cc says why); an exception that leaves fn is
 * rethrown. Without the addon, a plain call.
 */
export function callQuietly(fn: () => void, thisArg: unknown): void {
  quiet(fn, thisArg);
}

let quiet = (fn: () => void, thisArg: unknown): void => {
  let f: NativeBinding["callQuietly"] | undefined;
  try {
    f = native().callQuietly;
  } catch {
    // The loop core runs without the addon; only fds, sockets and the like need it.
  }
  quiet = typeof f === "function" ? f : (g, self) => g.call(self);
  quiet(fn, thisArg);
};

/** Loads the addon once; every module that needs it goes through here. */
export function native(): NativeBinding {
  if (binding === null) {
    const root = packageRoot();
    const file = join(root, "build", "Release", "tsyncio.node");
    if (!existsSync(file)) {
      // Install scripts skipped (npm --ignore-scripts, pnpm's default) or a failed build.
      throw new Error(
        `tsyncio's native addon was not built (${file} is missing): the package's install script, ` +
        `which compiles it with node-gyp, did not run or failed. Build it with \`npm rebuild tsyncio\` ` +
        `(pnpm: \`pnpm rebuild tsyncio\`, or allow its build script); it needs python3, make and a C++ compiler.`,
      );
    }
    binding = createRequire(join(root, "package.json"))(file) as NativeBinding;
  }
  return binding;
}
