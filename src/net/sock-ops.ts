import { Buffer } from "node:buffer";
import { fstatSync, read as fsRead } from "node:fs";
import { constants as osConstants } from "node:os";
import {
  ConnectionError, OSError, RuntimeError, SendfileNotAvailableError, ValueError, osError,
  osErrorWithMessage,
} from "../stdlib/exceptions.js";
import type { BaseEventLoop } from "../core/base-events.js";
import { Handle, reprValue, type Callback, type FileDescriptorLike, type FileLike } from "../core/events.js";
import { Future, wrapFuture } from "../core/futures.js";
import type { Coroutine } from "../core/coroutines.js";
import { native, type FastPoller } from "../internal/native.js";
import { bytesExpected, pyRepr, pyTypeName } from "../internal/pyrepr.js";
import {
  AF_INET, AF_INET6, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_ERROR, Socket, toNativeAddress,
  type Address, type AddressLike,
} from "../stdlib/socket.js";
import { getaddrinfo, ipaddrInfo } from "./dns.js";

const N = native();
const E = osConstants.errno;
const EAGAIN = E.EAGAIN;
const EINTR = E.EINTR;
const EINPROGRESS = E.EINPROGRESS;
const SEEK_SET = 0;
/** Python's constants.SENDFILE_FALLBACK_READBUFFER_SIZE. */
const SENDFILE_FALLBACK_READBUFFER_SIZE = 256 * 1024;

import { _addReader, _addWriter, _removeReader, _removeWriter, ensureFdNoTransport, selectorOf } from "./selector.js";

// selector_events.py's sock_* methods: each tries the syscall at once and,
// on EAGAIN, waits for the fd with a reader or writer of its own.

/**
 * The future of one sock_* call. It owns the reader or writer it registered:
 * completing or cancelling it removes that watcher at once (asyncio does it
 * from a done callback one iteration later; removing it here saves a
 * callback per operation and leaves the socket usable right away).
 */
class SockFuture<T> extends Future<T> {
  /** @internal */ _fd = -1;
  /** @internal */ _handle: Handle | null = null;
  /** @internal */ _write = false;
  /** @internal Run when cancelled (sendfile puts the file position back). */
  _onCancel: (() => void) | null = null;

  /** @internal */
  _watch(loop: BaseEventLoop, fd: number, write: boolean, cb: Callback, args: unknown[]): void {
    ensureFdNoTransport(loop, fd);
    this._fd = fd;
    this._write = write;
    this._handle = write ? _addWriter(loop, fd, cb, args) : _addReader(loop, fd, cb, args);
  }

  /** @internal Removes the watcher this operation registered, if it is still the fd's. */
  _release(): void {
    const h = this._handle;
    if (h === null) return;
    this._handle = null;
    if (h._cancelled) return;
    const loop = this._loop as BaseEventLoop;
    const e = selectorOf(loop).entry(this._fd);
    if (e === undefined) return;
    if (this._write ? e.writer === h : e.reader === h) {
      if (this._write) _removeWriter(loop, this._fd);
      else _removeReader(loop, this._fd);
    }
  }

  override cancel(msg?: string | null): boolean {
    if (!super.cancel(msg)) return false;
    this._release();
    const f = this._onCancel;
    this._onCancel = null;
    f?.();
    return true;
  }

  /** @internal */
  _done(result: T): void {
    this._release();
    this.setResult(result);
  }

  /** @internal */
  _fail(exc: unknown): void {
    this._release();
    this.setException(exc);
  }
}

function failed<T>(loop: BaseEventLoop, exc: unknown): Future<T> {
  const f = new Future<T>({ loop });
  f.setException(exc);
  return f;
}

function resolved<T>(loop: BaseEventLoop, value: T): Future<T> {
  const f = new Future<T>({ loop });
  f.setResult(value);
  return f;
}

function isRetry(r: number): boolean {
  return r === -EAGAIN || r === -EINTR;
}

function checkNonBlocking(sock: Socket): void {
  if (sock.gettimeout() !== 0) throw new ValueError("the socket must be non-blocking");
}

function checkBuffer(buf: unknown, what: string): void {
  if (!ArrayBuffer.isView(buf)) throw new TypeError(`${what} must be a writable bytes-like object, not '${pyTypeName(buf)}'`);
}


function recvCb(fut: SockFuture<Buffer>, sock: Socket, n: number): void {
  if (fut.done()) return;
  const r = N.recv(sock.fileno(), n);
  if (typeof r === "number") {
    if (!isRetry(r)) fut._fail(osError(-r));
  } else {
    fut._done(r);
  }
}

/** loop.sockRecv(): up to `n` bytes (empty at EOF). */
export function sockRecv(loop: BaseEventLoop, sock: Socket, n: number): Future<Buffer> {
  try {
    checkNonBlocking(sock);
    if (typeof n !== "number" || !Number.isInteger(n)) throw new TypeError(`'${pyTypeName(n)}' object cannot be interpreted as an integer`);
    if (n < 0) throw new ValueError("negative buffersize in recv");
    const fd = sock.fileno();
    const r = N.recv(fd, n);
    if (typeof r !== "number") return resolved(loop, r);
    if (!isRetry(r)) throw osError(-r);
    loop._checkClosed();
    const fut = new SockFuture<Buffer>({ loop });
    fut._watch(loop, fd, false, recvCb as Callback, [fut, sock, n]);
    return fut;
  } catch (exc) {
    return failed(loop, exc);
  }
}

function recvIntoCb(fut: SockFuture<number>, sock: Socket, buf: Uint8Array): void {
  if (fut.done()) return;
  const r = N.recvInto(sock.fileno(), buf, 0, buf.byteLength);
  if (r < 0) {
    if (!isRetry(r)) fut._fail(osError(-r));
  } else {
    fut._done(r);
  }
}

/** loop.sockRecvInto(): receives into `buf`; the number of bytes received (0 at EOF). */
export function sockRecvInto(loop: BaseEventLoop, sock: Socket, buf: Uint8Array): Future<number> {
  try {
    checkNonBlocking(sock);
    checkBuffer(buf, "recv_into() argument 'buffer'");
    const fd = sock.fileno();
    const r = N.recvInto(fd, buf, 0, buf.byteLength);
    if (r >= 0) return resolved(loop, r);
    if (!isRetry(r)) throw osError(-r);
    loop._checkClosed();
    const fut = new SockFuture<number>({ loop });
    fut._watch(loop, fd, false, recvIntoCb as Callback, [fut, sock, buf]);
    return fut;
  } catch (exc) {
    return failed(loop, exc);
  }
}

function recvfromCb(fut: SockFuture<[Buffer, Address]>, sock: Socket, n: number): void {
  if (fut.done()) return;
  const r = N.recvfrom(sock.fileno(), n);
  if (typeof r === "number") {
    if (!isRetry(r)) fut._fail(osError(-r));
  } else {
    fut._done(r as [Buffer, Address]);
  }
}

/** loop.sockRecvfrom(): a datagram (or up to `bufsize` bytes) and the sender's address. */
export function sockRecvfrom(loop: BaseEventLoop, sock: Socket, bufsize: number): Future<[Buffer, Address]> {
  try {
    checkNonBlocking(sock);
    if (typeof bufsize !== "number" || !Number.isInteger(bufsize)) throw new TypeError(`'${pyTypeName(bufsize)}' object cannot be interpreted as an integer`);
    if (bufsize < 0) throw new ValueError("negative buffersize in recvfrom");
    const fd = sock.fileno();
    const r = N.recvfrom(fd, bufsize);
    if (typeof r !== "number") return resolved(loop, r as [Buffer, Address]);
    if (!isRetry(r)) throw osError(-r);
    loop._checkClosed();
    const fut = new SockFuture<[Buffer, Address]>({ loop });
    fut._watch(loop, fd, false, recvfromCb as Callback, [fut, sock, bufsize]);
    return fut;
  } catch (exc) {
    return failed(loop, exc);
  }
}

function recvfromIntoCb(fut: SockFuture<[number, Address]>, sock: Socket, buf: Uint8Array, n: number): void {
  if (fut.done()) return;
  const r = N.recvfromInto(sock.fileno(), buf, 0, n);
  if (typeof r === "number") {
    if (!isRetry(r)) fut._fail(osError(-r));
  } else {
    fut._done(r as [number, Address]);
  }
}

/** loop.sockRecvfromInto(): a datagram into `buf` (up to `nbytes`, 0 meaning its length): `[nbytes, address]`. */
export function sockRecvfromInto(loop: BaseEventLoop, sock: Socket, buf: Uint8Array, nbytes: number): Future<[number, Address]> {
  try {
    checkNonBlocking(sock);
    checkBuffer(buf, "recvfrom_into() argument 'buffer'");
    if (!nbytes) nbytes = buf.byteLength;
    if (nbytes < 0) throw new ValueError("negative buffersize in recvfrom_into");
    if (nbytes > buf.byteLength) throw new ValueError("nbytes is greater than the length of the buffer");
    const fd = sock.fileno();
    const r = N.recvfromInto(fd, buf, 0, nbytes);
    if (typeof r !== "number") return resolved(loop, r as [number, Address]);
    if (!isRetry(r)) throw osError(-r);
    loop._checkClosed();
    const fut = new SockFuture<[number, Address]>({ loop });
    fut._watch(loop, fd, false, recvfromIntoCb as Callback, [fut, sock, buf, nbytes]);
    return fut;
  } catch (exc) {
    return failed(loop, exc);
  }
}

function sendtoCb(fut: SockFuture<number>, sock: Socket, data: Uint8Array, addr: ReturnType<typeof toNativeAddress>): void {
  if (fut.done()) return;
  const r = N.sendto(sock.fileno(), data, sock.family, addr);
  if (r < 0) {
    if (!isRetry(r)) fut._fail(osError(-r));
  } else {
    fut._done(r);
  }
}

/** loop.sockSendto(): sends a datagram to `address`; the number of bytes sent. */
export function sockSendto(loop: BaseEventLoop, sock: Socket, data: Uint8Array, address: Address): Future<number> {
  try {
    checkNonBlocking(sock);
    checkData(data);
    const addr = toNativeAddress(sock.family, address as AddressLike, "sendto");
    const fd = sock.fileno();
    const r = N.sendto(fd, data, sock.family, addr);
    if (r >= 0) return resolved(loop, r);
    if (!isRetry(r)) throw osError(-r);
    loop._checkClosed();
    const fut = new SockFuture<number>({ loop });
    fut._watch(loop, fd, true, sendtoCb as Callback, [fut, sock, data, addr]);
    return fut;
  } catch (exc) {
    return failed(loop, exc);
  }
}

function checkData(data: unknown): void {
  if (!ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) {
    throw bytesExpected(data);
  }
}

/** The state of a sockSendall in progress (one object, no closure per call). */
interface SendallState {
  fut: SockFuture<void>;
  sock: Socket;
  data: Uint8Array;
  pos: number;
}

function sendallCb(st: SendallState): void {
  const fut = st.fut;
  if (fut.done()) return;
  const fd = st.sock.fileno();
  const data = st.data;
  const len = data.byteLength;
  let pos = st.pos;
  // Send until the kernel pushes back: fewer wakeups than one send per event.
  while (pos < len) {
    const n = N.send(fd, data, pos, len - pos);
    if (n < 0) {
      if (isRetry(n)) break;
      fut._fail(osError(-n));
      return;
    }
    pos += n;
  }
  st.pos = pos;
  if (pos === len) fut._done(undefined);
}

/** loop.sockSendall(): sends all of `data`. */
export function sockSendall(loop: BaseEventLoop, sock: Socket, data: Uint8Array): Future<void> {
  try {
    checkNonBlocking(sock);
    checkData(data);
    const fd = sock.fileno();
    const len = data.byteLength;
    let n = N.send(fd, data, 0, len);
    if (n < 0) {
      if (!isRetry(n)) throw osError(-n);
      n = 0;
    }
    if (n === len) return resolved(loop, undefined);
    loop._checkClosed();
    const fut = new SockFuture<void>({ loop });
    const st: SendallState = { fut, sock, data, pos: n };
    fut._watch(loop, fd, true, sendallCb as Callback, [st]);
    return fut;
  } catch (exc) {
    return failed(loop, exc);
  }
}

/** sockConnect's writer callback: finishes the connect with SO_ERROR's verdict. */
function connectCb(fut: SockFuture<void>, sock: Socket, address: unknown): void {
  if (fut.done()) return;
  const err = N.getsockopt(sock.fileno(), SOL_SOCKET, SO_ERROR);
  if (err < 0) {
    if (!isRetry(err)) fut._fail(osError(-err));
    return;
  }
  if (err !== 0) {
    // EINPROGRESS/EALREADY here mean the connection is still under way.
    if (err === EINPROGRESS || err === E.EALREADY) return;
    fut._fail(osErrorWithMessage(err, `Connect call failed ${pyRepr(address)}`));
    return;
  }
  fut._done(undefined);
}

function startConnect(loop: BaseEventLoop, fut: SockFuture<void>, sock: Socket, address: AddressLike): void {
  try {
    const a = toNativeAddress(sock.family, address, "connect");
    const fd = sock.fileno();
    const r = N.connect(fd, sock.family, a);
    if (r === 0) {
      fut.setResult(undefined);
    } else if (r === -EINPROGRESS || isRetry(r)) {
      // The connection runs in the background: writable means it is done.
      fut._watch(loop, fd, true, connectCb as Callback, [fut, sock, address]);
    } else {
      fut.setException(osError(-r));
    }
  } catch (exc) {
    fut.setException(exc);
  }
}

/** loop.sockConnect(): connects `sock` to `address` (a host name is resolved with loop.getaddrinfo first, as Python's _ensure_resolved). */
export function sockConnect(loop: BaseEventLoop, sock: Socket, address: Address): Future<void> {
  try {
    checkNonBlocking(sock);
    loop._checkClosed();
  } catch (exc) {
    return failed(loop, exc);
  }
  const fut = new SockFuture<void>({ loop });
  const family = sock.family;
  if ((family === AF_INET || family === AF_INET6) && Array.isArray(address)) {
    const [host, port, ...rest] = address as [string, number, number?, number?];
    const info = ipaddrInfo(host, port, family, sock.type, sock.proto, rest[0] ?? 0, rest[1] ?? 0);
    if (info !== null) {
      startConnect(loop, fut, sock, info[4] as AddressLike);
    } else {
      const res = getaddrinfo(loop, host, port, { family, type: sock.type, proto: sock.proto });
      res.addDoneCallback(() => {
        if (fut.done()) return;
        if (res.cancelled()) {
          fut.cancel();
          return;
        }
        const exc = res.exception();
        if (exc !== null) {
          fut.setException(exc);
          return;
        }
        const infos = res.result();
        if (infos.length === 0) {
          fut.setException(new OSError(`getaddrinfo() returned empty list`));
          return;
        }
        startConnect(loop, fut, sock, infos[0]![4] as AddressLike);
      });
    }
  } else {
    startConnect(loop, fut, sock, address as AddressLike);
  }
  return fut;
}

function acceptOne(sock: Socket): [Socket, Address] | number {
  const fd = N.accept(sock.fileno(), SOCK_NONBLOCK);
  if (fd < 0) return fd;
  const addr = N.acceptedAddress();
  const conn = new Socket(sock.family, sock.type | SOCK_NONBLOCK, sock.proto, fd);
  return [conn, (addr ?? "") as Address];
}

function acceptCb(fut: SockFuture<[Socket, Address]>, sock: Socket): void {
  if (fut.done()) return;
  const r = acceptOne(sock);
  if (typeof r === "number") {
    if (!isRetry(r)) fut._fail(osError(-r));
  } else {
    fut._done(r);
  }
}

/** loop.sockAccept(): `[conn, address]`, conn non-blocking. */
export function sockAccept(loop: BaseEventLoop, sock: Socket): Future<[Socket, Address]> {
  try {
    checkNonBlocking(sock);
    const r = acceptOne(sock);
    if (typeof r !== "number") return resolved(loop, r);
    if (!isRetry(r)) throw osError(-r);
    loop._checkClosed();
    const fut = new SockFuture<[Socket, Address]>({ loop });
    fut._watch(loop, sock.fileno(), false, acceptCb as Callback, [fut, sock]);
    return fut;
  } catch (exc) {
    return failed(loop, exc);
  }
}

// ---- sock_sendfile ---------------------------------------------------------------

/** @internal The fd of a sendfile `file` argument (fd number, fileno(), or a FileHandle's fd), or null. */
export function fileFd(file: FileLike): number | null {
  if (typeof file === "number") return Number.isInteger(file) && file >= 0 ? file : null;
  const obj = file as { fileno?: unknown; fd?: unknown };
  if (typeof obj.fileno === "function") {
    const v: unknown = (obj.fileno as () => unknown).call(file);
    return typeof v === "number" && v >= 0 ? v : null;
  }
  if (typeof obj.fd === "number" && obj.fd >= 0) return obj.fd;
  return null;
}

/** @internal Python's base_events._check_sendfile_params. */
export function checkSendfileParams(sock: Socket, file: FileLike, offset: unknown, count: unknown): void {
  const mode = (file as { mode?: unknown } | null)?.mode;
  if (typeof mode === "string" && !mode.includes("b")) throw new ValueError("file should be opened in binary mode");
  if (sock.type !== SOCK_STREAM) throw new ValueError("only SOCK_STREAM type sockets are supported");
  checkOffsetCount(offset, count);
}

/** @internal The offset/count checks shared by sock_sendfile and loop.sendfile (Python's wording). */
export function checkOffsetCount(offset: unknown, count: unknown): void {
  if (count !== null && count !== undefined) {
    if (typeof count !== "number" || !Number.isInteger(count)) throw new TypeError(`count must be a positive integer (got ${reprValue(count)})`);
    if (count <= 0) throw new ValueError(`count must be a positive integer (got ${count})`);
  }
  if (typeof offset !== "number" || !Number.isInteger(offset)) throw new TypeError(`offset must be a non-negative integer (got ${reprValue(offset)})`);
  if (offset < 0) throw new ValueError(`offset must be a non-negative integer (got ${offset})`);
}

interface SendfileState {
  fut: SockFuture<number>;
  sock: Socket;
  fileno: number;
  offset: number;
  count: number | null;
  blocksize: number;
  totalSent: number;
}

function updateFilepos(st: SendfileState): void {
  if (st.totalSent > 0) N.lseek(st.fileno, st.offset, SEEK_SET);
}

function sendfileStep(st: SendfileState): boolean {
  const fut = st.fut;
  const fd = st.sock.fileno();
  for (;;) {
    if (st.count) {
      st.blocksize = st.count - st.totalSent;
      if (st.blocksize <= 0) {
        updateFilepos(st);
        fut._done(st.totalSent);
        return true;
      }
    }
    const sent = N.sendfile(fd, st.fileno, st.offset, st.blocksize);
    if (sent < 0) {
      if (isRetry(sent)) return false;
      updateFilepos(st);
      if (st.totalSent === 0) {
        // Most often the file is not a regular, mmap-able one: the caller falls back to send().
        fut._fail(new SendfileNotAvailableError("os.sendfile call failed"));
      } else if (-sent === E.ENOTCONN) {
        fut._fail(new ConnectionError(E.ENOTCONN, "socket is not connected"));
      } else {
        fut._fail(osError(-sent));
      }
      return true;
    }
    if (sent === 0) {
      updateFilepos(st);
      fut._done(st.totalSent);
      return true;
    }
    st.offset += sent;
    st.totalSent += sent;
  }
}

function sendfileCb(st: SendfileState): void {
  if (st.fut.done()) return;
  sendfileStep(st);
}

function sendfileNative(loop: BaseEventLoop, sock: Socket, file: FileLike, offset: number, count: number | null): Future<number> {
  const fileno = fileFd(file);
  if (fileno === null) throw new SendfileNotAvailableError("not a regular file");
  let fsize: number;
  try {
    fsize = fstatSync(fileno).size;
  } catch {
    throw new SendfileNotAvailableError("not a regular file");
  }
  const blocksize = count ? count : fsize;
  if (!blocksize) return resolved(loop, 0);
  const fut = new SockFuture<number>({ loop });
  const st: SendfileState = { fut, sock, fileno, offset, count, blocksize, totalSent: 0 };
  if (!sendfileStep(st)) {
    fut._onCancel = () => updateFilepos(st);
    fut._watch(loop, sock.fileno(), true, sendfileCb as Callback, [st]);
  }
  return fut;
}

function* sendfileFallback(loop: BaseEventLoop, sock: Socket, file: FileLike, offset: number, count: number | null): Coroutine<number> {
  const fileno = fileFd(file);
  if (fileno === null) throw new TypeError(`file must be a file descriptor or have fileno(), not '${pyTypeName(file)}'`);
  if (offset) {
    const r = N.lseek(fileno, offset, SEEK_SET);
    if (r < 0) throw osError(-r);
  }
  let blocksize = count ? Math.min(count, SENDFILE_FALLBACK_READBUFFER_SIZE) : SENDFILE_FALLBACK_READBUFFER_SIZE;
  const buf = Buffer.allocUnsafe(blocksize);
  let totalSent = 0;
  try {
    for (;;) {
      if (count) {
        blocksize = Math.min(count - totalSent, blocksize);
        if (blocksize <= 0) break;
      }
      const n = blocksize;
      // Read from the current position, as Python's file.readinto in the executor.
      const read = yield* wrapFuture(new Promise<number>((resolve, reject) => {
        fsRead(fileno, buf, 0, n, null, (err, bytes) => (err ? reject(err) : resolve(bytes)));
      }), { loop });
      if (!read) break;
      yield* sockSendall(loop, sock, buf.subarray(0, read));
      totalSent += read;
    }
    return totalSent;
  } finally {
    if (totalSent > 0) N.lseek(fileno, offset + totalSent, SEEK_SET);
  }
}

/** loop.sockSendfile(): sends a file with sendfile(2), falling back to read/send unless `fallback` is false. */
export function* sockSendfile(loop: BaseEventLoop, sock: Socket, file: FileLike, offset: number, count: number | null, fallback: boolean): Coroutine<number> {
  checkNonBlocking(sock);
  checkSendfileParams(sock, file, offset, count);
  loop._checkClosed();
  let nat: Future<number>;
  try {
    nat = sendfileNative(loop, sock, file, offset, count);
  } catch (exc) {
    if (!(exc instanceof SendfileNotAvailableError) || !fallback) throw exc;
    return yield* sendfileFallback(loop, sock, file, offset, count);
  }
  if (!fallback) return yield* nat;
  try {
    return yield* nat;
  } catch (exc) {
    if (!(exc instanceof SendfileNotAvailableError)) throw exc;
  }
  return yield* sendfileFallback(loop, sock, file, offset, count);
}

