"""The public form's side of registering: a *pending* request and its confirm email.

Nothing here holds or decides a place, so no lock is taken and no page model is
imported: `EventPage.serve` (through `events.serving`) uses this module, and
`events.registration` (which decides places under the event lock) builds on it.
The outcome kinds and `Outcome` of both live here.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from home.abuse import ratelimit

from . import capacity as rules
from .records import EventRegistration
from .tasks import queue_registrant_email

# Outcomes of the locked steps (events.registration: register, confirm).
CONFIRMED = "confirmed"
WAITING = "waiting"
FULL = "full"
DUPLICATE = "duplicate"
CLOSED = "closed"
# Outcomes of the public form (request_registration) and of a confirm link (confirm).
PENDING = "pending"
ALREADY = "already"
LIMITED = "limited"
INVALID = "invalid"
EXPIRED = "expired"

ACTIVE = (EventRegistration.CONFIRMED, EventRegistration.WAITING)


@dataclass
class Outcome:
    """What happened to one registration attempt."""

    kind: str
    registration: EventRegistration | None = None
    window: rules.Window | None = None


def active_for(event_id, email):
    return EventRegistration.objects.filter(page_id=event_id, email=email, status__in=ACTIVE)


def confirm_link_hours():
    return settings.LMN_EVENT_CONFIRM_LINK_HOURS


def confirm_emails_per_day():
    return settings.LMN_EVENT_CONFIRM_EMAILS_PER_DAY


def send_reminder(registration, event_id, email, kind="already_registered"):
    """Email `kind` again to an address that already has a registration for the event.

    Anyone can type someone else's address: at most once a day per address and
    event, so the form cannot be used to flood that person's inbox."""
    if ratelimit.hit(ratelimit.hashed_key(f"event-resend-{event_id}", email), 1, 86400):
        queue_registrant_email(registration, kind)


def delete_expired_requests(event_id, now, keep=None):
    """Delete the event's pending requests whose confirm link has expired.

    Run on each new request and each confirmation, so that an expired request goes
    then and not only at the next `apply_retention`. Cheap: one query on the
    (page, status, ...) index, which usually finds nothing, and a DELETE when it
    does. `keep` is a request to leave alone (the one being confirmed, which
    `confirm` deals with itself). Returns how many were deleted.
    """
    expired = EventRegistration.objects.filter(
        page_id=event_id, status=EventRegistration.PENDING, confirm_expires_at__lte=now
    )
    if keep is not None:
        expired = expired.exclude(pk=keep)
    return expired.delete()[0]


def request_registration(
    event,
    *,
    name,
    email,
    answers,
    consent,
    mailing_list_consent=None,
    wants_summary=False,
    now=None,
):
    """What the public form does: store a pending request and email its confirm link.

    Nothing here holds or decides a place, so no lock is taken. The caller shows
    the same page whatever the outcome (except "closed", which is about the event,
    not the address):
    - ALREADY: the address holds a place or a waiting-list spot; nothing is stored
      and it is sent a "you are already registered" email, at most once a day.
    - LIMITED: this address has been sent LMN_EVENT_CONFIRM_EMAILS_PER_DAY confirm
      emails for this event today; nothing is stored or sent.
    - PENDING: a new pending row (each submission its own, so nobody can change
      someone else's pending answers) and a confirm email.
    `mailing_list_consent` is the wording of a ticked mailing-list box: kept on the
    pending row and acted on only when the person confirms. `wants_summary` (the
    "email me the summary" box) is kept on the row and so carried to confirmation.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    window = event.registration_window(now)
    if window != rules.Window.OPEN:
        return Outcome(CLOSED, window=window)
    delete_expired_requests(event.pk, now)
    existing = active_for(event.pk, email).first()
    if existing is not None:
        send_reminder(existing, event.pk, email)
        return Outcome(ALREADY)
    if not ratelimit.hit(
        ratelimit.hashed_key(f"event-confirm-{event.pk}", email), confirm_emails_per_day(), 86400
    ):
        return Outcome(LIMITED)
    registration = EventRegistration.objects.create(
        page_id=event.pk,
        form_data=answers,
        status=EventRegistration.PENDING,
        name=name,
        email=email,
        consent=consent,
        consented_at=now,
        confirm_token=secrets.token_urlsafe(24),
        confirm_expires_at=rules.confirm_link_expiry(
            now, confirm_link_hours(), event.start, event.registration_closes
        ),
        mailing_list_consent=mailing_list_consent,
        wants_summary=wants_summary,
    )
    queue_registrant_email(registration, "confirm_request")
    return Outcome(PENDING, registration)


def pending_for_token(token):
    """The pending request a confirm token belongs to, or None (used, expired and
    deleted, or never issued)."""
    return (
        EventRegistration.objects.filter(confirm_token=token, status=EventRegistration.PENDING)
        .only("pk", "page_id", "confirm_expires_at")
        .first()
    )
