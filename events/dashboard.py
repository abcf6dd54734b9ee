"""The events' parts of the editors' dashboard: registration windows opening or
closing this week (in "Needs you") and the "Events" panel of upcoming events with
their places, for the people allowed to see registrations."""

from datetime import timedelta

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.ui.components import Component

from home.staff.dashboard import DASHBOARD_MEDIA, LIST_LIMIT, Part, Row

from .dates import human_date_range
from .models import EventIndexPage, EventPage, with_registration_counts
from .permissions import can_manage_registrations

WINDOW_DAYS = 7
UPCOMING_LIMIT = 8


def can_plan_events(user):
    """Event organisers, and anyone who may edit the events pages."""
    if not user.is_active:
        return False
    if can_manage_registrations(user):
        return True
    index = EventIndexPage.objects.order_by("path").first()
    return index is not None and index.permissions_for_user(user).can_edit()


def window_changes(now=None):
    """Live events whose registration opens, or closes, in the next 7 days: a list of
    (moment, "opens"/"closes", event), soonest first, in one query.

    Rule: registration closes at `registration_closes`, or when the event starts
    when that is blank (as `events.capacity.registration_window` decides)."""
    now = now or timezone.now()
    until = now + timedelta(days=WINDOW_DAYS)
    events = (
        EventPage.objects.live()
        .annotate(closes_at=Coalesce("registration_closes", "start"))
        .filter(
            Q(registration_opens__gte=now, registration_opens__lt=until)
            | Q(closes_at__gte=now, closes_at__lt=until)
        )
        .only("pk", "title", "start", "registration_opens", "registration_closes")
    )
    changes = []
    for event in events:
        if event.registration_opens and now <= event.registration_opens < until:
            changes.append((event.registration_opens, "opens", event))
        if now <= event.closes_at < until:
            changes.append((event.closes_at, "closes", event))
    changes.sort(key=lambda item: (item[0], item[2].pk))
    return changes


def registration_windows_part(request):
    """ "Needs you": registrations opening or closing in the coming week."""
    if not can_plan_events(request.user):
        return None
    changes = window_changes()
    organiser = can_manage_registrations(request.user)
    rows = []
    for moment, what, event in changes[:LIST_LIMIT]:
        url_name = "wagtailforms:list_submissions" if organiser else "wagtailadmin_pages:edit"
        rows.append(
            Row(
                label=event.title,
                url=reverse(url_name, args=[event.pk]),
                detail=f"registration {what} {human_date_range(moment)}",
            )
        )
    count = len(changes)
    return Part(
        key="registration-windows",
        heading="Registration opening or closing this week",
        count=count,
        count_text=f"{count} registration date{'s' if count != 1 else ''} in the next "
        f"{WINDOW_DAYS} days",
        rows=rows,
        empty_text=f"No registration opens or closes in the next {WINDOW_DAYS} days.",
    )


class EventsPanel(Component):
    """Upcoming events with confirmed / capacity / waiting, each linked to its
    registrations: one query for any number of events."""

    name = "events"
    template_name = "events/dashboard/events.html"
    media = DASHBOARD_MEDIA
    order = 150

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        events = list(
            with_registration_counts(EventPage.objects.live().filter(end__gte=now))
            .order_by("start", "pk")
            .only("pk", "title", "start", "end", "capacity")[:UPCOMING_LIMIT]
        )
        return {
            "events": [
                {
                    "title": event.title,
                    "when": human_date_range(event.start),
                    "confirmed": event.confirmed_count,
                    "capacity": event.capacity,
                    "waiting": event.waiting_count,
                    "url": reverse("wagtailforms:list_submissions", args=[event.pk]),
                }
                for event in events
            ],
            "all_url": reverse("events_registrations_index"),
        }


def add_events_panel(request, panels):
    """Only for people allowed to see registrations (organisers, superusers)."""
    if can_manage_registrations(request.user):
        panels.append(EventsPanel())
