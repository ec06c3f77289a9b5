import asyncio


def main():
    loop = asyncio.new_event_loop()

    def cb(name):
        print("cb", name)

    h1 = loop.call_soon(cb, "h1")
    h2 = loop.call_soon(cb, "h2")
    t1 = loop.call_later(0.01, cb, "t1")
    t2 = loop.call_later(0.01, cb, "t2")
    print("types", type(h1).__name__, type(t1).__name__)
    h2.cancel()
    print("h2 cancelled", h2.cancelled(), "h1 cancelled", h1.cancelled())
    h2.cancel()

    def canceller():
        print("canceller runs")
        h3.cancel()
        t2.cancel()
        # Cancelling a handle that already ran has no effect.
        h1.cancel()
        print("h1 cancelled after run", h1.cancelled())

    loop.call_soon(canceller)
    h3 = loop.call_soon(cb, "h3")
    loop.call_later(0.02, loop.stop)
    loop.run_forever()
    print("t2 cancelled", t2.cancelled(), "t1 cancelled", t1.cancelled())
    loop.close()


main()
