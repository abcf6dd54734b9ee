"""Emails (confirmation, waiting list, promotion, staff) and the cancel link."""

import re
from datetime import UTC, timedelta

from django.core import mail

import icalendar
import pytest
import time_machine

from events.factories import create_event
from events.models import EventRegistration
from tests.events import test_events_support as support
from tests.events.test_events_support import register
from tests.events.test_events_support import registration_mails_to as mails_to

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them as attributes of this module).
event = support.event
event_index = support.event_index


def cancel_path(message):
    match = re.search(r"https?://[^/\s]+(/events/cancel/[^\s\"<]+/)", message.body)
    assert match, "no cancel link in the email"
    return match.group(1)


def ics_attachment(message):
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    return icalendar.Calendar.from_ical(attachment[1])


def test_confirmation_email_has_what_when_where_ics_and_cancel_link(client, event):
    register(client, event, email="amina@example.org")
    (message,) = mails_to("amina@example.org")
    assert "confirmed" in message.subject and event.title in message.subject
    assert "Dear Amina Example" in message.body
    assert event.when in message.body
    # Online event: the joining link goes to people with a place, and only in email.
    assert event.joining_link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and event.joining_link in html and "cancel your place" in html
    calendar = ics_attachment(message)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.start.astimezone(UTC)
    assert vevent.decoded("DTEND") == event.end.astimezone(UTC)
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(vevent["UID"]) == f"event-{event.translation_key}@labourmuslims.org"
    assert vevent.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(days=1)
    assert event.joining_link in str(vevent["DESCRIPTION"])
    assert cancel_path(message)


def test_joining_link_is_never_on_the_public_page(client, event):
    assert event.joining_link not in client.get(event.url).content.decode()


def test_waiting_list_email_says_so_without_joining_link_or_ics(client, event):
    register(client, event, email="one@example.org")
    register(client, event, email="two@example.org")
    register(client, event, email="three@example.org")
    (message,) = mails_to("three@example.org")
    assert "waiting list" in message.subject
    assert "number 1" in message.body
    assert event.joining_link not in message.body
    assert not message.attachments


def test_staff_notification_leaves_out_sensitive_answers(client, event):
    register(client, event, email="amina@example.org", access_requirements="Wheelchair user")
    (staff,) = mails_to("staff@example.org")
    assert "amina@example.org" in staff.body
    assert "Example CLP" in staff.body  # an ordinary answer is included
    assert "Wheelchair user" not in staff.body
    assert "Access requirements" not in staff.body
    # ...but the registrant's own record keeps it for the organisers.
    assert EventRegistration.objects.get().form_data["access_requirements"] == "Wheelchair user"


def test_cancel_link_asks_then_cancels_once_and_promotes_the_next_person(client, event):
    register(client, event, email="one@example.org")
    register(client, event, email="two@example.org")
    register(client, event, email="three@example.org")
    register(client, event, email="four@example.org")
    path = cancel_path(mails_to("one@example.org")[0])
    mail.outbox.clear()

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "Cancel my place" in confirm.content.decode()
    assert confirm["Referrer-Policy"] == "same-origin"
    # A GET alone changes nothing.
    assert EventRegistration.objects.get(email="one@example.org").status == "confirmed"

    done = client.post(path)
    assert done.status_code == 200
    assert "Your place is cancelled" in done.content.decode()
    statuses = dict(EventRegistration.objects.values_list("email", "status"))
    assert statuses["one@example.org"] == "cancelled"
    assert statuses["three@example.org"] == "confirmed"  # first in the queue
    assert statuses["four@example.org"] == "waiting"
    (promotion,) = mails_to("three@example.org")
    assert "place has come up" in promotion.subject
    assert ics_attachment(promotion).walk("VEVENT")
    assert EventRegistration.objects.get(email="four@example.org").waiting_position == 1
    (cancellation,) = mails_to("one@example.org")
    assert "place is cancelled" in cancellation.subject
    assert len(mail.outbox) == 2

    # Idempotent: a second POST changes nothing, promotes and emails nobody else.
    again = client.post(path)
    assert again.status_code == 200
    assert "already cancelled" in again.content.decode()
    assert EventRegistration.objects.filter(status="confirmed").count() == 2
    assert len(mail.outbox) == 2


def test_cancellation_email_marks_the_calendar_entry_cancelled(client, event):
    register(client, event, email="one@example.org")
    (confirmation,) = mails_to("one@example.org")
    (booked,) = ics_attachment(confirmation).walk("VEVENT")
    mail.outbox.clear()
    client.post(cancel_path(confirmation))

    (message,) = mails_to("one@example.org")
    assert message.subject == f"Your place is cancelled: {event.title}"
    assert "has been cancelled" in message.body
    assert event.url in message.body or event.full_url in message.body  # to register again
    assert "/events/cancel/" not in message.body  # no cancel link for a cancelled place
    assert event.joining_link not in message.body
    html, _ = message.alternatives[0]
    assert "has been cancelled" in html and "/events/cancel/" not in html
    calendar = ics_attachment(message)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == str(booked["UID"])  # the same entry, updated
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) > int(booked.get("SEQUENCE", 0))
    assert vevent.decoded("DTSTART") == booked.decoded("DTSTART")
    assert not vevent.walk("VALARM")  # no reminder for a cancelled place
    assert event.joining_link not in str(vevent.get("DESCRIPTION", ""))


def test_leaving_the_waiting_list_is_confirmed_without_a_calendar_file(client, event):
    for n in range(3):
        register(client, event, email=f"p{n}@example.org")
    (waiting,) = mails_to("p2@example.org")
    mail.outbox.clear()
    client.post(cancel_path(waiting))
    (message,) = mail.outbox  # nobody to promote: the two places are still taken
    assert message.to == ["p2@example.org"]
    assert "left the waiting list" in message.subject
    assert not message.attachments
    assert "/events/cancel/" not in message.body


def test_cancel_link_expires_when_the_event_starts(client, event):
    register(client, event, email="one@example.org")
    path = cancel_path(mails_to("one@example.org")[0])
    with time_machine.travel(event.start + timedelta(minutes=1)):
        response = client.post(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert EventRegistration.objects.get().status == "confirmed"


def test_tampered_cancel_link_is_refused(client, event):
    register(client, event, email="one@example.org")
    path = cancel_path(mails_to("one@example.org")[0])
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client.post(tampered).status_code == 404
    assert client.get("/events/cancel/nonsense/").status_code == 404
    assert EventRegistration.objects.get().status == "confirmed"


def test_raising_capacity_and_publishing_promotes_the_waiting_list(client, event):
    for number in range(4):
        register(client, event, email=f"p{number}@example.org")
    mail.outbox.clear()
    event.capacity = 3
    event.save_revision().publish()
    assert EventRegistration.objects.filter(status="confirmed").count() == 3
    assert [m.to for m in mail.outbox] == [["p2@example.org"]]


def test_no_staff_email_without_to_address(client, event_index):
    quiet = create_event(event_index, title="Quiet", to_address="")
    register(client, quiet, email="one@example.org")
    # The confirm request, then the confirmation: nothing to staff.
    assert [m.to for m in mail.outbox] == [["one@example.org"], ["one@example.org"]]


def test_staff_email_only_reaches_staff_domains(client, event_index, settings):
    # An event saved before LMN_STAFF_EMAIL_DOMAINS was set keeps an outside address;
    # registrants' details are still only sent to the organisation's own addresses.
    mixed = create_event(
        event_index, title="Mixed", to_address="events@labourmuslims.org, someone@elsewhere.example"
    )
    settings.LMN_STAFF_EMAIL_DOMAINS = ["labourmuslims.org"]
    register(client, mixed, email="one@example.org")
    assert mails_to("events@labourmuslims.org")
    assert not mails_to("someone@elsewhere.example")

    settings.LMN_STAFF_EMAIL_DOMAINS = ["other.example"]
    register(client, mixed, email="two@example.org")
    staff = [m for m in mail.outbox if "two@example.org" in m.body and m.to != ["two@example.org"]]
    assert staff == []
