"""Benchmark only: the production settings with every cache replaced by Django's
DummyCache, for the "cold render" figures of `make bench` (bench/run.py passes
DJANGO_SETTINGS_MODULE=bench.settings_cold to one gunicorn instance and to
bench/targets.py). Nothing in the app reads this module; the app's own code is
the same as in production, only the cache backends differ.
"""

from lmn_cms.settings.production import *  # noqa: F403
from lmn_cms.settings.production import CACHES as _PRODUCTION_CACHES

# Every alias production defines (whatever they are), each answering "not cached".
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    for alias in _PRODUCTION_CACHES
}
# Rate-limit counters cannot live in a cache that keeps nothing.
LMN_RATELIMIT_CACHE = False
