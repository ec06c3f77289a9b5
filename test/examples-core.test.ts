// Runs the loop-core examples of the spec as child processes and checks what they print.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs examples/<name>.ts with tsx; resolves with its exit code, stdout and stderr. */
function runExample(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join("examples", `${name}.ts`)], { cwd: root, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}

// Started together: the two date examples take about four seconds each, in real time.
const runs = new Map(["hello-world-callsoon", "hello-world-coroutine", "display-date-calllater", "display-date-coroutine"]
  .map((n) => [n, runExample(n)] as const));

/** Python's str(datetime.now()). */
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

test("hello-world-callsoon prints Hello World", async () => {
  const r = await runs.get("hello-world-callsoon")!;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Hello World\n");
});

test("hello-world-coroutine prints hello, then world", async () => {
  const r = await runs.get("hello-world-coroutine")!;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "hello\nworld\n");
});

for (const name of ["display-date-calllater", "display-date-coroutine"]) {
  test(`${name} prints the date five times, in order`, async () => {
    const r = await runs.get(name)!;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 5, r.stdout);
    for (const l of lines) assert.match(l, DATE);
    assert.deepEqual([...lines].sort(), lines);
  });
}
