import asyncio
from _util import en


async def at_sleep():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        print("sleep: cancelled", en(e))
        raise
    finally:
        print("sleep: finally")


async def at_future(fut):
    try:
        await fut
    except asyncio.CancelledError as e:
        print("future: cancelled", en(e), "fut.cancelled =", fut.cancelled())
        raise


async def deep():
    try:
        await asyncio.sleep(10)
    finally:
        print("deep: finally (innermost)")


async def at_nested():
    try:
        await deep()
    finally:
        print("nested: finally (outer)")


async def at_task(inner):
    try:
        await inner
    except asyncio.CancelledError as e:
        print("task: cancelled", en(e), "inner.cancelled =", inner.cancelled())
        raise


async def cleanup_awaits():
    try:
        await asyncio.sleep(10)
    finally:
        print("cleanup: finally starts")
        await asyncio.sleep(0)
        print("cleanup: finally awaited")


async def main():
    loop = asyncio.get_running_loop()
    for name, coro in [("sleep", at_sleep()), ("nested", at_nested()), ("cleanup", cleanup_awaits())]:
        t = asyncio.create_task(coro)
        await asyncio.sleep(0)
        print(name, "cancel ->", t.cancel(f"msg-{name}"))
        try:
            await t
        except asyncio.CancelledError as e:
            print(name, "outer sees", en(e), t.cancelled())
    fut = loop.create_future()
    t = asyncio.create_task(at_future(fut))
    await asyncio.sleep(0)
    t.cancel("msg-future")
    try:
        await t
    except asyncio.CancelledError as e:
        print("future outer sees", en(e))
    inner = asyncio.create_task(asyncio.sleep(10))
    t = asyncio.create_task(at_task(inner))
    await asyncio.sleep(0)
    t.cancel("msg-task")
    try:
        await t
    except asyncio.CancelledError as e:
        print("task outer sees", en(e))
    # Cancelling the inner task that another task awaits.
    inner = asyncio.create_task(asyncio.sleep(10))
    t = asyncio.create_task(at_task(inner))
    await asyncio.sleep(0)
    inner.cancel("inner-msg")
    try:
        await t
    except asyncio.CancelledError as e:
        print("inner-cancel outer sees", en(e), t.cancelled())
    # Cancel before the first step: the coroutine body never runs.
    async def never():
        print("never printed")
    t = asyncio.create_task(never())
    t.cancel()
    try:
        await t
    except asyncio.CancelledError as e:
        print("cancelled before start", en(e))
    print("cancel done task", t.cancel())
    # Cancel twice before it runs: one CancelledError, the last message wins? the first.
    t = asyncio.create_task(at_sleep())
    await asyncio.sleep(0)
    t.cancel("first")
    t.cancel("second")
    try:
        await t
    except asyncio.CancelledError as e:
        print("double cancel outer sees", en(e))


asyncio.run(main())
