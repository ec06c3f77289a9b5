import asyncio
import socket
from _util import en

server_log = []
client_log = []


async def handle(reader, writer):
    server_log.append(f"connected; peer is loopback: {writer.get_extra_info('peername')[0]}")
    while True:
        line = await reader.readline()
        if not line:
            server_log.append(f"eof; at_eof={reader.at_eof()}")
            break
        server_log.append(f"line {line!r}")
        writer.write(line.upper())
        await writer.drain()
    writer.write(b"bye\n")
    writer.close()
    await writer.wait_closed()
    server_log.append(f"closed; is_closing={writer.is_closing()}")


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("serving", server.is_serving(), "sockets", len(server.sockets))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.get_extra_info("socket")
    print("client socket family", sock.family == socket.AF_INET, "can_write_eof", writer.can_write_eof())
    for word in (b"alpha\n", b"beta\n", b"gamma\n"):
        writer.write(word)
        client_log.append(f"echo {await reader.readline()!r}")
    writer.write(b"part1-")
    writer.write(b"part2\n")
    await writer.drain()
    client_log.append(f"echo {await reader.readexactly(12)!r}")
    writer.write_eof()
    client_log.append(f"after eof {await reader.read()!r}")
    client_log.append(f"at_eof {reader.at_eof()}")
    client_log.append(f"read after eof {await reader.read(10)!r}")
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    print("server serving after close", server.is_serving())
    print("server:", server_log)
    print("client:", client_log)
    try:
        await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError as e:
        print("refused", type(e).__name__, e.errno == 111)


asyncio.run(main())
