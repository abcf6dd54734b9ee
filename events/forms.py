"""The registration form: fixed fields, the editor's questions and the consent box."""

from django import forms
from django.core.exceptions import ValidationError

from wagtail.contrib.forms.forms import BaseForm, WagtailAdminFormPageForm
from wagtail.contrib.forms.utils import get_field_clean_name

from home.antispam import HONEYPOT_FIELD, STARTED_FIELD, SpamProtectionMixin
from home.mailing_list_forms import FIELD_NAME as MAILING_LIST_FIELD
from home.mailing_list_forms import add_opt_in
from home.models import SpamProtectedFormBuilder

FIXED_FIELDS = ("full_name", "email")
CONSENT_FIELD = "consent"
CONSENT_VERSION_FIELD = "consent_version"
RESERVED_NAMES = {
    *FIXED_FIELDS,
    CONSENT_FIELD,
    CONSENT_VERSION_FIELD,
    MAILING_LIST_FIELD,
    HONEYPOT_FIELD,
    STARTED_FIELD,
}


class EventRegistrationForm(SpamProtectionMixin, BaseForm):
    """Full name, email, the editor's questions, then the consent box (never pre-ticked).

    The consent label is the current wording; its version travels in a hidden
    field so that, if the wording changes while someone fills the form in,
    they are asked to read the new words rather than being recorded as
    agreeing to words they never saw.
    """

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_text = consent
        questions = {
            name: field for name, field in self.fields.items() if name not in RESERVED_NAMES
        }
        traps = {name: self.fields[name] for name in (HONEYPOT_FIELD, STARTED_FIELD)}
        self.fields = {
            "full_name": forms.CharField(
                label="Full name",
                max_length=150,
                widget=forms.TextInput(attrs={"autocomplete": "name"}),
                error_messages={"required": "Enter your full name"},
            ),
            "email": forms.EmailField(
                label="Email address",
                max_length=254,
                help_text="We email you a link here: you have a place once you confirm it.",
                widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                error_messages={
                    "required": "Enter your email address",
                    "invalid": "Enter an email address in the correct format, like "
                    "name@example.org",
                },
            ),
            **questions,
            # Never pre-ticked: agreeing must be the person's own act.
            CONSENT_FIELD: forms.BooleanField(
                label=consent.text,
                required=True,
                initial=False,
                error_messages={
                    "required": "Tick the box to agree to how we use your details, "
                    "or we cannot register you"
                },
            ),
            CONSENT_VERSION_FIELD: forms.IntegerField(
                widget=forms.HiddenInput(), required=False, initial=consent.version
            ),
            **traps,
        }
        self.initial[CONSENT_VERSION_FIELD] = consent.version
        # Separate from consent, optional and never pre-ticked (see home/mailing_list_forms.py).
        add_opt_in(
            self,
            help_text="Separate from the box above: you can register without it.",
        )

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError("Enter your full name", code="required")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        version = cleaned.pop(CONSENT_VERSION_FIELD, None)
        if cleaned.get(CONSENT_FIELD) and version != self.consent_text.version:
            self.add_error(
                CONSENT_FIELD,
                ValidationError(
                    "The wording below changed while you were filling in the form. Please "
                    "read it and tick the box again",
                    code="consent_changed",
                ),
            )
        return cleaned

    def answers(self):
        """The answers to the editor's questions, ready to store as JSON."""
        return {
            name: value for name, value in self.cleaned_data.items() if name not in RESERVED_NAMES
        }


class EventFormBuilder(SpamProtectedFormBuilder):
    """Wagtail's form builder with the anti-spam fields and the fixed fields."""

    def get_form_class(self):
        return type("EventRegistrationForm", (EventRegistrationForm,), self.formfields)


class EventPageAdminForm(WagtailAdminFormPageForm):
    """The page editor's form: questions may not take the names of the fixed fields."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("form_fields")
        if formset is None:
            return cleaned
        for form in formset.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            label = form.cleaned_data.get("label") or ""
            if get_field_clean_name(label) in RESERVED_NAMES:
                form.add_error(
                    "label",
                    "Every registration form already asks for full name, email and consent "
                    "(and offers the mailing list): use a different label.",
                )
        return cleaned
