"""Phone bookings: an organiser adds a registration for someone in the admin.

The person has told an organiser (by phone, in person) that they want a place and
agreed to the registration wording, so there is no emailed confirm step: the booking
goes straight to `registration.register`, which decides the place under the event
lock exactly as for anyone else (capacity, waiting list, one registration per
address, the registration window). Every attempt is written to Wagtail's audit log
on the event: who booked, the registration id and the outcome, never the person's
name, email address or answers.
"""

from django import forms
from django.core.exceptions import ValidationError

from wagtail.log_actions import log

from home.privacy.consent import CONSENT_FIELD, CONSENT_VERSION_FIELD, check_consent_version

from . import registration as service
from .forms import EventFormBuilder

ACTION = "lmn.events.registration_added"
SUMMARY_FIELD = "wants_summary"


class PhoneBookingForm(forms.Form):
    """Full name, email, the event's own questions, and the organiser's record that
    the person agreed to the current consent wording.

    No anti-spam fields (only organisers reach it) and no mailing-list box: joining
    the mailing list is a separate consent the person gives themselves, by its own
    confirm link, never one an organiser ticks for them. The "email me the summary"
    box is offered, optional and never pre-ticked, as on the public form: the
    organiser records the person's own answer to that question.
    """

    def __init__(self, *args, event, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_text = consent
        questions = EventFormBuilder(event.get_form_fields()).formfields
        self.question_names = list(questions)
        self.fields = {
            "full_name": forms.CharField(
                label="Full name",
                max_length=150,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                error_messages={"required": "Enter the person's full name"},
            ),
            "email": forms.EmailField(
                label="Email address",
                max_length=254,
                help_text="Their confirmation, calendar file and cancel link are sent here.",
                widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                error_messages={
                    "required": "Enter the person's email address",
                    "invalid": "Enter an email address in the correct format, like "
                    "name@example.org",
                },
            ),
            **questions,
            CONSENT_FIELD: forms.BooleanField(
                label="They have agreed to this wording",
                help_text=f"Read it to them first: “{consent.text}” "
                f"(registration wording, version {consent.version})",
                required=True,
                initial=False,
                error_messages={
                    "required": "Read the wording to the person and tick the box once they "
                    "agree, or they cannot be registered"
                },
            ),
            CONSENT_VERSION_FIELD: forms.IntegerField(
                widget=forms.HiddenInput(), required=False, initial=consent.version
            ),
            SUMMARY_FIELD: forms.BooleanField(
                label="They asked to be emailed the summary of what we heard after the event",
                help_text="Ask them; tick only if they say yes. Leave it blank otherwise: it "
                "is their choice, not ours.",
                required=False,
                initial=False,
            ),
        }
        self.initial[CONSENT_VERSION_FIELD] = consent.version

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError("Enter the person's full name", code="required")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        check_consent_version(
            self,
            cleaned,
            "The registration wording changed while this form was open. Read the new "
            "wording to the person and tick the box again",
        )
        return cleaned

    def answers(self):
        """The answers to the event's questions, ready to store as JSON."""
        return {name: self.cleaned_data.get(name) for name in self.question_names}


def book(event, form, user):
    """Register the person on `form` for `event` on an organiser's word, and audit it.

    Returns `registration.register`'s outcome. The registrant is always emailed as
    on the public form (confirmation with calendar file and cancel link, or their
    waiting-list place), and staff are notified of a new registration.
    """
    outcome = service.register(
        event,
        name=form.cleaned_data["full_name"],
        email=form.cleaned_data["email"],
        answers=form.answers(),
        consent=form.consent_text,
        wants_summary=bool(form.cleaned_data.get(SUMMARY_FIELD)),
    )
    registration = outcome.registration
    log(
        instance=event,
        action=ACTION,
        user=user,
        data={
            "registration_id": registration.pk if registration else None,
            "outcome": outcome.kind,
        },
    )
    return outcome
