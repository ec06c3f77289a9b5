# The task life-cycle workloads of bench/tasks.ts, for CPython's asyncio and uvloop.
# Usage: python3 tasks_bench.py asyncio|uvloop spawn|cancel|sleeps [n]  -> one JSON object on stdout.
import asyncio, json, resource, sys, time

now = time.perf_counter

def mark():
    return now(), time.process_time()

def since(m, out):
    # CPU time beside wall time: steadier on a shared machine.
    out["seconds"] = now() - m[0]
    out["cpuSeconds"] = time.process_time() - m[1]

def delays(n):
    # The same LCG as bench/tasks.ts: 0-100 ms.
    s, out = 1, []
    for _ in range(n):
        s = (s * 1103515245 + 12345) % 2147483648
        out.append(s / 2147483648 * 0.1)
    return out

async def spawn(n, out):
    async def child(i):
        return i
    tasks = [asyncio.create_task(child(i)) for i in range(n)]
    r = await asyncio.gather(*tasks)
    assert len(r) == n and r[-1] == n - 1

async def cancel(n, out):
    cleaned = 0
    async def child():
        nonlocal cleaned
        try:
            await asyncio.sleep(10)
        finally:
            cleaned += 1
    tasks = [asyncio.create_task(child()) for _ in range(n)]
    await asyncio.sleep(0)
    m = mark()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    since(m, out)
    assert cleaned == n

async def sleeps(n, out):
    armed = 0
    late = 0.0
    t0 = now()
    async def child(d):
        nonlocal armed, late
        armed += 1
        if armed == n:
            out["armedSeconds"] = now() - t0
        start = now()
        await asyncio.sleep(d)
        late = max(late, now() - start - d)
    await asyncio.gather(*[asyncio.create_task(child(d)) for d in delays(n)])
    out["worstLateSeconds"] = late

def main():
    kind, workload = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    if kind == "uvloop":
        import uvloop
        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    else:
        runner = asyncio.Runner()
    out = {}
    fn = {"spawn": spawn, "cancel": cancel, "sleeps": sleeps}[workload]
    m = mark()
    with runner:
        runner.run(fn(n, out))
    if workload == "spawn":
        since(m, out)
    out["maxRssKiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))

main()
