import asyncio


async def child(n):
    t = asyncio.current_task()
    print("child", n, "name", t.get_name(), "is current", t is asyncio.current_task())
    await asyncio.sleep(0)


async def main():
    me = asyncio.current_task()
    print("main name", me.get_name())
    t1 = asyncio.create_task(child(1))
    t2 = asyncio.create_task(child(2), name="custom")
    t3 = asyncio.get_running_loop().create_task(child(3))
    print("names", t1.get_name(), t2.get_name(), t3.get_name())
    t3.set_name("renamed")
    print("all tasks", len(asyncio.all_tasks()), me in asyncio.all_tasks())
    await asyncio.gather(t1, t2, t3)
    print("all tasks after", len(asyncio.all_tasks()))
    print("current outside task", asyncio.current_task(asyncio.get_running_loop()) is me)
    f = asyncio.ensure_future(child(4))
    print("ensure_future coro", type(f).__name__, f.get_name())
    fut = asyncio.get_running_loop().create_future()
    print("ensure_future future is same", asyncio.ensure_future(fut) is fut)
    fut.set_result(None)
    await f
    print("iscoroutine", asyncio.iscoroutine(child(5)), asyncio.iscoroutine(fut))


asyncio.run(main())
