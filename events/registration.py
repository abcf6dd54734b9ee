"""Registering, cancelling and promoting, each in one transaction that locks the event.

The public form never registers anyone at once: `request_registration` stores a
*pending* request (no place, counted nowhere) and emails a confirm link; only
`confirm` (the person opening that link and pressing the button) decides the
place. Whatever state the address is in, the form's answer is the same, so the
form tells nobody whether an address is registered. `register` is the
organisers' direct path (a phone booking), without the email step.

Every step that changes who has a place first locks the event's row
(`SELECT ... FOR UPDATE`), then counts and decides. Two requests for the last
place, even in different server processes, therefore take turns: the second
one sees the first one's registration and joins the waiting list. Locks are
always taken in the same order (event, then registrations) so that two steps
cannot deadlock. Emails are queued only after the transaction has committed.
"""

import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from home.abuse import ratelimit

from . import capacity as rules
from .models import EventPage, EventRegistration

logger = logging.getLogger(__name__)

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


@dataclass
class CancelOutcome:
    registration: EventRegistration
    already_cancelled: bool = False
    promoted: list = field(default_factory=list)


# What the decisions under the lock read: only these columns are loaded with it, so
# the lock is taken and held for as short a time as possible.
LOCKED_FIELDS = (
    "start",
    "registration_opens",
    "registration_closes",
    "capacity",
    "waiting_list_enabled",
)


def _lock_event(event_id):
    # `of=("self",)` locks the event's own row, not Wagtail's page row, so
    # editors saving other pages are never held up by registrations.
    return EventPage.objects.select_for_update(of=("self",)).only(*LOCKED_FIELDS).get(pk=event_id)


def _confirmed_count(event_id):
    return EventRegistration.objects.filter(
        page_id=event_id, status=EventRegistration.CONFIRMED
    ).count()


def _active_for(event_id, email):
    return EventRegistration.objects.filter(page_id=event_id, email=email, status__in=ACTIVE)


def register(event, *, name, email, answers, consent, wants_summary=False, now=None):
    """Register one person, deciding their status under the event lock.

    `wants_summary` is their answer to "email me the summary of what we heard"
    (kept on a new registration; an existing one is left as it is).

    One active registration per email per event: a second attempt returns
    the existing one (kind "duplicate") and re-sends its email, at most once
    per email per event per day (a fixed 24-hour window). Outside the
    registration window nothing is stored (kind "closed"); when the event is
    full and has no waiting list nothing is stored either (kind "full").
    """
    now = now or timezone.now()
    email = email.strip().lower()
    try:
        with transaction.atomic():
            locked = _lock_event(event.pk)
            window = locked.registration_window(now)
            if window != rules.Window.OPEN:
                return Outcome(CLOSED, window=window)
            existing = _active_for(locked.pk, email).first()
            if existing is not None:
                outcome = Outcome(DUPLICATE, existing)
            else:
                decision, position = _decide_locked(locked)
                if decision == rules.Decision.FULL:
                    return Outcome(FULL)
                registration = EventRegistration.objects.create(
                    page_id=locked.pk,
                    form_data=answers,
                    status=str(decision),
                    position=position,
                    name=name,
                    email=email,
                    consent=consent,
                    consented_at=now,
                    wants_summary=wants_summary,
                )
                outcome = Outcome(str(decision), registration)
    except IntegrityError:
        # The unique constraint is only a backstop: the lock above means two
        # attempts with one email cannot both get here.
        existing = _active_for(event.pk, email).first()
        if existing is None:
            raise
        outcome = Outcome(DUPLICATE, existing)

    registration = outcome.registration
    if outcome.kind == DUPLICATE:
        # Anyone can type someone else's address: re-send at most once a day, so
        # the form cannot be used to flood that person's inbox.
        if ratelimit.hit(ratelimit.hashed_key(f"event-resend-{event.pk}", email), 1, 86400):
            _queue_registrant_email(registration, registration.status)
    else:
        _queue_registrant_email(registration, outcome.kind)
        _queue_staff_notification(registration)
    return outcome


def _decide_locked(locked):
    """(decision, waiting-list position) for the next person, under the event lock."""
    decision = rules.decide(
        locked.capacity, _confirmed_count(locked.pk), locked.waiting_list_enabled
    )
    position = None
    if decision == rules.Decision.WAITING:
        last = EventRegistration.objects.filter(page_id=locked.pk).aggregate(last=Max("position"))[
            "last"
        ]
        position = (last or 0) + 1
    return decision, position


def confirm_link_hours():
    return settings.LMN_EVENT_CONFIRM_LINK_HOURS


def confirm_emails_per_day():
    return settings.LMN_EVENT_CONFIRM_EMAILS_PER_DAY


def _send_reminder(registration, event_id, email):
    # Anyone can type someone else's address: at most once a day per address and
    # event, so the form cannot be used to flood that person's inbox.
    if ratelimit.hit(ratelimit.hashed_key(f"event-resend-{event_id}", email), 1, 86400):
        _queue_registrant_email(registration, "already_registered")


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
    existing = _active_for(event.pk, email).first()
    if existing is not None:
        _send_reminder(existing, event.pk, email)
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
    _queue_registrant_email(registration, "confirm_request")
    return Outcome(PENDING, registration)


def pending_for_token(token):
    """The pending request a confirm token belongs to, or None (used, expired and
    deleted, or never issued)."""
    return (
        EventRegistration.objects.filter(confirm_token=token, status=EventRegistration.PENDING)
        .only("pk", "page_id", "confirm_expires_at")
        .first()
    )


def confirm(token, now=None):
    """Turn the pending request behind a confirm link into a registration.

    Decided under the event lock exactly as `register` decides: CONFIRMED,
    WAITING (with a position) or FULL; outside the registration window CLOSED.
    FULL, CLOSED and EXPIRED keep nothing (the pending row is deleted). When the
    address already holds a place or a waiting-list spot (another pending request
    confirmed first) the pending row is deleted too, and the outcome is DUPLICATE
    with that registration. A used, deleted or unknown token gives INVALID: a
    link confirms at most once, and one address never gets two registrations.
    Emails (and a ticked mailing-list box) are acted on after commit.
    """
    now = now or timezone.now()
    found = pending_for_token(token)
    if found is None:
        return Outcome(INVALID)
    delete_expired_requests(found.page_id, now, keep=found.pk)
    wish = None
    with transaction.atomic():
        locked = _lock_event(found.page_id)
        current = (
            EventRegistration.objects.select_for_update()
            .filter(pk=found.pk, status=EventRegistration.PENDING, confirm_token=token)
            .first()
        )
        if current is None:
            return Outcome(INVALID)
        if current.confirm_expires_at is None or current.confirm_expires_at <= now:
            current.delete()
            return Outcome(EXPIRED)
        window = locked.registration_window(now)
        if window != rules.Window.OPEN:
            current.delete()
            return Outcome(CLOSED, window=window)
        wish = current.mailing_list_consent
        existing = _active_for(locked.pk, current.email).first()
        if existing is not None:
            current.delete()
            outcome = Outcome(DUPLICATE, existing)
        else:
            decision, position = _decide_locked(locked)
            if decision == rules.Decision.FULL:
                current.delete()
                return Outcome(FULL)
            current.status = str(decision)
            current.position = position
            current.confirm_token = None
            current.confirm_expires_at = None
            current.mailing_list_consent = None
            # "Registered at" is when the place was decided, not when the form was sent.
            current.submit_time = now
            current.save(
                update_fields=[
                    "status",
                    "position",
                    "confirm_token",
                    "confirm_expires_at",
                    "mailing_list_consent",
                    "submit_time",
                    "updated_at",
                ]
            )
            outcome = Outcome(str(decision), current)

    registration = outcome.registration
    if wish is not None:
        _opt_in_to_mailing_list(registration.email, wish)
    if outcome.kind == DUPLICATE:
        _send_reminder(registration, registration.page_id, registration.email)
    else:
        _queue_registrant_email(registration, outcome.kind)
        _queue_staff_notification(registration)
    return outcome


def _opt_in_to_mailing_list(email, wording):
    from home.privacy import mailing_list

    try:
        mailing_list.opt_in(email, mailing_list.EVENT_REGISTRATION, consent=wording)
    except Exception:
        # The registration stands; the mailing list is a separate wish.
        logger.exception("Could not record a mailing-list opt-in from a registration")


def _promote_locked(registrations, now):
    promoted = []
    for registration in registrations:
        registration.status = EventRegistration.CONFIRMED
        registration.position = None
        registration.promoted_at = now
        registration.save(update_fields=["status", "position", "promoted_at", "updated_at"])
        promoted.append(registration)
    return promoted


def _fill_free_places_locked(event, now):
    # The event lock already serialises every change of status for this event.
    if event.start <= now:
        # A place offered once the event has begun could not be taken up in time.
        return []
    waiting = EventRegistration.objects.filter(page_id=event.pk, status=EventRegistration.WAITING)
    to_fill = rules.places_to_fill(event.capacity, _confirmed_count(event.pk), waiting.count())
    if not to_fill:
        return []
    return _promote_locked(waiting.order_by("position", "id")[:to_fill], now)


def fill_free_places(event, now=None):
    """Give every free place to the next person waiting, in queue order (each is emailed).

    Run after a cancellation, a deleted registration and when an editor
    publishes an event with a larger capacity. Nobody is promoted once the
    event has started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_event(event.pk)
        promoted = _fill_free_places_locked(locked, now)
    for registration in promoted:
        _queue_registrant_email(registration, "promoted")
    return promoted


def cancel(registration, now=None, notify=True):
    """Cancel a registration (idempotent) and give its place to the next person waiting.

    The person is emailed that it is cancelled (with a calendar cancellation if they
    had a place), whoever cancelled it: themselves by the link, or an organiser.
    `notify=False` for an erasure request, where nothing more is sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked_event = _lock_event(registration.page_id)
        current = EventRegistration.objects.select_for_update().get(pk=registration.pk)
        if current.status == EventRegistration.CANCELLED:
            return CancelOutcome(current, already_cancelled=True)
        had_place = current.status == EventRegistration.CONFIRMED
        current.status = EventRegistration.CANCELLED
        current.position = None
        current.cancelled_at = now
        current.save(update_fields=["status", "position", "cancelled_at", "updated_at"])
        promoted = _fill_free_places_locked(locked_event, now)
    if notify:
        _queue_registrant_email(current, "cancelled" if had_place else "left_waiting_list")
    for promoted_registration in promoted:
        _queue_registrant_email(promoted_registration, "promoted")
    return CancelOutcome(current, promoted=promoted)


class NoFreePlace(Exception):
    """Promotion refused: every place is taken."""


def promote(registration, now=None):
    """Give a free place to this person on the waiting list (an organiser's choice).

    Never exceeds the capacity: raises NoFreePlace when the event is full.
    Returns False when the person was not waiting (nothing to do).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked_event = _lock_event(registration.page_id)
        current = EventRegistration.objects.select_for_update().get(pk=registration.pk)
        if current.status != EventRegistration.WAITING:
            return False
        if rules.places_left(locked_event.capacity, _confirmed_count(locked_event.pk)) == 0:
            raise NoFreePlace
        _promote_locked([current], now)
    _queue_registrant_email(current, "promoted")
    return True


def _queue_registrant_email(registration, kind):
    from .tasks import send_registrant_email

    try:
        send_registrant_email.enqueue(registration.pk, kind)
    except Exception:
        # The registration stands even if the queue is down; only the id is logged.
        logger.exception("Could not queue the %s email for registration %s", kind, registration.pk)


def _queue_staff_notification(registration):
    from .tasks import send_staff_notification

    try:
        send_staff_notification.enqueue(registration.pk)
    except Exception:
        logger.exception("Could not queue the staff email for registration %s", registration.pk)
