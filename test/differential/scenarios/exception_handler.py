import asyncio
from _util import en, keys, msg


def bad(x):
    raise ValueError(f"bad {x}")


def good():
    print("good runs after bad")


def doneCb(f):
    raise LookupError("in done callback")


def main():
    loop = asyncio.new_event_loop()
    print("default handler", loop.get_exception_handler())

    def handler(lp, ctx):
        print("handler", lp is loop, keys(ctx), msg(ctx), en(ctx["exception"]) if "exception" in ctx else "-")
        if "handle" in ctx:
            print("  handle type", type(ctx["handle"]).__name__)
        if "future" in ctx:
            print("  future type", type(ctx["future"]).__name__)

    loop.set_exception_handler(handler)
    print("handler set", loop.get_exception_handler() is handler)

    loop.call_soon(bad, 1)
    loop.call_soon(good)
    fut = loop.create_future()

    fut.add_done_callback(doneCb)
    loop.call_soon(fut.set_result, None)
    loop.call_soon(loop.call_exception_handler, {"message": "custom", "answer": 42})
    # Scheduled during the iteration that also schedules the done callback: it can only come after it.
    loop.call_soon(loop.call_later, 0.001, bad, 2)
    loop.call_later(0.1, loop.stop)
    loop.run_forever()
    # A handler that raises: the loop logs and goes on.
    def raising_handler(lp, ctx):
        print("raising handler for", msg(ctx))
        raise RuntimeError("handler failed")
    loop.set_exception_handler(raising_handler)
    loop.call_soon(bad, 3)
    loop.call_soon(good)
    loop.call_soon(loop.stop)
    loop.run_forever()
    loop.set_exception_handler(None)
    print("reset", loop.get_exception_handler())
    try:
        loop.set_exception_handler(42)
    except TypeError as e:
        print("not callable", type(e).__name__)
    loop.close()


main()
