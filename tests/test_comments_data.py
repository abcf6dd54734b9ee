"""Commenters' personal data is deleted on time; demo comments load cleanly."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

import pytest
import time_machine

from blog.comments import moderation
from blog.comments.demo import DEMO_COMMENTS, load_comments
from blog.comments.models import Comment, CommentReport, CommentSettings
from tests import test_comments_support as support
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
post = support.post


def purge():
    out = io.StringIO()
    call_command("purge_comment_data", stdout=out)
    return out.getvalue()


def test_purge_clears_email_and_hash_after_the_retention_period(post):
    decided = timezone.now() - timedelta(days=91)
    old = make_comment(
        post, email="old@example.org", visitor_hash="a" * 64, text="old", decided_at=decided
    )
    recent = make_comment(
        post,
        email="recent@example.org",
        visitor_hash="b" * 64,
        text="recent",
        decided_at=timezone.now() - timedelta(days=89),
    )
    waiting = make_comment(
        post,
        status=moderation.PENDING,
        email="waiting@example.org",
        visitor_hash="c" * 64,
        text="waiting",
        created_at=timezone.now() - timedelta(days=200),
    )
    output = purge()
    assert "Cleared the email address and visitor hash of 1 comment decided more than 90" in (
        output
    )
    old.refresh_from_db()
    assert (old.email, old.visitor_hash) == ("", "")
    assert old.personal_data_cleared_at is not None
    # The name and the text stay: they are what was published.
    assert (old.name, old.text, old.status) == ("Reader", "old", moderation.APPROVED)
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert recent.email == "recent@example.org"
    assert waiting.email == "waiting@example.org"


def test_purge_is_idempotent(post):
    make_comment(post, email="x@example.org", decided_at=timezone.now() - timedelta(days=100))
    assert "of 1 comment" in purge()
    assert "of 0 comments" in purge()


def test_purge_follows_the_retention_setting_and_time(post):
    settings = CommentSettings.load()
    settings.retention_days = 30
    settings.save()
    make_comment(
        post, email="x@example.org", decided_at=timezone.now() - timedelta(days=10), text="a"
    )
    assert "of 0 comments" in purge()
    with time_machine.travel(timezone.now() + timedelta(days=21), tick=False):
        assert "of 1 comment decided more than 30 days ago" in purge()


def test_purge_clears_old_report_hashes(post):
    comment = make_comment(post)
    CommentReport.objects.create(
        comment=comment, visitor_hash="d" * 64, created_at=timezone.now() - timedelta(days=95)
    )
    CommentReport.objects.create(comment=comment, visitor_hash="e" * 64)
    output = purge()
    assert "visitor hash of 1 report" in output
    assert set(CommentReport.objects.values_list("visitor_hash", flat=True)) == {"", "e" * 64}


def test_purge_dry_run_changes_nothing(post):
    make_comment(post, email="x@example.org", decided_at=timezone.now() - timedelta(days=100))
    out = io.StringIO()
    call_command("purge_comment_data", "--dry-run", stdout=out)
    assert "Would clear the email address and visitor hash of 1 comment" in out.getvalue()
    assert Comment.objects.get().email == "x@example.org"


# ---------- Demo content ----------


def test_demo_loader_is_a_no_op_without_posts(home_page):
    out = io.StringIO()
    load_comments(home_page, out)
    assert "No blog posts yet" in out.getvalue()
    assert not Comment.objects.exists()


def test_demo_loader_fills_the_queue_and_is_idempotent(home_page, blog_index):
    from blog.factories import make_post
    from blog.models import BlogPage

    for n in range(4):
        make_post(blog_index, title=f"Post {n}")
    load_comments(home_page, io.StringIO())
    assert Comment.objects.count() == len(DEMO_COMMENTS)
    assert Comment.objects.filter(status=moderation.APPROVED, parent__isnull=False).exists()
    assert Comment.objects.filter(status=moderation.PENDING).count() >= 2
    held = Comment.objects.get(text__contains="traitor")
    assert held.status == moderation.PENDING
    assert held.reasons == ["Suspect words: traitor"]
    assert Comment.objects.values("page_id").distinct().count() >= 3
    assert all(
        email.endswith("@example.org") for email in Comment.objects.values_list("email", flat=True)
    )
    approved = Comment.objects.filter(status=moderation.APPROVED).count()
    assert sum(BlogPage.objects.values_list("comment_count", flat=True)) == approved

    load_comments(home_page, io.StringIO())
    assert Comment.objects.count() == len(DEMO_COMMENTS)


def test_load_demo_command_runs_the_comment_loader(home_page):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert f"Demo comments: {len(DEMO_COMMENTS)} added" in out.getvalue()
    assert Comment.objects.filter(status=moderation.PENDING).exists()


# ---------- Subject access and erasure (home.privacy.registry) ----------


def test_privacy_export_holds_the_persons_comments_only(post):
    from home.models import ConsentText
    from home.privacy import registry as privacy
    from home.privacy.consent import current_consent

    consent = current_consent(ConsentText.COMMENT)
    mine = make_comment(
        post,
        email="Person@Example.org",
        text="my words",
        consent=consent,
        consent_given_at=timezone.now(),
    )
    make_comment(post, email="someone.else@example.org", text="their words")
    [record] = privacy.export_person("person@example.org")["comments"]
    assert record["id"] == mine.pk
    assert record["text"] == "my words"
    assert record["post"] == post.title
    assert record["consent_wording_version"] == consent.version
    assert record["consent_given_at"] is not None
    assert "their words" not in str(privacy.export_person("person@example.org"))


def test_privacy_erase_deletes_comments_and_keeps_replied_ones_as_placeholders(post):
    from blog.models import BlogPage
    from home.privacy import registry as privacy

    replied = make_comment(post, email="person@example.org", text="answered", name="Person")
    make_comment(post, email="other@example.org", text="a reply", parent=replied)
    make_comment(post, email="person@example.org", text="alone")
    make_comment(post, email="person@example.org", text="own reply", parent=replied)
    assert privacy.erase_person("PERSON@example.org")["comments"] == 3
    replied.refresh_from_db()
    assert (replied.name, replied.email) == ("Former commenter", "")
    assert "answered" not in replied.text
    assert set(Comment.objects.values_list("text", flat=True)) == {replied.text, "a reply"}
    assert privacy.export_person("person@example.org")["comments"] == []
    assert BlogPage.objects.get(pk=post.pk).comment_count == 2


def test_apply_retention_runs_the_comment_rule(post):
    make_comment(post, email="x@example.org", decided_at=timezone.now() - timedelta(days=100))
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Cleared the email address and visitor hash of 1 decided comment(s)." in out.getvalue()
    assert Comment.objects.get().email == ""


# ---------- Rejected and spam comments ----------


def declined(post, status, days_ago, **fields):
    return make_comment(
        post,
        status=status,
        decided_at=timezone.now() - timedelta(days=days_ago),
        email=fields.pop("email", "declined@example.org"),
        visitor_hash=fields.pop("visitor_hash", "f" * 64),
        **fields,
    )


def test_rejected_and_spam_comments_are_deleted_after_their_period(post, settings):
    settings.LMN_REJECTED_COMMENTS_RETENTION_DAYS = 30
    rejected = declined(post, moderation.REJECTED, 31, name="Rejected Person", text="unkind")
    spam = declined(post, moderation.SPAM, 31, name="Spam Bot", text="buy now")
    recent = declined(post, moderation.REJECTED, 29, text="recently rejected")
    published = declined(post, moderation.APPROVED, 31, text="kept, it was published")
    waiting = make_comment(
        post, status=moderation.PENDING, created_at=timezone.now() - timedelta(days=60)
    )
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Deleted 2 rejected or spam comment(s) older than 30 days." in out.getvalue()
    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert rejected.pk not in remaining and spam.pk not in remaining
    assert {recent.pk, published.pk, waiting.pk} <= remaining
    assert Comment.objects.get(pk=published.pk).text == "kept, it was published"


def test_the_rejected_period_follows_the_setting_and_time(post, settings):
    settings.LMN_REJECTED_COMMENTS_RETENTION_DAYS = 7
    comment = declined(post, moderation.SPAM, 3)
    assert "0 rejected or spam comments" in purge()
    assert Comment.objects.filter(pk=comment.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        assert "Deleted 1 rejected or spam comment decided more than 7 days ago" in purge()
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_a_rejected_comment_with_replies_is_blanked_and_its_replies_stay(post, settings):
    settings.LMN_REJECTED_COMMENTS_RETENTION_DAYS = 30
    parent = declined(post, moderation.REJECTED, 40, name="Parent Person", text="private words")
    reply = make_comment(post, parent=parent, text="a published reply")
    CommentReport.objects.create(comment=parent, visitor_hash="9" * 64)
    purge()
    parent.refresh_from_db()
    assert (parent.name, parent.text, parent.email, parent.visitor_hash) == (
        "Removed comment",
        "This comment was not published.",
        "",
        "",
    )
    assert parent.fingerprint != moderation.fingerprint("private words")
    assert Comment.objects.filter(pk=reply.pk).exists()
    # A second run finds nothing left to do.
    assert "Deleted 0 rejected or spam comments" in purge()


def test_the_audit_log_forgets_a_deleted_comments_name_and_words(post, settings):
    from django.contrib.auth import get_user_model

    from wagtail.models import ModelLogEntry

    from blog.comments import services

    settings.LMN_REJECTED_COMMENTS_RETENTION_DAYS = 30
    moderator = get_user_model().objects.create_user("m", password="pw-for-tests-1")
    comment = make_comment(
        post, status=moderation.PENDING, name="Zainab Private", text="a unique phrase"
    )
    services.decide([comment], moderation.REJECTED, moderator)
    entry = ModelLogEntry.objects.get(object_id=str(comment.pk))
    assert "Zainab Private" in entry.label
    Comment.objects.filter(pk=comment.pk).update(decided_at=timezone.now() - timedelta(days=31))
    purge()
    entry.refresh_from_db()
    assert "Zainab" not in entry.label and "unique phrase" not in entry.label
    assert entry.user_id == moderator.pk


def test_the_rejected_dry_run_changes_nothing(post, settings):
    settings.LMN_REJECTED_COMMENTS_RETENTION_DAYS = 30
    declined(post, moderation.REJECTED, 31)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Would delete 1 rejected or spam comment(s) older than 30 days." in out.getvalue()
    assert Comment.objects.count() == 1
