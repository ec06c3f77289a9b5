import asyncio
from _util import en


def attempt(label, fn):
    try:
        r = fn()
        print(label, "->", r)
    except asyncio.InvalidStateError as e:
        # tsyncio's messages are the pure-Python Future's (asyncio/futures.py); CPython runs the C
        # accelerator, whose messages differ ("Result is not set.", "invalid state"): class only.
        print(label, "raises", type(e).__name__)
    except BaseException as e:
        print(label, "raises", en(e))


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    print("pending", f.done(), f.cancelled())
    attempt("result pending", f.result)
    attempt("exception pending", f.exception)
    f.set_result("x")
    attempt("set_result twice", lambda: f.set_result("y"))
    attempt("set_exception after", lambda: f.set_exception(ValueError()))
    attempt("cancel done", f.cancel)
    attempt("exception of result", f.exception)
    g = loop.create_future()
    attempt("StopIteration", lambda: g.set_exception(StopIteration("s")))
    attempt("exception class", lambda: g.set_exception(ValueError))
    attempt("exception() after class", lambda: type(g.exception()).__name__)
    h = loop.create_future()
    h.cancel("the msg")
    attempt("cancelled result", h.result)
    attempt("cancelled exception", h.exception)
    attempt("set_result on cancelled", lambda: h.set_result(1))
    k = loop.create_future()
    k.cancel()
    attempt("cancelled no msg", k.result)
    # Awaiting a cancelled future raises in the awaiting task.
    try:
        await h
    except asyncio.CancelledError as e:
        print("await cancelled", en(e))
    m = loop.create_future()
    loop.call_soon(m.set_exception, ConnectionResetError(104, "reset"))
    try:
        await m
    except ConnectionResetError as e:
        print("await exception", en(e), e.errno)
    print("isfuture", asyncio.isfuture(m), asyncio.isfuture(42))
    print("same loop", m.get_loop() is loop)


asyncio.run(main())
