"""Chromium: a person sends the contact form from a page that carries no anti-spam
time, with JavaScript (the token is fetched when the form is shown) and without it
(asked once to send again, then accepted)."""

import io

from django.core import mail

import pytest

from tests.conftest import assert_no_axe_violations
from tests.test_comments_support import ensure_base_rows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def contact(settings):
    from home.demo.content import load_home_content
    from home.models import FormPage

    settings.LMN_MIN_FORM_FILL_SECONDS = 1
    load_home_content(ensure_base_rows(), io.StringIO())
    return FormPage.objects.get(slug="contact")


def fill_in(tab):
    tab.get_by_label("Your name", exact=True).fill("Amina Example")
    tab.get_by_label("Email address").fill("amina@example.org")
    tab.get_by_label("What is your message about?").select_option("A general question")
    tab.get_by_label("Your message", exact=True).fill("When is the next members' meeting?")


def submissions(page):
    return page.get_submission_class().objects.filter(page=page).count()


def test_a_person_with_javascript_sends_the_form_once(live_server, browser_page, contact):
    tab = browser_page
    tab.goto(live_server.url + contact.url)
    assert_no_axe_violations(tab)
    fill_in(tab)
    # The HTML carries no token (tests/test_core_antispam_forms.py): site.js fetched
    # one when the form was shown.
    tab.wait_for_function("document.querySelector('input[name=form_started]').value.length > 20")
    tab.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    tab.get_by_role("button", name="Send").click()
    tab.get_by_role("heading", name="Thank you").wait_for()
    assert_no_axe_violations(tab)
    assert submissions(contact) == 1
    assert len(mail.outbox) == 1


def test_a_person_without_javascript_sends_the_form_twice(
    live_server, browser, browser_page, contact
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    try:
        tab = context.new_page()
        tab.goto(live_server.url + contact.url)
        fill_in(tab)
        tab.get_by_role("button", name="Send").click()
        summary = tab.locator("[data-error-summary]")
        summary.wait_for()
        assert "send it once more" in summary.inner_text()
        assert tab.title().startswith("Error:")
        # The answers are kept, so sending again is one press.
        assert tab.get_by_label("Your message", exact=True).input_value() == (
            "When is the next members' meeting?"
        )
        # axe needs JavaScript: check the very same page in a tab that has it.
        checker = browser_page
        checker.goto(live_server.url + contact.url)
        checker.set_content(tab.content())
        assert_no_axe_violations(checker)
        assert submissions(contact) == 0
        tab.wait_for_timeout(1100)  # reading the message takes longer than the minimum
        tab.get_by_role("button", name="Send").click()
        tab.get_by_role("heading", name="Thank you").wait_for()
        assert submissions(contact) == 1
    finally:
        context.close()
