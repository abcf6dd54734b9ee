"""Retention: `apply_retention` anonymises each event's registrations N days after it
ends (keeping counts per status) and clears commenters' data, idempotently; a dry
run changes nothing. Time is moved with time-machine."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import ModelLogEntry

import pytest
import time_machine

from blog.comments import moderation
from events.factories import STANDARD_QUESTIONS, create_event
from events.models import EventRegistration
from events.privacy import deletion_date
from home.models import ConsentText, PrivacyAction
from home.privacy.consent import current_consent
from tests.blog.comments.test_comments_support import make_comment
from tests.home.privacy import test_privacy_support as support

pytestmark = pytest.mark.django_db

event_index = support.event_index
blog_index = support.blog_index
post = support.post
people = support.people

ENDED = timezone.now().replace(microsecond=0) - timedelta(days=1)


def past_event(index, title, days=90, ended=ENDED):
    return create_event(
        index,
        title=title,
        start=ended - timedelta(hours=2),
        duration=timedelta(hours=2),
        questions=STANDARD_QUESTIONS,
        delete_registrations_after_days=days,
    )


def add(event, email, status=EventRegistration.CONFIRMED):
    return EventRegistration.objects.create(
        page=event,
        name=f"Name of {email}",
        email=email,
        status=status,
        form_data={"role": "Member", "access_requirements": f"Answer from {email}"},
        consent=current_consent(ConsentText.EVENT_REGISTRATION),
        consented_at=event.start - timedelta(days=3),
    )


@pytest.fixture
def roundtable(event_index):
    """Ended yesterday, deleted after 90 days: 2 confirmed, 1 waiting, 1 cancelled."""
    event = past_event(event_index, "Leeds roundtable")
    add(event, "one@example.org")
    add(event, "two@example.org")
    add(event, "three@example.org", status=EventRegistration.WAITING)
    add(event, "four@example.org", status=EventRegistration.CANCELLED)
    return event


def retention(*args):
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def status_counts(event):
    rows = EventRegistration.objects.filter(page=event).values_list("status", flat=True)
    return {status: list(rows).count(status) for status in set(rows)}


def personal_rows(event):
    return EventRegistration.objects.filter(page=event).exclude(email="")


def test_before_the_cut_off_nothing_is_touched(roundtable):
    with time_machine.travel(deletion_date(roundtable) - timedelta(minutes=1), tick=False):
        assert "Nothing is due for deletion." in retention()
    assert personal_rows(roundtable).count() == 4
    assert not PrivacyAction.objects.exists()


def test_after_the_cut_off_contact_details_and_answers_go_and_counts_stay(roundtable):
    before = status_counts(roundtable)
    assert before == {"confirmed": 2, "waiting": 1, "cancelled": 1}
    with time_machine.travel(deletion_date(roundtable) + timedelta(minutes=1), tick=False):
        out = retention()
    assert "“Leeds roundtable”" in out
    assert "anonymised 4 registration(s) (2 confirmed, 1 waiting list, 1 cancelled)" in out
    assert personal_rows(roundtable).count() == 0
    for row in EventRegistration.objects.filter(page=roundtable):
        assert (row.name, row.email, row.form_data) == ("", "", {})
        assert row.anonymised_at is not None
        assert row.cancel_token.startswith("anonymised-")
    assert status_counts(roundtable) == before
    assert roundtable.counts == {"confirmed": 2, "waiting": 1}
    # The run is on record, with no personal data.
    action = PrivacyAction.objects.get(kind="retention")
    assert action.counts == {"registrations": 1}
    assert ModelLogEntry.objects.filter(action="lmn.privacy.retention").exists()
    for email in ("one@example.org", "Answer from"):
        assert email not in str(action.counts) and email not in out


def test_a_second_run_finds_nothing_and_changes_nothing(roundtable):
    cut_off = deletion_date(roundtable)
    with time_machine.travel(cut_off + timedelta(days=1), tick=False):
        retention()
    first = list(EventRegistration.objects.order_by("pk").values())
    with time_machine.travel(cut_off + timedelta(days=2), tick=False):
        assert "Nothing is due for deletion." in retention()
    assert list(EventRegistration.objects.order_by("pk").values()) == first
    assert PrivacyAction.objects.filter(kind="retention").count() == 1


def test_dry_run_lists_what_would_go_and_changes_nothing(roundtable):
    with time_machine.travel(deletion_date(roundtable) + timedelta(days=1), tick=False):
        out = retention("--dry-run")
    assert "Dry run" in out
    assert "would anonymise 4 registration(s)" in out
    assert personal_rows(roundtable).count() == 4
    assert not PrivacyAction.objects.exists()


def test_each_event_keeps_its_own_period(event_index, roundtable):
    short = past_event(event_index, "Short-notice meeting", days=30)
    add(short, "short@example.org")
    upcoming = create_event(event_index, title="Next month's meeting")
    add(upcoming, "upcoming@example.org")
    with time_machine.travel(ENDED + timedelta(days=31), tick=False):
        out = retention()
    assert "Short-notice meeting" in out and "Leeds roundtable" not in out
    assert personal_rows(short).count() == 0
    assert personal_rows(roundtable).count() == 4
    assert personal_rows(upcoming).count() == 1


def test_anonymised_rows_do_not_clash_with_the_one_per_email_rule(roundtable):
    """Three active rows end up with the same blank email: the database's
    one-registration-per-email constraint must leave anonymised rows out."""
    with time_machine.travel(deletion_date(roundtable) + timedelta(days=1), tick=False):
        retention()
    active = EventRegistration.objects.filter(page=roundtable, email="").exclude(status="cancelled")
    assert active.count() == 3


def test_comment_rule_runs_in_the_same_command(post, roundtable):
    decided = timezone.now()
    make_comment(post, email="commenter@example.org", decided_at=decided)
    make_comment(post, email="waiting@example.org", status=moderation.PENDING)
    with time_machine.travel(decided + timedelta(days=89), tick=False):
        assert "[comments]" not in retention()
    with time_machine.travel(decided + timedelta(days=91), tick=False):
        out = retention()
    assert "[comments] Cleared the email address and visitor hash of 1 decided comment(s)." in out
    emails = set(post.reader_comments.values_list("email", flat=True))
    assert emails == {"", "waiting@example.org"}


def test_editors_see_when_an_events_data_will_be_deleted(client, people, roundtable):
    client.force_login(people["editor"])
    html = client.get(f"/admin/pages/{roundtable.pk}/edit/").content.decode()
    due = timezone.localtime(deletion_date(roundtable))
    assert f"will be deleted on {due.day} {due:%B %Y} (90 days after the event ends)" in html


def test_organisers_see_the_date_beside_each_event_and_on_its_list(client, people, roundtable):
    client.force_login(people["organiser"])
    due = timezone.localtime(deletion_date(roundtable))
    day = f"{due.day} {due:%B %Y}"
    assert day in client.get("/admin/events/registrations/").content.decode()
    listing = client.get(f"/admin/forms/submissions/{roundtable.pk}/").content.decode()
    assert f"deleted on {day}" in listing


def test_form_messages_are_deleted_after_their_period(home_page, settings):
    from wagtail.contrib.forms.models import FormSubmission

    from home.demo.content import contact_page

    settings.LMN_FORM_MESSAGES_RETENTION_DAYS = 30
    page = contact_page()
    home_page.add_child(instance=page)
    sent = FormSubmission.objects.create(page=page, form_data={"email_address": "m@example.org"})
    with time_machine.travel(sent.submit_time + timedelta(days=29), tick=False):
        assert "[messages]" not in retention()
    with time_machine.travel(sent.submit_time + timedelta(days=31), tick=False):
        assert "[messages] Would delete 1 form message(s)" in retention("--dry-run")
        assert FormSubmission.objects.filter(pk=sent.pk).exists()
        assert "[messages] Deleted 1 form message(s) older than 30 days." in retention()
    assert not FormSubmission.objects.filter(pk=sent.pk).exists()


def test_expired_rate_limit_counters_are_deleted(db):
    from home.abuse.ratelimit import hashed_key, hit
    from home.models import RateLimitCounter

    assert hit(hashed_key("comment-email", "someone@example.org"), 5, 3600)
    assert RateLimitCounter.objects.count() == 1
    later = timezone.now() + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        assert "Would delete 1 expired rate-limit counter(s)." in retention("--dry-run")
        assert RateLimitCounter.objects.count() == 1
        assert "[rate_limits] Deleted 1 expired rate-limit counter(s)." in retention()
    assert RateLimitCounter.objects.count() == 0


def test_past_days_view_rows_are_rolled_up_into_the_totals_then_deleted(post):
    from blog import views_count
    from blog.models import BlogPage, PostViewDay, PostViewVisitor
    from home.abuse.visitor import today

    yesterday = today() - timedelta(days=1)
    for who in ("a", "b"):
        assert views_count.record_view(post.pk, who * 64, yesterday)
    assert views_count.record_view(post.pk, "c" * 64, today())
    assert "[view_hashes] Would roll up 2 visitor view row(s)" in retention("--dry-run")
    assert PostViewVisitor.objects.count() == 3
    assert "[view_hashes] Rolled up 2 visitor view row(s)" in retention()
    # Yesterday's rows are gone into the totals; today's stay to spot a repeat visit.
    assert list(PostViewVisitor.objects.values_list("day", flat=True)) == [today()]
    assert PostViewDay.objects.get(post=post, day=yesterday).views == 2
    assert BlogPage.objects.get(pk=post.pk).views == 3
    assert "view_hashes" not in retention()  # nothing left to do: silent


def test_a_new_event_explains_the_rule_before_it_has_dates(client, people, event_index):
    client.force_login(people["editor"])
    response = client.get(f"/admin/pages/add/events/eventpage/{event_index.pk}/")
    assert response.status_code == 200
    assert "Registrations are deleted after the event ends" in response.content.decode()
