import { Buffer } from "node:buffer";
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import { LoopStateKey, type BaseEventLoop } from "../core/base-events.js";
import { BaseSubprocessTransport, type ChildHandle, DEVNULL, PIPE, STDOUT } from "./base-subprocess.js";
import type { Coroutine } from "../core/coroutines.js";
import type { StdioSpec, SubprocessOptions } from "../core/events.js";
import { ProcessLookupError, ValueError, fromNodeError, osError } from "../stdlib/exceptions.js";
import type { Future } from "../core/futures.js";
import { native } from "../internal/native.js";
import { logger } from "../core/log.js";
import type { BaseProtocol, ProtocolLike } from "../core/protocols.js";
import type { SubprocessTransport } from "../core/transports.js";

// unix_events.py's _UnixSubprocessTransport and subprocess_exec/shell: the
// child is started with Node's spawn; the pipes to it are made here with
// pipe2() so the parent's ends are raw fds under our own pipe transports.

const N = native();
const SIGNALS = osConstants.signals as Record<string, number>;

type NodeStdio = number | "inherit" | "ignore";

/** The fd of a stdio argument that is neither a constant nor null. */
function stdioObjectFd(spec: unknown, name: string): number {
  const obj = spec as Record<string, unknown> | null;
  let fd: unknown;
  if (typeof spec === "number") fd = spec;
  else if (obj !== null && typeof obj === "object") {
    if (typeof obj.fileno === "function") fd = (obj.fileno as () => unknown).call(obj);
    else if (typeof obj.fd === "number") fd = obj.fd;
    else if (obj._handle !== null && typeof obj._handle === "object") fd = (obj._handle as { fd?: unknown }).fd;
  }
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0) {
    throw new ValueError(`${name} must be PIPE, DEVNULL${name === "stderr" ? ", STDOUT" : ""}, null, a file descriptor or an object with one`);
  }
  return fd;
}

interface PreparedStdio {
  stdio: NodeStdio[];
  parent: [number | null, number | null, number | null];
  childEnds: number[];
}

/** Python's Popen._get_handles with pipe2(): the child's stdio and the parent's ends of PIPEs. */
function prepareStdio(stdin: StdioSpec | undefined, stdout: StdioSpec | undefined, stderr: StdioSpec | undefined, passFds: readonly number[]): PreparedStdio {
  const out: PreparedStdio = { stdio: [], parent: [null, null, null], childEnds: [] };
  const specs = [stdin, stdout, stderr];
  const names = ["stdin", "stdout", "stderr"];
  try {
    for (let i = 0; i < 3; i++) {
      const spec = specs[i];
      if (spec === null || spec === undefined) out.stdio.push("inherit");
      else if (spec === PIPE) {
        const r = N.pipe(0);
        if (typeof r === "number") throw osError(-r);
        const [rd, wr] = r;
        if (i === 0) {
          out.stdio.push(rd);
          out.parent[0] = wr;
          out.childEnds.push(rd);
        } else {
          out.stdio.push(wr);
          out.parent[i as 1 | 2] = rd;
          out.childEnds.push(wr);
        }
      } else if (spec === DEVNULL) out.stdio.push("ignore");
      else if (spec === STDOUT) {
        if (i !== 2) throw new ValueError("STDOUT can only be used for stderr");
        // The child's stderr is whatever its stdout is (an inherited stdout is our fd 1).
        const o = out.stdio[1]!;
        out.stdio.push(o === "inherit" ? 1 : o);
      } else out.stdio.push(stdioObjectFd(spec, names[i]!));
    }
    for (const fd of passFds) {
      if (!Number.isInteger(fd) || fd < 0) throw new ValueError(`bad value(s) in fds_to_keep`);
      if (fd < 3) continue;
      while (out.stdio.length <= fd) out.stdio.push("ignore");
      out.stdio[fd] = fd;
    }
  } catch (e) {
    for (const fd of [...out.childEnds, ...out.parent]) if (fd !== null) N.close(fd);
    throw e;
  }
  return out;
}

function validSignal(sig: number | string): number | string {
  if (typeof sig === "number") {
    if (!Number.isInteger(sig)) throw new TypeError("signal number must be an integer");
    return sig;
  }
  if (typeof sig !== "string" || !(sig in SIGNALS)) throw new ValueError(`invalid signal: ${String(sig)}`);
  return sig;
}

const CHILDREN = new LoopStateKey<Set<ChildProcess>>("subprocess.children");

/** Per-loop set of children: their handles keep Node alive only while the loop runs. */
function childrenOf(loop: BaseEventLoop): Set<ChildProcess> {
  let set = loop._getState(CHILDREN);
  if (set === undefined) {
    const s = new Set<ChildProcess>();
    set = s;
    loop._setState(CHILDREN, s);
    loop._addLifecycleHook({
      start: () => { for (const c of s) c.ref(); },
      stop: () => { for (const c of s) c.unref(); },
      close: () => { for (const c of s) c.unref(); },
    });
  }
  return set;
}

/** The transport of a child started with Node's spawn (Python's _UnixSubprocessTransport). */
export class UnixSubprocessTransport extends BaseSubprocessTransport {
  /** @internal Set when spawn failed after returning: resolves to the error Node reports on the next tick. */
  _spawnFailure: Future<Error> | null = null;

  constructor(loop: BaseEventLoop, protocol: BaseProtocol | ProtocolLike, file: string, args: string[], argv0: string,
    options: SubprocessOptions, waiter: Future<void>, extra: Record<string, unknown> | null = null) {
    const stdin = options.stdin === undefined ? PIPE : options.stdin;
    const stdout = options.stdout === undefined ? PIPE : options.stdout;
    const stderr = options.stderr === undefined ? PIPE : options.stderr;
    super(loop, protocol, stdin, stdout, stderr, extra);
    const umask = options.umask !== undefined && options.umask !== -1 ? options.umask : null;
    if (umask !== null && (!Number.isInteger(umask) || umask < 0 || umask > 0o777)) throw new ValueError(`invalid umask: ${umask}`);
    const prepared = prepareStdio(stdin, stdout, stderr, options.passFds ?? []);
    const spawnOptions: SpawnOptions = {
      stdio: prepared.stdio,
      argv0,
      detached: !!options.startNewSession,
      windowsHide: true,
    };
    if (options.cwd !== undefined && options.cwd !== null) spawnOptions.cwd = options.cwd;
    if (options.env !== undefined && options.env !== null) spawnOptions.env = options.env;
    if (options.uid !== undefined) spawnOptions.uid = options.uid;
    if (options.gid !== undefined) spawnOptions.gid = options.gid;
    let child: ChildProcess;
    // A child inherits the umask at fork: set it around the (synchronous) spawn, as Popen's umask= does in the child.
    const savedUmask = umask !== null ? process.umask(umask) : null;
    try {
      child = spawn(file, args, spawnOptions);
    } catch (e) {
      for (const fd of [...prepared.childEnds, ...prepared.parent]) if (fd !== null) N.close(fd);
      this.close();
      throw fromNodeError(e);
    } finally {
      if (savedUmask !== null) process.umask(savedUmask);
      // The child has its own copies now (or never will).
      for (const fd of prepared.childEnds) N.close(fd);
    }
    if (child.pid === undefined) {
      for (const fd of prepared.parent) if (fd !== null) N.close(fd);
      const failure = loop.createFuture<Error>();
      this._spawnFailure = failure;
      child.once("error", (err) => {
        if (!failure.done()) loop._callSoonWith(() => { if (!failure.done()) failure.setResult(fromNodeError(err)); }, null, null);
      });
      return;
    }
    // Errors of later kill() calls are reported by sendSignal itself.
    child.on("error", () => {});
    const children = childrenOf(loop);
    children.add(child);
    if (!loop.isRunning()) child.unref();
    child.once("exit", (code, signal) => {
      children.delete(child);
      const rc = code !== null ? code : -(SIGNALS[signal ?? ""] ?? 0);
      if (!loop.isClosed()) loop._callSoonWith(() => this._processExited(rc), null, null);
    });
    const pid = child.pid;
    const handle: ChildHandle = {
      pid,
      stdin: prepared.parent[0],
      stdout: prepared.parent[1],
      stderr: prepared.parent[2],
      object: child,
      exited: () => child.exitCode !== null || child.signalCode !== null,
      sendSignal: (sig) => {
        const s = validSignal(sig);
        // Popen.send_signal: a reaped child is never signalled (its pid may be reused).
        if (child.exitCode !== null || child.signalCode !== null) return;
        try {
          process.kill(pid, s);
        } catch (e) {
          const err = fromNodeError(e);
          if (err instanceof ProcessLookupError) return;
          throw err;
        }
      },
    };
    this._started(handle, waiter, argv0);
  }
}

function* makeSubprocessTransport(loop: BaseEventLoop, protocol: BaseProtocol | ProtocolLike, file: string, args: string[], argv0: string, options: SubprocessOptions): Coroutine<UnixSubprocessTransport> {
  const waiter = loop.createFuture<void>();
  const transp = new UnixSubprocessTransport(loop, protocol, file, args, argv0, options, waiter);
  if (transp._spawnFailure !== null) {
    const err = yield* transp._spawnFailure;
    transp.close();
    throw err;
  }
  try {
    yield* waiter;
  } catch (e) {
    transp.close();
    yield* transp._wait();
    throw e;
  }
  return transp;
}

function checkCommonOptions(options: SubprocessOptions): void {
  if (options.universalNewlines) throw new ValueError("universal_newlines must be False");
  if (options.bufsize !== undefined && options.bufsize !== 0) throw new ValueError("bufsize must be 0");
  if (options.text) throw new ValueError("text must be False");
  if (options.encoding !== undefined && options.encoding !== null) throw new ValueError("encoding must be None");
  if (options.errors !== undefined && options.errors !== null) throw new ValueError("errors must be None");
}

function logSubprocess(loop: BaseEventLoop, msg: string, options: SubprocessOptions): string | null {
  if (!loop.getDebug()) return null;
  const describe = (s: unknown): string => (s === PIPE ? "<pipe>" : s === STDOUT ? "<stdout>" : s === DEVNULL ? "<devnull>" : String(s ?? "<inherit>"));
  logger.debug(`${msg} stdin=${describe(options.stdin ?? PIPE)} stdout=${describe(options.stdout ?? PIPE)} stderr=${describe(options.stderr ?? PIPE)}`);
  return msg;
}

/** Python's `loop.subprocess_exec()`: runs `program` with `args` (stdio defaults to PIPE). */
export function subprocessExec<P extends BaseProtocol | ProtocolLike>(loop: BaseEventLoop, protocolFactory: () => P, program: string, args: string[], options: SubprocessOptions): Coroutine<[SubprocessTransport, P]> {
  return (function* subprocessExec(): Coroutine<[SubprocessTransport, P]> {
    checkCommonOptions(options);
    if (options.shell) throw new ValueError("shell must be False");
    if (typeof program !== "string") throw new TypeError("program must be a string");
    if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) throw new TypeError("args must be an array of strings");
    const protocol = protocolFactory();
    const debugLog = logSubprocess(loop, `execute program ${JSON.stringify(program)}`, options);
    const file = options.executable ?? program;
    const transport = yield* makeSubprocessTransport(loop, protocol, file, args, program, options);
    if (debugLog !== null) logger.info(`${debugLog}: ${transport}`);
    return [transport, protocol];
  })();
}

/** Python's `loop.subprocess_shell()`: runs `cmd` with /bin/sh (stdio defaults to PIPE). */
export function subprocessShell<P extends BaseProtocol | ProtocolLike>(loop: BaseEventLoop, protocolFactory: () => P, cmd: string, options: SubprocessOptions): Coroutine<[SubprocessTransport, P]> {
  return (function* subprocessShell(): Coroutine<[SubprocessTransport, P]> {
    if (typeof cmd !== "string" && !Buffer.isBuffer(cmd)) throw new ValueError("cmd must be a string");
    checkCommonOptions(options);
    if (options.shell === false) throw new ValueError("shell must be True");
    const protocol = protocolFactory();
    const debugLog = logSubprocess(loop, `run shell command ${JSON.stringify(String(cmd))}`, options);
    const shell = options.executable ?? "/bin/sh";
    const transport = yield* makeSubprocessTransport(loop, protocol, shell, ["-c", String(cmd)], shell, options);
    if (debugLog !== null) logger.info(`${debugLog}: ${transport}`);
    return [transport, protocol];
  })();
}
