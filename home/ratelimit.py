"""Fixed-window rate limits kept in the database, so they hold across processes.

With LMN_RATELIMIT_CACHE on (production sets it when REDIS_URL is set) the
counters live in the shared cache instead: Redis increments atomically for every
app server, and the database is spared a write per attempt.

Used for comments, registrations and other public forms. Keys are already
anonymous (a visitor hash) or hashed here (email addresses), so the table
holds no personal data in the clear.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .caching import count_up


def hashed_key(kind, value):
    """A key for `value` (e.g. an email address) that does not store it in the clear."""
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()
    return f"{kind}:{digest}"


def _window_start(now, window_seconds):
    epoch = int(now.timestamp())
    return now - timedelta(seconds=epoch % window_seconds, microseconds=now.microsecond)


def hit(key, limit, window_seconds=3600, now=None, in_cache=False):
    """Record one attempt for `key`; True when it is within `limit` for this window.

    One upsert statement creates or increments the counter and returns the new
    count, so concurrent requests from several server processes each see their
    own position: exactly `limit` attempts are let through, never more or fewer.
    `in_cache=True` keeps the counter in the cache whatever the setting says: for
    hot, cheap endpoints (the view beacon) where a database write per request
    would cost more than the limit is worth.
    """
    if in_cache or getattr(settings, "LMN_RATELIMIT_CACHE", False):
        return _hit_cache(key, limit, window_seconds, now)
    from .models import RateLimitCounter

    now = now or timezone.now()
    start = _window_start(now, window_seconds)
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    # PostgreSQL and SQLite (3.35+) both support INSERT ... ON CONFLICT ... RETURNING.
    sql = (
        f"INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, start])
        (count,) = cursor.fetchone()
    return count <= limit


def _hit_cache(key, limit, window_seconds, now=None):
    """`hit` with the counter in the cache, counted atomically (in Redis, across
    every app server) and created for the window on first use."""
    start = _window_start(now or timezone.now(), window_seconds)
    cache_key = f"lmn:ratelimit:{key}:{int(start.timestamp())}"
    return count_up(cache_key, window_seconds + 60) <= limit


def purge_expired(older_than=timedelta(days=1), now=None):
    """Delete old windows; returns how many rows went."""
    from .models import RateLimitCounter

    cutoff = (now or timezone.now()) - older_than
    return RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()[0]
