"""Fixed-window rate limits kept in the database, so they hold across processes.

With LMN_RATELIMIT_CACHE on (production sets it when REDIS_URL is set) the
counters live in the shared cache instead: Redis increments atomically for every
app server, and the database is spared a write per attempt. While the cache is not
answering (lmn_cms/cache.py), the database counts: a limit is never lifted silently.

Used for comments, registrations and other public forms. Keys are already
anonymous (a visitor hash) or keyed hashes made here (email addresses), so the
table holds no personal data in the clear.

Email keys are an HMAC with a key derived from SECRET_KEY for this purpose alone:
a plain hash of an address can be reversed by hashing a list of likely addresses,
a keyed one only with the secret. The digest is the same for every kind of
counter, so erasure (`erase`) finds every counter kept about an address.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from home.privacy.registry import PersonalDataHolder, RetentionRule

_KEY_SALT = "lmn.ratelimit.email"


def email_digest(value):
    """The keyed hash of an (email) address, case and surrounding spaces ignored."""
    normalised = (value or "").strip().lower()
    return salted_hmac(_KEY_SALT, normalised, algorithm="sha256").hexdigest()


def hashed_key(kind, value):
    """A key for `value` (e.g. an email address) that does not store it in the clear."""
    return f"{kind}:{email_digest(value)}"


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
    if in_cache or settings.LMN_RATELIMIT_CACHE:
        start = _window_start(now or timezone.now(), window_seconds)
        count = count_in_cache(f"lmn:ratelimit:{key}:{int(start.timestamp())}", window_seconds + 60)
        if count is not None:
            return count <= limit
    from home.abuse.models import RateLimitCounter

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


def count_in_cache(key, timeout):
    """Add one to the counter `key` in the cache (created for `timeout` seconds) and
    return the new count; None when the cache is not answering.

    Two round trips to Redis whether or not the counter exists yet: `incr` (which
    asks whether the key exists, then increments it) or, for a new counter, that
    question and `add`."""
    try:
        return cache.incr(key)
    except ValueError:  # no such counter yet (or it just expired)
        pass
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)  # another process created it in between
    except ValueError:  # expired again already, or the cache failed
        return None


def purge_expired(older_than=timedelta(days=1), now=None):
    """Delete old windows; returns how many rows went."""
    from home.abuse.models import RateLimitCounter

    cutoff = (now or timezone.now()) - older_than
    return RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()[0]


def _counters_for(email):
    from home.abuse.models import RateLimitCounter

    return RateLimitCounter.objects.filter(key__endswith=":" + email_digest(email))


def export(email):
    """The counters kept about `email` (what they count and when), for subject access."""
    return [
        {"counts": key.rsplit(":", 1)[0], "window_start": start.isoformat(), "attempts": count}
        for key, start, count in _counters_for(email)
        .order_by("window_start", "key")
        .values_list("key", "window_start", "count")
    ]


def erase(email):
    """Delete the database counters kept about `email`; returns how many went.

    Counters kept in the cache (LMN_RATELIMIT_CACHE) are left to expire: they hold
    only the keyed hash, every one of them is gone within a day of its window
    (the longest is a day), and finding them would mean listing the cache's keys.
    """
    return _counters_for(email).delete()[0]


def personal_data():
    return [PersonalDataHolder("rate_limit_counters", export=export, erase=erase)]


def purge_rate_limits(now, dry_run=False):
    """Rate-limit counters are keyed by visitor hashes and hashed email addresses
    (pseudonymous personal data): delete those whose window ended over a day ago."""
    from home.abuse.models import RateLimitCounter

    if dry_run:
        count = RateLimitCounter.objects.filter(window_start__lt=now - timedelta(days=1)).count()
    else:
        count = purge_expired(now=now)
    if not count:
        return []
    verb = "Would delete" if dry_run else "Deleted"
    return [f"{verb} {count} expired rate-limit counter(s)."]


def retention_rules():
    return [RetentionRule("rate_limits", apply=purge_rate_limits)]
