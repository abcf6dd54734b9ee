from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from django.db.models.signals import post_delete

        from wagtail.signals import page_published

        from .models import EventRegistration
        from .signals import (
            fill_places_after_delete,
            fill_places_after_publish,
            what_we_heard_after_publish,
        )

        page_published.connect(fill_places_after_publish, dispatch_uid="events_fill_places")
        page_published.connect(what_we_heard_after_publish, dispatch_uid="events_what_we_heard")
        post_delete.connect(
            fill_places_after_delete,
            sender=EventRegistration,
            dispatch_uid="events_fill_places_after_delete",
        )
        # What an event and its places show on, for the front cache purge.
        from . import purge

        purge.connect()
