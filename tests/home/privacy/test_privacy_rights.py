"""A person's rights: subject access export (command and admin download), erasure,
consent records shown in the admin, and the audit trail of every export."""

import json
from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import ModelLogEntry

import pytest

from blog.comments.models import Comment
from events.factories import STANDARD_QUESTIONS, create_event
from events.models import EventRegistration
from home.models import ConsentText, PrivacyAction
from home.privacy.consent import current_consent, publish_consent
from tests.blog.comments.test_comments_support import comment_data
from tests.events.test_events_support import register
from tests.home.privacy import test_privacy_support as support
from tests.home.privacy.test_privacy_support import OTHER, PERSON, client_for

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index
blog_index = support.blog_index
post = support.post
people = support.people
registration = support.registration
comment = support.comment


@pytest.fixture
def others(client, event, post):
    """Someone else's registration and comment, which must never leak into the person's."""
    register(client, event, name=OTHER["name"], email=OTHER["email"], access_requirements="Other")
    Comment.objects.create(
        page_id=post.pk, name=OTHER["name"], email=OTHER["email"], text="Someone else's words"
    )
    mail.outbox.clear()


@pytest.fixture
def message(home_page):
    """The person's message through the contact form (and someone else's)."""
    from home.demo.content import contact_page

    page = contact_page()
    home_page.add_child(instance=page)
    for email, text in ((PERSON["email"], "A private message"), (OTHER["email"], "Other's")):
        FormSubmission.objects.create(
            page=page,
            form_data={"your_name": "x", "email_address": email.upper(), "your_message": text},
        )
    return FormSubmission.objects.get(form_data__your_message="A private message")


def audit_text():
    """Everything the audit trail holds, as one string."""
    rows = list(PrivacyAction.objects.values()) + list(ModelLogEntry.objects.values())
    return json.dumps(rows, default=str)


def run_export(tmp_path, email=PERSON["email"]):
    path = tmp_path / "export.json"
    call_command("privacy_export", email, "--output", str(path), stdout=StringIO())
    return path, json.loads(path.read_text())


# ---------- Subject access ----------


def test_export_holds_everything_about_the_person_and_nobody_else(
    tmp_path, registration, comment, message, others
):
    path, document = run_export(tmp_path, email="  Amina.Testperson@EXAMPLE.org ")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert document["counts"] == {
        "comments": 1,
        "contributions": 0,
        "mailing_list": 0,
        "messages": 1,
        "rate_limit_counters": 1,  # the cap on confirm-link emails to the address
        "registrations": 1,
        "task_records": 0,
    }

    [reg] = document["data"]["registrations"]
    assert reg["event"] == registration.page.title
    assert (reg["name"], reg["email"], reg["status"]) == (
        PERSON["name"],
        PERSON["email"],
        "confirmed",
    )
    # Every answer, sensitive ones too, under the question's label.
    assert reg["answers"]["Constituency Labour Party"] == PERSON["clp"]
    assert reg["answers"]["Access requirements"] == PERSON["access"]
    assert reg["consent_wording_version"] == registration.consent.version
    assert reg["consent_wording"] == registration.consent.text

    [com] = document["data"]["comments"]
    assert (com["text"], com["email"]) == (PERSON["comment"], PERSON["email"])

    [msg] = document["data"]["messages"]
    assert msg["form"] == "Contact" and msg["answers"]["your_message"] == "A private message"

    given_for = sorted(record["given_for"] for record in document["consent_records"])
    assert given_for == ["comments", "registrations"]
    assert all(record["wording"] and record["given_at"] for record in document["consent_records"])

    text = path.read_text()
    for value in (OTHER["name"], OTHER["email"], "Someone else's words"):
        assert value not in text


def test_export_is_recorded_without_the_email(tmp_path, registration, comment):
    run_export(tmp_path)
    action = PrivacyAction.objects.get(kind="export")
    assert action.counts == {
        "comments": 1,
        "contributions": 0,
        "mailing_list": 0,
        "messages": 0,
        "rate_limit_counters": 1,  # the cap on confirm-link emails to the address
        "registrations": 1,
        "task_records": 0,
    }
    assert action.performed_by is None
    assert ModelLogEntry.objects.filter(action="lmn.privacy.export").count() == 1
    assert PERSON["email"] not in audit_text()


def test_export_of_an_unknown_address_is_empty_and_a_bad_address_is_refused(tmp_path, others):
    _, document = run_export(tmp_path, email="nobody@example.org")
    assert document["counts"] == {
        "comments": 0,
        "contributions": 0,
        "mailing_list": 0,
        "messages": 0,
        "rate_limit_counters": 0,
        "registrations": 0,
        "task_records": 0,
    }
    with pytest.raises(CommandError, match="not a valid email"):
        call_command("privacy_export", "not-an-email", "--output", str(tmp_path / "x.json"))


def test_superuser_download_matches_the_command_and_is_recorded(
    client, people, tmp_path, registration, comment, others
):
    client = client_for(client, people, "superuser")
    form = client.get("/admin/privacy/subject-access/")
    assert 'for="id_email"' in form.content.decode()
    response = client.post("/admin/privacy/subject-access/", {"email": PERSON["email"]})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="privacy-export-')
    assert PERSON["email"] not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    downloaded = json.loads(response.content)
    _, from_command = run_export(tmp_path)
    assert downloaded["data"] == from_command["data"]
    assert OTHER["email"] not in response.content.decode()
    action = PrivacyAction.objects.filter(kind="export", performed_by=people["superuser"]).get()
    assert action.counts == {
        "comments": 1,
        "contributions": 0,
        "mailing_list": 0,
        "messages": 0,
        "rate_limit_counters": 1,  # the cap on confirm-link emails to the address
        "registrations": 1,
        "task_records": 0,
    }
    entry = ModelLogEntry.objects.get(action="lmn.privacy.export", user=people["superuser"])
    assert entry.timestamp is not None
    assert PERSON["email"] not in audit_text()
    # The page lists the download with who made it.
    assert "superuser" in client.get("/admin/privacy/subject-access/").content.decode()


def test_superuser_download_with_a_bad_address_shows_an_error(client, people):
    client = client_for(client, people, "superuser")
    response = client.post("/admin/privacy/subject-access/", {"email": "nope"})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()
    assert not PrivacyAction.objects.exists()


# ---------- Erasure ----------


def test_erasure_removes_everything_frees_the_place_and_promotes_the_waiting_list(
    client, event, post, registration, comment, message, others, tmp_path
):
    # The event (2 places) is now full: a third person waits.
    register(client, event, name="Chloe Waiting", email="chloe.waiting@example.org")
    waiting = EventRegistration.objects.get(email="chloe.waiting@example.org")
    assert waiting.status == EventRegistration.WAITING
    mail.outbox.clear()

    call_command("privacy_erase", PERSON["email"], "--yes", stdout=StringIO())

    erased = EventRegistration.objects.get(pk=registration.pk)
    assert (erased.name, erased.email, erased.form_data) == ("", "", {})
    assert erased.status == EventRegistration.CANCELLED and erased.anonymised_at
    assert not Comment.objects.filter(text=PERSON["comment"]).exists()
    assert not FormSubmission.objects.filter(pk=message.pk).exists()
    # The freed place went to the next person waiting, who was told.
    waiting.refresh_from_db()
    assert waiting.status == EventRegistration.CONFIRMED
    assert [m.to for m in mail.outbox] == [["chloe.waiting@example.org"]]
    assert "A place has come up" in mail.outbox[0].subject
    # Nothing is left to export; the others are untouched.
    _, document = run_export(tmp_path)
    assert document["counts"] == {
        "comments": 0,
        "contributions": 0,
        "mailing_list": 0,
        "messages": 0,
        "rate_limit_counters": 0,
        "registrations": 0,
        "task_records": 0,
    }
    assert EventRegistration.objects.filter(email=OTHER["email"], status="confirmed").exists()
    assert Comment.objects.filter(email=OTHER["email"]).exists()
    # The erasure is on record, without the address.
    action = PrivacyAction.objects.get(kind="erasure")
    assert action.counts == {
        "comments": 1,
        "contributions": 0,
        "mailing_list": 0,
        "messages": 1,
        "rate_limit_counters": 1,  # the cap on confirm-link emails to the address
        "registrations": 1,
        "task_records": 0,
    }
    assert ModelLogEntry.objects.filter(action="lmn.privacy.erasure").exists()
    assert PERSON["email"] not in audit_text() and PERSON["name"] not in audit_text()


def test_erasure_of_a_past_event_keeps_the_status_for_counts(event_index, tmp_path):
    past = create_event(
        event_index,
        title="Last year's roundtable",
        start=timezone.now() - timedelta(days=20),
        questions=STANDARD_QUESTIONS,
    )
    EventRegistration.objects.create(
        page=past,
        name=PERSON["name"],
        email=PERSON["email"],
        form_data={"role": "Member"},
        consent=current_consent(ConsentText.EVENT_REGISTRATION),
        consented_at=timezone.now() - timedelta(days=30),
    )
    call_command("privacy_erase", PERSON["email"], "--yes", stdout=StringIO())
    row = EventRegistration.objects.get(page=past)
    assert row.status == EventRegistration.CONFIRMED and row.email == "" and row.form_data == {}
    assert past.counts["confirmed"] == 1


def test_erasure_asks_first_and_stops_unless_told_to_erase(monkeypatch, registration, comment):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was erased"):
        call_command("privacy_erase", PERSON["email"])
    registration.refresh_from_db()
    assert registration.email == PERSON["email"]
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not PrivacyAction.objects.exists()

    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "erase")
    call_command("privacy_erase", PERSON["email"], stdout=StringIO())
    assert "1 comment, 1 rate limit counter and 1 registration" in asked[0]
    registration.refresh_from_db()
    assert registration.email == ""


def test_erasure_of_an_unknown_address_changes_nothing(others):
    out = StringIO()
    call_command("privacy_erase", "nobody@example.org", "--yes", stdout=out)
    assert "Nothing is held" in out.getvalue()
    assert not PrivacyAction.objects.exists()


def test_old_cancel_link_stops_working_after_erasure(client, registration):
    from events.emails import cancel_url

    link = cancel_url(registration, registration.page.specific)
    call_command("privacy_erase", PERSON["email"], "--yes", stdout=StringIO())
    assert client.get(link.replace("http://testserver", "")).status_code == 404


# ---------- Consent records in the admin ----------


def test_consent_version_is_stored_and_shown_for_registrations(client, people, event):
    register(client, event, name="First Person", email="first@example.org")
    publish_consent(ConsentText.EVENT_REGISTRATION, "New wording for event registration.")
    register(client, event, name="Second Person", email="second@example.org")
    first = EventRegistration.objects.get(email="first@example.org")
    second = EventRegistration.objects.get(email="second@example.org")
    assert (first.consent.version, second.consent.version) == (1, 2)
    assert first.consented_at and second.consented_at

    client = client_for(client, people, "organiser")
    html = client.get(f"/admin/forms/submissions/{event.pk}/").content.decode()
    assert "Consent wording version" in html
    csv_text = b"".join(
        client.get(f"/admin/forms/submissions/{event.pk}/?export=csv").streaming_content
    ).decode()
    rows = {line.split(",")[4]: line for line in csv_text.splitlines()[1:]}
    assert rows["first@example.org"].split(",")[-2] == "1"
    assert rows["second@example.org"].split(",")[-2] == "2"


def test_consent_version_is_stored_and_shown_for_comments(client, people, post):
    response = client.post(
        f"/comments/post/{post.pk}/",
        comment_data(name=PERSON["name"], email=PERSON["email"], text=PERSON["comment"]),
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    stored = Comment.objects.get(email=PERSON["email"])
    assert stored.consent == current_consent(ConsentText.COMMENT)
    assert stored.consent_given_at is not None
    client = client_for(client, people, "moderator")
    html = client.get(f"/admin/comments/inspect/{stored.pk}/").content.decode()
    assert f"Posting a comment, version {stored.consent.version}" in html


def test_consent_boxes_are_never_pre_ticked(client, event, post):
    for url in (event.url, post.url):
        html = client.get(url).content.decode()
        tag_start = html.rindex("<input", 0, html.index('name="consent"'))
        tag = html[tag_start : html.index(">", tag_start)]
        assert 'type="checkbox"' in tag and "checked" not in tag, url


# ---------- Registrations downloads in the audit log ----------


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_registrations_downloads_are_recorded_with_who_and_when(
    client, people, registration, export_format
):
    client = client_for(client, people, "organiser")
    url = f"/admin/forms/submissions/{registration.page_id}/?export={export_format}&sensitive=1"
    response = client.get(url)
    assert response.status_code == 200
    action = PrivacyAction.objects.get(kind="registrations_export")
    assert action.performed_by == people["organiser"]
    assert action.counts == {
        "event_id": registration.page_id,
        "registrations": 1,
        "format": export_format,
        "sensitive_answers": True,
    }
    entry = ModelLogEntry.objects.get(action="lmn.privacy.registrations_export")
    assert entry.user == people["organiser"] and entry.timestamp <= timezone.now()
    # Viewing the list on screen is not an export.
    client.get(f"/admin/forms/submissions/{registration.page_id}/")
    assert PrivacyAction.objects.count() == 1


def test_erasure_keeps_moderation_records_but_not_the_commenters_words(people, comment):
    from blog.comments import services

    services.decide([comment], "approved", people["moderator"])
    entry = ModelLogEntry.objects.get(action="comments.approve")
    assert PERSON["name"] in entry.label
    call_command("privacy_erase", PERSON["email"], "--yes", stdout=StringIO())
    entry.refresh_from_db()
    assert entry.label == f"Erased comment {comment.pk}"
    assert entry.user == people["moderator"]
    assert PERSON["name"] not in audit_text() and "distinctive" not in audit_text()
