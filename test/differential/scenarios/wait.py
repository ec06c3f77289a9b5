import asyncio
from _util import en


async def job(name, steps, fail=False):
    for _ in range(steps):
        await asyncio.sleep(0)
    if fail:
        raise ValueError(name)
    return name


def names(tasks):
    return sorted(t.get_name() for t in tasks)


async def main():
    def mk():
        return [asyncio.create_task(job("a", 1), name="a"),
                asyncio.create_task(job("b", 3, fail=True), name="b"),
                asyncio.create_task(job("c", 5), name="c")]
    ts = mk()
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("FIRST_COMPLETED", names(done), names(pending))
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("FIRST_EXCEPTION", names(done), names(pending))
    done, pending = await asyncio.wait(ts)
    print("ALL_COMPLETED", names(done), names(pending))
    print("b exception", en(ts[1].exception()))
    # FIRST_EXCEPTION with no exception waits for all.
    ts = [asyncio.create_task(job("d", 1), name="d"), asyncio.create_task(job("e", 2), name="e")]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("FIRST_EXCEPTION none failing", names(done), names(pending))
    # Timeout: pending tasks are not cancelled.
    slow = asyncio.create_task(asyncio.sleep(10), name="slow")
    done, pending = await asyncio.wait([slow], timeout=0.01)
    print("timeout", names(done), names(pending), "cancelled", slow.cancelled())
    slow.cancel()
    # Already-done futures return at once.
    f = asyncio.get_running_loop().create_future()
    f.set_result(1)
    done, pending = await asyncio.wait([f], return_when=asyncio.FIRST_COMPLETED)
    print("already done", len(done), len(pending))
    for bad, label in [([], "empty"), ([f], "bad return_when")]:
        try:
            if label == "empty":
                await asyncio.wait(bad)
            else:
                await asyncio.wait(bad, return_when="SOMETIMES")
        except ValueError as e:
            print(label, en(e))
    try:
        await asyncio.wait([job("x", 0)])
    except TypeError as e:
        print("coroutine", type(e).__name__, str(e).startswith("Passing coroutines is forbidden"))


asyncio.run(main())
