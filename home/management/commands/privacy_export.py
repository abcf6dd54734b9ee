"""`python manage.py privacy_export EMAIL [--output FILE]`: a subject access export.

Writes everything the site holds about one email address (registrations with
answers, comments, consent records) as JSON, and records in the audit log that
an export happened (never the email address itself).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.forms import ValidationError
from django.utils import timezone

from home.privacy import registry as privacy


class Command(BaseCommand):
    help = "Export everything held about one email address as a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--output",
            help="Where to write the JSON (default: privacy-export-<date-time>.json here).",
        )

    def handle(self, *args, email, output=None, **options):
        try:
            validate_email(email.strip())
        except ValidationError as exc:
            raise CommandError("That is not a valid email address.") from exc
        document = privacy.build_export_document(email)
        path = Path(output or f"privacy-export-{timezone.now():%Y%m%d-%H%M%S}.json")
        path.write_text(json.dumps(document, indent=2, cls=DjangoJSONEncoder), encoding="utf-8")
        path.chmod(0o600)
        privacy.record_privacy_action("export", user=None, counts=document["counts"])
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {sum(document['counts'].values())} records to {path}.")
        )
