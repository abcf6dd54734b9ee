"""Registering through the event page: every rule, through Django's test client."""

from datetime import timedelta

from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

import pytest
import time_machine

from events.factories import create_event
from events.models import EventRegistration
from home.models import ConsentText
from home.privacy.consent import current_consent, publish_consent
from tests.events import test_events_support as support
from tests.events.test_events_support import in_days, register, registration_data, submit
from tests.utils import human_form_fields

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them as attributes of this module).
event = support.event
event_index = support.event_index


def test_form_has_fixed_fields_questions_and_an_unticked_consent_box(client, event):
    response = client.get(event.url)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("full_name", "email", "constituency_labour_party", "role", "consent"):
        assert f'name="{name}"' in html
    consent_input = html[html.index('name="consent"') - 200 : html.index('name="consent"') + 200]
    assert "checked" not in consent_input
    assert current_consent(ConsentText.EVENT_REGISTRATION).text in html
    assert 'for="id_full_name"' in html


def test_registering_confirms_a_place_and_stores_consent_evidence(client, event):
    before = timezone.now()
    response = register(client, event, email="Amina@Example.ORG ")
    assert response.status_code == 200
    assert "Your place is confirmed" in response.content.decode()
    registration = EventRegistration.objects.get(page=event)
    assert registration.status == EventRegistration.CONFIRMED
    assert registration.email == "amina@example.org"
    assert registration.name == "Amina Example"
    assert registration.form_data["role"] == "Member"
    assert "full_name" not in registration.form_data and "consent" not in registration.form_data
    assert registration.consent == current_consent(ConsentText.EVENT_REGISTRATION)
    assert before <= registration.consented_at <= timezone.now()


def test_when_full_people_join_the_waiting_list_with_their_position(client, event):
    register(client, event, email="one@example.org")
    register(client, event, email="two@example.org")
    response = register(client, event, email="three@example.org")
    assert "number 1 on the waiting list" in response.content.decode()
    response = register(client, event, email="four@example.org")
    assert "number 2 on the waiting list" in response.content.decode()
    statuses = dict(EventRegistration.objects.values_list("email", "status"))
    assert statuses == {
        "one@example.org": "confirmed",
        "two@example.org": "confirmed",
        "three@example.org": "waiting",
        "four@example.org": "waiting",
    }


def test_full_event_without_waiting_list_says_fully_booked(client, event_index):
    event = create_event(event_index, title="Small event", capacity=1, waiting_list_enabled=False)
    register(client, event, email="one@example.org")
    page = client.get(event.url).content.decode()
    assert "Fully booked" in page
    assert 'name="email"' not in page
    response = register(client, event, email="two@example.org")
    assert response.status_code == 409
    assert EventRegistration.objects.filter(page=event).count() == 1


def test_registering_again_after_cancelling_is_allowed(client, event):
    from events.registration import cancel

    register(client, event, email="amina@example.org")
    cancel(EventRegistration.objects.get(page=event))
    register(client, event, email="amina@example.org")
    assert list(
        EventRegistration.objects.filter(page=event).order_by("id").values_list("status", flat=True)
    ) == ["cancelled", "confirmed"]


def test_before_registration_opens_the_form_is_replaced_by_a_message(client, event_index):
    event = create_event(
        event_index,
        start=in_days(20),
        registration_opens=in_days(5, hour=9),
    )
    page = client.get(event.url).content.decode()
    assert "Registration opens on" in page
    assert 'name="email"' not in page
    response = register(client, event)
    assert response.status_code == 409
    assert not EventRegistration.objects.exists()


def test_after_registration_closes_the_form_is_replaced_by_a_message(client, event_index):
    event = create_event(
        event_index, start=in_days(10), registration_closes=timezone.now() - timedelta(hours=1)
    )
    page = client.get(event.url).content.decode()
    assert "Registration has closed" in page
    assert register(client, event).status_code == 409
    assert not EventRegistration.objects.exists()


def test_window_opens_on_time(client, event_index):
    opens = in_days(3, hour=9)
    event = create_event(event_index, start=in_days(20), registration_opens=opens)
    with time_machine.travel(opens + timedelta(minutes=1)):
        response = register(client, event)
    assert response.status_code == 200
    assert EventRegistration.objects.filter(page=event, status="confirmed").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "   ", "Enter your full name"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("consent", "", "Tick the box to agree"),
        ("role", "Not a choice", "Select a valid choice"),
    ],
)
def test_bad_input_gets_field_errors_not_500(client, event, field, value, message):
    data = registration_data()
    if value == "" and field == "consent":
        data.pop("consent")
    else:
        data[field] = value
    response = client.post(event.url, data, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert "There is a problem" in html
    assert not EventRegistration.objects.exists()


def test_oversized_and_garbage_posts_are_400_not_500(client, event):
    data = registration_data(name="x" * 5000, email="a" * 300 + "@example.org")
    data["consent_version"] = "not-a-number"
    response = client.post(event.url, data, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 400
    assert not EventRegistration.objects.exists()


def test_changed_consent_wording_asks_to_tick_again(client, event):
    data = registration_data()
    publish_consent(ConsentText.EVENT_REGISTRATION, "New wording for the test.")
    response = client.post(event.url, data, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 400
    assert "The wording below changed" in response.content.decode()
    assert not EventRegistration.objects.exists()


def test_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(client, event):
    data = registration_data()
    data["website_address"] = "http://spam.example"
    response = client.post(event.url, data, REMOTE_ADDR="192.0.2.10")
    assert (response.status_code, response["Location"]) == (303, f"{event.url}?sent=1")
    assert not EventRegistration.objects.exists()
    assert mail.outbox == []


def test_too_quick_submission_is_asked_to_try_again(client, event):
    data = registration_data()
    data.update(human_form_fields(seconds_ago=0))
    response = client.post(event.url, data, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 400
    assert "quicker than we expected" in response.content.decode()
    assert not EventRegistration.objects.exists()


@override_settings(LMN_EVENT_REGISTRATIONS_PER_HOUR=3)
def test_rate_limit_per_visitor(client, event_index):
    event = create_event(event_index, capacity=None)
    for number in range(3):
        assert register(client, event, email=f"p{number}@example.org").status_code == 200
    response = register(client, event, email="p4@example.org")
    assert response.status_code == 429
    assert "Please wait a while" in response.content.decode()
    assert EventRegistration.objects.count() == 3
    # Another visitor (another address) is not affected.
    other = client.post(
        event.url, registration_data(email="p5@example.org"), REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 303


def test_editor_questions_may_not_reuse_fixed_field_names(event):
    from events.models import EventPage

    form_class = EventPage.get_edit_handler().get_form_class()
    data = {
        "title": event.title,
        "slug": event.slug,
        "audience": "members",
        "start": event.start.strftime("%Y-%m-%d %H:%M"),
        "end": event.end.strftime("%Y-%m-%d %H:%M"),
        "attendance": "online",
        "joining_link": "https://meet.example.org/x",
        "delete_registrations_after_days": "90",
        "description-count": "0",
        "what_we_heard-count": "0",
        "contributions_days_after": "14",
        "delete_contributions_after_days": "90",
        "contribution_fields-TOTAL_FORMS": "0",
        "contribution_fields-INITIAL_FORMS": "0",
        "contribution_fields-MIN_NUM_FORMS": "0",
        "contribution_fields-MAX_NUM_FORMS": "1000",
        "form_fields-TOTAL_FORMS": "1",
        "form_fields-INITIAL_FORMS": "0",
        "form_fields-MIN_NUM_FORMS": "0",
        "form_fields-MAX_NUM_FORMS": "1000",
        "form_fields-0-label": "Email",
        "form_fields-0-field_type": "singleline",
        "form_fields-0-required": "on",
        "form_fields-0-ORDER": "1",
    }
    form = form_class(data, instance=event, for_user=None)
    assert not form.is_valid()
    errors = form.formsets["form_fields"].forms[0].errors
    assert "already asks for full name, email and consent" in str(errors)


def test_an_accepted_form_redirects_to_one_cacheable_check_your_inbox_page(client, event):
    """Post/Redirect/Get: reloading the answer never sends the form again, and the
    page is the same for everyone, so the front cache keeps it (publishing the event
    purges it: tests/home/web/test_frontend_cache_purge.py)."""
    response = submit(client, event, follow=False)
    assert response.status_code == 303
    assert response["Location"] == f"{event.url}?sent=1"
    assert EventRegistration.objects.count() == 1
    landing = Client().get(response["Location"])
    assert landing.status_code == 200
    assert "Check your inbox to confirm your place" in landing.content.decode()
    assert "private" not in landing.get("Cache-Control", "")
    assert EventRegistration.objects.count() == 1  # reloading sends nothing
