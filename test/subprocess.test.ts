import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BaseEventLoop, type BaseTransport, type Coroutine, DEVNULL, FileNotFoundError, type Future, PIPE, Process,
  ProcessLookupError, STDOUT, SubprocessProtocol, type SubprocessTransport, ValueError, createSubprocessExec,
  createSubprocessShell, gather, newEventLoop, ReadTransport, WriteTransport,
} from "../src/index.js";
import { native } from "../src/internal/native.js";

const N = native();
const SH = "/bin/sh";

async function runLoop<T>(body: (loop: BaseEventLoop) => Coroutine<T>): Promise<T> {
  const loop = newEventLoop() as BaseEventLoop;
  try {
    return await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

function* raises(fut: Coroutine<unknown>, cls: new (...a: never[]) => Error, re?: RegExp): Coroutine<Error> {
  try {
    yield* fut;
  } catch (e) {
    assert.ok(e instanceof cls, `${e} is not a ${cls.name}`);
    if (re) assert.match((e as Error).message, re);
    return e as Error;
  }
  assert.fail(`no ${cls.name}`);
}

/** Records the callbacks of a low-level subprocess protocol, in order. */
class Recorder extends SubprocessProtocol {
  events: string[] = [];
  out = new Map<number, Buffer[]>();
  transport: SubprocessTransport | null = null;
  exited: Future<void>;
  lost: Future<Error | null>;
  constructor(loop: BaseEventLoop) {
    super();
    this.exited = loop.createFuture();
    this.lost = loop.createFuture();
  }
  override connectionMade(t: BaseTransport): void {
    this.events.push("made");
    this.transport = t as SubprocessTransport;
  }
  override pipeDataReceived(fd: number, data: Uint8Array): void {
    if (this.events.at(-1) !== `data${fd}`) this.events.push(`data${fd}`);
    const list = this.out.get(fd) ?? [];
    list.push(Buffer.from(data));
    this.out.set(fd, list);
  }
  override pipeConnectionLost(fd: number, exc: Error | null): void {
    assert.equal(exc, null);
    this.events.push(`pipeLost${fd}`);
  }
  override processExited(): void {
    this.events.push("exited");
    this.exited.setResult(undefined);
  }
  override connectionLost(exc: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(exc);
  }
  text(fd: number): string {
    return Buffer.concat(this.out.get(fd) ?? []).toString();
  }
}

test("low level: callbacks in base_subprocess order; pipe transports; extra info", async () => {
  await runLoop(function* (loop) {
    const [t, p] = yield* loop.subprocessExec(() => new Recorder(loop), SH, ["-c", "read line; echo \"got $line\"; echo oops >&2; exit 5"]);
    assert.equal(p.events[0], "made");
    assert.ok(t.getPid() > 0);
    assert.equal((t.getExtraInfo("subprocess") as ChildProcess).pid, t.getPid());
    assert.ok(t.getPipeTransport(0) instanceof WriteTransport);
    assert.ok(t.getPipeTransport(1) instanceof ReadTransport);
    assert.ok(t.getPipeTransport(2) instanceof ReadTransport);
    assert.equal(t.getPipeTransport(3), null);
    assert.equal(t.getReturncode(), null);
    (t.getPipeTransport(0) as WriteTransport).write(Buffer.from("hello\n"));
    assert.equal(yield* p.lost, null);
    assert.equal(t.getReturncode(), 5);
    assert.equal(p.text(1), "got hello\n");
    assert.equal(p.text(2), "oops\n");
    // connectionLost comes last, after processExited and every pipeConnectionLost.
    assert.equal(p.events.at(-1), "lost");
    for (const e of ["exited", "pipeLost1", "pipeLost2"]) assert.ok(p.events.includes(e), e);
    assert.ok(p.events.indexOf("data1") < p.events.indexOf("pipeLost1"));
    assert.ok(!existsSync(`/proc/${t.getPid()}`), "the child was reaped");
    t.close();
    assert.ok(t.isClosing());
    assert.throws(() => t.terminate(), ProcessLookupError);
  });
});

test("close() kills a running child, which is reaped; stdin DEVNULL and stdout inherited", async () => {
  await runLoop(function* (loop) {
    const [t, p] = yield* loop.subprocessExec(() => new Recorder(loop), "sleep", ["30"], { stdin: DEVNULL, stdout: null, stderr: PIPE });
    assert.equal(t.getPipeTransport(0), null);
    assert.equal(t.getPipeTransport(1), null);
    t.close();
    yield* p.lost;
    assert.equal(t.getReturncode(), -9);
    assert.deepEqual(p.events, ["made", "pipeLost2", "exited", "lost"].filter((e) => p.events.includes(e)));
    assert.ok(!existsSync(`/proc/${t.getPid()}`));
  });
});

test("exit codes and signals: returncode, wait(), terminate, kill, sendSignal", async () => {
  await runLoop(function* () {
    for (const code of [0, 1, 42]) {
      const p = yield* createSubprocessExec(SH, ["-c", `exit ${code}`]);
      assert.ok(p instanceof Process);
      assert.equal(yield* p.wait(), code);
      assert.equal(p.returncode, code);
    }
    const p1 = yield* createSubprocessExec("sleep", ["30"]);
    assert.equal(p1.returncode, null);
    p1.terminate();
    assert.equal(yield* p1.wait(), -15);
    assert.throws(() => p1.terminate(), ProcessLookupError);
    const p2 = yield* createSubprocessExec("sleep", ["30"]);
    p2.kill();
    assert.equal(yield* p2.wait(), -9);
    const p3 = yield* createSubprocessExec("sleep", ["30"]);
    p3.sendSignal("SIGUSR1");
    assert.equal(yield* p3.wait(), -10);
    const p4 = yield* createSubprocessExec("sleep", ["30"]);
    p4.sendSignal(2);
    assert.equal(yield* p4.wait(), -2);
    // A child that traps the signal reports its own exit code.
    const p5 = yield* createSubprocessExec(SH, ["-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.01; done"], { stdout: PIPE });
    assert.equal((yield* p5.stdout!.readline()).toString(), "ready\n");
    p5.terminate();
    assert.equal(yield* p5.wait(), 7);
  });
});

test("stdio combinations: PIPE, STDOUT redirection, DEVNULL, fds, inherited", async () => {
  await runLoop(function* () {
    const script = "echo to-out; echo to-err >&2";
    let p = yield* createSubprocessExec(SH, ["-c", script], { stdout: PIPE, stderr: PIPE });
    assert.equal(p.stdin, null);
    let [out, err] = yield* p.communicate();
    assert.equal(out!.toString(), "to-out\n");
    assert.equal(err!.toString(), "to-err\n");

    p = yield* createSubprocessExec(SH, ["-c", script], { stdout: PIPE, stderr: STDOUT });
    assert.equal(p.stderr, null);
    [out, err] = yield* p.communicate();
    assert.equal(out!.toString(), "to-out\nto-err\n");
    assert.equal(err, null);

    p = yield* createSubprocessExec(SH, ["-c", script], { stdout: DEVNULL, stderr: PIPE });
    [out, err] = yield* p.communicate();
    assert.equal(out, null);
    assert.equal(err!.toString(), "to-err\n");

    p = yield* createSubprocessExec("cat", [], { stdin: DEVNULL, stdout: PIPE });
    [out] = yield* p.communicate();
    assert.equal(out!.toString(), "");
    assert.equal(p.returncode, 0);

    const dir = mkdtempSync(join(tmpdir(), "tsyncio-sub-"));
    try {
      const file = join(dir, "out.txt");
      const fd = openSync(file, "w");
      p = yield* createSubprocessExec(SH, ["-c", script], { stdout: fd, stderr: STDOUT });
      assert.equal(yield* p.wait(), 0);
      closeSync(fd);
      assert.equal(readFileSync(file, "utf8"), "to-out\nto-err\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    yield* raises(createSubprocessExec(SH, ["-c", "true"], { stdin: STDOUT }), ValueError);
  });
});

test("cwd, env, executable, startNewSession, passFds", async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "tsyncio-cwd-")));
  try {
    await runLoop(function* () {
      let p = yield* createSubprocessExec("pwd", [], { stdout: PIPE, cwd: dir });
      assert.equal((yield* p.communicate())[0]!.toString(), `${dir}\n`);

      p = yield* createSubprocessExec(SH, ["-c", "echo \"$FOO:$HOME\""], { stdout: PIPE, env: { FOO: "bar" } });
      assert.equal((yield* p.communicate())[0]!.toString(), "bar:\n");

      p = yield* createSubprocessExec("my-argv0", ["-c", "echo $0"], { stdout: PIPE, executable: SH });
      assert.equal((yield* p.communicate())[0]!.toString(), "my-argv0\n");

      // The fifth field after the command in /proc/PID/stat is the session id.
      const sid = "read -r pid comm state ppid pgrp session rest < /proc/$$/stat; echo $pid $session";
      p = yield* createSubprocessExec(SH, ["-c", sid], { stdout: PIPE, startNewSession: true });
      let [a, b] = (yield* p.communicate())[0]!.toString().trim().split(" ");
      assert.equal(a, b);
      p = yield* createSubprocessExec(SH, ["-c", sid], { stdout: PIPE });
      [a, b] = (yield* p.communicate())[0]!.toString().trim().split(" ");
      assert.notEqual(a, b);

      const pr = N.pipe(0) as [number, number];
      // Make the fd number one the child would not otherwise have.
      const high = N.dup(pr[1]);
      N.close(pr[1]);
      p = yield* createSubprocessExec(SH, ["-c", `echo passed > /proc/self/fd/${high}`], { passFds: [high] });
      assert.equal(yield* p.wait(), 0);
      N.close(high);
      assert.equal(N.read(pr[0], 100).toString(), "passed\n");
      N.close(pr[0]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("createSubprocessShell: streams, readline, returncode", async () => {
  await runLoop(function* () {
    const p = yield* createSubprocessShell("for i in 1 2 3; do echo line $i; done; exit 4", { stdout: PIPE });
    const lines: string[] = [];
    for (;;) {
      const line = yield* p.stdout!.readline();
      if (line.length === 0) break;
      lines.push(line.toString().trim());
    }
    assert.deepEqual(lines, ["line 1", "line 2", "line 3"]);
    assert.equal(yield* p.wait(), 4);
  });
});

test("communicate: 10 MiB in and out (stdout and stderr both), byte for byte, no deadlock", async () => {
  await runLoop(function* () {
    const input = randomBytes(10 * 1024 * 1024);
    let p = yield* createSubprocessExec("cat", [], { stdin: PIPE, stdout: PIPE });
    let [out, err] = yield* p.communicate(input);
    assert.equal(err, null);
    assert.equal(out!.byteLength, input.byteLength);
    assert.ok(out!.equals(input));
    assert.equal(p.returncode, 0);

    p = yield* createSubprocessExec(SH, ["-c", "tee /dev/stderr"], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
    [out, err] = yield* p.communicate(input);
    assert.ok(out!.equals(input));
    assert.ok(err!.equals(input));
    assert.equal(p.returncode, 0);
  });
});

test("communicate ignores a child that does not read its stdin (BrokenPipeError)", async () => {
  await runLoop(function* () {
    const p = yield* createSubprocessExec(SH, ["-c", "exec 0<&-; echo done"], { stdin: PIPE, stdout: PIPE });
    const [out] = yield* p.communicate(Buffer.alloc(4 * 1024 * 1024));
    assert.equal(out!.toString(), "done\n");
    assert.equal(p.returncode, 0);
  });
});

test("100 concurrent children", async () => {
  await runLoop(function* () {
    const procs = yield* gather(...Array.from({ length: 100 }, (_, i) =>
      createSubprocessExec(SH, ["-c", `echo child ${i}; exit ${i % 7}`], { stdout: PIPE })));
    const results = yield* gather(...procs.map((p) => p.communicate()));
    results.forEach(([out], i) => assert.equal(out!.toString(), `child ${i}\n`));
    procs.forEach((p, i) => assert.equal(p.returncode, i % 7));
    for (const p of procs) assert.ok(!existsSync(`/proc/${p.pid}`), "reaped");
  });
});

test("errors: missing program, Python's option checks", async () => {
  await runLoop(function* (loop) {
    const e = yield* raises(createSubprocessExec("/nonexistent/program-xyz", []), FileNotFoundError);
    assert.equal((e as FileNotFoundError).errno, 2);
    const pf = () => new SubprocessProtocol();
    yield* raises(loop.subprocessExec(pf, SH, [], { shell: true }), ValueError, /shell must be False/);
    yield* raises(loop.subprocessShell(pf, "true", { shell: false }), ValueError, /shell must be True/);
    yield* raises(loop.subprocessExec(pf, SH, [], { bufsize: 1 }), ValueError, /bufsize must be 0/);
    yield* raises(loop.subprocessExec(pf, SH, [], { universalNewlines: true }), ValueError, /universal_newlines must be False/);
    yield* raises(loop.subprocessExec(pf, SH, [], { text: true }), ValueError, /text must be False/);
    yield* raises(loop.subprocessExec(pf, SH, [], { encoding: "utf-8" }), ValueError, /encoding must be None/);
    yield* raises(loop.subprocessShell(pf, 42 as unknown as string), ValueError, /cmd must be a string/);
  });
});

test("a child that exits while the loop is stopped is reported once it runs again", async () => {
  const loop = newEventLoop() as BaseEventLoop;
  try {
    const p = await loop.runUntilComplete((function* () {
      return yield* createSubprocessExec(SH, ["-c", "read go; exit 3"], { stdin: PIPE });
    })());
    const child = p._transport.getExtraInfo("subprocess") as ChildProcess;
    // The write goes straight to the pipe; the child exits while the loop is stopped.
    p.stdin!.write(Buffer.from("go\n"));
    // A stopped loop does not keep Node alive for its children: this test does, while it waits.
    const keepalive = setInterval(() => {}, 1000);
    if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
    clearInterval(keepalive);
    assert.equal(p.returncode, null, "nothing of the loop ran while it was stopped");
    assert.equal(await loop.runUntilComplete(p.wait()), 3);
    assert.equal(p.returncode, 3);
  } finally {
    loop.close();
  }
});

test("umask: the child runs with the given umask and the parent's is unchanged", async () => {
  const before = process.umask();
  await runLoop(function* () {
    const p = yield* createSubprocessShell("umask", { stdout: PIPE, umask: 0o027 });
    const [out] = yield* p.communicate();
    assert.equal(Number.parseInt(out!.toString().trim(), 8), 0o027);
  });
  assert.equal(process.umask(), before);
});
