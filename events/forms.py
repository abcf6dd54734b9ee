"""The registration form: fixed fields, the editor's questions and the consent box."""

from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError

from wagtail.contrib.forms.forms import BaseForm, FormBuilder, WagtailAdminFormPageForm
from wagtail.contrib.forms.utils import get_field_clean_name

from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD, SpamProtectionMixin
from home.pages.models import SpamProtectedFormBuilder
from home.privacy.consent import CONSENT_FIELD, CONSENT_VERSION_FIELD, check_consent_version
from home.privacy.mailing_list_forms import FIELD_NAME as MAILING_LIST_FIELD
from home.privacy.mailing_list_forms import add_opt_in
from home.privacy.spreadsheet import check_question_labels
from home.privacy.staff_routing import ProtectedSettingsFormMixin

from .permissions import can_manage_registrations
from .records import RESERVED_NAMES as CONTRIBUTION_RESERVED_NAMES

FIXED_FIELDS = ("full_name", "email")
SUMMARY_FIELD = "wants_summary"
RESERVED_NAMES = {
    *FIXED_FIELDS,
    SUMMARY_FIELD,
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

    def __init__(self, *args, consent, mailing_list_consent=None, **kwargs):
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
            # Optional and never pre-ticked: the one email sent when the event's
            # "What we heard" summary is published (only if they attended).
            SUMMARY_FIELD: forms.BooleanField(
                label="Email me the summary of what we heard after the event",
                required=False,
                initial=False,
            ),
            **traps,
        }
        self.initial[CONSENT_VERSION_FIELD] = consent.version
        # Separate from consent, optional and never pre-ticked (home/privacy/mailing_list_forms.py).
        add_opt_in(
            self,
            help_text="Separate from the box above: you can register without it.",
            consent=mailing_list_consent,
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
        check_consent_version(
            self,
            cleaned,
            "The wording below changed while you were filling in the form. Please "
            "read it and tick the box again",
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


def credit_errors(event, what_we_heard=None):
    """Names credited in "What we heard" quotes that are not the name of one of the
    event's contributors who ticked "you may use my name" (a quote is anonymous
    unless its author asked to be credited)."""
    stream = event.what_we_heard if what_we_heard is None else what_we_heard
    credits = {
        (quote.get("credit") or "").strip()
        for block in stream or []
        if block.block_type == "theme"
        for quote in block.value.get("quotes") or []
    } - {""}
    if not credits:
        return []
    if event.pk is None:
        return sorted(credits)
    allowed = {
        name.casefold()
        for name in event.contributions.filter(
            may_credit=True, anonymised_at__isnull=True
        ).values_list("name", flat=True)
    }
    return sorted(credit for credit in credits if credit.casefold() not in allowed)


def what_it_asks(part, value):
    """A question's `part` as people see it, for comparing an edit with what is stored.

    Browsers send a textarea's line breaks as CRLF, and the form builder reads choices
    one per line or, on one line, separated by commas: an unchanged question must
    compare equal however its text was sent back.
    """
    if part == "choices":
        return [
            choice
            for choice, _ in FormBuilder([]).get_formatted_field_choices(
                SimpleNamespace(choices=value)
            )
        ]
    if part in ("label", "help_text"):
        return " ".join(value.split())
    return value


class EventPageAdminForm(ProtectedSettingsFormMixin, WagtailAdminFormPageForm):
    """The page editor's form.

    Questions may not take the names of the fixed fields. The settings that decide
    who receives registrants' details (notification and sender addresses, each
    question's "sensitive" flag, the retention period) are for Event organisers and
    superusers only: an Editor's save that changes one is refused, and every change
    is written to the page's history (see home/privacy/staff_routing.py).

    For Editors a question they add must be marked sensitive (answers then stay out
    of emails and default exports until an organiser decides otherwise), a
    sensitive question may not be removed (removing it and adding it again under
    the same label would make its earlier answers ordinary ones), and a question
    that is not sensitive keeps what it asks: its label, type, help text and
    choices (otherwise "Constituency Labour Party" could become "Any health
    conditions?", and the answers would go out as ordinary ones).

    Once people have registered, the event's dates (registrations are deleted a set
    time after it ends, so moving the end moves that) and its joining link and
    instructions (which only registrants are sent) are organisers' settings too.
    Before anyone has registered, Editors set them up freely.
    """

    protected_fields = {
        "to_address": "notification address",
        "from_address": "sender address",
        "delete_registrations_after_days": "retention period",
        "delete_contributions_after_days": "contributions retention period",
    }
    protected_once_registered = {
        "start": "start time",
        "end": "end time",
        "joining_link": "joining link",
        "joining_instructions": "joining instructions",
    }
    protected_reasons = {
        "delete_registrations_after_days": "it decides how long people's details are kept",
        "start": "people have registered and their details are deleted a set time after "
        "the event ends",
        "end": "people have registered and their details are deleted a set time after "
        "the event ends",
        "joining_link": "people have registered and it decides where they are sent to join",
        "joining_instructions": "people have registered and it tells them how to join",
    }
    protected_owner = "Event organisers"
    # Parts of a question that is not sensitive that only organisers may change.
    QUESTION_PARTS = ("label", "field_type", "help_text", "choices")
    # The two question formsets, checked by the same code: what to call a question
    # in messages, the names the form already uses, and what the audit entry adds.
    QUESTION_FORMSETS = {
        "form_fields": {
            "noun": "question",
            "reserved": RESERVED_NAMES,
            "asks": "registration form already asks for full name, email and consent "
            "(and offers the mailing list)",
            "tag": {},
        },
        "contribution_fields": {
            "noun": "contribution question",
            "reserved": CONTRIBUTION_RESERVED_NAMES,
            "asks": "contribution form already asks for full name, email and consent (and "
            "offers to send it anonymously)",
            "tag": {"form": "contribution"},
        },
    }

    def may_change_protected(self, user):
        return bool(user) and can_manage_registrations(user)

    def has_registrations(self):
        """Whether anyone's details are on file for this event: a registration that
        is not a pending request and not yet anonymised (cancelled ones included)."""
        if self.instance.pk is None:
            return False
        EventRegistration = self.instance.get_submission_class()
        return (
            EventRegistration.objects.filter(page_id=self.instance.pk, anonymised_at__isnull=True)
            .exclude(status=EventRegistration.PENDING)
            .exists()
        )

    def get_protected_fields(self):
        if self.has_registrations():
            return {**self.protected_fields, **self.protected_once_registered}
        return self.protected_fields

    def clean(self):
        cleaned = super().clean()
        if "what_we_heard" in cleaned and self.instance.pk:
            refused = credit_errors(self.instance, cleaned["what_we_heard"])
            if refused:
                self.add_error(
                    "what_we_heard",
                    "Only credit people who asked to be named when they sent a contribution. "
                    f"Remove the credit “{refused[0]}” or check the spelling against the "
                    "contributions list.",
                )
        for name, kind in self.QUESTION_FORMSETS.items():
            formset = self.formsets.get(name)
            if formset is None:
                continue
            reserved, asks = kind["reserved"], kind["asks"]
            for form in formset.forms:
                if not form.is_valid() or form.cleaned_data.get("DELETE"):
                    continue
                label = form.cleaned_data.get("label") or ""
                if get_field_clean_name(label) in reserved:
                    form.add_error("label", f"Every {asks}: use a different label.")
            check_question_labels(formset)
            self.check_sensitive_flags(formset, name)
        return cleaned

    def check_sensitive_flags(self, formset, name="form_fields"):
        """Compare each question's "sensitive" flag with the page as it stands.

        `name` is the questions' formset (and relation): "form_fields" for the
        registration form, "contribution_fields" for the contribution form. The same
        rules hold for both; an organiser's change to a contribution question is
        logged with "form": "contribution"."""
        noun = self.QUESTION_FORMSETS[name]["noun"]
        tag = self.QUESTION_FORMSETS[name]["tag"]
        before = {question.pk: question for question in getattr(self.baseline, name).all()}
        allowed = self.user_may_change_protected
        kept = set()
        for form in formset.forms:
            if not form.is_valid():
                continue
            data = form.cleaned_data
            old = before.get(form.instance.pk) if form.instance.pk else None
            if old is None:
                if data.get("DELETE") or not form.has_changed():
                    continue
                label = data.get("label") or ""
                if allowed:
                    self.protected_changes.append(
                        {
                            "setting": "question_added",
                            "question": label,
                            "sensitive": data.get("sensitive", False),
                            **tag,
                        }
                    )
                elif not data.get("sensitive"):
                    self.refuse(
                        "sensitive",
                        f"Tick “sensitive” on a new {noun}: only Event organisers can decide "
                        "that its answers may go into notification emails and exports.",
                        form=form,
                    )
                continue
            if data.get("DELETE"):
                continue
            kept.add(old.pk)
            if not old.sensitive:
                self.check_question_unchanged(form, old, allowed, name)
            if data.get("sensitive") != old.sensitive:
                if allowed:
                    self.protected_changes.append(
                        {
                            "setting": "sensitive",
                            "question": old.label,
                            "from": old.sensitive,
                            "to": data.get("sensitive"),
                            **tag,
                        }
                    )
                else:
                    self.refuse(
                        "sensitive",
                        f"Only Event organisers can change whether a {noun} is sensitive, as "
                        "it decides who sees the answers. Put it back to save your other "
                        "changes.",
                        form=form,
                    )
        self.check_questions_left_out(before, kept, allowed, name)

    def check_question_unchanged(self, form, old, allowed, name="form_fields"):
        """A question that is not sensitive keeps what it asks, unless an organiser
        changes it (logged): its answers go into notification emails and exports."""
        noun = self.QUESTION_FORMSETS[name]["noun"]
        for part in self.QUESTION_PARTS:
            before = getattr(old, part) or ""
            after = form.cleaned_data.get(part) or ""
            if what_it_asks(part, before) == what_it_asks(part, after):
                continue
            if allowed:
                self.protected_changes.append(
                    {
                        "setting": "question_changed",
                        "question": old.label,
                        "part": part,
                        "from": before,
                        "to": after,
                        **self.QUESTION_FORMSETS[name]["tag"],
                    }
                )
            else:
                self.refuse(
                    part,
                    f"Only Event organisers can change what the {noun} “{old.label}” asks "
                    "(its label, type, help text or choices): it is not sensitive, so its "
                    "answers go into notification emails and exports. Put it back, or add "
                    f"a new {noun} ticked “sensitive”.",
                    form=form,
                )

    def check_questions_left_out(self, before, kept, allowed, name="form_fields"):
        # Removed in the editor, or left out of the request altogether.
        noun = self.QUESTION_FORMSETS[name]["noun"]
        for pk, old in before.items():
            if pk in kept or not old.sensitive:
                continue
            if allowed:
                self.protected_changes.append(
                    {
                        "setting": "question_removed",
                        "question": old.label,
                        "sensitive": True,
                        **self.QUESTION_FORMSETS[name]["tag"],
                    }
                )
            else:
                self.refuse(
                    None,
                    f"Only Event organisers can remove the sensitive {noun} “{old.label}”: "
                    "its answers would stop being treated as sensitive. Keep it to save your "
                    "other changes.",
                )
