// Runs the protocol echo examples and the serveForever example as real
// processes: the server on a free port (PORT=0, read back from its output),
// then a client against it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
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

/** Follows a child's output; `waitFor` resolves when the text so far matches. */
class Output {
  stdout = "";
  stderr = "";
  private waiters: [RegExp, (m: RegExpMatchArray) => void][] = [];
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  constructor(child: ChildProcess) {
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      this.stdout += c;
      this.waiters = this.waiters.filter(([re, resolve]) => {
        const m = this.stdout.match(re);
        if (m) resolve(m);
        return !m;
      });
    });
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (this.stderr += c));
    // "close" comes after the last output, unlike "exit".
    this.exited = once(child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
  }
  waitFor(re: RegExp): Promise<RegExpMatchArray> {
    const m = this.stdout.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      this.waiters.push([re, resolve]);
      void this.exited.then(() => {
        const last = this.stdout.match(re);
        if (last) resolve(last);
        else reject(new Error(`process exited before printing ${re}:\n${this.stdout}\n${this.stderr}`));
      });
    });
  }
}

async function serverPort(out: Output): Promise<string> {
  const m = await out.waitFor(/Serving on \["127\.0\.0\.1",(\d+)\]/);
  return m[1]!;
}

test("echo-protocol-server and echo-protocol-client talk to each other", { timeout: 120_000 }, async () => {
  const server = start("echo-protocol-server.ts", { PORT: "0" });
  const sout = new Output(server);
  try {
    const port = await serverPort(sout);
    const client = start("echo-protocol-client.ts", { PORT: port });
    const cout = new Output(client);
    const [code] = await cout.exited;
    assert.equal(code, 0, cout.stderr);
    assert.equal(cout.stdout, [
      "Data sent: 'Hello World!'",
      "Data received: 'Hello World!'",
      "The server closed the connection",
      "",
    ].join("\n"));
    await sout.waitFor(/Close the client socket\n/);
    assert.match(sout.stdout, /Connection from \('127\.0\.0\.1', \d+\)\nData received: 'Hello World!'\nSend: 'Hello World!'\nClose the client socket\n/);
  } finally {
    server.kill("SIGKILL");
    await sout.exited;
  }
});

test("serve-forever serves clients until SIGINT cancels serveForever, which closes the server", { timeout: 120_000 }, async () => {
  const server = start("serve-forever.ts", { PORT: "0" });
  const out = new Output(server);
  try {
    const port = Number(await serverPort(out));
    for (const line of ["first", "second"]) {
      const sock = connect(port, "127.0.0.1");
      await once(sock, "connect");
      sock.end(`${line}\n`);
      await once(sock, "close");
      await out.waitFor(new RegExp(`Received line: "${line}\\\\n"`));
    }
    server.kill("SIGINT");
    const [code, signal] = await out.exited;
    assert.equal(signal, null, out.stderr);
    assert.equal(code, 0, out.stderr);
    assert.match(out.stdout, /Closed: serving=false sockets=0\nInterrupted\n$/);
  } finally {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  }
});
