"""Keep the waiting list moving when an editor changes an event or deletes a registration."""

from django.db import transaction


def fill_places_after_publish(sender, instance, **kwargs):
    """Publishing an event with more places promotes people from its waiting list."""
    from .models import EventPage
    from .registration import fill_free_places

    if isinstance(instance, EventPage) and instance.pk:
        fill_free_places(instance)


def fill_places_after_delete(sender, instance, using, **kwargs):
    """Deleting an active registration (e.g. "Delete selected submissions" in the admin)
    gives its place to the next person waiting, once the deletion has committed.

    Runs after commit so the promotion takes the event lock in its own transaction
    and sees the row gone; nothing happens if the event itself was deleted with it.
    """
    from .models import EventRegistration

    if instance.status in (EventRegistration.CANCELLED, EventRegistration.PENDING):
        # Neither held a place.
        return
    page_id = instance.page_id
    # robust: the deletion has already committed; a failed promotion is logged, not a 500.
    transaction.on_commit(lambda: _fill_places_of(page_id), using=using, robust=True)


def _fill_places_of(page_id):
    from .models import EventPage
    from .registration import fill_free_places

    event = EventPage.objects.filter(pk=page_id).first()
    if event is not None:
        fill_free_places(event)


def what_we_heard_after_publish(sender, instance, **kwargs):
    """Publishing an event rebuilds its theme-to-recommendation links (purging the
    pages that show them) and, the first time it has themes, queues the summary
    email (see events/what_we_heard.py)."""
    from .models import EventPage, RecommendationLink
    from .purge import loop_changed
    from .what_we_heard import rebuild_links, start_mailing

    if isinstance(instance, EventPage) and instance.pk:
        before = set(
            RecommendationLink.objects.filter(event_id=instance.pk).values_list(
                "recommendation_id", flat=True
            )
        )
        after = {row.recommendation_id for row in rebuild_links(instance)}
        # The recommendations linked before and after, and the action plan's totals
        # and filters, are purged from the front cache once this commits.
        loop_changed(instance, before | after)
        start_mailing(instance)
