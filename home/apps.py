from django.apps import AppConfig


class HomeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "home"
    verbose_name = "Site"

    def ready(self):
        from . import privacy_forms, report_demo  # noqa: F401  (report_demo: its demo loader)
        from .caching import connect_signals

        # Publishing bumps the content version that fragment and page caches key on.
        connect_signals()
        # Contact and enquiry messages in subject access, erasure and retention.
        privacy_forms.register()
        # The optional mailing-list subscription in subject access and erasure.
        from . import mailing_list

        mailing_list.register()
        # Rate-limit counters keyed on an email address, in subject access and erasure.
        from . import ratelimit

        ratelimit.register()
        # Failed background tasks keep no address in their error text.
        from . import task_records

        task_records.register()
        # Changes purge the front cache (nginx, a CDN) of the pages that show them.
        from . import frontend_cache

        frontend_cache.connect_signals()
