"""Make sure an admin account exists, without ever replacing one.

Reads DJANGO_SUPERUSER_USERNAME / _PASSWORD / _EMAIL. When no username is set
the account is `admin`; when no password is set one is generated and printed
once (the only time it can be seen).
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the admin account from DJANGO_SUPERUSER_* if it does not exist."

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or "admin@example.org"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Admin account '{username}' exists; left as it is.")
            return
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created admin account '{username}'."))
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Its password is: {password}\n"
                    "Write it down now: it is shown only this once. "
                    f"Change it at {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/admin/account/."
                )
            )
