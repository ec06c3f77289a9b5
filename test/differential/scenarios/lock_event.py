import asyncio
from _util import en


async def main():
    lock = asyncio.Lock()
    order = []

    async def user(n, hold):
        async with lock:
            order.append(f"acquired {n}")
            for _ in range(hold):
                await asyncio.sleep(0)
            order.append(f"released {n}")

    ts = [asyncio.create_task(user(i, 2)) for i in range(4)]
    await asyncio.sleep(0)
    print("locked", lock.locked(), repr(lock).split("[")[1])
    # Cancel a waiter: it never acquires, the next one does.
    ts[2].cancel()
    await asyncio.gather(*ts, return_exceptions=True)
    print("order", order)
    print("locked after", lock.locked())
    try:
        lock.release()
    except RuntimeError as e:
        print("release unlocked", en(e))
    # acquire() returns True.
    print("acquire ->", await lock.acquire())
    lock.release()

    ev = asyncio.Event()
    woke = []

    async def waiter(n):
        r = await ev.wait()
        woke.append((n, r))

    ws = [asyncio.create_task(waiter(i)) for i in range(3)]
    await asyncio.sleep(0)
    print("event set?", ev.is_set(), repr(ev).split("[")[1])
    ev.set()
    print("woke immediately?", woke)
    await asyncio.sleep(0)
    print("woke", woke)
    await asyncio.gather(*ws)
    print("wait on set event ->", await ev.wait())
    ev.clear()
    print("cleared", ev.is_set())
    # set() then clear() before the waiters run: they still wake.
    woke.clear()
    ws = [asyncio.create_task(waiter(i)) for i in range(2)]
    await asyncio.sleep(0)
    ev.set()
    ev.clear()
    await asyncio.gather(*ws)
    print("woke after set+clear", woke)


asyncio.run(main())
