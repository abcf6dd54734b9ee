"""gunicorn settings for the LMN site: `gunicorn -c deploy/gunicorn.conf.py lmn_cms.wsgi`.

Every value can be changed from the environment (see docs/deploy.md). Sync workers
suit this site: nginx buffers slow clients, pages are short CPU-bound renders, and
the only long waits (the event row lock during a registration burst) are short.
"""

import gc
import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# (2 x cores) + 1 is gunicorn's advice for sync workers.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# Requests longer than this are cut off and the worker restarted.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# nginx keeps connections to the app open (upstream keepalive).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle a worker after this many requests (with jitter, so not all at once): a
# guard against slow leaks in any library. 0 turns it off (the benchmark does, to
# measure memory honestly).
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# Load the app once in the master so workers share its memory (copy-on-write).
# Django opens database connections lazily, so none is shared across the fork.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "no")
# X-Forwarded-Proto is believed only from nginx on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No access log here: nginx keeps one without addresses or query strings. Errors go
# to stderr; request bodies and headers are never logged.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "lmn")
# Worker heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn heartbeat only)


def pre_fork(server, worker):
    """Before each worker is forked, move every object the preloaded app made into
    the permanent generation (`gc.freeze()`, as Python's documentation advises for
    servers that fork). A worker's garbage collections then never walk the objects it
    shares with the master. Without it, each worker's first full collection touched
    all of them at once, copying its share of the app's memory page by page: with
    every worker doing so around the same time, a stall of a few hundred
    milliseconds (docs/performance.md, "Fourth pass").
    """
    gc.freeze()
