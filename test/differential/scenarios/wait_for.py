import asyncio
from _util import en


async def slow(name, delay, result):
    try:
        await asyncio.sleep(delay)
        print(name, "completes")
        return result
    except asyncio.CancelledError as e:
        print(name, "cancelled", en(e))
        raise


async def main():
    loop = asyncio.get_running_loop()
    print("no timeout", await asyncio.wait_for(slow("a", 0, "A"), None))
    print("in time", await asyncio.wait_for(slow("b", 0, "B"), 10))
    try:
        await asyncio.wait_for(slow("c", 10, "C"), 0.01)
    except asyncio.TimeoutError as e:
        print("timed out", type(e).__name__, e.__class__ is TimeoutError, repr(str(e)))
    # timeout=0 with a coroutine: it never gets to run to completion.
    try:
        await asyncio.wait_for(slow("d", 0, "D"), 0)
    except TimeoutError as e:
        print("timeout 0 coro", type(e).__name__)
    # timeout=0 with a done future: its result.
    f = loop.create_future()
    f.set_result("done already")
    print("timeout 0 done future", await asyncio.wait_for(f, 0))
    # timeout <= 0 with a pending future: cancelled, TimeoutError.
    f = loop.create_future()
    try:
        await asyncio.wait_for(f, -1)
    except TimeoutError:
        print("negative timeout: future cancelled", f.cancelled())
    # The inner raises: propagates.
    async def fails():
        await asyncio.sleep(0)
        raise ValueError("inner failed")
    try:
        await asyncio.wait_for(fails(), 10)
    except ValueError as e:
        print("inner exception", en(e))
    # The inner swallows the cancellation and returns a value.
    async def swallow():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            print("swallow: caught cancel, returning a value")
            return "swallowed"
    try:
        print("swallowing inner ->", await asyncio.wait_for(swallow(), 0.01))
    except TimeoutError:
        print("swallowing inner -> TimeoutError")
    # Cancelling the task that waits cancels the inner too.
    inner = asyncio.ensure_future(slow("e", 10, "E"))
    w = asyncio.create_task(asyncio.wait_for(inner, 10))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    w.cancel("outer cancel")
    try:
        await w
    except asyncio.CancelledError as e:
        print("waiter cancelled", en(e), "inner cancelled", inner.cancelled())


asyncio.run(main())
