// Shared helpers of the differential scenarios (the TypeScript side): Python's print/str/repr for the
// values the scenarios print, so that a trace line reads exactly as CPython writes it.

/** Python's repr() of the values the scenarios use. */
export function repr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === "string") return strRepr(v);
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  if (v instanceof Tuple) return v.items.length === 1 ? `(${repr(v.items[0])},)` : `(${v.items.map(repr).join(", ")})`;
  if (v instanceof Error) return `${v.name}(${strRepr(v.message)})`;
  return String(v);
}

/** Python's str(). */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Error) return v.message;
  return repr(v);
}

/** Python's print(*args). */
export function print(...args: unknown[]): void {
  process.stdout.write(args.map(str).join(" ") + "\n");
}

/** An exception as ClassName('message'), the twin of _util.py's en(). */
export function en(e: unknown): string {
  if (e instanceof Error) return `${e.name}(${strRepr(e.message)})`;
  return `<not an exception: ${String(e)}>`;
}

/** The sorted keys of an exception-handler context, without the debug-only ones. */
export function keys(ctx: object): string[] {
  return Object.keys(ctx).filter((k) => k !== "source_traceback" && k !== "handle_traceback" && (ctx as Record<string, unknown>)[k] !== undefined).sort();
}

/** A Python tuple, for printing. */
export class Tuple {
  constructor(readonly items: unknown[]) {}
}

/** Makes a tuple to print. */
export function tuple(...items: unknown[]): Tuple {
  return new Tuple(items);
}

function pyFloat(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  const s = String(n);
  return s.includes(".") || s.includes("e") ? s : s + ".0";
}

function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += "\\" + q;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}

function bytesRepr(b: Uint8Array): string {
  const q = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let out = "b" + q;
  for (const c of b) {
    if (c === 0x5c) out += "\\\\";
    else if (c === q.charCodeAt(0)) out += "\\" + q;
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += String.fromCharCode(c);
  }
  return out + q;
}

/** An exception-handler message without source locations (" at FILE:LINE"), which only Python has. */
export function msg(ctx: { message: string }): string {
  return ctx.message.replace(/ at [^ ]+:\d+/g, "");
}
