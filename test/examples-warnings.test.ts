// Every example runs as a user runs it (node --import tsx examples/<name>.ts) without Node printing a
// warning on stderr — in particular not "DeprecationWarning: There is no current event loop", which
// getEventLoop() prints when no loop is current. Servers run with a client against them; `npm run demo`
// (which runs a tour of the examples as its children) runs too.
import { suite, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Servers (started with PORT=0) and the client that talks to each (null: none). */
const SERVERS: Record<string, string | null> = {
  "echo-protocol-server": "echo-protocol-client",
  "echo-streams-server": "echo-streams-client",
  "echo-sock-server": "echo-sock-client",
  "udp-echo-server": "udp-echo-client",
  "serve-forever": null,
};
const CLIENTS = new Set(Object.values(SERVERS).filter((c): c is string => c !== null));
/** Examples that run until a signal: the line they print once ready. */
const UNTIL_SIGNAL: Record<string, RegExp> = { signals: /pid \d+:/ };

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  closed: Promise<[number | null, NodeJS.Signals | null]>;
}

function start(name: string, env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ["--import", "tsx", join("examples", `${name}.ts`)], {
    cwd: root,
    env: { ...process.env, TSYNCIO_DEBUG: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run: Run = { child, stdout: "", stderr: "", closed: once(child, "close") as Run["closed"] };
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (run.stdout += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (run.stderr += c));
  return run;
}

/** Resolves with the first match of `re` in the run's stdout; rejects if the process ends first. */
async function waitFor(run: Run, re: RegExp): Promise<RegExpMatchArray> {
  let ended = false;
  void run.closed.then(() => (ended = true));
  for (;;) {
    const m = run.stdout.match(re);
    if (m) return m;
    if (ended) throw new Error(`exited before printing ${re}:\n${run.stdout}\n${run.stderr}`);
    await Promise.race([once(run.child.stdout!, "data"), run.closed]);
  }
}

async function stop(run: Run, sig: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(sig);
  await run.closed;
}

function assertNoWarning(name: string, text: string): void {
  assert.doesNotMatch(text, /DeprecationWarning|There is no current event loop/, `${name} printed a warning:\n${text}`);
  assert.doesNotMatch(text, /\(node:\d+\) \w*Warning/, `${name} printed a warning:\n${text}`);
}

const names = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();

test("the examples are all here (a new one is run below by kind: standalone, server, client, until a signal)", () => {
  for (const n of [...Object.keys(SERVERS), ...CLIENTS, ...Object.keys(UNTIL_SIGNAL), "demo"]) {
    assert.ok(names.includes(n), `examples/${n}.ts is missing`);
  }
});

suite("no example prints a DeprecationWarning", { concurrency: 3 }, () => {
  for (const name of names) {
    if (CLIENTS.has(name)) continue;
    const client = SERVERS[name];
    if (client !== undefined) {
      test(`${name}${client !== null ? ` with ${client}` : ""}`, async () => {
        const server = start(name, { PORT: "0" });
        try {
          const port = (await waitFor(server, /(?:Serving|Listening) on \["127\.0\.0\.1",(\d+)/))[1]!;
          if (client !== null) {
            const c = start(client, { PORT: port });
            const [code] = await c.closed;
            assert.equal(code, 0, c.stderr);
            assertNoWarning(client, c.stderr);
          }
        } finally {
          await stop(server);
        }
        assertNoWarning(name, server.stderr);
      });
    } else if (name in UNTIL_SIGNAL) {
      test(name, async () => {
        const run = start(name);
        try {
          await waitFor(run, UNTIL_SIGNAL[name]!);
        } finally {
          await stop(run, "SIGINT");
        }
        assertNoWarning(name, run.stderr);
      });
    } else {
      // demo runs its examples as children with their stderr merged into its stdout.
      test(name === "demo" ? "demo (npm run demo)" : name, async () => {
        const run = start(name);
        const [code] = await run.closed;
        assert.equal(code, 0, run.stderr);
        assertNoWarning(name, run.stderr);
        if (name === "demo") {
          assertNoWarning(name, run.stdout);
          assert.doesNotMatch(run.stdout, /\((failed|skipped|exited with code)/, run.stdout);
        }
      });
    }
  }
});
