import asyncio


async def leaf(name, n):
    for i in range(n):
        print(name, "leaf step", i)
        await asyncio.sleep(0)
    return f"{name}-leaf"


async def middle(name):
    print(name, "middle start")
    r = await leaf(name, 2)
    print(name, "middle got", r)
    fut = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(fut.set_result, f"{name}-fut")
    r2 = await fut
    print(name, "middle got", r2)
    return r + "+" + r2


async def worker(name):
    print(name, "worker start")
    r = await middle(name)
    print(name, "worker done", r)
    return r


async def main():
    loop = asyncio.get_running_loop()
    t1 = asyncio.create_task(worker("A"))
    t2 = asyncio.create_task(worker("B"))
    loop.call_soon(print, "callback queued after both tasks")
    print("main before await")
    print("main got", await t1, t2.done())
    print("main got", await t2)
    # A task awaiting a task: woken one iteration after the inner task finishes.
    async def inner():
        await asyncio.sleep(0)
        print("inner returns")
        return 1
    async def outer():
        t = asyncio.create_task(inner())
        loop.call_soon(print, "soon after create")
        r = await t
        print("outer resumes", r)
    ot = asyncio.create_task(outer())
    for i in range(4):
        print("main tick", i)
        await asyncio.sleep(0)
    await ot


asyncio.run(main())
