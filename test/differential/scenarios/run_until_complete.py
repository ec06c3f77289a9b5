import asyncio
from _util import en


def main():
    loop = asyncio.new_event_loop()
    fut = loop.create_future()
    loop.call_soon(fut.set_result, 42)
    print("result", loop.run_until_complete(fut))
    # An already-done future: still returns its result.
    print("again", loop.run_until_complete(fut))
    # stop() before the future completes.
    fut2 = loop.create_future()
    loop.call_soon(loop.stop)
    try:
        loop.run_until_complete(fut2)
    except RuntimeError as e:
        print("stopped early", en(e))
    print("fut2 done", fut2.done())
    # A coroutine is wrapped in a task; its exception propagates.
    async def boom():
        await asyncio.sleep(0)
        raise ValueError("boom")
    try:
        loop.run_until_complete(boom())
    except ValueError as e:
        print("raised", en(e))
    # stop() inside run_until_complete of a running loop's callback chain, then run_forever picks up.
    def cb(n):
        print("cb", n)
    loop.call_soon(cb, 1)
    loop.call_soon(loop.stop)
    loop.call_soon(cb, 2)
    loop.run_forever()
    print("is_running after", loop.is_running())
    # A running loop refuses to run again.
    async def nested():
        try:
            loop.run_until_complete(asyncio.sleep(0))
        except RuntimeError as e:
            print("nested", en(e))
        try:
            loop.run_forever()
        except RuntimeError as e:
            print("nested forever", en(e))
    coro = nested()
    loop.run_until_complete(coro)
    loop.close()
    try:
        loop.call_soon(cb, 3)
    except RuntimeError as e:
        print("closed", en(e))
    try:
        loop.run_forever()
    except RuntimeError as e:
        print("closed run", en(e))
    loop.close()
    print("close twice ok")


main()
