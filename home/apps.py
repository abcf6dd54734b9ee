from django.apps import AppConfig


class HomeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "home"
    verbose_name = "Site"

    def ready(self):
        from . import report_demo  # noqa: F401  (registers the report's demo loader)
        from .caching import connect_signals

        # Publishing bumps the content version that fragment and page caches key on.
        connect_signals()
