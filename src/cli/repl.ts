import repl from "node:repl";
import { inspect } from "node:util";
import * as asyncio from "../index.js";
import { formatException } from "../stdlib/traceback.js";
import { packageVersion } from "../internal/package-root.js";

// `tsyncio repl`, Python's `python -m asyncio`: a prompt on a loop that runs
// for the whole session (its runForever() promise stays pending), so tasks
// created by one input keep running while the prompt waits for the next.
// Inputs go to Node's own REPL evaluator (top-level `await`, declarations
// that persist, dynamic import()) while the loop goes on in the background,
// with static imports rewritten as dynamic ones; they run one at a time
// (Node's REPL reads the next piped line while an `await` is pending); a
// coroutine that an `await` produced runs as a Task (`await main()` with a
// generator main); results and errors print as Python prints them.

/** Options of startRepl(). */
export interface ReplOptions {
  /** Turns on the loop's debug mode. */
  debug?: boolean;
  /** Where inputs come from (default stdin). */
  input?: NodeJS.ReadableStream;
  /** Where results go (default stdout). */
  output?: NodeJS.WritableStream;
}

type EvalCallback = (err: Error | null, result?: unknown) => void;
type EvalFn = (this: repl.REPLServer, code: string, context: object, file: string, cb: EvalCallback) => void;

/** Runs the interactive prompt until end of input; resolves with the exit code. */
export async function startRepl(options?: ReplOptions): Promise<number> {
  const input = options?.input ?? process.stdin;
  const output = options?.output ?? process.stdout;
  const interactive = (input as { isTTY?: boolean }).isTTY === true && (output as { isTTY?: boolean }).isTTY === true;
  // Like Python, the banner and prompts stay off stdout when stdin is not a terminal, so piped output is just the results.
  const chatter: NodeJS.WritableStream = interactive ? output : process.stderr;

  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);
  if (options?.debug) loop.setDebug(true);
  const running = loop.runForever();

  chatter.write(`tsyncio REPL ${packageVersion()} on Node.js ${process.version}\n` +
    `Use "await" directly instead of "asyncio.run()".\n` +
    `Type ".help" for more information.\n` +
    `>>> import * as asyncio from "tsyncio"\n`);

  const server = repl.start({
    prompt: interactive ? ">>> " : "",
    input,
    output,
    terminal: interactive,
    useGlobal: true,
    ignoreUndefined: true,
    // Loops, tasks, futures, handles, servers and transports inspect as their Python repr.
    writer: (v: unknown) => inspect(v, { colors: interactive }),
  });
  (globalThis as Record<string, unknown>).asyncio = asyncio;

  // Inputs wait for the previous one, so an unfinished input is continued here rather than by the REPL,
  // which would already have read the next line.
  let queue: Promise<void> = Promise.resolve();
  let unfinished = "";
  const evaluate = (line: string, context: object, file: string, cb: EvalCallback): void => {
    queue = queue.then(() => new Promise<void>((done) => {
      const code = unfinished + line;
      unfinished = "";
      const finish = (err: Error | null, result?: unknown): void => {
        if (pending !== finish) return;
        pending = null;
        done();
        if (err instanceof repl.Recoverable) {
          unfinished = code;
          if (interactive) server.setPrompt("... ");
          cb(null, undefined);
          return;
        }
        if (interactive) server.setPrompt(">>> ");
        if (err !== null) {
          // Printed as Python prints it; the REPL then shows nothing more.
          chatter.write(formatException(err));
          cb(null, undefined);
          return;
        }
        cb(err, result);
      };
      pending = finish;
      if (code.trim() === "") {
        finish(null, undefined);
        return;
      }
      nodeEval.call(server, rewriteImports(code), context, file, (err, v) => {
        if (err !== null && err !== undefined) finish(err instanceof repl.Recoverable ? err : toError(err));
        // `await main()` with a generator main: the coroutine runs as a Task, as Python's REPL would await it.
        else if (asyncio.iscoroutine(v)) asyncio.ensureFuture(v, { loop }).then((w) => finish(null, w), (e: unknown) => finish(toError(e)));
        else finish(null, v);
      });
    }));
  };
  // Node's evaluator sends what an input throws to the REPL's domain (which
  // would print it Node's way and never answer the evaluation): it ends the
  // pending evaluation instead, printed as Python prints it.
  let pending: ((err: Error | null, result?: unknown) => void) | null = null;
  const domain = (server as unknown as { _domain?: NodeJS.EventEmitter })._domain;
  if (domain !== undefined) {
    domain.removeAllListeners("error");
    domain.on("error", (e: unknown) => {
      if (pending !== null) pending(toError(e));
      else chatter.write(formatException(e));
    });
  }
  // Node's own evaluator does top-level await, declarations that persist and
  // dynamic import(); this one only feeds it one input at a time.
  const nodeEval = (server as unknown as { eval: EvalFn }).eval;
  (server as unknown as { eval: EvalFn }).eval = evaluate;
  if (!interactive) server.displayPrompt = () => {};

  await new Promise<void>((resolve) => server.on("exit", () => resolve()));
  await queue;
  if (unfinished.trim() !== "") chatter.write("SyntaxError: unexpected end of input\n");
  if (!interactive) chatter.write("exiting asyncio REPL...\n");
  loop.callSoonThreadsafe(() => loop.stop());
  await running;
  const left = asyncio.allTasks(loop);
  for (const t of left) t.cancel();
  if (left.size > 0) await loop.runUntilComplete(asyncio.gather(...left, { returnExceptions: true }));
  loop.close();
  asyncio.setEventLoop(null);
  return 0;
}

/**
 * Static imports, which a script cannot contain, as the dynamic imports Node's
 * REPL evaluator runs with top-level `await` (`import { a as b } from "m"`
 * becomes `const { a: b } = await import("m")`); the rest of the input is
 * left as it is.
 */
export function rewriteImports(code: string): string {
  return code.replace(
    /(^|[;\n])(\s*)import\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s+as\s+([\w$]+)|\{([^}]*)\})?\s*(?:from\s*)?(["'][^"'\n]+["'])\s*(?:with\s*\{[^}]*\}\s*)?(?=;|\n|$)/g,
    (all: string, lead: string, ws: string, def: string | undefined, ns: string | undefined, named: string | undefined, spec: string) => {
      if (def === undefined && ns === undefined && named === undefined && /^\s*import\s*["']/.test(all.slice(lead.length)) === false) return all;
      const load = `await import(${spec})`;
      if (ns !== undefined) {
        return `${lead}${ws}const ${ns} = ${load}` + (def !== undefined ? `; const ${def} = ${ns}.default` : "");
      }
      const parts: string[] = [];
      if (def !== undefined) parts.push(`default: ${def}`);
      if (named !== undefined) {
        for (const n of named.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
          const m = /^(?:type\s+)?([\w$]+|"[^"]*"|'[^']*')(?:\s+as\s+([\w$]+))?$/.exec(n);
          if (m === null) return all;
          parts.push(m[2] !== undefined ? `${m[1]}: ${m[2]}` : m[1]!);
        }
      }
      return parts.length === 0 ? `${lead}${ws}${load}` : `${lead}${ws}const { ${parts.join(", ")} } = ${load}`;
    },
  );
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
