import asyncio


async def main():
    # Lock: a waiter cancelled right after being woken passes the lock on.
    lock = asyncio.Lock()
    log = []
    await lock.acquire()

    async def taker(n):
        try:
            async with lock:
                log.append(f"lock {n} acquired")
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            log.append(f"lock {n} cancelled")
            raise

    ts = [asyncio.create_task(taker(i)) for i in range(3)]
    await asyncio.sleep(0)
    lock.release()
    ts[0].cancel()
    await asyncio.gather(*ts, return_exceptions=True)
    print("lock", log, lock.locked())

    # Semaphore: a cancelled waiter does not consume a slot; FIFO among the rest.
    sem = asyncio.Semaphore(0)
    log = []

    async def acq(n):
        try:
            await sem.acquire()
            log.append(f"sem {n} acquired")
        except asyncio.CancelledError:
            log.append(f"sem {n} cancelled")
            raise

    ts = [asyncio.create_task(acq(i)) for i in range(4)]
    await asyncio.sleep(0)
    sem.release()
    sem.release()
    ts[0].cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("sem", log, "locked", sem.locked())
    sem.release()
    sem.release()
    await asyncio.gather(*ts, return_exceptions=True)
    print("sem", log, "locked", sem.locked())

    # Queue: a cancelled putter on a full queue is skipped; a get wakes the next putter.
    q = asyncio.Queue(1)
    q.put_nowait("first")
    log = []

    async def putter(n):
        try:
            await q.put(n)
            log.append(f"put {n}")
        except asyncio.CancelledError:
            log.append(f"put {n} cancelled")
            raise

    ts = [asyncio.create_task(putter(i)) for i in range(3)]
    await asyncio.sleep(0)
    ts[0].cancel()
    log.append(f"got {q.get_nowait()}")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    log.append(f"got {q.get_nowait()}")
    await asyncio.gather(*ts, return_exceptions=True)
    log.append(f"got {q.get_nowait()}")
    print("queue", log)

    # Event.wait cancelled; Condition.wait cancelled re-acquires the lock before raising.
    cond = asyncio.Condition()

    async def cwait():
        async with cond:
            try:
                await cond.wait()
            except asyncio.CancelledError:
                print("condition wait cancelled; lock held again:", cond.locked())
                raise

    t = asyncio.create_task(cwait())
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("condition waiter cancelled, lock now", cond.locked())


asyncio.run(main())
