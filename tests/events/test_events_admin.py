"""Admin: who may see and export registrations, the list, the export and the actions."""

import csv
import io
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core import mail

import pytest
import time_machine
from openpyxl import load_workbook

from events.models import EventPage, EventRegistration
from tests.events import test_events_support as support
from tests.events.test_events_support import register

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index


def make_user(django_user_model, username, group=None, superuser=False):
    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.com", password="password-for-tests"
    )
    if superuser:
        user.is_superuser = user.is_staff = True
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def registered(client, event):
    """Two confirmed, one waiting; Amina's access answer is sensitive."""
    register(client, event, email="amina@example.org", access_requirements="Uses a wheelchair")
    register(client, event, email="bilal@example.org", constituency_labour_party="=1+2")
    register(client, event, email="chloe@example.org", constituency_labour_party="@SUM(A1)")
    mail.outbox.clear()
    return event


@pytest.fixture
def organiser(django_user_model):
    return make_user(django_user_model, "organiser", group="Event organisers")


def list_url(event):
    return f"/admin/forms/submissions/{event.pk}/"


# Permissions ---------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, registered):
    for url in (list_url(registered), list_url(registered) + "?export=csv", "/admin/forms/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_editors_and_moderators_cannot_see_or_export_registrations(
    client, django_user_model, registered, group
):
    client.force_login(make_user(django_user_model, group.lower(), group=group))
    registration = EventRegistration.objects.first()
    for url in (
        list_url(registered),
        list_url(registered) + "?export=csv",
        list_url(registered) + "?export=xlsx",
        f"/admin/forms/submissions/{registered.pk}/delete/?selected-submissions={registration.pk}",
        f"/admin/events/registrations/{registration.pk}/cancel/",
        "/admin/events/registrations/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"amina@example.org" not in response.content
    assert client.post(f"/admin/events/registrations/{registration.pk}/cancel/").status_code in (
        302,
        403,
    )
    assert EventRegistration.objects.filter(status="cancelled").count() == 0
    # The Forms listing does not offer the event either.
    forms_index = client.get("/admin/forms/")
    assert forms_index.status_code == 200
    assert list_url(registered) not in forms_index.content.decode()


def test_organisers_see_every_registration_with_status(client, registered, organiser):
    client.force_login(organiser)
    start = client.get("/admin/events/registrations/").content.decode()
    assert list_url(registered) in start
    response = client.get(list_url(registered))
    assert response.status_code == 200
    html = response.content.decode()
    for email in ("amina@example.org", "bilal@example.org", "chloe@example.org"):
        assert email in html
    assert "Waiting list" in html and "Confirmed" in html
    assert "Uses a wheelchair" in html  # organisers may see sensitive answers on screen


def test_superusers_see_registrations(client, django_user_model, registered):
    client.force_login(make_user(django_user_model, "admin", superuser=True))
    assert "amina@example.org" in client.get(list_url(registered)).content.decode()
    assert list_url(registered) in client.get("/admin/forms/").content.decode()


def test_status_filter(client, registered, organiser):
    client.force_login(organiser)
    html = client.get(list_url(registered) + "?status=waiting").content.decode()
    assert "chloe@example.org" in html
    assert "amina@example.org" not in html and "bilal@example.org" not in html


# Export ---------------------------------------------------------------------------


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_leaves_out_sensitive_answers_by_default(client, registered, organiser):
    client.force_login(organiser)
    rows = csv_rows(client.get(list_url(registered) + "?export=csv"))
    header, body = rows[0], rows[1:]
    assert "Access requirements" not in header
    assert "Email" in header and "Status" in header and "Consent wording version" in header
    assert not any("Uses a wheelchair" in cell for row in body for cell in row)
    assert len(body) == 3


def test_export_with_sensitive_answers_on_request(client, registered, organiser):
    client.force_login(organiser)
    rows = csv_rows(client.get(list_url(registered) + "?export=csv&sensitive=1"))
    assert "Access requirements" in rows[0]
    assert any("Uses a wheelchair" in cell for row in rows[1:] for cell in row)


def test_csv_export_neutralises_formulas(client, registered, organiser):
    client.force_login(organiser)
    rows = csv_rows(client.get(list_url(registered) + "?export=csv"))
    column = rows[0].index("Constituency Labour Party")
    values = {row[column] for row in rows[1:]}
    assert "'=1+2" in values and "'@SUM(A1)" in values
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_xlsx_export_neutralises_formulas_and_leaves_out_sensitive(client, registered, organiser):
    client.force_login(organiser)
    response = client.get(list_url(registered) + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "Access requirements" not in rows[0]
    cells = [value for row in rows[1:] for value in row if isinstance(value, str)]
    assert "'=1+2" in cells and "'@SUM(A1)" in cells
    assert not any(value.startswith(("=", "+", "-", "@")) for value in cells)


# Actions -----------------------------------------------------------------------------


def test_organiser_cancels_and_the_waiting_list_moves(client, registered, organiser):
    client.force_login(organiser)
    amina = EventRegistration.objects.get(email="amina@example.org")
    url = f"/admin/events/registrations/{amina.pk}/cancel/"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    statuses = dict(EventRegistration.objects.values_list("email", "status"))
    assert statuses == {
        "amina@example.org": "cancelled",
        "bilal@example.org": "confirmed",
        "chloe@example.org": "confirmed",
    }
    assert [m.to for m in mail.outbox] == [["amina@example.org"], ["chloe@example.org"]]
    cancelled, promoted = mail.outbox
    assert "place is cancelled" in cancelled.subject
    assert "place has come up" in promoted.subject


def test_promote_only_when_a_place_is_free(client, registered, organiser):
    client.force_login(organiser)
    chloe = EventRegistration.objects.get(email="chloe@example.org")
    url = f"/admin/events/registrations/{chloe.pk}/promote/"
    client.post(url)
    chloe.refresh_from_db()
    assert chloe.status == "waiting"  # full: capacity is never exceeded
    EventPage.objects.filter(pk=registered.pk).update(capacity=3)
    client.post(url)
    chloe.refresh_from_db()
    assert chloe.status == "confirmed"
    assert [m.to for m in mail.outbox] == [["chloe@example.org"]]


def test_deleting_a_confirmed_registration_promotes_the_waiting_list(
    client, registered, organiser, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    amina = EventRegistration.objects.get(email="amina@example.org")
    url = f"/admin/forms/submissions/{registered.pk}/delete/?selected-submissions={amina.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    statuses = dict(EventRegistration.objects.values_list("email", "status"))
    assert statuses == {"bilal@example.org": "confirmed", "chloe@example.org": "confirmed"}
    (promotion,) = mail.outbox
    assert promotion.to == ["chloe@example.org"]
    assert "place has come up" in promotion.subject


def test_deleting_a_waiting_registration_or_the_event_promotes_nobody(
    registered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        EventRegistration.objects.get(email="chloe@example.org").delete()
    assert EventRegistration.objects.filter(status="confirmed").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        registered.delete()  # its registrations go with it; nothing left to fill
    assert not EventRegistration.objects.exists()
    assert mail.outbox == []


def test_no_promotion_once_the_event_has_started(client, registered, organiser):
    client.force_login(organiser)
    amina = EventRegistration.objects.get(email="amina@example.org")
    with time_machine.travel(registered.start + timedelta(minutes=5)):
        response = client.post(f"/admin/events/registrations/{amina.pk}/cancel/")
        assert response.status_code == 302
        EventPage.objects.filter(pk=registered.pk).update(capacity=5)
        registered.refresh_from_db()
        registered.save_revision().publish()
    statuses = dict(EventRegistration.objects.values_list("email", "status"))
    assert statuses == {
        "amina@example.org": "cancelled",
        "bilal@example.org": "confirmed",
        "chloe@example.org": "waiting",
    }
    # Amina is told; nobody is promoted into an event that has begun.
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]


def test_page_listing_shows_confirmed_capacity_and_waiting(
    client, django_user_model, registered, event_index
):
    client.force_login(make_user(django_user_model, "admin", superuser=True))
    html = client.get(f"/admin/pages/{event_index.pk}/").content.decode()
    assert "2 / 2 · 1 waiting" in html
