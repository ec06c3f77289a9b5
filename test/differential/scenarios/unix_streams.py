import asyncio
import os
import shutil
import tempfile
from _util import en

# (Python 3.12 leaves the socket file behind after close(); tsyncio removes it, as 3.13 does: not printed.)


async def main():
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "s.sock")
    handled = asyncio.get_running_loop().create_future()

    async def handle(reader, writer):
        log = []
        try:
            log.append(f"line {await reader.readline()!r}")
            # A line longer than the limit: ValueError, and the buffer is cleared up to the separator.
            try:
                await reader.readline()
            except ValueError as e:
                log.append(f"long line {en(e)}")
            log.append(f"after long {await reader.readline()!r}")
            try:
                await reader.readuntil(b"END")
            except asyncio.LimitOverrunError as e:
                log.append(f"overrun {type(e).__name__} consumed>limit {e.consumed > 16}")
                log.append(f"drop {len(await reader.readexactly(e.consumed))}")
                writer.write(b"overrun\n")
            log.append(f"until {await reader.readuntil(b'END')!r}")
            try:
                await reader.readexactly(10)
            except asyncio.IncompleteReadError as e:
                log.append(f"incomplete {e.partial!r} expected {e.expected}")
            writer.write(b"ok\n")
            await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()
            handled.set_result(log)

    server = await asyncio.start_unix_server(handle, path, limit=16)
    print("listening on a path", os.path.exists(path))
    reader, writer = await asyncio.open_unix_connection(path)
    writer.write(b"short\n")
    writer.write(b"x" * 40 + b"\n")
    writer.write(b"next\n")
    writer.write(b"y" * 30)
    await writer.drain()
    print("client got", await reader.readline())
    writer.write(b"zEND")
    writer.write(b"abc")
    writer.write_eof()
    for line in await handled:
        print("server", line)
    print("client got", await reader.readline(), await reader.read())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    shutil.rmtree(tmp, ignore_errors=True)


asyncio.run(main())
