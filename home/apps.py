from django.apps import AppConfig


class HomeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "home"
    verbose_name = "Site"

    def ready(self):
        from home.demo import report as report_demo  # noqa: F401  (report_demo: its demo loader)
        from home.privacy import form_messages  # noqa: F401
        from home.web.caching import connect_signals

        # Publishing bumps the content version that fragment and page caches key on.
        connect_signals()
        # Contact and enquiry messages in subject access, erasure and retention.
        form_messages.register()
        # The optional mailing-list subscription in subject access and erasure.
        from home.privacy import mailing_list

        mailing_list.register()
        # Rate-limit counters keyed on an email address, in subject access and erasure.
        from home.abuse import ratelimit

        ratelimit.register()
        # Failed background tasks keep no address in their error text.
        from home.privacy import task_records

        task_records.register()
        # Changes purge the front cache (nginx, a CDN) of the pages that show them.
        from home.web import frontend_cache

        frontend_cache.connect_signals()
