"""Rate-limit counters keyed on an email address are found by subject access and
removed by erasure, whatever the kind of counter; counters about other people and
counters keyed on visitors stay."""

import io
import json

from django.core.management import call_command

import pytest

from home.abuse import ratelimit
from home.models import RateLimitCounter
from tests import test_comments_support as support
from tests.test_comments_support import comment_data, post_url

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
post = support.post

PERSON = "person@example.org"
OTHER = "other@example.org"


def erase(email):
    out = io.StringIO()
    call_command("privacy_erase", email, "--yes", stdout=out)
    return out.getvalue()


def test_erasure_removes_every_counter_kept_about_the_address():
    ratelimit.hit(ratelimit.hashed_key("comment-email", PERSON), 5)
    ratelimit.hit(ratelimit.hashed_key("event-resend-12", " Person@Example.org"), 1, 86400)
    ratelimit.hit(ratelimit.hashed_key("comment-email", OTHER), 5)
    ratelimit.hit("comment-visitor:abc", 5)
    # Only counters exist about the person, and erasure still runs.
    output = erase(PERSON)
    assert "Erased 2 rate limit counters" in output
    keys = set(RateLimitCounter.objects.values_list("key", flat=True))
    assert keys == {ratelimit.hashed_key("comment-email", OTHER), "comment-visitor:abc"}
    assert "Nothing is held" in erase(PERSON)


def test_a_comment_leaves_a_counter_that_erasure_removes(client, post):
    assert client.post(post_url(post), comment_data(email=PERSON)).status_code == 302
    digest = ratelimit.email_digest(PERSON)
    assert RateLimitCounter.objects.filter(key__endswith=digest).count() == 1
    erase(PERSON)
    assert not RateLimitCounter.objects.filter(key__endswith=digest).exists()
    # The visitor and network counters say nothing about the address and stay.
    assert RateLimitCounter.objects.exists()


def test_subject_access_lists_the_counters_without_the_hash(tmp_path):
    ratelimit.hit(ratelimit.hashed_key("comment-email", PERSON), 5)
    path = tmp_path / "export.json"
    call_command("privacy_export", PERSON, "--output", str(path), stdout=io.StringIO())
    text = path.read_text()
    document = json.loads(text)
    [row] = document["data"]["rate_limit_counters"]
    assert row["counts"] == "comment-email"
    assert row["attempts"] == 1
    assert ratelimit.email_digest(PERSON) not in text
