// submit(): tsyncio inside an existing Node program. 200 concurrent requests
// to a node:http server whose handler runs a coroutine each (sleeps, a gather,
// a cancellation, some failing); and a real child process that submits from a
// timer callback and then exits by itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as asyncio from "../../src/index.js";
import { CancelledError, sharedLoop, submit, ValueError, type Coroutine } from "../../src/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function* handle(req: IncomingMessage): Coroutine<string> {
  const n = Number(new URL(req.url ?? "/", "http://x").searchParams.get("n"));
  yield* asyncio.sleep(0.001 * (n % 5));
  const [a, b] = yield* asyncio.gather(asyncio.sleep(0.001, n), asyncio.sleep(0, n * 2));
  const doomed = asyncio.createTask(asyncio.sleep(3600));
  yield* asyncio.sleep(0);
  doomed.cancel();
  let cancelled = false;
  try {
    yield* doomed;
  } catch (e) {
    cancelled = e instanceof CancelledError;
  }
  if (n % 10 === 7) throw new ValueError(`request ${n} fails`);
  return `${a + b} ${cancelled} ${asyncio.getRunningLoop() === sharedLoop()}`;
}

test("submit: 200 concurrent requests to an http.createServer handler, each running a coroutine on the shared loop", async () => {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    submit(handle(req)).then(
      (body) => res.end(body),
      (e: unknown) => {
        res.statusCode = 500;
        res.end(`${(e as Error).name}: ${(e as Error).message}`);
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  try {
    const answers = await Promise.all(Array.from({ length: 200 }, async (_, n) => {
      const res = await fetch(`http://127.0.0.1:${port}/?n=${n}`);
      return [res.status, await res.text()] as const;
    }));
    answers.forEach(([status, body], n) => {
      if (n % 10 === 7) assert.deepEqual([status, body], [500, `ValueError: request ${n} fails`]);
      else assert.deepEqual([status, body], [200, `${3 * n} true true`]);
    });
    // With nothing in flight the shared loop stops: it does not hold the process.
    while (sharedLoop().isRunning()) await new Promise((r) => setImmediate(r));
    // And starts again for the next one.
    assert.equal(await submit(asyncio.sleep(0, "again")), "again");
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test("submit: inside a running loop the coroutine runs on that loop", async () => {
  const loop = new asyncio.SelectorEventLoop();
  try {
    const same = await loop.runUntilComplete((function* () {
      const inner = submit((function* () {
        return asyncio.getRunningLoop();
      })());
      return (yield* asyncio.wrapFuture(inner)) === loop;
    })());
    assert.equal(same, true);
  } finally {
    loop.close();
  }
});

test("submit: a program that submits from a timer callback exits by itself when the work is done", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-embed-"));
  try {
    const script = join(dir, "embed.ts");
    writeFileSync(script, `import { submit, sleep, gather } from ${JSON.stringify(pathToFileURL(join(root, "src", "index.ts")).href)};
setTimeout(() => {
  submit((function* () { return yield* gather(sleep(0.01, 1), sleep(0.02, 2)); })()).then((v) => console.log("got", JSON.stringify(v)));
  submit((function* () { throw new Error("only mine"); })()).catch((e) => console.log("rejected", e.message));
}, 1);
process.on("exit", (code) => console.log("exit", code));
`);
    const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("close", (c, s) => r([c, s])));
    clearTimeout(killer);
    assert.equal(err, "");
    assert.equal(signal, null, "the process exited by itself");
    assert.equal(out, 'rejected only mine\ngot [1,2]\nexit 0\n');
    assert.equal(code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
