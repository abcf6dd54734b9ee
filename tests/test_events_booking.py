"""Phone bookings: an organiser adds a registration in the admin, without the emailed
confirm step, and every booking is in the audit log without the person's details."""

import html
import json
import threading
from collections import Counter
from datetime import UTC, timedelta

from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.utils import timezone

import icalendar
import pytest
import time_machine
from bs4 import BeautifulSoup

from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
from events.models import EventRegistration
from events.registration import register as register_directly
from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD
from home.models import ConsentText
from home.privacy.consent import current_consent, publish_consent
from tests import test_events_support as support
from tests.test_events_admin import make_user
from tests.test_events_support import mails_to

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index

ACTION = "lmn.events.registration_added"


@pytest.fixture
def organiser(django_user_model):
    return make_user(django_user_model, "organiser", group="Event organisers")


def add_url(event):
    return f"/admin/events/{event.pk}/registrations/add/"


def list_url(event):
    return f"/admin/forms/submissions/{event.pk}/"


def booking_data(name="Yusuf Example", email="yusuf@example.org", **answers):
    """What an organiser's browser posts from the form."""
    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    data = {
        "full_name": name,
        "email": email,
        "constituency_labour_party": "Example CLP",
        "role": "Councillor",
        "access_requirements": "Hearing loop please",
        "consent": "on",
        "consent_version": str(consent.version),
    }
    data.update(answers)
    return data


def book(client, event, **kwargs):
    return client.post(add_url(event), booking_data(**kwargs))


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def booking_log_entries(event):
    from wagtail.models import PageLogEntry

    return list(PageLogEntry.objects.filter(page_id=event.pk, action=ACTION))


# The form --------------------------------------------------------------------------


def test_registrations_list_offers_add_registration_to_organisers(client, event, organiser):
    client.force_login(organiser)
    assert add_url(event) in client.get(list_url(event)).content.decode()


def test_form_asks_the_events_questions_and_shows_the_consent_wording(client, event, organiser):
    client.force_login(organiser)
    response = client.get(add_url(event))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    for name in ("full_name", "email", "role", "access_requirements", "consent"):
        assert f'name="{name}"' in page
    assert consent.text in page
    assert 'for="id_consent"' in page
    # Staff-only form: no spam traps, and no mailing-list box ticked for someone else.
    assert 'name="mailing_list"' not in page
    # The summary box is offered, never pre-ticked, and says it is the person's choice.
    soup = BeautifulSoup(response.content, "html.parser")
    summary = soup.select_one("input[name=wants_summary]")
    assert summary is not None and summary["type"] == "checkbox"
    assert not summary.has_attr("checked")
    label = soup.select_one(f"label[for={summary['id']}]")
    assert "They asked to be emailed the summary" in label.get_text()
    assert f'name="{HONEYPOT_FIELD}"' not in page
    assert f'name="{STARTED_FIELD}"' not in page


# Booking ---------------------------------------------------------------------------


def test_organiser_books_a_confirmed_place_with_email_ics_and_audit(client, event, organiser):
    client.force_login(organiser)
    booked_at = timezone.now().replace(microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(booked_at, tick=False):
        response = book(client, event, email="Yusuf@Example.org")
    assert response.status_code == 302 and response["Location"] == list_url(event)
    assert any("confirmed place" in text for text in message_texts(response))

    registration = EventRegistration.objects.get(page=event)
    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    assert registration.status == EventRegistration.CONFIRMED
    assert registration.name == "Yusuf Example" and registration.email == "yusuf@example.org"
    assert registration.form_data["role"] == "Councillor"
    assert registration.form_data["access_requirements"] == "Hearing loop please"
    assert registration.consent_id == consent.pk
    assert registration.consented_at == booked_at

    (message,) = mails_to("yusuf@example.org")
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    (vevent,) = icalendar.Calendar.from_ical(attachment[1]).walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.start.astimezone(UTC)
    assert str(vevent["SUMMARY"]) == event.title
    assert "/events/cancel/" in message.body
    assert mails_to("staff@example.org"), "staff are told of the new registration"

    (entry,) = booking_log_entries(event)
    assert entry.user_id == organiser.pk
    assert entry.data == {"registration_id": registration.pk, "outcome": "confirmed"}
    logged = json.dumps([entry.data, entry.label, entry.message]).lower()
    for detail in ("yusuf", "example.org", "councillor", "hearing loop"):
        assert detail not in logged


def test_the_summary_box_records_the_persons_own_choice(client, event, organiser):
    client.force_login(organiser)
    assert book(client, event, email="amina@example.org").status_code == 302
    assert book(client, event, email="bilal@example.org", wants_summary="on").status_code == 302
    stored = dict(
        EventRegistration.objects.filter(page=event).values_list("email", "wants_summary")
    )
    assert stored == {"amina@example.org": False, "bilal@example.org": True}


def test_the_list_shows_the_booking_and_the_message(client, event, organiser):
    client.force_login(organiser)
    response = client.post(add_url(event), booking_data(), follow=True)
    page = response.content.decode()
    assert "yusuf@example.org" in page
    assert "Registration added with a confirmed place" in page


def test_superuser_may_book(client, django_user_model, event):
    client.force_login(make_user(django_user_model, "admin", superuser=True))
    assert book(client, event).status_code == 302
    assert EventRegistration.objects.filter(page=event, status="confirmed").count() == 1


def test_waiting_list_when_full(client, event, organiser):
    client.force_login(organiser)
    book(client, event, email="one@example.org")
    book(client, event, email="two@example.org")
    mail.outbox.clear()
    response = book(client, event, email="three@example.org")
    assert any("waiting list at number 1" in text for text in message_texts(response))
    third = EventRegistration.objects.get(email="three@example.org")
    assert third.status == EventRegistration.WAITING and third.waiting_position == 1
    (message,) = mails_to("three@example.org")
    assert "waiting list" in message.subject
    (entry,) = [e for e in booking_log_entries(event) if e.data["registration_id"] == third.pk]
    assert entry.data["outcome"] == "waiting"


def test_full_without_waiting_list_stores_nothing(client, event_index, organiser):
    event = create_event(event_index, capacity=1, waiting_list_enabled=False, to_address="")
    client.force_login(organiser)
    book(client, event, email="one@example.org")
    mail.outbox.clear()
    response = book(client, event, email="two@example.org")
    assert response.status_code == 302
    assert any("no waiting list" in text for text in message_texts(response))
    assert not EventRegistration.objects.filter(email="two@example.org").exists()
    assert mail.outbox == []
    outcomes = [entry.data for entry in booking_log_entries(event)]
    assert {"registration_id": None, "outcome": "full"} in outcomes


def test_capacity_holds_across_bookings(client, event_index, organiser):
    event = create_event(event_index, capacity=2, to_address="")
    register_directly(
        event,
        name="Web Registrant",
        email="web@example.org",
        answers={},
        consent=current_consent(ConsentText.EVENT_REGISTRATION),
    )
    client.force_login(organiser)
    for number in range(3):
        book(client, event, email=f"phone{number}@example.org")
    counts = Counter(EventRegistration.objects.filter(page=event).values_list("status", flat=True))
    assert counts == {"confirmed": 2, "waiting": 2}


def test_duplicate_address_adds_nothing(client, event, organiser):
    client.force_login(organiser)
    book(client, event, email="yusuf@example.org")
    existing = EventRegistration.objects.get()
    response = book(client, event, name="Someone Else", email=" YUSUF@example.org ")
    texts = message_texts(response)
    assert any("already has a confirmed place" in text for text in texts)
    assert all("yusuf" not in text.lower() for text in texts)
    assert EventRegistration.objects.count() == 1
    assert EventRegistration.objects.get().name == "Yusuf Example"
    outcomes = [entry.data for entry in booking_log_entries(event)]
    assert {"registration_id": existing.pk, "outcome": "duplicate"} in outcomes


def test_registration_closed_is_refused(client, event_index, organiser):
    """Organisers book inside the same registration window as everyone else."""
    event = create_event(
        event_index, registration_closes=timezone.now() - timedelta(hours=1), to_address=""
    )
    client.force_login(organiser)
    assert "has closed" in client.get(add_url(event)).content.decode()
    response = book(client, event)
    assert response.status_code == 302
    assert any("has closed" in text for text in message_texts(response))
    assert not EventRegistration.objects.exists()
    assert mail.outbox == []


# Who may book ----------------------------------------------------------------------


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_editors_and_moderators_are_refused(client, django_user_model, event, group):
    """Refused the Wagtail way (PermissionDenied: sent to the dashboard with "you do not
    have permission"; a 403 for a script), whatever buttons they are shown."""
    client.force_login(make_user(django_user_model, group.lower(), group=group))
    for response in (client.get(add_url(event)), book(client, event)):
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert any("do not have permission" in text for text in message_texts(response))
    scripted = client.post(
        add_url(event), booking_data(), headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert scripted.status_code == 403
    assert not EventRegistration.objects.exists()
    assert mail.outbox == []
    assert booking_log_entries(event) == []


def test_anonymous_is_sent_to_sign_in(client, event):
    for response in (client.get(add_url(event)), book(client, event)):
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not EventRegistration.objects.exists()


def test_a_page_that_is_not_an_event_is_not_found(client, event, organiser):
    client.force_login(organiser)
    assert (
        client.get(f"/admin/events/{event.get_parent().pk}/registrations/add/").status_code == 404
    )
    assert client.get("/admin/events/999999/registrations/add/").status_code == 404


# Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, error",
    [
        ({"full_name": "   "}, "full_name", "Enter the person's full name"),
        ({"email": "not-an-address"}, "email", "Enter an email address in the correct format"),
        ({"email": ""}, "email", "Enter the person's email address"),
        ({"consent": ""}, "consent", "tick the box once they agree"),
        ({"role": "Astronaut"}, "role", "Select a valid choice"),
        ({"role": ""}, "role", "This field is required"),
        ({"full_name": "x" * 151}, "full_name", "at most 150 characters"),
    ],
)
def test_invalid_input_shows_the_form_again_with_errors(
    client, event, organiser, changes, field, error
):
    client.force_login(organiser)
    data = booking_data()
    data.update(changes)
    response = client.post(add_url(event), data)
    assert response.status_code == 200
    assert error in html.unescape(response.content.decode())
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not EventRegistration.objects.exists()
    assert mail.outbox == []
    assert booking_log_entries(event) == []


def test_nonsense_consent_version_is_an_error_not_a_crash(client, event, organiser):
    client.force_login(organiser)
    response = client.post(add_url(event), booking_data(consent_version="abc"))
    assert response.status_code == 200
    assert not EventRegistration.objects.exists()


def test_consent_wording_changed_while_the_form_was_open(client, event, organiser):
    client.force_login(organiser)
    data = booking_data()
    publish_consent(ConsentText.EVENT_REGISTRATION, "New wording for registrations.")
    response = client.post(add_url(event), data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "wording changed while this form was open" in page
    assert "New wording for registrations." in page
    assert not EventRegistration.objects.exists()


def test_only_get_and_post(client, event, organiser):
    client.force_login(organiser)
    assert client.put(add_url(event)).status_code == 405


# Concurrency -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_bookings_never_exceed_capacity(home_page, django_user_model):
    """Phone bookings take the same event lock as the public form."""
    from django.test import Client

    index = create_event_index(home_page)
    event = create_event(
        index, capacity=2, waiting_list_enabled=False, questions=STANDARD_QUESTIONS, to_address=""
    )
    organiser = make_user(django_user_model, "organiser", group="Event organisers")
    count = 8
    barrier = threading.Barrier(count)
    statuses, errors = [], []
    forms = [booking_data(email=f"racer{n}@example.org") for n in range(count)]

    def attempt(number):
        client = Client()
        client.force_login(organiser)
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(add_url(event), forms[number]).status_code)
        except Exception as exc:  # noqa: BLE001 (the test reports every failure)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert statuses == [302] * count
    assert EventRegistration.objects.filter(page=event).count() == 2
    outcomes = Counter(entry.data["outcome"] for entry in booking_log_entries(event))
    assert outcomes == {"confirmed": 2, "full": count - 2}


def test_the_booking_reads_clearly_in_the_events_history(client, django_user_model, event):
    client.force_login(make_user(django_user_model, "admin", superuser=True))
    book(client, event)
    registration = EventRegistration.objects.get()
    page = client.get(f"/admin/pages/{event.pk}/history/").content.decode()
    assert f"Registration added by an organiser: confirmed (registration {registration.pk})" in page
    assert "yusuf" not in page.lower()


def test_duplicate_on_the_waiting_list_says_so(client, event, organiser):
    client.force_login(organiser)
    for address in ("one@example.org", "two@example.org", "three@example.org"):
        book(client, event, email=address)
    response = book(client, event, email="three@example.org")
    assert any("on the waiting list at number 1" in text for text in message_texts(response))
    assert EventRegistration.objects.filter(email="three@example.org").count() == 1
