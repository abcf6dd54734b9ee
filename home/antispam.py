"""Spam defences shared by every public form: a honeypot and a minimum fill time.

The honeypot is a text input that people never see (it is hidden from screen
readers too) and bots tend to fill. The fill time is a signed timestamp issued
with the form; a submission that comes back faster than a person could type is
asked to try again. Neither check logs anything the visitor typed.
"""

import time

from django import forms
from django.conf import settings
from django.core import signing

HONEYPOT_FIELD = "website_address"
STARTED_FIELD = "form_started"
_SALT = "lmn.antispam.started"


def min_fill_seconds():
    return getattr(settings, "LMN_MIN_FORM_FILL_SECONDS", 3)


def issue_started_token(now=None):
    """A signed record of when the form was shown."""
    return signing.dumps(int(now if now is not None else time.time()), salt=_SALT)


def seconds_since_started(token, now=None, max_age=60 * 60 * 24):
    """Seconds since `token` was issued, or None when it is missing, forged or too old."""
    try:
        started = signing.loads(token or "", salt=_SALT, max_age=max_age)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(started, int):
        return None
    return (now if now is not None else time.time()) - started


def check_submission(data, now=None):
    """Apply both rules to submitted data.

    Returns (is_spam, error): `is_spam` is true when the honeypot was filled (the
    caller pretends success and keeps nothing that would be sent or shown);
    `error` is a message for a person who submitted too quickly or with an
    expired or missing form token (the form is shown again with a new token).
    """
    if (data.get(HONEYPOT_FIELD) or "").strip():
        return True, None
    elapsed = seconds_since_started(data.get(STARTED_FIELD), now=now)
    if elapsed is None:
        return False, "This form has expired. Please check your answers and send it again."
    if elapsed < min_fill_seconds():
        return False, "That was quicker than we expected. Please check your answers and send again."
    return False, None


class HoneypotInput(forms.TextInput):
    template_name = "components/honeypot_input.html"


class SpamProtectionMixin:
    """Adds the honeypot and the fill-time token to any Django form.

    After `is_valid()`, `form.is_spam` says whether the honeypot was filled. The
    two fields never reach `cleaned_data`, so they are never stored or emailed.
    """

    is_spam = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False,
            label="Leave this field empty",
            widget=HoneypotInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        self.fields[STARTED_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput())
        # A re-displayed form gets a fresh token, so a person who was told to
        # slow down is not trapped by the old one.
        self.initial[STARTED_FIELD] = issue_started_token()
        if self.is_bound:
            data = self.data.copy()
            data[STARTED_FIELD] = self.initial[STARTED_FIELD]
            self._submitted_started = self.data.get(self.add_prefix(STARTED_FIELD))
            self.data = data

    def clean(self):
        cleaned = super().clean()
        submitted = {
            HONEYPOT_FIELD: cleaned.pop(HONEYPOT_FIELD, ""),
            STARTED_FIELD: getattr(self, "_submitted_started", None),
        }
        cleaned.pop(STARTED_FIELD, None)
        self.is_spam, error = check_submission(submitted)
        if error and not self.is_spam:
            raise forms.ValidationError(error, code="too_fast")
        return cleaned

    @property
    def visible_fields_without_traps(self):
        return [f for f in self.visible_fields() if f.name != HONEYPOT_FIELD]
