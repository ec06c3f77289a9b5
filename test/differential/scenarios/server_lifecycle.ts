import * as asyncio from "../../../src/index.js";
import { CancelledError, RuntimeError } from "../../../src/index.js";
import type { Coroutine, Transport } from "../../../src/index.js";
import { print } from "./_util.js";

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const log: string[] = [];
  const conns: Transport[] = [];

  class P extends asyncio.Protocol {
    override connectionMade(tr: Transport) {
      conns.push(tr);
      log.push("server connection_made");
    }

    override connectionLost() {
      log.push("server connection_lost");
    }
  }

  let server = yield* loop.createServer(() => new P(), "127.0.0.1", 0, { startServing: false });
  print("serving before start", server.isServing());
  yield* server.startServing();
  print("serving after start", server.isServing(), "loop is ours", server.getLoop() === loop);
  const port = (server.sockets[0]!.getsockname() as [string, number])[1];
  const [tr] = yield* loop.createConnection(() => new asyncio.Protocol(), "127.0.0.1", port);
  while (!conns.length) yield* asyncio.sleep(0);
  // wait_closed() waits both for close() and for the last connection to go.
  const waiter = asyncio.ensureFuture(server.waitClosed());
  yield* asyncio.sleep(0);
  print("wait_closed done while open", waiter.done());
  server.close();
  print("serving after close", server.isServing(), "sockets", server.sockets.length);
  yield* asyncio.sleep(0.01);
  print("wait_closed done with a live connection", waiter.done());
  conns[0]!.close();
  yield* waiter;
  print("wait_closed done after the connection closed", log);
  tr.close();
  server.close();
  yield* server.waitClosed();
  print("close twice and wait again: fine");
  // serve_forever() is ended by cancellation, which closes the server.
  server = yield* loop.createServer(() => new P(), "127.0.0.1", 0);
  const t = asyncio.ensureFuture(server.serveForever());
  yield* asyncio.sleep(0);
  try {
    yield* server.serveForever();
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("second serve_forever", e.name, e.message.includes("is already being awaited"));
  }
  t.cancel();
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("serve_forever cancelled; serving", server.isServing());
  }
  yield* server.waitClosed();
  // async with closes the server on exit.
  const s = yield* loop.createServer(() => new P(), "127.0.0.1", 0);
  try {
    print("inside async with serving", s.isServing());
  } finally {
    yield* asyncio.ensureFuture((s as asyncio.Server)[Symbol.asyncDispose]());
  }
  print("after async with serving", s.isServing());
}

await asyncio.run(main());
