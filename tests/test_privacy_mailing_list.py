"""The optional mailing-list opt-in: separate from consent on both forms, its own
record (email, wording version, time), signed unsubscribe links, subject access and
erasure, retention leaving it alone, and the superuser-only admin list."""

import csv
import io
import json
import re
from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

import pytest
from bs4 import BeautifulSoup

from blog.comments import moderation
from blog.comments.models import Comment
from home.models import ConsentText, MailingListSubscriber, PrivacyAction
from home.privacy import mailing_list
from home.privacy import registry as privacy
from home.privacy.consent import current_consent, publish_consent
from tests import test_privacy_support as support
from tests.test_comments_support import comment_data, post_url
from tests.test_events_support import register, registration_data
from tests.test_privacy_access import body, denied
from tests.test_privacy_support import OTHER, PERSON, ROLES, client_for

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index
blog_index = support.blog_index
post = support.post
people = support.people


def subscribers():
    return list(MailingListSubscriber.objects.all())


def comment(client, post, **overrides):
    return client.post(post_url(post), comment_data(**overrides), REMOTE_ADDR="192.0.2.20")


def registration_emails():
    """The outbox without "please confirm" emails (the mailing list's, and the
    registration's confirm request)."""
    return [m for m in mail.outbox if "Please confirm" not in m.subject]


def unsubscribe_link(text):
    [line] = [part for part in text.split() if "/mailing-list/unsubscribe/" in part]
    return line[line.index("/mailing-list/") :]


# ---------- The forms ----------


def assert_separate_unticked_box(html, consent_name="consent"):
    """The consent box and the mailing-list box are two inputs; the mailing-list box is
    alone in a fieldset legended "Mailing list (optional)", labelled with the current
    wording, not ticked and not required; the consent box stays required."""
    soup = BeautifulSoup(html, "html.parser")
    consent = soup.find("input", attrs={"name": consent_name})
    [box] = soup.find_all("input", attrs={"name": "mailing_list"})
    assert consent is not None and consent["type"] == "checkbox"
    assert consent.has_attr("required") and not consent.has_attr("checked")
    assert box["type"] == "checkbox"
    assert not box.has_attr("checked") and not box.has_attr("required")

    group = box.find_parent("fieldset")
    assert group is not None
    assert " ".join(group.legend.get_text().split()) == "Mailing list (optional)"
    assert consent.find_parent("fieldset") is not group  # not inside the opt-in's group
    label = soup.find("label", attrs={"for": box["id"]})
    wording = current_consent(ConsentText.MAILING_LIST).text
    assert label.get_text(strip=True) == wording
    consent_label = soup.find("label", attrs={"for": consent["id"]})
    assert wording not in consent_label.get_text()
    hint = soup.find(id=group["aria-describedby"])
    assert "separate from the box above" in hint.get_text().lower()


def test_registration_form_has_a_separate_unticked_mailing_list_box(client, event):
    response = client.get(event.url)
    assert response.status_code == 200
    assert_separate_unticked_box(response.content.decode())


def test_comment_form_has_a_separate_unticked_mailing_list_box(client, post):
    response = client.get(post.url)
    assert response.status_code == 200
    assert_separate_unticked_box(response.content.decode())


def test_mailing_list_box_does_not_stand_in_for_consent(client, event, post):
    data = registration_data(email=PERSON["email"], mailing_list="yes")
    del data["consent"]
    assert client.post(event.url, data).status_code == 400
    assert comment(client, post, consent=None, mailing_list="yes").status_code == 400
    assert not event.eventregistration_set.exists() and not Comment.objects.exists()
    assert subscribers() == []


# ---------- Opting in ----------


def test_opt_in_through_registration_stores_email_wording_and_time(client, event):
    wording = current_consent(ConsentText.MAILING_LIST)
    before = timezone.now()
    response = register(client, event, email="  Amina.Testperson@Example.ORG ", mailing_list="yes")
    assert response.status_code == 200

    [subscriber] = subscribers()
    assert subscriber.email == PERSON["email"]
    assert subscriber.consent == wording and subscriber.consent.purpose == "mailing_list"
    assert before <= subscriber.consented_at <= timezone.now()
    assert subscriber.source == MailingListSubscriber.EVENT_REGISTRATION
    # The opt-in is not an answer to the event's questions.
    registration = event.eventregistration_set.get()
    assert "mailing_list" not in registration.form_data
    assert registration.consent.purpose == "event_registration"


def test_opt_in_through_comment_stores_email_wording_and_time(client, post):
    before = timezone.now()
    response = comment(client, post, email="Aisha@Example.org", mailing_list="yes")
    assert response.status_code == 302
    [subscriber] = subscribers()
    assert subscriber.email == "aisha@example.org"
    assert subscriber.consent == current_consent(ConsentText.MAILING_LIST)
    assert before <= subscriber.consented_at <= timezone.now()
    assert subscriber.source == MailingListSubscriber.COMMENT
    assert Comment.objects.get().consent.purpose == "comment"


def test_without_the_box_nobody_is_subscribed(client, event, post):
    assert register(client, event, email=PERSON["email"]).status_code == 200
    assert comment(client, post, email=PERSON["email"]).status_code == 302
    assert event.eventregistration_set.count() == 1 and Comment.objects.count() == 1
    assert subscribers() == []


def test_opting_in_again_keeps_one_record_with_the_newest_wording(client, event, post):
    register(client, event, email=PERSON["email"], mailing_list="yes")
    [first] = subscribers()
    newer = publish_consent(
        ConsentText.MAILING_LIST, "New words: occasional emails, unsubscribe any time."
    )
    comment(client, post, email=PERSON["email"].upper(), mailing_list="yes")
    register(client, event, email=PERSON["email"], mailing_list="yes")  # a duplicate registration

    [subscriber] = subscribers()
    assert subscriber.pk == first.pk and subscriber.unsubscribe_token == first.unsubscribe_token
    assert subscriber.consent == newer and subscriber.consented_at > first.consented_at
    assert subscriber.source == MailingListSubscriber.EVENT_REGISTRATION  # where it began


def test_a_spam_submission_subscribes_nobody(client, event, post):
    register(
        client, event, email=PERSON["email"], mailing_list="yes", website_address="http://spam"
    )
    comment(client, post, email=PERSON["email"], mailing_list="yes", website_address="http://spam")
    assert subscribers() == []


def test_opt_in_refuses_an_empty_address_or_unknown_source(db):
    with pytest.raises(ValueError):
        mailing_list.opt_in("   ", mailing_list.COMMENT)
    with pytest.raises(ValueError):
        mailing_list.opt_in(PERSON["email"], "newsletter")
    assert subscribers() == []


# ---------- Unsubscribing ----------


def test_confirmation_email_links_to_unsubscribe_only_for_subscribers(client, event):
    register(client, event, email=OTHER["email"])
    register(client, event, email=PERSON["email"], mailing_list="yes")
    [other_mail] = [m for m in registration_emails() if m.to == [OTHER["email"]]]
    [person_mail] = [m for m in registration_emails() if m.to == [PERSON["email"]]]
    assert "/mailing-list/" not in other_mail.body
    link = unsubscribe_link(person_mail.body)
    assert link in person_mail.alternatives[0][0]
    assert mailing_list.find_by_code(link.split("/")[-2]) == MailingListSubscriber.objects.get()


def test_unsubscribe_link_asks_first_then_works_once_and_stays_harmless(client, event):
    register(client, event, email=PERSON["email"], mailing_list="yes")
    [person_mail] = [m for m in registration_emails() if m.to == [PERSON["email"]]]
    link = unsubscribe_link(person_mail.body)

    page = client.get(link)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and page["X-Robots-Tag"] == "noindex"
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.h1.get_text(strip=True) == "Unsubscribe from our mailing list?"
    assert soup.find("button", attrs={"type": "submit"}).get_text(strip=True) == "Unsubscribe"
    assert MailingListSubscriber.objects.count() == 1  # a GET (link preview) changes nothing

    done = client.post(link)
    assert done.status_code == 200
    assert b"You have unsubscribed" in done.content
    assert subscribers() == []

    again = client.post(link)
    assert again.status_code == 200 and b"You were already unsubscribed" in again.content
    later = client.get(link)
    assert later.status_code == 200 and b"You are not on our mailing list" in later.content
    assert b"<form" not in BeautifulSoup(later.content, "html.parser").main.encode()
    # The registration is untouched.
    assert event.eventregistration_set.get().status == "confirmed"


def test_forged_or_broken_links_are_refused(client, db):
    subscriber = mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)
    genuine = mailing_list.make_unsubscribe_code(subscriber)
    forged = [
        subscriber.unsubscribe_token,  # the raw token, unsigned
        genuine[:-3] + ("aaa" if not genuine.endswith("aaa") else "bbb"),  # altered signature
        genuine[:20],  # truncated
        "x" * 40 + ":" + genuine.split(":")[-1],  # another token with the genuine signature
    ]
    for code in forged:
        url = reverse("mailing_list_unsubscribe", args=[code])
        assert client.get(url).status_code == 404, code
        assert client.post(url).status_code == 404, code
    assert subscribers() == [subscriber]
    assert client.post(reverse("mailing_list_unsubscribe", args=[genuine])).status_code == 200
    assert subscribers() == []


def test_unsubscribe_is_a_plain_function_too(db):
    subscriber = mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)
    code = mailing_list.make_unsubscribe_code(subscriber)
    assert mailing_list.unsubscribe(code) is True
    assert mailing_list.unsubscribe(code) is False
    with pytest.raises(mailing_list.InvalidLink):
        mailing_list.unsubscribe("not-a-code")


# ---------- Double opt-in ----------


def confirm_link(text):
    [line] = [part for part in text.split() if "/mailing-list/confirm/" in part]
    return line[line.index("/mailing-list/") :]


def confirmation_emails():
    return [m for m in mail.outbox if "/mailing-list/confirm/" in m.body]


def test_opting_in_emails_a_confirmation_link_at_most_once_a_day(client, event):
    import time_machine

    register(client, event, email=PERSON["email"], mailing_list="yes")
    [message] = confirmation_emails()
    assert message.to == [PERSON["email"]]
    assert "/mailing-list/unsubscribe/" in message.body  # and a way to say no at once
    html, _ = message.alternatives[0]
    assert confirm_link(message.body) in html
    subscriber = MailingListSubscriber.objects.get()
    assert subscriber.confirmed_at is None

    mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)  # again the same day
    assert len(confirmation_emails()) == 1
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)
    assert len(confirmation_emails()) == 2

    mailing_list.confirm(subscriber)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)
    assert len(confirmation_emails()) == 2  # confirmed: nothing more to ask


def test_confirm_link_asks_first_then_confirms_once(client, db):
    mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)
    path = confirm_link(confirmation_emails()[0].body)

    ask = client.get(path)
    assert ask.status_code == 200
    assert "Confirm you want our emails?" in ask.content.decode()
    assert "no-store" in ask["Cache-Control"] and ask["X-Robots-Tag"] == "noindex"
    assert MailingListSubscriber.objects.get().confirmed_at is None  # a GET changes nothing

    done = client.post(path)
    assert done.status_code == 200 and "Thank you for confirming" in done.content.decode()
    confirmed_at = MailingListSubscriber.objects.get().confirmed_at
    assert confirmed_at is not None
    again = client.post(path)
    assert "You had confirmed already" in again.content.decode()
    assert MailingListSubscriber.objects.get().confirmed_at == confirmed_at
    assert "You are on our mailing list" in client.get(path).content.decode()


def test_confirm_links_cannot_be_forged_or_used_after_unsubscribing(client, db):
    subscriber = mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)
    unsubscribe_code = mailing_list.make_unsubscribe_code(subscriber)
    for code in (subscriber.unsubscribe_token, unsubscribe_code, "x" * 30):
        url = reverse("mailing_list_confirm", args=[code])
        assert client.get(url).status_code == 404, code
        assert client.post(url).status_code == 404, code
    assert MailingListSubscriber.objects.get().confirmed_at is None

    path = confirm_link(confirmation_emails()[0].body)
    mailing_list.unsubscribe(unsubscribe_code)
    response = client.post(path)
    assert response.status_code == 200
    assert "There is nothing to confirm" in response.content.decode()
    assert not MailingListSubscriber.objects.exists()


def test_unconfirmed_subscriptions_are_deleted_after_thirty_days(db):
    now = timezone.now()
    confirmed = mailing_list.opt_in("yes@example.org", mailing_list.COMMENT, now=now)
    mailing_list.confirm(confirmed)
    mailing_list.opt_in("no@example.org", mailing_list.COMMENT, now=now)
    recent = now + timedelta(days=20)
    mailing_list.opt_in("recent@example.org", mailing_list.COMMENT, now=recent)

    later = now + timedelta(days=31)
    assert privacy.apply_retention(now=later, dry_run=True)["mailing_list"] == [
        "Mailing list: would delete 1 unconfirmed subscription(s) older than 30 days."
    ]
    assert MailingListSubscriber.objects.count() == 3
    privacy.apply_retention(now=later)
    assert sorted(s.email for s in subscribers()) == ["recent@example.org", "yes@example.org"]
    assert privacy.apply_retention(now=later)["mailing_list"] == []  # nothing left to do


def test_confirmation_task_sends_nothing_once_unsubscribed_or_confirmed(db):
    from home.privacy.tasks import send_mailing_list_confirmation

    subscriber = mailing_list.opt_in(PERSON["email"], mailing_list.COMMENT)
    mail.outbox.clear()
    mailing_list.confirm(subscriber)
    assert send_mailing_list_confirmation.func(subscriber.pk) is False
    subscriber.delete()
    assert send_mailing_list_confirmation.func(subscriber.pk) is False
    assert mail.outbox == []


# ---------- Subject access, erasure, retention ----------


def test_privacy_export_includes_the_subscription_with_its_wording(tmp_path, client, event):
    register(client, event, email=PERSON["email"], mailing_list="yes")
    register(client, event, email=OTHER["email"], mailing_list="yes")
    path = tmp_path / "export.json"
    call_command("privacy_export", PERSON["email"], "--output", str(path), stdout=StringIO())
    document = json.loads(path.read_text())

    subscriber = MailingListSubscriber.objects.get(email=PERSON["email"])
    [row] = document["data"]["mailing_list"]
    assert row["email"] == PERSON["email"]
    assert row["consent_wording_version"] == subscriber.consent.version
    assert row["consent_wording"] == current_consent(ConsentText.MAILING_LIST).text
    assert row["consented_at"] == subscriber.consented_at.isoformat()
    assert row["confirmed_at"] is None  # not confirmed yet
    assert document["counts"]["mailing_list"] == 1
    assert "mailing_list" in [record["given_for"] for record in document["consent_records"]]
    assert OTHER["email"] not in path.read_text()
    assert PrivacyAction.objects.get(kind="export").counts["mailing_list"] == 1


def test_privacy_erase_removes_the_subscription_and_nobody_elses(client, event):
    register(client, event, email=PERSON["email"], mailing_list="yes")
    register(client, event, email=OTHER["email"], mailing_list="yes")
    call_command("privacy_erase", PERSON["email"].upper(), "--yes", stdout=StringIO())
    assert [s.email for s in subscribers()] == [OTHER["email"]]
    assert PrivacyAction.objects.get(kind="erasure").counts["mailing_list"] == 1


def test_retention_of_registrations_and_comments_leaves_the_subscription(client, event, post):
    register(client, event, email=PERSON["email"], mailing_list="yes")
    comment(client, post, email=PERSON["email"], mailing_list="yes")
    mailing_list.confirm(MailingListSubscriber.objects.get())  # confirmed: kept
    Comment.objects.update(status=moderation.APPROVED, decided_at=timezone.now())
    later = event.end + timedelta(days=event.delete_registrations_after_days + 400)
    privacy.apply_retention(now=later)
    assert event.eventregistration_set.get().email == ""  # the registration was anonymised
    assert Comment.objects.get().email == ""  # and the comment's address cleared
    assert [s.email for s in subscribers()] == [PERSON["email"]]


# ---------- The admin list ----------


def admin_urls(subscriber):
    base = "/admin/mailing-list/"
    return {
        "list": (base, True),
        "search": (f"{base}?q=amina", True),
        "csv": (f"{base}?export=csv", True),
        "xlsx": (f"{base}?export=xlsx", True),
        "inspect": (f"{base}inspect/{subscriber.pk}/", True),
        "add": (f"{base}new/", False),
        "edit": (f"{base}edit/{subscriber.pk}/", False),
        "delete": (f"{base}delete/{subscriber.pk}/", False),
    }


@pytest.mark.parametrize("role", ROLES)
def test_admin_list_is_for_superusers_only_and_read_only(client, people, role):
    subscriber = mailing_list.opt_in(PERSON["email"], mailing_list.EVENT_REGISTRATION)
    mailing_list.confirm(subscriber)  # downloads hold confirmed subscribers only
    client = client_for(client, people, role)
    for name, (url, superusers_may) in admin_urls(subscriber).items():
        response = client.get(url)
        if role == "superuser" and superusers_may:
            assert response.status_code == 200, name
            if name != "xlsx":
                assert PERSON["email"].encode() in body(response), name
        else:
            assert denied(response), (role, name, response.status_code)
            assert PERSON["email"].encode() not in body(response), name
    # Nobody can change the list from the admin.
    client.post(f"/admin/mailing-list/delete/{subscriber.pk}/")
    client.post(f"/admin/mailing-list/edit/{subscriber.pk}/", {"email": "x@example.org"})
    assert [s.email for s in subscribers()] == [PERSON["email"]]


@pytest.mark.parametrize("role", ROLES[1:])
def test_settings_menu_offers_the_mailing_list_only_to_superusers(client, people, role):
    html = client_for(client, people, role).get("/admin/").content.decode()
    assert ("/admin/mailing-list/" in html) == (role == "superuser")


def test_csv_download_is_audit_logged_without_addresses(client, people):
    for address in (PERSON["email"], "=HYPERLINK(1)@example.org"):
        mailing_list.confirm(mailing_list.opt_in(address, mailing_list.COMMENT))
    mailing_list.opt_in("never-confirmed@example.org", mailing_list.COMMENT)
    client.force_login(people["superuser"])
    # Listed in the admin, but the download holds only people who confirmed.
    assert b"never-confirmed@example.org" in body(client.get("/admin/mailing-list/"))
    response = client.get("/admin/mailing-list/?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert sorted(row["Email"] for row in rows) == ["'=hyperlink(1)@example.org", PERSON["email"]]
    assert {row["Consent wording"] for row in rows} == {
        str(current_consent(ConsentText.MAILING_LIST))
    }

    action = PrivacyAction.objects.get(kind="mailing_list_export")
    assert action.performed_by == people["superuser"]
    assert action.counts == {"subscribers": 2, "format": "csv"}
    entry = ModelLogEntry.objects.get(action="lmn.privacy.mailing_list_export")
    assert entry.user_id == people["superuser"].pk
    audit = json.dumps(
        list(PrivacyAction.objects.values()) + list(ModelLogEntry.objects.values()), default=str
    )
    assert PERSON["email"] not in audit
    # Looking at the list is not a download: only the export was recorded.
    client.get("/admin/mailing-list/")
    assert PrivacyAction.objects.filter(kind="mailing_list_export").count() == 1


def test_demo_privacy_notice_explains_the_mailing_list(client, home_page):
    from home.demo.content import load_home_content

    load_home_content(home_page, StringIO())
    html = client.get("/privacy-notice/").content.decode()
    assert "Our mailing list" in html
    for phrase in ("separate box", "never ticked for you", "until you unsubscribe"):
        assert phrase in html, phrase
    assert "We do not add anyone to a mailing list" not in html


# ---------- In a browser ----------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_person_opts_in_on_the_form_then_unsubscribes_from_the_email(
    browser_page, live_server, home_page, settings
):
    from urllib.parse import urlsplit

    from wagtail.models import Site

    from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
    from tests.conftest import assert_no_axe_violations

    settings.LMN_MIN_FORM_FILL_SECONDS = 0
    address = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
    event = create_event(
        create_event_index(home_page), title="Members' roundtable", questions=STANDARD_QUESTIONS
    )
    tab = browser_page
    tab.goto(live_server.url + event.url)
    tab.get_by_label("Full name").fill(PERSON["name"])
    tab.get_by_label("Email address").fill(PERSON["email"])
    tab.get_by_label("Constituency Labour Party").fill(PERSON["clp"])
    tab.get_by_label("Member", exact=True).check()
    tab.locator("#id_consent").check()
    group = tab.get_by_role("group", name="Mailing list (optional)")
    box = group.get_by_role("checkbox", name=current_consent(ConsentText.MAILING_LIST).text)
    assert not box.is_checked()
    box.check()
    tab.get_by_role("button", name="Register").click()
    tab.get_by_role("heading", name="Check your inbox to confirm your place").wait_for()
    # The wish waits on the pending registration until the person confirms it.
    assert not MailingListSubscriber.objects.exists()
    [place] = [m for m in mail.outbox if "/events/confirm/" in m.body]
    place_link = re.search(r"https?://[^/\s]+(/events/confirm/\S+/)", place.body).group(1)
    tab.goto(live_server.url + place_link)
    tab.get_by_role("button", name="Confirm my place").click()
    tab.get_by_role("heading", name="Your place is confirmed").wait_for()
    assert MailingListSubscriber.objects.get().email == PERSON["email"]

    [request] = confirmation_emails()
    tab.goto(live_server.url + confirm_link(request.body))
    tab.get_by_role("heading", name="Confirm you want our emails?").wait_for()
    assert_no_axe_violations(tab)
    tab.get_by_role("button", name="Confirm").click()
    tab.get_by_role("heading", name="You are on our mailing list").wait_for()
    assert_no_axe_violations(tab)
    assert MailingListSubscriber.objects.get().confirmed_at is not None

    [message] = registration_emails()[:1]
    tab.goto(live_server.url + unsubscribe_link(message.body))
    tab.get_by_role("heading", name="Unsubscribe from our mailing list?").wait_for()
    assert_no_axe_violations(tab)
    tab.get_by_role("button", name="Unsubscribe").click()
    tab.get_by_role("heading", name="You have unsubscribed").wait_for()
    assert_no_axe_violations(tab)
    assert not MailingListSubscriber.objects.exists()
