// Subprocesses (the asyncio documentation's examples): read a child's output
// line by line, and run shell commands in parallel with communicate().
// Run: node --import tsx examples/subprocess.ts
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

function* getDate(): Coroutine<string> {
  const code = "console.log(new Date().toISOString())";
  // Create the subprocess; redirect the standard output into a pipe.
  const proc = yield* asyncio.createSubprocessExec(process.execPath, ["-e", code], { stdout: asyncio.PIPE });
  // Read one line of output.
  const data = yield* proc.stdout!.readline();
  const line = data.toString("ascii").trimEnd();
  // Wait for the subprocess exit.
  yield* proc.wait();
  return line;
}

function* run(cmd: string): Coroutine<void> {
  const proc = yield* asyncio.createSubprocessShell(cmd, { stdout: asyncio.PIPE, stderr: asyncio.PIPE });
  const [stdout, stderr] = yield* proc.communicate();
  console.log(`[${JSON.stringify(cmd)} exited with ${proc.returncode}]`);
  if (stdout!.length) console.log(`[stdout]\n${stdout!.toString()}`);
  if (stderr!.length) console.log(`[stderr]\n${stderr!.toString()}`);
}

function* main(): Coroutine<void> {
  const date = yield* getDate();
  console.log(`Current date: ${date}`);
  yield* asyncio.gather(run("ls /zzz"), run("sleep 0.1; echo 'hello'"));
}

await asyncio.run(main());
