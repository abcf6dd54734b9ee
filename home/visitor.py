"""Anonymous, day-scoped visitor identifiers.

A visitor is a SHA-256 hash of a secret salt for the day (Europe/London), the
client's IP address and its user agent. The raw IP and user agent are never
stored, and each day's salt is deleted once the day is over, so yesterday's
hashes can no longer be linked to anyone.
"""

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone


def client_ip(request):
    """The client address: REMOTE_ADDR, which a trusted proxy must set correctly."""
    return request.META.get("REMOTE_ADDR", "")


def today():
    return timezone.localdate()


def salt_for(day):
    """The secret salt of `day`; created on first use, and older salts deleted."""
    from .models import DailySalt

    salt = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt:
        return salt
    try:
        with transaction.atomic():
            DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
    except IntegrityError:
        pass  # another process created it first
    DailySalt.objects.filter(day__lt=day).delete()
    return DailySalt.objects.get(day=day).salt


def visitor_hash(request, day=None):
    """A hex digest that identifies this browser on this day and nothing more."""
    day = day or today()
    salt = salt_for(day)
    ua = request.META.get("HTTP_USER_AGENT", "")[:512]
    material = f"{salt}|{client_ip(request)}|{ua}".encode("utf-8", "replace")
    return hashlib.sha256(material).hexdigest()
