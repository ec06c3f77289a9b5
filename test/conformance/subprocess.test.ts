// Conformance: CPython 3.12.1's test_subprocess.py, test by test, with real
// child processes. CPython's children are `sys.executable -c <python>`; here
// they are `node -e <javascript>` (process.execPath) or /bin/sh. SubprocessMixin
// runs in CPython once per child watcher class; tsyncio has no child watchers,
// so each of its tests is re-created once. SubprocessTransportTests' mock
// Popen becomes a real child.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import * as asyncio from "../../src/index.js";
import {
  BrokenPipeError, CancelledError, ConnectionResetError, FileNotFoundError, ProcessLookupError, ValueError,
} from "../../src/index.js";
import type { Coroutine, Process, ReadTransport } from "../../src/index.js";
import { DEVNULL, PIPE } from "../../src/index.js";
import { native } from "../../src/internal/native.js";
import { BaseSubprocessTransport } from "../../src/unix/base-subprocess.js";
import { rejects } from "./_assertions.js";
import { runBriefly, withRealLoop } from "./_test-utils.js";

const NODE = process.execPath;
/** PROGRAM_BLOCKED: a child that sleeps "forever". */
const PROGRAM_BLOCKED: [string, string[]] = [NODE, ["-e", "setTimeout(() => {}, 3600e3)"]];
/** PROGRAM_CAT: copies its stdin to its stdout. */
const PROGRAM_CAT: [string, string[]] = [NODE, ["-e", "process.stdin.pipe(process.stdout)"]];
/** `print(len(sys.stdin.read()))` */
const LEN_STDIN = "let n = 0; process.stdin.on('data', (d) => { n += d.length; }); process.stdin.on('end', () => console.log(n));";
/** support.PIPE_MAX_SIZE: more than any pipe buffer holds. */
const PIPE_MAX_SIZE = 4 * 1024 * 1024 + 1;
const SIGKILL = 9;
const SIGTERM = 15;
const SIGHUP = 1;

const b = (s: string) => Buffer.from(s, "latin1");

function exec(program: string, args: string[], options?: asyncio.CreateSubprocessOptions): Coroutine<Process> {
  return asyncio.createSubprocessExec(program, args, options);
}

/** A SubprocessProtocol that records its events and resolves `exited` at connectionLost. */
class RecordingProtocol extends asyncio.SubprocessProtocol {
  events: string[] = [];
  lostWith: Array<Error | null> = [];
  constructor(public exited: asyncio.Future<void>) {
    super();
  }
  override connectionMade(): void {
    this.events.push("connection_made");
  }
  override processExited(): void {
    this.events.push("process_exited");
  }
  override connectionLost(exc: Error | null): void {
    this.events.push("connection_lost");
    this.lostWith.push(exc);
    if (!this.exited.done()) this.exited.setResult(undefined);
  }
}

// ---------------------------------------------------------------- SubprocessTransportTests

// test_subprocess.py SubprocessTransportTests.test_proc_exited
// A real child that exits with 6 stands for the mock Popen and _process_exited(6).
test("test_subprocess.py SubprocessTransportTests.test_proc_exited", () => withRealLoop(async (loop) => {
  const exited = loop.createFuture<void>();
  const [transport, protocol] = await loop.runUntilComplete(loop.subprocessExec(() => new RecordingProtocol(exited), NODE,
    ["-e", "process.exit(6)"], { stdin: null, stdout: null, stderr: null }));
  await loop.runUntilComplete(exited);
  assert.equal(transport.getReturncode(), 6);
  assert.deepEqual(protocol.events, ["connection_made", "process_exited", "connection_lost"]);
  assert.deepEqual(protocol.lostWith, [null]);
  assert.equal(transport.isClosing(), false);
  const t = transport as BaseSubprocessTransport;
  assert.equal(t._loop, null);
  assert.equal(t._proc, null);
  assert.equal(t._protocol, null);
  // Once the process has exited, these raise ProcessLookupError.
  assert.throws(() => transport.sendSignal(SIGTERM), ProcessLookupError);
  assert.throws(() => transport.terminate(), ProcessLookupError);
  assert.throws(() => transport.kill(), ProcessLookupError);
  transport.close();
}));

// test_subprocess.py SubprocessTransportTests.test_subprocess_repr
// The "running" and "not started" forms come from a running child and from a
// transport class that never starts one (CPython sets _returncode/_pid).
test("test_subprocess.py SubprocessTransportTests.test_subprocess_repr", () => withRealLoop(async (loop) => {
  const exited = loop.createFuture<void>();
  const [transport] = await loop.runUntilComplete(loop.subprocessExec(() => new RecordingProtocol(exited), NODE,
    ["-e", "process.exit(6)"], { stdin: null, stdout: null, stderr: null }));
  await loop.runUntilComplete(exited);
  assert.equal(String(transport), `<UnixSubprocessTransport pid=${transport.getPid()} returncode=6>`);
  transport.close();

  const exited2 = loop.createFuture<void>();
  const [running] = await loop.runUntilComplete(loop.subprocessExec(() => new RecordingProtocol(exited2), PROGRAM_BLOCKED[0],
    PROGRAM_BLOCKED[1], { stdin: null, stdout: null, stderr: null }));
  assert.equal(String(running), `<UnixSubprocessTransport pid=${running.getPid()} running>`);
  running.close();
  await loop.runUntilComplete(exited2);

  class TestSubprocessTransport extends BaseSubprocessTransport {}
  const notStarted = new TestSubprocessTransport(loop, new asyncio.SubprocessProtocol(), null, null, null);
  assert.equal(String(notStarted), "<TestSubprocessTransport not started>");
  notStarted.close();
}));

// ---------------------------------------------------------------- SubprocessMixin

// test_subprocess.py SubprocessMixin.test_stdin_stdout
test("test_subprocess.py SubprocessMixin.test_stdin_stdout", () => withRealLoop(async (loop) => {
  function* run(data: Buffer): Coroutine<[number, Buffer]> {
    const proc = yield* exec(...PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
    proc.stdin!.write(data);
    yield* proc.stdin!.drain();
    proc.stdin!.close();
    const out = yield* proc.stdout!.read();
    const exitcode = yield* proc.wait();
    return [exitcode, out];
  }
  const [exitcode, stdout] = await loop.runUntilComplete(asyncio.waitFor(run(b("some data")), 60.0));
  assert.equal(exitcode, 0);
  assert.deepEqual(stdout, b("some data"));
}));

// test_subprocess.py SubprocessMixin.test_communicate
test("test_subprocess.py SubprocessMixin.test_communicate", () => withRealLoop(async (loop) => {
  function* run(data: Buffer): Coroutine<[number | null, Buffer | null]> {
    const proc = yield* exec(...PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
    const [stdout] = yield* proc.communicate(data);
    return [proc.returncode, stdout];
  }
  const [exitcode, stdout] = await loop.runUntilComplete(asyncio.waitFor(run(b("some data")), 300));
  assert.equal(exitcode, 0);
  assert.deepEqual(stdout, b("some data"));
}));

// test_subprocess.py SubprocessMixin.test_communicate_none_input
test("test_subprocess.py SubprocessMixin.test_communicate_none_input", () => withRealLoop(async (loop) => {
  function* run(): Coroutine<[number | null, Buffer | null]> {
    const proc = yield* exec(...PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
    const [stdout] = yield* proc.communicate();
    return [proc.returncode, stdout];
  }
  const [exitcode, stdout] = await loop.runUntilComplete(asyncio.waitFor(run(), 300));
  assert.equal(exitcode, 0);
  assert.deepEqual(stdout, b(""));
}));

// test_subprocess.py SubprocessMixin.test_shell
test("test_subprocess.py SubprocessMixin.test_shell", () => withRealLoop(async (loop) => {
  const proc = await loop.runUntilComplete(asyncio.createSubprocessShell("exit 7"));
  assert.equal(await loop.runUntilComplete(proc.wait()), 7);
}));

// test_subprocess.py SubprocessMixin.test_start_new_session
test("test_subprocess.py SubprocessMixin.test_start_new_session", () => withRealLoop(async (loop) => {
  const proc = await loop.runUntilComplete(asyncio.createSubprocessShell("exit 8", { startNewSession: true }));
  assert.equal(await loop.runUntilComplete(proc.wait()), 8);
}));

// test_subprocess.py SubprocessMixin.test_kill
test("test_subprocess.py SubprocessMixin.test_kill", () => withRealLoop(async (loop) => {
  const proc = await loop.runUntilComplete(exec(...PROGRAM_BLOCKED));
  proc.kill();
  assert.equal(await loop.runUntilComplete(proc.wait()), -SIGKILL);
}));

// test_subprocess.py SubprocessMixin.test_kill_issue43884
// The shell's grandchild keeps the stdout pipe open after the shell is killed.
// CPython sleeps 1 s to let the shell start; here the shell says when it runs.
test("test_subprocess.py SubprocessMixin.test_kill_issue43884", () => withRealLoop(async (loop) => {
  const proc = await loop.runUntilComplete(asyncio.createSubprocessShell("echo started; sleep 0.2; sleep 0.2", { stdout: PIPE }));
  assert.deepEqual(await loop.runUntilComplete(proc.stdout!.readline()), b("started\n"));
  proc.kill();
  assert.equal(await loop.runUntilComplete(proc.wait()), -SIGKILL);
}));

// test_subprocess.py SubprocessMixin.test_terminate
test("test_subprocess.py SubprocessMixin.test_terminate", () => withRealLoop(async (loop) => {
  const proc = await loop.runUntilComplete(exec(...PROGRAM_BLOCKED));
  proc.terminate();
  assert.equal(await loop.runUntilComplete(proc.wait()), -SIGTERM);
}));

// test_subprocess.py SubprocessMixin.test_send_signal
test("test_subprocess.py SubprocessMixin.test_send_signal", () => withRealLoop(async (loop) => {
  const code = "console.log('sleeping'); setTimeout(() => {}, 3600e3);";
  const proc = await loop.runUntilComplete(exec(NODE, ["-e", code], { stdout: PIPE }));
  function* sendSignal(p: Process): Coroutine<number> {
    const line = yield* p.stdout!.readline();
    assert.deepEqual(line, b("sleeping\n"));
    p.sendSignal(SIGHUP);
    return yield* p.wait();
  }
  assert.equal(await loop.runUntilComplete(sendSignal(proc)), -SIGHUP);
}));

// test_subprocess.py SubprocessMixin.test_stdin_broken_pipe
test("test_subprocess.py SubprocessMixin.test_stdin_broken_pipe", () => withRealLoop(async (loop) => {
  const N = native();
  const r = N.pipe(0);
  assert.ok(Array.isArray(r));
  const [rfd, wfd] = r;
  try {
    const largeData = Buffer.alloc(PIPE_MAX_SIZE, "x");
    // The child ends (after one byte on its pipe) before its stdin is fed.
    const code = `require('fs').readSync(${rfd}, Buffer.alloc(1));`;
    const proc = await loop.runUntilComplete(exec(NODE, ["-e", code], { stdin: PIPE, passFds: [rfd] }));
    function* writeStdin(p: Process, data: Buffer): Coroutine<void> {
      p.stdin!.write(data);
      // The child exits only once the write buffer is filled.
      N.write(wfd, b("go"));
      yield* p.stdin!.drain();
    }
    loop.setExceptionHandler(() => {});
    const e = await rejects(Error, loop.runUntilComplete(writeStdin(proc, largeData)));
    assert.ok(e instanceof BrokenPipeError || e instanceof ConnectionResetError, String(e));
    await loop.runUntilComplete(proc.wait());
  } finally {
    N.close(rfd);
    N.close(wfd);
  }
}));

// test_subprocess.py SubprocessMixin.test_communicate_ignore_broken_pipe
test("test_subprocess.py SubprocessMixin.test_communicate_ignore_broken_pipe", () => withRealLoop(async (loop) => {
  const largeData = Buffer.alloc(PIPE_MAX_SIZE, "x");
  const proc = await loop.runUntilComplete(exec(NODE, ["-e", ""], { stdin: PIPE }));
  loop.setExceptionHandler(() => {});
  await loop.runUntilComplete(proc.communicate(largeData));
  await loop.runUntilComplete(proc.wait());
}));

// test_subprocess.py SubprocessMixin.test_pause_reading
// CPython replaces the stdout pipe transport's pause/resume_reading with mocks;
// here the real transport's methods are wrapped to record their calls. The
// child writes only once it has read a line, after the wrapping.
test("test_subprocess.py SubprocessMixin.test_pause_reading", () => withRealLoop(async (loop) => {
  const limit = 10;
  const size = limit * 2 + 1;
  const code = `process.stdin.once('data', () => process.stdout.write('x'.repeat(${size})));`;
  function* testPauseReading(): Coroutine<[Buffer | null, { paused: number; resumed: number }]> {
    const proc = yield* exec(NODE, ["-e", code], { stdin: PIPE, stdout: PIPE, limit });
    const stdoutTransport = proc._transport.getPipeTransport(1) as ReadTransport;
    const calls = { paused: 0, resumed: 0 };
    const pause = stdoutTransport.pauseReading.bind(stdoutTransport);
    const resume = stdoutTransport.resumeReading.bind(stdoutTransport);
    stdoutTransport.pauseReading = () => { calls.paused++; pause(); };
    stdoutTransport.resumeReading = () => { calls.resumed++; resume(); };
    const [stdout] = yield* proc.communicate(b("go\n"));
    return [stdout, calls];
  }
  const [stdout, calls] = await loop.runUntilComplete(testPauseReading());
  assert.deepEqual(stdout, Buffer.alloc(size, "x"));
  assert.ok(calls.paused > 0);
  assert.ok(calls.resumed > 0);
}));

/** The child of test_stdin_not_inheritable and friends: prints the length of its stdin. */
function* lenMessage(message: Buffer | null, options: asyncio.CreateSubprocessOptions, code = LEN_STDIN): Coroutine<[Buffer | null, Buffer | null, number]> {
  const proc = yield* exec(NODE, ["-e", code], options);
  const [stdout, stderr] = yield* proc.communicate(message);
  const exitcode = yield* proc.wait();
  return [stdout, stderr, exitcode];
}

// test_subprocess.py SubprocessMixin.test_stdin_not_inheritable
// (close_fds=False has no counterpart: a Node child only gets its stdio and passFds.)
test("test_subprocess.py SubprocessMixin.test_stdin_not_inheritable", () => withRealLoop(async (loop) => {
  const [output, , exitcode] = await loop.runUntilComplete(lenMessage(b("abc"), { stdin: PIPE, stdout: PIPE, stderr: PIPE }));
  assert.equal(output!.toString().trimEnd(), "3");
  assert.equal(exitcode, 0);
}));

// test_subprocess.py SubprocessMixin.test_empty_input
test("test_subprocess.py SubprocessMixin.test_empty_input", () => withRealLoop(async (loop) => {
  const [output, , exitcode] = await loop.runUntilComplete(lenMessage(b(""), { stdin: PIPE, stdout: PIPE, stderr: PIPE }));
  assert.equal(output!.toString().trimEnd(), "0");
  assert.equal(exitcode, 0);
}));

// test_subprocess.py SubprocessMixin.test_devnull_input
test("test_subprocess.py SubprocessMixin.test_devnull_input", () => withRealLoop(async (loop) => {
  const [output, , exitcode] = await loop.runUntilComplete(lenMessage(null, { stdin: DEVNULL, stdout: PIPE, stderr: PIPE }));
  assert.equal(output!.toString().trimEnd(), "0");
  assert.equal(exitcode, 0);
}));

// test_subprocess.py SubprocessMixin.test_devnull_output
test("test_subprocess.py SubprocessMixin.test_devnull_output", () => withRealLoop(async (loop) => {
  const [output, , exitcode] = await loop.runUntilComplete(lenMessage(b("abc"), { stdin: PIPE, stdout: DEVNULL, stderr: PIPE }));
  assert.equal(output, null);
  assert.equal(exitcode, 0);
}));

// test_subprocess.py SubprocessMixin.test_devnull_error
test("test_subprocess.py SubprocessMixin.test_devnull_error", () => withRealLoop(async (loop) => {
  const [, stderr, exitcode] = await loop.runUntilComplete(lenMessage(b("abc"), { stdin: PIPE, stdout: PIPE, stderr: DEVNULL }));
  assert.equal(stderr, null);
  assert.equal(exitcode, 0);
}));

// test_subprocess.py SubprocessMixin.test_devstdin_input
test("test_subprocess.py SubprocessMixin.test_devstdin_input", () => withRealLoop(async (loop) => {
  const code = "console.log(require('fs').readFileSync('/dev/stdin').length);";
  const [output, , exitcode] = await loop.runUntilComplete(lenMessage(b("abc"), { stdin: PIPE, stdout: PIPE, stderr: PIPE }, code));
  assert.equal(output!.toString().trimEnd(), "3");
  assert.equal(exitcode, 0);
}));

// test_subprocess.py SubprocessMixin.test_cancel_process_wait
test("test_subprocess.py SubprocessMixin.test_cancel_process_wait", () => withRealLoop(async (loop) => {
  function* cancelWait(): Coroutine<void> {
    const proc = yield* exec(...PROGRAM_BLOCKED);
    const task = loop.createTask(proc.wait());
    loop.callSoon(() => task.cancel());
    try {
      yield* task;
      assert.fail("not cancelled");
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
    }
    task.cancel();
    proc.kill();
    assert.equal(yield* proc.wait(), -SIGKILL);
  }
  await loop.runUntilComplete(cancelWait());
}));

// test_subprocess.py SubprocessMixin.test_cancel_make_subprocess_transport_exec
test("test_subprocess.py SubprocessMixin.test_cancel_make_subprocess_transport_exec", () => withRealLoop(async (loop) => {
  loop.setExceptionHandler(() => {});
  let cancelled = false;
  function* cancelMakeTransport(): Coroutine<void> {
    const task = loop.createTask(exec(...PROGRAM_BLOCKED));
    loop.callSoon(() => task.cancel());
    try {
      yield* task;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      cancelled = true;
    }
  }
  await loop.runUntilComplete(cancelMakeTransport());
  assert.equal(cancelled, true);
}));

// test_subprocess.py SubprocessMixin.test_cancel_post_init
test("test_subprocess.py SubprocessMixin.test_cancel_post_init", () => withRealLoop(async (loop) => {
  loop.setExceptionHandler(() => {});
  let cancelled = false;
  function* cancelMakeTransport(): Coroutine<void> {
    const task = loop.createTask(loop.subprocessExec(() => new asyncio.SubprocessProtocol(), ...PROGRAM_BLOCKED));
    loop.callSoon(() => task.cancel());
    try {
      yield* task;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      cancelled = true;
    }
  }
  await loop.runUntilComplete(cancelMakeTransport());
  await runBriefly(loop);
  assert.equal(cancelled, true);
}));

// test_subprocess.py SubprocessMixin.test_close_kill_running
// CPython wraps Popen.kill to see that close() kills the running child; here
// the child's return code says it: -SIGKILL.
test("test_subprocess.py SubprocessMixin.test_close_kill_running", () => withRealLoop(async (loop) => {
  function* killRunning(): Coroutine<[number | null, number]> {
    const exited = loop.createFuture<void>();
    const [transport] = yield* loop.subprocessExec(() => new RecordingProtocol(exited), ...PROGRAM_BLOCKED);
    const returncode = transport.getReturncode();
    transport.close();
    yield* asyncio.waitFor(exited, 5);
    return [returncode, transport.getReturncode()!];
  }
  const [returncode, after] = await loop.runUntilComplete(killRunning());
  assert.equal(returncode, null);
  // transport.close() killed the process that was still running.
  assert.equal(after, -SIGKILL);
  await runBriefly(loop);
}));

// test_subprocess.py SubprocessMixin.test_close_dont_kill_finished
// The child is killed and reaped behind the loop's back (the loop is not
// running, so it is not notified); close() must then send no signal: every
// process.kill() call is recorded (and still made).
test("test_subprocess.py SubprocessMixin.test_close_dont_kill_finished", () => withRealLoop(async (loop) => {
  const [transport] = await loop.runUntilComplete(loop.subprocessExec(() => new asyncio.SubprocessProtocol(), ...PROGRAM_BLOCKED));
  const proc = transport.getExtraInfo("subprocess") as ChildProcess;
  const exitSeen = new Promise<void>((r) => proc.once("exit", () => r()));
  proc.kill("SIGKILL");
  // The stopped loop keeps nothing alive: a timer keeps Node up while the exit is awaited.
  const keepAlive = setInterval(() => {}, 1000);
  await exitSeen;
  clearInterval(keepAlive);
  const procReturncode = proc.signalCode ?? proc.exitCode;
  const transportReturncode = transport.getReturncode();
  const realKill = process.kill;
  const signalled: number[] = [];
  process.kill = ((pid: number, sig?: string | number) => {
    signalled.push(pid);
    return realKill.call(process, pid, sig);
  }) as typeof process.kill;
  try {
    transport.close();
  } finally {
    process.kill = realKill;
  }
  await runBriefly(loop);
  assert.notEqual(procReturncode, null);
  assert.equal(transportReturncode, null);
  assert.deepEqual(signalled, []);
}));

/** SubprocessMixin._test_popen_error: the child cannot start; nothing leaks (fds counted in /proc/self/fd). */
async function testPopenError(loop: asyncio.BaseEventLoop, stdin: number | null): Promise<void> {
  const fds = () => readdirSync("/proc/self/fd").length;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  process.on("warning", onWarning);
  try {
    const before = fds();
    await rejects(FileNotFoundError, loop.runUntilComplete(exec("/nonexistent/tsyncio-no-such-program", ["-c", "pass"], { stdin })));
    // Give closes a few loop passes to land; a leaked fd never goes away.
    for (let i = 0; i < 20 && fds() > before; i++) await runBriefly(loop);
    assert.ok(fds() <= before, `fds before ${before}, after ${fds()}`);
  } finally {
    process.off("warning", onWarning);
  }
  assert.deepEqual(warnings, []);
}

// test_subprocess.py SubprocessMixin.test_popen_error
// CPython patches Popen to raise; here spawning a program that does not exist fails.
test("test_subprocess.py SubprocessMixin.test_popen_error", () => withRealLoop(async (loop) => {
  await testPopenError(loop, null);
}));

// test_subprocess.py SubprocessMixin.test_popen_error_with_stdin_pipe
test("test_subprocess.py SubprocessMixin.test_popen_error_with_stdin_pipe", () => withRealLoop(async (loop) => {
  await testPopenError(loop, PIPE);
}));

// test_subprocess.py SubprocessMixin.test_read_stdout_after_process_exit
// (CPython sleeps 0.3 s between reads; 0.02 s lets the child exit just as well.)
test("test_subprocess.py SubprocessMixin.test_read_stdout_after_process_exit", () => withRealLoop(async (loop) => {
  const code = "for (let i = 0; i < 64; i++) require('fs').writeSync(1, 'x'.repeat(4096)); process.exitCode = 1;";
  function* execute(): Coroutine<number> {
    const proc = yield* exec(NODE, ["-e", code], { stdout: PIPE });
    let total = 0;
    for (;;) {
      const data = yield* proc.stdout!.read(65536);
      if (data.length) {
        total += data.length;
        yield* asyncio.sleep(0.02);
      } else break;
    }
    assert.equal(yield* proc.wait(), 1);
    return total;
  }
  assert.equal(await loop.runUntilComplete(execute()), 64 * 4096);
}));

// test_subprocess.py SubprocessMixin.test_create_subprocess_exec_text_mode_fails
test("test_subprocess.py SubprocessMixin.test_create_subprocess_exec_text_mode_fails", () => withRealLoop(async (loop) => {
  await rejects(ValueError, loop.runUntilComplete(exec(NODE, [], { text: true })));
  await rejects(ValueError, loop.runUntilComplete(exec(NODE, [], { encoding: "utf-8" })));
  await rejects(ValueError, loop.runUntilComplete(exec(NODE, [], { errors: "strict" })));
}));

// test_subprocess.py SubprocessMixin.test_create_subprocess_shell_text_mode_fails
test("test_subprocess.py SubprocessMixin.test_create_subprocess_shell_text_mode_fails", () => withRealLoop(async (loop) => {
  await rejects(ValueError, loop.runUntilComplete(asyncio.createSubprocessShell(NODE, { text: true })));
  await rejects(ValueError, loop.runUntilComplete(asyncio.createSubprocessShell(NODE, { encoding: "utf-8" })));
  await rejects(ValueError, loop.runUntilComplete(asyncio.createSubprocessShell(NODE, { errors: "strict" })));
}));

/** SubprocessMixin.check_stdout_output */
function* checkStdoutOutput(coro: Coroutine<Process>, output: Buffer): Coroutine<void> {
  const proc = yield* coro;
  const [stdout] = yield* proc.communicate();
  assert.deepEqual(stdout, output);
  assert.equal(proc.returncode, 0);
  const task = asyncio.createTask(proc.wait());
  yield* asyncio.sleep(0);
  assert.equal(task.result(), proc.returncode);
}

// test_subprocess.py SubprocessMixin.test_create_subprocess_env_shell
test("test_subprocess.py SubprocessMixin.test_create_subprocess_env_shell", () => withRealLoop(async (loop) => {
  function* main(): Coroutine<Process> {
    const cmd = `"${NODE}" -e "process.stdout.write(process.env.FOO)"`;
    return yield* asyncio.createSubprocessShell(cmd, { env: { ...process.env, FOO: "bar" }, stdout: PIPE });
  }
  await loop.runUntilComplete(checkStdoutOutput(main(), b("bar")));
}));

// test_subprocess.py SubprocessMixin.test_create_subprocess_env_exec
test("test_subprocess.py SubprocessMixin.test_create_subprocess_env_exec", () => withRealLoop(async (loop) => {
  function* main(): Coroutine<Process> {
    return yield* exec(NODE, ["-e", "process.stdout.write(process.env.FOO)"], { env: { ...process.env, FOO: "baz" }, stdout: PIPE });
  }
  await loop.runUntilComplete(checkStdoutOutput(main(), b("baz")));
}));

// test_subprocess.py SubprocessMixin.test_subprocess_concurrent_wait
test("test_subprocess.py SubprocessMixin.test_subprocess_concurrent_wait", () => withRealLoop(async (loop) => {
  function* main(): Coroutine<void> {
    const proc = yield* exec(...PROGRAM_CAT, { stdin: PIPE, stdout: PIPE });
    const [stdout] = yield* proc.communicate(b("some data"));
    assert.deepEqual(stdout, b("some data"));
    assert.equal(proc.returncode, 0);
    const codes = yield* asyncio.gather(...Array.from({ length: 10 }, () => proc.wait()));
    assert.deepEqual(codes, Array(10).fill(proc.returncode));
  }
  await loop.runUntilComplete(main());
}));

// test_subprocess.py SubprocessMixin.test_subprocess_protocol_events
test("test_subprocess.py SubprocessMixin.test_subprocess_protocol_events", () => withRealLoop(async (loop) => {
  type Ev = string;
  const events: Ev[] = [];
  const fds = [1, 2];
  const expected = ["pipe_data_received 1 stdout", "pipe_data_received 2 stderr", "pipe_connection_lost 1", "pipe_connection_lost 2", "process_exited"];
  const perFdExpected = ["pipe_data_received", "pipe_connection_lost"];
  class MyProtocol extends asyncio.SubprocessProtocol {
    constructor(private exitFuture: asyncio.Future<boolean>) {
      super();
    }
    override pipeDataReceived(fd: number, data: Uint8Array): void {
      events.push(`pipe_data_received ${fd} ${Buffer.from(data).toString()}`);
      this.exitMaybe();
    }
    override pipeConnectionLost(fd: number, _exc: Error | null): void {
      events.push(`pipe_connection_lost ${fd}`);
      this.exitMaybe();
    }
    override processExited(): void {
      events.push("process_exited");
      this.exitMaybe();
    }
    exitMaybe(): void {
      if (events.length >= expected.length) this.exitFuture.setResult(true);
    }
  }
  function* main(): Coroutine<Ev[]> {
    const lp = asyncio.getRunningLoop();
    const exitFuture = new asyncio.Future<boolean>();
    const code = "require('fs').writeSync(1, 'stdout'); require('fs').writeSync(2, 'stderr');";
    const [transport] = yield* lp.subprocessExec(() => new MyProtocol(exitFuture), NODE, ["-e", code], { stdin: null });
    yield* exitFuture;
    transport.close();
    return events;
  }
  const got = await loop.runUntilComplete(main());
  assert.deepEqual(new Set(got), new Set(expected));
  const perFd = new Map<number, string[]>(fds.map((fd) => [fd, []]));
  for (const ev of got) {
    if (ev === "process_exited") continue;
    const [name, fd] = ev.split(" ");
    perFd.get(Number(fd))!.push(name!);
  }
  for (const fd of fds) assert.deepEqual(perFd.get(fd), perFdExpected, `${fd} ${got}`);
}));

// test_subprocess.py SubprocessMixin.test_subprocess_communicate_stdout
// (Ten /bin/sh children instead of ten interpreters: the same concurrent
// communicate(), much faster to start.)
test("test_subprocess.py SubprocessMixin.test_subprocess_communicate_stdout", () => withRealLoop(async (loop) => {
  function* getCommandStdout(cmd: string, args: string[]): Coroutine<string> {
    const proc = yield* exec(cmd, args, { stdout: PIPE });
    const [stdout] = yield* proc.communicate();
    return stdout!.toString().trim();
  }
  function* main(): Coroutine<void> {
    const outputs = Array.from({ length: 10 }, (_, i) => `foo${i}`);
    const res = yield* asyncio.gather(...outputs.map((out) => getCommandStdout("/bin/sh", ["-c", `echo ${out}`])));
    assert.deepEqual(res, outputs);
  }
  await loop.runUntilComplete(main());
}));

