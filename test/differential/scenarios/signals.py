import asyncio
import os
import signal
from _util import en


async def main():
    loop = asyncio.get_running_loop()
    got = []
    done = loop.create_future()

    def handler(name, n):
        got.append(f"{name} {n} running={loop.is_running()}")
        if n == 2:
            done.set_result(None)

    loop.add_signal_handler(signal.SIGUSR1, handler, "usr1", 1)
    loop.add_signal_handler(signal.SIGUSR2, handler, "usr2", 2)
    os.kill(os.getpid(), signal.SIGUSR1)
    await asyncio.sleep(0.05)
    os.kill(os.getpid(), signal.SIGUSR2)
    await done
    print("handled", got)
    # Replacing a handler: the new one runs.
    loop.add_signal_handler(signal.SIGUSR1, handler, "replaced", 2)
    done = loop.create_future()
    os.kill(os.getpid(), signal.SIGUSR1)
    await done
    print("handled", got[-1])
    print("remove", loop.remove_signal_handler(signal.SIGUSR1), loop.remove_signal_handler(signal.SIGUSR1))
    print("remove usr2", loop.remove_signal_handler(signal.SIGUSR2))
    for sig in (signal.SIGKILL, 12345):
        try:
            loop.add_signal_handler(sig, handler)
        except (ValueError, RuntimeError) as e:
            print("refused", sig == signal.SIGKILL and "SIGKILL" or "invalid", type(e).__name__)
    async def coro():
        pass
    c = coro()
    try:
        loop.add_signal_handler(signal.SIGUSR1, c)
    except TypeError as e:
        print("coroutine handler", en(e))
    c.close()


asyncio.run(main())
