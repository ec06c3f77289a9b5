// `npm run demo`: a short tour of the examples. Each one runs as a child
// process (started by tsyncio itself, with createSubprocessExec) and what it
// prints is shown under a heading. An example that is missing is skipped.
// Run: node --import tsx examples/demo.ts
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as asyncio from "../src/index.js";
import type { Coroutine, Process } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));

interface Stop {
  name: string;
  title: string;
  /** A server started first; its "Serving on [host,port]" line gives the client its PORT. */
  server?: string;
}

const TOUR: Stop[] = [
  { name: "hello-world-callsoon", title: "Hello World with callSoon()" },
  { name: "hello-world-coroutine", title: "Hello World with a coroutine" },
  { name: "display-date-coroutine", title: "the current date, every second for five seconds" },
  { name: "watch-fd", title: "watch a file descriptor for read events (addReader on a socketpair)" },
  { name: "echo-streams-client", server: "echo-streams-server", title: "TCP echo client and server with streams" },
  { name: "echo-protocol-client", server: "echo-protocol-server", title: "TCP echo client and server with protocols" },
  { name: "run-in-executor", title: "blocking and CPU-bound code in thread and process pools" },
  { name: "subprocess", title: "subprocesses: read a child's output, run commands in parallel" },
];

const exists = (name: string): boolean => existsSync(join(here, `${name}.ts`));

function spawnExample(name: string, env: Record<string, string> = {}): Coroutine<Process> {
  return asyncio.createSubprocessExec(process.execPath, ["--import", "tsx", join(here, `${name}.ts`)], {
    stdout: asyncio.PIPE,
    stderr: asyncio.STDOUT,
    env: { ...process.env, ...env },
  }) as unknown as Coroutine<Process>;
}

function show(label: string | null, text: string): void {
  for (const line of text.trimEnd().split("\n")) if (line !== "") console.log(`  ${label !== null ? `${label}| ` : ""}${line}`);
}

function* runOne(stop: Stop): Coroutine<void> {
  let server: Process | null = null;
  let serverOut = "";
  const env: Record<string, string> = {};
  if (stop.server !== undefined) {
    server = yield* spawnExample(stop.server, { PORT: "0" });
    // The server says where it listens; read until then (bounded).
    const line = yield* asyncio.waitFor(server.stdout!.readline(), 20);
    serverOut += line.toString();
    const port = /,(\d+)\]/.exec(line.toString())?.[1];
    if (port === undefined) throw new asyncio.RuntimeError(`${stop.server} did not say where it listens: ${line}`);
    env.PORT = port;
  }
  try {
    const client = yield* spawnExample(stop.name, env);
    const [out] = yield* asyncio.waitFor(client.communicate(), 60);
    show(server !== null ? "client" : null, out!.toString());
    if (client.returncode !== 0) console.log(`  (exited with code ${client.returncode})`);
  } finally {
    if (server !== null) {
      server.terminate();
      const [rest] = yield* asyncio.waitFor(server.communicate(), 20);
      serverOut += rest!.toString();
      show("server", serverOut);
    }
  }
}

function* main(): Coroutine<void> {
  console.log("tsyncio: a tour of the examples (each runs as its own process)\n");
  for (const stop of TOUR) {
    console.log(`=== ${stop.name}${stop.server ? ` + ${stop.server}` : ""}: ${stop.title} ===`);
    const missing = [stop.name, stop.server].filter((n): n is string => n !== undefined && !exists(n));
    if (missing.length > 0) {
      console.log(`  (skipped: examples/${missing[0]}.ts is not written yet)\n`);
      continue;
    }
    try {
      yield* runOne(stop);
    } catch (e) {
      console.log(`  (failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`);
    }
    console.log("");
  }
  console.log("More: the examples/ directory, docs/guide.md, and `npx tsyncio repl`.");
}

await asyncio.run(main());
