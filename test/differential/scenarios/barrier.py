import asyncio
from _util import en


async def main():
    b = asyncio.Barrier(3)
    log = []

    async def party(i):
        log.append(f"arrive {i}")
        idx = await b.wait()
        log.append(f"pass {i} index {idx}")

    await asyncio.gather(*(party(i) for i in range(3)))
    print("round 1", log)
    print("parties", b.parties, "n_waiting", b.n_waiting, "broken", b.broken)
    log.clear()
    await asyncio.gather(*(party(i) for i in range(6)))
    print("rounds 2-3", log)
    # abort() breaks the barrier for the waiters.
    ts = [asyncio.create_task(party(i)) for i in range(2)]
    await asyncio.sleep(0)
    print("waiting", b.n_waiting)
    await b.abort()
    for t in ts:
        try:
            await t
        except asyncio.BrokenBarrierError as e:
            print("broken waiter", type(e).__name__)
    print("broken", b.broken)
    try:
        await b.wait()
    except asyncio.BrokenBarrierError:
        print("wait on broken raises")
    await b.reset()
    print("after reset broken", b.broken)
    # reset() while parties wait: they get BrokenBarrierError.
    ts = [asyncio.create_task(party(i)) for i in range(2)]
    await asyncio.sleep(0)
    await b.reset()
    r = await asyncio.gather(*ts, return_exceptions=True)
    print("reset waiters", [type(x).__name__ for x in r], "broken", b.broken)
    try:
        asyncio.Barrier(0)
    except ValueError as e:
        print("zero parties", en(e))


asyncio.run(main())
