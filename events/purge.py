"""What the front cache must drop when an event or its places change (see
home/web/frontend_cache.py): the calendar feed and the event's calendar file when it is
published, moved or unpublished; the event page, the events index (its filtered
views too) and the home page whenever a place is taken or given back, including by
an organiser (a phone booking, a cancellation, a promotion, a deleted registration).

The roundtable loop shows on the action plan too: its totals ("N people took part
across M roundtables…") change when an event is published or unpublished, attendance
is marked, or a written contribution is stored, anonymised or deleted; and an event's
"What we heard" themes show on the pages of the recommendations they link to and on
the plan filtered by roundtable (`?roundtable=`). Publishing or unpublishing an event
purges the recommendations it linked to before the change and after it (so a link
removed disappears too) and the action plan with its filtered views.
"""

from urllib.parse import urlencode

from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from wagtail.signals import page_unpublished

from home.web import frontend_cache

from .models import AUDIENCES, EventContribution, EventIndexPage, EventPage, EventRegistration
from .serving import SENT_QUERY

# Pages of the index's two lists (upcoming `?upcoming=N`, past `?page=N`) purged with
# it: an event published, moved or unpublished shifts the later pages, and every
# upcoming card shows its places left. Pages beyond these catch up within the cache's
# lifetime.
LISTING_PAGES = 5


def index_paths(index):
    """The index filtered by each audience, and the first pages of both its lists."""
    later = range(2, LISTING_PAGES + 1)
    return [
        *(f"?audience={value}" for value, _label in AUDIENCES),
        *(f"?upcoming={number}" for number in later),
        *(f"?page={number}" for number in later),
    ]


def event_paths(event):
    """The event's "check your inbox" page (events.serving), which shows its title,
    time and place."""
    return [f"?{SENT_QUERY}"]


def event_shown_on(event):
    """The site's calendar feed and the event's own calendar file."""
    parts = event.get_url_parts()
    if parts is None:
        return []
    root_url = parts[1]
    return [
        root_url + reverse("events:feed"),
        root_url + reverse("events:event_ics", args=[event.pk]),
    ]


def _places_change(page_id):
    """The event page and its ancestors (the index and the home page) show the
    places left; they are looked up after the commit, not under the event lock."""
    frontend_cache.purge_pages_after_commit([page_id], with_ancestors=True)


def _registration_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created and instance.status == EventRegistration.PENDING:
        return  # a request waiting for its confirm link holds no place
    if update_fields is not None and "status" not in update_fields:
        return  # e.g. a reminder sent or personal data cleared
    _places_change(instance.page_id)


def _registration_deleted(sender, instance, **kwargs):
    if instance.status != EventRegistration.PENDING:
        _places_change(instance.page_id)


def add_action_plans(batch, roundtables=()):
    """Every live action plan (each shows the totals), filtered by each status and by
    each roundtable that informed it, plus the roundtables (event slugs) given."""
    from home.models import ActionPlanPage
    from home.report.progress import STATUS_CHOICES

    from .models import RecommendationLink

    plans = list(ActionPlanPage.objects.live())
    if not plans:
        return
    linked = {}
    for plan_id, slug in (
        RecommendationLink.objects.filter(recommendation__page__in=plans)
        .values_list("recommendation__page_id", "event__slug")
        .distinct()
    ):
        linked.setdefault(plan_id, set()).add(slug)
    for plan in plans:
        url = plan.get_full_url(batch)
        if url is None:
            continue
        batch.add_url(url)
        batch.add_urls(f"{url}?status={value}" for value, _label in STATUS_CHOICES)
        slugs = linked.get(plan.pk, set()) | set(roundtables)
        batch.add_urls(f"{url}?{urlencode({'roundtable': slug})}" for slug in sorted(slugs))


def add_recommendations(batch, recommendation_ids):
    """The pages of these recommendations (on live action plans)."""
    from home.models import Recommendation

    for rec in Recommendation.objects.filter(
        pk__in=recommendation_ids, page__live=True
    ).select_related("page"):
        url = rec.page.get_full_url(batch)
        if url is not None:
            batch.add_url(url + rec.page.reverse_subpage("recommendation", args=[rec.number]))


def totals_changed():
    """After the commit, purge the action plans: their roundtable totals changed
    (attendance marked, a contribution stored, anonymised or deleted)."""
    frontend_cache.purge_built_after_commit(add_action_plans)


def loop_changed(event, recommendation_ids):
    """After the commit, purge the recommendations `event`'s themes linked to (before
    and after the change) and the action plans, filtered by this roundtable too."""
    slug, ids = event.slug, set(recommendation_ids)

    def build(batch):
        add_recommendations(batch, ids)
        add_action_plans(batch, [slug])

    frontend_cache.purge_built_after_commit(build)


def _event_unpublished(sender, instance, **kwargs):
    """An unpublished event's themes and its part in the totals leave the plan."""
    from .models import RecommendationLink

    ids = RecommendationLink.objects.filter(event_id=instance.pk).values_list(
        "recommendation_id", flat=True
    )
    loop_changed(instance, list(ids))


def _contribution_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        totals_changed()


def _contribution_deleted(sender, instance, **kwargs):
    totals_changed()


def connect():
    frontend_cache.register(EventIndexPage, paths=index_paths)
    frontend_cache.register(EventPage, paths=event_paths, shown_on=event_shown_on)
    post_save.connect(
        _registration_saved, sender=EventRegistration, dispatch_uid="events_purge_saved"
    )
    post_delete.connect(
        _registration_deleted, sender=EventRegistration, dispatch_uid="events_purge_deleted"
    )
    page_unpublished.connect(
        _event_unpublished, sender=EventPage, dispatch_uid="events_purge_unpublished"
    )
    post_save.connect(
        _contribution_saved, sender=EventContribution, dispatch_uid="events_purge_contribution"
    )
    post_delete.connect(
        _contribution_deleted,
        sender=EventContribution,
        dispatch_uid="events_purge_contribution_deleted",
    )
