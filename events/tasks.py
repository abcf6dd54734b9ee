"""Background tasks: the emails of a registration, and queuing them.

Queued with django-tasks: run at once in development and tests, and by
`manage.py db_worker` in production (see docs/events.md), so a slow mail
server never slows the form. Tasks receive only ids, so no personal data is
written to the task queue.
"""

import logging

from django_tasks import task

from . import emails
from .records import EventRegistration

logger = logging.getLogger(__name__)


def _registration(registration_id):
    return (
        EventRegistration.objects.select_related("consent", "page")
        .filter(pk=registration_id)
        .first()
    )


@task()
def send_registrant_email(registration_id, kind):
    """Email the registrant: "confirm_request" (a pending request's confirm link),
    "confirmed", "waiting", "already_registered", "promoted", or after a
    cancellation "cancelled" (they had a place) or "left_waiting_list".

    Does nothing if the registration has been deleted or anonymised (an erasure
    request or retention) since the email was queued, nor, for the other kinds, if
    it has been cancelled since. A confirm link goes only to a request still
    pending, and nothing else ever goes to a pending one.
    """
    registration = _registration(registration_id)
    if registration is None:
        return False
    is_pending = registration.status == EventRegistration.PENDING
    if is_pending != (kind == emails.CONFIRM_REQUEST):
        return False
    is_cancelled = registration.status == EventRegistration.CANCELLED
    if is_cancelled != (kind in emails.CANCELLATION_KINDS):
        return False
    if registration.anonymised_at:
        return False
    emails.registrant_message(registration, kind).send()
    return True


@task()
def send_staff_notification(registration_id):
    """Tell the event's `to_address` about a new registration (never sensitive answers)."""
    registration = _registration(registration_id)
    if registration is None or registration.anonymised_at:
        return False
    if registration.status == EventRegistration.PENDING:
        return False
    message = emails.staff_message(registration)
    if message is None:
        return False
    message.send()
    return True


def queue_registrant_email(registration, kind):
    try:
        send_registrant_email.enqueue(registration.pk, kind)
    except Exception:
        # The registration stands even if the queue is down; only the id is logged.
        logger.exception("Could not queue the %s email for registration %s", kind, registration.pk)


def queue_staff_notification(registration):
    try:
        send_staff_notification.enqueue(registration.pk)
    except Exception:
        logger.exception("Could not queue the staff email for registration %s", registration.pk)
