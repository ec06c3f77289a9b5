import { existsSync, readFileSync } from "node:fs";
import { register } from "node:module";
import { extname, join, resolve as resolvePath, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as asyncio from "../index.js";
import * as socketModule from "../stdlib/socket.js";
import * as contextvarsModule from "../stdlib/contextvars.js";
import { sharedInstance } from "../internal/instance.js";
import { formatException } from "../stdlib/traceback.js";
import { packageRoot, packageVersion } from "../internal/package-root.js";

// The `tsyncio` command (bin/tsyncio.mjs loads this module): `run` a module's
// main under asyncio.run(), a `repl` on a live loop, `--version`. Errors that
// escape print as CPython prints them, and the exit codes are CPython's.

const USAGE = `usage: tsyncio [--version] [--help] <command> ...

commands:
  run [--debug] <module> [args...]   run the module's exported main() under asyncio.run()
  repl [--debug]                     an interactive prompt on a running loop (like python -m asyncio)

run: main may be a generator function, an async function or a coroutine object.
  process.argv.slice(1) is what Python's sys.argv would be: [module, ...args].
  --debug turns on the loop's debug mode (as PYTHONASYNCIODEBUG=1): slow callbacks
  are logged, tasks record where they suspend, and the task tree is printed on
  SIGUSR2 and when Ctrl-C interrupts main.
`;


/** Runs the command line `argv` (without node and the script); resolves with the process exit code. */
export async function cliMain(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V") {
    process.stdout.write(`tsyncio ${packageVersion()}\n`);
    return 0;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === "run") {
    let debug = false;
    let i = 0;
    for (; i < rest.length && rest[i]!.startsWith("-"); i++) {
      if (rest[i] === "--debug") debug = true;
      else if (rest[i] === "--") {
        i++;
        break;
      } else return usageError(`unrecognized option for run: ${rest[i]}`);
    }
    if (i >= rest.length) return usageError("run: the module to run is required");
    return runModule(rest[i]!, rest.slice(i + 1), { debug });
  }
  if (command === "repl") {
    let debug = false;
    for (const a of rest) {
      if (a === "--debug") debug = true;
      else return usageError(`unrecognized argument for repl: ${a}`);
    }
    const { startRepl } = await import("./repl.js");
    return startRepl({ debug });
  }
  return usageError(command === undefined ? "a command is required" : `unknown command: ${command}`);
}

function usageError(msg: string): number {
  process.stderr.write(`${USAGE}\ntsyncio: error: ${msg}\n`);
  return 2;
}

/** Whether this module runs from the TypeScript sources (under tsx) rather than dist/: its own frame says. */
function fromSources(): boolean {
  const frame = (new Error().stack ?? "").split("\n")[1]?.trim() ?? "";
  return /\.ts:\d+:\d+\)?$/.test(frame);
}

/** Whether TypeScript modules can be imported (tsx is loaded). */
function canImportTypeScript(): boolean {
  return fromSources() || process.execArgv.some((a) => /(^|[\\/@:])tsx([\\/]|$)/.test(a));
}

let redirected = false;

/**
 * Makes `import "tsyncio"` (and its subpaths) in the user's module load this
 * very copy of tsyncio: the loop that runs main() and the one the module's
 * sleep() looks for must be the same module instance. A `require("tsyncio")`
 * (a CommonJS module, or TypeScript that tsx compiles to CommonJS) reaches the
 * package's CommonJS entry, which hands out the copy registered here.
 */
function redirectSelfImports(): void {
  if (redirected) return;
  redirected = true;
  sharedInstance("tsyncio", () => asyncio);
  sharedInstance("tsyncio/socket", () => socketModule);
  sharedInstance("tsyncio/contextvars", () => contextvarsModule);
  const root = packageRoot();
  const src = fromSources();
  // From dist/, the package's own ESM entries hand out the copy registered above.
  const file = (path: string, entry: string): string =>
    pathToFileURL(src ? join(root, "src", `${path}.ts`) : join(root, "dist", "entry", `${entry}.mjs`)).href;
  const map = {
    tsyncio: file("index", "index"),
    "tsyncio/socket": file("stdlib/socket", "socket"),
    "tsyncio/contextvars": file("stdlib/contextvars", "contextvars"),
  };
  const hooks = `let map = {};
export function initialize(data) { map = data; }
export async function resolve(specifier, context, next) {
  if (Object.prototype.hasOwnProperty.call(map, specifier)) return { url: map[specifier], shortCircuit: true };
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: map });
}

type MainLike = ((...args: unknown[]) => unknown) | asyncio.Coroutine<unknown> | PromiseLike<unknown>;

/** Runs `path`'s exported main under asyncio.run() with `args` as its argv; resolves with the exit code. */
export async function runModule(path: string, args: readonly string[], options?: { debug?: boolean }): Promise<number> {
  const abs = resolvePath(path);
  if (!existsSync(abs)) {
    process.stderr.write(`tsyncio: can't open file '${abs}': [Errno 2] No such file or directory\n`);
    return 2;
  }
  if (/^\.[cm]?tsx?$/.test(extname(abs)) && !canImportTypeScript()) {
    // tsx is a dependency of tsyncio and bin/tsyncio.mjs loads it from tsyncio's own location: it is
    // missing only from a broken install, or when cliMain runs in a process started without it.
    process.stderr.write(
      `tsyncio: running a TypeScript module needs tsx, a dependency of tsyncio that could not be loaded ` +
      `from ${packageRoot()}: reinstall tsyncio (npm install tsyncio), or run the module with ` +
      `node --import tsx: ${abs}\n`,
    );
    return 2;
  }
  const debug = options?.debug ?? false;
  // Loops the module creates itself at import time get debug mode too, as PYTHONASYNCIODEBUG does.
  if (debug) process.env.TSYNCIO_DEBUG = "1";
  process.argv = [process.execPath, abs, ...args];
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 50);
  redirectSelfImports();

  let ns: Record<string, unknown>;
  try {
    ns = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    return reportUncaught(e, null);
  }
  const main = findMain(ns);
  // A module without main ran at import time (the examples do so): nothing more to run.
  if (main === undefined) return 0;

  const origins = new WeakMap<object, string>();
  const runner = new asyncio.Runner({ debug: debug ? true : null });
  try {
    const noteOrigin = (t: asyncio.Task<unknown>): void => {
      const e = t._exception;
      if (!t.cancelled() && typeof e === "object" && e !== null && !origins.has(e)) origins.set(e, t.getName());
    };
    const loop = runner.getLoop();
    if (loop.getTaskFactory() === null) {
      // Remembers which task an exception escaped from first, for the report of an uncaught one.
      loop.setTaskFactory((l, coro, opts) => {
        const t = new asyncio.Task(coro, { loop: l, context: opts?.context ?? null });
        t.addDoneCallback(noteOrigin);
        return t;
      });
    }
    await runner.run(toCoroutine(main));
    return 0;
  } catch (e) {
    return reportUncaught(e, typeof e === "object" && e !== null ? origins.get(e) ?? null : null);
  } finally {
    try {
      await runner.close();
    } catch (e) {
      reportUncaught(e, null);
    }
  }
}

function findMain(ns: Record<string, unknown>): MainLike | undefined {
  const dflt = ns.default as Record<string, unknown> | undefined;
  // A module tsx compiled as CommonJS shows its exports on `default`.
  const candidates = [ns.main, typeof dflt === "object" && dflt !== null ? dflt.main : undefined, dflt];
  for (const c of candidates) {
    if (typeof c === "function" || asyncio.iscoroutine(c) ||
        (typeof c === "object" && c !== null && typeof (c as PromiseLike<unknown>).then === "function")) {
      return c as MainLike;
    }
  }
  return undefined;
}

/** The coroutine the main task runs: main() itself for a generator function, else a wrapper named after main. */
function toCoroutine(main: MainLike): asyncio.Coroutine<unknown> {
  if (asyncio.iscoroutine(main)) return main;
  const name = typeof main === "function" && main.name ? main.name : "main";
  if (asyncio.iscoroutinefunction(main)) {
    const coro = (main as () => asyncio.Coroutine<unknown>)();
    if (asyncio.iscoroutine(coro)) nameCoroutine(coro, name);
    return coro;
  }
  // An async function starts inside the main task, so its synchronous part already sees the running loop.
  const coro = (function* (): asyncio.Coroutine<unknown> {
    const r = typeof main === "function" ? main() : main;
    if (asyncio.iscoroutine(r)) return yield* r;
    if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
      return yield* asyncio.ensureFuture(r as PromiseLike<unknown>);
    }
    return r;
  })();
  nameCoroutine(coro, name);
  return coro;
}

/** Task reprs show `coro=<name()>` from the coroutine's `__name__` (a generator does not know its function). */
function nameCoroutine(coro: object, name: string): void {
  if (!Object.prototype.hasOwnProperty.call(coro, "__name__")) {
    Object.defineProperty(coro, "__name__", { value: name, configurable: true });
  }
}

/** Prints an exception that escaped main as CPython does; returns the exit code (1, 130, or SystemExit's). */
export function reportUncaught(e: unknown, taskName: string | null): number {
  if (e instanceof asyncio.SystemExit) {
    const code = e.code;
    if (code === null || code === undefined) return 0;
    if (typeof code === "number") return code;
    process.stderr.write(`${code}\n`);
    return 1;
  }
  let text = formatException(e);
  if (taskName !== null && !(e instanceof asyncio.KeyboardInterrupt)) text += `(raised in task '${taskName}')\n`;
  process.stderr.write(text);
  return e instanceof asyncio.KeyboardInterrupt ? 130 : 1;
}

