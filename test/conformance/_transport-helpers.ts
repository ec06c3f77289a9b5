// Transport test helpers of the selector-events, unix-events, sslproto and ssl
// ports: a loop runner for a coroutine body, protocols that record every call
// they get, real socket/pipe transports, and ways to fill a kernel buffer so
// that a transport has to buffer (CPython mocks the socket for these).
import assert from "node:assert/strict";
import { constants as fsConstants } from "node:fs";
import * as asyncio from "../../src/index.js";
import type {
  BaseEventLoop, BaseTransport, Coroutine, DatagramTransport, LogRecord, Transport,
} from "../../src/index.js";
import { BlockingIOError } from "../../src/index.js";
import { native } from "../../src/internal/native.js";
import { AF_UNIX, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_SNDBUF, Socket, socketpair } from "../../src/stdlib/socket.js";

const N = native();

/** Runs `body` as the main task of a fresh loop, then closes the loop. */
export async function withLoop<T>(body: (loop: BaseEventLoop) => Coroutine<T>, debug = false): Promise<T> {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  if (debug) loop.setDebug(true);
  try {
    return await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

/** `n` loop iterations. */
export function* tick(n = 1): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* asyncio.sleep(0);
}

/** Lets the loop run (polling I/O) until `pred()` holds; fails after ~5 s. */
export function* until(pred: () => boolean, what = "condition"): Coroutine<void> {
  for (let i = 0; i < 5000; i++) {
    if (pred()) return;
    yield* asyncio.sleep(i < 20 ? 0 : 0.001);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** A non-blocking socketpair. */
export function nbPair(family = AF_UNIX, type = SOCK_STREAM): [Socket, Socket] {
  const [a, b] = socketpair(family, type);
  a.setblocking(false);
  b.setblocking(false);
  return [a, b];
}

/** os.pipe() with both ends non-blocking (_test-utils.ts osPipe is blocking): [readFd, writeFd]. */
export function nonBlockingPipe(): [number, number] {
  const r = N.pipe(fsConstants.O_NONBLOCK);
  assert.ok(Array.isArray(r), `pipe() failed: ${String(r)}`);
  return r;
}

/** Whether `fd` is closed. */
export function fdClosed(fd: number): boolean {
  return N.fdType(fd) === -9; // EBADF
}

/** Reads what is available on a non-blocking fd (a pipe end). */
export function readFd(fd: number): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const r = N.read(fd, 1 << 20);
    if (typeof r === "number" || r.byteLength === 0) break;
    parts.push(Buffer.from(r));
  }
  return Buffer.concat(parts);
}

/** Writes to a non-blocking fd until the kernel refuses: the bytes written. */
export function fillFd(fd: number): number {
  const chunk = Buffer.alloc(65536, 0x78);
  let total = 0;
  for (;;) {
    const n = N.write(fd, chunk, 0, chunk.length);
    if (typeof n !== "number" || n <= 0) break;
    total += n;
  }
  return total;
}

/** Sends on a non-blocking socket until it would block: the bytes sent. */
export function fillSocket(sock: Socket): number {
  const chunk = Buffer.alloc(65536, 0x78);
  let total = 0;
  for (;;) {
    try {
      total += sock.send(chunk);
    } catch (e) {
      if (e instanceof BlockingIOError) return total;
      throw e;
    }
  }
}

/** Everything a non-blocking socket can receive now. */
export function drain(sock: Socket): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    try {
      const d = sock.recv(1 << 20);
      if (d.length === 0) break;
      parts.push(d);
    } catch (e) {
      if (e instanceof BlockingIOError) break;
      throw e;
    }
  }
  return Buffer.concat(parts);
}

/** Small kernel buffers, so that a transport has to buffer soon. */
export function smallBuffers(...socks: Socket[]): void {
  for (const s of socks) {
    s.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    s.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
  }
}

function errName(e: Error | null): string {
  return e === null ? "null" : e.constructor.name;
}

/** A stream protocol that records every call; options make it misbehave. */
export class Recorder extends asyncio.Protocol {
  events: string[] = [];
  chunks: Buffer[] = [];
  transport: Transport | null = null;
  lostExc: Error | null | undefined = undefined;
  /** What eofReceived() returns. */
  keepOpen = false;
  /** Throw this from the named method. */
  raiseIn: { method: "dataReceived" | "eofReceived" | "connectionMade"; error: Error } | null = null;
  /** Called at the end of connectionMade. */
  onMade: ((t: Transport) => void) | null = null;

  override connectionMade(t: BaseTransport): void {
    this.events.push("made");
    this.transport = t as Transport;
    if (this.raiseIn?.method === "connectionMade") throw this.raiseIn.error;
    this.onMade?.(t as Transport);
  }
  override dataReceived(d: Uint8Array): void {
    if (this.events.at(-1) !== "data") this.events.push("data");
    this.chunks.push(Buffer.from(d));
    if (this.raiseIn?.method === "dataReceived") throw this.raiseIn.error;
  }
  override eofReceived(): boolean {
    this.events.push("eof");
    if (this.raiseIn?.method === "eofReceived") throw this.raiseIn.error;
    return this.keepOpen;
  }
  override connectionLost(exc: Error | null): void {
    this.events.push(`lost:${errName(exc)}`);
    this.lostExc = exc;
  }
  override pauseWriting(): void {
    this.events.push("pause");
  }
  override resumeWriting(): void {
    this.events.push("resume");
  }
  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get lost(): boolean {
    return this.lostExc !== undefined;
  }
}

/** A datagram protocol that records every call. */
export class DgramRecorder extends asyncio.DatagramProtocol {
  events: string[] = [];
  datagrams: Array<[Buffer, unknown]> = [];
  errors: Error[] = [];
  transport: DatagramTransport | null = null;
  lostExc: Error | null | undefined = undefined;
  override connectionMade(t: BaseTransport): void {
    this.events.push("made");
    this.transport = t as DatagramTransport;
  }
  override datagramReceived(data: Uint8Array, addr: unknown): void {
    this.events.push("datagram");
    this.datagrams.push([Buffer.from(data), addr]);
  }
  override errorReceived(exc: Error): void {
    this.events.push(`error:${exc.constructor.name}`);
    this.errors.push(exc);
  }
  override connectionLost(exc: Error | null): void {
    this.events.push(`lost:${errName(exc)}`);
    this.lostExc = exc;
  }
  override pauseWriting(): void {
    this.events.push("pause");
  }
  override resumeWriting(): void {
    this.events.push("resume");
  }
  get lost(): boolean {
    return this.lostExc !== undefined;
  }
}

/**
 * A socket transport over one end of a socketpair (connectAcceptedSocket),
 * with the other end returned as `peer` (non-blocking).
 */
export function* streamTransport<P extends asyncio.BaseProtocol>(loop: BaseEventLoop, proto: P,
  pair: [Socket, Socket] = nbPair()): Coroutine<{ tr: Transport; peer: Socket; sock: Socket }> {
  const [sock, peer] = pair;
  const [tr] = yield* loop.connectAcceptedSocket(() => proto, sock);
  return { tr: tr as Transport, peer, sock };
}

/** Collects what the asyncio logger emits while `body` runs (sync or a promise). */
export async function captureLogs<T>(body: (records: LogRecord[]) => Promise<T>): Promise<T> {
  const records: LogRecord[] = [];
  asyncio.logger.setSink((r) => records.push(r));
  try {
    return await body(records);
  } finally {
    asyncio.logger.setSink(null);
  }
}
