"""Written contributions to a roundtable: when they are accepted, the form, and storing one.

The form is built with Wagtail's form builder from the event's own contribution
questions (`contribution_fields`), with fixed fields around them: an option to
send it anonymously (then no name or email is kept at all), name and email, the
"email me the summary" and "you may credit me" boxes (never pre-ticked), and the
consent box with its versioned wording. The page a sender sees afterwards is the
same whatever address they gave and whether anything was stored.
"""

from datetime import timedelta
from enum import StrEnum

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail.contrib.forms.forms import BaseForm

from home.abuse import ratelimit
from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD, SpamProtectionMixin
from home.pages.models import SpamProtectedFormBuilder
from home.privacy.consent import CONSENT_FIELD, CONSENT_VERSION_FIELD, check_consent_version

from .records import (
    ANONYMOUS_FIELD,
    CREDIT_FIELD,
    DEFAULT_QUESTION,
    RESERVED_NAMES,
    SUMMARY_FIELD,
    EventContribution,
    contribution_consent,
)


class Window(StrEnum):
    OFF = "off"
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def closes_at(event):
    """When contributions stop being accepted: `contributions_days_after` after the end."""
    if event.end is None:
        return None
    return event.end + timedelta(days=event.contributions_days_after or 0)


def window(event, now=None):
    """Whether `event` accepts written contributions at `now`."""
    if not event.contributions_enabled:
        return Window.OFF
    now = now or timezone.now()
    if event.contributions_open and now < event.contributions_open:
        return Window.NOT_YET_OPEN
    closes = closes_at(event)
    if closes is not None and now >= closes:
        return Window.CLOSED
    return Window.OPEN


class ContributionForm(SpamProtectionMixin, BaseForm):
    """The contribution form: anonymous option, name and email, the editor's questions,
    the two optional boxes and the consent box (see the module docstring)."""

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_text = consent
        questions = {
            name: field for name, field in self.fields.items() if name not in RESERVED_NAMES
        }
        if not questions:
            # An editor who switched contributions on without adding a question still
            # gets a usable form.
            questions[DEFAULT_QUESTION] = forms.CharField(
                label="Your contribution",
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 8}),
                error_messages={"required": "Write your contribution"},
            )
        traps = {name: self.fields[name] for name in (HONEYPOT_FIELD, STARTED_FIELD)}
        self.fields = {
            ANONYMOUS_FIELD: forms.BooleanField(
                label="Send this anonymously",
                required=False,
                help_text="We then keep no name or email address with it, so we cannot email "
                "you the summary or credit you.",
            ),
            "full_name": forms.CharField(
                label="Full name",
                max_length=150,
                required=False,
                help_text="Leave blank if you send it anonymously.",
                widget=forms.TextInput(attrs={"autocomplete": "name"}),
            ),
            "email": forms.EmailField(
                label="Email address",
                max_length=254,
                required=False,
                help_text="Only needed if you would like the summary emailed to you.",
                widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                error_messages={
                    "invalid": "Enter an email address in the correct format, like "
                    "name@example.org",
                },
            ),
            **questions,
            SUMMARY_FIELD: forms.BooleanField(
                label="Email me the summary of what we heard when it is published",
                required=False,
                initial=False,
            ),
            CREDIT_FIELD: forms.BooleanField(
                label="If you quote me, you may use my name",
                required=False,
                initial=False,
                help_text="Otherwise any quote is published without a name.",
            ),
            CONSENT_FIELD: forms.BooleanField(
                label=consent.text,
                required=True,
                initial=False,
                error_messages={
                    "required": "Tick the box to agree to how we use your contribution, or we "
                    "cannot accept it"
                },
            ),
            CONSENT_VERSION_FIELD: forms.IntegerField(
                widget=forms.HiddenInput(), required=False, initial=consent.version
            ),
            **traps,
        }
        self.initial[CONSENT_VERSION_FIELD] = consent.version

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        check_consent_version(
            self,
            cleaned,
            "The wording below changed while you were filling in the form. Please "
            "read it and tick the box again",
        )
        if cleaned.get(ANONYMOUS_FIELD):
            # Nothing that identifies the person is kept, whatever else was typed.
            cleaned.update(full_name="", email="", **{SUMMARY_FIELD: False, CREDIT_FIELD: False})
            return cleaned
        if not cleaned.get("full_name") and "full_name" not in self.errors:
            self.add_error(
                "full_name",
                ValidationError(
                    "Enter your full name, or tick “Send this anonymously”", code="required"
                ),
            )
        if cleaned.get(SUMMARY_FIELD) and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                ValidationError(
                    "Enter your email address so that we can send you the summary",
                    code="required",
                ),
            )
        return cleaned

    def answers(self):
        return {
            name: value for name, value in self.cleaned_data.items() if name not in RESERVED_NAMES
        }


class ContributionFormBuilder(SpamProtectedFormBuilder):
    def get_form_class(self):
        return type("ContributionForm", (ContributionForm,), self.formfields)


def form_class(event):
    return ContributionFormBuilder(list(event.contribution_fields.all())).get_form_class()


def make_form(event, *args, **kwargs):
    return form_class(event)(*args, consent=contribution_consent(), **kwargs)


def per_address_per_day():
    return settings.LMN_EVENT_CONTRIBUTIONS_PER_ADDRESS_PER_DAY


STORED = "stored"
LIMITED = "limited"


def submit(event, form, now=None):
    """Store a valid, non-spam contribution. With an email address, at most
    LMN_EVENT_CONTRIBUTIONS_PER_ADDRESS_PER_DAY per event per day are kept (beyond
    it nothing is stored, and the sender sees the same page)."""
    now = now or timezone.now()
    data = form.cleaned_data
    email = data.get("email") or ""
    if email and not ratelimit.hit(
        ratelimit.hashed_key(f"event-contribute-{event.pk}", email), per_address_per_day(), 86400
    ):
        return LIMITED, None
    contribution = EventContribution.objects.create(
        page_id=event.pk,
        submit_time=now,
        form_data=form.answers(),
        anonymous=bool(data.get(ANONYMOUS_FIELD)),
        name=data.get("full_name") or "",
        email=email,
        wants_summary=bool(data.get(SUMMARY_FIELD)),
        may_credit=bool(data.get(CREDIT_FIELD)),
        consent=form.consent_text,
        consented_at=now,
    )
    return STORED, contribution
