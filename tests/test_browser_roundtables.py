"""The roundtable loop in Chromium: an editor switches written contributions on; a
member contributes anonymously; an organiser marks attendance and tags the
contribution; an editor publishes "What we heard" linked to a recommendation; the
recommendation's page shows it; the opted-in attendee gets the one email."""

import re
import time
from urllib.parse import urlsplit

from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone

from wagtail.models import Site

import pytest
from playwright.sync_api import expect

from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
from events.models import EventContribution, EventRegistration, RecommendationLink
from home.models import ConsentText
from home.privacy.consent import current_consent
from home.report.progress import IN_PROGRESS, NOT_STARTED
from tests.conftest import assert_no_axe_violations, restore_groups
from tests.report_factories import make_plan, make_report

pytestmark = [pytest.mark.browser]

PASSWORD = "a-long-test-password-1"


def wait_until(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def user(username, group):
    person = User.objects.create_user(username, email=f"{username}@example.org", password=PASSWORD)
    person.groups.add(Group.objects.get(name=group))
    return person


def sign_in(browser, base, username):
    tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    tab.set_default_timeout(20000)
    tab.goto(f"{base}/admin/login/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{base}/admin/")
    return tab


def publish(tab, parent_id):
    """Publish from the page editor and wait for the page listing it returns to."""
    tab.locator("[data-w-dropdown-target='toggle']").last.click()
    tab.get_by_role("button", name="Publish").first.click()
    try:
        tab.wait_for_url(f"**/admin/pages/{parent_id}/")
    except Exception:
        fields = tab.locator(".error-message").evaluate_all(
            "els => els.map(e => [e.closest('[data-contentpath]')?.dataset.contentpath,"
            " e.closest('[id]')?.id, e.textContent.trim()])"
        )
        raise AssertionError(f"Not published from {tab.url}: errors in {fields}") from None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_roundtable_loop(browser, browser_page, live_server, home_page, settings):
    settings.LMN_MIN_FORM_FILL_SECONDS = 0
    restore_groups()
    address = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
    base = live_server.url
    plan = make_plan(make_report(home_page), [IN_PROGRESS, NOT_STARTED])
    event = create_event(
        create_event_index(home_page),
        title="Members' roundtable",
        slug="members-roundtable",
        capacity=20,
        questions=STANDARD_QUESTIONS,
    )
    now = timezone.now()
    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    common = {"page_id": event.pk, "status": "confirmed", "form_data": {}}
    common.update(consent=consent, consented_at=now)
    amina = EventRegistration.objects.create(
        name="Amina Example", email="amina@example.org", wants_summary=True, **common
    )
    EventRegistration.objects.create(name="Bilal Example", email="bilal@example.org", **common)
    user("editor", "Editors")
    user("organiser", "Event organisers")

    # An editor switches written contributions on.
    editor = sign_in(browser, base, "editor")
    editor.goto(f"{base}/admin/pages/{event.pk}/edit/")
    editor.get_by_label("Accept written contributions").check()
    publish(editor, event.get_parent().pk)
    assert wait_until(
        lambda: (
            type(event).objects.get(pk=event.pk).contributions_enabled
            and not type(event).objects.get(pk=event.pk).has_unpublished_changes
        )
    )

    # A member contributes anonymously.
    tab = browser_page
    tab.goto(base + event.url)
    tab.get_by_role("link", name="Write a contribution").click()
    tab.get_by_role("heading", name="Send a written contribution").wait_for()
    assert_no_axe_violations(tab)
    tab.get_by_role("button", name="Send my contribution").click()
    tab.locator(".error-summary").wait_for()
    assert_no_axe_violations(tab)
    tab.get_by_label("Send this anonymously").check()
    tab.get_by_label("Your contribution").fill("Complaints must be handled independently.")
    tab.locator("#id_consent").check()
    tab.get_by_role("button", name="Send my contribution").click()
    tab.get_by_role("heading", name="Thank you for your contribution").wait_for()
    assert_no_axe_violations(tab)
    contribution = EventContribution.objects.get()
    assert contribution.anonymous and (contribution.name, contribution.email) == ("", "")

    # An organiser marks attendance and tags the contribution.
    organiser = sign_in(browser, base, "organiser")
    organiser.goto(f"{base}/admin/forms/submissions/{event.pk}/")
    organiser.get_by_role("button", name=f"Attended (registration {amina.pk})").click()
    organiser.get_by_text("1 registration(s) marked as attended").wait_for()
    amina.refresh_from_db()
    assert amina.attended is True
    organiser.goto(f"{base}/admin/events/contributions/edit/{contribution.pk}/")
    themes = organiser.locator("#id_themes")
    themes.fill("Complaints")
    organiser.get_by_role("button", name="Save").click()
    assert wait_until(lambda: [t.name for t in contribution.themes.all()] == ["Complaints"])

    # An editor publishes "What we heard", linked to recommendation 1.
    recommendation = plan.recommendations.get(number=1)
    editor.goto(f"{base}/admin/pages/{event.pk}/edit/")
    stream = editor.locator("[data-contentpath='what_we_heard']")
    stream.get_by_role("button", name="Insert a block").first.click()
    heading = editor.locator("input[name='what_we_heard-0-value-heading']")
    heading.fill("Trust in complaints")
    summary = editor.locator("[data-contentpath='summary'] [contenteditable='true']").first
    summary.click()
    summary.press_sequentially("People want complaints handled independently of the party.")
    expect(summary).to_contain_text("handled independently")
    # Draftail copies the text into the form's hidden input a moment after typing.
    summary_input = editor.locator("input[name='what_we_heard-0-value-summary']")
    expect(summary_input).to_have_value(re.compile("handled independently"))
    expect(heading).to_have_value("Trust in complaints")
    editor.get_by_label(f"Action plan: 1. {recommendation.title}").check()
    publish(editor, event.get_parent().pk)
    assert wait_until(lambda: RecommendationLink.objects.filter(event_id=event.pk).exists())

    # The recommendation's page shows it ("You said"), beside "We did".
    tab.goto(f"{base}/report/action-plan/recommendation/1/")
    you_said = tab.locator(".you-said")
    you_said.get_by_role("link", name="Trust in complaints").wait_for()
    assert_no_axe_violations(tab)
    you_said.get_by_role("link", name="Trust in complaints").click()
    tab.get_by_role("heading", name="What we heard").wait_for()
    assert_no_axe_violations(tab)
    tab.goto(f"{base}/report/action-plan/?roundtable=members-roundtable")
    tab.get_by_role(
        "heading", name="Recommendations informed by the Members' roundtable"
    ).wait_for()
    assert_no_axe_violations(tab)

    # The attendee who opted in gets one email; Bilal (no opt-in) gets nothing.
    assert wait_until(lambda: any(m.to == ["amina@example.org"] for m in mail.outbox))
    summaries = [m for m in mail.outbox if m.subject.startswith("What we heard")]
    assert [m.to for m in summaries] == [["amina@example.org"]]
    assert f"{base}{event.url}#what-we-heard" in summaries[0].body
