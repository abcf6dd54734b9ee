"""Registration confirmed by email: the form reveals nothing, the link decides the place.

Everything through Django's test client against PostgreSQL; emails read from the
outbox, calendar files with icalendar.
"""

import re
from datetime import timedelta

from django.core import mail
from django.test import override_settings
from django.utils import timezone

import icalendar
import pytest
import time_machine

from events import registration as service
from events.factories import create_event
from events.models import EventRegistration
from events.tokens import make_cancel_code
from home.models import ConsentText, MailingListSubscriber
from home.privacy.consent import current_consent
from tests.events import test_events_support as support
from tests.events.test_events_support import (
    confirm_emails_to,
    confirm_path,
    in_days,
    mails_to,
    register,
    registration_data,
    submit,
)

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index


def cancel_path(message):
    match = re.search(r"https?://[^/\s]+(/events/cancel/[^\s\"<]+/)", message.body)
    assert match, "no cancel link in the email"
    return match.group(1)


def places_text(client, event):
    html = client.get(event.url).content.decode()
    return re.search(r"<dt>Places</dt><dd>([^<]*)</dd>", html).group(1)


def answer_page(response):
    """The page a form post gets, without what differs from one response to the next
    whoever sends it (a CSP nonce, if any)."""
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


# The form: a pending request, the same answer for everyone ------------------------


def test_submission_stores_a_pending_request_that_holds_no_place(client, event):
    before = places_text(client, event)
    response = submit(client, event, email="Amina@Example.ORG ")
    assert response.status_code == 200
    assert "Check your inbox to confirm your place" in response.content.decode()
    pending = EventRegistration.objects.get(page=event)
    assert pending.status == EventRegistration.PENDING
    assert pending.email == "amina@example.org"
    assert pending.confirm_token and pending.confirm_token != pending.cancel_token
    # Counted nowhere: places left, the counts and the organisers' numbers are as before.
    assert places_text(client, event) == before
    event.refresh_from_db()
    assert event.counts == {"confirmed": 0, "waiting": 0}
    # Only the "please confirm" email: no confirmation, no calendar file, no staff email.
    (message,) = mail.outbox
    assert message.to == ["amina@example.org"]
    assert message.subject.startswith("Please confirm your registration")
    assert not message.attachments
    assert "/events/cancel/" not in message.body
    assert event.joining_link not in message.body
    assert confirm_path(message)


def test_every_address_state_gets_the_same_page_and_status(client, event_index):
    event = create_event(event_index, title="One place", capacity=1)
    register(client, event, email="confirmed@example.org")
    register(client, event, email="waiting@example.org")
    register(client, event, email="cancelled@example.org")  # second on the waiting list
    service.cancel(EventRegistration.objects.get(email="cancelled@example.org"))
    submit(client, event, email="pending@example.org")
    assert dict(EventRegistration.objects.values_list("email", "status")) == {
        "confirmed@example.org": "confirmed",
        "waiting@example.org": "waiting",
        "cancelled@example.org": "cancelled",
        "pending@example.org": "pending",
    }
    before = places_text(client, event)

    responses = {
        state: submit(client, event, follow=False, email=f"{state}@example.org")
        for state in ("new", "confirmed", "waiting", "cancelled", "pending")
    }
    spam = registration_data(email="spam@example.org")
    spam["website_address"] = "http://spam.example"
    responses["honeypot"] = client.post(event.url, spam, REMOTE_ADDR="192.0.2.10")

    # One answer for all: a redirect (Post/Redirect/Get) to the one "check your
    # inbox" page, with nothing else that differs.
    answers = {(r.status_code, r["Location"], r.content) for r in responses.values()}
    assert answers == {(303, f"{event.url}?sent=1", b"")}
    landing = client.get(f"{event.url}?sent=1")
    assert landing.status_code == 200
    assert "Check your inbox to confirm your place" in answer_page(landing)
    assert places_text(client, event) == before


def test_a_registered_address_gets_an_already_registered_email_and_no_new_row(client, event):
    register(client, event, email="amina@example.org")
    rows = EventRegistration.objects.count()
    mail.outbox.clear()
    submit(client, event, email="amina@example.org")
    assert EventRegistration.objects.count() == rows
    (message,) = mail.outbox
    assert message.to == ["amina@example.org"]
    assert message.subject.startswith("You're already registered")
    assert "your place is confirmed" in message.body
    # The calendar file and the cancel link, as in the confirmation.
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    (vevent,) = icalendar.Calendar.from_ical(attachment[1]).walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.start
    assert client.get(cancel_path(message)).status_code == 200


def test_a_waiting_address_is_told_its_place_in_the_queue_without_a_calendar_file(client, event):
    for name in ("one", "two", "three"):
        register(client, event, email=f"{name}@example.org")
    mail.outbox.clear()
    submit(client, event, email="three@example.org")
    (message,) = mail.outbox
    assert message.subject.startswith("You're already registered")
    assert "waiting list (number 1)" in message.body
    assert not message.attachments
    assert event.joining_link not in message.body
    assert cancel_path(message)


def test_already_registered_email_goes_at_most_once_a_day(client, event):
    register(client, event, email="amina@example.org")
    mail.outbox.clear()
    submit(client, event, email="amina@example.org")
    submit(client, event, email="AMINA@example.org")
    assert len(mail.outbox) == 1
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        submit(client, event, email="amina@example.org")
    assert len(mail.outbox) == 2


@override_settings(LMN_EVENT_CONFIRM_EMAILS_PER_DAY=2)
def test_confirm_emails_are_capped_per_address_and_nothing_is_stored_beyond(client, event):
    responses = [submit(client, event, email="amina@example.org") for _ in range(3)]
    assert len({answer_page(r) for r in responses}) == 1
    assert {r.status_code for r in responses} == {200}
    assert EventRegistration.objects.filter(status="pending").count() == 2
    assert len(confirm_emails_to("amina@example.org")) == 2
    # Another address is not affected.
    submit(client, event, email="bilal@example.org")
    assert len(confirm_emails_to("bilal@example.org")) == 1


def test_each_submission_is_its_own_request(client, event):
    submit(client, event, email="amina@example.org", role="Member")
    submit(client, event, email="amina@example.org", role="Councillor")
    roles = sorted(EventRegistration.objects.values_list("form_data__role", flat=True))
    assert roles == ["Councillor", "Member"]


def test_link_expires_when_registration_closes_if_that_is_sooner(client, event_index):
    closes = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    event = create_event(event_index, start=in_days(5), registration_closes=closes)
    submit(client, event)
    assert EventRegistration.objects.get().confirm_expires_at == closes


def test_link_works_for_the_configured_hours(client, event):
    before = timezone.now()
    submit(client, event)
    expires = EventRegistration.objects.get().confirm_expires_at
    assert before + timedelta(hours=24) <= expires <= timezone.now() + timedelta(hours=24)


# The confirm link ------------------------------------------------------------------


def test_opening_the_link_asks_and_changes_nothing(client, event):
    submit(client, event)
    path = confirm_path(mail.outbox[0])
    mail.outbox.clear()
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Confirm my place" in html and "Members&#x27; roundtable" in html
        assert "amina@example.org" not in html
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex"
    assert EventRegistration.objects.get().status == "pending"
    assert mail.outbox == []


def test_confirming_gives_the_place_and_only_then_sends_the_emails(client, event):
    submit(client, event, email="amina@example.org")
    path = confirm_path(mail.outbox[0])
    mail.outbox.clear()
    response = client.post(path)
    assert response.status_code == 200
    assert "Your place is confirmed" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    registration = EventRegistration.objects.get()
    assert registration.status == "confirmed"
    assert registration.confirm_token is None
    assert sorted(m.to[0] for m in mail.outbox) == ["amina@example.org", "staff@example.org"]
    (confirmation,) = mails_to("amina@example.org")
    assert "confirmed" in confirmation.subject
    assert cancel_path(confirmation)
    assert places_text(client, event) == "1 place left"


def test_confirming_a_full_event_puts_people_on_the_waiting_list(client, event):
    register(client, event, email="one@example.org")
    register(client, event, email="two@example.org")
    response = register(client, event, email="three@example.org")
    assert response.status_code == 200
    assert "number 1 on the waiting list" in response.content.decode()
    assert EventRegistration.objects.get(email="three@example.org").status == "waiting"


def test_a_confirm_link_works_once(client, event):
    submit(client, event)
    path = confirm_path(mail.outbox[0])
    assert client.post(path).status_code == 200
    mail.outbox.clear()
    again = client.post(path)
    assert again.status_code == 404
    assert "may have been used already" in again.content.decode()
    assert client.get(path).status_code == 404
    assert EventRegistration.objects.count() == 1
    assert mail.outbox == []


def test_two_requests_for_one_address_make_one_registration(client, event):
    submit(client, event, email="amina@example.org")
    submit(client, event, email="amina@example.org")
    first, second = (confirm_path(m) for m in confirm_emails_to("amina@example.org"))
    assert client.post(first).status_code == 200
    response = client.post(second)
    assert response.status_code == 200
    assert "You were already registered" in response.content.decode()
    assert list(EventRegistration.objects.values_list("status", flat=True)) == ["confirmed"]


def test_full_event_without_waiting_list_keeps_nothing_on_confirm(client, event_index):
    event = create_event(event_index, title="Tiny", capacity=1, waiting_list_enabled=False)
    submit(client, event, email="one@example.org")
    submit(client, event, email="two@example.org")
    assert client.post(confirm_path(confirm_emails_to("one@example.org")[0])).status_code == 200
    sent = len(mail.outbox)
    response = client.post(confirm_path(confirm_emails_to("two@example.org")[0]))
    assert response.status_code == 409
    assert "fully booked" in response.content.decode()
    assert list(EventRegistration.objects.values_list("email", flat=True)) == ["one@example.org"]
    assert len(mail.outbox) == sent


def test_registration_closed_before_confirming_keeps_nothing(client, event):
    submit(client, event)
    path = confirm_path(mail.outbox[0])
    event.registration_closes = timezone.now() - timedelta(minutes=1)
    event.save_revision().publish()
    response = client.post(path)
    assert response.status_code == 409
    assert "Registration has closed" in response.content.decode()
    assert not EventRegistration.objects.exists()


def test_expired_link_is_refused_and_keeps_no_place(client, event):
    submit(client, event)
    path = confirm_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 410
            assert "This link has expired" in response.content.decode()
            assert "no-store" in response["Cache-Control"]
    assert EventRegistration.objects.get().status == "pending"
    assert event.counts == {"confirmed": 0, "waiting": 0}


def test_tampered_or_foreign_codes_are_refused_without_a_500(client, event):
    submit(client, event)
    path = confirm_path(mail.outbox[0])
    code = path.split("/")[-2]
    tampered = code[:-3] + ("A" if code[-3] != "A" else "B") + code[-2:]
    pending = EventRegistration.objects.get()
    # A cancel code (other signing purpose) for the same row is no confirm code.
    cancel_code = make_cancel_code(pending.confirm_token, event.start)
    for bad in (tampered, cancel_code, "nonsense", "x" * 500, "%00"):
        assert client.post(f"/events/confirm/{bad}/").status_code == 404
    assert client.put(path).status_code == 405
    assert EventRegistration.objects.get().status == "pending"


def test_cancel_link_of_a_pending_request_does_nothing(client, event):
    submit(client, event)
    pending = EventRegistration.objects.get()
    code = make_cancel_code(pending.cancel_token, event.start)
    assert client.post(f"/events/cancel/{code}/").status_code == 404
    assert EventRegistration.objects.get().status == "pending"


def test_mailing_list_wish_is_acted_on_only_once_confirmed(client, event):
    submit(client, event, email="amina@example.org", mailing_list="yes")
    assert not MailingListSubscriber.objects.exists()
    pending = EventRegistration.objects.get()
    assert pending.mailing_list_consent == current_consent(ConsentText.MAILING_LIST)
    client.post(confirm_path(confirm_emails_to("amina@example.org")[0]))
    assert MailingListSubscriber.objects.filter(email="amina@example.org").exists()
    assert EventRegistration.objects.get().mailing_list_consent is None


def test_an_unconfirmed_mailing_list_wish_is_dropped(client, event):
    submit(client, event, email="amina@example.org", mailing_list="yes")
    assert not MailingListSubscriber.objects.exists()


# Organisers never see pending requests; their direct path ignores them -------------


def test_pending_requests_are_not_in_the_organisers_list_export_or_counts(
    client, event, django_user_model
):
    from django.contrib.auth.models import Group

    register(client, event, email="amina@example.org")
    submit(client, event, email="pending.person@example.org")
    organiser = django_user_model.objects.create_user(username="organiser", password="pw-test-1")
    organiser.groups.add(Group.objects.get(name="Event organisers"))
    client.force_login(organiser)
    url = f"/admin/forms/submissions/{event.pk}/"
    listing = client.get(url).content.decode()
    assert "amina@example.org" in listing
    assert "pending.person@example.org" not in listing
    export = b"".join(client.get(url + "?export=csv").streaming_content).decode()
    assert "amina@example.org" in export and "pending.person@example.org" not in export
    index = client.get("/admin/events/registrations/").content.decode()
    assert "pending.person" not in index
    pending = EventRegistration.objects.get(status="pending")
    assert client.get(f"/admin/events/registrations/{pending.pk}/cancel/").status_code == 404


def test_organisers_direct_registration_is_not_blocked_by_a_pending_request(client, event):
    submit(client, event, email="amina@example.org")
    outcome = service.register(
        event,
        name="Amina Example",
        email="amina@example.org",
        answers={},
        consent=current_consent(ConsentText.EVENT_REGISTRATION),
    )
    assert outcome.kind == service.CONFIRMED
    # The pending request can no longer make a second registration.
    response = client.post(confirm_path(confirm_emails_to("amina@example.org")[0]))
    assert "You were already registered" in response.content.decode()
    assert list(EventRegistration.objects.values_list("status", flat=True)) == ["confirmed"]


# Retention, subject access and erasure of pending requests --------------------------


def run_command(*args):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_retention_deletes_pending_requests_once_their_link_has_expired(client, event):
    register(client, event, email="confirmed@example.org")
    submit(client, event, email="pending@example.org")
    assert "unconfirmed" not in run_command("apply_retention")
    assert EventRegistration.objects.filter(status="pending").count() == 1
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        # Nobody uses the form in between (a new request would delete it first:
        # tests/test_events_confirm_details.py).
        report = run_command("apply_retention")
        submit(client, event, email="fresh@example.org")
    assert "deleted 1 unconfirmed request(s)" in report
    assert sorted(EventRegistration.objects.values_list("email", flat=True)) == [
        "confirmed@example.org",
        "fresh@example.org",
    ]


def test_export_includes_a_pending_request_while_it_exists(client, event, tmp_path):
    import json

    submit(client, event, email="amina@example.org", role="Councillor")
    path = tmp_path / "export.json"
    run_command("privacy_export", "amina@example.org", "--output", str(path))
    document = json.loads(path.read_text())
    [row] = document["data"]["registrations"]
    assert row["status"] == "pending"
    assert row["answers"]["Role"] == "Councillor"
    assert row["confirm_link_expires_at"]


def test_erasure_deletes_pending_requests(client, event):
    submit(client, event, email="amina@example.org")
    submit(client, event, email="bilal@example.org")
    path = confirm_path(confirm_emails_to("amina@example.org")[0])
    run_command("privacy_erase", "amina@example.org", "--yes")
    assert list(EventRegistration.objects.values_list("email", flat=True)) == ["bilal@example.org"]
    assert client.post(path).status_code == 404
