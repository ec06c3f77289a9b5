import asyncio
from _util import en


async def main():
    cond = asyncio.Condition()
    log = []
    state = {"n": 0}

    async def consumer(i):
        async with cond:
            log.append(f"c{i} waits")
            await cond.wait()
            log.append(f"c{i} woke n={state['n']}")

    cs = [asyncio.create_task(consumer(i)) for i in range(4)]
    await asyncio.sleep(0)
    async with cond:
        state["n"] = 1
        cond.notify(1)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    async with cond:
        state["n"] = 2
        cond.notify(2)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    async with cond:
        state["n"] = 3
        cond.notify_all()
    await asyncio.gather(*cs)
    print("condition", log)
    try:
        cond.notify()
    except RuntimeError as e:
        print("notify unlocked", en(e))

    async def pred_waiter():
        async with cond:
            r = await cond.wait_for(lambda: state["n"] >= 5)
            print("wait_for returned", r, state["n"])
    t = asyncio.create_task(pred_waiter())
    for v in (4, 5):
        await asyncio.sleep(0)
        async with cond:
            state["n"] = v
            print("notify with n =", v)
            cond.notify_all()
    await t

    sem = asyncio.Semaphore(2)
    slog = []

    async def worker(i):
        async with sem:
            slog.append(f"in {i}")
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            slog.append(f"out {i}")

    await asyncio.gather(*(worker(i) for i in range(5)))
    print("semaphore", slog)
    print("locked", sem.locked())
    sem.release()
    print("released extra, value now allows 3:", repr(sem).split("[")[1])
    b = asyncio.BoundedSemaphore(1)
    await b.acquire()
    b.release()
    try:
        b.release()
    except ValueError as e:
        print("bounded", en(e))
    try:
        asyncio.Semaphore(-1)
    except ValueError as e:
        print("negative", en(e))


asyncio.run(main())
