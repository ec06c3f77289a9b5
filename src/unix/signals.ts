import { constants } from "node:os";
import { isMainThread } from "node:worker_threads";
import { copyContext, type Context } from "../stdlib/contextvars.js";
import { RuntimeError, ValueError } from "../stdlib/exceptions.js";
import { iscoroutine, iscoroutinefunction } from "../core/coroutines.js";
import { reprValue, type Callback } from "../core/events.js";
import { LoopStateKey, type BaseEventLoop } from "../core/base-events.js";

// unix_events.py, signal part: addSignalHandler/removeSignalHandler on Node's
// process.on(signal). Python installs one C-level handler per signal that
// writes the signal number to the loop's self-pipe; here a process listener
// puts the callback in the loop's ready queue. The ready queue only runs
// while the loop runs, so a signal that arrives while the loop is stopped is
// delivered when it runs again.
//
// Python's signal.signal() replaces whatever handled the signal before. To
// keep that meaning, the first tsyncio handler of a signal takes the other
// process listeners of that signal off (for SIGINT under asyncio.run(), the
// Runner's, which cancels the main task), and removing the last tsyncio
// handler puts them back. With none to put back, Node's default disposition
// returns: SIGINT and SIGTERM terminate the process. That is Node's
// counterpart of Python restoring SIG_DFL, and of default_int_handler for
// SIGINT (which raises KeyboardInterrupt; under asyncio.run() the restored
// Runner listener does the same).

const SIGNALS = new LoopStateKey<LoopSignals>("unix-signals");

/** Valid signal numbers, as signal.valid_signals() on Linux (glibc keeps 32 and 33). */
const NSIG = 65;

interface Registration {
  name: NodeJS.Signals;
  listener: () => void;
  callback: Callback;
  args: readonly unknown[];
  context: Context;
}

interface LoopSignals {
  handlers: Map<number, Registration>;
}

/** Per signal number: how many tsyncio handlers (all loops) and the listeners they displaced. */
const processState = new Map<number, { count: number; displaced: Array<(...a: unknown[]) => void> }>();

const signalNames = new Map<number, NodeJS.Signals>();
for (const [name, num] of Object.entries(constants.signals) as Array<[NodeJS.Signals, number]>) {
  // The first name wins (SIGABRT before SIGIOT, SIGIO before SIGPOLL).
  if (!signalNames.has(num)) signalNames.set(num, name);
}

/** Python's _check_signal, extended to names: the signal's number. */
function checkSignal(sig: unknown): number {
  if (typeof sig === "string") {
    const num = (constants.signals as Record<string, number | undefined>)[sig];
    if (num === undefined || !sig.startsWith("SIG")) throw new ValueError(`invalid signal name ${reprValue(sig)}`);
    return num;
  }
  if (typeof sig !== "number" || !Number.isInteger(sig)) throw new TypeError(`sig must be an int, not ${reprValue(sig)}`);
  if (sig < 1 || sig >= NSIG || sig === 32 || sig === 33) throw new ValueError(`invalid signal number ${sig}`);
  return sig;
}

function loopSignals(loop: BaseEventLoop): LoopSignals {
  let st = loop._getState(SIGNALS);
  if (st === undefined) {
    const created: LoopSignals = { handlers: new Map() };
    st = created;
    loop._setState(SIGNALS, created);
    loop._addLifecycleHook({
      close: () => {
        for (const num of [...created.handlers.keys()]) removeSignalHandler(loop, num);
      },
    });
  }
  return st;
}

/** Installs `listener` for `num`, displacing foreign listeners when it is the first tsyncio one. */
function attach(num: number, name: NodeJS.Signals, listener: () => void): void {
  let ps = processState.get(num);
  const first = ps === undefined;
  // Node throws EINVAL (uv_signal_start) for SIGKILL and SIGSTOP, before anything else changes.
  try {
    process.on(name, listener);
  } catch (e) {
    if ((e as { code?: string }).code === "EINVAL") throw new RuntimeError(`sig ${num} cannot be caught`);
    throw e;
  }
  if (first) {
    ps = { count: 0, displaced: [] };
    processState.set(num, ps);
    for (const l of process.rawListeners(name) as Array<(...a: unknown[]) => void>) {
      if (l === listener) continue;
      ps.displaced.push(l);
      process.removeListener(name, l);
    }
  }
  ps!.count++;
}

function detach(num: number, name: NodeJS.Signals, listener: () => void): void {
  const ps = processState.get(num);
  // The displaced listeners come back before ours goes, so the signal is never left without a listener in between.
  if (ps !== undefined && ps.count === 1) {
    for (const l of ps.displaced) process.on(name, l);
    processState.delete(num);
  } else if (ps !== undefined) {
    ps.count--;
  }
  process.removeListener(name, listener);
}

/** loop.addSignalHandler(): runs callback(...args) as a loop callback whenever `sig` arrives. */
export function addSignalHandler(loop: BaseEventLoop, sig: number | string, callback: Callback, args: unknown[]): void {
  if (iscoroutine(callback) || iscoroutinefunction(callback)) {
    throw new TypeError("coroutines cannot be used with add_signal_handler()");
  }
  const num = checkSignal(sig);
  loop._checkClosed();
  if (!isMainThread) throw new RuntimeError("set_wakeup_fd only works in main thread of the main interpreter");
  if (typeof callback !== "function") throw new TypeError(`a callable object was expected by addSignalHandler(), got ${reprValue(callback)}`);
  const name = signalNames.get(num);
  if (name === undefined) {
    // Real-time signals (SIGRTMIN..SIGRTMAX) have no Node name, so Node cannot listen to them.
    throw new RuntimeError(`sig ${num} cannot be caught: Node.js has no listener for real-time signals`);
  }
  const st = loopSignals(loop);
  const reg: Registration = {
    name,
    callback,
    args: args.slice(),
    // Python's Handle(callback, args, loop, None) copies the context once, when the handler is added.
    context: copyContext(),
    listener: () => {
      if (!loop.isClosed()) loop._callSoonWith(reg.callback, reg.args, reg.context);
    },
  };
  attach(num, name, reg.listener);
  const previous = st.handlers.get(num);
  st.handlers.set(num, reg);
  if (previous !== undefined) detach(num, previous.name, previous.listener);
}

/** loop.removeSignalHandler(): true if a handler of this loop was removed; the previous behaviour returns. */
export function removeSignalHandler(loop: BaseEventLoop, sig: number | string): boolean {
  const num = checkSignal(sig);
  const st = loop._getState(SIGNALS);
  const reg = st?.handlers.get(num);
  if (st === undefined || reg === undefined) return false;
  st.handlers.delete(num);
  detach(num, reg.name, reg.listener);
  return true;
}
