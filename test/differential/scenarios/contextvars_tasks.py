import asyncio
import contextvars

request = contextvars.ContextVar("request", default="none")


async def handler(name):
    print(name, "sees", request.get())
    request.set(name)
    await asyncio.sleep(0)
    print(name, "still sees its own", request.get())
    return request.get()


def cb(label):
    print("callback", label, "sees", request.get())


async def main():
    loop = asyncio.get_running_loop()
    request.set("main")
    t1 = asyncio.create_task(handler("t1"))
    request.set("main-2")
    t2 = asyncio.create_task(handler("t2"))
    await asyncio.gather(t1, t2)
    print("main after tasks", request.get())
    # Callbacks capture the context at scheduling time.
    loop.call_soon(cb, "soon")
    request.set("main-3")
    loop.call_later(0, cb, "later")
    ctx = contextvars.Context()
    loop.call_soon(cb, "empty ctx", context=ctx)
    ctx2 = contextvars.copy_context()
    ctx2.run(request.set, "in ctx2")
    loop.call_soon(cb, "ctx2", context=ctx2)
    await asyncio.sleep(0.01)
    # A callback changing a var changes its context only.
    def setter():
        request.set("set in callback")
        print("callback set", request.get())
    loop.call_soon(setter)
    await asyncio.sleep(0)
    print("main still", request.get())
    # A task with an explicit context; the task's changes land in that context.
    tctx = contextvars.copy_context()
    t3 = asyncio.create_task(handler("t3"), context=tctx)
    await t3
    print("explicit ctx after task", tctx[request], "main", request.get())
    # Tokens.
    tok = request.set("temp")
    print("token old value", tok.old_value, "var name", tok.var.name)
    request.reset(tok)
    print("after reset", request.get())
    try:
        request.reset(tok)
    except RuntimeError as e:
        print("reset twice", type(e).__name__)
    # Done callbacks run in the task's context when none is given.
    async def setter_task():
        request.set("inside task")
    t4 = asyncio.create_task(setter_task())
    t4.add_done_callback(lambda t: print("done callback sees", request.get()))
    await t4
    await asyncio.sleep(0)
    nv = contextvars.ContextVar("nodefault")
    try:
        nv.get()
    except LookupError as e:
        # tsyncio raises KeyError (a LookupError in Python); CPython raises LookupError itself.
        print("no default raises a LookupError", isinstance(e, LookupError))
    print("get with default", nv.get("dflt"))


asyncio.run(main())
