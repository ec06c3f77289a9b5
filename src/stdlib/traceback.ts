import { readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { BaseExceptionGroup } from "./exceptions.js";
import { packageRoot } from "../internal/package-root.js";

// Python's traceback module, as far as tsyncio prints exceptions: the one
// rendering used by the loop's logger, `tsyncio run` and the REPL. Frames
// inside tsyncio itself (src/, dist/, bin/), Node's internals and tsx are
// left out, as CPython hides asyncio's own frames where it can.

const sourceCache = new Map<string, string[] | null>();

function sourceLine(file: string, line: number): string | null {
  let lines = sourceCache.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, "utf8").split("\n");
    } catch {
      lines = null;
    }
    sourceCache.set(file, lines);
  }
  const l = lines?.[line - 1]?.trim();
  return l ? l : null;
}

/** A V8 stack line's `[function, file, line]`, the file as a path; null for a line that is no frame. */
function parseFrame(raw: string): [string, string, number] | null {
  const l = raw.trim();
  if (!l.startsWith("at ")) return null;
  const m = /^at (?:async )?(?:new )?(.*?) \((.*):(\d+):\d+\)$/.exec(l) ?? /^at (?:async )?()(.*):(\d+):\d+$/.exec(l);
  if (m === null) return null;
  let file = m[2]!;
  if (file.startsWith("file://")) {
    try {
      file = fileURLToPath(file);
    } catch { /* keep the URL */ }
  }
  return [m[1]!, file, Number(m[3])];
}

let ownDirs: string[] | null = null;

/** Whether `file` is part of tsyncio itself (src/, dist/, bin/). */
function isOwnFile(file: string): boolean {
  ownDirs ??= ["src", "dist", "bin"].map((d) => join(packageRoot(), d) + sep);
  return ownDirs.some((d) => file.startsWith(d));
}

const RESUMPTION = /^\s*at \S+\.(?:next|throw|return) \(<anonymous>\)$/;

/** The line that stands for a run of tsyncio's own frames in a stack hideInternalFrames() rewrote. */
const HIDDEN = "    at <tsyncio internals>";

/**
 * Rewrites an error's stack as Node prints it: each run of frames inside
 * tsyncio becomes one `at <tsyncio internals>` line, as CPython hides
 * asyncio's own frames; the user's frames and Node's stay. The error leaves
 * tsyncio here (a rejected runUntilComplete(), a Future awaited by an async
 * function), so the cost is paid once per error that reaches the user.
 */
export function hideInternalFrames(e: unknown): void {
  if (!(e instanceof Error)) return;
  const stack = e.stack;
  if (typeof stack !== "string") return;
  const out: string[] = [];
  let hidden = false;
  for (const line of stack.split("\n")) {
    const f = parseFrame(line);
    // A generator's resumption (`Generator.next (<anonymous>)`) has no place
    // of its own: it is part of the coroutine machinery around it.
    if ((f !== null && isOwnFile(f[1])) || RESUMPTION.test(line)) {
      if (out[out.length - 1] !== HIDDEN) out.push(HIDDEN);
      hidden = true;
      continue;
    }
    out.push(line);
  }
  if (hidden) e.stack = out.join("\n");
}

/** The frames of a V8 stack as CPython's `File "...", line N, in name` lines, most recent call last. */
export function formatFrames(stack: string): string[] {
  const out: string[] = [];
  for (const raw of stack.split("\n")) {
    const f = parseFrame(raw);
    if (f === null) continue;
    const [name, file, lineNo] = f;
    if (file.startsWith("node:") || isOwnFile(file) || file.includes(`${sep}node_modules${sep}tsx${sep}`)) continue;
    const fn = name ? name.replace(/^(?:Object|Generator|AsyncGenerator)\./, "") : "<module>";
    const src = sourceLine(file, lineNo);
    out.push(`  File "${file}", line ${lineNo}, in ${fn}` + (src !== null ? `\n    ${src}` : ""));
  }
  return out.reverse();
}

function exceptionLine(e: unknown): string {
  if (e instanceof Error) return e.message ? `${e.name}: ${e.message}` : e.name;
  return `${typeof e === "object" && e !== null ? (e.constructor?.name ?? "Object") : "Error"}: ${String(e)}`;
}

/**
 * CPython's rendering of an exception: the `__cause__` chain first, then
 * `Traceback (most recent call last):` and the frames, then `Class: message`;
 * exception groups are drawn in boxes as Python 3.11 does.
 */
export function formatException(e: unknown, seen: Set<unknown> = new Set()): string {
  seen.add(e);
  let text = "";
  const cause = e instanceof Error ? (e as { cause?: unknown }).cause : undefined;
  if (cause instanceof Error && !seen.has(cause)) {
    text += formatException(cause, seen);
    text += "\nThe above exception was the direct cause of the following exception:\n\n";
  }
  const frames = e instanceof Error && e.stack ? formatFrames(e.stack) : [];
  const group = e instanceof BaseExceptionGroup ? e.exceptions : null;
  if (group === null) {
    if (frames.length > 0) text += `Traceback (most recent call last):\n${frames.join("\n")}\n`;
    return text + exceptionLine(e) + "\n";
  }
  const lines: string[] = ["  + Exception Group Traceback (most recent call last):"];
  for (const f of frames) for (const l of f.split("\n")) lines.push(`  | ${l}`);
  lines.push(`  | ${exceptionLine(e)}`);
  group.forEach((sub, i) => {
    lines.push(`${i === 0 ? "  +-+" : "    +"}---------------- ${i + 1} ----------------`);
    for (const l of formatException(sub, seen).trimEnd().split("\n")) lines.push(`    | ${l}`);
  });
  lines.push("    +------------------------------------");
  return text + lines.join("\n") + "\n";
}
