import * as asyncio from "../../../src/index.js";
import * as socket from "../../../src/stdlib/socket.js";
import { ConnectionRefusedError } from "../../../src/index.js";
import type { Coroutine, StreamReader, StreamWriter } from "../../../src/index.js";
import { print, repr } from "./_util.js";

const serverLog: string[] = [];
const clientLog: string[] = [];
const b = (s: string) => Buffer.from(s, "latin1");

function* handle(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  serverLog.push(`connected; peer is loopback: ${(writer.getExtraInfo("peername") as [string, number])[0]}`);
  while (true) {
    const line = yield* reader.readline();
    if (!line.length) {
      serverLog.push(`eof; at_eof=${repr(reader.atEof())}`);
      break;
    }
    serverLog.push(`line ${repr(line)}`);
    writer.write(b(Buffer.from(line).toString("latin1").toUpperCase()));
    yield* writer.drain();
  }
  writer.write(b("bye\n"));
  writer.close();
  yield* writer.waitClosed();
  serverLog.push(`closed; is_closing=${repr(writer.isClosing())}`);
}

function* main(): Coroutine<void> {
  const server = yield* asyncio.startServer(handle, "127.0.0.1", 0);
  const port = (server.sockets[0]!.getsockname() as [string, number])[1];
  print("serving", server.isServing(), "sockets", server.sockets.length);
  const [reader, writer] = yield* asyncio.openConnection("127.0.0.1", port);
  const sock = writer.getExtraInfo("socket") as socket.Socket;
  print("client socket family", sock.family === socket.AF_INET, "can_write_eof", writer.canWriteEof());
  for (const word of [b("alpha\n"), b("beta\n"), b("gamma\n")]) {
    writer.write(word);
    clientLog.push(`echo ${repr(yield* reader.readline())}`);
  }
  writer.write(b("part1-"));
  writer.write(b("part2\n"));
  yield* writer.drain();
  clientLog.push(`echo ${repr(yield* reader.readexactly(12))}`);
  writer.writeEof();
  clientLog.push(`after eof ${repr(yield* reader.read())}`);
  clientLog.push(`at_eof ${repr(reader.atEof())}`);
  clientLog.push(`read after eof ${repr(yield* reader.read(10))}`);
  writer.close();
  yield* writer.waitClosed();
  server.close();
  yield* server.waitClosed();
  print("server serving after close", server.isServing());
  print("server:", serverLog);
  print("client:", clientLog);
  try {
    yield* asyncio.openConnection("127.0.0.1", port);
  } catch (e) {
    if (!(e instanceof ConnectionRefusedError)) throw e;
    print("refused", e.name, e.errno === 111);
  }
}

await asyncio.run(main());
