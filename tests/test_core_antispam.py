"""The shared anti-spam rules: honeypot, minimum fill time and token uses."""

import time

from django import forms

import pytest

from home.abuse.antispam import (
    EXPIRED_MESSAGE,
    HONEYPOT_FIELD,
    MISSING_MESSAGE,
    STARTED_FIELD,
    TOKEN_MAX_AGE,
    TOO_QUICK_MESSAGE,
    USED_MESSAGE,
    SpamProtectionMixin,
    check_submission,
    issue_started_token,
    read_started_token,
    seconds_since_started,
)


class ExampleForm(SpamProtectionMixin, forms.Form):
    name = forms.CharField()


def test_token_measures_elapsed_time():
    token = issue_started_token(now=1_000_000)
    assert seconds_since_started(token, now=1_000_042) == 42


def test_each_token_has_its_own_name():
    first = read_started_token(issue_started_token())
    second = read_started_token(issue_started_token())
    assert first[1] != second[1]


def test_forged_token_is_rejected():
    token = issue_started_token(now=1_000_000)
    payload, rest = token.split(":", 1)
    assert seconds_since_started("x" + payload + ":" + rest, now=1_000_042) is None
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert seconds_since_started(altered, now=1_000_042) is None
    assert seconds_since_started("", now=1) is None
    assert seconds_since_started(None, now=1) is None


def test_a_token_older_than_a_day_has_expired():
    token = issue_started_token(now=time.time() - TOKEN_MAX_AGE - 5)
    assert check_submission({STARTED_FIELD: token}) == (False, EXPIRED_MESSAGE)


def test_filled_honeypot_is_spam():
    data = {HONEYPOT_FIELD: "http://spam.example", STARTED_FIELD: issue_started_token(now=0)}
    assert check_submission(data, now=100) == (True, None)


def test_filled_honeypot_is_spam_even_without_a_token():
    assert check_submission({HONEYPOT_FIELD: "http://spam.example"}) == (True, None)


def test_too_quick_submission_gets_a_message(settings):
    settings.LMN_MIN_FORM_FILL_SECONDS = 3
    data = {HONEYPOT_FIELD: "", STARTED_FIELD: issue_started_token(now=100)}
    is_spam, error = check_submission(data, now=102.5)
    assert not is_spam
    assert error == TOO_QUICK_MESSAGE


def test_missing_token_asks_to_send_again_without_calling_it_spam():
    for data in ({HONEYPOT_FIELD: ""}, {HONEYPOT_FIELD: "", STARTED_FIELD: "  "}):
        assert check_submission(data, now=100) == (False, MISSING_MESSAGE)


@pytest.mark.django_db
def test_person_passes(settings):
    settings.LMN_MIN_FORM_FILL_SECONDS = 3
    data = {HONEYPOT_FIELD: "", STARTED_FIELD: issue_started_token(now=100)}
    assert check_submission(data, now=110) == (False, None)


@pytest.mark.django_db
def test_a_token_is_good_for_a_limited_number_of_posts(settings):
    settings.LMN_FORM_TOKEN_USES = 2
    data = {HONEYPOT_FIELD: "", STARTED_FIELD: issue_started_token(now=time.time() - 30)}
    assert check_submission(data) == (False, None)
    assert check_submission(data) == (False, None)
    assert check_submission(data) == (False, USED_MESSAGE)
    # Another token is counted on its own.
    fresh = {HONEYPOT_FIELD: "", STARTED_FIELD: issue_started_token(now=time.time() - 30)}
    assert check_submission(fresh) == (False, None)


@pytest.mark.django_db
def test_checking_without_counting_leaves_the_token_unused(settings):
    settings.LMN_FORM_TOKEN_USES = 1
    data = {STARTED_FIELD: issue_started_token(now=time.time() - 30)}
    for _ in range(3):
        assert check_submission(data, count_use=False) == (False, None)
    assert check_submission(data) == (False, None)
    assert check_submission(data) == (False, USED_MESSAGE)


def test_an_unbound_form_carries_no_time():
    """A page may be cached for minutes: its form must not say when it was made."""
    form = ExampleForm()
    html = str(form[STARTED_FIELD])
    assert 'value="' not in html
    assert 'data-started-url="/forms/started/"' in html


@pytest.mark.django_db
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
    assert form.non_field_errors() == [TOO_QUICK_MESSAGE]
    # The re-displayed form carries a fresh token, not the rejected one.
    new = form[STARTED_FIELD].value()
    assert new != old
    assert 0 <= seconds_since_started(new) < 60


@pytest.mark.django_db
def test_a_form_with_field_errors_does_not_use_its_token_up(settings):
    settings.LMN_FORM_TOKEN_USES = 1
    token = issue_started_token(now=time.time() - 30)
    invalid = ExampleForm(data={"name": "", HONEYPOT_FIELD: "", STARTED_FIELD: token})
    assert not invalid.is_valid()
    valid = ExampleForm(data={"name": "Amina", HONEYPOT_FIELD: "", STARTED_FIELD: token})
    assert valid.is_valid(), valid.errors
