"""Form pages built with Wagtail's form builder: labels, errors, honeypot, fill time."""

import io
from html.parser import HTMLParser

from django.core import mail

from wagtail.contrib.forms.models import FORM_FIELD_CHOICES, FormSubmission

import pytest

from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD, issue_started_token
from home.demo.content import load_home_content
from home.models import FormField, FormPage
from tests.utils import human_form_fields

pytestmark = pytest.mark.django_db


class Form(HTMLParser):
    """The controls, labels and ids of a rendered page."""

    def __init__(self, html):
        super().__init__()
        self.controls = []  # attrs of input/select/textarea
        self.label_for = []
        self.ids = {}
        self.fieldsets = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = tag
        if tag in {"input", "select", "textarea"}:
            self.controls.append({"tag": tag, **attrs})
        if tag == "label" and "for" in attrs:
            self.label_for.append(attrs["for"])
        if tag == "fieldset":
            self.fieldsets.append(attrs)

    def control(self, name):
        return next(c for c in self.controls if c.get("name") == name)


@pytest.fixture
def contact(home_page):
    load_home_content(home_page, io.StringIO())
    return FormPage.objects.get(slug="contact")


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


def test_contact_form_happy_path_stores_emails_and_thanks(client, contact):
    response = client.post("/contact/", contact_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Thank you</h1>" in html
    assert "A member of the team will reply" in html
    submission = FormSubmission.objects.get(page=contact)
    data = submission.get_data()
    assert data["your_name"] == "Amina Example"
    # The spam-trap fields are never stored or emailed.
    assert HONEYPOT_FIELD not in data and STARTED_FIELD not in data
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["info@labourmuslims.org"]
    assert "When is the next members' meeting?" in mail.outbox[0].body
    assert HONEYPOT_FIELD not in mail.outbox[0].body


def test_missing_answers_are_a_400_with_linked_accessible_errors(client, contact):
    response = client.post("/contact/", contact_data(your_name="", email_address="not-an-email"))
    assert response.status_code == 400
    html = response.content.decode()
    page = Form(html)
    assert "<title>Error: " in html
    # The summary is focusable and links to each field with a problem.
    assert 'class="error-summary" tabindex="-1" data-error-summary' in html
    assert '<a href="#id_your_name">Your name — This field is required.</a>' in html
    assert '<a href="#id_email_address">Email address — Enter a valid email address.</a>' in html
    # Each invalid input says so and points at its error (and hint) by id.
    for name in ("your_name", "email_address"):
        control = page.control(name)
        assert control["aria-invalid"] == "true"
        for described_by in control["aria-describedby"].split():
            assert described_by in page.ids
        assert f"id_{name}_error" in control["aria-describedby"].split()
    assert "aria-invalid" not in page.control("your_message")
    # What the person typed is kept.
    assert page.control("your_message")["tag"] == "textarea"
    assert "When is the next members&#x27; meeting?" in html
    assert not FormSubmission.objects.exists()
    assert mail.outbox == []


def test_filled_honeypot_looks_like_success_but_nothing_is_kept(client, contact):
    response = client.post("/contact/", contact_data(**{HONEYPOT_FIELD: "http://spam.example"}))
    assert response.status_code == 200
    assert "<h1>Thank you</h1>" in response.content.decode()
    assert not FormSubmission.objects.exists()
    assert mail.outbox == []


def test_honeypot_is_hidden_from_people_and_assistive_technology(client, contact):
    html = client.get("/contact/").content.decode()
    wrapper = html.split('<div class="honeypot" aria-hidden="true">', 1)[1].split("</div>")[0]
    trap = Form(wrapper)
    assert trap.control(HONEYPOT_FIELD)["tabindex"] == "-1"
    assert trap.control(HONEYPOT_FIELD)["autocomplete"] == "off"
    assert trap.label_for == [f"id_{HONEYPOT_FIELD}"]


def test_a_form_sent_faster_than_a_person_could_is_refused(client, contact):
    data = contact_data(**{STARTED_FIELD: issue_started_token()})
    response = client.post("/contact/", data)
    assert response.status_code == 400
    assert "quicker than we expected" in response.content.decode()
    assert not FormSubmission.objects.exists()
    assert mail.outbox == []


def test_a_form_without_its_token_is_asked_again_not_crashed(client, contact):
    data = contact_data()
    del data[STARTED_FIELD]
    response = client.post("/contact/", data)
    assert response.status_code == 400
    assert "send it once more" in response.content.decode()
    assert not FormSubmission.objects.exists()


def test_every_form_builder_field_type_renders_with_a_label(client, home_page):
    page = FormPage(title="Every field", slug="every-field", to_address="")
    fields = []
    for index, (field_type, _label) in enumerate(FORM_FIELD_CHOICES):
        fields.append(
            FormField(
                sort_order=index,
                label=f"Question {field_type}",
                field_type=field_type,
                required=False,
                choices="First\nSecond" if field_type in _CHOICE_TYPES else "",
                help_text=f"Hint for {field_type}",
            )
        )
    page.form_fields = fields
    home_page.add_child(instance=page)
    html = client.get("/every-field/").content.decode()
    form = Form(html)
    ignored = {HONEYPOT_FIELD, "csrfmiddlewaretoken"}
    visible = [c for c in form.controls if c.get("type") != "hidden" and c["name"] not in ignored]
    names = {c["name"] for c in visible}
    assert names == {f"question_{t}" for t, _ in FORM_FIELD_CHOICES if t != "hidden"}
    for control in visible:
        assert control["id"] in form.label_for, control
    # Groups of radios/checkboxes are fieldsets described by their hint.
    group_hints = [f.get("aria-describedby") for f in form.fieldsets]
    assert "id_question_radio_helptext" in group_hints
    assert "id_question_checkboxes_helptext" in group_hints
    # Other inputs point at their hint themselves.
    assert form.control("question_email")["aria-describedby"] == "id_question_email_helptext"
    assert form.control("question_date")["type"] == "date"
    assert '<span class="form-field__optional">(optional)</span>' in html


_CHOICE_TYPES = {"dropdown", "multiselect", "radio", "checkboxes"}


def test_services_enquiry_accepts_a_complete_request(client, contact):
    data = {
        "your_name": "Yusuf Example",
        "email_address": "yusuf@example.org",
        "constituency_labour_party_or_labour_group": "Example CLP",
        "what_would_you_like": ["Islamophobia awareness training", "A speaker"],
        "preferred_date": "2027-02-01",
        **human_form_fields(),
    }
    response = client.post("/services/enquiry/", data)
    assert response.status_code == 200
    submission = FormSubmission.objects.get(page__slug="enquiry")
    assert submission.get_data()["what_would_you_like"] == [
        "Islamophobia awareness training",
        "A speaker",
    ]


def test_services_enquiry_group_error_links_to_the_first_option(client, contact):
    data = {"your_name": "Yusuf", "email_address": "yusuf@example.org", **human_form_fields()}
    response = client.post("/services/enquiry/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_what_would_you_like_0"' in html
    assert 'id="id_what_would_you_like_0"' in html
    assert 'aria-describedby="id_what_would_you_like_helptext id_what_would_you_like_error"' in (
        html
    )
