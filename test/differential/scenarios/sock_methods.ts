import * as asyncio from "../../../src/index.js";
import * as socket from "../../../src/stdlib/socket.js";
import { CancelledError } from "../../../src/index.js";
import type { Coroutine } from "../../../src/index.js";
import { print } from "./_util.js";

const b_ = (s: string) => Buffer.from(s, "latin1");

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const [a, b] = socket.socketpair();
  a.setblocking(false);
  b.setblocking(false);
  yield* loop.sockSendall(a, b_("hello world"));
  print("recv", yield* loop.sockRecv(b, 5));
  const buf = Buffer.alloc(16);
  const n = yield* loop.sockRecvInto(b, buf);
  print("recv_into", n, buf.subarray(0, n));
  // A pending recv is completed by a later send.
  // A Python `async def` loop method returns a Future in tsyncio : ensureFuture, not createTask.
  let t = asyncio.ensureFuture(loop.sockRecv(b, 100));
  yield* asyncio.sleep(0);
  print("pending recv done?", t.done());
  a.send(b_("late"));
  print("late recv", yield* t);
  // Cancelling a pending recv leaves the data for the next one.
  t = asyncio.ensureFuture(loop.sockRecv(b, 100));
  yield* asyncio.sleep(0);
  t.cancel();
  try {
    yield* t;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    print("recv cancelled");
  }
  a.send(b_("kept"));
  print("next recv", yield* loop.sockRecv(b, 100));
  // add_reader: the callback runs each iteration while data is readable.
  const calls: Uint8Array[] = [];
  const third = loop.createFuture<void>();
  const onReadable = () => {
    const data = b.recv(2);
    calls.push(data);
    if (calls.length === 3) {
      print("remove_reader", loop.removeReader(b));
      third.setResult();
    }
  };
  loop.addReader(b, onReadable);
  a.send(b_("aabbcc"));
  // (How many iterations that takes differs: tsyncio may run several iterations between two I/O polls.)
  yield* third;
  print("reader calls", calls);
  print("remove again", loop.removeReader(b));
  // EOF: recv returns b"".
  a.close();
  print("after close", yield* loop.sockRecv(b, 10));
  b.close();
  // sock_connect / sock_accept on loopback.
  const srv = new socket.Socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen();
  srv.setblocking(false);
  const cli = new socket.Socket();
  cli.setblocking(false);
  const acc = asyncio.ensureFuture(loop.sockAccept(srv));
  yield* loop.sockConnect(cli, srv.getsockname());
  const [conn, addr] = yield* acc;
  print("accepted from loopback", (addr as [string, number])[0], "blocking", conn.getblocking());
  conn.setblocking(false);
  yield* loop.sockSendall(cli, Buffer.alloc(100000, "x"));
  let total = 0;
  while (total < 100000) total += (yield* loop.sockRecv(conn, 65536)).length;
  print("transferred", total);
  for (const s of [conn, cli, srv]) s.close();
}

await asyncio.run(main());
