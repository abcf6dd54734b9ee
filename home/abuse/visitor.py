"""Anonymous, day-scoped visitor identifiers.

A visitor is a SHA-256 hash of a secret salt for the day (Europe/London), the
client's IP address and its user agent. The raw IP and user agent are never
stored, and each day's salt is deleted once the day is over, so yesterday's
hashes can no longer be linked to anyone.

Two hashes, for two jobs: `visitor_hash` (IP + user agent) tells readers apart
for counting; `network_hash` (the client's network only) keys rate limits, because
a user agent is whatever the client says and changing it per request must not
reset a limit.

A network is an IPv4 address itself, or the /64 an IPv6 address belongs to: one
home or phone connection is given a whole /64 and may pick a new address in it at
will, so counting IPv6 addresses one by one would make one person thousands.
"""

import hashlib
import ipaddress
import secrets

from django.db import IntegrityError, connection, transaction
from django.utils import timezone


def client_ip(request):
    """The client address: REMOTE_ADDR, which a trusted proxy must set correctly."""
    return request.META.get("REMOTE_ADDR", "")


def network_of(address):
    """The network that per-address limits count `address` in, as an address:
    an IPv4 address unchanged, an IPv6 address's /64 (host bits zeroed, so
    2001:db8:1:2:aaaa::1 gives 2001:db8:1:2::), and an IPv4-mapped IPv6 address as
    its IPv4 address. Anything that is not an address is returned as it is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except (AttributeError, ValueError):
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return str(ip)


def client_network(request):
    """The client's network (see `network_of`): what per-address limits and the
    admin sign-in lockout (AXES_CLIENT_IP_CALLABLE) count by."""
    return network_of(client_ip(request))


def today():
    return timezone.localdate()


def salt_for(day):
    """The secret salt of `day`; created on first use, and older salts deleted."""
    from home.abuse.models import DailySalt

    # Read on every view beacon, where building the ORM statement cost several
    # times what running it does: the read is written out (the create below is rare).
    table = connection.ops.quote_name(DailySalt._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT salt FROM {table} WHERE day = %s", [day])  # noqa: S608
        row = cursor.fetchone()
    if row:
        return row[0]
    try:
        with transaction.atomic():
            DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
    except IntegrityError:
        pass  # another process created it first
    DailySalt.objects.filter(day__lt=day).delete()
    return DailySalt.objects.get(day=day).salt


def _request_salt(request, day):
    """The day's salt, read once per request however many hashes it needs."""
    salts = getattr(request, "_lmn_day_salts", None)
    if salts is None:
        salts = {}
        try:
            request._lmn_day_salts = salts
        except AttributeError:  # an object that takes no attributes: just read it
            return salt_for(day)
    if day not in salts:
        salts[day] = salt_for(day)
    return salts[day]


def visitor_hash(request, day=None):
    """A hex digest that identifies this browser on this day and nothing more.

    For counting readers (one view per visitor). Not for limits: the user agent is
    chosen by the client, so a new one per request would be a new visitor.
    """
    day = day or today()
    salt = _request_salt(request, day)
    ua = request.META.get("HTTP_USER_AGENT", "")[:512]
    material = f"{salt}|{client_ip(request)}|{ua}".encode("utf-8", "replace")
    return hashlib.sha256(material).hexdigest()


def network_hash(request, day=None):
    """A hex digest of the day's salt and the client's network only (an IPv4
    address, or an IPv6 address's /64).

    For rate limits and abuse rules: changing the user agent does not change it.
    Not for counting readers: everyone behind one address (an office, a mobile
    carrier's NAT) shares it, so limits keyed on it must be generous.
    """
    day = day or today()
    salt = _request_salt(request, day)
    material = f"{salt}|{client_network(request)}".encode("utf-8", "replace")
    return hashlib.sha256(material).hexdigest()
