import asyncio


async def main():
    loop = asyncio.get_running_loop()
    log = []
    conns = []

    class P(asyncio.Protocol):
        def connection_made(self, tr):
            conns.append(tr)
            log.append("server connection_made")

        def connection_lost(self, exc):
            log.append("server connection_lost")

    server = await loop.create_server(P, "127.0.0.1", 0, start_serving=False)
    print("serving before start", server.is_serving())
    await server.start_serving()
    print("serving after start", server.is_serving(), "loop is ours", server.get_loop() is loop)
    port = server.sockets[0].getsockname()[1]
    tr, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
    while not conns:
        await asyncio.sleep(0)
    # wait_closed() waits both for close() and for the last connection to go.
    waiter = asyncio.create_task(server.wait_closed())
    await asyncio.sleep(0)
    print("wait_closed done while open", waiter.done())
    server.close()
    print("serving after close", server.is_serving(), "sockets", len(server.sockets))
    await asyncio.sleep(0.01)
    print("wait_closed done with a live connection", waiter.done())
    conns[0].close()
    await waiter
    print("wait_closed done after the connection closed", log)
    tr.close()
    server.close()
    await server.wait_closed()
    print("close twice and wait again: fine")
    # serve_forever() is ended by cancellation, which closes the server.
    server = await loop.create_server(P, "127.0.0.1", 0)
    t = asyncio.create_task(server.serve_forever())
    await asyncio.sleep(0)
    try:
        await server.serve_forever()
    except RuntimeError as e:
        print("second serve_forever", type(e).__name__, "is already being awaited" in str(e))
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("serve_forever cancelled; serving", server.is_serving())
    await server.wait_closed()
    # async with closes the server on exit.
    async with await loop.create_server(P, "127.0.0.1", 0) as s:
        print("inside async with serving", s.is_serving())
    print("after async with serving", s.is_serving())

asyncio.run(main())
