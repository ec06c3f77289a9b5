import asyncio
from _util import en


async def job(name, steps, fail=None):
    try:
        for i in range(steps):
            await asyncio.sleep(0)
        if fail:
            print(name, "fails")
            raise fail
        print(name, "returns")
        return name
    except asyncio.CancelledError as e:
        print(name, "cancelled", en(e))
        raise


async def main():
    r = await asyncio.gather(job("a", 2), job("b", 0), job("c", 1))
    print("results", r)
    print("empty", await asyncio.gather())
    r = await asyncio.gather(job("d", 1, ValueError("d")), job("e", 2), job("f", 0, KeyError),
                             return_exceptions=True)
    print("with exceptions", [en(x) if isinstance(x, BaseException) else x for x in r])
    # First failure propagates; the others keep running.
    g = job("h", 3)
    th = asyncio.ensure_future(g)
    try:
        await asyncio.gather(job("g", 1, RuntimeError("g")), th)
    except RuntimeError as e:
        print("gather raised", en(e), "h done?", th.done())
    await th
    print("h result", th.result())
    # Cancelling the outer gather cancels every child.
    outer = asyncio.gather(job("i", 5), job("j", 5))
    await asyncio.sleep(0)
    print("cancel outer", outer.cancel("stop it"))
    try:
        await outer
    except asyncio.CancelledError as e:
        print("outer cancelled", en(e))
    # A cancelled child makes gather raise CancelledError.
    tk = asyncio.ensure_future(job("k", 5))
    outer = asyncio.gather(tk, job("l", 2))
    await asyncio.sleep(0)
    tk.cancel("child msg")
    try:
        await outer
    except asyncio.CancelledError as e:
        print("child cancelled -> outer", en(e), outer.cancelled())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    # With return_exceptions the cancelled child is a result.
    tm = asyncio.ensure_future(job("m", 5))
    outer = asyncio.gather(tm, job("n", 1), return_exceptions=True)
    await asyncio.sleep(0)
    tm.cancel("m msg")
    r = await outer
    print("return_exceptions with cancel", [en(x) if isinstance(x, BaseException) else x for x in r])
    # The same awaitable twice.
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(5)
    print("same future twice", await asyncio.gather(fut, fut))


asyncio.run(main())
