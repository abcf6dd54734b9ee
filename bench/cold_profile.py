"""Cold renders in-process, for quick iteration on the render's cost (not part of
`make bench`): N requests per page through Django's WSGI handler (every middleware,
no test client), with the settings' caches (bench.settings_cold: DummyCache).

    DJANGO_SETTINGS_MODULE=bench.settings_cold python bench/cold_profile.py [-n 40] [page ...]
    ... --profile post        # cProfile of the post's renders, top 40 by cumulative time

Prints, per page: process CPU ms a request (median of 5 rounds) and SQL queries.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_cold")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.client import RequestFactory  # noqa: E402

from stack import PAGES  # noqa: E402
from targets import targets  # noqa: E402

HANDLER = WSGIHandler()
FACTORY = RequestFactory(HTTP_HOST="127.0.0.1")


def get(url):
    environ = FACTORY._base_environ(PATH_INFO=url, REQUEST_METHOD="GET")
    statuses = []
    body = HANDLER(environ, lambda status, headers, exc_info=None: statuses.append(status))
    size = sum(len(chunk) for chunk in body)
    body.close()
    return statuses[0], size


def _count(queries, execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)


def cpu_ms(url, n):
    start = time.process_time()
    for _ in range(n):
        get(url)
    return (time.process_time() - start) * 1000 / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("pages", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    urls = targets()
    for name in args.pages:
        url = urls[name]
        for _ in range(5):
            status, size = get(url)
        queries = []
        with connection.execute_wrapper(partial(_count, queries)):
            get(url)
        if args.sql:
            print("\n".join(q[q.find(" FROM ") :][:400] for q in queries))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                get(url)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
            print(out.getvalue())
            continue
        rounds = [cpu_ms(url, args.n) for _ in range(args.rounds)]
        print(
            f"{name:13} {status[:3]} {size:7d} bytes {len(queries):3d} queries "
            f"{statistics.median(rounds):6.1f} ms CPU (min {min(rounds):.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
