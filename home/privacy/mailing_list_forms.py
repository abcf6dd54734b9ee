"""The optional mailing-list box that the registration and comment forms add.

It is a group of its own (a fieldset whose legend is "Mailing list", optional,
with one box labelled with the current mailing-list wording), so that neither
people nor screen readers can mistake it for the consent box the form requires.
"""

from django import forms

from home.privacy.mailing_list import wording

FIELD_NAME = "mailing_list"
YES = "yes"


class MailingListOptInField(forms.MultipleChoiceField):
    """One tick box, never pre-ticked and never required; cleans to True or False."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, consent, help_text, **kwargs):
        super().__init__(
            label="Mailing list",
            choices=[(YES, consent.text)],
            required=False,
            initial=[],
            help_text=help_text,
            error_messages={"invalid_choice": "Tick the box to join the mailing list, or leave it"},
            **kwargs,
        )

    def clean(self, value):
        return YES in super().clean(value)


def add_opt_in(form, help_text, consent=None):
    """Add the box to `form` (after the fields it already has) and remember the wording
    shown (`consent`, else the current one), so that an opt-in records exactly the
    words on the form."""
    form.mailing_list_text = consent or wording()
    form.fields[FIELD_NAME] = MailingListOptInField(form.mailing_list_text, help_text=help_text)
