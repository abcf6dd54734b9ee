"""Messages sent through the site's own forms (contact, services enquiry) in subject
access, erasure and retention (see `home.privacy.registry`), and the retention of the rate
limiter's counters.

These are Wagtail form submissions of `FormPage`s, whose answers are stored as
JSON keyed by each editor-made question, so a person's messages are found by
any answer that equals their email address. Volumes are small (a few messages a
week), so the search runs in Python and works on SQLite as well as PostgreSQL.
"""

from datetime import timedelta

from django.conf import settings

DEFAULT_RETENTION_DAYS = 180


def retention_days():
    """How long messages are kept: LMN_FORM_MESSAGES_RETENTION_DAYS (default 180)."""
    return getattr(settings, "LMN_FORM_MESSAGES_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


def _messages():
    from django.contrib.contenttypes.models import ContentType

    from wagtail.contrib.forms.models import FormSubmission

    from home.pages.models import FormPage

    page_types = ContentType.objects.get_for_models(FormPage).values()
    return FormSubmission.objects.filter(page__content_type__in=page_types)


def holds_email(form_data, email):
    """Whether any answer in `form_data` is `email` (case and spaces ignored)."""
    return any(
        isinstance(value, str) and value.strip().lower() == email for value in form_data.values()
    )


def _from(email):
    email = (email or "").strip().lower()
    if not email:
        return []
    return [
        message
        for message in _messages().select_related("page").order_by("submit_time", "pk")
        if holds_email(message.form_data, email)
    ]


def export(email):
    """Every message sent with `email` as one of its answers, with all its answers."""
    return [
        {
            "id": message.pk,
            "form": message.page.title,
            "sent_at": message.submit_time.isoformat(),
            "answers": message.form_data,
        }
        for message in _from(email)
    ]


def erase(email):
    """Delete every message sent with `email`; returns how many."""
    count = 0
    for message in _from(email):
        message.delete()
        count += 1
    return count


def apply_retention(now, dry_run=False):
    """Delete messages older than `retention_days()`; they have been answered by then."""
    days = retention_days()
    due = _messages().filter(submit_time__lt=now - timedelta(days=days))
    count = due.count()
    if not count:
        return []
    if not dry_run:
        due.delete()
    verb = "Would delete" if dry_run else "Deleted"
    return [f"{verb} {count} form message(s) older than {days} days."]


def purge_rate_limits(now, dry_run=False):
    """Rate-limit counters are keyed by visitor hashes and hashed email addresses
    (pseudonymous personal data): delete those whose window ended over a day ago."""
    from home.abuse.models import RateLimitCounter
    from home.abuse.ratelimit import purge_expired

    if dry_run:
        count = RateLimitCounter.objects.filter(window_start__lt=now - timedelta(days=1)).count()
    else:
        count = purge_expired(now=now)
    if not count:
        return []
    verb = "Would delete" if dry_run else "Deleted"
    return [f"{verb} {count} expired rate-limit counter(s)."]


def register():
    from home.privacy import registry as privacy

    privacy.register_holder("messages", export=export, erase=erase)
    privacy.register_retention_rule("messages", apply=apply_retention)
    privacy.register_retention_rule("rate_limits", apply=purge_rate_limits)
