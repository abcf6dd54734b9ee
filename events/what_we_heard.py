"""“What we heard” and “You said, we did”: the themes an event page publishes, the
links from themes to action-plan recommendations, and the one summary email.

- `themes(event, request)`: the themes for the event page, with their linked
  recommendations, in one query whatever the number of links.
- `rebuild_links(event)`: on publish, the `RecommendationLink` index is rebuilt
  from the live StreamField, so recommendation pages read it in one query.
- `informed_by(plan, request)`: the action plan's "action_plan_informed_by" hook.
- `start_mailing(event)`: the first publish with themes queues the summary email
  (ids only); `send_summary(event_id)` sends it, once per address, only to people
  who ticked "email me the summary" and attended or wrote a contribution.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page

from django_tasks import task

from home.models import Recommendation

from .records import EventContribution, EventRegistration, RecommendationLink, WhatWeHeardMailing

logger = logging.getLogger(__name__)

ANCHOR = "what-we-heard"


def _anchors(headings):
    taken, anchors = set(), []
    for heading in headings:
        base = "theme-" + (slugify(heading) or "untitled")
        anchor, n = base, 2
        while anchor in taken:
            anchor, n = f"{base}-{n}", n + 1
        taken.add(anchor)
        anchors.append(anchor)
    return anchors


def _theme_values(event):
    return [block.value for block in event.what_we_heard if block.block_type == "theme"]


def _recommendation_ids(value):
    ids = []
    for raw in value.get("recommendations") or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            continue
    return ids


def recommendation_url(rec, request=None):
    plan = rec.page
    base = plan.get_url(request) or ""
    return base + plan.reverse_subpage("recommendation", args=[rec.number])


def themes(event, request=None):
    """The event's themes as dicts (heading, summary, quotes, anchor, linked), the
    linked recommendations being live plans' ones, read in a single query."""
    values = _theme_values(event)
    if not values:
        return []
    wanted = {pk for value in values for pk in _recommendation_ids(value)}
    recs = {}
    if wanted:
        recs = {
            rec.pk: rec
            for rec in Recommendation.objects.filter(pk__in=wanted, page__live=True).select_related(
                "page"
            )
        }
        for rec in recs.values():
            rec.url = recommendation_url(rec, request)
    result = []
    for value, anchor in zip(values, _anchors(v["heading"] for v in values), strict=True):
        linked = [recs[pk] for pk in _recommendation_ids(value) if pk in recs]
        result.append(
            {
                "heading": value["heading"],
                "summary": value["summary"],
                "quotes": list(value["quotes"]),
                "anchor": anchor,
                "linked": linked,
            }
        )
    return result


def rebuild_links(event):
    """Replace the event's recommendation links by those of its live "What we heard"."""
    values = _theme_values(event)
    existing = set(
        Recommendation.objects.filter(
            pk__in={pk for value in values for pk in _recommendation_ids(value)}
        ).values_list("pk", flat=True)
    )
    rows = []
    for value, anchor in zip(values, _anchors(v["heading"] for v in values), strict=True):
        for pk in dict.fromkeys(_recommendation_ids(value)):
            if pk in existing:
                rows.append(
                    RecommendationLink(
                        event_id=event.pk,
                        recommendation_id=pk,
                        theme=value["heading"][:120],
                        theme_anchor=anchor,
                        sort_order=len(rows),
                    )
                )
    with transaction.atomic():
        RecommendationLink.objects.filter(event_id=event.pk).delete()
        RecommendationLink.objects.bulk_create(rows)
    return rows


def informed_by(plan, request=None):
    """For the action-plan page ("action_plan_informed_by" hook): every theme of a live,
    public event linked to one of `plan`'s recommendations, as dicts with
    recommendation_id, roundtable (the event's slug), roundtable_title, event_url,
    theme and theme_url. One query (and the site's root paths, cached per request)."""
    links = (
        RecommendationLink.objects.filter(
            recommendation__page_id=plan.pk,
            event_id__in=Page.objects.live().public().values("pk"),
        )
        .select_related("event")
        .order_by("event__start", "event_id", "sort_order")
    )
    rows = []
    for link in links:
        event_url = link.event.get_url(request) or ""
        rows.append(
            {
                "recommendation_id": link.recommendation_id,
                "roundtable": link.event.slug,
                "roundtable_title": link.event.title,
                "event_url": event_url,
                "theme": link.theme,
                "theme_url": f"{event_url}#{link.theme_anchor}",
            }
        )
    return rows


# The summary email ----------------------------------------------------------------


def start_mailing(event):
    """Queue the summary email the first time `event` is published with themes.

    The `WhatWeHeardMailing` row (one per event, created here) is what makes later
    publishes, corrections included, send nothing. Returns True when queued.
    """
    if not _theme_values(event):
        return False
    try:
        with transaction.atomic():
            WhatWeHeardMailing.objects.create(event_id=event.pk)
    except IntegrityError:
        return False
    event_id = event.pk
    transaction.on_commit(lambda: _queue(event_id), robust=True)
    return True


def _queue(event_id):
    try:
        send_what_we_heard.enqueue(event_id)
    except Exception:
        logger.exception("Could not queue the summary email of event %s", event_id)


def recipients(event):
    """{email: [rows]} of everyone to email: confirmed registrations marked attended and
    contributions with an address, each with the "email me the summary" box ticked,
    not yet sent and not anonymised."""
    people = {}
    registrations = EventRegistration.objects.filter(
        page_id=event.pk,
        status=EventRegistration.CONFIRMED,
        attended=True,
        wants_summary=True,
        summary_sent_at__isnull=True,
        anonymised_at__isnull=True,
    ).exclude(email="")
    contributions = EventContribution.objects.filter(
        page_id=event.pk,
        anonymous=False,
        wants_summary=True,
        summary_sent_at__isnull=True,
        anonymised_at__isnull=True,
    ).exclude(email="")
    for row in [*registrations, *contributions]:
        people.setdefault(row.email, []).append(row)
    return people


def summary_message(event, email, site_url):
    context = {"event": event, "url": f"{site_url}#{ANCHOR}"}
    return EmailMessage(
        subject=f"What we heard: {event.title}",
        body=render_to_string("events/emails/what_we_heard.txt", context),
        from_email=event.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[email],
    )


def send_summary(event_id, now=None):
    """Send the summary email of a live event to its recipients, one per address.

    Each row is marked as sent straight after its address's email, so a second run
    (a retried task) sends nobody anything twice. Returns how many emails were sent.
    """
    event = Page.objects.live().filter(pk=event_id).specific().first()
    if event is None or not _theme_values(event):
        return 0
    site_url = event.full_url or ""
    sent = 0
    for email, rows in sorted(recipients(event).items()):
        summary_message(event, email, site_url).send()
        sent += 1
        stamp = now or timezone.now()
        for row in rows:
            type(row).objects.filter(pk=row.pk).update(summary_sent_at=stamp)
    return sent


@task()
def send_what_we_heard(event_id):
    """The one email sent when an event's "What we heard" is first published (ids only)."""
    return send_summary(event_id)
