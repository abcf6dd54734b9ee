from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from wagtail.signals import page_published

        from . import demo  # noqa: F401  (registers the demo loader)
        from . import privacy
        from .signals import fill_places_after_publish

        privacy.register()

        page_published.connect(fill_places_after_publish, dispatch_uid="events_fill_places")
