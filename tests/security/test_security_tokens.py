"""Signed tokens, attacked: cancel links and view-beacon tokens cannot be forged
(wrong key, wrong purpose, edited payload), replayed after expiry, or used for
another registration or page. Extends test_events_logic / test_events_emails /
test_blog_views_count, which cover the round trip and simple tampering."""

import datetime

from django.core import signing
from django.test import override_settings
from django.utils import timezone

import pytest
import time_machine

from blog.views_count import page_token
from events.models import EventRegistration
from events.tokens import make_cancel_code
from tests.blog.comments import test_comments_support as comments_support
from tests.events import test_events_support as events_support
from tests.events.test_events_support import register

pytestmark = pytest.mark.django_db

blog_index = comments_support.blog_index
post = comments_support.post
event_index = events_support.event_index
event = events_support.event

CONFIRMED = "confirmed"


@pytest.fixture
def two(client, event):
    register(client, event, email="amina@example.org")
    register(client, event, email="bilal@example.org")
    amina = EventRegistration.objects.get(email="amina@example.org")
    bilal = EventRegistration.objects.get(email="bilal@example.org")
    return amina, bilal


def cancel(client, code):
    return client.post(f"/events/cancel/{code}/")


def test_a_code_opens_only_its_own_registration(client, event, two):
    amina, bilal = two
    response = cancel(client, make_cancel_code(amina.cancel_token, event.start))
    assert response.status_code == 200
    amina.refresh_from_db()
    bilal.refresh_from_db()
    assert amina.status != CONFIRMED
    assert bilal.status == CONFIRMED


def test_a_code_signed_with_another_key_is_refused(client, event, two):
    amina, _ = two
    with override_settings(SECRET_KEY="an attacker's guess at the key, long enough"):
        forged = make_cancel_code(amina.cancel_token, event.start)
    assert cancel(client, forged).status_code == 404
    amina.refresh_from_db()
    assert amina.status == CONFIRMED


def test_a_token_signed_for_another_purpose_is_refused(client, event, post, two):
    amina, _ = two
    # Same key, other salts: the beacon's page token, and an unsalted signature.
    payload = {"t": amina.cancel_token, "x": int(event.start.timestamp())}
    for code in (page_token(post.pk), signing.dumps(payload, compress=True)):
        assert cancel(client, code).status_code == 404
    amina.refresh_from_db()
    assert amina.status == CONFIRMED


def test_the_raw_cancel_token_alone_is_not_a_link(client, two):
    amina, _ = two
    assert cancel(client, amina.cancel_token).status_code == 404


def test_a_genuine_code_is_refused_after_it_expires(client, event, two):
    amina, _ = two
    code = make_cancel_code(amina.cancel_token, event.start)
    assert client.get(f"/events/cancel/{code}/").status_code == 200  # works now
    with time_machine.travel(event.start + datetime.timedelta(seconds=1), tick=False):
        assert cancel(client, code).status_code == 410
    amina.refresh_from_db()
    assert amina.status == CONFIRMED


def test_extending_the_expiry_breaks_the_signature(client, event, two):
    amina, _ = two
    code = make_cancel_code(amina.cancel_token, timezone.now() - datetime.timedelta(hours=1))
    value, _, signature = code.rpartition(":")
    stretched = make_cancel_code(amina.cancel_token, event.start).rpartition(":")[0]
    assert cancel(client, f"{stretched}:{signature}").status_code == 404
    assert cancel(client, code).status_code == 410


def test_a_code_for_a_registration_that_is_gone_is_refused(client, event, two):
    amina, _ = two
    code = make_cancel_code(amina.cancel_token, event.start)
    amina.delete()
    assert cancel(client, code).status_code == 404


def beacon(client, body):
    return client.post(
        "/blog/_count-view/",
        data=body,
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="same-origin",
    )


def test_a_beacon_token_signed_with_another_key_is_refused(client, post):
    with override_settings(SECRET_KEY="an attacker's guess at the key, long enough"):
        forged = page_token(post.pk)
    assert beacon(client, {"page": post.pk, "token": forged}).status_code == 400


def test_a_cancel_code_is_not_a_beacon_token(client, event, post, two):
    amina, _ = two
    code = make_cancel_code(amina.cancel_token, event.start)
    assert beacon(client, {"page": post.pk, "token": code}).status_code == 400
    unsalted = signing.Signer().sign(str(post.pk))
    assert beacon(client, {"page": post.pk, "token": unsalted}).status_code == 400


def test_a_beacon_from_another_site_is_refused_even_with_a_good_token(client, post):
    response = client.post(
        "/blog/_count-view/",
        data={"page": post.pk, "token": page_token(post.pk)},
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
