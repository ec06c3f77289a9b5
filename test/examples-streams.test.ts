// Runs the stream and sock* echo examples as real processes, client against server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function start(example: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join("examples", example), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Collects a child's stdout, resolving `waitFor(pattern)` when a line matches. */
class Output {
  text = "";
  private waiters: [RegExp, (m: RegExpMatchArray) => void][] = [];
  constructor(child: ChildProcess) {
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      this.text += chunk;
      this.waiters = this.waiters.filter(([re, resolve]) => {
        const m = this.text.match(re);
        if (m) resolve(m);
        return !m;
      });
    });
  }
  waitFor(re: RegExp): Promise<RegExpMatchArray> {
    const m = this.text.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push([re, resolve]));
  }
}

async function runToEnd(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

async function withServer(server: string, body: (port: string, out: Output) => Promise<void>): Promise<void> {
  const child = start(server, { PORT: "0" });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const out = new Output(child);
  const exited = once(child, "exit");
  try {
    const ready = await Promise.race([
      out.waitFor(/Serving on \["127\.0\.0\.1",(\d+)\]/),
      exited.then(() => assert.fail(`server exited: ${stderr}`)),
    ]);
    await body(ready[1]!, out);
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  }
}

test("echo-streams-server and echo-streams-client", { timeout: 120_000 }, () =>
  withServer("echo-streams-server.ts", async (port, out) => {
    const r = await runToEnd(start("echo-streams-client.ts", { PORT: port }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Send: "Hello World!"\nReceived: "Hello World!"\nClose the connection\n');
    await out.waitFor(/Close the connection\n/);
    assert.match(out.text, /^Serving on .*\nReceived "Hello World!" from \["127\.0\.0\.1",\d+\]\nSend: "Hello World!"\nClose the connection\n$/);
    // a second client, with another message
    const r2 = await runToEnd(start("echo-streams-client.ts", { PORT: port }, ["second one"]));
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /Received: "second one"/);
  }));

test("echo-sock-server and echo-sock-client", { timeout: 120_000 }, () =>
  withServer("echo-sock-server.ts", async (port, out) => {
    const r = await runToEnd(start("echo-sock-client.ts", { PORT: port }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Send: "Hello World!"\nReceived: "Hello World!"\nClose the connection\n');
    await out.waitFor(/Connection from \["127\.0\.0\.1",\d+\]/);
    const big = "x".repeat(5000);
    const r2 = await runToEnd(start("echo-sock-client.ts", { PORT: port }, [big]));
    assert.equal(r2.code, 0, r2.stderr);
    assert.ok(r2.stdout.includes(`Received: "${big}"`));
  }));

test("the stream client against the sock* server", { timeout: 120_000 }, () =>
  withServer("echo-sock-server.ts", async (port) => {
    const r = await runToEnd(start("echo-streams-client.ts", { PORT: port }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Received: "Hello World!"/);
  }));
