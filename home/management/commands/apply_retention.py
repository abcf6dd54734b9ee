"""`python manage.py apply_retention [--dry-run]`: run every retention rule.

Safe to run from cron (e.g. nightly): each rule is idempotent, so a second
run the same day finds nothing more to do.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from home.privacy import registry as privacy


class Command(BaseCommand):
    help = "Delete or anonymise personal data that has passed its retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        with transaction.atomic():
            results = privacy.apply_retention(now=now, dry_run=dry_run)
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write("Dry run: nothing has been changed.")
        changes = {rule: len(lines) for rule, lines in results.items() if lines}
        for rule, lines in results.items():
            for line in lines:
                self.stdout.write(f"[{rule}] {line}")
        if not changes:
            self.stdout.write("Nothing is due for deletion.")
            return
        if not dry_run:
            # The counts are summary lines per rule (events, kinds of record): no
            # personal data, and enough to see that the nightly run did its work.
            privacy.record_privacy_action("retention", user=None, counts=changes)
            self.stdout.write(self.style.SUCCESS("Done. Recorded in the audit log."))
