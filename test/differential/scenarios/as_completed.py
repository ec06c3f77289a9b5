import asyncio
from _util import en


async def main():
    loop = asyncio.get_running_loop()
    futs = [loop.create_future() for _ in range(4)]
    # Completion order: 2, 0, 3 (exception), 1.
    loop.call_soon(futs[2].set_result, "two")
    t0 = loop.time()
    loop.call_at(t0 + 0.01, futs[0].set_result, "zero")
    loop.call_at(t0 + 0.02, futs[3].set_exception, ValueError("three"))
    loop.call_at(t0 + 0.03, futs[1].set_result, "one")
    for i, aw in enumerate(asyncio.as_completed(futs)):
        try:
            print("as_completed", i, await aw)
        except ValueError as e:
            print("as_completed", i, "raised", en(e))
    # Coroutines are wrapped; done ones come first.
    async def after(n, v):
        for _ in range(n):
            await asyncio.sleep(0)
        return v
    done = loop.create_future()
    done.set_result("already")
    order = []
    for aw in asyncio.as_completed([after(3, "c3"), after(1, "c1"), done, after(2, "c2")]):
        order.append(await aw)
    print("order", order)
    # Timeout.
    slow = loop.create_future()
    fast = loop.create_future()
    loop.call_soon(fast.set_result, "fast")
    try:
        for aw in asyncio.as_completed([slow, fast], timeout=0.02):
            print("got", await aw)
    except TimeoutError as e:
        print("timeout", type(e).__name__)
    print("slow cancelled?", slow.cancelled())
    try:
        for aw in asyncio.as_completed(loop.create_future()):
            pass
    except TypeError as e:
        print("future not iterable", type(e).__name__)


asyncio.run(main())
