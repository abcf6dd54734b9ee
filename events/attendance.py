"""Attendance at an event, marked by organisers, and the counts built on it.

Only confirmed registrations can be marked (attended, did not attend, or back to
not marked); every change is written to Wagtail's audit log on the event, with
how many rows changed and never whose they were.
"""

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from wagtail.log_actions import log

from .models import EventContribution, EventPage, EventRegistration

ACTION = "lmn.events.attendance"
CHOICES = {"attended": True, "absent": False, "clear": None}
LABELS = {"attended": "attended", "absent": "did not attend", "clear": "not marked"}


def mark(event, registration_ids, choice, user, now=None):
    """Mark the confirmed registrations of `event` among `registration_ids` as
    attended, absent or not marked ("clear"). Returns how many rows changed."""
    value = CHOICES[choice]
    rows = EventRegistration.objects.filter(
        page_id=event.pk,
        pk__in=registration_ids,
        status=EventRegistration.CONFIRMED,
        anonymised_at__isnull=True,
    )
    rows = rows.filter(attended__isnull=False) if value is None else rows.exclude(attended=value)
    changed = rows.update(attended=value, attendance_marked_at=now or timezone.now())
    if changed:
        from .purge import totals_changed

        totals_changed()
        log(
            instance=event,
            action=ACTION,
            user=user,
            data={"marked": LABELS[choice], "registrations": changed},
        )
    return changed


def _count_of(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(page_id=OuterRef("pk"), **filters)
            .order_by()
            .values("page_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def with_roundtable_counts(queryset):
    """Annotate events with `attended_count` and `contribution_count` (for organisers)."""
    return queryset.annotate(
        attended_count=_count_of(EventRegistration, attended=True),
        contribution_count=_count_of(EventContribution),
    )


def _took_part_events():
    """Past, live, public events where someone attended or wrote a contribution."""
    attended = EventRegistration.objects.filter(page_id=OuterRef("pk"), attended=True)
    contributed = EventContribution.objects.filter(page_id=OuterRef("pk"))
    return (
        EventPage.objects.live()
        .public()
        .filter(end__lt=timezone.now())
        .filter(Q(Exists(attended)) | Q(Exists(contributed)))
    )


def totals():
    """{"people", "roundtables", "contributions"} for the action-plan page.

    "Took part" counts the people marked as attended, plus each written
    contribution from someone not marked as attended at that event (matched by
    email address while both are kept; an anonymous contribution counts as one
    person). Three queries whatever the number of rows.
    """
    events = _took_part_events()
    attended = EventRegistration.objects.filter(page__in=events.values("pk"), attended=True)
    contributions = EventContribution.objects.filter(page__in=events.values("pk"))
    overlap = contributions.exclude(email="").filter(
        Exists(
            EventRegistration.objects.filter(
                page_id=OuterRef("page_id"), email=OuterRef("email"), attended=True
            )
        )
    )
    counts = contributions.aggregate(
        contributions=Count("pk"),
        overlap=Count("pk", filter=Q(pk__in=overlap.values("pk"))),
    )
    people = attended.count() + counts["contributions"] - counts["overlap"]
    roundtables = events.count()
    return {
        "people": people,
        "roundtables": roundtables,
        "contributions": counts["contributions"],
    }


def confirmed_names(event):
    """Names of confirmed registrants for the sign-in sheet, alphabetically (no answers)."""
    return list(
        EventRegistration.objects.filter(
            page_id=event.pk, status=EventRegistration.CONFIRMED, anonymised_at__isnull=True
        )
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )
