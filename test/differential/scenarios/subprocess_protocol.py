import asyncio

# The kernel decides whether stdout, stderr or the exit status is seen first, so the trace keeps each
# pipe's events apart and checks only the orderings asyncio guarantees.


class Recorder(asyncio.SubprocessProtocol):
    def __init__(self):
        self.events = []
        self.done = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.events.append(("connection_made", None, None))

    def pipe_data_received(self, fd, data):
        self.events.append(("pipe_data_received", fd, data))

    def pipe_connection_lost(self, fd, exc):
        self.events.append(("pipe_connection_lost", fd, exc))

    def process_exited(self):
        self.events.append(("process_exited", None, None))

    def connection_lost(self, exc):
        self.events.append(("connection_lost", None, exc))
        self.done.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    transport, proto = await loop.subprocess_shell(Recorder, "echo out; echo err >&2; exit 3")
    print("pid is int", isinstance(transport.get_pid(), int), "pipes", [transport.get_pipe_transport(fd) is not None for fd in (0, 1, 2)])
    transport.get_pipe_transport(0).close()
    await proto.done
    ev = proto.events
    kinds = [e[0] for e in ev]
    print("first", kinds[0], "last", kinds[-1])
    for fd in (0, 1, 2):
        print("fd", fd, [(k, d) for k, f, d in ev if f == fd])
    print("process_exited once", kinds.count("process_exited"), "before connection_lost", kinds.index("process_exited") < kinds.index("connection_lost"))
    print("every pipe lost before connection_lost", max(i for i, k in enumerate(kinds) if k == "pipe_connection_lost") < kinds.index("connection_lost"))
    print("returncode", transport.get_returncode())
    transport.close()
    # The high-level API on the same command.
    proc = await asyncio.create_subprocess_shell("echo out; echo err >&2; exit 3",
                                                 stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    print("communicate", out, err, proc.returncode)
    proc = await asyncio.create_subprocess_exec("sh", "-c", "cat; echo done >&2", stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, err = await proc.communicate(b"input\n")
    print("exec cat", out, err, proc.returncode, await proc.wait())
    proc = await asyncio.create_subprocess_exec("sh", "-c", "read x; echo got $x; sleep 10",
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    proc.stdin.write(b"hi\n")
    print("readline", await proc.stdout.readline())
    proc.kill()
    print("killed", await proc.wait())


asyncio.run(main())
