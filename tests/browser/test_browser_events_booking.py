"""An organiser takes a phone booking in Chromium: the form, its errors, the outcome."""

from django.contrib.auth.models import Group, User
from django.core import mail

import pytest

from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
from events.models import EventRegistration
from tests.conftest import assert_no_axe_violations, restore_groups

pytestmark = [pytest.mark.browser]

PASSWORD = "a-long-test-password-1"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_organiser_takes_a_phone_booking(browser_page, live_server, home_page):
    restore_groups()
    event = create_event(
        create_event_index(home_page), capacity=5, questions=STANDARD_QUESTIONS, to_address=""
    )
    organiser = User.objects.create_user("organiser", password=PASSWORD)
    organiser.groups.add(Group.objects.get(name="Event organisers"))

    tab = browser_page
    tab.goto(f"{live_server.url}/admin/login/")
    tab.get_by_label("Username").fill("organiser")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{live_server.url}/admin/")

    tab.goto(f"{live_server.url}/admin/forms/submissions/{event.pk}/")
    tab.get_by_role("link", name="Add registration").click()
    tab.get_by_label("Full name").wait_for()
    assert_no_axe_violations(tab)

    # Forgetting the consent box and mistyping the address: the form comes back.
    tab.get_by_label("Full name").fill("Yusuf Example")
    tab.get_by_label("Email address").fill("yusuf-at-example.org")
    tab.get_by_label("Councillor", exact=True).check()
    tab.get_by_role("button", name="Add registration").click()
    tab.get_by_role("alert").wait_for()
    assert "Please correct the 2 problems below" in tab.content()
    assert_no_axe_violations(tab)
    assert not EventRegistration.objects.exists()

    tab.get_by_label("Email address").fill("yusuf@example.org")
    tab.get_by_label("They have agreed to this wording").check()
    tab.get_by_role("button", name="Add registration").click()
    tab.get_by_text("Registration added with a confirmed place").wait_for()
    assert tab.url.endswith(f"/admin/forms/submissions/{event.pk}/")
    assert "yusuf@example.org" in tab.content()
    registration = EventRegistration.objects.get()
    assert registration.status == "confirmed" and registration.form_data["role"] == "Councillor"
    assert [m.to for m in mail.outbox] == [["yusuf@example.org"]]
