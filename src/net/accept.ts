import { constants as osConstants } from "node:os";
import { osError } from "../stdlib/exceptions.js";
import { LoopStateKey, type BaseEventLoop } from "../core/base-events.js";
import type { Callback } from "../core/events.js";
import { isExitException, type Future } from "../core/futures.js";
import { native } from "../internal/native.js";
import { logger } from "../core/log.js";
import type { BaseProtocol, ProtocolLike } from "../core/protocols.js";
import type { Transport } from "../core/transports.js";
import { AF_INET, AF_INET6, SOCK_NONBLOCK, Socket, _adoption, type Address } from "../stdlib/socket.js";
import { Deque } from "../internal/deque.js";
import type { SSLContext } from "../stdlib/ssl.js";
import { makeSslTransport } from "./sslproto.js";
import { _addReader, _releaseFd, _removeReader } from "./selector.js";
import { makeSocketTransport, type ServerInternals } from "./socket-transport.js";

// selector_events.py's accept loop: _start_serving, _accept_connection,
// _accept_connection2 and _stop_serving.

const N = native();
const E = osConstants.errno;
/** asyncio's constants.ACCEPT_RETRY_DELAY (seconds). */
const ACCEPT_RETRY_DELAY = 1;
const OUT_OF_RESOURCES = new Set([E.EMFILE, E.ENFILE, E.ENOBUFS, E.ENOMEM]);
const ACCEPT_AGAIN = new Set([E.EAGAIN, E.EWOULDBLOCK, E.EINTR, E.ECONNABORTED]);

/** Everything one listening socket's accept callback needs (one object per server socket). */
interface Serving {
  loop: BaseEventLoop;
  protocolFactory: () => BaseProtocol | ProtocolLike;
  sock: Socket;
  sslcontext: SSLContext | null;
  server: ServerInternals;
  backlog: number;
  sslHandshakeTimeout: number | null;
  sslShutdownTimeout: number | null;
  /** The local address of every connection accepted here, when the listener has one address; null otherwise. */
  sockname: readonly unknown[] | null;
  /** The loop's accepted sockets waiting for their transport (pendingOf). */
  pending: Deque<Socket>;
}

/**
 * The sockname every socket accepted on `sock` reports: the listener's own
 * address when it is bound to one IP address (not a wildcard, where each
 * connection's local address depends on the interface it came in on). The
 * transport then makes no getsockname() call per connection, and all of
 * them share this one frozen tuple.
 */
function fixedSockname(sock: Socket): readonly unknown[] | null {
  if (sock.family !== AF_INET && sock.family !== AF_INET6) return null;
  let name: unknown;
  try {
    name = sock.getsockname();
  } catch {
    return null;
  }
  if (!Array.isArray(name) || typeof name[0] !== "string") return null;
  const host = name[0];
  if (host === "0.0.0.0" || host === "::" || host === "::ffff:0.0.0.0") return null;
  return Object.freeze(name);
}

/**
 * The sockets accepted on a loop whose transport is not made yet, oldest
 * first: their acceptConnection2 Handles run in that order. They are out of
 * the close-on-collection registry (_adoption); a loop closing with some
 * still waiting (its ready queue dropped) puts them back in, so that a
 * collected one closes its fd as in Python, where the dropped task's socket
 * is closed when collected.
 */
const PENDING = new LoopStateKey<Deque<Socket>>("accept-pending");

function pendingOf(loop: BaseEventLoop): Deque<Socket> {
  let q = loop._getState(PENDING);
  if (q === undefined) {
    const pending = new Deque<Socket>();
    q = pending;
    loop._setState(PENDING, pending);
    loop._addLifecycleHook({
      close: () => {
        for (let sock = pending.shift(); sock !== undefined; sock = pending.shift()) sock._track();
      },
    });
  }
  return q;
}

/** Takes `conn` off the loop's pending sockets `q` (the oldest, unless Handles ran out of order). */
function unpend(q: Deque<Socket>, conn: Socket): void {
  if (q.peek() === conn) {
    q.shift();
    return;
  }
  const rest = [...q].filter((s) => s !== conn);
  q.clear();
  for (const s of rest) q.push(s);
}

/** Starts accepting connections on the listening `sock` (Python's loop._start_serving). */
export function startServing(loop: BaseEventLoop, protocolFactory: () => BaseProtocol | ProtocolLike, sock: Socket,
  sslcontext: SSLContext | null, server: ServerInternals, backlog: number, sslHandshakeTimeout: number | null,
  sslShutdownTimeout: number | null): void {
  const s: Serving = {
    loop, protocolFactory, sock, sslcontext, server, backlog, sslHandshakeTimeout, sslShutdownTimeout, sockname: fixedSockname(sock),
    pending: pendingOf(loop),
  };
  _addReader(loop, sock.fileno(), acceptConnection as Callback, [s]);
}

function restartServing(s: Serving): void {
  // The server may have been closed during the pause.
  if (s.sock.fileno() < 0 || s.loop.isClosed()) return;
  _addReader(s.loop, s.sock.fileno(), acceptConnection as Callback, [s]);
}

/** Stops accepting on `sock` and closes it (Python's loop._stop_serving). */
export function stopServing(loop: BaseEventLoop, sock: Socket): void {
  const fd = sock.fileno();
  if (fd >= 0) {
    _removeReader(loop, fd);
    _releaseFd(loop, fd);
  }
  sock.close();
}

// Called once per readiness event: accepts up to `backlog` pending
// connections (bpo-27906), each set up one iteration later.
function acceptConnection(s: Serving): void {
  const loop = s.loop;
  const lsock = s.sock;
  const lfd = lsock.fileno();
  for (let i = 0; i < s.backlog; i++) {
    const fd = N.accept(lfd, SOCK_NONBLOCK);
    if (fd < 0) {
      const err = -fd;
      if (ACCEPT_AGAIN.has(err)) return;
      const exc = osError(err);
      if (OUT_OF_RESOURCES.has(err)) {
        // Linux keeps reporting the listening fd as ready: stop watching it
        // for a while instead of spinning.
        loop.callExceptionHandler({ message: "socket.accept() out of system resource", exception: exc, socket: lsock });
        _removeReader(loop, lfd);
        loop.callLater(ACCEPT_RETRY_DELAY, restartServing, s);
        return;
      }
      throw exc; // the loop's exception handler logs it
    }
    const addr = (N.acceptedAddress() ?? "") as Address;
    let conn: Socket;
    _adoption.on = true;
    try {
      conn = new Socket(lsock.family, lsock.type | SOCK_NONBLOCK, lsock.proto, fd);
    } finally {
      _adoption.on = false;
    }
    s.pending.push(conn);
    if (loop.getDebug()) logger.debug(`${String(s.server)} got a new connection from ${JSON.stringify(addr)}: ${conn}`);
    // Python runs _accept_connection2 as a task: its first step is one
    // iteration later, in a copy of the context. A Handle gives both.
    // All three keys the transport fills are in the literal, so they live in
    // the object itself rather than in a property array it grows later. It
    // is made apart from the arguments array: an array literal holding an
    // object literal is copied from its boilerplate by a runtime call (V8's
    // Runtime_CreateArrayLiteral, ~570 instructions per connection in
    // callgrind), a flat one inline.
    // The socket rides in it too: a Handle of two arguments is called
    // directly, one of three through a spread call (runInContext, stdlib/contextvars.ts).
    const extra: AcceptedExtra = { peername: addr, socket: conn, sockname: s.sockname };
    loop._callSoonWith(acceptConnection2 as Callback, [s, extra], null);
  }
}

/** The transport's extra info as the accept loop hands it over: the accepted socket is already in it. */
interface AcceptedExtra extends Record<string, unknown> {
  peername: Address;
  socket: Socket;
  sockname: readonly unknown[] | null;
}

function acceptConnection2(s: Serving, extra: AcceptedExtra): void {
  const loop = s.loop;
  const conn = extra.socket;
  unpend(s.pending, conn);
  let protocol: BaseProtocol | ProtocolLike | null = null;
  let transport: Transport | null = null;
  try {
    protocol = s.protocolFactory();
    if (s.sslcontext === null) {
      // A plain transport's waiter could only ever get its result (nothing
      // else holds it, and the transport only resolves it), so none is made:
      // a Future, its done callback and two Handles less per connection.
      transport = makeSocketTransport(loop, conn, protocol, null, extra, s.server);
      return;
    }
    const waiter = loop.createFuture<void>();
    transport = makeSslTransport(loop, conn, protocol, s.sslcontext, waiter, {
      serverSide: true, serverHostname: null, extra, server: s.server,
      sslHandshakeTimeout: s.sslHandshakeTimeout, sslShutdownTimeout: s.sslShutdownTimeout,
    });
    const t = transport;
    const p = protocol;
    waiter.addDoneCallback((w) => {
      if (!w.cancelled() && w.exception() === null) return;
      // It is now up to nobody: close the half-made connection.
      t.close();
      if (loop.getDebug()) {
        const exc = w.cancelled() ? null : w.exception();
        loop.callExceptionHandler({ message: "Error on transport creation for incoming connection", exception: exc, protocol: p, transport: t });
      }
    });
  } catch (exc) {
    if (isExitException(exc)) {
      // As the socket of Python's abandoned task: closed once collected.
      if (transport === null) conn._track();
      throw exc;
    }
    if (transport === null) conn.close();
    if (loop.getDebug()) {
      const ctx: Record<string, unknown> = { message: "Error on transport creation for incoming connection", exception: exc };
      if (protocol !== null) ctx.protocol = protocol;
      if (transport !== null) ctx.transport = transport;
      loop.callExceptionHandler(ctx as { message: string });
    }
  }
}
