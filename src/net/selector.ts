import { RuntimeError, ValueError, osError } from "../stdlib/exceptions.js";
import { LoopStateKey, type BaseEventLoop } from "../core/base-events.js";
import { Handle, reprValue, type Callback, type FileDescriptorLike } from "../core/events.js";
import { native, type FastPoller } from "../internal/native.js";
import { _onSocketClose } from "../stdlib/socket.js";

// selector_events.py, first part: fd watching (add/removeReader/Writer) and
// the fd -> transport registry, on a native poller of the loop's own. The
// sock_* methods are in sock-ops.ts, the socket transport in
// socket-transport.ts, the accept loop in accept.ts.
//
// Where asyncio's selector reports ready fds to _process_events, the native
// poller hands each poll phase's ready fds to onPollBatch(), which appends
// their reader and/or writer Handles to the loop's ready queue: they run as
// ordinary callbacks, exactly as asyncio's do.

const N = native();
const READABLE = N.constants.READABLE!;
const WRITABLE = N.constants.WRITABLE!;
const POLLIN = N.constants.POLLIN!;
const POLLOUT = N.constants.POLLOUT!;
/** Conditions poll(2) reports whatever was asked: the callbacks meet them in their own syscalls. */
const POLL_FAULT = N.constants.POLLERR! | N.constants.POLLHUP! | N.constants.POLLNVAL!;

/** What the ownership check needs of a transport. */
interface OwningTransport {
  isClosing(): boolean;
  /** The selector's loop closed while the transport was open: it no longer holds the transport. */
  _selectorClosed?(): void;
}

/** One watched fd: asyncio's selector key data `(reader, writer)`. */
interface FdEntry {
  fd: number;
  reader: Handle | null;
  writer: Handle | null;
  /** The mask the native poller is watching now (0: idle). */
  armed: number;
  /** Waiting for the loop to run again before it is (re)armed. */
  suspended: boolean;
}

/** A new fd entry: the one place its literal is written, so that every entry has the shape primed below. */
function newEntry(fd: number, mask: number): FdEntry {
  return { fd, reader: null, writer: null, armed: mask, suspended: false };
}
// V8 keeps a field "const" until some object of its shape writes it a second
// time, and the first rewrite throws away the optimized code that relied on
// it; an entry's mask is first rewritten when a connection closes, which
// discarded the accept path's optimized code in a server's first close. One
// entry rewritten here, before anything is optimized, spares that
// (docs/BENCHMARKS.md, "The first close").
newEntry(-1, 0).armed = 1;

/**
 * The selectors of loops not closed yet, held weakly (a loop dropped without
 * close() must not be kept alive by this set): a Socket closing its fd asks
 * each to release that fd's idle native watcher while the fd is still valid.
 */
const openSelectors = new Set<WeakRef<Selector>>();

_onSocketClose((fd) => {
  for (const ref of openSelectors) {
    const s = ref.deref();
    if (s === undefined) openSelectors.delete(ref);
    else s.releaseIdle(fd);
  }
});

/**
 * A loop's selector: its own native poller (one uv_poll_t per fd, kept idle
 * between uses) and the fd -> entry table that poller dispatches on. Two
 * loops never share one; libuv's rule of one poll handle per fd per thread
 * is enforced inside the addon (native/poller.cc), which hands an idle fd
 * over to the loop that asks for it and refuses one another loop watches.
 */
export class Selector {
  readonly loop: BaseEventLoop;
  /** The native poller; the socket transports receive and send through it too. */
  readonly poller: FastPoller;
  /**
   * Indexed by fd (fds are small integers) rather than a Map: the lookup is
   * on every readiness event. Grown one slot at a time, so that the array
   * never turns sparse (dictionary elements).
   */
  private readonly _entries: (FdEntry | undefined)[] = [];
  /**
   * asyncio's `loop._transports`: fd → the transport that owns it, indexed by
   * fd like the entries (a slot of 8 bytes per connection where a Map entry
   * and its share of the hash table took ~45), grown one slot at a time.
   */
  private readonly _transports: (OwningTransport | undefined)[] = [];
  private _suspended: FdEntry[] = [];
  private _closed = false;

  private readonly _ref = new WeakRef(this);

  constructor(loop: BaseEventLoop) {
    this.loop = loop;
    this.poller = N.fastPoll((events, n) => this._onPollBatch(events, n));
    openSelectors.add(this._ref);
  }

  /** The transport that owns fd, if any. */
  transport(fd: number): OwningTransport | undefined {
    return fd >= 0 ? this._transports[fd] : undefined;
  }

  /** Records (or, with undefined, forgets) the transport that owns fd. */
  setTransport(fd: number, t: OwningTransport | undefined): void {
    const list = this._transports;
    if (t === undefined && fd >= list.length) return;
    while (list.length <= fd) list.push(undefined);
    list[fd] = t;
  }

  /** fd's entry, if the fd is watched or held idle. */
  entry(fd: number): FdEntry | undefined {
    return this._entries[fd];
  }

  private _setEntry(fd: number, e: FdEntry | undefined): void {
    const entries = this._entries;
    while (entries.length <= fd) entries.push(undefined);
    entries[fd] = e;
  }

  /**
   * fd's entry, created if needed with its native handle watching `mask`
   * (idle when the loop is stopped: _arm claims the fd then); throws the
   * OSError of a failed start. Creating and starting the handle in one call
   * spares a new connection a second native call and its fd revalidation
   * (an fstat), which a handle that was just made does not need.
   */
  entryFor(fd: number, mask = 0): FdEntry {
    let e = this._entries[fd];
    if (e !== undefined) return e;
    if (!this.loop._running) mask = 0;
    const r = this.poller.start(fd, mask);
    if (r < 0) throw osError(-r);
    e = newEntry(fd, mask);
    this._setEntry(fd, e);
    return e;
  }

  /**
   * One poll phase's ready fds (asyncio's _process_events): their Handles
   * join the ready queue in order, then the loop runs its iteration at once
   * rather than in a setImmediate (this is libuv's check phase, inside
   * MakeCallback: microtasks drain after it).
   */
  private _onPollBatch(events: Int32Array, n: number): void {
    let queued = false;
    for (let i = 0; i < n; i++) {
      if (this._onPoll(events[2 * i]!, events[2 * i + 1]!)) queued = true;
    }
    if (queued) this.loop._iterateNow();
  }

  /** Queues fd's Handles for `events`; whether any was queued. */
  private _onPoll(fd: number, events: number): boolean {
    const e = this._entries[fd];
    if (e === undefined) {
      this.poller.stop(fd);
      return false;
    }
    const loop = this.loop;
    if (!loop._running) {
      // Nothing of a loop runs while it is stopped: the event waits in the
      // kernel (level-triggered) until the loop runs again; the fd stays
      // claimed by this loop meanwhile.
      this.poller.start(fd, wanted(e), false);
      e.armed = 0;
      this._suspend(e);
      return false;
    }
    let queued = false;
    if (events & READABLE) {
      const r = e.reader;
      if (r !== null) {
        if (r._cancelled) this.removeReader(fd);
        else {
          loop._ready.push(r);
          queued = true;
        }
      }
    }
    if (events & WRITABLE) {
      const w = e.writer;
      if (w !== null) {
        if (w._cancelled) this.removeWriter(fd);
        else {
          loop._ready.push(w);
          queued = true;
        }
      }
    }
    if (e.reader === null && e.writer === null && e.armed !== 0) {
      this.poller.stop(fd);
      e.armed = 0;
    }
    return queued;
  }

  private _suspend(e: FdEntry): void {
    if (!e.suspended) {
      e.suspended = true;
      this._suspended.push(e);
    }
  }

  /** Brings the native watcher in line with the entry's handlers; throws the OSError of a failed start. */
  private _arm(e: FdEntry): void {
    const mask = wanted(e);
    if (!this.loop._running) {
      // A stopped loop polls nothing, but keeps the fd claimed for what it
      // wants (no other loop can take it); it is armed when the loop runs.
      const r = this.poller.start(e.fd, mask, false);
      if (r < 0) throw osError(-r);
      e.armed = 0;
      if (mask !== 0) this._suspend(e);
      return;
    }
    if (mask === e.armed) return;
    if (mask === 0) {
      this.poller.stop(e.fd);
      e.armed = 0;
      return;
    }
    const r = this.poller.start(e.fd, mask);
    if (r < 0) throw osError(-r);
    e.armed = mask;
  }

  /** The loop starts running: arms what was registered or became ready while it was stopped. */
  resumeSuspended(): void {
    const list = this._suspended;
    if (list.length === 0) return;
    this._suspended = [];
    for (const e of list) {
      e.suspended = false;
      if (this._entries[e.fd] !== e) continue;
      const mask = wanted(e);
      if (mask === 0 || mask === e.armed) continue;
      const r = this.poller.start(e.fd, mask);
      if (r < 0) {
        // The fd went bad while the loop was stopped: let its callbacks meet
        // the error in their own syscalls, as a selector reporting it would.
        e.armed = 0;
        if (e.reader !== null) this.loop._addReadyHandle(e.reader);
        if (e.writer !== null) this.loop._addReadyHandle(e.writer);
        continue;
      }
      e.armed = mask;
    }
  }

  /**
   * One poll of every watched fd with a timeout of zero (the loop was
   * stopped before it ran): the Handles of ready fds join the ready queue,
   * and their native watchers wait idle until the loop runs again, so that
   * the poll phase does not queue them a second time.
   */
  pollNow(): void {
    const loop = this.loop;
    for (const e of this._entries) {
      if (e === undefined) continue;
      const mask = wanted(e);
      if (mask === 0) continue;
      const asked = (mask & READABLE ? POLLIN : 0) | (mask & WRITABLE ? POLLOUT : 0);
      const rev = N.pollOne(e.fd, asked, 0);
      if (rev === 0) continue;
      const fault = rev < 0 || (rev & POLL_FAULT) !== 0;
      const readable = e.reader !== null && (fault || (rev & POLLIN) !== 0);
      const writable = e.writer !== null && (fault || (rev & POLLOUT) !== 0);
      if (!readable && !writable) continue;
      if (e.armed !== 0) {
        this.poller.stop(e.fd);
        e.armed = 0;
      }
      this._suspend(e);
      if (readable) loop._ready.push(e.reader!);
      if (writable) loop._ready.push(e.writer!);
    }
  }

  /** The loop is closing: every native handle and the poller itself are released. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    openSelectors.delete(this._ref);
    this._entries.length = 0;
    const transports = this._transports.splice(0);
    for (const t of transports) t?._selectorClosed?.();
    this._suspended = [];
    this.poller.dispose();
  }

  /** Registers `cb` as fd's reader (replacing and cancelling a previous one). */
  addReader(fd: number, cb: Callback, args: unknown[] | null): Handle {
    const h = new Handle(cb, args, this.loop, null);
    const e = this.entryFor(fd, READABLE);
    const old = e.reader;
    e.reader = h;
    try {
      this._arm(e);
    } catch (exc) {
      e.reader = old;
      throw exc;
    }
    if (old !== null) old.cancel();
    return h;
  }

  /** Registers `cb` as fd's writer (replacing and cancelling a previous one). */
  addWriter(fd: number, cb: Callback, args: unknown[] | null): Handle {
    const h = new Handle(cb, args, this.loop, null);
    const e = this.entryFor(fd, WRITABLE);
    const old = e.writer;
    e.writer = h;
    try {
      this._arm(e);
    } catch (exc) {
      e.writer = old;
      throw exc;
    }
    if (old !== null) old.cancel();
    return h;
  }

  /** Unregisters fd's reader: whether there was one. */
  removeReader(fd: number): boolean {
    const e = this._entries[fd];
    if (e === undefined) return false;
    const r = e.reader;
    if (r === null) return false;
    e.reader = null;
    this._arm(e);
    r.cancel();
    return true;
  }

  /** Unregisters fd's writer: whether there was one. */
  removeWriter(fd: number): boolean {
    const e = this._entries[fd];
    if (e === undefined) return false;
    const w = e.writer;
    if (w === null) return false;
    e.writer = null;
    this._arm(e);
    w.cancel();
    return true;
  }

  /** Releases fd's native handle if nothing watches it; call it while the fd is still open. */
  releaseIdle(fd: number): void {
    const e = this._entries[fd];
    if (e === undefined || e.reader !== null || e.writer !== null) return;
    this._entries[fd] = undefined;
    this.poller.close(fd);
  }
}

function wanted(e: FdEntry): number {
  return (e.reader !== null ? READABLE : 0) | (e.writer !== null ? WRITABLE : 0);
}

const SELECTOR = new LoopStateKey<Selector>("selector");

/** The loop's selector, created on first use. */
export function selectorOf(loop: BaseEventLoop): Selector {
  let sel = loop._getState(SELECTOR);
  if (sel === undefined) {
    const s = new Selector(loop);
    sel = s;
    loop._setState(SELECTOR, s);
    loop._addLifecycleHook({ start: () => s.resumeSuspended(), pollNow: () => s.pollNow(), close: () => s.close() });
  }
  return sel;
}

/** The loop's selector if one was created (no fd was ever watched otherwise). */
function existingSelector(loop: BaseEventLoop): Selector | undefined {
  return loop._getState(SELECTOR);
}

/** The fd of an fd number or of an object's fileno(), unchecked; ValueError for anything else. */
function filenoOf(obj: FileDescriptorLike | unknown): number {
  if (typeof obj === "number" && Number.isInteger(obj)) return obj;
  const f = (obj as { fileno?: unknown } | null)?.fileno;
  const v: unknown = typeof f === "function" ? (f as () => unknown).call(obj) : undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new ValueError(`Invalid file object: ${reprValue(obj)}`);
  return v;
}

/** Python's selectors._fileobj_to_fd: an fd number or an object's fileno(); ValueError otherwise. */
export function fileobjToFd(obj: FileDescriptorLike | unknown): number {
  const fd = filenoOf(obj);
  if (fd < 0) throw new ValueError(`Invalid file descriptor: ${fd}`);
  return fd;
}

/** @internal asyncio's _ensure_fd_no_transport: RuntimeError when a live transport owns the fd. */
export function ensureFdNoTransport(loop: BaseEventLoop, fd: FileDescriptorLike | unknown): void {
  const transport = existingSelector(loop)?.transport(filenoOf(fd));
  if (transport !== undefined && !transport.isClosing()) {
    throw new RuntimeError(`File descriptor ${reprValue(fd)} is used by transport ${String(transport)}`);
  }
}

/** @internal asyncio's loop._add_reader: watch `fd` for reading (no ownership check); replaces and cancels a previous reader. */
export function _addReader(loop: BaseEventLoop, fd: number, cb: Callback, args: unknown[] | null): Handle {
  loop._checkClosed();
  return selectorOf(loop).addReader(fd, cb, args);
}

/** @internal asyncio's loop._remove_reader: whether a reader was registered. */
export function _removeReader(loop: BaseEventLoop, fd: number): boolean {
  if (loop._closed) return false;
  return existingSelector(loop)?.removeReader(fd) ?? false;
}

/** @internal asyncio's loop._add_writer: watch `fd` for writing (no ownership check); replaces and cancels a previous writer. */
export function _addWriter(loop: BaseEventLoop, fd: number, cb: Callback, args: unknown[] | null): Handle {
  loop._checkClosed();
  return selectorOf(loop).addWriter(fd, cb, args);
}

/** @internal asyncio's loop._remove_writer: whether a writer was registered. */
export function _removeWriter(loop: BaseEventLoop, fd: number): boolean {
  if (loop._closed) return false;
  return existingSelector(loop)?.removeWriter(fd) ?? false;
}

/** @internal Records that `transport` owns `fd` (asyncio's `loop._transports[fd] = transport`). */
export function _registerTransport(loop: BaseEventLoop, fd: number, transport: OwningTransport): void {
  selectorOf(loop).setTransport(fd, transport);
}

/**
 * @internal Forgets the owner of `fd`; call it just before the fd is closed:
 * the fd's idle watcher is released too, while the fd is still valid.
 */
export function _unregisterTransport(loop: BaseEventLoop, fd: number): void {
  const sel = existingSelector(loop);
  if (sel === undefined) return;
  sel.setTransport(fd, undefined);
  sel.releaseIdle(fd);
}

/** @internal Releases `fd`'s watcher (idle) before the fd is closed (stopServing, Socket.close()). */
export function _releaseFd(loop: BaseEventLoop, fd: number): void {
  existingSelector(loop)?.releaseIdle(fd);
}

/** @internal Whether `fd` has a reader / writer registered (transport reprs). */
export function _isPolling(loop: BaseEventLoop, fd: number, write: boolean): boolean {
  const e = existingSelector(loop)?.entry(fd);
  if (e === undefined) return false;
  return write ? e.writer !== null : e.reader !== null;
}

/** loop.addReader(): watch `fd` for reading; RuntimeError when a transport owns it. */
export function addReader(loop: BaseEventLoop, fd: FileDescriptorLike, cb: Callback, args: unknown[]): void {
  ensureFdNoTransport(loop, fd);
  loop._checkClosed();
  _addReader(loop, fileobjToFd(fd), cb, args);
}

/** loop.removeReader(): whether a reader was registered. */
export function removeReader(loop: BaseEventLoop, fd: FileDescriptorLike): boolean {
  ensureFdNoTransport(loop, fd);
  if (loop._closed) return false;
  return _removeReader(loop, fileobjToFd(fd));
}

/** loop.addWriter(): watch `fd` for writing; RuntimeError when a transport owns it. */
export function addWriter(loop: BaseEventLoop, fd: FileDescriptorLike, cb: Callback, args: unknown[]): void {
  ensureFdNoTransport(loop, fd);
  loop._checkClosed();
  _addWriter(loop, fileobjToFd(fd), cb, args);
}

/** loop.removeWriter(): whether a writer was registered. */
export function removeWriter(loop: BaseEventLoop, fd: FileDescriptorLike): boolean {
  ensureFdNoTransport(loop, fd);
  if (loop._closed) return false;
  return _removeWriter(loop, fileobjToFd(fd));
}
