"""Helpers shared by tests."""

import time

from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD, issue_started_token


def human_form_fields(seconds_ago=60, prefix=""):
    """The anti-spam fields a person's browser would send: an empty honeypot and a
    form-started token old enough to pass the minimum fill time."""
    return {
        prefix + HONEYPOT_FIELD: "",
        prefix + STARTED_FIELD: issue_started_token(now=time.time() - seconds_ago),
    }
