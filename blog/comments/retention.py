"""Deleting commenters' personal data once it is no longer needed.

The email address and visitor hash of a comment are kept while it waits for a
moderator (to spot repeat abuse and to auto-approve regular commenters), then
deleted `retention_days` after the decision. The name and text of an approved
comment stay, because they are what was published. Reports lose their visitor
hash on the same schedule.

Rejected and spam comments were never published, so nothing about them needs to
stay: LMN_REJECTED_COMMENTS_RETENTION_DAYS after the decision they are deleted,
and their entries in the audit log lose the name and words in their labels.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from . import moderation
from .models import Comment, CommentReport, CommentSettings

DECLINED = (moderation.REJECTED, moderation.SPAM)
REMOVED_NAME = "Removed comment"
REMOVED_TEXT = "This comment was not published."


def due_comments(now, retention_days):
    """Decided comments past the retention period that still hold personal data."""
    cutoff = moderation.retention_cutoff(now, retention_days)
    return (
        Comment.objects.filter(decided_at__isnull=False, decided_at__lte=cutoff)
        .exclude(status=moderation.PENDING)
        .filter(~Q(email="") | ~Q(visitor_hash=""))
    )


def due_reports(now, retention_days):
    cutoff = moderation.retention_cutoff(now, retention_days)
    return CommentReport.objects.filter(created_at__lte=cutoff).filter(
        ~Q(visitor_hash="") | ~Q(network_hash="")
    )


def purge(now=None, retention_days=None, dry_run=False):
    """Clear what is due; returns (comments cleared, reports cleared). Idempotent:
    a second run finds nothing left to clear."""
    now = now or timezone.now()
    if retention_days is None:
        retention_days = CommentSettings.load().retention_days
    comments = due_comments(now, retention_days)
    reports = due_reports(now, retention_days)
    if dry_run:
        return comments.count(), reports.count()
    cleared = comments.update(email="", visitor_hash="", personal_data_cleared_at=now)
    reports_cleared = reports.update(visitor_hash="", network_hash="")
    return cleared, reports_cleared


def rejected_days():
    return settings.LMN_REJECTED_COMMENTS_RETENTION_DAYS


def due_declined(now, days=None):
    """Rejected and spam comments decided more than `days` ago that still hold a
    name or text."""
    days = rejected_days() if days is None else days
    return Comment.objects.filter(
        status__in=DECLINED, decided_at__isnull=False, decided_at__lte=now - timedelta(days=days)
    ).exclude(name=REMOVED_NAME, text=REMOVED_TEXT, email="", visitor_hash="")


def forget_log_labels(comment_ids):
    """Wagtail's audit log labels each moderation entry with the comment's str()
    (name and opening words). The entries stay as a record of who decided what;
    their labels lose the person's name and words."""
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment),
        object_id__in=[str(pk) for pk in comment_ids],
    ).update(label=Concat(Value("Erased comment "), "object_id"))


def purge_declined(now=None, days=None, dry_run=False):
    """Delete rejected and spam comments past their period; one that readers
    replied to (while it was approved) stays as an empty placeholder so that the
    replies keep their place. Returns how many comments went or were blanked.
    Idempotent."""
    now = now or timezone.now()
    due = due_declined(now, days)
    if dry_run:
        return due.count()
    with transaction.atomic():
        has_replies = Exists(Comment.objects.filter(parent_id=OuterRef("pk")))
        rows = list(due.annotate(has_replies=has_replies).values_list("pk", "has_replies"))
        if not rows:
            return 0
        keep = [pk for pk, replied in rows if replied]
        Comment.objects.filter(pk__in=keep).update(
            name=REMOVED_NAME,
            text=REMOVED_TEXT,
            fingerprint=moderation.fingerprint(REMOVED_TEXT),
            email="",
            visitor_hash="",
            personal_data_cleared_at=now,
        )
        # Delete one by one so that the comment counts and reports follow (signals).
        for comment in Comment.objects.filter(pk__in=[pk for pk, replied in rows if not replied]):
            comment.delete()
        forget_log_labels([pk for pk, _ in rows])
    return len(rows)
