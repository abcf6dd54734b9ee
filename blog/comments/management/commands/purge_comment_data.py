"""`python manage.py purge_comment_data`: delete commenters' emails and visitor hashes
once the retention period after a decision has passed, and rejected and spam
comments after theirs. Safe to run from cron (`apply_retention` does the same)."""

from django.core.management.base import BaseCommand

from blog.comments.models import CommentSettings
from blog.comments.retention import purge, purge_declined, rejected_days


class Command(BaseCommand):
    help = (
        "Delete the email address and visitor hash of comments decided more than the "
        "retention period ago (Settings › Comment settings); names and text of published "
        "comments stay. Delete rejected and spam comments after "
        "LMN_REJECTED_COMMENTS_RETENTION_DAYS."
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
        declined = purge_declined(dry_run=dry_run)
        self.stdout.write(
            f"{'Would delete' if dry_run else 'Deleted'} {declined} rejected or spam "
            f"comment{'s' if declined != 1 else ''} decided more than {rejected_days()} days ago."
        )
