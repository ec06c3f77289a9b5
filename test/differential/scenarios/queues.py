import asyncio
from _util import en


async def main():
    q = asyncio.Queue(maxsize=2)
    log = []

    async def producer():
        for i in range(5):
            log.append(f"put {i} start")
            await q.put(i)
            log.append(f"put {i} done size={q.qsize()}")

    async def consumer():
        for _ in range(5):
            v = await q.get()
            log.append(f"got {v}")
            q.task_done()
            await asyncio.sleep(0)

    await asyncio.gather(producer(), consumer())
    print("bounded queue", log)
    print("empty", q.empty(), "full", q.full(), "maxsize", q.maxsize)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        print("get_nowait", type(e).__name__)
    q.put_nowait("a")
    q.put_nowait("b")
    try:
        q.put_nowait("c")
    except asyncio.QueueFull as e:
        print("put_nowait", type(e).__name__)
    print("get order", q.get_nowait(), q.get_nowait())
    try:
        q.task_done()
        q.task_done()
        q.task_done()
    except ValueError as e:
        print("task_done", en(e))

    # join() waits for every task_done.
    jq = asyncio.Queue()
    for i in range(3):
        jq.put_nowait(i)

    async def joiner():
        await jq.join()
        print("join returned; unfinished none")

    jt = asyncio.create_task(joiner())
    for _ in range(3):
        v = await jq.get()
        print("processing", v)
        await asyncio.sleep(0)
        jq.task_done()
    await jt

    # Getters are served in FIFO order; a cancelled getter is skipped.
    gq = asyncio.Queue()
    got = []

    async def getter(n):
        got.append((n, await gq.get()))

    gs = [asyncio.create_task(getter(i)) for i in range(3)]
    await asyncio.sleep(0)
    gs[0].cancel()
    for v in "xy":
        gq.put_nowait(v)
    await asyncio.gather(*gs, return_exceptions=True)
    print("getters", got)

    pq = asyncio.PriorityQueue()
    for item in [(3, "c"), (1, "a"), (2, "b"), (1, "a0")]:
        pq.put_nowait(item)
    print("priority", [pq.get_nowait() for _ in range(4)])
    lq = asyncio.LifoQueue()
    for item in range(4):
        await lq.put(item)
    print("lifo", [await lq.get() for _ in range(4)])


asyncio.run(main())
