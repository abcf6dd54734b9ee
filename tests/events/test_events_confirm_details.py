"""The confirm step shows what would be kept in the person's name, the "please
confirm" email carries nothing the sender typed, and expired pending requests go
at the next request or confirmation for their event, not only when the retention
job runs."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

import pytest

from events import registration as service
from events.factories import create_event
from events.models import EventRegistration
from tests.events import test_events_support as support
from tests.events.test_events_support import confirm_emails_to, confirm_path, submit

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index

MADE_UP = {
    "name": "Zainab Madeup-Person",
    "constituency_labour_party": "Fakeshire North CLP",
    "access_requirements": "Invented hearing loop request",
}


def test_the_confirm_email_carries_nothing_the_sender_typed(client, event):
    submit(client, event, email="victim@example.org", **MADE_UP)
    (message,) = confirm_emails_to("victim@example.org")
    html = message.alternatives[0][0]
    for typed in MADE_UP.values():
        assert typed not in message.subject
        assert typed not in message.body
        assert typed not in html
    assert "Zainab" not in message.body and "Zainab" not in html
    # It still tells the person what to check before confirming.
    assert "not yours" in message.body


def test_the_confirm_page_shows_the_name_and_every_answer(client, event):
    submit(client, event, email="victim@example.org", **MADE_UP)
    path = confirm_path(confirm_emails_to("victim@example.org")[0])
    mail.outbox.clear()
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    for typed in MADE_UP.values():
        assert typed in html
    # Sensitive answers too (the access question is sensitive): they would be kept
    # in this person's name.
    assert event.form_fields.get(label="Access requirements").sensitive
    assert "Not you, or wrong details? Don't confirm" in html
    assert "victim@example.org" not in html
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    # Looking changes nothing.
    assert EventRegistration.objects.get().status == EventRegistration.PENDING
    assert mail.outbox == []


def test_the_confirm_page_says_when_the_mailing_list_box_was_ticked(client, event):
    submit(client, event, email="amina@example.org", mailing_list="yes")
    path = confirm_path(confirm_emails_to("amina@example.org")[0])
    assert "Asked to join it as well" in client.get(path).content.decode()


# ---------- Expired pending requests ----------


def expire(email):
    EventRegistration.objects.filter(email=email).update(
        confirm_expires_at=timezone.now() - timedelta(minutes=1)
    )


def test_a_new_request_deletes_the_events_expired_requests(client, event, event_index):
    other = create_event(event_index, title="Another roundtable", slug="another")
    submit(client, event, email="old@example.org")
    submit(client, other, email="elsewhere@example.org")
    expire("old@example.org")
    expire("elsewhere@example.org")
    submit(client, event, email="new@example.org")
    emails = set(EventRegistration.objects.values_list("email", flat=True))
    # This event's expired request is gone; another event's waits for its own turn
    # (or for apply_retention).
    assert emails == {"new@example.org", "elsewhere@example.org"}


def test_a_confirmation_deletes_the_events_expired_requests(client, event):
    submit(client, event, email="old@example.org")
    submit(client, event, email="amina@example.org")
    expire("old@example.org")
    response = client.post(confirm_path(confirm_emails_to("amina@example.org")[0]))
    assert response.status_code == 200
    assert list(EventRegistration.objects.values_list("email", "status")) == [
        ("amina@example.org", EventRegistration.CONFIRMED)
    ]


def test_removing_expired_requests_is_cheap(client, event, django_assert_max_num_queries):
    submit(client, event, email="old@example.org")
    expire("old@example.org")
    with django_assert_max_num_queries(2):
        assert service.delete_expired_requests(event.pk, timezone.now()) == 1
    with django_assert_max_num_queries(1):
        assert service.delete_expired_requests(event.pk, timezone.now()) == 0
