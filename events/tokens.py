"""Signed, expiring cancel links.

A link carries the registration's random cancel token and an expiry time,
signed with SECRET_KEY, so it cannot be forged or guessed and stops working
once the event has started. It carries no name or email address.
"""

import time

from django.core import signing

_SALT = "lmn.events.cancel"


class InvalidLink(Exception):
    """The link was altered, truncated or never issued by us."""


class ExpiredLink(Exception):
    """The link was genuine but its time is up."""


def make_cancel_code(cancel_token, expires_at):
    """The signed code for a cancel link, valid until `expires_at` (aware datetime)."""
    payload = {"t": cancel_token, "x": int(expires_at.timestamp())}
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_cancel_code(code, now=None):
    """The cancel token inside `code`.

    Raises InvalidLink for anything that is not a code we signed, and
    ExpiredLink when the code is genuine but past its expiry.
    """
    try:
        payload = signing.loads(code or "", salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidLink from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), str):
        raise InvalidLink
    expires = payload.get("x")
    if not isinstance(expires, int):
        raise InvalidLink
    if (now if now is not None else time.time()) >= expires:
        raise ExpiredLink
    return payload["t"]
