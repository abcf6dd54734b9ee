"""The comments' part in subject access, erasure and retention (see `home.privacy.registry`).

Registered in `CommentsConfig.ready()`. Only comments that still hold the email
address can be found: once `purge_comment_data` has cleared it, nothing links a
comment to a person any more.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import moderation, retention
from .models import Comment

ERASED_NAME = "Former commenter"
ERASED_TEXT = "This comment was removed at its author's request."


def _by_email(email):
    return Comment.objects.filter(email__iexact=(email or "").strip()).exclude(email="")


def export(email):
    """Every comment sent from `email`, with its post, status and consent record."""
    rows = []
    for comment in _by_email(email).select_related("page", "consent").order_by("created_at"):
        rows.append(
            {
                "id": comment.pk,
                "post": comment.page.title,
                "post_path": comment.page.url_path,
                "reply_to": comment.parent_id,
                "name": comment.name,
                "email": comment.email,
                "text": comment.text,
                "status": comment.status,
                "reasons": comment.reasons,
                "sent_at": comment.created_at.isoformat(),
                "decided_at": comment.decided_at.isoformat() if comment.decided_at else None,
                "consent_wording_version": comment.consent.version if comment.consent else None,
                "consent_wording": comment.consent.text if comment.consent else None,
                "consent_given_at": comment.consent_given_at.isoformat()
                if comment.consent_given_at
                else None,
            }
        )
    return rows


def erase(email):
    """Delete every comment sent from `email`; a comment that others replied to is
    kept as an empty placeholder (no name, text, email or hash) so their replies
    still make sense. Returns how many comments were erased."""
    erased = 0
    erased_ids = []
    with transaction.atomic():
        # Replies first, so that a person's reply to their own comment does not keep
        # that comment as a placeholder.
        for comment in _by_email(email).order_by(F("parent_id").desc(nulls_last=True), "pk"):
            erased_ids.append(str(comment.pk))  # before delete() clears it
            if comment.replies.exists():
                comment.name = ERASED_NAME
                comment.text = ERASED_TEXT
                comment.fingerprint = moderation.fingerprint(ERASED_TEXT)
                comment.email = ""
                comment.visitor_hash = ""
                comment.personal_data_cleared_at = timezone.now()
                comment.save()
            else:
                comment.delete()
            erased += 1
        retention.forget_log_labels(erased_ids)
    return erased


def apply_retention(now, dry_run=False):
    """The `purge_comment_data` rule, for `apply_retention`: a line for each kind of
    record with something due, none when nothing is (so a second run is silent)."""
    comments, reports = retention.purge(now=now, dry_run=dry_run)
    declined = retention.purge_declined(now=now, dry_run=dry_run)
    verb = "Would clear" if dry_run else "Cleared"
    lines = []
    if comments:
        lines.append(f"{verb} the email address and visitor hash of {comments} decided comment(s).")
    if reports:
        lines.append(f"{verb} the visitor hash of {reports} old report(s).")
    if declined:
        lines.append(
            f"{'Would delete' if dry_run else 'Deleted'} {declined} rejected or spam comment(s) "
            f"older than {retention.rejected_days()} days."
        )
    return lines


def register():
    from home.privacy import registry as privacy

    privacy.register_holder("comments", export=export, erase=erase)
    privacy.register_retention_rule("comments", apply=apply_retention)
