"""What an event's questions ask, its dates once people have registered, and its
joining details are organisers' settings: an Editor's save that changes them is
refused with the reason; an organiser's is accepted and written to the page's
history."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

import pytest

from events import registration as service
from events.models import EventPage
from home.models import ConsentText
from home.privacy.consent import current_consent
from tests import test_events_support as events_support
from tests.test_security_routing_settings import (
    edit_form,
    errors_of,
    latest,
    make_user,
    question_prefix,
    routing_log,
    save,
)

pytestmark = pytest.mark.django_db

event = events_support.event
event_index = events_support.event_index

CLP = "Constituency Labour Party"


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "editor", "Editors")


@pytest.fixture
def organiser(django_user_model):
    user = make_user(django_user_model, "organiser", "Event organisers")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def registered(event):
    """The event with one confirmed registration (a phone booking)."""
    service.register(
        event,
        name="Amina Example",
        email="amina@example.org",
        answers={},
        consent=current_consent(ConsentText.EVENT_REGISTRATION),
    )
    return event


def refused(response, text):
    assert response.status_code == 200
    assert text in errors_of(response)


# ---------- What a question that is not sensitive asks ----------


@pytest.mark.parametrize(
    ("question", "part", "value"),
    [
        (CLP, "label", "Any health conditions?"),
        (CLP, "help_text", "Also tell us about any health conditions."),
        (CLP, "field_type", "multiline"),
        ("Role", "choices", "Member\nHas a disability\nOther"),
    ],
)
def test_an_editor_cannot_change_what_a_question_that_is_not_sensitive_asks(
    client, editor, event, question, part, value
):
    client.force_login(editor)
    data = edit_form(client, event)
    prefix = question_prefix(data, question)
    data[f"{prefix}-{part}"] = value
    response = save(client, event, data, publish=True)
    refused(response, f"Only Event organisers can change what the question “{question}” asks")
    stored = latest(event).form_fields.get(label=question)
    assert getattr(stored, part) != value
    assert routing_log(event) == []


def test_an_editors_save_that_sends_unchanged_choices_back_as_a_browser_does_is_accepted(
    client, editor, event
):
    # A browser sends a textarea's line breaks as CRLF; the choices are the same ones.
    client.force_login(editor)
    data = edit_form(client, event)
    prefix = question_prefix(data, "Role")
    data[f"{prefix}-choices"] = data[f"{prefix}-choices"].replace("\n", "\r\n") + "\r\n"
    data[f"{prefix}-help_text"] = (data.get(f"{prefix}-help_text") or "") + "  "
    response = save(client, event, data, publish=True)
    assert response.status_code == 302, errors_of(response)
    assert routing_log(event) == []


def test_an_editor_cannot_swap_the_labels_of_two_questions(client, editor, event):
    client.force_login(editor)
    data = edit_form(client, event)
    clp, role = question_prefix(data, CLP), question_prefix(data, "Role")
    data[f"{clp}-label"], data[f"{role}-label"] = "Role", CLP
    response = save(client, event, data)
    refused(response, "Only Event organisers can change what the question")
    assert latest(event).form_fields.get(clean_name="role").label == "Role"


def test_an_editor_may_still_reword_a_sensitive_question(client, editor, event):
    # Its answers stay out of emails and default exports whatever it asks.
    client.force_login(editor)
    data = edit_form(client, event)
    prefix = question_prefix(data, "Access requirements")
    data[f"{prefix}-label"] = "Access or dietary needs"
    response = save(client, event, data)
    assert response.status_code == 302, errors_of(response)
    assert latest(event).form_fields.filter(label="Access or dietary needs").exists()


def test_an_organisers_change_to_a_question_is_saved_and_logged(client, organiser, event):
    client.force_login(organiser)
    data = edit_form(client, event)
    prefix = question_prefix(data, CLP)
    data[f"{prefix}-label"] = "Your CLP"
    response = save(client, event, data)
    assert response.status_code == 302, errors_of(response)
    assert latest(event).form_fields.filter(label="Your CLP").exists()
    [entry] = routing_log(event)
    [change] = entry.data["changes"]
    assert change == {
        "setting": "question_changed",
        "question": CLP,
        "part": "label",
        "from": CLP,
        "to": "Your CLP",
    }
    assert "Your CLP" in entry.message


# ---------- Dates and joining details once people have registered ----------


def form_time(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("end", "Only Event organisers can change the end time"),
        ("start", "Only Event organisers can change the start time"),
        ("joining_link", "Only Event organisers can change the joining link"),
        ("joining_instructions", "Only Event organisers can change the joining instructions"),
    ],
)
def test_once_people_have_registered_an_editor_cannot_change_dates_or_joining_details(
    client, editor, registered, field, message
):
    client.force_login(editor)
    data = edit_form(client, registered)
    if field == "start":
        # Moved with the end, so that the only refusal is the one being tested.
        data["start"] = form_time(registered.start + timedelta(days=3650))
        data["end"] = form_time(registered.end + timedelta(days=3650))
    elif field == "end":
        data["end"] = form_time(registered.end + timedelta(days=3650))
    elif field == "joining_link":
        data["joining_link"] = "https://meet.example.net/editors-own-room"
    else:
        data["joining_instructions"] = "Passcode 1234 (the editor's own room)"
    response = save(client, registered, data, publish=True)
    refused(response, message)
    stored = EventPage.objects.get(pk=registered.pk)
    assert stored.end == registered.end and stored.start == registered.start
    assert stored.joining_link == registered.joining_link
    assert stored.joining_instructions == registered.joining_instructions


def test_once_people_have_registered_an_editors_unchanged_save_is_accepted(
    client, editor, registered
):
    client.force_login(editor)
    data = edit_form(client, registered)
    data["title"] = "Members' roundtable (agenda added)"
    response = save(client, registered, data)
    assert response.status_code == 302, errors_of(response)
    assert routing_log(registered) == []


def test_before_anyone_registers_an_editor_sets_dates_and_joining_details(client, editor, event):
    client.force_login(editor)
    data = edit_form(client, event)
    data["end"] = form_time(event.end + timedelta(hours=1))
    data["joining_link"] = "https://meet.example.org/new-room"
    response = save(client, event, data)
    assert response.status_code == 302, errors_of(response)
    assert latest(event).joining_link == "https://meet.example.org/new-room"


def test_a_pending_request_does_not_count_as_a_registration(client, editor, event):
    events_support.submit(client, event, email="amina@example.org")
    client.force_login(editor)
    data = edit_form(client, event)
    data["joining_link"] = "https://meet.example.org/new-room"
    assert save(client, event, data).status_code == 302


def test_an_organisers_change_of_dates_and_link_is_saved_and_logged(client, organiser, registered):
    client.force_login(organiser)
    data = edit_form(client, registered)
    new_end = registered.end + timedelta(days=1)
    data["end"] = form_time(new_end)
    data["joining_link"] = "https://meet.example.org/moved"
    response = save(client, registered, data, publish=True)
    assert response.status_code == 302, errors_of(response)
    stored = EventPage.objects.get(pk=registered.pk)
    assert form_time(stored.end) == form_time(new_end)
    [entry] = routing_log(registered)
    changes = {change["setting"]: change for change in entry.data["changes"]}
    assert set(changes) == {"end", "joining_link"}
    assert changes["end"]["from"] == form_time(registered.end)
    assert changes["end"]["to"] == form_time(new_end)
    assert changes["joining_link"]["to"] == "https://meet.example.org/moved"
