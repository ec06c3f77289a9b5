// Differential conformance: each scenario exists twice, as CPython 3.12 asyncio
// (scenarios/NAME.py) and as its line-by-line tsyncio port (scenarios/NAME.ts). Python's trace was
// recorded once into expected/NAME.txt (scripts/record-traces.mjs); here each port runs in its own
// process and its trace must equal the recorded one exactly. Python is never run by this test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { normalise } from "./normalise.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const scenarioDir = join(here, "scenarios");
const expectedDir = join(here, "expected");

const names = readdirSync(scenarioDir)
  .filter((f) => f.endsWith(".py") && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();

interface Outcome { stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }

function runPort(name: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TSYNCIO_DEBUG: "" };
    // A child of the test runner would otherwise report to it instead of printing.
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, ["--import", "tsx", join(scenarioDir, `${name}.ts`)], {
      cwd: root, env, stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

// Start every port up front, a few at a time, so the whole suite costs about (N / cores) processes.
const limit = Math.max(2, Math.min(availableParallelism(), 6));
let active = 0;
const queue: (() => void)[] = [];
function limited<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    const go = (): void => {
      active++;
      fn().then((v) => {
        active--;
        queue.shift()?.();
        resolve(v);
      });
    };
    if (active < limit) go();
    else queue.push(go);
  });
}
const outcomes = new Map(names.map((n) => [n, limited(() => runPort(n))]));

test("every scenario has a port and a recorded trace", () => {
  assert.ok(names.length >= 40, `only ${names.length} scenarios`);
  for (const n of names) {
    assert.ok(existsSync(join(scenarioDir, `${n}.ts`)), `${n}.ts is missing`);
    assert.ok(existsSync(join(expectedDir, `${n}.txt`)), `expected/${n}.txt is missing: run node scripts/record-traces.mjs ${n}`);
  }
});

for (const name of names) {
  test(`differential: ${name}`, async () => {
    const expected = readFileSync(join(expectedDir, `${name}.txt`), "utf8");
    const out = await outcomes.get(name)!;
    assert.equal(out.code, 0, `${name}.ts exited with ${out.code ?? out.signal}\n${out.stderr}`);
    assert.equal(normalise(out.stdout), expected);
  });
}
