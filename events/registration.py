"""Registering, cancelling and promoting, each in one transaction that locks the event.

The public form never registers anyone at once: `events.pending.request_registration` stores a
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
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from . import capacity as rules
from .models import EventPage
from .pending import (  # noqa: F401 (the outcome kinds callers read from here)
    ALREADY,
    CLOSED,
    CONFIRMED,
    DUPLICATE,
    EXPIRED,
    FULL,
    INVALID,
    LIMITED,
    PENDING,
    WAITING,
    Outcome,
    active_for,
    delete_expired_requests,
    pending_for_token,
    send_reminder,
)
from .records import EventRegistration
from .tasks import queue_registrant_email, queue_staff_notification

logger = logging.getLogger(__name__)


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
            existing = active_for(locked.pk, email).first()
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
        existing = active_for(event.pk, email).first()
        if existing is None:
            raise
        outcome = Outcome(DUPLICATE, existing)

    registration = outcome.registration
    if outcome.kind == DUPLICATE:
        send_reminder(registration, event.pk, email, kind=registration.status)
    else:
        queue_registrant_email(registration, outcome.kind)
        queue_staff_notification(registration)
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


def confirm(token, now=None, pending=None):
    """Turn the pending request behind a confirm link into a registration.

    Decided under the event lock exactly as `register` decides: CONFIRMED,
    WAITING (with a position) or FULL; outside the registration window CLOSED.
    FULL, CLOSED and EXPIRED keep nothing (the pending row is deleted). When the
    address already holds a place or a waiting-list spot (another pending request
    confirmed first) the pending row is deleted too, and the outcome is DUPLICATE
    with that registration. A used, deleted or unknown token gives INVALID: a
    link confirms at most once, and one address never gets two registrations.
    Emails (and a ticked mailing-list box) are acted on after commit. `pending`:
    the row `pending_for_token(token)` gave the caller, so it is not read twice.
    """
    now = now or timezone.now()
    found = pending or pending_for_token(token)
    if found is None:
        return Outcome(INVALID)
    delete_expired_requests(found.page_id, now, keep=found.pk)
    wish = None
    with transaction.atomic():
        locked = _lock_event(found.page_id)
        # Read again under the lock: the row may have been confirmed or deleted since.
        current = (
            EventRegistration.objects.select_for_update(of=("self",))
            .select_related("mailing_list_consent")
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
        existing = active_for(locked.pk, current.email).first()
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
        send_reminder(registration, registration.page_id, registration.email)
    else:
        queue_registrant_email(registration, outcome.kind)
        queue_staff_notification(registration)
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
        queue_registrant_email(registration, "promoted")
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
        queue_registrant_email(current, "cancelled" if had_place else "left_waiting_list")
    for promoted_registration in promoted:
        queue_registrant_email(promoted_registration, "promoted")
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
    queue_registrant_email(current, "promoted")
    return True
