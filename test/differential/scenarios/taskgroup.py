import asyncio
from _util import en


async def child(name, steps, fail=None):
    try:
        for _ in range(steps):
            await asyncio.sleep(0)
        if fail is not None:
            print(name, "fails")
            raise fail
        print(name, "done")
        return name
    except asyncio.CancelledError as e:
        print(name, "cancelled", en(e))
        raise
    finally:
        print(name, "finally")


def show(eg, indent=""):
    print(indent + type(eg).__name__, repr(str(eg)))
    for e in eg.exceptions:
        if isinstance(e, BaseExceptionGroup):
            show(e, indent + "  ")
        else:
            print(indent + "  -", en(e))


async def main():
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(child("a", 2))
        b = tg.create_task(child("b", 1), name="bee")
        print("body ends", b.get_name())
    print("results", a.result(), b.result())
    # A child failure cancels the siblings and the body.
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("c", 5))
            tg.create_task(child("d", 1, ValueError("d failed")))
            tg.create_task(child("e", 5))
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as e:
                print("body cancelled", en(e))
                raise
    except ExceptionGroup as eg:
        show(eg)
    # Two failures in the same iteration: both in the group, in completion order.
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("f", 1, ValueError("f")))
            tg.create_task(child("g", 1, TypeError("g")))
            tg.create_task(child("h", 3))
    except* ValueError as eg:
        print("except* ValueError")
        show(eg, "  ")
    except* TypeError as eg:
        print("except* TypeError")
        show(eg, "  ")
    # The body raises: the children are cancelled, the body's exception is in the group.
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("i", 5))
            await asyncio.sleep(0)
            raise RuntimeError("body failed")
    except ExceptionGroup as eg:
        show(eg)
    # Nested groups: the inner failure travels out as a nested group.
    try:
        async with asyncio.TaskGroup() as outer:
            outer.create_task(child("j", 5))
            async with asyncio.TaskGroup() as inner:
                inner.create_task(child("k", 1, ValueError("k")))
                inner.create_task(child("l", 5))
    except ExceptionGroup as eg:
        show(eg)
    # Creating a task on a finished group.
    try:
        tg.create_task(child("m", 0))
    except RuntimeError as e:
        print("finished group", type(e).__name__, "is finished" in str(e))
    # The enclosing task is cancelled from outside: CancelledError, not a group.
    async def runner():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("n", 10))
            tg.create_task(child("o", 10))
    t = asyncio.create_task(runner())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    t.cancel("outside")
    try:
        await t
    except asyncio.CancelledError as e:
        print("outside cancel ->", en(e))


asyncio.run(main())
