import asyncio
from _util import en, keys, msg

# run() cancels the leftover tasks in all_tasks() order, a set's order in CPython: so each task's events
# are kept apart and printed per task, with the step (iteration) each happened in.
events = {}
step = [0]


def note(name, what):
    events.setdefault(name, []).append(f"{what} @step{step[0]}")


def tick(loop):
    step[0] += 1
    loop.call_soon(tick, loop)


async def background(name, catch=False, raise_after=None):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        note(name, f"cancelled {en(e)}")
        if raise_after:
            raise raise_after
        if not catch:
            raise
        return "ignored"
    finally:
        note(name, "finally")
        await asyncio.sleep(0)
        note(name, "finally after await")


async def main():
    loop = asyncio.get_running_loop()

    def handler(lp, ctx):
        print("handler:", keys(ctx), msg(ctx), en(ctx["exception"]) if "exception" in ctx else "-")

    loop.set_exception_handler(handler)
    loop.call_soon(tick, loop)
    asyncio.create_task(background("b1"), name="b1")
    asyncio.create_task(background("b2", catch=True), name="b2")
    asyncio.create_task(background("b3", raise_after=ValueError("in cleanup")), name="b3")
    await asyncio.sleep(0)
    print("main returns")
    return "main result"


print("run ->", asyncio.run(main()))
for name in sorted(events):
    print(name, events[name])
# asyncio.run inside a running loop is refused.


async def nested():
    coro = asyncio.sleep(0)
    try:
        asyncio.run(coro)
    except RuntimeError as e:
        print("nested run", en(e))
        coro.close()


asyncio.run(nested())
# The main coroutine raises: the exception comes out of run().
async def failing():
    raise KeyboardInterrupt if False else ValueError("main failed")
try:
    asyncio.run(failing())
except ValueError as e:
    print("run raised", en(e))
# Runner: two runs on one loop share it.
with asyncio.Runner() as runner:
    async def get_loop():
        return id(asyncio.get_running_loop())
    print("same loop", runner.run(get_loop()) == runner.run(get_loop()))
try:
    asyncio.run(42)
except ValueError as e:
    print("not a coroutine", en(e))
