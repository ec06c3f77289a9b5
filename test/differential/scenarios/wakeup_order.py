import asyncio


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    log = []

    async def waiter(n):
        log.append(f"wait {n}")
        r = await fut
        log.append(f"woke {n} with {r}")

    ts = [asyncio.create_task(waiter(i)) for i in range(3)]
    await asyncio.sleep(0)
    fut.add_done_callback(lambda f: log.append("plain callback"))
    loop.call_soon(log.append, "call_soon before result")
    fut.set_result("R")
    loop.call_soon(log.append, "call_soon after result")
    await asyncio.gather(*ts)
    print(log)
    # sleep() ordering by deadline, whatever the creation order. The delays are computed from one base
    # time, so that a busy machine pausing the process between two tasks cannot reorder the deadlines.
    order = []
    t0 = loop.time()

    async def sleeper(d, name):
        # A positive delay stays a real timer (at least 1 ms) even if the machine stalled past its deadline.
        await asyncio.sleep(d if d <= 0 else max(t0 + d - loop.time(), 0.001))
        order.append(name)

    await asyncio.gather(sleeper(0.3, "300ms"), sleeper(0.1, "100ms"), sleeper(0, "0"), sleeper(-1, "negative"),
                         sleeper(0.2, "200ms"))
    print("sleep order", order)
    print("sleep result", await asyncio.sleep(0, "r0"), await asyncio.sleep(0.001, result="r1"))
    # sleep(0) yields exactly once: two tasks alternate.
    alt = []

    async def ping(name):
        for i in range(3):
            alt.append(f"{name}{i}")
            await asyncio.sleep(0)

    await asyncio.gather(ping("a"), ping("b"))
    print("alternation", alt)
    # A task that completes without awaiting finishes in its first step.
    async def instant():
        return "instant"
    t = asyncio.create_task(instant())
    print("before step", t.done())
    await asyncio.sleep(0)
    print("after one step", t.done(), t.result())


asyncio.run(main())
