"""Fixed-window rate limits kept in the database, so they hold across processes.

Used for comments, registrations and other public forms. Keys are already
anonymous (a visitor hash) or hashed here (email addresses), so the table
holds no personal data in the clear.
"""

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone


def hashed_key(kind, value):
    """A key for `value` (e.g. an email address) that does not store it in the clear."""
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()
    return f"{kind}:{digest}"


def _window_start(now, window_seconds):
    epoch = int(now.timestamp())
    return now - timedelta(seconds=epoch % window_seconds, microseconds=now.microsecond)


def hit(key, limit, window_seconds=3600, now=None):
    """Record one attempt for `key`; True when it is within `limit` for this window.

    The counter is created or incremented atomically in the database, so
    concurrent requests from several server processes are all counted.
    """
    from .models import RateLimitCounter

    now = now or timezone.now()
    start = _window_start(now, window_seconds)
    updated = RateLimitCounter.objects.filter(key=key, window_start=start).update(
        count=F("count") + 1
    )
    if not updated:
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(key=key, window_start=start, count=1)
        except IntegrityError:
            RateLimitCounter.objects.filter(key=key, window_start=start).update(
                count=F("count") + 1
            )
    count = RateLimitCounter.objects.get(key=key, window_start=start).count
    return count <= limit


def purge_expired(older_than=timedelta(days=1), now=None):
    """Delete old windows; returns how many rows went."""
    from .models import RateLimitCounter

    cutoff = (now or timezone.now()) - older_than
    return RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()[0]
