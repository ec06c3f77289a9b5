import * as asyncio from "../../../src/index.js";
import type { Coroutine, Future, SubprocessTransport } from "../../../src/index.js";
import { print, tuple } from "./_util.js";

// The kernel decides whether stdout, stderr or the exit status is seen first, so the trace keeps each
// pipe's events apart and checks only the orderings asyncio guarantees.

type Ev = [string, number | null, unknown];

class Recorder extends asyncio.SubprocessProtocol {
  events: Ev[] = [];
  done: Future<void> = asyncio.getRunningLoop().createFuture<void>();

  override connectionMade() {
    this.events.push(["connection_made", null, null]);
  }

  override pipeDataReceived(fd: number, data: Uint8Array) {
    this.events.push(["pipe_data_received", fd, data]);
  }

  override pipeConnectionLost(fd: number, exc: Error | null) {
    this.events.push(["pipe_connection_lost", fd, exc]);
  }

  override processExited() {
    this.events.push(["process_exited", null, null]);
  }

  override connectionLost(exc: Error | null) {
    this.events.push(["connection_lost", null, exc]);
    this.done.setResult();
  }
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const [transport, proto] = (yield* loop.subprocessShell(() => new Recorder(), "echo out; echo err >&2; exit 3")) as [SubprocessTransport, Recorder];
  print("pid is int", Number.isInteger(transport.getPid()), "pipes", [0, 1, 2].map((fd) => transport.getPipeTransport(fd) !== null));
  transport.getPipeTransport(0)!.close();
  yield* proto.done;
  const ev = proto.events;
  const kinds = ev.map((e) => e[0]);
  print("first", kinds[0], "last", kinds[kinds.length - 1]);
  for (const fd of [0, 1, 2]) print("fd", fd, ev.filter(([, f]) => f === fd).map(([k, , d]) => tuple(k, d)));
  print("process_exited once", kinds.filter((k) => k === "process_exited").length, "before connection_lost", kinds.indexOf("process_exited") < kinds.indexOf("connection_lost"));
  print("every pipe lost before connection_lost", kinds.lastIndexOf("pipe_connection_lost") < kinds.indexOf("connection_lost"));
  print("returncode", transport.getReturncode());
  transport.close();
  // The high-level API on the same command.
  let proc = yield* asyncio.createSubprocessShell("echo out; echo err >&2; exit 3", { stdout: asyncio.PIPE, stderr: asyncio.PIPE });
  let [out, err] = yield* proc.communicate();
  print("communicate", out, err, proc.returncode);
  proc = yield* asyncio.createSubprocessExec("sh", ["-c", "cat; echo done >&2"], { stdin: asyncio.PIPE, stdout: asyncio.PIPE, stderr: asyncio.STDOUT });
  [out, err] = yield* proc.communicate(Buffer.from("input\n"));
  print("exec cat", out, err, proc.returncode, yield* proc.wait());
  proc = yield* asyncio.createSubprocessExec("sh", ["-c", "read x; echo got $x; sleep 10"], { stdin: asyncio.PIPE, stdout: asyncio.PIPE });
  proc.stdin!.write(Buffer.from("hi\n"));
  print("readline", yield* proc.stdout!.readline());
  proc.kill();
  print("killed", yield* proc.wait());
}

await asyncio.run(main());
