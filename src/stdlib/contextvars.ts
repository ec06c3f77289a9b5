import { RuntimeError, KeyError, ValueError } from "./exceptions.js";

// Python's contextvars. A Context's mapping is copied lazily: copyContext()
// shares the map and the first set() on either side clones it, so creating a
// task (which copies the context) costs O(1) until somebody writes a variable.
//
// The loop snapshots the current mapping for every callSoon (Python copies the
// context there). To keep that free, the current state is a pair: `curVars`,
// the mapping code sees, and `curCtx`, the Context object that owns it — or
// null for an anonymous copy that is materialised only if a callback calls
// ContextVar.set().

const MISSING: unique symbol = Symbol("MISSING");

/** The mapping of a new Context; never written (a shared mapping is copied before the first write). */
const EMPTY_VARS = new Map<ContextVar<unknown>, unknown>();

/** A mapping of ContextVars to values; run code inside it with `run()`. */
export class Context implements Iterable<[ContextVar<unknown>, unknown]> {
  /** @internal */
  _vars: Map<ContextVar<unknown>, unknown>;
  /** @internal */
  _shared: boolean;
  /** @internal */
  _entered = false;

  constructor() {
    // Copy-on-write from one shared empty mapping: copyContext() (once per task) replaces it at once.
    this._vars = EMPTY_VARS;
    this._shared = true;
  }

  /** Calls fn(...args) with this context as the current one (RuntimeError if it is already entered). */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    return runWithArg(this, (a: A) => fn(...a), args);
  }

  /** A shallow copy (Python's `Context.copy()`). */
  copy(): Context {
    const c = new Context();
    c._vars = this._vars;
    c._shared = true;
    this._shared = true;
    return c;
  }

  /** The value of `v` in this context, or `dflt`. */
  get<T>(v: ContextVar<T>, dflt?: T): T | undefined {
    return this._vars.has(v as ContextVar<unknown>) ? (this._vars.get(v as ContextVar<unknown>) as T) : dflt;
  }

  /** Whether `v` has a value in this context. */
  has(v: ContextVar<unknown>): boolean {
    return this._vars.has(v);
  }

  /** The number of variables set in this context. */
  get size(): number {
    return this._vars.size;
  }

  /** The variables set in this context. */
  keys(): IterableIterator<ContextVar<unknown>> {
    return this._vars.keys();
  }

  /** Their values. */
  values(): IterableIterator<unknown> {
    return this._vars.values();
  }

  /** `[variable, value]` pairs. */
  items(): IterableIterator<[ContextVar<unknown>, unknown]> {
    return this._vars.entries();
  }

  /** Iterates over the context's `[variable, value]` pairs (Python's `items()`). */
  [Symbol.iterator](): IterableIterator<[ContextVar<unknown>, unknown]> {
    return this._vars.entries();
  }

  /** @internal Writes a variable, cloning a shared map first. */
  _write(v: ContextVar<unknown>, value: unknown | typeof MISSING): void {
    if (this._shared) {
      this._vars = new Map(this._vars);
      this._shared = false;
      if (curCtx === this) curVars = this._vars;
    }
    if (value === MISSING) this._vars.delete(v);
    else this._vars.set(v, value);
  }

  /** Python's repr. */
  toString(): string {
    return `<Context object with ${this._vars.size} variables>`;
  }
}

const rootContext = new Context();
let curCtx: Context | null = rootContext;
let curVars: Map<ContextVar<unknown>, unknown> = rootContext._vars;

/** The Context object code runs in right now, materialised if it was an anonymous copy. */
function current(): Context {
  if (curCtx === null) {
    const c = new Context();
    c._vars = curVars;
    c._shared = true;
    curCtx = c;
  }
  return curCtx;
}

/** The context that code runs in right now. @internal */
export function currentContext(): Context {
  return current();
}

/** A copy of the current context (Python's `contextvars.copy_context()`). */
export function copyContext(): Context {
  const c = new Context();
  c._vars = curVars;
  c._shared = true;
  if (curCtx !== null) curCtx._shared = true;
  return c;
}

/** @internal A snapshot of the current mapping for a callback (what Python's copy_context() gives call_soon). */
export function snapshotVars(): Map<ContextVar<unknown>, unknown> {
  if (curCtx !== null) curCtx._shared = true;
  return curVars;
}

/** @internal A Context over a snapshot taken with snapshotVars(). */
export function contextFromVars(vars: Map<ContextVar<unknown>, unknown>): Context {
  const c = new Context();
  c._vars = vars;
  c._shared = true;
  return c;
}

let lastRunContext: Context | null = null;

/**
 * @internal The Context the last runInContext() call without a context ended
 * in, if the callback made one by setting a variable (null otherwise); so an
 * exception handler can run in the context the callback left, as Python's.
 */
export function takeRunContext(): Context | null {
  const c = lastRunContext;
  lastRunContext = null;
  return c;
}

/**
 * @internal Returns `fn(arg)` run in `ctx`, entered (Context.run). A task's
 * step calls it with one function (core/tasks.ts), so its call is not
 * runInContext's megamorphic one and is inlined into the step.
 */
export function runWithArg<A, R>(ctx: Context, fn: (arg: A) => R, arg: A): R {
  if (ctx._entered) throw new RuntimeError(`cannot enter context: ${ctx} is already entered`);
  ctx._entered = true;
  const prevCtx = curCtx;
  const prevVars = curVars;
  curCtx = ctx;
  curVars = ctx._vars;
  try {
    return fn(arg);
  } finally {
    ctx._entered = false;
    curCtx = prevCtx;
    curVars = prevVars;
  }
}

/**
 * @internal Runs a loop callback in `ctx` (entered as by Context.run) or, when
 * ctx is null, in an anonymous copy of `vars`. Exceptions propagate.
 */
export function runInContext(
  ctx: Context | null,
  vars: Map<ContextVar<unknown>, unknown>,
  fn: (...args: never[]) => unknown,
  args: readonly unknown[] | null,
): void {
  const prevCtx = curCtx;
  const prevVars = curVars;
  if (ctx !== null) {
    if (ctx._entered) throw new RuntimeError(`cannot enter context: ${ctx} is already entered`);
    ctx._entered = true;
    curVars = ctx._vars;
  } else {
    curVars = vars;
  }
  curCtx = ctx;
  try {
    // Spread calls go through a generic builtin; most callbacks take one or two arguments.
    const f = fn as (...a: unknown[]) => unknown;
    if (args === null) f();
    else if (args.length === 1) f(args[0]);
    else if (args.length === 2) f(args[0], args[1]);
    else f(...args);
  } finally {
    if (ctx !== null) ctx._entered = false;
    // An anonymous copy that the callback materialised (by setting a variable) is kept for takeRunContext().
    else lastRunContext = curCtx;
    curCtx = prevCtx;
    curVars = prevVars;
  }
}

/** Returned by `ContextVar.set()`; restores the previous value with `ContextVar.reset(token)`. */
export class Token<T> {
  /** Marks a variable that had no value before `set()`. */
  static readonly MISSING: typeof MISSING = MISSING;
  /** @internal */
  _used = false;
  /** @internal */
  constructor(
    /** @internal */ readonly _ctx: Context,
    /** The variable that was set. */ readonly var_: ContextVar<T>,
    /** The value before `set()`, or Token.MISSING. */ readonly oldValue: T | typeof MISSING,
  ) {}
  /** The variable this token belongs to (Python's `Token.var`). */
  get var(): ContextVar<T> {
    return this.var_;
  }
}

/** A context variable (Python's `contextvars.ContextVar`). */
export class ContextVar<T> {
  /** The variable's name. */
  readonly name: string;
  private readonly dflt: T | typeof MISSING;

  constructor(name: string, options?: { default?: T }) {
    if (typeof name !== "string") throw new TypeError("context variable name must be a str");
    this.name = name;
    this.dflt = options && "default" in options ? (options.default as T) : MISSING;
  }

  /** The value in the current context; else `dflt`, else the variable's default; else LookupError (KeyError). */
  get(dflt?: T): T {
    const vars = curVars;
    if (vars.has(this as ContextVar<unknown>)) return vars.get(this as ContextVar<unknown>) as T;
    if (arguments.length > 0) return dflt as T;
    if (this.dflt !== MISSING) return this.dflt;
    throw new KeyError(`<ContextVar name='${this.name}'>`);
  }

  /** Sets the value in the current context and returns a Token to undo it. */
  set(value: T): Token<T> {
    const ctx = current();
    const old = ctx._vars.has(this as ContextVar<unknown>) ? (ctx._vars.get(this as ContextVar<unknown>) as T) : MISSING;
    ctx._write(this as ContextVar<unknown>, value);
    return new Token(ctx, this, old);
  }

  /** Restores the value the variable had before the `set()` that returned `token`. */
  reset(token: Token<T>): void {
    if (!(token instanceof Token)) throw new TypeError(`expected an instance of Token, got ${String(token)}`);
    if (token._used) throw new RuntimeError(`${String(token)} has already been used once`);
    if (token.var_ !== this) throw new ValueError(`${String(token)} was created by a different ContextVar`);
    const ctx = current();
    if (token._ctx !== ctx) throw new ValueError(`${String(token)} was created in a different Context`);
    token._used = true;
    ctx._write(this as ContextVar<unknown>, token.oldValue);
  }

  /** Python's repr. */
  toString(): string {
    return `<ContextVar name='${this.name}'${this.dflt !== MISSING ? ` default=${String(this.dflt)}` : ""}>`;
  }
}
