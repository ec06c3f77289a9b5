import { _getRunningLoop, getEventLoop, type AbstractEventLoop } from "../core/events.js";
import { callbackEntries, type Future } from "../core/futures.js";
import { allTasks, Task } from "../core/tasks.js";

// Task introspection beyond asyncio 3.12: the tree of who awaits whom, as
// Python 3.14's `python -m asyncio pstree` draws it for another process.
// JavaScript cannot walk a suspended generator's frames, so the edges come
// from the futures the tasks wait on: a task's `_futWaiter`, a gather's
// children, a shield's inner future (its done callback carries `__self__`,
// the outer future), and TaskGroup children (their done callback carries
// `__self__`, the group, whose `_parentTask` is the parent).

/** Something with a `write(text)` method (a Node stream, or a collector in tests). */
export interface TextSink {
  /** Writes text. */
  write(s: string): unknown;
}

interface GroupLike {
  _parentTask: Task<unknown> | null;
  _onCompletedFut: Future<unknown> | null;
  toString(): string;
}

/** What one pass over the loop's pending tasks learns. */
interface Graph {
  tasks: Task<unknown>[];
  /** future → the futures/tasks it stands for (shield outer → inner). */
  stands: Map<Future<unknown>, Future<unknown>[]>;
  /** parent task → children discovered from the children's side (TaskGroup, direct wakeups), in task order. */
  adopted: Map<Task<unknown>, Task<unknown>[]>;
  /** TaskGroups seen, by the future their parent waits on while exiting. */
  groupsByExitFuture: Map<Future<unknown>, GroupLike>;
  current: Task<unknown> | null;
  debug: boolean;
}

function isGroup(x: unknown): x is GroupLike {
  return typeof x === "object" && x !== null && "_parentTask" in x && "_onCompletedFut" in x;
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else if (!list.includes(v)) list.push(v);
}

function buildGraph(loop: AbstractEventLoop): Graph {
  const tasks = [...allTasks(loop)];
  const g: Graph = {
    tasks,
    stands: new Map(),
    adopted: new Map(),
    groupsByExitFuture: new Map(),
    current: (loop as { _currentTask?: Task<unknown> | null })._currentTask ?? null,
    debug: loop.getDebug(),
  };
  const seen = new Set<Future<unknown>>();
  const scan = (fut: Future<unknown>, owner: Task<unknown> | null): void => {
    if (seen.has(fut)) return;
    seen.add(fut);
    const cbs = callbackEntries(fut);
    for (let i = 0; i < cbs.length; i += 2) {
      // A Task waiting on the future is itself the callback (Future._addWaker); a bound callback names its owner as `__self__`.
      const cb = cbs[i];
      const self = typeof cb === "function" ? (cb as { __self__?: unknown }).__self__ : cb;
      if (self === undefined || self === null) continue;
      if (self instanceof Task) {
        if (owner !== null && self !== owner) pushTo(g.adopted, self as Task<unknown>, owner);
      } else if (isGroup(self)) {
        if (owner !== null && self._parentTask !== null) pushTo(g.adopted, self._parentTask, owner);
        if (self._onCompletedFut !== null) g.groupsByExitFuture.set(self._onCompletedFut, self);
      } else if (typeof (self as Future<unknown>)._asyncio_future_blocking === "boolean") {
        pushTo(g.stands, self as Future<unknown>, fut);
      }
    }
  };
  for (const t of tasks) scan(t, t);
  // Shield inners that are plain futures, and gathers' children, are scanned as they are reached.
  const visitWaiter = (f: Future<unknown> | null, depth: number): void => {
    if (f === null || depth > 50) return;
    if (!(f instanceof Task)) scan(f, null);
    for (const c of childFutures(g, f)) if (!(c instanceof Task)) visitWaiter(c, depth + 1);
  };
  for (const t of tasks) visitWaiter(t._futWaiter, 0);
  return g;
}

/** The futures a non-task future stands for: a gather's children, a shield's inner future. */
function childFutures(g: Graph, f: Future<unknown>): Future<unknown>[] {
  if (f instanceof Task) return [];
  const out: Future<unknown>[] = [];
  const children = (f as { _children?: unknown })._children;
  if (Array.isArray(children)) out.push(...(children as Future<unknown>[]));
  const inner = g.stands.get(f);
  if (inner !== undefined) out.push(...inner);
  return out;
}

/** The pending tasks `fut` stands for, following gathers and shields down to tasks. */
function tasksBehind(g: Graph, fut: Future<unknown> | null, out: Task<unknown>[], depth = 0): void {
  if (fut === null || depth > 50) return;
  if (fut instanceof Task) {
    if (!fut.done() && !out.includes(fut)) out.push(fut);
    return;
  }
  for (const c of childFutures(g, fut)) tasksBehind(g, c, out, depth + 1);
}

function childrenOf(g: Graph, t: Task<unknown>): Task<unknown>[] {
  const out: Task<unknown>[] = [];
  tasksBehind(g, t._futWaiter, out);
  for (const c of g.adopted.get(t) ?? []) if (!c.done() && !out.includes(c)) out.push(c);
  return out.filter((c) => c !== t);
}

function taskLabel(t: Task<unknown>): string {
  return `'${t.getName()}'`;
}

function describeFuture(g: Graph, f: Future<unknown>, depth = 0): string {
  if (f instanceof Task) return `Task ${taskLabel(f)}`;
  const group = g.groupsByExitFuture.get(f);
  if (group !== undefined) return `${group} exit`;
  const children = (f as { _children?: unknown })._children;
  if (Array.isArray(children) && depth < 3) {
    const parts = (children as Future<unknown>[]).slice(0, 3).map((c) => describeFuture(g, c, depth + 1));
    if (children.length > 3) parts.push(`... ${children.length} in all`);
    return `gather(${parts.join(", ")})`;
  }
  const inner = g.stands.get(f);
  if (inner !== undefined && inner.length > 0 && depth < 3) return `shield(${describeFuture(g, inner[0]!, depth + 1)})`;
  const state = f.cancelled() ? "cancelled" : f.done() ? "finished" : "pending";
  let s = `<${f.constructor.name} ${state}>`;
  const site = f._sourceTraceback?.split("\n")[0]?.trim();
  if (site) s += ` created ${site}`;
  return s;
}

/** The user frames of a debug-mode suspension stack, innermost first (`at name (file:line:col)`). */
function coroutineFrames(t: Task<unknown>, live: string | null): string[] {
  const text = live ?? t._suspendedAt;
  if (text === null) return [];
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const l = raw.trim();
    if (!l.startsWith("at ")) continue;
    // The task's own stepping machinery starts here; what follows is the loop, not the coroutine.
    if (/^at (stepRunAndHandleResult|taskStep|eagerStart|runInContext)\b/.test(l)) break;
    if (l.endsWith("(<anonymous>)")) continue;
    out.push(l);
  }
  return out;
}

/** The stack of whoever called into this module (this module's own frames dropped). */
function callerStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const lines = (new Error().stack ?? "").split("\n");
  Error.stackTraceLimit = limit;
  const here = /\((.*):\d+:\d+\)$/.exec(lines[1] ?? "")?.[1];
  return lines.slice(1).filter((l) => here === undefined || !l.includes(here)).join("\n");
}

function coroutineName(t: Task<unknown>, frames: string[]): string {
  const fromRepr = t._reprInfo().find((p) => p.startsWith("coro=<"));
  let name = fromRepr !== undefined ? fromRepr.slice("coro=<".length, -"()>".length) : "coroutine";
  if (name === "coroutine" && frames.length > 0) {
    const m = /^at (?:async )?([^\s(]+)/.exec(frames[frames.length - 1]!);
    if (m) name = m[1]!;
  }
  return `${name}()`;
}

function taskLine(g: Graph, t: Task<unknown>, frames: string[]): string {
  let s = `(T) ${t.getName()} ${coroutineName(t, frames)}`;
  if (t._futWaiter !== null) s += ` waiting on ${describeFuture(g, t._futWaiter)}`;
  else s += t === g.current ? " running" : " ready";
  if (t._mustCancel) s += " (cancelling)";
  return s;
}

/**
 * Draws every pending task of `loop` (default: the running loop, else the
 * current one) as the tree of who awaits whom, like Python 3.14's
 * `python -m asyncio pstree`: a task awaiting another task (directly, or
 * through gather, shield, waitFor or a TaskGroup) has it as a child; the roots
 * are the tasks nobody awaits. Each line gives the task's name, its coroutine
 * and the future it waits on; in debug mode the coroutine's suspension
 * frames follow. Empty string when no task is pending.
 */
export function formatTaskTree(loop?: AbstractEventLoop | null): string {
  const l = loop ?? _getRunningLoop() ?? getEventLoop();
  const g = buildGraph(l);
  const liveStack = g.debug && g.current !== null ? callerStack() : null;
  const children = new Map<Task<unknown>, Task<unknown>[]>();
  const hasParent = new Set<Task<unknown>>();
  for (const t of g.tasks) {
    const cs = childrenOf(g, t);
    children.set(t, cs);
    for (const c of cs) hasParent.add(c);
  }
  const lines: string[] = [];
  const printed = new Set<Task<unknown>>();
  const draw = (t: Task<unknown>, prefix: string, last: boolean, ancestors: Set<Task<unknown>>): void => {
    printed.add(t);
    // The running task's last suspension is stale: it is where it runs now that counts.
    const frames = g.debug ? coroutineFrames(t, t === g.current ? liveStack : null) : [];
    const branch = last ? "└── " : "├── ";
    const cont = prefix + (last ? "    " : "│   ");
    if (ancestors.has(t)) {
      lines.push(`${prefix}${branch}(T) ${t.getName()} (awaits one of its own awaiters: cycle)`);
      return;
    }
    lines.push(`${prefix}${branch}${taskLine(g, t, frames)}`);
    const cs = children.get(t) ?? [];
    const bar = cs.length > 0 ? "│ " : "  ";
    for (const f of frames) lines.push(`${cont}${bar}  ${f}`);
    const inner = new Set(ancestors).add(t);
    cs.forEach((c, i) => draw(c, cont, i === cs.length - 1, inner));
  };
  let roots = g.tasks.filter((t) => !hasParent.has(t));
  const drawRoots = (rs: Task<unknown>[]): void => {
    rs.forEach((r, i) => draw(r, "", i === rs.length - 1, new Set()));
  };
  drawRoots(roots);
  // Tasks only reachable through a cycle have no root: start from the first of each.
  for (;;) {
    roots = g.tasks.filter((t) => !printed.has(t));
    if (roots.length === 0) break;
    drawRoots([roots[0]!]);
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

/** Writes formatTaskTree(loop) to `file` (default: stdout). */
export function printTaskTree(loop?: AbstractEventLoop | null, file?: TextSink | null): void {
  (file ?? process.stdout).write(formatTaskTree(loop));
}
