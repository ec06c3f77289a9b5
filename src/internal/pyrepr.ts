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
