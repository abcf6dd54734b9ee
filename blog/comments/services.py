"""Storing and deciding comments: the thin layer between the rules and the database."""

from datetime import timedelta

from django.apps import apps
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from wagtail.log_actions import log

from home.models import ConsentText
from home.privacy.consent import current_consent

from . import moderation
from .models import Comment, CommentReport, CommentThread

LOG_ACTIONS = {
    moderation.APPROVED: "comments.approve",
    moderation.REJECTED: "comments.reject",
    moderation.SPAM: "comments.spam",
}


def blog_page_model():
    """The blog's post model, looked up at run time so this app's migrations and
    imports never depend on the blog's; None until the blog app defines it."""
    try:
        return apps.get_model("blog", "BlogPage")
    except LookupError:
        return None


def is_commentable(page):
    """Only blog posts take comments."""
    model = blog_page_model()
    return model is not None and issubclass(page.specific_class or type(page), model)


def thread_closed(page, settings, now=None, closed_by_editor=None):
    """Whether comments are closed on `page` (per-post switch or age)."""
    if closed_by_editor is None:
        closed_by_editor = CommentThread.objects.filter(page_id=page.pk, closed=True).exists()
    published = getattr(page, "first_published_at", None)
    return moderation.is_closed(
        closed_by_editor, published, settings.close_after_days, now or timezone.now()
    )


def set_thread_closed(page, closed, user):
    thread, _ = CommentThread.objects.get_or_create(page_id=page.pk)
    thread.closed = closed
    thread.changed_at = timezone.now()
    thread.changed_by = user
    thread.save()
    return thread


def _sent_today(fingerprint, now, **person):
    return Comment.objects.filter(
        fingerprint=fingerprint, created_at__gte=now - timedelta(days=1), **person
    ).exists()


def sent_by_visitor(visitor, fingerprint, now):
    """The same text from the same browser and network (visitor hash) in the last day."""
    return bool(visitor) and _sent_today(fingerprint, now, visitor_hash=visitor)


def sent_by_address(email, fingerprint, now):
    """The same text with the same email address in the last day, from anyone."""
    return _sent_today(fingerprint, now, email__iexact=email)


def approved_count_for_email(email):
    return Comment.objects.filter(email__iexact=email, status=moderation.APPROVED).count()


def build_comment(page, cleaned, visitor, now=None):
    """An unsaved comment from the form's cleaned data, with the consent recorded."""
    now = now or timezone.now()
    return Comment(
        page_id=page.pk,
        parent=cleaned.get("parent"),
        name=cleaned["name"].strip(),
        email=cleaned["email"].strip(),
        text=cleaned["text"],
        fingerprint=moderation.fingerprint(cleaned["text"]),
        visitor_hash=visitor,
        consent=current_consent(ConsentText.COMMENT),
        consent_given_at=now,
        created_at=now,
    )


def store_spam(page, cleaned, visitor, reason):
    """Keep a bot's submission, flagged as spam, so nothing is silently lost."""
    comment = build_comment(page, cleaned, visitor)
    comment.status = moderation.SPAM
    comment.reasons = [reason]
    comment.decided_at = comment.created_at
    comment.save()
    return comment


def submit(page, cleaned, visitor, rules, now=None, address_limit=None):
    """Apply the moderation rules to a person's comment.

    Returns (comment, decision). `comment` is None when the comment was refused
    (banned words, or the same visitor sending the same text again: the decision
    carries the message to show) or dropped (see below); otherwise it is saved as
    pending. Nothing is published here: a comment its author may publish gets a
    link emailed to its address (`offer_publish_link`); the others, and those whose
    link could not be sent, are brought to the moderators' attention.

    Anyone can type anyone's email address, so nothing the sender is told may
    depend on that address's history. The checks that depend on the address come
    last, after every refusal, and end in DROPPED (nothing stored, and the sender
    told "received" as for any other comment): the same text with this address in
    the last day from another visitor, and, with `address_limit` = (limit,
    seconds), more comments from the address than the limit allows (counted only
    for comments that reached this point).
    """
    now = now or timezone.now()
    text = cleaned["text"]
    email = cleaned["email"]
    fp = moderation.fingerprint(text)
    approved_before = 0
    if rules.mode == moderation.AUTO_APPROVE_KNOWN:
        approved_before = approved_count_for_email(email)
    decision = moderation.decide(text, rules, approved_before=approved_before)
    if decision.status == moderation.REFUSED:
        return None, decision
    if sent_by_visitor(visitor, fp, now):
        return None, moderation.Decision(
            moderation.REFUSED, ("Duplicate",), moderation.DUPLICATE_MESSAGE
        )
    if sent_by_address(email, fp, now):
        return None, moderation.Decision(moderation.DROPPED, ("Duplicate for the address",))
    if address_limit is not None:
        from home.abuse.ratelimit import hashed_key, hit

        limit, window = address_limit
        if not hit(hashed_key("comment-email", email), limit, window):
            return None, moderation.Decision(moderation.DROPPED, ("Address over its limit",))
    comment = build_comment(page, cleaned, visitor, now=now)
    comment.status = decision.status
    comment.reasons = list(decision.reasons)
    comment.save()
    if not (decision.author_may_publish and offer_publish_link(comment)):
        notify_moderators(comment)
    return comment, decision


PUBLISH_SALT = "lmn.comments.publish"
# Long enough for someone who reads their email once a day or over a weekend.
PUBLISH_LINK_MAX_AGE = timedelta(days=3)
# Per address per day, so the form cannot be used to fill someone's inbox.
PUBLISH_LINKS_PER_DAY = 5


class InvalidPublishLink(Exception):
    """The link was altered, truncated, never issued by us or is too old."""


def make_publish_code(comment):
    return signing.TimestampSigner(salt=PUBLISH_SALT).sign(str(comment.pk))


def find_by_publish_code(code):
    """The comment a genuine, unexpired publish link points at (None when it has
    since been erased). Raises InvalidPublishLink otherwise."""
    try:
        comment_id = signing.TimestampSigner(salt=PUBLISH_SALT).unsign(
            code or "", max_age=PUBLISH_LINK_MAX_AGE
        )
    except signing.BadSignature as exc:
        raise InvalidPublishLink from exc
    return Comment.objects.select_related("page").filter(pk=int(comment_id)).first()


def offer_publish_link(comment):
    """Email the comment's address a link to publish it; False when this address
    has had its day's share of such emails (the comment then waits for a moderator)."""
    from home.abuse.ratelimit import hashed_key, hit

    from .tasks import send_publish_link

    if not hit(hashed_key("comment-publish-link", comment.email), PUBLISH_LINKS_PER_DAY, 86400):
        return False
    send_publish_link.enqueue(comment.pk)
    return True


def publish_by_author(comment_id, now=None):
    """The author confirmed from the emailed link: publish the comment if it is
    still waiting (a moderator may have decided it since). Returns the comment's
    status afterwards. Recorded in the audit log as an approval with no user."""
    now = now or timezone.now()
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
        if comment is None or comment.status != moderation.PENDING:
            return comment.status if comment else None
        comment.status = moderation.APPROVED
        comment.decided_at = now
        comment.reasons = [*comment.reasons, "Published by its author from the emailed link"]
        comment.save(update_fields=["status", "decided_at", "reasons"])
        log(
            instance=comment,
            action=LOG_ACTIONS[moderation.APPROVED],
            data={"previous_status": moderation.PENDING, "page_id": comment.page_id},
        )
    return comment.status


def notify_moderators(comment):
    """Email editors and moderators in the background (django-tasks)."""
    from .tasks import send_held_comment_notification

    send_held_comment_notification.enqueue(comment.pk)


def decide(comments, status, user):
    """Set `status` on each comment, close its open reports and record who did it
    in Wagtail's audit log. Returns how many comments changed."""
    if status not in LOG_ACTIONS:
        raise ValueError(f"Unknown decision {status!r}")
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for comment in comments:
            previous = comment.status
            comment.status = status
            comment.decided_at = now
            comment.decided_by = user if user and user.is_authenticated else None
            comment.save(update_fields=["status", "decided_at", "decided_by"])
            CommentReport.objects.filter(comment=comment, reviewed=False).update(reviewed=True)
            log(
                instance=comment,
                action=LOG_ACTIONS[status],
                user=user,
                data={"previous_status": previous, "page_id": comment.page_id},
            )
            changed += 1
    return changed


def count_reporters(comment):
    """How many readers have open reports on `comment`: one per network (IP
    address) however many user agents it used; a report whose network hash was
    cleared (retention) counts on its own."""
    counts = CommentReport.objects.filter(comment=comment, reviewed=False).aggregate(
        networks=Count("network_hash", distinct=True, filter=~Q(network_hash="")),
        unkeyed=Count("pk", filter=Q(network_hash="")),
    )
    return counts["networks"] + counts["unkeyed"]


def report(comment, reason, visitor, threshold, network=""):
    """Record a reader's report; hide the comment for review once `threshold`
    readers (distinct networks, see `count_reporters`) have open reports on it.
    Returns (created, hidden)."""
    try:
        with transaction.atomic():
            CommentReport.objects.create(
                comment=comment, reason=reason, visitor_hash=visitor, network_hash=network
            )
    except IntegrityError:
        return False, False
    with transaction.atomic():
        # Lock the comment so that simultaneous reports hide it exactly once.
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        open_reports = count_reporters(locked)
        if locked.status == moderation.APPROVED and moderation.should_hide(open_reports, threshold):
            locked.status = moderation.REPORTED
            locked.reasons = [*locked.reasons, f"Hidden after {open_reports} reports"]
            locked.save(update_fields=["status", "reasons"])
            log(
                instance=locked,
                action="comments.hidden_by_reports",
                data={"reports": open_reports},
            )
            hidden = True
        else:
            hidden = False
    if hidden:
        notify_moderators(locked)
    return True, hidden
