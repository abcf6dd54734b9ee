"""What the front cache must drop when an event or its places change (see
home/frontend_cache.py): the calendar feed and the event's calendar file when it is
published, moved or unpublished; the event page, the events index (its filtered
views too) and the home page whenever a place is taken or given back, including by
an organiser (a phone booking, a cancellation, a promotion, a deleted registration)."""

from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from home import frontend_cache

from .models import AUDIENCES, EventIndexPage, EventPage, EventRegistration


def index_paths(index):
    """The index filtered by each audience."""
    return [f"?audience={value}" for value, _label in AUDIENCES]


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


def connect():
    frontend_cache.register(EventIndexPage, paths=index_paths)
    frontend_cache.register(EventPage, shown_on=event_shown_on)
    post_save.connect(
        _registration_saved, sender=EventRegistration, dispatch_uid="events_purge_saved"
    )
    post_delete.connect(
        _registration_deleted, sender=EventRegistration, dispatch_uid="events_purge_deleted"
    )
