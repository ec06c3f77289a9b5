import asyncio
from _util import en


class Slow(asyncio.Protocol):
    def __init__(self, log):
        self.log = log
        self.resumed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport

    def pause_writing(self):
        self.log.append(f"pause_writing buffered>high: {self.transport.get_write_buffer_size() > 100}")

    def resume_writing(self):
        self.log.append(f"resume_writing buffered<=low: {self.transport.get_write_buffer_size() <= 50}")
        if not self.resumed.done():
            self.resumed.set_result(None)


class Sink(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        transport.pause_reading()


async def main():
    loop = asyncio.get_running_loop()
    sinks = []
    server = await loop.create_server(lambda: sinks.append(Sink()) or sinks[-1], "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    log = []
    tr, proto = await loop.create_connection(lambda: Slow(log), "127.0.0.1", port)
    print("default limits", tr.get_write_buffer_limits())
    tr.set_write_buffer_limits(high=100)
    print("high only", tr.get_write_buffer_limits())
    tr.set_write_buffer_limits(low=10)
    print("low only", tr.get_write_buffer_limits())
    tr.set_write_buffer_limits(high=100, low=50)
    print("both", tr.get_write_buffer_limits())
    try:
        tr.set_write_buffer_limits(high=10, low=20)
    except ValueError as e:
        print("bad limits", en(e))
    # Fill the kernel buffers until the transport buffers and pauses the protocol.
    chunk = b"x" * 65536
    while not log:
        tr.write(chunk)
        await asyncio.sleep(0)
    print("paused after filling:", log)
    while not sinks:
        await asyncio.sleep(0)
    sinks[0].transport.resume_reading()
    await proto.resumed
    print("log", log)
    try:
        tr.write("text")
    except TypeError as e:
        print("write str", type(e).__name__)
    tr.write(b"")
    tr.close()
    print("closing", tr.is_closing())
    tr.write(b"after close")
    print("write after close ignored")
    server.close()
    sinks[0].transport.close()
    await server.wait_closed()


asyncio.run(main())
