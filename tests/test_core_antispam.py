"""The shared anti-spam rules: honeypot and minimum fill time."""

import time

from django import forms

from home.antispam import (
    HONEYPOT_FIELD,
    STARTED_FIELD,
    SpamProtectionMixin,
    check_submission,
    issue_started_token,
    seconds_since_started,
)


class ExampleForm(SpamProtectionMixin, forms.Form):
    name = forms.CharField()


def test_token_measures_elapsed_time():
    token = issue_started_token(now=1_000_000)
    assert seconds_since_started(token, now=1_000_042) == 42


def test_forged_token_is_rejected():
    token = issue_started_token(now=1_000_000)
    forged = token.replace(token.split(":")[0], "2000000")
    assert seconds_since_started(forged, now=1_000_042) is None
    assert seconds_since_started("", now=1) is None
    assert seconds_since_started(None, now=1) is None


def test_filled_honeypot_is_spam():
    data = {HONEYPOT_FIELD: "http://spam.example", STARTED_FIELD: issue_started_token(now=0)}
    assert check_submission(data, now=100) == (True, None)


def test_too_quick_submission_gets_a_message(settings):
    settings.LMN_MIN_FORM_FILL_SECONDS = 3
    data = {HONEYPOT_FIELD: "", STARTED_FIELD: issue_started_token(now=100)}
    is_spam, error = check_submission(data, now=101)
    assert not is_spam
    assert "quicker than we expected" in error


def test_missing_token_asks_to_send_again():
    is_spam, error = check_submission({HONEYPOT_FIELD: ""}, now=100)
    assert not is_spam
    assert "expired" in error


def test_person_passes(settings):
    settings.LMN_MIN_FORM_FILL_SECONDS = 3
    data = {HONEYPOT_FIELD: "", STARTED_FIELD: issue_started_token(now=100)}
    assert check_submission(data, now=110) == (False, None)


def test_form_mixin_keeps_trap_fields_out_of_cleaned_data():
    form = ExampleForm(
        data={
            "name": "Amina",
            HONEYPOT_FIELD: "",
            STARTED_FIELD: issue_started_token(now=time.time() - 30),
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"name": "Amina"}
    assert form.is_spam is False


def test_form_mixin_flags_honeypot_without_error():
    form = ExampleForm(
        data={
            "name": "Bot",
            HONEYPOT_FIELD: "filled",
            STARTED_FIELD: issue_started_token(now=time.time() - 30),
        }
    )
    assert form.is_valid()
    assert form.is_spam is True


def test_form_mixin_reissues_token_after_too_quick_submission():
    old = issue_started_token(now=time.time() - 1)
    form = ExampleForm(data={"name": "Amina", HONEYPOT_FIELD: "", STARTED_FIELD: old})
    assert not form.is_valid()
    assert "quicker than we expected" in form.non_field_errors()[0]
    # The re-displayed form carries a fresh token, not the rejected one.
    assert form[STARTED_FIELD].value() != old
