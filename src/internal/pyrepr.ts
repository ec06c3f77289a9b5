/** Python's repr of a string, number, boolean, None, or an address tuple (an array), as error messages quote them. */
export function pyRepr(v: unknown): string {
  if (typeof v === "string") {
    const body = v.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\0/g, "\\x00").replace(/\n/g, "\\n");
    return `'${body}'`;
  }
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(", ")}${v.length === 1 ? "," : ""})`;
  return String(v);
}

/** @internal Python's type name of a value, for TypeError messages. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "function") return "function";
  return (v as object).constructor?.name ?? "object";
}

/**
 * Python's TypeError for a value that is not bytes (`${what}, not 'str'`);
 * for text it adds the JavaScript spelling of Python's `"...".encode()`, the
 * fix a JavaScript user needs.
 */
export function bytesExpected(value: unknown, what = "a bytes-like object is required"): TypeError {
  const fix = typeof value === "string" ? "; encode text first: Buffer.from(text) (UTF-8)" : "";
  return new TypeError(`${what}, not '${pyTypeName(value)}'${fix}`);
}

/**
 * Node's util.inspect.custom: a class defining it with its toString() (the
 * Python repr) prints as Python shows it in console.log, the REPL and
 * assertion messages, instead of a dump of its internals.
 */
export const inspectRepr: unique symbol = Symbol.for("nodejs.util.inspect.custom") as never;
