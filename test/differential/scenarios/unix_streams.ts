import * as asyncio from "../../../src/index.js";
import { IncompleteReadError, LimitOverrunError, ValueError } from "../../../src/index.js";
import type { Coroutine, StreamReader, StreamWriter } from "../../../src/index.js";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print, en, repr } from "./_util.js";

// (Python 3.12 leaves the socket file behind after close(); tsyncio removes it, as 3.13 does: not printed.)
const b = (s: string) => Buffer.from(s, "latin1");

function* main(): Coroutine<void> {
  const dir = mkdtempSync(join(tmpdir(), "tsyncio-"));
  const path = join(dir, "s.sock");
  const handled = asyncio.getRunningLoop().createFuture<string[]>();

  function* handle(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
    const log: string[] = [];
    try {
      log.push(`line ${repr(yield* reader.readline())}`);
      // A line longer than the limit: ValueError, and the buffer is cleared up to the separator.
      try {
        yield* reader.readline();
      } catch (e) {
        if (!(e instanceof ValueError)) throw e;
        log.push(`long line ${en(e)}`);
      }
      log.push(`after long ${repr(yield* reader.readline())}`);
      try {
        yield* reader.readuntil(b("END"));
      } catch (e) {
        if (!(e instanceof LimitOverrunError)) throw e;
        log.push(`overrun ${e.name} consumed>limit ${repr(e.consumed > 16)}`);
        log.push(`drop ${(yield* reader.readexactly(e.consumed)).length}`);
        writer.write(b("overrun\n"));
      }
      log.push(`until ${repr(yield* reader.readuntil(b("END")))}`);
      try {
        yield* reader.readexactly(10);
      } catch (e) {
        if (!(e instanceof IncompleteReadError)) throw e;
        log.push(`incomplete ${repr(e.partial)} expected ${e.expected}`);
      }
      writer.write(b("ok\n"));
      yield* writer.drain();
    } finally {
      writer.close();
      yield* writer.waitClosed();
      handled.setResult(log);
    }
  }

  const server = yield* asyncio.startUnixServer(handle, path, { limit: 16 });
  print("listening on a path", existsSync(path));
  const [reader, writer] = yield* asyncio.openUnixConnection(path);
  writer.write(b("short\n"));
  writer.write(Buffer.concat([Buffer.alloc(40, "x"), b("\n")]));
  writer.write(b("next\n"));
  writer.write(Buffer.alloc(30, "y"));
  yield* writer.drain();
  print("client got", yield* reader.readline());
  writer.write(b("zEND"));
  writer.write(b("abc"));
  writer.writeEof();
  for (const line of yield* handled) print("server", line);
  print("client got", yield* reader.readline(), yield* reader.read());
  writer.close();
  yield* writer.waitClosed();
  server.close();
  yield* server.waitClosed();
  rmSync(dir, { recursive: true, force: true });
}

await asyncio.run(main());
