import asyncio
import contextvars
from _util import en

var = contextvars.ContextVar("var", default="default")


def cb(name):
    def f(fut):
        print("cb", name, "var =", var.get(), "result =", fut.result())
    return f


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    a, b, c = cb("a"), cb("b"), cb("c")
    fut.add_done_callback(a)
    fut.add_done_callback(b)
    fut.add_done_callback(a)
    fut.add_done_callback(c)
    print("removed a", fut.remove_done_callback(a))
    print("removed a again", fut.remove_done_callback(a))
    ctx = contextvars.copy_context()
    ctx.run(var.set, "in ctx")
    fut.add_done_callback(cb("ctx"), context=ctx)
    var.set("main")
    fut.add_done_callback(cb("d"))
    loop.call_soon(print, "call_soon before set_result")
    fut.set_result(7)
    print("set_result returned; callbacks not yet run")
    loop.call_soon(print, "call_soon after set_result")
    # A callback added to a done future is scheduled with call_soon.
    fut.add_done_callback(cb("late"))
    await asyncio.sleep(0)
    print("after one sleep(0)")
    await asyncio.sleep(0)
    # Cancelled future: callbacks see the cancellation.
    f2 = loop.create_future()

    def on_cancel(f):
        print("cancelled cb", f.cancelled())
        try:
            f.result()
        except asyncio.CancelledError as e:
            print("result raises", en(e))

    f2.add_done_callback(on_cancel)
    print("cancel", f2.cancel("why"))
    print("cancel again", f2.cancel())
    await asyncio.sleep(0)
    # Exception future.
    f3 = loop.create_future()
    f3.add_done_callback(lambda f: print("exc cb", en(f.exception())))
    f3.set_exception(ValueError("nope"))
    await asyncio.sleep(0)
    try:
        f3.result()
    except ValueError as e:
        print("result re-raises", en(e))


asyncio.run(main())
