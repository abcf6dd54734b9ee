"""Signed, expiring links: cancel links and confirm links.

A link carries a random token of the registration and an expiry time, signed
with SECRET_KEY under its own salt (a cancel code is no confirm code, and the
other way round), so it cannot be forged or guessed. It carries no name or
email address. Cancel links stop working once the event has started; confirm
links after LMN_EVENT_CONFIRM_LINK_HOURS or when registration closes.
"""

import time

from django.core import signing

_SALT = "lmn.events.cancel"
CONFIRM_SALT = "lmn.events.confirm"


class InvalidLink(Exception):
    """The link was altered, truncated or never issued by us."""


class ExpiredLink(Exception):
    """The link was genuine but its time is up."""


def _make_code(token, expires_at, salt):
    payload = {"t": token, "x": int(expires_at.timestamp())}
    return signing.dumps(payload, salt=salt, compress=True)


def _read_code(code, salt, now=None):
    try:
        payload = signing.loads(code or "", salt=salt)
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


def make_cancel_code(cancel_token, expires_at):
    """The signed code for a cancel link, valid until `expires_at` (aware datetime)."""
    return _make_code(cancel_token, expires_at, _SALT)


def read_cancel_code(code, now=None):
    """The cancel token inside `code`.

    Raises InvalidLink for anything that is not a code we signed, and
    ExpiredLink when the code is genuine but past its expiry.
    """
    return _read_code(code, _SALT, now)


def make_confirm_code(confirm_token, expires_at):
    """The signed code for the confirm link of a pending registration."""
    return _make_code(confirm_token, expires_at, CONFIRM_SALT)


def read_confirm_code(code, now=None):
    """The confirm token inside `code` (InvalidLink / ExpiredLink as for cancel codes)."""
    return _read_code(code, CONFIRM_SALT, now)
