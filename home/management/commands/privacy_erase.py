"""`python manage.py privacy_erase EMAIL [--yes]`: erase one person's data.

Deletes or anonymises everything held about the email address (each app
decides which, e.g. a confirmed event place is freed and the waiting list
promoted), then records in the audit log that an erasure happened, with the
counts but without the email address.
"""

from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.forms import ValidationError

from home.privacy import registry as privacy


class Command(BaseCommand):
    help = "Erase (delete or anonymise) everything held about one email address."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, email, yes=False, **options):
        try:
            validate_email(email.strip())
        except ValidationError as exc:
            raise CommandError("That is not a valid email address.") from exc
        found = {name: len(records) for name, records in privacy.export_person(email).items()}
        total = sum(found.values())
        if not total:
            self.stdout.write("Nothing is held about that email address.")
            return
        if not yes:
            answer = input(
                f"This will erase {privacy.describe_counts(found)}. Type 'erase' to go ahead: "
            )
            if answer.strip().lower() != "erase":
                raise CommandError("Nothing was erased.")
        with transaction.atomic():
            counts = privacy.erase_person(email)
            privacy.record_privacy_action("erasure", user=None, counts=counts)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased {privacy.describe_counts(counts)}. The erasure is recorded in the "
                "audit log (without the email address)."
            )
        )
