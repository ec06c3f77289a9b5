import asyncio


def main():
    loop = asyncio.new_event_loop()
    log = []

    def cb(name, again=None):
        print("cb", name)
        if again:
            loop.call_soon(cb, again)

    loop.call_soon(cb, "a", "a2")
    loop.call_soon(cb, "b")
    loop.call_later(0, cb, "later0")
    loop.call_soon(cb, "c", "c2")
    loop.call_soon(loop.stop)
    loop.call_soon(cb, "after-stop")
    loop.run_forever()
    print("first run_forever returned")
    loop.call_soon(loop.stop)
    loop.run_forever()
    print("second run_forever returned")
    loop.close()
    print("closed", loop.is_closed())


main()
