# CPython asyncio / uvloop echo servers for the echo benchmark.
# Usage: py_echo.py asyncio|uvloop protocol|streams PORT [BACKLOG]  -> prints "READY port".
import asyncio, sys

kind, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
backlog = int(sys.argv[4]) if len(sys.argv) > 4 else 100

class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
    def data_received(self, data):
        self.transport.write(data)

async def handle(reader, writer):
    # The load generator resets its connections when it stops.
    try:
        while True:
            data = await reader.read(262144)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionResetError:
        pass
    writer.close()

async def main():
    loop = asyncio.get_running_loop()
    if mode == "protocol":
        server = await loop.create_server(Echo, "127.0.0.1", port, backlog=backlog)
    else:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=backlog)
    print("READY", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

if kind == "uvloop":
    import uvloop
    uvloop.install()
asyncio.run(main())
