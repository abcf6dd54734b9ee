"""Spam defences shared by every public form: a honeypot and a minimum fill time.

The honeypot is a text input that people never see (it is hidden from screen
readers too) and bots tend to fill. The fill time is measured from a signed
"form started" token, and that token is never part of a page's HTML: pages are
kept by nginx (and a CDN) for minutes, so a time written into the page would
say when the page was cached, not when the reader got it, and a bot reading an
old copy could post at once. Instead:

- the page's hidden field is empty, so every reader gets the same HTML;
- a small static script (`site.js`) asks `/forms/started/` (`home.pages.views.
  form_started`: never cached, limited per address) for a fresh token when the
  form is first shown or focused, and puts it in the field;
- a post without a token (no JavaScript, or a bot that skipped the script) is
  not treated as spam: the form is shown again (400, never cached) with the
  person's answers and a token issued in that response, so sending it again
  after the minimum time works without JavaScript;
- a post sooner than LMN_MIN_FORM_FILL_SECONDS after its token was issued is
  shown again the same way;
- one token is good for LMN_FORM_TOKEN_USES posts, so a bot cannot fetch one
  token and spray it over many posts and forms.

Neither check logs anything the visitor typed, and the tokens hold only a time
and a random number.
"""

import math
import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.urls import reverse

HONEYPOT_FIELD = "website_address"
STARTED_FIELD = "form_started"
_SALT = "lmn.antispam.started"
# A token older than this is "expired" (a tab left open for a day): the form is
# shown again with a new one.
TOKEN_MAX_AGE = 60 * 60 * 24

MISSING_MESSAGE = (
    "To keep this form free of spam, we need you to send it once more. Your answers "
    "are still below: please check them and send the form again."
)
EXPIRED_MESSAGE = "This form has expired. Please check your answers and send it again."
TOO_QUICK_MESSAGE = "That was quicker than we expected. Please check your answers and send again."
USED_MESSAGE = (
    "This form has already been sent. If you meant to send it again, check your answers "
    "and send it once more."
)


def min_fill_seconds():
    return getattr(settings, "LMN_MIN_FORM_FILL_SECONDS", 3)


def token_uses():
    return getattr(settings, "LMN_FORM_TOKEN_USES", 3)


def issue_started_token(now=None):
    """A signed record of when the form was started, with a random number that
    names this token (to count its uses). Never put one in cacheable HTML."""
    # Whole milliseconds, rounded down so that no token is from the future.
    started = math.floor((now if now is not None else time.time()) * 1000) / 1000
    return signing.dumps([started, secrets.token_urlsafe(12)], salt=_SALT)


def read_started_token(token, max_age=TOKEN_MAX_AGE):
    """(issued at, nonce) from a token we signed, or None when it is missing,
    forged, malformed or older than `max_age` seconds."""
    try:
        value = signing.loads(token or "", salt=_SALT, max_age=max_age)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], (int, float))
        or isinstance(value[0], bool)
        or not isinstance(value[1], str)
    ):
        return None
    return value[0], value[1]


def seconds_since_started(token, now=None, max_age=TOKEN_MAX_AGE):
    """Seconds since `token` was issued, or None when it is missing, forged or too old."""
    read = read_started_token(token, max_age=max_age)
    if read is None:
        return None
    return (now if now is not None else time.time()) - read[0]


def _count_use(nonce):
    """Count one post with the token named `nonce`; False once it has been used
    LMN_FORM_TOKEN_USES times. Counted with the shared rate limiter (the database,
    or Redis in production), under a key that is only the token's random number."""
    from home.abuse.ratelimit import hit

    return hit(f"form-token:{nonce}", token_uses(), TOKEN_MAX_AGE)


def check_submission(data, now=None, count_use=True):
    """Apply the rules to submitted data.

    Returns (is_spam, error): `is_spam` is true when the honeypot was filled (the
    caller pretends success and keeps nothing that would be sent or shown);
    `error` is a message for a person whose form must be sent again: no token
    (no JavaScript, or the script could not fetch one), a forged or expired
    token, a post within the minimum fill time of the token being issued, or a
    token already used LMN_FORM_TOKEN_USES times. `count_use=False` checks
    without counting a use (for a post that is refused for other reasons).
    """
    if (data.get(HONEYPOT_FIELD) or "").strip():
        return True, None
    token = data.get(STARTED_FIELD)
    if not (token or "").strip():
        return False, MISSING_MESSAGE
    read = read_started_token(token)
    if read is None:
        return False, EXPIRED_MESSAGE
    started, nonce = read
    elapsed = (now if now is not None else time.time()) - started
    if elapsed > TOKEN_MAX_AGE:
        return False, EXPIRED_MESSAGE
    if elapsed < min_fill_seconds():
        return False, TOO_QUICK_MESSAGE
    if count_use and not _count_use(nonce):
        return False, USED_MESSAGE
    return False, None


class HoneypotInput(forms.TextInput):
    template_name = "components/honeypot_input.html"


class SpamProtectionMixin:
    """Adds the honeypot and the "form started" field to any Django form.

    An unbound form renders the field empty (the page may be cached; the script
    fills it in). A bound form is re-rendered with a token issued now, so a
    person whose form is shown again can send it again, with or without
    JavaScript, once the minimum time has passed.

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
        self.fields[STARTED_FIELD] = forms.CharField(
            required=False,
            widget=forms.HiddenInput(attrs={"data-started-url": reverse("form_started")}),
        )
        if self.is_bound:
            key = self.add_prefix(STARTED_FIELD)
            self._submitted_started = self.data.get(key)
            data = self.data.copy()
            data[key] = issue_started_token()
            self.data = data

    def clean(self):
        cleaned = super().clean()
        submitted = {
            HONEYPOT_FIELD: cleaned.pop(HONEYPOT_FIELD, ""),
            STARTED_FIELD: getattr(self, "_submitted_started", None),
        }
        cleaned.pop(STARTED_FIELD, None)
        # A form with field errors is shown again with a new token anyway, so only
        # a post that could be accepted uses its token up.
        self.is_spam, error = check_submission(submitted, count_use=not self.errors)
        if error and not self.is_spam:
            raise forms.ValidationError(error, code="send_again")
        return cleaned

    @property
    def visible_fields_without_traps(self):
        return [f for f in self.visible_fields() if f.name != HONEYPOT_FIELD]
