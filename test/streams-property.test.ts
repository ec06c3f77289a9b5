// Property: however the bytes are chunked, and whether a chunk arrives before
// or while a read waits, a StreamReader returns what reading the whole
// concatenation at once returns.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  run, sleep, getRunningLoop, StreamReader, IncompleteReadError, LimitOverrunError, ValueError,
  type Coroutine,
} from "../src/index.js";

type Op =
  | { kind: "readline" }
  | { kind: "readuntil"; sep: string[] }
  | { kind: "readexactly"; n: number }
  | { kind: "read"; n: number };

/** What one operation gave: bytes, or an error's class, message and payload. */
type Outcome = string;

function describe(e: unknown): Outcome {
  if (e instanceof IncompleteReadError) return `IncompleteReadError(${Buffer.from(e.partial).toString("latin1")}, ${e.expected})`;
  if (e instanceof LimitOverrunError) return `LimitOverrunError(${e.message}, ${e.consumed})`;
  if (e instanceof ValueError) return `ValueError(${e.message})`;
  throw e;
}

function* apply(r: StreamReader, op: Op): Coroutine<Buffer> {
  switch (op.kind) {
    case "readline": return yield* r.readline();
    case "readuntil": return yield* r.readuntil(op.sep.length === 1 ? op.sep[0]! : op.sep);
    case "readexactly": return yield* r.readexactly(op.n);
    case "read": return yield* r.read(op.n);
  }
}

/** Runs `ops` against a reader fed `chunks`, each fed only when a read waits for data. */
function* replay(chunks: string[], ops: Op[], limit: number, eager: boolean): Coroutine<Outcome[]> {
  const loop = getRunningLoop();
  const r = new StreamReader({ limit, loop });
  let next = 0;
  const feedAll = (): void => {
    while (next < chunks.length) r.feedData(Buffer.from(chunks[next++]!, "latin1"));
    r.feedEof();
  };
  if (eager) feedAll();
  const out: Outcome[] = [];
  for (const op of ops) {
    const task = loop.createTask(apply(r, op));
    // Feed one chunk per iteration while the read is pending.
    while (!task.done()) {
      yield* sleep(0);
      if (task.done()) break;
      if (r._waiter !== null) {
        if (next < chunks.length) r.feedData(Buffer.from(chunks[next++]!, "latin1"));
        else r.feedEof();
      }
    }
    try {
      out.push(`ok(${task.result().toString("latin1")})`);
    } catch (e) {
      out.push(describe(e));
    }
  }
  return out;
}

/**
 * The reference: Python's semantics applied to the whole data, already
 * buffered and at EOF, written as plainly as possible.
 */
function model(data: string, ops: Op[], limit: number): Outcome[] {
  let buf = data;
  const out: Outcome[] = [];
  const take = (n: number): string => {
    const s = buf.slice(0, n);
    buf = buf.slice(n);
    return s;
  };
  const until = (seps: string[]): Outcome | { overrun: string; consumed: number } => {
    const sorted = [...seps].sort((a, b) => a.length - b.length);
    const min = sorted[0]!.length;
    const max = sorted[sorted.length - 1]!.length;
    if (buf.length >= min) {
      let start = -1;
      let end = -1;
      for (const s of sorted) {
        const i = buf.indexOf(s);
        if (i !== -1 && (end === -1 || i + s.length < end)) [start, end] = [i, i + s.length];
      }
      if (end !== -1) {
        if (start > limit) return { overrun: "Separator is found, but chunk is longer than limit", consumed: start };
        return `ok(${take(end)})`;
      }
      const offset = Math.max(0, buf.length + 1 - max);
      if (offset > limit) return { overrun: "Separator is not found, and chunk exceed the limit", consumed: offset };
    }
    return `IncompleteReadError(${take(buf.length)}, null)`;
  };
  for (const op of ops) {
    switch (op.kind) {
      case "readline": {
        const r = until(["\n"]);
        if (typeof r === "string") {
          out.push(r.startsWith("Incomplete") ? `ok(${r.slice("IncompleteReadError(".length, -", null)".length)})` : r);
        } else {
          if (buf[r.consumed] === "\n") take(r.consumed + 1);
          else take(buf.length);
          out.push(`ValueError(${r.overrun})`);
        }
        break;
      }
      case "readuntil": {
        const r = until(op.sep);
        out.push(typeof r === "string" ? r : `LimitOverrunError(${r.overrun}, ${r.consumed})`);
        break;
      }
      case "readexactly":
        if (buf.length < op.n) out.push(`IncompleteReadError(${take(buf.length)}, ${op.n})`);
        else out.push(`ok(${take(op.n)})`);
        break;
      case "read":
        out.push(`ok(${take(op.n < 0 ? buf.length : op.n)})`);
        break;
    }
  }
  return out;
}

const alphabet = fc.constantFrom("a", "b", "\n", "\r", "X", "Y");
const sepArb = fc.array(fc.string({ unit: alphabet, minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });
/** Operations whose result does not depend on how much data has arrived (read(n > 0) does). */
const stableOpArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: "readline" }),
  sepArb.map((sep): Op => ({ kind: "readuntil", sep })),
  fc.integer({ min: 0, max: 12 }).map((n): Op => ({ kind: "readexactly", n })),
  fc.constant<Op>({ kind: "read", n: -1 }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(stableOpArb, fc.integer({ min: 0, max: 12 }).map((n): Op => ({ kind: "read", n })));

/** Splits `data` at the given cut points into non-empty chunks. */
function cut(data: string, cuts: number[]): string[] {
  const points = cuts.map((c) => c % (data.length + 1)).sort((a, b) => a - b);
  const chunks: string[] = [];
  let prev = 0;
  for (const p of points) {
    chunks.push(data.slice(prev, p));
    prev = p;
  }
  chunks.push(data.slice(prev));
  return chunks.filter((c) => c.length > 0);
}

const isLimitError = (o: Outcome): boolean => o.startsWith("LimitOverrunError") || o.startsWith("ValueError");

test("fully buffered: every read method gives Python's result, limits included", () =>
  run((function* (): Coroutine<void> {
    const samples = fc.sample(
      fc.tuple(fc.string({ unit: alphabet, maxLength: 40 }), fc.array(opArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 12 })),
      { numRuns: 500, seed: 1 },
    );
    for (const [data, ops, limit] of samples) {
      assert.deepEqual(yield* replay([data], ops, limit, true), model(data, ops, limit), JSON.stringify({ data, ops, limit }));
    }
  })()));

test("random chunkings read the same as the whole data at once", () =>
  run((function* (): Coroutine<void> {
    const samples = fc.sample(
      fc.tuple(
        fc.string({ unit: alphabet, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(stableOpArb, { minLength: 1, maxLength: 8 }),
      ),
      { numRuns: 400, seed: 2 },
    );
    for (const [data, cuts, ops] of samples) {
      const whole = yield* replay([data], ops, 1 << 16, true);
      const chunked = yield* replay(cut(data, cuts), ops, 1 << 16, false);
      assert.deepEqual(chunked, whole, JSON.stringify({ data, cuts, ops }));
    }
  })()));

test("random chunkings with small limits agree up to the first limit error", () =>
  run((function* (): Coroutine<void> {
    const samples = fc.sample(
      fc.tuple(
        fc.string({ unit: alphabet, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(stableOpArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
      ),
      { numRuns: 400, seed: 3 },
    );
    for (const [data, cuts, ops, limit] of samples) {
      const whole = yield* replay([data], ops, limit, true);
      const chunked = yield* replay(cut(data, cuts), ops, limit, false);
      let k = 0;
      while (k < ops.length && !isLimitError(whole[k]!) && !isLimitError(chunked[k]!)) k++;
      assert.deepEqual(chunked.slice(0, k), whole.slice(0, k), JSON.stringify({ data, cuts, ops, limit }));
      // An overrun while the data arrives in pieces can only come earlier, never later.
      if (k < ops.length && isLimitError(whole[k]!)) assert.ok(isLimitError(chunked[k]!), JSON.stringify({ data, cuts, ops, limit }));
    }
  })()));

test("read(n) in random chunkings: non-empty pieces of at most n bytes that add up to the data", () =>
  run((function* (): Coroutine<void> {
    const samples = fc.sample(
      fc.tuple(fc.string({ unit: alphabet, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 1, max: 9 })),
      { numRuns: 300, seed: 4 },
    );
    for (const [data, cuts, n] of samples) {
      const ops: Op[] = Array.from({ length: data.length + 1 }, () => ({ kind: "read", n }));
      const got = (yield* replay(cut(data, cuts), ops, 4, false)).map((o) => o.slice(3, -1));
      const end = got.indexOf("");
      assert.ok(end !== -1);
      assert.ok(got.slice(0, end).every((p) => p.length >= 1 && p.length <= n));
      assert.equal(got.slice(0, end).join(""), data);
      assert.ok(got.slice(end).every((p) => p === ""));
    }
  })()));

test("readline over random lines in random chunks returns the lines in order", () =>
  run((function* (): Coroutine<void> {
    const samples = fc.sample(
      fc.tuple(
        fc.array(fc.string({ unit: fc.constantFrom("a", "b", "c", "\r"), maxLength: 20 }), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
      ),
      { numRuns: 300, seed: 7 },
    );
    for (const [lines, cuts, trailing] of samples) {
      const data = lines.map((l) => l + "\n").join("") + (trailing ? "tail" : "");
      const expected = lines.map((l) => l + "\n").concat(trailing ? ["tail"] : []);
      const ops: Op[] = Array.from({ length: expected.length + 1 }, () => ({ kind: "readline" }));
      const got = yield* replay(cut(data, cuts), ops, 1 << 16, false);
      assert.deepEqual(got, expected.map((l) => `ok(${l})`).concat(["ok()"]));
    }
  })()));
