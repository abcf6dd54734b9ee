"""Open-loop load for `make bench`: requests sent at fixed times, whatever the server does.

wrk (closed loop) keeps 20 connections busy, so a slow server is sent less and its
queueing never shows in the latency. Here request i is due at start + i / rate: each
has its own connection (HTTP/1.1, `Connection: close`, as many browsers' one-off
form posts are), none waits for another, and its latency is counted from the time
it was DUE, not from when it happened to go out, so a late generator or a backlog
counts against the server, never for it (no coordinated omission). The same idea as
wrk2, which Debian does not package; this needs only the standard library, so the
bench installs nothing for it, and costs far less CPU per request than a Python HTTP
client library on the 2 cores the server also uses.

`run(port, requests, rate)` sends each (method, path, headers, body) of `requests` at
`rate` a second to 127.0.0.1:port and returns, in the same order, each one's
(status, latency ms, lateness ms); status 0 means no HTTP answer (connection refused,
reset or timed out).
"""

import asyncio
import time

TIMEOUT = 10.0  # seconds: a request without a full answer by then counts as an error


async def _one(port, method, path, headers, body, due, loop):
    await asyncio.sleep(max(0.0, due - loop.time()))
    lateness = loop.time() - due
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    payload = body.encode() if body else b""
    if payload or method == "POST":
        head.append(f"Content-Length: {len(payload)}")
    head += [f"{k}: {v}" for k, v in headers.items()]
    data = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
    status = 0
    writer = None
    try:
        async with asyncio.timeout(TIMEOUT):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data)
            await writer.drain()
            first = await reader.readline()
            await reader.read()  # the rest, until the server closes the connection
            parts = first.split()
            if len(parts) >= 2 and parts[1].isdigit():
                status = int(parts[1])
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        status = 0
    finally:
        if writer is not None:
            writer.close()
    return status, (loop.time() - due) * 1000, lateness * 1000


async def _run(port, requests, rate):
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    return await asyncio.gather(
        *(
            _one(port, method, path, headers, body, start + i / rate, loop)
            for i, (method, path, headers, body) in enumerate(requests)
        )
    )


def run(port, requests, rate):
    started = time.monotonic()
    results = asyncio.run(_run(port, requests, rate))
    return results, time.monotonic() - started


def percentile(values, q):
    """The q-th percentile (0-100) by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def summary(results, seconds, rate, ok=(200,)):
    latencies = [r[1] for r in results]
    statuses = {}
    for status, _, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "rate": rate,
        "requests": len(results),
        "seconds": round(seconds, 1),
        "statuses": statuses,
        "errors": sum(1 for r in results if r[0] not in ok),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=float("nan")),
        "max_lateness_ms": max((r[2] for r in results), default=float("nan")),
    }
