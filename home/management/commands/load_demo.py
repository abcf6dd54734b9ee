"""Build the demo site: `python manage.py load_demo [--reset]`.

Idempotent: a second run finds what the first made and changes nothing.
`--reset` deletes the demo pages (everything under the site root) and builds
them again. Each app adds its own part through `home.demo.registry.register`.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from wagtail.models import Page, Site

from home.demo import registry as demo
from home.demo.content import build_home_tree, finish, load_home_content


class Command(BaseCommand):
    help = "Create the demo site content (idempotent; --reset rebuilds it)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo pages and build them again."
        )

    def handle(self, *args, reset=False, **options):
        with transaction.atomic():
            if reset:
                self._reset()
            home = build_home_tree(self.stdout)
            load_home_content(home, self.stdout)
            for loader in demo.loaders():
                loader.load(home, self.stdout)
            # Runs last: other apps' loaders add the report, news and events.
            finish(home, self.stdout)
        total = Page.objects.filter(depth__gt=1).count()
        self.stdout.write(self.style.SUCCESS(f"Demo content ready: {total} pages."))

    def _reset(self):
        root = Page.get_first_root_node()
        for child in root.get_children():
            child.delete()
        Site.objects.all().delete()
        self.stdout.write("Removed the existing pages.")
