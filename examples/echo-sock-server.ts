// TCP echo server on raw sockets with the loop's sock* methods.
// Run: PORT=8888 node --import tsx examples/echo-sock-server.ts
// (PORT=0 picks a free port; the "Serving on" line says which.)
import * as asyncio from "../src/index.js";
import * as socket from "../src/stdlib/socket.js";
import type { Coroutine } from "../src/index.js";

function* handleClient(client: socket.Socket): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  try {
    for (;;) {
      const data = yield* loop.sockRecv(client, 1024);
      if (!data.length) break;
      yield* loop.sockSendall(client, data);
    }
  } finally {
    client.close();
  }
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const port = Number(process.env.PORT ?? 8888);
  const server = new socket.Socket(socket.AF_INET, socket.SOCK_STREAM);
  server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  server.bind(["127.0.0.1", port]);
  server.listen();
  server.setblocking(false);
  console.log(`Serving on ${JSON.stringify(server.getsockname())}`);
  const tasks = new Set<asyncio.Task<void>>();
  try {
    for (;;) {
      const [client, addr] = yield* loop.sockAccept(server);
      console.log(`Connection from ${JSON.stringify(addr)}`);
      const task = loop.createTask(handleClient(client));
      tasks.add(task);
      task.addDoneCallback(() => tasks.delete(task));
    }
  } finally {
    server.close();
  }
}

await asyncio.run(main());
