import asyncio
import socket
from _util import en


async def main():
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    await loop.sock_sendall(a, b"hello world")
    print("recv", await loop.sock_recv(b, 5))
    buf = bytearray(16)
    n = await loop.sock_recv_into(b, buf)
    print("recv_into", n, bytes(buf[:n]))
    # A pending recv is completed by a later send.
    t = asyncio.create_task(loop.sock_recv(b, 100))
    await asyncio.sleep(0)
    print("pending recv done?", t.done())
    a.send(b"late")
    print("late recv", await t)
    # Cancelling a pending recv leaves the data for the next one.
    t = asyncio.create_task(loop.sock_recv(b, 100))
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("recv cancelled")
    a.send(b"kept")
    print("next recv", await loop.sock_recv(b, 100))
    # add_reader: the callback runs each iteration while data is readable.
    calls = []
    third = loop.create_future()
    def on_readable():
        data = b.recv(2)
        calls.append(data)
        if len(calls) == 3:
            print("remove_reader", loop.remove_reader(b))
            third.set_result(None)
    loop.add_reader(b, on_readable)
    a.send(b"aabbcc")
    # (How many iterations that takes differs: tsyncio may run several iterations between two I/O polls.)
    await third
    print("reader calls", calls)
    print("remove again", loop.remove_reader(b))
    # EOF: recv returns b"".
    a.close()
    print("after close", await loop.sock_recv(b, 10))
    b.close()
    # sock_connect / sock_accept on loopback.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.setblocking(False)
    cli = socket.socket()
    cli.setblocking(False)
    acc = asyncio.create_task(loop.sock_accept(srv))
    await loop.sock_connect(cli, srv.getsockname())
    conn, addr = await acc
    print("accepted from loopback", addr[0], "blocking", conn.getblocking())
    conn.setblocking(False)
    await loop.sock_sendall(cli, b"x" * 100000)
    total = 0
    while total < 100000:
        total += len(await loop.sock_recv(conn, 65536))
    print("transferred", total)
    for s in (conn, cli, srv):
        s.close()


asyncio.run(main())
