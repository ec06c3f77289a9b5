import asyncio


def main():
    loop = asyncio.new_event_loop()
    t0 = loop.time()

    batch = []

    def cb(name):
        print("cb", name)

    # CPython's timer heap orders equal deadlines by heap shape, not by scheduling order (tsyncio keeps
    # them FIFO, a documented difference), so the equal-deadline group is printed as a sorted batch.
    def same(name):
        batch.append(name)

    def after(name):
        print("batch", sorted(batch))
        print("cb", name)

    # call_at and call_later share one clock.
    loop.call_at(t0 + 0.02, same, "at+0.02 #1")
    loop.call_later(0.06, after, "later 0.06")
    loop.call_at(t0 + 0.02, same, "at+0.02 #2")
    loop.call_at(t0 + 0.01, cb, "at+0.01")
    h = loop.call_at(t0 + 0.02, same, "at+0.02 cancelled")
    loop.call_at(t0 + 0.02, same, "at+0.02 #3")
    loop.call_at(t0 - 1, cb, "in the past")
    loop.call_soon(cb, "soon")
    h.cancel()
    print("when is float", type(h.when()) is float, h.when() == t0 + 0.02)
    loop.call_later(0.1, loop.stop)
    loop.run_forever()
    print("stopped")
    # A timer scheduled by a callback with delay 0 runs on a later iteration than call_soon.
    # The timer stops the loop itself: a stop on a timer of its own would come
    # in the first iteration already whenever the process is held up that long.
    def later0(name):
        cb(name)
        loop.stop()
    def first():
        print("first")
        loop.call_later(0, later0, "later0 from first")
        loop.call_soon(cb, "soon from first")
    loop.call_soon(first)
    loop.run_forever()
    loop.close()


main()
