// TCP echo client using streams (the asyncio documentation's example).
// Run: PORT=8888 node --import tsx examples/echo-streams-client.ts
import * as asyncio from "../src/index.js";
import type { Coroutine } from "../src/index.js";

function* tcpEchoClient(message: string): Coroutine<void> {
  const port = Number(process.env.PORT ?? 8888);
  const [reader, writer] = yield* asyncio.openConnection("127.0.0.1", port);

  console.log(`Send: ${JSON.stringify(message)}`);
  writer.write(Buffer.from(message));
  yield* writer.drain();

  const data = yield* reader.read(100);
  console.log(`Received: ${JSON.stringify(data.toString())}`);

  console.log("Close the connection");
  writer.close();
  yield* writer.waitClosed();
}

await asyncio.run(tcpEchoClient(process.argv[2] ?? "Hello World!"));
