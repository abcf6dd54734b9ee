"""Settings that route personal data belong to organisers: an event's notification and
sender addresses, its questions' "sensitive" flags and its retention period can only
be changed by Event organisers and superusers, on save (not only in the editor), and
every change is in the page's history; notification addresses may be limited to the
organisation's domains."""

import io

from django.contrib.auth.models import Group
from django.test import override_settings

from wagtail.models import PageLogEntry
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import querydict_from_html

import pytest

from events.models import EventPage
from home.demo.content import load_home_content
from home.models import FormPage
from tests import test_events_support as events_support

pytestmark = pytest.mark.django_db

event_index = events_support.event_index
event = events_support.event


def make_user(django_user_model, name, group=None, superuser=False):
    user = django_user_model.objects.create_user(
        username=name, email=f"{name}@staff.example.org", password="pw-for-tests-1"
    )
    if superuser:
        user.is_superuser = user.is_staff = True
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "editor", "Editors")


@pytest.fixture
def organiser(django_user_model):
    # Organisers edit pages only if they are also Editors: the usual set-up for
    # someone who runs events.
    user = make_user(django_user_model, "organiser", "Event organisers")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def handler(django_user_model):
    user = make_user(django_user_model, "handler", "Enquiry handlers")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def edit_form(client, page):
    """What the browser would post back from the page editor, unchanged."""
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    return form_data(response.content.decode())


def form_data(html):
    """The editor form's fields as a browser posts them."""
    data = querydict_from_html(html, form_id="page-edit-form")
    # A ticked box without a value attribute is sent as "on" (the helper sends "").
    soup = WagtailTestUtils.get_soup(html)
    for box in soup.select("#page-edit-form input[type=checkbox][checked]"):
        if box.get("name") and not box.get("value"):
            data.setlist(box["name"], ["on"])
    # The StreamField's inputs are made by JavaScript: an empty body is "0 blocks".
    data.setdefault("description-count", "0")
    data.setdefault("body-count", "0")
    data.setdefault("what_we_heard-count", "0")
    return data


def question_prefix(data, label):
    """The formset prefix ("form_fields-N") of the question labelled `label`."""
    for key, value in data.items():
        if key.startswith("form_fields-") and key.endswith("-label") and value == label:
            return key.rsplit("-", 1)[0]
    raise AssertionError(f"No question {label!r}")


def save(client, page, data, publish=False):
    if publish:
        data["action-publish"] = "action-publish"
    return client.post(f"/admin/pages/{page.pk}/edit/", data)


def latest(page):
    return EventPage.objects.get(pk=page.pk).get_latest_revision_as_object()


def routing_log(page):
    return list(PageLogEntry.objects.filter(page=page, action="lmn.routing.changed"))


def errors_of(response):
    """The page, and the form's errors (for assertion messages)."""
    form = response.context and response.context.get("form")
    if form is None:
        return response.content.decode()
    errors = [str(form.errors)] + [
        f"{name}: {formset.errors} {formset.non_form_errors()}"
        for name, formset in form.formsets.items()
    ]
    return response.content.decode() + "\n".join(errors)


SENSITIVE_LABEL = "Access requirements"


# ---------- Editors are refused ----------


def test_an_unchanged_save_by_an_editor_is_accepted(client, editor, event):
    client.force_login(editor)
    data = edit_form(client, event)
    data["title"] = "Members' roundtable (updated)"
    response = save(client, event, data)
    assert response.status_code == 302, errors_of(response)
    assert latest(event).title == "Members' roundtable (updated)"
    assert routing_log(event) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("to_address", "editor@staff.example.org", "change the notification address"),
        ("from_address", "editor@staff.example.org", "change the sender address"),
        ("delete_registrations_after_days", "3650", "change the retention period"),
    ],
)
@pytest.mark.parametrize("publish", [False, True])
def test_an_editors_change_to_a_routing_setting_is_refused(
    client, editor, event, field, value, message, publish
):
    client.force_login(editor)
    revisions = event.revisions.count()
    data = edit_form(client, event)
    data[field] = value
    data["title"] = "Also changed"
    response = save(client, event, data, publish=publish)
    assert response.status_code == 200
    html = errors_of(response)
    assert f"Only Event organisers can {message}" in html
    # Nothing is saved: not the setting, nor the rest of the change.
    assert event.revisions.count() == revisions
    stored = EventPage.objects.get(pk=event.pk)
    assert str(getattr(stored, field)) != value
    assert stored.title == "Members' roundtable"
    assert routing_log(event) == []


def test_an_editor_cannot_untick_sensitive(client, editor, event):
    client.force_login(editor)
    data = edit_form(client, event)
    prefix = question_prefix(data, SENSITIVE_LABEL)
    assert data.get(f"{prefix}-sensitive") == "on"
    del data[f"{prefix}-sensitive"]
    response = save(client, event, data, publish=True)
    assert response.status_code == 200
    assert "Only Event organisers can change whether a question is sensitive" in errors_of(response)
    assert latest(event).form_fields.get(label=SENSITIVE_LABEL).sensitive is True


def test_an_editor_cannot_remove_a_sensitive_question(client, editor, event):
    client.force_login(editor)
    data = edit_form(client, event)
    prefix = question_prefix(data, SENSITIVE_LABEL)
    data[f"{prefix}-DELETE"] = "1"
    response = save(client, event, data)
    assert response.status_code == 200
    assert "Only Event organisers can remove the sensitive question" in errors_of(response)
    assert latest(event).form_fields.filter(label=SENSITIVE_LABEL).exists()


def add_question(data, label, sensitive):
    total = int(data["form_fields-TOTAL_FORMS"])
    prefix = f"form_fields-{total}"
    data.update(
        {
            f"{prefix}-label": label,
            f"{prefix}-field_type": "singleline",
            f"{prefix}-help_text": "",
            f"{prefix}-choices": "",
            f"{prefix}-default_value": "",
            f"{prefix}-ORDER": str(total + 1),
            f"{prefix}-id": "",
        }
    )
    if sensitive:
        data[f"{prefix}-sensitive"] = "on"
    data["form_fields-TOTAL_FORMS"] = str(total + 1)


def test_an_editor_may_add_a_question_only_as_sensitive(client, editor, event):
    client.force_login(editor)
    data = edit_form(client, event)
    add_question(data, "Health needs", sensitive=False)
    response = save(client, event, data)
    assert response.status_code == 200
    assert "Tick “sensitive” on a new question" in errors_of(response)
    assert not latest(event).form_fields.filter(label="Health needs").exists()

    data = edit_form(client, event)
    add_question(data, "Health needs", sensitive=True)
    response = save(client, event, data)
    assert response.status_code == 302, errors_of(response)
    assert latest(event).form_fields.get(label="Health needs").sensitive is True


def test_reverting_to_an_older_revision_cannot_bring_back_an_old_address(
    client, editor, organiser, event
):
    # An old revision sent registrations to an address an organiser has since replaced.
    old = event.get_latest_revision()
    event.to_address = "new-organisers@example.org"
    event.save_revision(user=organiser).publish()
    client.force_login(editor)
    response = client.get(f"/admin/pages/{event.pk}/revisions/{old.pk}/revert/")
    assert response.status_code == 200
    data = form_data(response.content.decode())
    assert data["to_address"] == "staff@example.org"
    response = client.post(f"/admin/pages/{event.pk}/revisions/{old.pk}/revert/", data)
    assert response.status_code == 200
    assert "Only Event organisers can change the notification address" in errors_of(response)
    assert latest(event).to_address == "new-organisers@example.org"


def test_an_editor_creating_an_event_cannot_set_its_addresses(client, editor, event_index):
    client.force_login(editor)
    url = f"/admin/pages/add/events/eventpage/{event_index.pk}/"
    response = client.get(url)
    data = form_data(response.content.decode())
    data.update(
        title="New event",
        slug="new-event",
        start="2030-01-10 18:00",
        end="2030-01-10 20:00",
        attendance="online",
        joining_link="https://meet.example.org/x",
        to_address="editor@staff.example.org",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only Event organisers can change the notification address" in errors_of(response)
    assert not EventPage.objects.filter(slug="new-event").exists()
    data["to_address"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert EventPage.objects.get(slug="new-event").to_address == ""


# ---------- Organisers are accepted, and every change is logged ----------


def test_an_organisers_changes_are_saved_and_audit_logged(client, organiser, event):
    client.force_login(organiser)
    data = edit_form(client, event)
    data["to_address"] = "events@example.org"
    data["from_address"] = "no-reply@example.org"
    data["delete_registrations_after_days"] = "30"
    prefix = question_prefix(data, SENSITIVE_LABEL)
    del data[f"{prefix}-sensitive"]
    response = save(client, event, data, publish=True)
    assert response.status_code == 302, errors_of(response)
    stored = EventPage.objects.get(pk=event.pk)
    assert stored.to_address == "events@example.org"
    assert stored.from_address == "no-reply@example.org"
    assert stored.delete_registrations_after_days == 30
    assert stored.form_fields.get(label=SENSITIVE_LABEL).sensitive is False
    [entry] = routing_log(event)
    assert entry.user == organiser
    changes = {change["setting"]: change for change in entry.data["changes"]}
    assert changes["to_address"]["from"] == "staff@example.org"
    assert changes["to_address"]["to"] == "events@example.org"
    assert changes["delete_registrations_after_days"]["to"] == 30
    assert changes["sensitive"]["question"] == SENSITIVE_LABEL
    assert changes["sensitive"]["to"] is False
    message = entry.message
    assert "notification" in message or "to address" in message
    # The history page shows it.
    history = client.get(f"/admin/pages/{event.pk}/history/").content.decode()
    assert "Personal data routing changed" in history


def test_an_organisers_new_event_is_logged_once_it_exists(client, organiser, event_index):
    client.force_login(organiser)
    url = f"/admin/pages/add/events/eventpage/{event_index.pk}/"
    data = form_data(client.get(url).content.decode())
    data.update(
        title="New event",
        slug="new-event",
        start="2030-01-10 18:00",
        end="2030-01-10 20:00",
        attendance="online",
        joining_link="https://meet.example.org/x",
        to_address="events@example.org",
    )
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    page = EventPage.objects.get(slug="new-event")
    [entry] = routing_log(page)
    assert entry.data["changes"] == [
        {"setting": "to_address", "from": "", "to": "events@example.org"}
    ]


# ---------- The staff domain limit ----------


@override_settings(LMN_STAFF_EMAIL_DOMAINS=["labourmuslims.org"])
def test_an_event_notification_address_outside_the_staff_domains_is_refused(
    client, organiser, event
):
    client.force_login(organiser)
    data = edit_form(client, event)
    data["to_address"] = "events@labourmuslims.org, me@gmail.example"
    response = save(client, event, data)
    assert response.status_code == 200
    html = errors_of(response)
    assert "Notification emails can only go to" in html
    assert "me@gmail.example" in html
    assert latest(event).to_address == "staff@example.org"
    data["to_address"] = "events@labourmuslims.org, Team@LabourMuslims.org"
    response = save(client, event, data)
    assert response.status_code == 302, errors_of(response)
    assert latest(event).to_address == "events@labourmuslims.org, Team@LabourMuslims.org"


@override_settings(LMN_STAFF_EMAIL_DOMAINS=[])
def test_no_domain_limit_when_the_setting_is_empty(client, organiser, event):
    client.force_login(organiser)
    data = edit_form(client, event)
    data["to_address"] = "anyone@anywhere.example"
    assert save(client, event, data).status_code == 302


@override_settings(LMN_STAFF_EMAIL_DOMAINS=["labourmuslims.org"])
def test_an_editor_is_not_blocked_by_an_old_address_they_may_not_change(client, editor, event):
    client.force_login(editor)
    data = edit_form(client, event)
    data["title"] = "Renamed"
    assert save(client, event, data).status_code == 302


# ---------- Form pages: their addresses belong to Enquiry handlers ----------


@pytest.fixture
def contact(home_page):
    load_home_content(home_page, io.StringIO())
    return FormPage.objects.get(slug="contact")


def test_an_editor_cannot_redirect_the_contact_form(client, editor, contact):
    client.force_login(editor)
    data = edit_form(client, contact)
    data["to_address"] = "editor@staff.example.org"
    response = client.post(f"/admin/pages/{contact.pk}/edit/", data)
    assert response.status_code == 200
    assert "Only Enquiry handlers can change the notification address" in errors_of(response)
    assert FormPage.objects.get(pk=contact.pk).get_latest_revision_as_object().to_address == (
        "info@labourmuslims.org"
    )


@override_settings(LMN_STAFF_EMAIL_DOMAINS=["labourmuslims.org"])
def test_a_handler_changes_the_contact_address_within_the_staff_domains(client, handler, contact):
    client.force_login(handler)
    data = edit_form(client, contact)
    data["to_address"] = "someone@elsewhere.example"
    response = client.post(f"/admin/pages/{contact.pk}/edit/", data)
    assert response.status_code == 200
    assert "Notification emails can only go to" in errors_of(response)
    data["to_address"] = "enquiries@labourmuslims.org"
    response = client.post(f"/admin/pages/{contact.pk}/edit/", data)
    assert response.status_code == 302, errors_of(response)
    [entry] = PageLogEntry.objects.filter(page=contact, action="lmn.routing.changed")
    assert entry.user == handler
    assert entry.data["changes"][0]["to"] == "enquiries@labourmuslims.org"
