"""Registering, cancelling and promoting, each in one transaction that locks the event.

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

from home import ratelimit

from . import capacity as rules
from .models import EventPage, EventRegistration

logger = logging.getLogger(__name__)

CONFIRMED = "confirmed"
WAITING = "waiting"
FULL = "full"
DUPLICATE = "duplicate"
CLOSED = "closed"


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


def register(event, *, name, email, answers, consent, now=None):
    """Register one person, deciding their status under the event lock.

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
            existing = (
                EventRegistration.objects.filter(page_id=locked.pk, email=email)
                .exclude(status=EventRegistration.CANCELLED)
                .first()
            )
            if existing is not None:
                outcome = Outcome(DUPLICATE, existing)
            else:
                decision = rules.decide(
                    locked.capacity, _confirmed_count(locked.pk), locked.waiting_list_enabled
                )
                if decision == rules.Decision.FULL:
                    return Outcome(FULL)
                position = None
                if decision == rules.Decision.WAITING:
                    last = EventRegistration.objects.filter(page_id=locked.pk).aggregate(
                        last=Max("position")
                    )["last"]
                    position = (last or 0) + 1
                registration = EventRegistration.objects.create(
                    page_id=locked.pk,
                    form_data=answers,
                    status=str(decision),
                    position=position,
                    name=name,
                    email=email,
                    consent=consent,
                    consented_at=now,
                )
                outcome = Outcome(str(decision), registration)
    except IntegrityError:
        # The unique constraint is only a backstop: the lock above means two
        # attempts with one email cannot both get here.
        existing = (
            EventRegistration.objects.filter(page_id=event.pk, email=email)
            .exclude(status=EventRegistration.CANCELLED)
            .first()
        )
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
