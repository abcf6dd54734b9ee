"""Delete yesterday's (and older) per-visitor view rows: cron-friendly, idempotent.

The beacon already does this on the first counted view of each day; run this
nightly too (e.g. `5 0 * * * python manage.py purge_view_hashes`) so that no
visitor hash outlives its day even when nobody reads the blog.
"""

from django.core.management.base import BaseCommand

from home.abuse.visitor import today

from ...views_count import purge_visitor_rows


class Command(BaseCommand):
    help = "Delete per-visitor blog view rows from before today (daily totals stay)."

    def handle(self, *args, **options):
        deleted = purge_visitor_rows(before=today())
        self.stdout.write(f"Deleted {deleted} visitor view row{'s' if deleted != 1 else ''}.")
