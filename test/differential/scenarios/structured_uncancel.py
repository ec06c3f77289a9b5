import asyncio
from _util import en


async def main():
    me = asyncio.current_task()
    # After a timeout fires and is converted, the task is not left cancelling.
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(10)
    except TimeoutError:
        print("after timeout: cancelling", me.cancelling())
    # A TaskGroup that aborted because of a child leaves the parent uncancelled.
    async def fail():
        await asyncio.sleep(0)
        raise ValueError("child")
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail())
            await asyncio.sleep(10)
    except* ValueError:
        print("after group: cancelling", me.cancelling())
    # wait_for timing out leaves no pending cancellation either.
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.01)
    except TimeoutError:
        print("after wait_for: cancelling", me.cancelling())
    # A real outside cancel during a timeout block wins over the timeout.
    async def both():
        try:
            async with asyncio.timeout(0.01):
                try:
                    await asyncio.sleep(10)
                finally:
                    # Cancelled by the timeout; now also cancelled from outside.
                    asyncio.current_task().cancel("outside too")
                    print("in finally, cancelling", asyncio.current_task().cancelling())
        except TimeoutError:
            print("not expected: TimeoutError")
    t = asyncio.create_task(both())
    try:
        await t
    except asyncio.CancelledError as e:
        print("outside cancel kept", en(e), t.cancelling())
    # Timeout inside a TaskGroup child: only that child sees TimeoutError.
    async def child_with_timeout():
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(10)
        except TimeoutError:
            return "child timed out"
    async with asyncio.TaskGroup() as tg:
        c = tg.create_task(child_with_timeout())
        d = tg.create_task(asyncio.sleep(0.02, "sibling fine"))
    print(c.result(), d.result())
    # The group's own task cancelled while the group waits: CancelledError, children cancelled first.
    order = []
    async def child(n):
        try:
            await asyncio.sleep(10)
        finally:
            order.append(f"child {n} finally")
    async def parent():
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(child(1))
                tg.create_task(child(2))
        finally:
            order.append("parent finally")
    t = asyncio.create_task(parent())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        order.append(f"parent cancelled, cancelling={t.cancelling()}")
    print(order)


asyncio.run(main())
