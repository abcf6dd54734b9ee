"""The personal-data admin screens on Wagtail's generic views, in Chromium with axe:
an organiser goes from the events index to the list and marks attendance with the
keyboard; a superuser opens the form messages, personal data requests and
action-plan statuses."""

from django.contrib.auth.models import Group, User

from wagtail.contrib.forms.models import FormSubmission

import pytest

from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
from events.models import EventRegistration
from home.models import FormPage
from tests.conftest import assert_no_axe_violations, restore_groups
from tests.events.test_events_support import register
from tests.report_factories import make_plan, make_report

pytestmark = [pytest.mark.browser]

PASSWORD = "a-long-test-password-2"


def sign_in(tab, base, username):
    tab.goto(f"{base}/admin/login/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{base}/admin/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_organiser_and_superuser_use_the_admin_screens(browser, live_server, client, home_page):
    restore_groups()
    event = create_event(
        create_event_index(home_page),
        title="Screens roundtable",
        capacity=5,
        questions=STANDARD_QUESTIONS,
        to_address="",
    )
    register(client, event, email="amina@example.org")
    amina = EventRegistration.objects.get()
    contact = FormPage(title="Contact us", slug="contact-screens", to_address="")
    home_page.add_child(instance=contact)
    FormSubmission.objects.create(page=contact, form_data={"message": "Hello"})
    plan = make_plan(make_report(home_page, slug="screens-report"), ["not_started"])
    organiser = User.objects.create_user("organiser", password=PASSWORD)
    organiser.groups.add(Group.objects.get(name="Event organisers"))
    User.objects.create_superuser("admin", password=PASSWORD)
    base = live_server.url

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        sign_in(tab, base, "organiser")
        tab.goto(f"{base}/admin/events/registrations/")
        assert_no_axe_violations(tab)
        tab.get_by_role("link", name="Screens roundtable").click()
        tab.get_by_role("table", name="Registrations for Screens roundtable").wait_for()
        assert_no_axe_violations(tab)
        # Keyboard only: tick the row, then press the bulk button that appears.
        tab.get_by_label(f"Select registration {amina.pk}").focus()
        tab.keyboard.press("Space")
        mark = tab.get_by_role("button", name="Mark selected as attended")
        mark.focus()
        tab.keyboard.press("Enter")
        tab.get_by_text("Amina Example").wait_for()
        assert_no_axe_violations(tab)
        confirm = tab.get_by_role("button", name="Yes, mark them as attended")
        confirm.focus()
        tab.keyboard.press("Enter")
        tab.get_by_text("1 registration(s) marked as attended").wait_for()
        amina.refresh_from_db()
        assert amina.attended is True
        # The superuser's screens are refused to the organiser.
        tab.goto(f"{base}/admin/privacy/subject-access/")
        assert tab.url.rstrip("/").endswith("/admin")
        tab.close()

        tab = context.new_page()
        context.clear_cookies()
        sign_in(tab, base, "admin")
        for path, heading in (
            ("/admin/form-messages/", "Form messages"),
            ("/admin/privacy/subject-access/", "Personal data requests"),
            (f"/admin/action-plan/{plan.pk}/statuses/", "Update statuses"),
        ):
            tab.goto(base + path)
            tab.get_by_role("heading", name=heading, level=1).wait_for()
            assert_no_axe_violations(tab)
        tab.get_by_label("Status of recommendation 1").select_option("in_progress")
        tab.get_by_role("button", name="Publish changes").click()
        tab.get_by_text("Published 1 change(s).").wait_for()
    finally:
        context.close()
