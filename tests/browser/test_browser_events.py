"""A member registers for a roundtable in Chromium, confirms from the emailed link and
cancels from the confirmation email."""

import re
from urllib.parse import urlsplit

from django.core import mail

from wagtail.models import Site

import pytest

from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
from events.models import EventRegistration
from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser]


@pytest.fixture
def roundtable(home_page, live_server, settings):
    """A members' roundtable on a site whose root URL is the live server."""
    settings.LMN_MIN_FORM_FILL_SECONDS = 0
    address = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
    index = create_event_index(home_page)
    return create_event(
        index, title="Members' roundtable", capacity=20, questions=STANDARD_QUESTIONS
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_registers_confirms_from_the_email_then_cancels(
    browser_page, live_server, roundtable
):
    tab = browser_page
    tab.goto(live_server.url + roundtable.url)
    assert_no_axe_violations(tab)
    places = tab.locator(".event-facts dt:has-text('Places') + dd").inner_text()

    tab.get_by_label("Full name").fill("Amina Example")
    tab.get_by_label("Email address").fill("amina@example.org")
    tab.get_by_label("Constituency Labour Party").fill("Example CLP")
    tab.get_by_label("Member", exact=True).check()
    consent = tab.locator("#id_consent")
    assert not consent.is_checked()
    consent.check()
    tab.get_by_role("button", name="Register").click()

    # The form only asks: no place until the emailed link is confirmed.
    tab.get_by_role("heading", name="Check your inbox to confirm your place").wait_for()
    assert_no_axe_violations(tab)
    registration = EventRegistration.objects.get()
    assert registration.status == "pending"
    tab.goto(live_server.url + roundtable.url)
    assert tab.locator(".event-facts dt:has-text('Places') + dd").inner_text() == places

    (request,) = [m for m in mail.outbox if m.to == ["amina@example.org"]]
    confirm = re.search(r"(https?://\S+/events/confirm/\S+/)", request.body).group(1)
    tab.goto(confirm)
    tab.get_by_role("heading", name="Confirm your place").wait_for()
    assert_no_axe_violations(tab)
    registration.refresh_from_db()
    assert registration.status == "pending"  # opening the link changes nothing
    tab.get_by_role("button", name="Confirm my place").click()
    tab.get_by_role("heading", name="Your place is confirmed").wait_for()
    assert_no_axe_violations(tab)
    registration.refresh_from_db()
    assert registration.status == "confirmed"

    # The link works once.
    tab.goto(confirm)
    tab.get_by_role("heading", name="This link does not work").wait_for()
    assert_no_axe_violations(tab)

    (message,) = [
        m for m in mail.outbox if m.to == ["amina@example.org"] and "confirmed" in m.subject
    ]
    link = re.search(r"(https?://\S+/events/cancel/\S+/)", message.body).group(1)
    tab.goto(link)
    tab.get_by_role("heading", name="Cancel your place?").wait_for()
    tab.get_by_role("button", name="Cancel my place").click()
    tab.get_by_role("heading", name="Your place is cancelled").wait_for()
    registration.refresh_from_db()
    assert registration.status == "cancelled"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_errors_are_summarised_focused_and_linked(browser_page, live_server, roundtable):
    tab = browser_page
    tab.goto(live_server.url + roundtable.url)
    tab.get_by_role("button", name="Register").click()
    summary = tab.locator(".error-summary")
    summary.wait_for()
    assert tab.title().startswith("Error:")
    assert tab.evaluate("document.activeElement.classList.contains('error-summary')")
    email = tab.locator("#id_email")
    assert "id_email_error" in email.get_attribute("aria-describedby")
    assert email.get_attribute("aria-invalid") == "true"
    summary.get_by_role("link", name=re.compile("Email address")).click()
    assert tab.evaluate("document.activeElement.id") == "id_email"
    assert_no_axe_violations(tab)
    assert not EventRegistration.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upcoming_events_pages_are_accessible_and_keep_the_past_page(
    browser_page, live_server, home_page
):
    from events.models import EventIndexPage
    from tests.events.test_events_support import in_days

    index = create_event_index(home_page)
    per_page = EventIndexPage.upcoming_per_page
    for number in range(per_page + 1):
        create_event(index, title=f"Coming event {number:02d}", start=in_days(2 + number))
    for number in range(11):
        create_event(index, title=f"Old event {number:02d}", start=in_days(-30 - number))
    tab = browser_page
    tab.goto(live_server.url + "/events/?page=2")
    assert_no_axe_violations(tab)
    upcoming_pages = tab.get_by_role("navigation", name="Upcoming events pages")
    upcoming_pages.get_by_role("link", name="Next page").click()
    tab.wait_for_url(re.compile(r"upcoming=2"))
    assert "page=2" in tab.url  # the past events stay on their page
    assert tab.get_by_role("link", name=f"Coming event {per_page:02d}").is_visible()
    assert tab.get_by_role("link", name="Old event 10").is_visible()
    assert_no_axe_violations(tab)
