import asyncio
from _util import en


async def work(name, steps):
    try:
        for _ in range(steps):
            await asyncio.sleep(0)
        print(name, "finished")
        return name
    except asyncio.CancelledError as e:
        print(name, "cancelled", en(e))
        raise


async def main():
    inner = asyncio.ensure_future(work("inner", 3))
    outer = asyncio.shield(inner)
    await asyncio.sleep(0)
    print("outer is inner", outer is inner)
    outer.cancel("outer msg")
    try:
        await outer
    except asyncio.CancelledError as e:
        print("outer cancelled", en(e), "inner done", inner.done())
    print("inner result", await inner)

    # A task awaiting shield() is cancelled; the shielded work goes on.
    inner = asyncio.ensure_future(work("inner2", 3))
    async def waiter():
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError as e:
            print("waiter cancelled", en(e))
            raise
    w = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    w.cancel("w msg")
    try:
        await w
    except asyncio.CancelledError:
        print("waiter done", w.cancelled(), "inner done", inner.done())
    await inner
    # Cancelling the inner future cancels the outer.
    inner = asyncio.ensure_future(work("inner3", 5))
    outer = asyncio.shield(inner)
    await asyncio.sleep(0)
    inner.cancel("inner msg")
    try:
        await outer
    except asyncio.CancelledError as e:
        print("outer after inner cancel", en(e), outer.cancelled())
    # Inner failure propagates through shield.
    async def fails():
        await asyncio.sleep(0)
        raise ValueError("shielded failure")
    try:
        await asyncio.shield(fails())
    except ValueError as e:
        print("shield raised", en(e))
    # An already-done future is returned as is.
    f = asyncio.get_running_loop().create_future()
    f.set_result(1)
    print("done future returned as is", asyncio.shield(f) is f)


asyncio.run(main())
