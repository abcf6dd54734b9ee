"""Messages from the contact and services-enquiry forms: who may read and download
them, the audit log of downloads, spreadsheet safety, the per-address limits and the
staff email sent by the background worker."""

import csv
import io

from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings

from wagtail.contrib.forms.models import FormSubmission

import pytest
from django_tasks import default_task_backend

from home.demo.content import load_home_content
from home.models import FormPage, PrivacyAction
from home.privacy.tasks import send_form_message_notification
from tests.utils import human_form_fields

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x.example")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture
def contact(home_page):
    load_home_content(home_page, io.StringIO())
    return FormPage.objects.get(slug="contact")


@pytest.fixture
def enquiry(contact):
    return FormPage.objects.get(slug="enquiry")


def contact_data(**overrides):
    data = {
        "your_name": "Amina Example",
        "email_address": "amina@example.org",
        "what_is_your_message_about": "A general question",
        "your_message": "When is the next members' meeting?",
        **human_form_fields(),
    }
    data.update(overrides)
    return data


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
def handler(django_user_model):
    return make_user(django_user_model, "handler", "Enquiry handlers")


@pytest.fixture
def message(contact):
    return FormSubmission.objects.create(
        page=contact,
        form_data={
            "your_name": '=HYPERLINK("http://x.example")',
            "email_address": "amina@example.org",
            "what_is_your_message_about": "+1+1",
            "your_message": "-2+3 and @SUM(A1)",
        },
    )


# ---------- Who sees them ----------


def test_the_data_migration_made_the_group_with_its_permission():
    group = Group.objects.get(name="Enquiry handlers")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == {"handle_enquiries", "access_admin"}


def test_an_editor_cannot_list_see_download_or_delete_messages(client, editor, contact, message):
    client.force_login(editor)
    forms_index = client.get("/admin/forms/")
    assert f"/admin/forms/submissions/{contact.pk}/" not in forms_index.content.decode()
    assert "/admin/form-messages/" not in client.get("/admin/").content.decode()
    for url in (
        "/admin/form-messages/",
        f"/admin/forms/submissions/{contact.pk}/",
        f"/admin/forms/submissions/{contact.pk}/?export=csv",
        f"/admin/forms/submissions/{contact.pk}/?export=xlsx",
        f"/admin/forms/submissions/{contact.pk}/delete/?selected-submissions={message.pk}",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"amina@example.org" not in response.content
    response = client.post(
        f"/admin/forms/submissions/{contact.pk}/delete/?selected-submissions={message.pk}"
    )
    assert FormSubmission.objects.filter(pk=message.pk).exists()
    assert not PrivacyAction.objects.filter(kind="enquiries_export").exists()
    # Nor does the page editor show how many there are or link to them.
    edit = client.get(f"/admin/pages/{contact.pk}/edit/").content.decode()
    assert f"/admin/forms/submissions/{contact.pk}/" not in edit


def test_an_enquiry_handler_lists_and_reads_messages(client, handler, contact, message):
    client.force_login(handler)
    # Their own start page (Wagtail's Forms listing needs page rights they may lack).
    index = client.get("/admin/form-messages/").content.decode()
    assert f"/admin/forms/submissions/{contact.pk}/" in index
    assert "/admin/form-messages/" in client.get("/admin/").content.decode()
    response = client.get(f"/admin/forms/submissions/{contact.pk}/")
    assert response.status_code == 200
    assert "amina@example.org" in response.content.decode()


def test_a_download_is_audit_logged_without_personal_data(client, handler, contact, message):
    client.force_login(handler)
    response = client.get(f"/admin/forms/submissions/{contact.pk}/?export=xlsx")
    assert response.status_code == 200
    action = PrivacyAction.objects.get(kind="enquiries_export")
    assert action.performed_by == handler
    assert action.counts == {"form_id": contact.pk, "messages": 1, "format": "xlsx"}
    assert "amina" not in str(action.counts)
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(
        action="lmn.privacy.enquiries_export", object_id=str(action.pk), user=handler
    ).exists()


def test_csv_download_neutralises_formulas(client, handler, contact, message):
    client.force_login(handler)
    response = client.get(f"/admin/forms/submissions/{contact.pk}/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    for formula in ('=HYPERLINK("http://x.example")', "+1+1", "-2+3 and @SUM(A1)"):
        assert "'" + formula in cells
        assert formula not in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert PrivacyAction.objects.get(kind="enquiries_export").counts["format"] == "csv"


def test_xlsx_download_neutralises_formulas(client, handler, contact, message):
    from openpyxl import load_workbook

    client.force_login(handler)
    response = client.get(f"/admin/forms/submissions/{contact.pk}/?export=xlsx")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "'+1+1" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)


# ---------- Per-address limits ----------


@override_settings(LMN_FORM_MESSAGES_PER_HOUR=2)
def test_more_messages_than_the_visitor_limit_get_429_and_nothing_is_stored(client, contact):
    for _ in range(2):
        assert client.post("/contact/", contact_data(), REMOTE_ADDR="192.0.2.20").status_code == 200
    response = client.post("/contact/", contact_data(), REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 429
    assert "a lot of messages from your connection" in response.content.decode()
    assert FormSubmission.objects.filter(page=contact).count() == 2
    # Another address is not affected.
    assert client.post("/contact/", contact_data(), REMOTE_ADDR="192.0.2.21").status_code == 200


@override_settings(LMN_FORM_MESSAGES_PER_NETWORK_PER_HOUR=2)
def test_a_new_user_agent_does_not_escape_the_network_limit(client, contact, enquiry):
    for agent in ("Browser A", "Browser B"):
        response = client.post(
            "/contact/", contact_data(), REMOTE_ADDR="192.0.2.30", HTTP_USER_AGENT=agent
        )
        assert response.status_code == 200
    response = client.post(
        "/contact/", contact_data(), REMOTE_ADDR="192.0.2.30", HTTP_USER_AGENT="Browser C"
    )
    assert response.status_code == 429


# ---------- Staff email through the background worker ----------


def test_the_staff_email_is_queued_as_a_task_with_only_the_id(client, contact):
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        response = client.post("/contact/", contact_data())
        assert response.status_code == 200
        submission = FormSubmission.objects.get(page=contact)
        [result] = default_task_backend.results
        assert result.task.func is send_form_message_notification.func
        assert list(result.args) == [submission.pk]
        assert result.kwargs == {}
        # Not sent in the request: the dummy backend never runs it.
        assert mail.outbox == []
        # The worker runs it later.
        assert result.task.call(*result.args) is True
    [sent] = mail.outbox
    assert sent.to == ["info@labourmuslims.org"]
    assert "When is the next members' meeting?" in sent.body


def test_with_the_immediate_backend_the_email_is_still_sent(client, contact):
    client.post("/contact/", contact_data())
    [sent] = mail.outbox
    assert sent.to == ["info@labourmuslims.org"]
    assert "Your name: Amina Example" in sent.body


def test_a_message_erased_before_the_worker_runs_sends_nothing(contact, message):
    message.delete()
    assert send_form_message_notification.call(message.pk) is False
    assert mail.outbox == []


@override_settings(LMN_STAFF_EMAIL_DOMAINS=["labourmuslims.org"])
def test_the_worker_never_emails_an_address_outside_the_staff_domains(contact, message):
    FormPage.objects.filter(pk=contact.pk).update(
        to_address="info@labourmuslims.org, someone@elsewhere.example"
    )
    assert send_form_message_notification.call(message.pk) is True
    [sent] = mail.outbox
    assert sent.to == ["info@labourmuslims.org"]
