"""The admin screens that hold personal data answer to one permission policy each.

Event registrations and written contributions (Event organisers), form messages
(Enquiry handlers), personal data requests and the mailing list (superusers only)
and action-plan statuses (page editors) are Wagtail generic views whose access is
decided by a permission policy. Here every screen is asked as every role: the index,
one record, the downloads and the actions, by GET and by POST. A refused request
changes nothing and shows none of the data; the right role sees what it should.
"""

from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from wagtail.contrib.forms.models import FormSubmission

import pytest
from bs4 import BeautifulSoup

from events.factories import STANDARD_QUESTIONS, create_event
from events.models import EventContribution, EventRegistration
from events.permissions import registrations_policy
from home.models import ConsentText, FormPage, MailingListSubscriber, PrivacyAction
from home.pages.messages_list import enquiries_policy
from home.privacy.consent import current_consent
from home.staff.mailing_list import subscribers_policy
from home.staff.privacy import subject_access_policy
from tests.events import test_events_support as events_support
from tests.events.test_events_support import register
from tests.report_factories import make_plan, make_report

pytestmark = pytest.mark.django_db

event_index = events_support.event_index

ROLES = ["editor", "moderator", "organiser", "handler", "superuser"]
GROUPS = {
    "editor": "Editors",
    "moderator": "Comment moderators",
    "organiser": "Event organisers",
    "handler": "Enquiry handlers",
}
# One letter per role that may open a screen: Editor, Moderator, Organiser,
# enquiry Handler, Superuser.
LETTERS = {"editor": "E", "moderator": "M", "organiser": "O", "handler": "H", "superuser": "S"}

PERSON = "amina@example.org"
SENSITIVE_ANSWER = "Uses a wheelchair"


@pytest.fixture
def people(django_user_model):
    users = {}
    for role in ROLES:
        user = django_user_model.objects.create_user(
            username=f"policy-{role}", email=f"{role}@staff.example.org", password="pw-123-abc"
        )
        if role == "superuser":
            user.is_superuser = user.is_staff = True
            user.save()
        else:
            user.groups.add(Group.objects.get(name=GROUPS[role]))
        users[role] = user
    return users


@pytest.fixture
def data(client, home_page, event_index):
    """One of every record these screens show, each carrying the person's address."""
    event = create_event(
        event_index,
        title="Policy roundtable",
        slug="policy-roundtable",
        capacity=1,
        questions=STANDARD_QUESTIONS,
        contributions_enabled=True,
    )
    register(client, event, email=PERSON, access_requirements=SENSITIVE_ANSWER)
    register(client, event, email="waiting@example.org")
    confirmed = EventRegistration.objects.get(email=PERSON)
    waiting = EventRegistration.objects.get(email="waiting@example.org")
    contribution = EventContribution.objects.create(
        page=event,
        name="Amina Example",
        email=PERSON,
        form_data={},
        consent=current_consent(ConsentText.EVENT_CONTRIBUTION),
        consented_at=timezone.now(),
    )
    contact = FormPage(title="Contact", slug="contact-policy", to_address="")
    home_page.add_child(instance=contact)
    FormSubmission.objects.create(page=contact, form_data={"email": PERSON})
    subscriber = MailingListSubscriber.objects.create(
        email=PERSON,
        consent=current_consent(ConsentText.MAILING_LIST),
        consented_at=timezone.now(),
        source=MailingListSubscriber.EVENT_REGISTRATION,
    )
    plan = make_plan(make_report(home_page, slug="policy-report"), ["not_started"])
    mail.outbox.clear()
    return {
        "event": event,
        "confirmed": confirmed,
        "waiting": waiting,
        "contribution": contribution,
        "contact": contact,
        "subscriber": subscriber,
        "plan": plan,
    }


def screens(d):
    """(url, who may open it) for every screen, record, download and action page."""
    event, contact = d["event"].pk, d["contact"].pk
    confirmed, waiting = d["confirmed"].pk, d["waiting"].pk
    return [
        ("/admin/events/registrations/", "--O-S"),
        (f"/admin/forms/submissions/{event}/", "--O-S"),
        (f"/admin/forms/submissions/{event}/?export=csv", "--O-S"),
        (f"/admin/forms/submissions/{event}/?export=xlsx&sensitive=1", "--O-S"),
        (f"/admin/events/registrations/{confirmed}/cancel/", "--O-S"),
        (f"/admin/events/registrations/{waiting}/promote/", "--O-S"),
        (f"/admin/events/{event}/registrations/add/", "--O-S"),
        (f"/admin/events/{event}/sign-in-sheet/", "--O-S"),
        (
            f"/admin/events/{event}/attendance/?mark=attended&selected-submissions={confirmed}",
            "--O-S",
        ),
        ("/admin/events/contributions/", "--O-S"),
        (f"/admin/events/contributions/inspect/{d['contribution'].pk}/", "--O-S"),
        ("/admin/events/contributions/?export=csv", "--O-S"),
        ("/admin/form-messages/", "---HS"),
        (f"/admin/forms/submissions/{contact}/", "---HS"),
        (f"/admin/forms/submissions/{contact}/?export=csv", "---HS"),
        ("/admin/privacy/subject-access/", "----S"),
        ("/admin/mailing-list/", "----S"),
        (f"/admin/mailing-list/inspect/{d['subscriber'].pk}/", "----S"),
        ("/admin/mailing-list/?export=csv", "----S"),
        (f"/admin/action-plan/{d['plan'].pk}/statuses/", "E---S"),
    ]


def content_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_every_screen_as_every_role(client, data, people):
    wrong = []
    for role in ROLES:
        client.force_login(people[role])
        for url, allowed in screens(data):
            response = client.get(url)
            may = LETTERS[role] in allowed
            if may and response.status_code != 200:
                wrong.append(f"{role} {url}: refused ({response.status_code})")
            if not may:
                # Wagtail's admin answers PermissionDenied with a redirect to the
                # dashboard (403 for requests made by script).
                if response.status_code not in (302, 403):
                    wrong.append(f"{role} {url}: not refused ({response.status_code})")
                if PERSON.encode() in content_of(response):
                    wrong.append(f"{role} {url}: the refusal shows the address")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", ["editor", "moderator", "handler"])
def test_refused_actions_change_nothing(client, data, people, role):
    client.force_login(people[role])
    event, confirmed, waiting = data["event"], data["confirmed"], data["waiting"]
    posts = [
        (f"/admin/events/registrations/{confirmed.pk}/cancel/", {}),
        (f"/admin/events/registrations/{waiting.pk}/promote/", {}),
        (f"/admin/events/{event.pk}/attendance/", {"set": f"{confirmed.pk}:attended"}),
        (
            f"/admin/events/{event.pk}/registrations/add/",
            {"name": "Phone Booking", "email": "phone@example.org"},
        ),
        (f"/admin/events/contributions/edit/{data['contribution'].pk}/", {"themes": "x"}),
        (f"/admin/events/contributions/delete/{data['contribution'].pk}/", {}),
        ("/admin/privacy/subject-access/", {"email": PERSON}),
    ]
    for url, payload in posts:
        response = client.post(url, payload)
        assert response.status_code in (302, 403), url
        assert PERSON.encode() not in response.content, url
    assert sorted(EventRegistration.objects.values_list("email", "status", "attended")) == [
        (PERSON, EventRegistration.CONFIRMED, None),
        ("waiting@example.org", EventRegistration.WAITING, None),
    ]
    assert EventContribution.objects.filter(pk=data["contribution"].pk).exists()
    assert not PrivacyAction.objects.exists()
    assert mail.outbox == []


def test_organisers_may_not_open_superuser_or_handler_screens_by_post(client, data, people):
    client.force_login(people["organiser"])
    response = client.post("/admin/privacy/subject-access/", {"email": PERSON})
    assert response.status_code in (302, 403)
    assert not PrivacyAction.objects.exists()


def test_each_policy_names_exactly_its_people(people):
    def names(users):
        return sorted(user.username.removeprefix("policy-") for user in users)

    assert names(registrations_policy.users_with_any_permission(["view"])) == [
        "organiser",
        "superuser",
    ]
    assert names(enquiries_policy.users_with_any_permission(["view"])) == ["handler", "superuser"]
    assert names(subscribers_policy.users_with_any_permission(["view"])) == ["superuser"]
    assert names(subject_access_policy.users_with_any_permission(["export"])) == ["superuser"]
    # Actions a screen does not offer are refused to everyone, superusers included.
    superuser = people["superuser"]
    assert not registrations_policy.user_has_permission(superuser, "delete")
    assert not subscribers_policy.user_has_permission(superuser, "change")
    assert names(subscribers_policy.users_with_any_permission(["add", "change"])) == []
    # An inactive superuser holds nothing.
    superuser.is_active = False
    assert not registrations_policy.user_has_permission(superuser, "view")
    assert not subject_access_policy.user_has_permission(superuser, "export")


def test_menu_items_follow_the_policies(client, data, people):
    items = {
        "/admin/events/registrations/": "OS",
        "/admin/events/contributions/": "OS",
        "/admin/form-messages/": "HS",
        "/admin/privacy/subject-access/": "S",
        "/admin/mailing-list/": "S",
    }
    wrong = []
    for role in ROLES:
        client.force_login(people[role])
        html = client.get("/admin/").content.decode()
        for url, allowed in items.items():
            shown = f'"{url}"' in html
            if shown != (LETTERS[role] in allowed):
                wrong.append(f"{role} {url}: shown={shown}")
    assert wrong == [], "\n".join(wrong)


def cells_by_heading(html, table_selector="table.listing"):
    table = BeautifulSoup(html, "html.parser").select_one(table_selector)
    headings = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"])]
        for tr in table.select("tbody tr")
    ]
    return headings, rows


def test_organisers_see_the_event_counts_and_empty_cells_read_a_dash(client, data, people):
    client.force_login(people["organiser"])
    headings, rows = cells_by_heading(client.get("/admin/events/registrations/").content)
    assert headings[:4] == ["Event", "Starts", "Confirmed / places · waiting", "Attended"]
    assert rows[0][0].startswith("Policy roundtable")
    assert rows[0][2].startswith("1 / 1")
    # The list: a confirmed registration has no waiting-list place.
    html = client.get(f"/admin/forms/submissions/{data['event'].pk}/").content.decode()
    headings, rows = cells_by_heading(html)
    place = headings.index("Waiting list place")
    email = headings.index("Email")
    row = next(row for row in rows if PERSON in row)
    assert row[place] == "—"
    assert "None" not in [cell for row in rows for cell in row]
    assert row[email] == PERSON


def test_the_default_download_leaves_out_sensitive_answers(client, data, people):
    client.force_login(people["organiser"])
    url = f"/admin/forms/submissions/{data['event'].pk}/?export=csv"
    plain = content_of(client.get(url)).decode()
    assert PERSON in plain and SENSITIVE_ANSWER not in plain
    assert "Access requirements" not in plain.splitlines()[0]
    with_sensitive = content_of(client.get(url + "&sensitive=1")).decode()
    assert SENSITIVE_ANSWER in with_sensitive
    logged = PrivacyAction.objects.filter(kind="registrations_export").order_by("pk")
    assert [a.counts["sensitive_answers"] for a in logged] == [False, True]


def test_handlers_see_form_messages_and_no_events(client, data, people):
    client.force_login(people["handler"])
    headings, rows = cells_by_heading(client.get("/admin/form-messages/").content)
    assert headings == ["Form", "Messages"]
    assert ["Contact", "1"] in rows
    assert not any("Policy roundtable" in row[0] for row in rows)


def test_empty_fields_of_one_record_read_a_dash(client, data, people):
    client.force_login(people["superuser"])
    html = client.get(f"/admin/mailing-list/inspect/{data['subscriber'].pk}/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    values = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
        for dt in soup.select("dl dt")
    }
    assert values["Confirmed at"] == "—"
    assert "None" not in values.values()
    headings, rows = cells_by_heading(client.get("/admin/mailing-list/").content)
    assert rows[0][headings.index("Confirmed at")] == "—"
    assert rows[0][headings.index("Source")] == "Event registration"


def test_action_plan_index_lists_only_editable_plans(client, data, people):
    client.force_login(people["editor"])
    response = client.get("/admin/action-plan/")
    # The Editors group edits the whole site: its one plan opens straight away.
    assert response.status_code == 302
    assert response["Location"] == f"/admin/action-plan/{data['plan'].pk}/statuses/"
    client.force_login(people["organiser"])
    assert client.get("/admin/action-plan/").status_code in (302, 403)
    assert client.get("/admin/action-plan/").get("Location", "") != (
        f"/admin/action-plan/{data['plan'].pk}/statuses/"
    )
