import asyncio
import re


def clean(r):
    # Source locations and object addresses exist only in Python's reprs; tsyncio cannot name the
    # generator function of a coroutine object (a documented difference), so coro=<...> is blanked.
    r = re.sub(r" (running |done, defined )?at [^ >]+:\d+", "", r)
    r = re.sub(r"<(?:[\w.]+\.)?(\w+) object at 0x\w+ ", r"<\1 ", r)
    r = re.sub(r"<(\w+) at 0x\w+ ", r"<\1 ", r)
    return re.sub(r"coro=<[^>]*>", "coro=<...>", r)


def cb(fut):
    pass


async def child():
    await asyncio.sleep(0)
    return 42


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    print(clean(repr(f)))
    f.add_done_callback(cb)
    print(clean(repr(f)))
    f.set_result([1, "two"])
    print(clean(repr(f)))
    g = loop.create_future()
    g.set_exception(ValueError("bad"))
    print(clean(repr(g)))
    g.exception()
    h = loop.create_future()
    h.cancel()
    print(clean(repr(h)))
    t = asyncio.create_task(child(), name="kid")
    print(clean(repr(t)))
    await t
    print(clean(repr(t)))
    t2 = asyncio.create_task(child(), name="kid2")
    t2.cancel()
    try:
        await t2
    except asyncio.CancelledError:
        pass
    print(clean(repr(t2)))
    lock = asyncio.Lock()
    print(clean(repr(lock)))
    await lock.acquire()
    w = asyncio.create_task(lock.acquire())
    await asyncio.sleep(0)
    print(clean(repr(lock)))
    lock.release()
    await w
    lock.release()
    ev = asyncio.Event()
    print(clean(repr(ev)))
    ev.set()
    print(clean(repr(ev)))
    print(clean(repr(asyncio.Semaphore(3))))
    print(clean(repr(asyncio.BoundedSemaphore(2))))
    print(clean(repr(asyncio.Condition())))
    q = asyncio.Queue(maxsize=5)
    q.put_nowait(1)
    print(clean(repr(q)))
    print(clean(repr(asyncio.Queue())))
    print(clean(repr(asyncio.Barrier(2))))
    async with asyncio.timeout(None) as cm:
        print(clean(repr(cm)))
    print(clean(repr(cm)))
    async with asyncio.TaskGroup() as tg:
        print(clean(repr(tg)))
    print(clean(repr(tg)))
    r = asyncio.StreamReader(limit=10)
    r.feed_data(b"abc")
    print(clean(repr(r)))
    r.feed_eof()
    print(clean(repr(r)))
    print(str(asyncio.CancelledError("m")), repr(asyncio.InvalidStateError("x")))
    print(repr(asyncio.IncompleteReadError(b"ab", 5)))


asyncio.run(main())
