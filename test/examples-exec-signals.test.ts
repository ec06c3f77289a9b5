// Runs the run_in_executor and signal-handler examples as real processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function start(example: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join("examples", example)], {
    cwd: root,
    env: { ...process.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

interface Output {
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Output {
  const out: Output = { stdout: "", stderr: "" };
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (out.stdout += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (out.stderr += c));
  return out;
}

test("run_in_executor example: the default executor, a thread pool and a process pool", async () => {
  const child = start("run-in-executor.ts");
  const out = collect(child);
  const [code] = (await once(child, "exit")) as [number | null];
  assert.equal(code, 0, out.stderr);
  const lines = out.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 3, out.stdout);
  assert.match(lines[0]!, /^default thread pool <Buffer( [0-9a-f]{2}){50} \.\.\. 50 more bytes>$/);
  assert.match(lines[1]!, /^custom thread pool <Buffer( [0-9a-f]{2}){50} \.\.\. 50 more bytes>$/);
  assert.equal(lines[2], "custom process pool 333333283333335000000");
});

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  test(`signals example: ${sig} runs the handler, which stops the loop`, async () => {
    const child = start("signals.ts");
    const out = collect(child);
    const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      // The example prints its pid once the handlers are in place.
      while (!/pid \d+:/.test(out.stdout)) await once(child.stdout!, "data");
      const pid = Number(/pid (\d+):/.exec(out.stdout)![1]);
      assert.equal(pid, child.pid);
      process.kill(pid, sig);
      const [code, signal] = await exited;
      assert.equal(signal, null, `killed by ${signal}: the handler was not installed yet`);
      assert.equal(code, 1);
      assert.equal(out.stdout,
        "Event loop running for 1 hour, press Ctrl+C to interrupt.\n" +
        `pid ${pid}: send SIGINT or SIGTERM to exit.\n` +
        `got signal ${sig}: exit\n`);
      assert.equal(out.stderr, "RuntimeError: Event loop stopped before Future completed.\n");
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
}
