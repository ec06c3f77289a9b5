import asyncio
import re
from _util import en


def attempt(label, fn):
    try:
        print(label, "->", fn())
    except Exception as e:
        # tsyncio's messages name its own methods (callSoon() for call_soon()): the name is left out.
        print(label, "raises", re.sub(r"\w+\(\)", "METHOD()", en(e)))


async def coro_fn():
    pass


def main():
    loop = asyncio.new_event_loop()
    print("debug", loop.get_debug(), "slow", loop.slow_callback_duration, "running", loop.is_running())
    loop.set_debug(True)
    print("debug now", loop.get_debug())
    t1 = loop.time()
    t2 = loop.time()
    print("time monotonic", t2 >= t1, type(t1).__name__)
    # Debug mode checks the callbacks (CPython checks them only then).
    attempt("call_soon non-callable", lambda: loop.call_soon(42))
    attempt("call_soon coroutine function", lambda: loop.call_soon(coro_fn))
    c = coro_fn()
    attempt("call_soon coroutine", lambda: loop.call_soon(c))
    c.close()
    attempt("call_later coroutine function", lambda: loop.call_later(1, coro_fn))
    attempt("call_at coroutine function", lambda: loop.call_at(1, coro_fn))
    attempt("call_soon_threadsafe coroutine function", lambda: loop.call_soon_threadsafe(coro_fn))
    loop.set_debug(False)
    attempt("call_later None delay", lambda: loop.call_later(None, print))
    f = loop.create_future()
    print("future loop", f.get_loop() is loop)
    # call_soon_threadsafe shares the ready queue with call_soon.
    order = []
    loop.call_soon(order.append, 1)
    loop.call_soon_threadsafe(order.append, 2)
    loop.call_soon(order.append, 3)
    loop.call_soon(loop.stop)
    loop.run_forever()
    print("order", order)
    # The running loop inside a callback.
    def inside():
        print("inside: running", loop.is_running(), "get_running_loop is loop", asyncio.get_running_loop() is loop)
        loop.stop()
    loop.call_soon(inside)
    loop.run_forever()
    try:
        asyncio.get_running_loop()
    except RuntimeError as e:
        print("outside", en(e))
    attempt("task factory default", loop.get_task_factory)
    attempt("set_task_factory non-callable", lambda: loop.set_task_factory(42))
    loop.close()
    attempt("create_task on closed", lambda: loop.create_task(coro_fn()))
    attempt("call_later on closed", lambda: loop.call_later(1, print))
    attempt("run_until_complete on closed", lambda: loop.run_until_complete(f))


main()
