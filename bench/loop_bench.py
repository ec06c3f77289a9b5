# The loop-core workloads of bench/core.ts, for CPython's asyncio and uvloop.
# Usage: python3 loop_bench.py asyncio|uvloop  -> one JSON object of rates on stdout.
import asyncio, json, random, sys, time

def timed(fn, repeat=3):
    best = None
    for _ in range(repeat):
        t = fn()
        best = t if best is None or t < best else best
    return best

def new_loop(kind):
    if kind == "uvloop":
        import uvloop
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()

def fanout(kind, chains=1000, per=1000):
    loop = new_loop(kind)
    left = [chains]
    def step(n):
        if n > 1:
            loop.call_soon(step, n - 1)
        else:
            left[0] -= 1
            if left[0] == 0:
                loop.stop()
    for _ in range(chains):
        loop.call_soon(step, per)
    t0 = time.perf_counter(); loop.run_forever(); dt = time.perf_counter() - t0
    loop.close()
    return dt

def chain(kind, n=1_000_000):
    loop = new_loop(kind)
    def step(k):
        if k > 1:
            loop.call_soon(step, k - 1)
        else:
            loop.stop()
    loop.call_soon(step, n)
    t0 = time.perf_counter(); loop.run_forever(); dt = time.perf_counter() - t0
    loop.close()
    return dt

def timers(kind, n=100_000):
    loop = new_loop(kind)
    rnd = random.Random(1)
    fired = [0]
    expected = n - n // 2
    def cb():
        fired[0] += 1
        if fired[0] == expected:
            loop.stop()
    t0 = time.perf_counter()
    hs = [loop.call_later(rnd.random() * 0.05, cb) for _ in range(n)]
    for h in hs[1::2]:
        h.cancel()
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    return dt

def tasks_sleep0(kind, ntasks=1000, per=1000):
    async def worker():
        for _ in range(per):
            await asyncio.sleep(0)
    async def main():
        await asyncio.gather(*[worker() for _ in range(ntasks)])
    loop = new_loop(kind)
    t0 = time.perf_counter(); loop.run_until_complete(main()); dt = time.perf_counter() - t0
    loop.close()
    return dt

def future_await(kind, n=200_000):
    async def main():
        loop = asyncio.get_running_loop()
        for i in range(n):
            f = loop.create_future()
            loop.call_soon(f.set_result, i)
            await f
    loop = new_loop(kind)
    t0 = time.perf_counter(); loop.run_until_complete(main()); dt = time.perf_counter() - t0
    loop.close()
    return dt

def main():
    kind = sys.argv[1]
    out = {
        "callSoon fan-out (1000 chains x 1000)": 1_000_000 / timed(lambda: fanout(kind)),
        "one chain x 1M callSoon": 1_000_000 / timed(lambda: chain(kind)),
        "100k callLater, half cancelled": 100_000 / timed(lambda: timers(kind)),
        "1000 tasks x 1000 sleep(0)": 1_000_000 / timed(lambda: tasks_sleep0(kind)),
        "one task x 1M sleep(0)": 1_000_000 / timed(lambda: tasks_sleep0(kind, 1, 1_000_000), 1),
        "future create/resolve/await": 200_000 / timed(lambda: future_await(kind)),
    }
    print(json.dumps(out))

main()
