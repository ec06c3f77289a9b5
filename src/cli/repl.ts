import repl from "node:repl";
import { inspect } from "node:util";
import vm from "node:vm";
import * as asyncio from "../index.js";
import { formatException } from "../stdlib/traceback.js";
import { packageVersion } from "../internal/package-root.js";

// `tsyncio repl`, Python's `python -m asyncio`: a prompt on a loop that runs
// for the whole session (its runForever() promise stays pending), so tasks
// created by one input keep running while the prompt waits for the next.
// The evaluator runs an input with top-level `await` as an async function
// while the loop goes on in the background; it runs inputs one at a time
// (Node's REPL reads the next piped line while an `await` is pending), runs
// a coroutine that an `await` produced as a Task (`await main()` with a
// generator main), and prints results and errors as Python does.

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
    writer: (v: unknown) => (asyncio.isfuture(v) || v instanceof asyncio.Handle ? String(v) : inspect(v, { colors: interactive })),
  });
  (globalThis as Record<string, unknown>).asyncio = asyncio;

  // Inputs wait for the previous one, so an unfinished input is continued here rather than by the REPL,
  // which would already have read the next line.
  let queue: Promise<void> = Promise.resolve();
  let unfinished = "";
  const evaluate = (line: string, _context: object, file: string, cb: EvalCallback): void => {
    queue = queue.then(() => new Promise<void>((done) => {
      const code = unfinished + line;
      unfinished = "";
      const finish = (err: Error | null, result?: unknown): void => {
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
      let r: { value: unknown; awaited: boolean };
      try {
        r = runInput(code, file);
      } catch (e) {
        finish(e instanceof repl.Recoverable ? e : toError(e));
        return;
      }
      if (!r.awaited) {
        finish(null, r.value);
        return;
      }
      (r.value as Promise<unknown>).then((v) => {
        // `await main()` with a generator main: the coroutine runs as a Task, as Python's REPL would await it.
        if (asyncio.iscoroutine(v)) asyncio.ensureFuture(v, { loop }).then((w) => finish(null, w), (e: unknown) => finish(toError(e)));
        else finish(null, v);
      }, (e: unknown) => finish(toError(e)));
    }));
  };
  (server as unknown as { eval: EvalFn }).eval = evaluate;
  if (!interactive) server.displayPrompt = () => {};

  await new Promise<void>((resolve) => server.on("exit", () => resolve()));
  await queue;
  if (unfinished.trim() !== "") chatter.write("SyntaxError: unexpected end of input\n");
  if (!interactive) chatter.write("exiting asyncio REPL...\n");
  loop.callSoonThreadsafe(() => loop.stop());
  await running;
  const pending = asyncio.allTasks(loop);
  for (const t of pending) t.cancel();
  if (pending.size > 0) await loop.runUntilComplete(asyncio.gather(...pending, { returnExceptions: true }));
  loop.close();
  asyncio.setEventLoop(null);
  return 0;
}

/** Whether a SyntaxError only means the input is not finished yet (the REPL then reads another line). */
function incomplete(e: unknown): boolean {
  return e instanceof SyntaxError && /Unexpected end of input|Unterminated (template|string)|missing \) after/.test(e.message);
}

function compile(code: string, file: string): vm.Script {
  return new vm.Script(code, { filename: file });
}

/**
 * Runs one input in the global scope. Without a top-level `await` it is a
 * plain script (declarations persist as in Node's REPL). With one, it runs
 * as an async function: `const x = await f()` becomes a sloppy-mode
 * assignment, so `x` lives on as a global for the next inputs; an expression
 * gives its value; other statements run as a block.
 */
function runInput(code: string, file: string): { value: unknown; awaited: boolean } {
  const trimmed = code.trim();
  if (trimmed === "") return { value: undefined, awaited: false };
  let script: vm.Script | null = null;
  let firstError: unknown = null;
  // `{ a: 1 }` is an object, not a block, as in Node's REPL.
  if (/^\{/.test(trimmed) && !/;$/.test(trimmed)) {
    try {
      script = compile(`(${trimmed})`, file);
    } catch { /* a block after all */ }
  }
  if (script === null) {
    try {
      script = compile(code, file);
    } catch (e) {
      firstError = e;
    }
  }
  if (script !== null) return { value: script.runInThisContext({ displayErrors: false }), awaited: false };
  if (!(firstError instanceof SyntaxError) || !/\bawait\b/.test(code)) {
    if (incomplete(firstError)) throw new repl.Recoverable(firstError as SyntaxError);
    throw firstError;
  }
  // `await` and `void` are both unary operators: with one for the other, a plain script says whether
  // the input is unfinished or wrong (the async wrappers below would close its brackets).
  try {
    compile(code.replace(/\bfor\s+await\b/g, "for").replace(/\bawait\b/g, "void "), file);
  } catch (e) {
    if (incomplete(e)) throw new repl.Recoverable(e as SyntaxError);
    throw e;
  }
  const body = trimmed.replace(/;+$/, "");
  const decl = /^(?:const|let|var)\s+([\s\S]+)$/.exec(body);
  const forms = decl !== null
    ? [`(async () => { (${decl[1]}); })()`]
    : [`(async () => (${body}\n))()`, `(async () => {\n${code}\n})()`];
  let lastError: unknown = firstError;
  for (const form of forms) {
    try {
      script = compile(form, file);
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (script === null) {
    if (incomplete(lastError) || incomplete(firstError)) throw new repl.Recoverable(lastError as SyntaxError);
    throw lastError;
  }
  return { value: script.runInThisContext({ displayErrors: false }), awaited: true };
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
