"""Deleting commenters' personal data once it is no longer needed.

The email address and visitor hash of a comment are kept while it waits for a
moderator (to spot repeat abuse and to auto-approve regular commenters), then
deleted `retention_days` after the decision. The name and text stay, because
they are what was published. Reports lose their visitor hash on the same
schedule.
"""

from django.db.models import Q
from django.utils import timezone

from . import moderation
from .models import Comment, CommentReport, CommentSettings


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
