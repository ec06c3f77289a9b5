import * as asyncio from "../../../src/index.js";
import { ValueError } from "../../../src/index.js";
import type { Coroutine, DatagramTransport, Future } from "../../../src/index.js";
import { print, en, repr } from "./_util.js";

type Addr = [string, number];
const b = (s: string) => Buffer.from(s, "latin1");

class Echo extends asyncio.DatagramProtocol {
  transport!: DatagramTransport;
  constructor(readonly log: string[]) {
    super();
  }

  override connectionMade(transport: DatagramTransport) {
    this.transport = transport;
    this.log.push("server connection_made");
  }

  override datagramReceived(data: Uint8Array, addr: Addr) {
    this.log.push(`server got ${repr(data)} from loopback ${addr[0]}`);
    this.transport.sendto(Buffer.from(data).reverse(), addr);
  }

  override connectionLost(exc: Error | null) {
    this.log.push(`server connection_lost ${repr(exc)}`);
  }
}

class Client extends asyncio.DatagramProtocol {
  q = new asyncio.Queue<Uint8Array | null>();
  lost: Future<void> = asyncio.getRunningLoop().createFuture<void>();
  constructor(readonly log: string[]) {
    super();
  }

  override connectionMade() {
    this.log.push("client connection_made");
  }

  override datagramReceived(data: Uint8Array) {
    this.log.push(`client got ${repr(data)}`);
    this.q.putNowait(data);
  }

  override errorReceived(exc: Error) {
    this.log.push(`client error_received ${exc.name}`);
    this.q.putNowait(null);
  }

  override connectionLost(exc: Error | null) {
    this.log.push(`client connection_lost ${repr(exc)}`);
    this.lost.setResult();
  }
}

function* main(): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const slog: string[] = [];
  const clog: string[] = [];
  const [st] = yield* loop.createDatagramEndpoint(() => new Echo(slog), ["127.0.0.1", 0]);
  const addr = st.getExtraInfo("sockname") as Addr;
  let [ct, cp] = (yield* loop.createDatagramEndpoint(() => new Client(clog), undefined, addr)) as [DatagramTransport, Client];
  const peer = ct.getExtraInfo("peername") as Addr;
  print("peername is server", peer[0] === addr[0] && peer[1] === addr[1]);
  for (const msg of [b("one"), b("two"), b("three")]) ct.sendto(msg);
  const got: (Uint8Array | null)[] = [];
  for (let i = 0; i < 3; i++) got.push(yield* cp.q.get());
  print("echoes in order", got);
  print("buffer size", ct.getWriteBufferSize());
  try {
    ct.sendto(b("x"), ["127.0.0.1", 9]);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print("sendto other addr on connected", en(e).replace(String(addr[1]), "PORT"));
  }
  ct.close();
  print("closing", ct.isClosing());
  yield* cp.lost;
  st.close();
  yield* asyncio.sleep(0);
  print("server", slog);
  print("client", clog);
  // Connected to a closed port: the ICMP error arrives via error_received.
  [ct, cp] = (yield* loop.createDatagramEndpoint(() => new Client(clog), undefined, addr)) as [DatagramTransport, Client];
  clog.length = 0;
  ct.sendto(b("nobody there"));
  print("error ->", yield* cp.q.get());
  ct.close();
  yield* cp.lost;
  print("client", clog);
}

await asyncio.run(main());
