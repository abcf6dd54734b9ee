"""The rules for places, the waiting list and the registration window.

Plain functions over plain values, so that the rules can be tested directly;
`events.registration` applies them while it holds a lock on the event row.
"""

from datetime import timedelta
from enum import StrEnum

# A registration's status (`EventRegistration.status`). A pending request, not yet
# confirmed from the emailed link, holds no place and is nobody's registration yet.
PENDING = "pending"
CONFIRMED = "confirmed"
WAITING = "waiting"
CANCELLED = "cancelled"
# What organisers see and filter by: a pending request is not a registration yet.
STATUSES = [(CONFIRMED, "Confirmed"), (WAITING, "Waiting list"), (CANCELLED, "Cancelled")]
ALL_STATUSES = [(PENDING, "Waiting for email confirmation"), *STATUSES]


class Decision(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    FULL = "full"


class Window(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def decide(capacity, confirmed, waiting_list_enabled):
    """What happens to the next person who registers.

    `capacity` None means unlimited places. While places are left they get
    one; when none are left they join the waiting list if the event has one,
    otherwise the event is fully booked and nothing is stored.
    """
    if capacity is None or confirmed < capacity:
        return Decision.CONFIRMED
    if waiting_list_enabled:
        return Decision.WAITING
    return Decision.FULL


def places_left(capacity, confirmed):
    """Free places, or None when the event has no limit (never below zero)."""
    if capacity is None:
        return None
    return max(capacity - confirmed, 0)


def places_to_fill(capacity, confirmed, waiting):
    """How many people to promote from the waiting list now.

    Used after a cancellation or when an editor raises the capacity: every
    free place goes to the next person waiting, and no more.
    """
    free = places_left(capacity, confirmed)
    if free is None:
        return waiting
    return min(free, waiting)


def registration_closes_at(start, closes=None):
    """When registration closes: at `closes` (blank: when the event starts), and
    never after the event has started, even if an editor sets a later time."""
    return min(closes, start) if closes else start


def confirm_link_expiry(now, hours, start, closes=None):
    """When a confirm link made at `now` stops working: after `hours`, or when
    registration closes, whichever comes first."""
    return min(now + timedelta(hours=hours), registration_closes_at(start, closes))


def registration_window(now, start, opens=None, closes=None):
    """Whether registration is open at `now`.

    Opens at `opens` (blank: already open) and closes as `registration_closes_at` says.
    """
    closes = registration_closes_at(start, closes)
    if opens and now < opens:
        return Window.NOT_YET_OPEN
    if now >= closes:
        return Window.CLOSED
    return Window.OPEN


def availability_label(window, capacity, confirmed, waiting_list_enabled):
    """The short status shown on event cards and pages.

    "12 places left", "1 place left", "Places available" (no limit),
    "Waiting list", "Fully booked", "Registration closed" or
    "Registration not open yet".
    """
    if window == Window.CLOSED:
        return "Registration closed"
    if window == Window.NOT_YET_OPEN:
        return "Registration not open yet"
    left = places_left(capacity, confirmed)
    if left is None:
        return "Places available"
    if left > 0:
        return f"{left} place left" if left == 1 else f"{left} places left"
    return "Waiting list" if waiting_list_enabled else "Fully booked"
