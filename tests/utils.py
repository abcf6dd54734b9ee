"""Helpers shared by tests."""

import socket
import time

from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD, issue_started_token


def human_form_fields(seconds_ago=60, prefix=""):
    """The anti-spam fields a person's browser would send: an empty honeypot and a
    form-started token old enough to pass the minimum fill time."""
    return {
        prefix + HONEYPOT_FIELD: "",
        prefix + STARTED_FIELD: issue_started_token(now=time.time() - seconds_ago),
    }


def free_port():
    """A 127.0.0.1 port nothing listens on (for a server a test starts, or to refuse)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
