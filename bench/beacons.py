"""View beacons alone, at a fixed arrival rate, with a timeline of the slowest answers
(not part of `make bench`; for finding where a beacon's tail comes from).

    .venv/bin/python bench/beacons.py [--rate 300] [--seconds 30] [--runs 3]

It starts the bench's stack (PostgreSQL, Redis, two gunicorn instances of 3 sync
workers behind nginx) on the demo content, sends beacons at a third of the rate
(run 0), then `--runs` runs at the rate, each beacon from a new reader, as
`make bench` does. Per run it prints p50, p99, the slowest answer, the app CPU per
beacon, and the slowest answer in each half second: a queue that builds up shows as
a climb over several seconds, a single stall as one high value.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402
from stack import Stack, ensure_packages, free_port, get  # noqa: E402


def beacons(origin, post_id, token, run_id, count):
    body = json.dumps({"page": post_id, "token": token})
    requests = []
    for i in range(count):
        headers = run.post_headers(origin, run.client_address(3, run_id, i), f"b{run_id}x{i}")
        headers["Content-Type"] = "text/plain;charset=UTF-8"
        requests.append(("POST", "/blog/_count-view/", headers, body))
    return requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=run.BEACON_RATE)
    parser.add_argument("--seconds", type=int, default=run.POST_SECONDS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_packages()
    stack = Stack()
    stack.start_postgres()
    stack.start_redis()
    env = stack.load_demo("lmn_demo")
    t = run.targets(stack, "lmn_demo", "--prepare")
    ports = {name: free_port() for name in ("a", "b", "nginx")}
    stack.start_gunicorn("a", ports["a"], env, workers=run.WORKERS)
    stack.start_gunicorn("b", ports["b"], env, workers=run.WORKERS)
    stack.start_nginx(ports["nginx"], [ports["a"], ports["b"]])
    origin = f"http://127.0.0.1:{ports['nginx']}"
    assert get(origin + t["post"])[0] == 200
    for run_id in range(args.runs + 1):
        # Run 0 warms every worker at a third of the rate and is shown too: what
        # happens on a freshly started stack is part of the picture.
        rate = args.rate if run_id else max(1, args.rate // 3)
        requests = beacons(origin, t["post_id"], t["beacon_token"], run_id, rate * args.seconds)
        results, figures = run.open_loop(stack, ports["nginx"], requests, rate, (204,))
        print(
            f"run {run_id}: {figures['requests']} beacons at {rate}/s, "
            f"{figures['errors']} errors, p50 {figures['p50_ms']:.1f} ms, "
            f"p99 {figures['p99_ms']:.1f} ms, slowest {figures['max_ms']:.1f} ms, "
            f"app CPU {figures['cpu_ms']:.2f} ms a beacon",
            flush=True,
        )
        worst = run.slowest_per_window(results, max(1, rate // 2))
        print("  slowest per half second (ms):", " ".join(f"{w:.0f}" for w in worst))
        time.sleep(2)


if __name__ == "__main__":
    main()
