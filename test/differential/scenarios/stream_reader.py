import asyncio
from _util import en


async def attempt(label, coro):
    try:
        r = await coro
        print(label, "->", repr(r))
    except asyncio.IncompleteReadError as e:
        print(label, "raises", en(e), "partial", e.partial, "expected", e.expected)
    except asyncio.LimitOverrunError as e:
        print(label, "raises", en(e), "consumed", e.consumed)
    except (ValueError, RuntimeError) as e:
        print(label, "raises", en(e))


async def main():
    loop = asyncio.get_running_loop()
    r = asyncio.StreamReader()
    r.feed_data(b"line one\nline two\npartial")
    await attempt("readline", r.readline())
    await attempt("readuntil two", r.readuntil(b"two\n"))
    await attempt("read(3)", r.read(3))
    await attempt("read(0)", r.read(0))
    loop.call_soon(r.feed_data, b" more\nrest")
    await attempt("readline across feeds", r.readline())
    loop.call_soon(r.feed_eof)
    await attempt("readline at eof", r.readline())
    await attempt("readline after eof", r.readline())
    print("at_eof", r.at_eof())

    r = asyncio.StreamReader()
    r.feed_data(b"abc")
    r.feed_eof()
    await attempt("readexactly short", r.readexactly(5))
    r = asyncio.StreamReader()
    r.feed_data(b"abcdef")
    await attempt("readexactly 4", r.readexactly(4))
    await attempt("readexactly 0", r.readexactly(0))
    await attempt("readexactly -1", r.readexactly(-1))
    r.feed_eof()
    await attempt("readuntil no sep at eof", r.readuntil(b"!"))
    r = asyncio.StreamReader()
    await attempt("readuntil empty sep", r.readuntil(b""))

    # The limit.
    r = asyncio.StreamReader(limit=8)
    r.feed_data(b"0123456789\nshort\n")
    await attempt("readline over limit", r.readline())
    await attempt("readline after overrun", r.readline())
    r = asyncio.StreamReader(limit=8)
    r.feed_data(b"0123456789ab")
    await attempt("readuntil over limit", r.readuntil(b"\n"))
    r.feed_data(b"X\n")
    await attempt("readuntil still over", r.readuntil(b"X\n"))
    r = asyncio.StreamReader(limit=8)
    r.feed_data(b"abc|defghijkl|")
    await attempt("readuntil sep found past limit", r.readuntil(b"|"))
    await attempt("readuntil sep past limit", r.readuntil(b"|"))
    try:
        asyncio.StreamReader(limit=0)
    except ValueError as e:
        print("limit 0", en(e))

    # read(-1) reads to EOF; an exception set on the reader is raised by the next read.
    r = asyncio.StreamReader()
    loop.call_soon(r.feed_data, b"a")
    loop.call_soon(r.feed_data, b"b")
    loop.call_soon(r.feed_eof)
    await attempt("read all", r.read())
    r = asyncio.StreamReader()
    r.feed_data(b"buffered")
    r.set_exception(ConnectionResetError("gone"))
    try:
        await r.read(2)
    except ConnectionResetError as e:
        print("exception set", en(e))
    print("exception()", en(r.exception()))
    # A waiting reader is woken by set_exception.
    r = asyncio.StreamReader()
    t = asyncio.create_task(r.readline())
    await asyncio.sleep(0)
    r.set_exception(ValueError("broken"))
    try:
        await t
    except ValueError as e:
        print("waiter woken by exception", en(e))
    # Two readers at once.
    r = asyncio.StreamReader()
    t1 = asyncio.create_task(r.read(1))
    await asyncio.sleep(0)
    await attempt("concurrent read", r.read(1))
    t1.cancel()
    # Iteration over lines.
    r = asyncio.StreamReader()
    r.feed_data(b"x\ny\nz")
    r.feed_eof()
    print("lines", [line async for line in r])


asyncio.run(main())
