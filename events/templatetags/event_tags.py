from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from events.models import EventIndexPage, EventPage, with_registration_counts
from home.models import is_public

register = template.Library()


@register.inclusion_tag("events/includes/upcoming_events.html", takes_context=True)
def upcoming_events(context, count=3):
    """Cards for the next `count` live, public events that have not yet ended."""
    events = with_registration_counts(
        EventPage.objects.live()
        .filter(is_public())
        .filter(end__gte=timezone.now())
        .order_by("start")
    )[:count]
    return {
        "events": list(events),
        "index": EventIndexPage.objects.live().filter(is_public()).first(),
        "request": context.get("request"),
    }


@register.inclusion_tag("events/includes/roundtable_totals.html")
def roundtable_totals():
    """ "N people took part across M roundtables, with K written contributions", for
    the action-plan page (totals only: see events.attendance.totals)."""
    from events.attendance import totals

    return {"totals": totals()}


@register.simple_tag(takes_context=True)
def event_json_ld(context, page):
    """The event's schema.org data (EventPage.json_ld) with this request's site."""
    return mark_safe(page.json_ld(context.get("request")))  # noqa: S308 (escaped by json_ld)
