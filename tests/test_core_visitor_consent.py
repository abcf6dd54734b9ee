"""Visitor hashes rotate daily and hold no raw data; consent wording is versioned."""

from datetime import date

from django.core.management import call_command
from django.test import RequestFactory

import pytest

from home.abuse.visitor import network_hash, visitor_hash
from home.models import ConsentText, DailySalt
from home.privacy.consent import current_consent, publish_consent

pytestmark = pytest.mark.django_db


def make_request(ip="203.0.113.7", ua="Mozilla/5.0 Test"):
    return RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)


def test_same_visitor_same_day_same_hash():
    day = date(2026, 11, 26)
    assert visitor_hash(make_request(), day) == visitor_hash(make_request(), day)


def test_different_visitors_differ():
    day = date(2026, 11, 26)
    assert visitor_hash(make_request(ip="203.0.113.7"), day) != visitor_hash(
        make_request(ip="203.0.113.8"), day
    )
    assert visitor_hash(make_request(ua="A"), day) != visitor_hash(make_request(ua="B"), day)


def test_hash_rotates_daily_and_old_salts_are_discarded():
    first = visitor_hash(make_request(), date(2026, 11, 25))
    second = visitor_hash(make_request(), date(2026, 11, 26))
    assert first != second
    assert list(DailySalt.objects.values_list("day", flat=True)) == [date(2026, 11, 26)]


def test_hash_contains_no_raw_address():
    digest = visitor_hash(make_request(), date(2026, 11, 26))
    assert "203.0.113.7" not in digest and len(digest) == 64


def test_consent_wording_starts_at_version_one_and_new_text_adds_a_version():
    first = current_consent(ConsentText.COMMENT)
    assert first.version == 1
    second = publish_consent(ConsentText.COMMENT, "New wording.")
    assert second.version == 2
    assert current_consent(ConsentText.COMMENT) == second
    first.refresh_from_db()
    assert first.text != "New wording."


def test_saved_consent_wording_cannot_be_edited():
    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    consent.text = "Changed"
    with pytest.raises(ValueError):
        consent.save()


def test_consent_versions_are_per_purpose():
    publish_consent(ConsentText.COMMENT, "c1")
    assert publish_consent(ConsentText.EVENT_REGISTRATION, "e1").version == 1


def test_consent_admin_never_edits(admin_client):
    consent = current_consent(ConsentText.COMMENT)
    response = admin_client.get(f"/admin/snippets/home/consenttext/edit/{consent.pk}/")
    assert response.status_code == 302
    assert "inspect" in response["Location"]
    response = admin_client.post(
        "/admin/snippets/home/consenttext/add/",
        {"purpose": ConsentText.COMMENT, "text": "Second wording"},
    )
    assert response.status_code == 302
    assert ConsentText.objects.filter(purpose=ConsentText.COMMENT).count() == 2


def test_ensure_admin_creates_once_and_keeps_existing(monkeypatch, django_user_model, capsys):
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    call_command("ensure_admin")
    out = capsys.readouterr().out
    assert "Its password is:" in out
    user = django_user_model.objects.get(username="admin")
    assert user.is_superuser
    password_hash = user.password
    call_command("ensure_admin")
    assert "left as it is" in capsys.readouterr().out
    user.refresh_from_db()
    assert user.password == password_hash


def test_ensure_admin_uses_environment(monkeypatch, django_user_model, capsys):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "editor-in-chief")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-test-password")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "chief@example.org")
    call_command("ensure_admin")
    assert "Its password is" not in capsys.readouterr().out
    user = django_user_model.objects.get(username="editor-in-chief")
    assert user.check_password("a-long-test-password")


def test_network_hash_ignores_the_user_agent():
    # For rate limits: a new user agent per request must not make a new key.
    day = date(2026, 11, 26)
    firefox = make_request(ua="Mozilla/5.0 Firefox")
    curl = make_request(ua="curl/8.0")
    assert network_hash(firefox, day) == network_hash(curl, day)
    assert visitor_hash(firefox, day) != visitor_hash(curl, day)


def test_network_hash_differs_by_address_and_day_and_is_not_the_visitor_hash():
    day = date(2026, 11, 26)
    first = network_hash(make_request(ip="203.0.113.7"), day)
    assert first != network_hash(make_request(ip="203.0.113.8"), day)
    assert first != visitor_hash(make_request(ip="203.0.113.7", ua=""), day)
    assert first != network_hash(make_request(ip="203.0.113.7"), date(2026, 11, 27))
    assert "203.0.113.7" not in first and len(first) == 64
