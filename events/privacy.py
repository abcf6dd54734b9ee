"""Registrations in subject access, erasure and retention (see `home.privacy.registry`).

Registered in `EventsConfig.ready()`. Registrations are never simply deleted:
the name, email address and answers are removed and the row keeps only its
event, status and times (an anonymised registration), so that each event's
counts per status survive for statistics while nothing links them to a person.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from home.privacy.registry import PersonalDataHolder, RetentionRule

from .models import EventPage, EventRegistration
from .retention import day, deletion_date


def _iso(value):
    return value.isoformat() if value else None


def _by_email(email):
    email = (email or "").strip().lower()
    if not email:
        return EventRegistration.objects.none()
    return EventRegistration.objects.filter(email=email, anonymised_at__isnull=True)


def export(email):
    """Every registration made with `email`, pending requests included while they
    exist: the event, status, answers (sensitive ones included: they are the
    person's own) and the consent wording they agreed to."""
    rows = []
    registrations = _by_email(email).select_related("consent").order_by("submit_time", "pk")
    events = {
        event.pk: event
        for event in EventPage.objects.filter(
            pk__in={registration.page_id for registration in registrations}
        ).prefetch_related("form_fields")
    }
    for registration in registrations:
        event = events[registration.page_id]
        labels = {field.clean_name: field.label for field in event.form_fields.all()}
        rows.append(
            {
                "id": registration.pk,
                "event": event.title,
                "event_path": event.url_path,
                "event_starts": _iso(event.start),
                "event_ends": _iso(event.end),
                "status": registration.status,
                "waiting_list_place": registration.waiting_position,
                "registered_at": _iso(registration.submit_time),
                "name": registration.name,
                "email": registration.email,
                "answers": {
                    labels.get(name, name): value for name, value in registration.form_data.items()
                },
                "consent_wording_version": registration.consent.version,
                "consent_wording": registration.consent.text,
                "consented_at": _iso(registration.consented_at),
                "cancelled_at": _iso(registration.cancelled_at),
                "promoted_at": _iso(registration.promoted_at),
                "attended": registration.attended,
                "wants_summary_email": registration.wants_summary,
                "summary_emailed_at": _iso(registration.summary_sent_at),
                "confirm_link_expires_at": _iso(registration.confirm_expires_at),
                "personal_data_deleted_on": _iso(deletion_date(event)),
            }
        )
    return rows


def anonymise(registrations, now):
    """Remove the name, email address and answers of `registrations` (a queryset).

    The status, event and times stay, so counts per status still add up. The cancel
    token is replaced, so an old emailed cancel link no longer finds the row; the new
    value is unique (it holds the row's id) and cannot be forged, because cancel codes
    are signed. Idempotent: anonymised rows are skipped. Returns how many changed.
    """
    changed = registrations.filter(anonymised_at__isnull=True).update(
        name="",
        email="",
        form_data={},
        cancel_token=Concat(Value("anonymised-"), Cast("id", output_field=CharField())),
        anonymised_at=now,
    )
    if changed:
        _totals_changed()
    return changed


def _totals_changed():
    """The action plan's totals match attendees and contributors by email address:
    clearing addresses can change them (see events/purge.py)."""
    from .purge import totals_changed

    totals_changed()


def erase(email):
    """Erase everything registered with `email`.

    Pending requests (never confirmed from the emailed link) are deleted. A
    confirmed place or waiting-list place on an event that has not ended is first
    cancelled, which gives the place to the next person waiting (who is emailed);
    then every registration is anonymised. Returns how many registrations were erased.
    """
    from .registration import cancel

    now = timezone.now()
    erased = 0
    with transaction.atomic():
        # Pending requests hold no place and are not kept for statistics: deleted.
        pending = _by_email(email).filter(status=EventRegistration.PENDING)
        erased += pending.delete()[0]
        for registration in _by_email(email).order_by("pk"):
            active = registration.status != EventRegistration.CANCELLED
            if active and EventPage.objects.filter(pk=registration.page_id, end__gt=now).exists():
                cancel(registration, now=now, notify=False)
            erased += anonymise(EventRegistration.objects.filter(pk=registration.pk), now)
    return erased


def is_due(event, now):
    """Whether `event`'s registrations have passed their retention period."""
    due = deletion_date(event)
    return due is not None and due <= now


def apply_retention(now, dry_run=False):
    """Delete pending requests whose confirm link has expired, then anonymise the
    registrations of every event whose retention period has passed.

    One line for the expired requests, and one per event with something to do, with
    the counts per status that are kept; a second run reports nothing.
    """
    lines = []
    expired = EventRegistration.objects.filter(
        status=EventRegistration.PENDING, confirm_expires_at__lte=now
    )
    count = expired.count()
    if count:
        if not dry_run:
            expired.delete()
        verb = "would delete" if dry_run else "deleted"
        lines.append(
            f"Registrations: {verb} {count} unconfirmed request(s) whose confirm link expired."
        )
    events = EventPage.objects.filter(end__lt=now).order_by("end", "pk")
    for event in events:
        if not is_due(event, now):
            continue
        due = EventRegistration.objects.filter(
            page_id=event.pk, anonymised_at__isnull=True
        ).exclude(status=EventRegistration.PENDING)
        by_status = dict(due.values_list("status").annotate(n=Count("id")).order_by())
        if not by_status:
            continue
        total = sum(by_status.values())
        if not dry_run:
            anonymise(due, now)
        statuses = ", ".join(
            f"{by_status[status]} {label.lower()}"
            for status, label in EventRegistration.STATUSES
            if by_status.get(status)
        )
        verb = "would anonymise" if dry_run else "anonymised"
        lines.append(
            f"“{event.title}” (ended {day(event.end)}): {verb} "
            f"{total} registration(s) ({statuses}); the counts per status are kept."
        )
    return lines


# Written contributions -------------------------------------------------------------
# Anonymous ones hold no email address, so nobody can ask for them by address.


def _contributions_by_email(email):
    from .models import EventContribution

    email = (email or "").strip().lower()
    if not email:
        return EventContribution.objects.none()
    return EventContribution.objects.filter(email=email, anonymised_at__isnull=True)


def export_contributions(email):
    """Every written contribution sent with `email`: the event, the answers (sensitive
    ones included: they are the person's own), the boxes ticked and the consent."""
    from .records import question_labels

    rows = []
    for contribution in (
        _contributions_by_email(email)
        .select_related("page", "consent")
        .prefetch_related("page__contribution_fields", "themes")
        .order_by("submit_time", "pk")
    ):
        event = contribution.page
        labels = question_labels(event)
        rows.append(
            {
                "id": contribution.pk,
                "event": event.title,
                "event_path": event.url_path,
                "sent_at": _iso(contribution.submit_time),
                "name": contribution.name,
                "email": contribution.email,
                "answers": {
                    labels.get(name, name): value for name, value in contribution.form_data.items()
                },
                "themes_tagged_by_organisers": sorted(t.name for t in contribution.themes.all()),
                "wants_summary_email": contribution.wants_summary,
                "may_be_credited_by_name": contribution.may_credit,
                "summary_emailed_at": _iso(contribution.summary_sent_at),
                "consent_wording_version": contribution.consent.version,
                "consent_wording": contribution.consent.text,
                "consented_at": _iso(contribution.consented_at),
                "personal_data_deleted_on": _iso(contribution_deletion_date(event)),
            }
        )
    return rows


def anonymise_contributions(contributions, now):
    """Remove the name, email address and answers (the row stays, to be counted).
    Idempotent; returns how many changed."""
    from .models import TaggedContribution

    due = contributions.filter(anonymised_at__isnull=True)
    TaggedContribution.objects.filter(content_object__in=due.values("pk")).delete()
    changed = due.update(
        name="", email="", form_data={}, wants_summary=False, may_credit=False, anonymised_at=now
    )
    if changed:
        _totals_changed()
    return changed


def erase_contributions(email):
    return anonymise_contributions(_contributions_by_email(email), timezone.now())


def contribution_deletion_date(event):
    """When the contributions of `event` are anonymised: `delete_contributions_after_days`
    after contributions close."""
    from .contributions import closes_at

    closes = closes_at(event)
    if closes is None or event.delete_contributions_after_days is None:
        return None
    return closes + timedelta(days=event.delete_contributions_after_days)


def apply_contribution_retention(now, dry_run=False):
    """Anonymise the contributions of every event whose retention period has passed."""
    from .contributions import closes_at
    from .models import EventContribution

    lines = []
    for event in EventPage.objects.filter(end__lt=now).order_by("end", "pk"):
        due_on = contribution_deletion_date(event)
        if due_on is None or due_on > now:
            continue
        due = EventContribution.objects.filter(page_id=event.pk, anonymised_at__isnull=True)
        count = due.count()
        if not count:
            continue
        if not dry_run:
            anonymise_contributions(due, now)
        verb = "would anonymise" if dry_run else "anonymised"
        lines.append(
            f"“{event.title}” (contributions closed {day(closes_at(event))}): {verb}"
            f" {count} written contribution(s); the count is kept."
        )
    return lines


def personal_data():
    return [
        PersonalDataHolder("registrations", export=export, erase=erase),
        PersonalDataHolder("contributions", export=export_contributions, erase=erase_contributions),
    ]


def retention_rules():
    return [
        RetentionRule("registrations", apply=apply_retention),
        RetentionRule("contributions", apply=apply_contribution_retention),
    ]
