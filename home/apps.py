from django.apps import AppConfig


class HomeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "home"
    verbose_name = "Site"

    def ready(self):
        from home.web.caching import connect_signals

        # Publishing bumps the content version that fragment and page caches key on.
        connect_signals()
        # Failed background tasks keep no address in their error text.
        from home.privacy import task_records

        task_records.connect_signals()
        # Changes purge the front cache (nginx, a CDN) of the pages that show them.
        from home.web import frontend_cache

        frontend_cache.connect_signals()
        from home.report import purge as report_purge

        report_purge.connect()
