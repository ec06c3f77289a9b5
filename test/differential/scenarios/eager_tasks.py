import asyncio


async def quick(name):
    print(name, "runs; current is me:", asyncio.current_task().get_name() == name)
    return name


async def suspends(name):
    print(name, "first step")
    await asyncio.sleep(0)
    print(name, "second step")
    return name


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    print("factory set", loop.get_task_factory() is asyncio.eager_task_factory)
    print("before create")
    t = asyncio.create_task(quick("Q"), name="Q")
    print("after create: done", t.done(), "result", t.result() if t.done() else None)
    print("in all_tasks", t in asyncio.all_tasks())
    t2 = loop.create_task(suspends("S"), name="S")
    print("after create S: done", t2.done(), "in all_tasks", t2 in asyncio.all_tasks())
    loop.call_soon(print, "callback scheduled after S")
    print("S result", await t2)
    # A failing eager task.
    async def fails():
        raise ValueError("eager failure")
    t3 = asyncio.create_task(fails())
    print("failed eagerly", t3.done(), type(t3.exception()).__name__)
    # current_task() in main is restored after an eager step.
    print("main is current", asyncio.current_task().get_name())
    # Eager tasks inside gather and a TaskGroup.
    order = []
    async def rec(n):
        order.append(f"start {n}")
        await asyncio.sleep(0)
        order.append(f"end {n}")
        return n
    async with asyncio.TaskGroup() as tg:
        for i in range(3):
            tg.create_task(rec(i))
        order.append("body done")
    print("order", order)
    loop.set_task_factory(None)
    t4 = asyncio.create_task(quick("lazy"), name="lazy")
    print("lazy done right away", t4.done())
    await t4


asyncio.run(main())
