import asyncio
from _util import en


class Recorder(asyncio.Protocol):
    def __init__(self, name, log, keep_open=False):
        self.name = name
        self.log = log
        self.keep_open = keep_open
        self.transport = None
        self.lost = asyncio.get_running_loop().create_future()
        self.got = asyncio.Queue()

    def connection_made(self, transport):
        self.transport = transport
        self.log.append(f"{self.name} connection_made closing={transport.is_closing()} reading={transport.is_reading()}")

    def data_received(self, data):
        self.log.append(f"{self.name} data_received {data!r}")
        self.got.put_nowait(data)

    def eof_received(self):
        self.log.append(f"{self.name} eof_received")
        self.got.put_nowait(b"")
        return self.keep_open

    def connection_lost(self, exc):
        self.log.append(f"{self.name} connection_lost {en(exc) if exc else None}")
        self.lost.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    slog, clog = [], []
    servers = []
    keep = [True]

    def factory():
        p = Recorder("server", slog, keep_open=keep[0])
        servers.append(p)
        return p

    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tr, cp = await loop.create_connection(lambda: Recorder("client", clog), "127.0.0.1", port)
    print("client transport", type(tr).__name__ != "", "protocol is ours", tr.get_protocol() is cp)
    tr.write(b"hello")
    data = await servers[0].got.get()
    sp = servers[0]
    sp.transport.write(b"HELLO")
    print("client got", await cp.got.get())
    # Pause reading on the client; the server's data waits until resumed.
    tr.pause_reading()
    print("client reading after pause", tr.is_reading())
    sp.transport.write(b"while paused")
    await asyncio.sleep(0.05)
    print("queued while paused", cp.got.qsize())
    tr.resume_reading()
    print("client got after resume", await cp.got.get())
    # Half-close: the client writes EOF; the server keeps its side open and answers.
    print("can_write_eof", tr.can_write_eof())
    tr.write_eof()
    print("server got", await sp.got.get())
    sp.transport.write(b"after your eof")
    print("client got", await cp.got.get())
    sp.transport.close()
    print("server transport closing", sp.transport.is_closing())
    await sp.lost
    print("client got", await cp.got.get())
    await cp.lost
    print("client closing", tr.is_closing())
    server.close()
    await server.wait_closed()
    print("server log", slog)
    print("client log", clog)
    # abort(): connection_lost(None) too, without flushing.
    keep[0] = False
    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    slog.clear()
    clog.clear()
    tr, cp = await loop.create_connection(lambda: Recorder("client", clog), "127.0.0.1", port)
    tr.abort()
    await cp.lost
    await servers[-1].lost
    print("abort server log", slog)
    print("abort client log", clog)
    server.close()
    await server.wait_closed()


asyncio.run(main())
