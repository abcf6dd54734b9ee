"""`python manage.py purge_comment_data`: delete commenters' emails and visitor hashes
once the retention period after a decision has passed. Safe to run from cron."""

from django.core.management.base import BaseCommand

from blog.comments.models import CommentSettings
from blog.comments.retention import purge


class Command(BaseCommand):
    help = (
        "Delete the email address and visitor hash of comments decided more than the "
        "retention period ago (Settings › Comment settings). Names and text stay."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what would be removed."
        )

    def handle(self, *args, dry_run=False, **options):
        days = CommentSettings.load().retention_days
        comments, reports = purge(retention_days=days, dry_run=dry_run)
        verb = "Would clear" if dry_run else "Cleared"
        self.stdout.write(
            f"{verb} the email address and visitor hash of {comments} "
            f"comment{'s' if comments != 1 else ''} decided more than {days} days ago."
        )
        self.stdout.write(
            f"{verb} the visitor hash of {reports} report{'s' if reports != 1 else ''} "
            f"older than {days} days."
        )
