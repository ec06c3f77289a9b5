import asyncio
from _util import en


async def leaf(name, steps=10):
    try:
        for _ in range(steps):
            await asyncio.sleep(0)
        return name
    except asyncio.CancelledError as e:
        print(name, "cancelled", en(e))
        raise


async def main():
    # Cancelling an outer gather reaches the leaves of an inner gather, with the message.
    inner = asyncio.gather(leaf("a"), leaf("b"))
    outer = asyncio.gather(inner, leaf("c"))
    await asyncio.sleep(0)
    outer.cancel("from the top")
    try:
        await outer
    except asyncio.CancelledError as e:
        print("outer", en(e), "inner cancelled", inner.cancelled())
    # A chain of tasks awaiting tasks: cancelling the top cancels down the chain.
    async def level(n):
        try:
            if n == 0:
                await asyncio.sleep(10)
            else:
                await asyncio.create_task(level(n - 1))
        except asyncio.CancelledError as e:
            print("level", n, "cancelled", en(e))
            raise
    top = asyncio.create_task(level(3))
    for _ in range(4):
        await asyncio.sleep(0)
    top.cancel("chain")
    try:
        await top
    except asyncio.CancelledError as e:
        print("top", en(e))
    # One exception object reaches every awaiter.
    async def fails():
        await asyncio.sleep(0)
        raise ValueError("shared")
    t = asyncio.create_task(fails())
    seen = []
    async def awaiter(n):
        try:
            await t
        except ValueError as e:
            seen.append((n, e is t.exception()))
    await asyncio.gather(awaiter(1), awaiter(2))
    print("awaiters saw the same exception", seen)
    # A task awaiting itself is refused.
    async def self_await():
        await asyncio.current_task()
    t = asyncio.create_task(self_await())
    try:
        await t
    except RuntimeError as e:
        print("self await", type(e).__name__)
    # Exceptions inside finally after a cancel replace the CancelledError.
    async def replaces():
        try:
            await asyncio.sleep(10)
        finally:
            raise KeyboardInterrupt if False else OSError("cleanup failed")
    t = asyncio.create_task(replaces())
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except OSError as e:
        print("cleanup error wins", en(e), "cancelled()", t.cancelled())
    # Queue join with several joiners: all wake when the count reaches zero.
    q = asyncio.Queue()
    q.put_nowait("job")
    woke = []
    async def joiner(n):
        await q.join()
        woke.append(n)
    js = [asyncio.create_task(joiner(i)) for i in range(3)]
    await asyncio.sleep(0)
    q.get_nowait()
    print("before task_done", woke)
    q.task_done()
    await asyncio.gather(*js)
    print("after task_done", woke)


asyncio.run(main())
