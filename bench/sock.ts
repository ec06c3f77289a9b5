// Loopback throughput of loop.sockSendall/sockRecvInto beside Node's `net` in
// the same run, and the cost of one fd-watcher round trip (addReader callback
// → send one byte → the peer's reader fires), beside the same ping-pong on
// Node's `net`. Run: node --import tsx bench/sock.ts
import * as net from "node:net";
import { once } from "node:events";
import * as asyncio from "../src/index.js";
import type { BaseEventLoop } from "../src/core/base-events.js";
import type { Coroutine } from "../src/core/coroutines.js";
import { AF_INET, IPPROTO_TCP, SOCK_STREAM, Socket, TCP_NODELAY } from "../src/stdlib/socket.js";

const TOTAL = 512 * 1024 * 1024;
const SEND_CHUNK = 1024 * 1024;
const RECV_CHUNK = 256 * 1024;
const ROUND_TRIPS = 100_000;

interface Row { name: string; value: string }
const rows: Row[] = [];

function mibps(bytes: number, ms: number): string {
  return `${(bytes / (1024 * 1024) / (ms / 1000)).toFixed(0)} MiB/s`;
}

async function tsyncioThroughput(): Promise<number> {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  try {
    return await loop.runUntilComplete((function* (): Coroutine<number> {
      const srv = new Socket(AF_INET, SOCK_STREAM);
      srv.bind(["127.0.0.1", 0]);
      srv.listen();
      srv.setblocking(false);
      const c = new Socket(AF_INET, SOCK_STREAM);
      c.setblocking(false);
      const acc = asyncio.ensureFuture(loop.sockAccept(srv));
      yield* loop.sockConnect(c, srv.getsockname());
      const [conn] = yield* acc;
      const chunk = Buffer.alloc(SEND_CHUNK, 1);
      const t0 = performance.now();
      const sender = loop.createTask((function* (): Coroutine<void> {
        for (let sent = 0; sent < TOTAL; sent += SEND_CHUNK) yield* loop.sockSendall(c, chunk);
      })());
      const buf = Buffer.alloc(RECV_CHUNK);
      let got = 0;
      while (got < TOTAL) got += yield* loop.sockRecvInto(conn, buf);
      yield* sender;
      const ms = performance.now() - t0;
      c.close();
      conn.close();
      srv.close();
      return ms;
    })());
  } finally {
    loop.close();
  }
}

async function nodeThroughput(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  const accepted = once(server, "connection") as Promise<[net.Socket]>;
  const client = net.connect(port, "127.0.0.1");
  await once(client, "connect");
  const [conn] = await accepted;
  const chunk = Buffer.alloc(SEND_CHUNK, 1);
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    let got = 0;
    conn.on("data", (d: Buffer) => {
      got += d.length;
      if (got >= TOTAL) resolve();
    });
  });
  let sent = 0;
  const pump = (): void => {
    while (sent < TOTAL) {
      sent += SEND_CHUNK;
      if (!client.write(chunk)) {
        client.once("drain", pump);
        return;
      }
    }
  };
  pump();
  await done;
  const ms = performance.now() - t0;
  client.destroy();
  conn.destroy();
  server.close();
  return ms;
}

async function tsyncioRoundTrip(): Promise<number> {
  const loop = asyncio.newEventLoop() as BaseEventLoop;
  // A TCP pair (as Node's side below), connected with blocking calls.
  const srv = new Socket(AF_INET, SOCK_STREAM);
  srv.bind(["127.0.0.1", 0]);
  srv.listen();
  const a = new Socket(AF_INET, SOCK_STREAM);
  a.connect(srv.getsockname());
  const [b] = srv.accept();
  srv.close();
  a.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  b.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  a.setblocking(false);
  b.setblocking(false);
  const one = Buffer.from("x");
  try {
    return await loop.runUntilComplete((function* (): Coroutine<number> {
      const done = loop.createFuture<number>();
      let n = 0;
      const t0 = performance.now();
      loop.addReader(a, () => {
        a.recv(16);
        if (++n === ROUND_TRIPS) {
          loop.removeReader(a);
          loop.removeReader(b);
          done.setResult(performance.now() - t0);
          return;
        }
        a.send(one);
      });
      loop.addReader(b, () => {
        b.recv(16);
        b.send(one);
      });
      b.send(one);
      return yield* done;
    })());
  } finally {
    loop.close();
    a.close();
    b.close();
  }
}

async function nodeRoundTrip(): Promise<number> {
  const server = net.createServer((s) => s.on("data", () => s.write("x")));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  client.setNoDelay(true);
  await once(client, "connect");
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let n = 0;
    client.on("data", () => {
      if (++n === ROUND_TRIPS / 2) return resolve();
      client.write("x");
    });
    client.write("x");
  });
  const ms = performance.now() - t0;
  client.destroy();
  server.close();
  return ms;
}

function best(xs: number[]): number {
  return Math.min(...xs);
}

const tsT: number[] = [];
const nodeT: number[] = [];
for (let i = 0; i < 3; i++) {
  tsT.push(await tsyncioThroughput());
  nodeT.push(await nodeThroughput());
}
rows.push({ name: `tsyncio sockSendall/sockRecvInto, ${TOTAL >> 20} MiB over TCP loopback`, value: mibps(TOTAL, best(tsT)) });
rows.push({ name: `node net write/'data', ${TOTAL >> 20} MiB over TCP loopback`, value: mibps(TOTAL, best(nodeT)) });
const rt: number[] = [];
const nrt: number[] = [];
for (let i = 0; i < 3; i++) {
  rt.push(await tsyncioRoundTrip());
  nrt.push(await nodeRoundTrip());
}
rows.push({ name: "tsyncio addReader ping-pong over TCP loopback (per reader callback)", value: `${((best(rt) * 1000) / ROUND_TRIPS).toFixed(2)} µs` });
rows.push({ name: "node net ping-pong over TCP loopback (per 'data' callback)", value: `${((best(nrt) * 1000) / ROUND_TRIPS).toFixed(2)} µs` });

const w = Math.max(...rows.map((r) => r.name.length));
console.log(`${"benchmark".padEnd(w)}  result`);
console.log(`${"-".repeat(w)}  ${"-".repeat(12)}`);
for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.value}`);
