"""When an event's registrations are deleted, and the sentence that tells staff so.

Plain functions over an event page's fields, so the editor's panel, the
registrations list and the retention run (events/privacy.py) share them.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format


def day(moment):
    """A date as staff read it: "5 December 2026"."""
    return date_format(timezone.localtime(moment), "j F Y")


def deletion_date(event):
    """When the registrations of `event` are anonymised: `delete_registrations_after_days`
    after the event ends."""
    if event.end is None or event.delete_registrations_after_days is None:
        return None
    return event.end + timedelta(days=event.delete_registrations_after_days)


def retention_notice(event, now=None):
    """One sentence for editors and organisers saying when the data goes (or went)."""
    due = deletion_date(event)
    if due is None:
        return "Registrations are deleted after the event ends (set the dates first)."
    days = event.delete_registrations_after_days
    when = day(due)
    if due <= (now or timezone.now()):
        return (
            f"Names, email addresses and answers of this event's registrations were due to be "
            f"deleted on {when} ({days} days after the event ended). Counts are kept."
        )
    return (
        f"Names, email addresses and answers of this event's registrations will be deleted on "
        f"{when} ({days} days after the event ends). Counts are kept."
    )
