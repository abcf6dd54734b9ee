"""Roll yesterday's (and older) per-visitor view rows up into the daily totals and
delete them: cron-friendly, idempotent.

`apply_retention` (hourly) already does this as its "view_hashes" rule; this command
does only this, e.g. right after midnight (`5 0 * * * python manage.py purge_view_hashes`).
"""

from django.core.management.base import BaseCommand

from home.abuse.visitor import today

from ...views_count import roll_up_views


class Command(BaseCommand):
    help = "Roll per-visitor blog view rows from before today up into the totals, then delete them."

    def handle(self, *args, **options):
        deleted = roll_up_views(before=today())
        self.stdout.write(f"Deleted {deleted} visitor view row{'s' if deleted != 1 else ''}.")
