// Runs the UDP echo and subprocess examples as real processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function start(example: string, env: Record<string, string> = {}, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join("examples", example), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function runToEnd(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

test("UDP echo server and client", async () => {
  const server = start("udp-echo-server.ts", { PORT: "0" });
  let out = "";
  let err = "";
  server.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = once(server, "exit");
  try {
    const port = await new Promise<string>((resolve, reject) => {
      server.stdout!.setEncoding("utf8").on("data", (c: string) => {
        out += c;
        const m = out.match(/Listening on \["127\.0\.0\.1",(\d+)\]/);
        if (m) resolve(m[1]!);
      });
      exited.then(() => reject(new Error(`server exited: ${err}`)), reject);
    });
    assert.match(out, /^Starting UDP server\n/);
    const client = await runToEnd(start("udp-echo-client.ts", { PORT: port }, ["Hello UDP"]));
    assert.equal(client.code, 0, client.stderr);
    assert.equal(client.stdout, "Send: Hello UDP\nReceived: Hello UDP\nClose the socket\nConnection closed\n");
    while (!/Send "Hello UDP" to/.test(out)) await once(server.stdout!, "data");
    assert.match(out, /Received "Hello UDP" from \["127\.0\.0\.1",\d+\]\nSend "Hello UDP" to \["127\.0\.0\.1",\d+\]\n/);
  } finally {
    server.kill();
    await exited;
  }
});

test("subprocess example: the date from a child, and two shell commands in parallel", async () => {
  const r = await runToEnd(start("subprocess.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Current date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n/);
  assert.match(r.stdout, /\["ls \/zzz" exited with 2\]\n\[stderr\]\nls: [^\n]*\/zzz[^\n]*\n/);
  assert.match(r.stdout, /\["sleep 0\.1; echo 'hello'" exited with 0\]\n\[stdout\]\nhello\n/);
});
