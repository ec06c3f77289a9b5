import asyncio
from _util import en


async def main():
    loop = asyncio.get_running_loop()
    # Expiry: the body is cancelled, the block raises TimeoutError.
    try:
        async with asyncio.timeout(0.01) as cm:
            print("when set", cm.when() is not None, "expired", cm.expired())
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as e:
                print("body cancelled", en(e))
                raise
    except TimeoutError as e:
        print("raised", type(e).__name__, "expired", cm.expired(), "cause", type(e.__cause__).__name__)
    # No expiry.
    async with asyncio.timeout(10) as cm:
        await asyncio.sleep(0)
    print("in time, expired", cm.expired())
    # None, then rescheduled to the past: expires at the next await.
    try:
        async with asyncio.timeout(None) as cm:
            print("when None", cm.when())
            cm.reschedule(loop.time() - 1)
            print("rescheduled, expired yet", cm.expired())
            await asyncio.sleep(0)
            print("not reached")
    except TimeoutError:
        print("rescheduled timeout fired", cm.expired())
    # Reschedule to None: never expires.
    async with asyncio.timeout(0.01) as cm:
        cm.reschedule(None)
        await asyncio.sleep(0.02)
    print("rescheduled to None, expired", cm.expired(), cm.when())
    # timeout_at with a deadline in the past.
    try:
        async with asyncio.timeout_at(loop.time() - 1):
            await asyncio.sleep(0)
    except TimeoutError:
        print("timeout_at past fired")
    # The body raises something else: it propagates, no TimeoutError.
    try:
        async with asyncio.timeout(10):
            raise ValueError("body")
    except ValueError as e:
        print("body exception", en(e))
    # Nested: the inner one fires first; the outer one is untouched.
    async with asyncio.timeout(10) as outer:
        try:
            async with asyncio.timeout(0.01) as inner:
                await asyncio.sleep(10)
        except TimeoutError:
            print("inner fired", inner.expired(), "outer expired", outer.expired())
    # The outer fires while the inner is still pending.
    try:
        async with asyncio.timeout(0.01) as outer:
            async with asyncio.timeout(10) as inner:
                await asyncio.sleep(10)
    except TimeoutError:
        print("outer fired", outer.expired(), "inner expired", inner.expired())
    # An outside cancel during a timeout block stays a CancelledError.
    async def body():
        async with asyncio.timeout(10):
            await asyncio.sleep(10)
    t = asyncio.create_task(body())
    await asyncio.sleep(0)
    t.cancel("from outside")
    try:
        await t
    except asyncio.CancelledError as e:
        print("outside cancel", en(e))
    # Misuse.
    cm = asyncio.timeout(1)
    async with cm:
        pass
    try:
        cm.reschedule(1)
    except RuntimeError as e:
        print("reschedule after exit", en(e))
    try:
        async with cm:
            pass
    except RuntimeError as e:
        print("re-enter", en(e))
    print("repr", repr(asyncio.timeout(None)))


asyncio.run(main())
