// The protocols CPython's test_events.py defines at module level (MyBaseProto,
// MyProto, MyDatagramProto, MyReadPipeProto, MyWritePipeProto,
// MySubprocessProtocol); test_sock_lowlevel.py and test_sendfile.py import some
// of them, so they live here, apart from the test files.
import assert from "node:assert/strict";
import * as asyncio from "../../src/index.js";

/** test_events.py MyBaseProto. */
export class MyBaseProto extends asyncio.Protocol {
  transport: asyncio.Transport | null = null;
  state = "INITIAL";
  nbytes = 0;
  connected: asyncio.Future<null> | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) {
      this.connected = loop.createFuture();
      this.done = loop.createFuture();
    }
  }
  protected assertState(...expected: string[]): void {
    if (!expected.includes(this.state)) throw new assert.AssertionError({ message: `state: '${this.state}', expected: ${expected.join(", ")}` });
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.Transport;
    this.assertState("INITIAL");
    this.state = "CONNECTED";
    this.connected?.setResult(null);
  }
  override dataReceived(data: Uint8Array): void {
    this.assertState("CONNECTED");
    this.nbytes += data.length;
  }
  override eofReceived(): void {
    this.assertState("CONNECTED");
    this.state = "EOF";
  }
  override connectionLost(_exc: Error | null): void {
    this.assertState("CONNECTED", "EOF");
    this.state = "CLOSED";
    this.done?.setResult(null);
  }
}

/** test_events.py / test_sock_lowlevel.py MyProto: sends an HTTP request once connected. */
export class MyProto extends MyBaseProto {
  override connectionMade(transport: asyncio.BaseTransport): void {
    super.connectionMade(transport);
    (transport as asyncio.Transport).write(Buffer.from("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"));
  }
}

/** test_events.py MyDatagramProto. */
export class MyDatagramProto extends asyncio.DatagramProtocol {
  state = "INITIAL";
  nbytes = 0;
  transport: asyncio.DatagramTransport | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) this.done = loop.createFuture();
  }
  protected assertState(expected: string): void {
    assert.equal(this.state, expected);
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.DatagramTransport;
    this.assertState("INITIAL");
    this.state = "INITIALIZED";
  }
  override datagramReceived(data: Uint8Array, _addr: unknown): void {
    this.assertState("INITIALIZED");
    this.nbytes += data.length;
  }
  override errorReceived(_exc: Error): void {
    this.assertState("INITIALIZED");
  }
  override connectionLost(_exc: Error | null): void {
    this.assertState("INITIALIZED");
    this.state = "CLOSED";
    this.done?.setResult(null);
  }
}

/** test_events.py MyReadPipeProto. */
export class MyReadPipeProto extends asyncio.Protocol {
  state: string[] = ["INITIAL"];
  nbytes = 0;
  transport: asyncio.ReadTransport | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) this.done = loop.createFuture();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.ReadTransport;
    assert.deepEqual(this.state, ["INITIAL"]);
    this.state.push("CONNECTED");
  }
  override dataReceived(data: Uint8Array): void {
    assert.deepEqual(this.state, ["INITIAL", "CONNECTED"]);
    this.nbytes += data.length;
  }
  override eofReceived(): void {
    assert.deepEqual(this.state, ["INITIAL", "CONNECTED"]);
    this.state.push("EOF");
  }
  override connectionLost(_exc: Error | null): void {
    if (!this.state.includes("EOF")) this.state.push("EOF");
    assert.deepEqual(this.state, ["INITIAL", "CONNECTED", "EOF"]);
    this.state.push("CLOSED");
    this.done?.setResult(null);
  }
}

/** test_events.py MyWritePipeProto. */
export class MyWritePipeProto extends asyncio.BaseProtocol {
  state = "INITIAL";
  transport: asyncio.WriteTransport | null = null;
  done: asyncio.Future<null> | null = null;
  constructor(loop?: asyncio.AbstractEventLoop | null) {
    super();
    if (loop) this.done = loop.createFuture();
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.WriteTransport;
    assert.equal(this.state, "INITIAL");
    this.state = "CONNECTED";
  }
  override connectionLost(_exc: Error | null): void {
    assert.equal(this.state, "CONNECTED");
    this.state = "CLOSED";
    this.done?.setResult(null);
  }
}

/** test_events.py MySubprocessProtocol. */
export class MySubprocessProtocol extends asyncio.SubprocessProtocol {
  state = "INITIAL";
  transport: asyncio.SubprocessTransport | null = null;
  connected: asyncio.Future<null>;
  completed: asyncio.Future<null>;
  disconnects: asyncio.Future<Error | null>[];
  data: Record<number, Buffer> = { 1: Buffer.alloc(0), 2: Buffer.alloc(0) };
  returncode: number | null = null;
  gotData: Record<number, asyncio.Event> = { 1: new asyncio.Event(), 2: new asyncio.Event() };
  constructor(loop: asyncio.AbstractEventLoop) {
    super();
    this.connected = loop.createFuture();
    this.completed = loop.createFuture();
    this.disconnects = [0, 1, 2].map(() => loop.createFuture<Error | null>());
  }
  override connectionMade(transport: asyncio.BaseTransport): void {
    this.transport = transport as asyncio.SubprocessTransport;
    assert.equal(this.state, "INITIAL");
    this.state = "CONNECTED";
    this.connected.setResult(null);
  }
  override connectionLost(_exc: Error | null): void {
    assert.equal(this.state, "CONNECTED");
    this.state = "CLOSED";
    this.completed.setResult(null);
  }
  override pipeDataReceived(fd: number, data: Uint8Array): void {
    assert.equal(this.state, "CONNECTED");
    this.data[fd] = Buffer.concat([this.data[fd]!, data]);
    this.gotData[fd]!.set();
  }
  override pipeConnectionLost(fd: number, exc: Error | null): void {
    assert.equal(this.state, "CONNECTED");
    if (exc) this.disconnects[fd]!.setException(exc);
    else this.disconnects[fd]!.setResult(exc);
  }
  override processExited(): void {
    assert.equal(this.state, "CONNECTED");
    this.returncode = this.transport!.getReturncode();
  }
}
