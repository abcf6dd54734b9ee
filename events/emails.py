"""What registrants and staff are sent. Building only: `events.tasks` sends."""

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from home.privacy.mailing_list import unsubscribe_url_for
from home.privacy.staff_routing import staff_addresses
from home.web.links import site_root

from .dates import human_date_range
from .ics import build_calendar
from .records import display_answer
from .tokens import make_cancel_code, make_confirm_code

CONFIRM_REQUEST = "confirm_request"
ALREADY_REGISTERED = "already_registered"
SUBJECTS = {
    CONFIRM_REQUEST: "Please confirm your registration: {title}",
    ALREADY_REGISTERED: "You're already registered: {title}",
    "confirmed": "Your place is confirmed: {title}",
    "waiting": "You're on the waiting list: {title}",
    "promoted": "A place has come up for you: {title}",
    "cancelled": "Your place is cancelled: {title}",
    "left_waiting_list": "You have left the waiting list: {title}",
}
CANCELLATION_KINDS = ("cancelled", "left_waiting_list")


def cancel_url(registration, event):
    """The signed cancel link; it stops working when the event starts."""
    code = make_cancel_code(registration.cancel_token, event.start)
    return site_root(event) + reverse("events:cancel", args=[code])


def confirm_url(registration, event):
    """The signed, single-use confirm link of a pending request."""
    code = make_confirm_code(registration.confirm_token, registration.confirm_expires_at)
    return site_root(event) + reverse("events:confirm", args=[code])


def confirm_request_message(registration, event):
    """The "please confirm" email of a pending request: the link and when it stops
    working, and what happens if the person did not ask for it (nothing)."""
    context = {
        "registration": registration,
        "event": event,
        "event_url": event.full_url,
        "confirm_url": confirm_url(registration, event),
        "expires": human_date_range(registration.confirm_expires_at),
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[CONFIRM_REQUEST].format(title=event.title),
        body=render_to_string("events/emails/confirm_request.txt", context),
        from_email=event.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    )
    message.attach_alternative(
        render_to_string("events/emails/confirm_request.html", context), "text/html"
    )
    return message


def answer_rows(registration, event, include_sensitive):
    """(label, answer) pairs for the editor's questions, in form order."""
    rows = []
    for field in event.form_fields.all():
        if field.sensitive and not include_sensitive:
            continue
        rows.append((field.label, display_answer(registration.form_data.get(field.clean_name))))
    return rows


def registrant_message(registration, kind):
    """The confirm request, confirmation, waiting-list, "already registered",
    promotion or cancellation email (plain text and HTML).

    Confirmed and promoted people get the joining link of an online event and
    an .ics file; people on the waiting list get neither until they have a place.
    Someone whose place is cancelled gets the same calendar entry (same UID) marked
    cancelled, which updates the copy in their calendar.
    """
    if kind not in SUBJECTS:
        raise ValueError(f"Unknown email kind {kind!r}")
    event = registration.page.specific
    if kind == CONFIRM_REQUEST:
        return confirm_request_message(registration, event)
    has_place = kind in ("confirmed", "promoted") or (
        kind == ALREADY_REGISTERED and registration.status == registration.CONFIRMED
    )
    cancelled = kind in CANCELLATION_KINDS
    context = {
        "kind": kind,
        "cancelled": cancelled,
        "has_place": has_place,
        "registration": registration,
        "event": event,
        "event_url": event.full_url,
        "cancel_url": cancel_url(registration, event),
        "waiting_position": registration.waiting_position,
        "joining_link": event.joining_link if has_place and event.is_online else "",
        "joining_instructions": event.joining_instructions if has_place else "",
        # Only for people who ticked the separate mailing-list box.
        "mailing_list_unsubscribe_url": unsubscribe_url_for(registration.email, site_root(event)),
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(title=event.title),
        body=render_to_string("events/emails/registrant.txt", context),
        from_email=event.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    )
    message.attach_alternative(
        render_to_string("events/emails/registrant.html", context), "text/html"
    )
    if has_place:
        message.attach(
            f"{event.slug}.ics",
            build_calendar([event.calendar_entry(include_joining_link=True)], name=event.title),
            "text/calendar; charset=utf-8; method=PUBLISH",
        )
    elif kind == "cancelled":
        message.attach(
            f"{event.slug}-cancelled.ics",
            build_calendar([event.calendar_entry()], name=event.title, cancel=True),
            "text/calendar; charset=utf-8; method=PUBLISH",
        )
    return message


def staff_message(registration):
    """The notification to the event's `to_address`, without sensitive answers.

    Returns None when the event has no `to_address`, or none at a staff domain
    (LMN_STAFF_EMAIL_DOMAINS): a page saved before the limit was set never sends
    registrants' details elsewhere.
    """
    event = registration.page.specific
    recipients = staff_addresses(event.to_address)
    if not recipients:
        return None
    context = {
        "registration": registration,
        "event": event,
        "answers": answer_rows(registration, event, include_sensitive=False),
        "counts": event.counts,
        "registrations_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("wagtailforms:list_submissions", args=[event.pk]),
    }
    return EmailMessage(
        subject=event.subject or f"New registration: {event.title}",
        body=render_to_string("events/emails/staff.txt", context),
        from_email=event.from_address or settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
