"""Fixtures and helpers shared by the events tests (imported by test_events_*.py)."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone

import pytest

from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
from home.models import ConsentText
from home.privacy.consent import current_consent
from tests.utils import human_form_fields


@pytest.fixture
def event_index(home_page):
    return create_event_index(home_page)


@pytest.fixture
def event(event_index):
    """An online members' event in a week with 2 places, a waiting list and the usual questions."""
    return create_event(
        event_index,
        title="Members' roundtable",
        capacity=2,
        questions=STANDARD_QUESTIONS,
        to_address="staff@example.org",
    )


def registration_data(name="Amina Example", email="amina@example.org", **answers):
    """What a person's browser posts to an event page's form."""
    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    data = {
        "full_name": name,
        "email": email,
        "constituency_labour_party": "Example CLP",
        "role": "Member",
        "access_requirements": "Step-free access please",
        "consent": "on",
        "consent_version": str(consent.version),
        **human_form_fields(),
    }
    data.update(answers)
    return data


def submit(client, event, follow=True, **kwargs):
    """Post the public form (which only ever asks for a place: see `register`), and
    follow an accepted form's redirect to "check your inbox" as a browser does
    (`follow=False`: the form's own answer)."""
    return client.post(
        event.url, registration_data(**kwargs), REMOTE_ADDR="192.0.2.10", follow=follow
    )


CONFIRM_SUBJECT = "Please confirm your registration"


def confirm_path(message):
    """The path of the confirm link in a "please confirm" email (the plain-text part)."""
    match = re.search(r"https?://[^/\s]+(/events/confirm/[^\s]+/)", message.body)
    assert match, "no confirm link in the email"
    return match.group(1)


def registration_mails_to(address):
    """What `address` was sent apart from "please confirm" emails."""
    return [m for m in mails_to(address) if not m.subject.startswith(CONFIRM_SUBJECT)]


def confirm_emails_to(address):
    return [m for m in mails_to(address) if m.subject.startswith(CONFIRM_SUBJECT)]


def register(client, event, **kwargs):
    """What a person does: post the form, open the emailed confirm link and press the
    button. Returns the confirm page (or the form's answer when no link was sent)."""
    email = kwargs.get("email", "amina@example.org").strip().lower()
    before = len(confirm_emails_to(email))
    response = submit(client, event, **kwargs)
    links = confirm_emails_to(email)
    if response.status_code != 200 or len(links) == before:
        return response
    return client.post(confirm_path(links[-1]))


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def in_days(days, hour=19):
    now = timezone.localtime()
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_support_module_builds_an_event(event):
    assert event.live and event.form_fields.count() == len(STANDARD_QUESTIONS)
