import asyncio
from _util import en


async def swallow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        t = asyncio.current_task()
        print("swallow caught", en(e), "cancelling =", t.cancelling())
    await asyncio.sleep(0)
    print("swallow continues, cancelling =", asyncio.current_task().cancelling())
    return "swallowed"


async def uncancels():
    t = asyncio.current_task()
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("uncancel ->", t.uncancel(), "cancelling =", t.cancelling())
    await asyncio.sleep(0)
    return "uncancelled"


async def main():
    t = asyncio.create_task(swallow())
    await asyncio.sleep(0)
    print("cancel", t.cancel(), "cancelling", t.cancelling())
    print("cancel again", t.cancel(), "cancelling", t.cancelling())
    r = await t
    print("result", r, "cancelled", t.cancelled(), "cancelling", t.cancelling())

    t = asyncio.create_task(uncancels())
    await asyncio.sleep(0)
    t.cancel()
    print("result", await t, "cancelling", t.cancelling())
    print("uncancel at zero", t.uncancel(), t.uncancel())

    # A task that swallows and is then cancelled again while still running.
    async def stubborn():
        n = 0
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as e:
                n += 1
                print("stubborn caught", n, en(e), asyncio.current_task().cancelling())
                if n == 3:
                    raise
    t = asyncio.create_task(stubborn())
    for i in range(3):
        await asyncio.sleep(0)
        t.cancel(f"c{i}")
    try:
        await t
    except asyncio.CancelledError as e:
        print("stubborn ends", en(e), t.cancelling())

    # cancel() of the current task from inside: the next await raises.
    async def self_cancel():
        asyncio.current_task().cancel("self")
        print("still running after self-cancel")
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError as e:
            print("self-cancel raised at await", en(e))
            raise
    t = asyncio.create_task(self_cancel())
    try:
        await t
    except asyncio.CancelledError as e:
        print("self outer", en(e), t.cancelled())

    # Raising CancelledError without cancel(): the task ends cancelled too.
    async def raises_cancelled():
        await asyncio.sleep(0)
        raise asyncio.CancelledError("raised by hand")
    t = asyncio.create_task(raises_cancelled())
    try:
        await t
    except asyncio.CancelledError as e:
        print("by hand", en(e), t.cancelled())


asyncio.run(main())
