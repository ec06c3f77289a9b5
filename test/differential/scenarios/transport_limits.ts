import * as asyncio from "../../../src/index.js";
import { ValueError } from "../../../src/index.js";
import type { Coroutine, Future, Transport } from "../../../src/index.js";
import { print, en, tuple } from "./_util.js";

class Slow extends asyncio.Protocol {
  transport!: Transport;
  resumed: Future<void> = asyncio.getRunningLoop().createFuture<void>();
  constructor(readonly log: string[]) {
    super();
  }

  override connectionMade(transport: Transport) {
    this.transport = transport;
  }

  override pauseWriting() {
    this.log.push(`pause_writing buffered>high: ${this.transport.getWriteBufferSize() > 100 ? "True" : "False"}`);
  }

  override resumeWriting() {
    this.log.push(`resume_writing buffered<=low: ${this.transport.getWriteBufferSize() <= 50 ? "True" : "False"}`);
    if (!this.resumed.done()) this.resumed.setResult();
  }
}

class Sink extends asyncio.Protocol {
  transport!: Transport;
  override connectionMade(transport: Transport) {
    this.transport = transport;
    transport.pauseReading();
  }
}

const limits = (tr: Transport) => tuple(...tr.getWriteBufferLimits());

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const sinks: Sink[] = [];
  const server = yield* loop.createServer(() => {
    sinks.push(new Sink());
    return sinks[sinks.length - 1]!;
  }, "127.0.0.1", 0);
  const port = (server.sockets[0]!.getsockname() as [string, number])[1];
  const log: string[] = [];
  const [tr, proto] = (yield* loop.createConnection(() => new Slow(log), "127.0.0.1", port)) as [Transport, Slow];
  print("default limits", limits(tr));
  tr.setWriteBufferLimits(100);
  print("high only", limits(tr));
  tr.setWriteBufferLimits(undefined, 10);
  print("low only", limits(tr));
  tr.setWriteBufferLimits(100, 50);
  print("both", limits(tr));
  try {
    tr.setWriteBufferLimits(10, 20);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("bad limits", en(e));
  }
  // Fill the kernel buffers until the transport buffers and pauses the protocol.
  const chunk = Buffer.alloc(65536, "x");
  while (!log.length) {
    tr.write(chunk);
    yield* asyncio.sleep(0);
  }
  print("paused after filling:", log);
  while (!sinks.length) yield* asyncio.sleep(0);
  sinks[0]!.transport.resumeReading();
  yield* proto.resumed;
  print("log", log);
  try {
    tr.write("text" as unknown as Uint8Array);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    print("write str", e.name);
  }
  tr.write(Buffer.alloc(0));
  tr.close();
  print("closing", tr.isClosing());
  tr.write(Buffer.from("after close"));
  print("write after close ignored");
  server.close();
  sinks[0]!.transport.close();
  yield* server.waitClosed();
}

await asyncio.run(main());
