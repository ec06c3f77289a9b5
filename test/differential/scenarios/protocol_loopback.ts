import * as asyncio from "../../../src/index.js";
import type { Coroutine, Future, Transport } from "../../../src/index.js";
import { print, en, repr } from "./_util.js";

const b = (s: string) => Buffer.from(s, "latin1");

class Recorder extends asyncio.Protocol {
  transport: Transport | null = null;
  lost: Future<void> = asyncio.getRunningLoop().createFuture<void>();
  got = new asyncio.Queue<Uint8Array>();
  constructor(readonly name: string, readonly log: string[], readonly keepOpen = false) {
    super();
  }

  override connectionMade(transport: Transport) {
    this.transport = transport;
    this.log.push(`${this.name} connection_made closing=${repr(transport.isClosing())} reading=${repr(transport.isReading())}`);
  }

  override dataReceived(data: Uint8Array) {
    this.log.push(`${this.name} data_received ${repr(data)}`);
    this.got.putNowait(data);
  }

  override eofReceived() {
    this.log.push(`${this.name} eof_received`);
    this.got.putNowait(b(""));
    return this.keepOpen;
  }

  override connectionLost(exc: Error | null) {
    this.log.push(`${this.name} connection_lost ${exc ? en(exc) : "None"}`);
    this.lost.setResult();
  }
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const slog: string[] = [];
  const clog: string[] = [];
  const servers: Recorder[] = [];
  let keep = true;

  const factory = () => {
    const p = new Recorder("server", slog, keep);
    servers.push(p);
    return p;
  };

  let server = yield* loop.createServer(factory, "127.0.0.1", 0);
  let port = (server.sockets[0]!.getsockname() as [string, number])[1];
  let [tr, cp] = (yield* loop.createConnection(() => new Recorder("client", clog), "127.0.0.1", port)) as [Transport, Recorder];
  print("client transport", tr.constructor.name !== "", "protocol is ours", tr.getProtocol() === cp);
  tr.write(b("hello"));
  const data = yield* servers[0]!.got.get();
  void data;
  const sp = servers[0]!;
  sp.transport!.write(b("HELLO"));
  print("client got", yield* cp.got.get());
  // Pause reading on the client; the server's data waits until resumed.
  tr.pauseReading();
  print("client reading after pause", tr.isReading());
  sp.transport!.write(b("while paused"));
  yield* asyncio.sleep(0.05);
  print("queued while paused", cp.got.qsize());
  tr.resumeReading();
  print("client got after resume", yield* cp.got.get());
  // Half-close: the client writes EOF; the server keeps its side open and answers.
  print("can_write_eof", tr.canWriteEof());
  tr.writeEof();
  print("server got", yield* sp.got.get());
  sp.transport!.write(b("after your eof"));
  print("client got", yield* cp.got.get());
  sp.transport!.close();
  print("server transport closing", sp.transport!.isClosing());
  yield* sp.lost;
  print("client got", yield* cp.got.get());
  yield* cp.lost;
  print("client closing", tr.isClosing());
  server.close();
  yield* server.waitClosed();
  print("server log", slog);
  print("client log", clog);
  // abort(): connection_lost(None) too, without flushing.
  keep = false;
  server = yield* loop.createServer(factory, "127.0.0.1", 0);
  port = (server.sockets[0]!.getsockname() as [string, number])[1];
  slog.length = 0;
  clog.length = 0;
  [tr, cp] = (yield* loop.createConnection(() => new Recorder("client", clog), "127.0.0.1", port)) as [Transport, Recorder];
  tr.abort();
  yield* cp.lost;
  yield* servers[servers.length - 1]!.lost;
  print("abort server log", slog);
  print("abort client log", clog);
  server.close();
  yield* server.waitClosed();
}

await asyncio.run(main());
