import asyncio
from _util import en


class Echo(asyncio.DatagramProtocol):
    def __init__(self, log):
        self.log = log

    def connection_made(self, transport):
        self.transport = transport
        self.log.append("server connection_made")

    def datagram_received(self, data, addr):
        self.log.append(f"server got {data!r} from loopback {addr[0]}")
        self.transport.sendto(data[::-1], addr)

    def connection_lost(self, exc):
        self.log.append(f"server connection_lost {exc}")


class Client(asyncio.DatagramProtocol):
    def __init__(self, log):
        self.log = log
        self.q = asyncio.Queue()
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.log.append("client connection_made")

    def datagram_received(self, data, addr):
        self.log.append(f"client got {data!r}")
        self.q.put_nowait(data)

    def error_received(self, exc):
        self.log.append(f"client error_received {type(exc).__name__}")
        self.q.put_nowait(None)

    def connection_lost(self, exc):
        self.log.append(f"client connection_lost {exc}")
        self.lost.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    slog, clog = [], []
    st, sp = await loop.create_datagram_endpoint(lambda: Echo(slog), local_addr=("127.0.0.1", 0))
    addr = st.get_extra_info("sockname")
    ct, cp = await loop.create_datagram_endpoint(lambda: Client(clog), remote_addr=addr)
    print("peername is server", ct.get_extra_info("peername") == addr)
    for msg in (b"one", b"two", b"three"):
        ct.sendto(msg)
    got = [await cp.q.get() for _ in range(3)]
    print("echoes in order", got)
    print("buffer size", ct.get_write_buffer_size())
    try:
        ct.sendto(b"x", ("127.0.0.1", 9))
    except ValueError as e:
        print("sendto other addr on connected", en(e).replace(str(addr[1]), "PORT"))
    ct.close()
    print("closing", ct.is_closing())
    await cp.lost
    st.close()
    await asyncio.sleep(0)
    print("server", slog)
    print("client", clog)
    # Connected to a closed port: the ICMP error arrives via error_received.
    ct, cp = await loop.create_datagram_endpoint(lambda: Client(clog), remote_addr=addr)
    clog.clear()
    ct.sendto(b"nobody there")
    print("error ->", await cp.q.get())
    ct.close()
    await cp.lost
    print("client", clog)

asyncio.run(main())
