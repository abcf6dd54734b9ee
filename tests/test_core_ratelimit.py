"""Database-backed rate limits hold across server processes."""

import threading
from datetime import UTC, datetime, timedelta

from django.db import connection

import pytest

from home.abuse import ratelimit
from home.models import RateLimitCounter

pytestmark = pytest.mark.django_db


def test_allows_up_to_the_limit_then_refuses():
    now = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    results = [ratelimit.hit("visitor:abc", 5, 3600, now=now) for _ in range(7)]
    assert results == [True] * 5 + [False] * 2


def test_new_window_starts_afresh():
    now = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    for _ in range(5):
        ratelimit.hit("visitor:abc", 5, 3600, now=now)
    assert ratelimit.hit("visitor:abc", 5, 3600, now=now) is False
    assert ratelimit.hit("visitor:abc", 5, 3600, now=now + timedelta(hours=1)) is True


def test_keys_are_independent():
    now = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    assert ratelimit.hit("a", 1, 3600, now=now)
    assert ratelimit.hit("b", 1, 3600, now=now)
    assert not ratelimit.hit("a", 1, 3600, now=now)


def test_hashed_key_hides_and_normalises_email():
    key = ratelimit.hashed_key("comment-email", " Person@Example.org ")
    assert key == ratelimit.hashed_key("comment-email", "person@example.org")
    assert "example" not in key and "person" not in key


def test_email_keys_are_keyed_hashes_not_a_plain_sha256(settings):
    """Hashing a list of likely addresses must not find whose counter a key is:
    the digest depends on SECRET_KEY."""
    import hashlib

    email = "person@example.org"
    key = ratelimit.hashed_key("comment-email", email)
    assert hashlib.sha256(email.encode()).hexdigest() not in key
    assert hashlib.sha256((settings.SECRET_KEY + email).encode()).hexdigest() not in key
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    assert ratelimit.hashed_key("comment-email", email) != key


def test_every_kind_of_counter_for_one_address_shares_its_digest():
    comment = ratelimit.hashed_key("comment-email", "person@example.org")
    resend = ratelimit.hashed_key("event-resend-7", "Person@example.org")
    assert comment.split(":", 1)[1] == resend.split(":", 1)[1]
    assert comment != resend


def test_purge_removes_old_windows_only():
    now = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    ratelimit.hit("old", 5, 3600, now=now - timedelta(days=2))
    ratelimit.hit("new", 5, 3600, now=now)
    assert ratelimit.purge_expired(now=now) == 1
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_hits_from_separate_connections_are_all_counted():
    """Twenty clients at once, each with its own database connection (as separate
    server processes would have): exactly the limit is let through."""
    now = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    clients, limit = 20, 5
    barrier = threading.Barrier(clients)
    allowed, errors = [], []

    def client():
        try:
            barrier.wait()
            allowed.append(ratelimit.hit("visitor:burst", limit, 3600, now=now))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert RateLimitCounter.objects.get(key="visitor:burst").count == clients
    assert allowed.count(True) == limit
    assert len(allowed) == clients
