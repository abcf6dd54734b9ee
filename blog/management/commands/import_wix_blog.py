"""`python manage.py import_wix_blog FEED [--publish]`: bring the old Wix blog across.

FEED is a file path or the URL of the Wix feed (https://…/blog-feed.xml). Safe to
run again: posts already imported are recognised by their GUID or link.
"""

from django.core.management.base import BaseCommand, CommandError

from ...importer import ImportProblem, import_feed, read_feed
from ...models import BlogIndexPage


class Command(BaseCommand):
    help = "Import posts from the old Wix blog's RSS feed (file path or URL)."

    def add_arguments(self, parser):
        parser.add_argument("feed", help="Path or URL of the Wix blog-feed.xml")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the posts (default: drafts)."
        )
        parser.add_argument(
            "--no-images", action="store_true", help="Do not download the posts' images."
        )

    def handle(self, *args, feed, publish=False, no_images=False, **options):
        index = BlogIndexPage.objects.first()
        if index is None:
            raise CommandError("There is no blog index page yet: create one (e.g. at /blog/).")
        try:
            data = read_feed(feed)
        except (OSError, ImportProblem) as exc:
            raise CommandError(f"Could not read the feed: {exc}") from exc
        try:
            report = import_feed(data, index, publish=publish, download_images=not no_images)
        except ImportProblem as exc:
            raise CommandError(str(exc)) from exc

        state = "published" if publish else "as drafts"
        for post in report.created:
            self.stdout.write(f"Created “{post.title}” {state}.")
        for post in report.existing:
            self.stdout.write(f"Already imported: “{post.title}”.")
        for path in report.redirects:
            self.stdout.write(f"Redirect {path} → new post (permanent).")
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(line))
        for line in report.skipped:
            self.stderr.write(self.style.ERROR(line))
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} created, {len(report.existing)} already there, "
                f"{len(report.redirects)} redirects added, {len(report.skipped)} skipped."
            )
        )
