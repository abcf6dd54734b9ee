"""Roundtables that shape the action plan: written contributions, attendance, the
sign-in sheet, "What we heard", "You said, we did", the summary email and privacy."""

import csv
import io
import json
from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageLogEntry

import pytest
import time_machine
from bs4 import BeautifulSoup

from events.factories import STANDARD_QUESTIONS, create_event
from events.models import (
    EventContribution,
    EventRegistration,
    RecommendationLink,
    WhatWeHeardMailing,
)
from home.models import ConsentText, PrivacyAction
from home.privacy.consent import current_consent
from home.report.progress import IMPLEMENTED, IN_PROGRESS, NOT_STARTED
from tests import test_events_support as support
from tests.report_factories import make_plan, make_report
from tests.test_events_admin import make_user
from tests.test_events_support import mails_to, register, submit
from tests.utils import human_form_fields

pytestmark = pytest.mark.django_db

event_index = support.event_index

QUESTIONS = [
    {"label": "What should the action plan do", "field_type": "multiline", "required": True},
    {"label": "Anything personal", "field_type": "multiline", "required": False, "sensitive": True},
]


@pytest.fixture
def roundtable(event_index):
    """A members' roundtable in a week accepting contributions, with 5 places."""
    event = create_event(
        event_index,
        title="Members' roundtable",
        slug="members-roundtable",
        capacity=5,
        questions=STANDARD_QUESTIONS,
        contributions_enabled=True,
    )
    for order, question in enumerate(QUESTIONS):
        event.contribution_fields.create(sort_order=order, **question)
    event.save_revision().publish()
    return event


@pytest.fixture
def plan(home_page):
    return make_plan(make_report(home_page), [IMPLEMENTED, IN_PROGRESS, NOT_STARTED])


@pytest.fixture
def organiser(django_user_model):
    return make_user(django_user_model, "organiser", group="Event organisers")


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "editor", group="Editors")


def contribute_url(event):
    return f"/events/{event.slug}/contribute/"


def contribution_data(**overrides):
    consent = current_consent(ConsentText.EVENT_CONTRIBUTION)
    data = {
        "full_name": "Yusuf Example",
        "email": "yusuf@example.org",
        "what_should_the_action_plan_do": "Train every CLP officer.",
        "anything_personal": "I was turned away once.",
        "consent": "on",
        "consent_version": str(consent.version),
        **human_form_fields(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def contribute(client, event, **overrides):
    return client.post(
        contribute_url(event), contribution_data(**overrides), REMOTE_ADDR="192.0.2.9"
    )


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


# Contributions: the public form ----------------------------------------------------


def test_form_is_offered_only_when_switched_on(client, roundtable, event_index):
    page = soup(client.get(roundtable.url))
    link = page.select_one(".event-contribute a")
    assert link["href"] == contribute_url(roundtable)
    form_page = client.get(contribute_url(roundtable))
    assert form_page.status_code == 200
    boxes = soup(form_page)
    for name in ("anonymous", "wants_summary", "may_credit", "consent"):
        box = boxes.select_one(f"input[name={name}]")
        assert box is not None and not box.has_attr("checked"), name
    assert boxes.select_one("label[for=id_what_should_the_action_plan_do]")

    other = create_event(event_index, title="No contributions", slug="closed-one")
    assert client.get(contribute_url(other)).status_code == 404
    assert soup(client.get(other.url)).select_one(".event-contribute") is None


def test_anonymous_contribution_keeps_no_name_or_email(client, roundtable):
    response = contribute(client, roundtable, anonymous="on", wants_summary="on", may_credit="on")
    assert response.status_code == 200
    assert b"Thank you for your contribution" in response.content
    contribution = EventContribution.objects.get()
    assert (contribution.name, contribution.email) == ("", "")
    assert contribution.anonymous and not contribution.wants_summary and not contribution.may_credit
    assert contribution.form_data["what_should_the_action_plan_do"] == "Train every CLP officer."
    assert contribution.consent.purpose == ConsentText.EVENT_CONTRIBUTION
    assert "yusuf" not in json.dumps(contribution.form_data).lower()


def test_named_contribution_with_summary_opt_in(client, roundtable):
    contribute(client, roundtable, email=" Yusuf@Example.org ", wants_summary="on")
    contribution = EventContribution.objects.get()
    assert (contribution.name, contribution.email) == ("Yusuf Example", "yusuf@example.org")
    assert contribution.wants_summary and not contribution.may_credit
    # Nothing is emailed on sending a contribution (no notice an address was used).
    assert mail.outbox == []


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"full_name": ""}, "full_name", "Enter your full name, or tick"),
        ({"email": "", "wants_summary": "on"}, "email", "so that we can send you the summary"),
        ({"email": "not-an-email"}, "email", "correct format"),
        ({"consent": None}, "consent", "Tick the box to agree"),
        ({"what_should_the_action_plan_do": ""}, "what_should_the_action_plan_do", "required"),
    ],
)
def test_bad_input_is_a_400_with_an_accessible_error(client, roundtable, overrides, field, words):
    response = contribute(client, roundtable, **overrides)
    assert response.status_code == 400
    page = soup(response)
    error = page.select_one(f"#id_{field}_error")
    assert error is not None and words in error.get_text()
    assert page.select_one(".error-summary")
    assert page.title.get_text().startswith("Error:")
    assert not EventContribution.objects.exists()


def test_same_answer_whatever_the_address_and_the_limit_holds(client, roundtable, settings):
    settings.LMN_EVENT_CONTRIBUTIONS_PER_ADDRESS_PER_DAY = 2
    first = contribute(client, roundtable, email="a@example.org")
    contribute(client, roundtable, email="a@example.org")
    third = contribute(client, roundtable, email="a@example.org")
    other = contribute(client, roundtable, email="b@example.org")
    assert first.content == third.content == other.content
    assert EventContribution.objects.filter(email="a@example.org").count() == 2
    assert EventContribution.objects.filter(email="b@example.org").count() == 1


def test_honeypot_stores_nothing_and_looks_the_same(client, roundtable):
    response = contribute(client, roundtable, website_address="http://spam.example")
    assert response.status_code == 200 and b"Thank you for your contribution" in response.content
    assert not EventContribution.objects.exists()


def test_visitor_limit_is_a_429(client, roundtable, settings):
    settings.LMN_EVENT_CONTRIBUTIONS_PER_HOUR = 1
    contribute(client, roundtable, email="a@example.org")
    response = contribute(client, roundtable, email="b@example.org")
    assert response.status_code == 429
    assert b"a lot of contributions" in response.content
    assert EventContribution.objects.count() == 1


def test_window_opens_and_closes(client, roundtable):
    roundtable.contributions_open = timezone.now() + timedelta(days=1)
    roundtable.save_revision().publish()
    assert b"We start accepting" in client.get(contribute_url(roundtable)).content
    assert contribute(client, roundtable).status_code == 409
    roundtable.contributions_open = None
    roundtable.contributions_days_after = 3
    roundtable.save_revision().publish()
    with time_machine.travel(roundtable.end + timedelta(days=2, hours=23)):
        assert contribute(client, roundtable).status_code == 200
    with time_machine.travel(roundtable.end + timedelta(days=3, minutes=1)):
        assert contribute(client, roundtable, email="late@example.org").status_code == 409
    assert EventContribution.objects.count() == 1


# Contributions: organisers only ----------------------------------------------------


def test_editors_never_see_contributions(client, roundtable, editor):
    contribute(client, roundtable)
    client.force_login(editor)
    contribution = EventContribution.objects.get()
    for url in (
        "/admin/events/contributions/",
        "/admin/events/contributions/?export=csv",
        f"/admin/events/contributions/inspect/{contribution.pk}/",
        f"/admin/events/contributions/edit/{contribution.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Train every CLP officer" not in response.content
    assert b"Written contributions" not in client.get("/admin/").content


def test_organiser_reads_tags_and_exports(client, roundtable, organiser):
    contribute(client, roundtable, full_name="@SUM(A1)")
    contribute(client, roundtable, anonymous="on", what_should_the_action_plan_do="Listen more.")
    client.force_login(organiser)
    listing = client.get("/admin/events/contributions/")
    assert listing.status_code == 200
    assert b"Anonymous" in listing.content and b"@SUM(A1)" in listing.content
    assert b"turned away" not in listing.content  # the sensitive answer stays out

    named = EventContribution.objects.get(anonymous=False)
    response = client.post(
        f"/admin/events/contributions/edit/{named.pk}/", {"themes": "Training, Complaints"}
    )
    assert response.status_code == 302
    assert sorted(t.name for t in named.themes.all()) == ["Complaints", "Training"]
    filtered = client.get("/admin/events/contributions/?themes=training")
    assert b"@SUM(A1)" in filtered.content and b"Listen more" not in filtered.content

    export = client.get("/admin/events/contributions/?export=csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    assert sorted(row["From"] for row in rows) == ["'@SUM(A1)", "Anonymous"]
    assert "turned away" not in text
    action = PrivacyAction.objects.get(kind="contributions_export")
    assert action.performed_by == organiser and action.counts["contributions"] == 2
    assert "yusuf" not in json.dumps(action.counts).lower()
    # Nobody adds a contribution in the admin.
    assert client.get("/admin/events/contributions/new/").status_code in (302, 403, 404)
    assert not EventContribution.objects.filter(anonymous=False).exclude(pk=named.pk).exists()


# Attendance and the sign-in sheet ---------------------------------------------------


@pytest.fixture
def registered(client, roundtable):
    register(
        client, roundtable, email="amina@example.org", name="Amina Example", wants_summary="on"
    )
    register(client, roundtable, email="bilal@example.org", name="Bilal Example")
    register(
        client, roundtable, email="chloe@example.org", name="Chloe Example", wants_summary="on"
    )
    mail.outbox.clear()
    return {r.email: r for r in EventRegistration.objects.all()}


def test_summary_box_is_carried_from_pending_to_confirmed(client, roundtable):
    submit(client, roundtable, email="dina@example.org", wants_summary="on")
    pending = EventRegistration.objects.get(email="dina@example.org")
    assert pending.status == "pending" and pending.wants_summary
    page = soup(client.get(roundtable.url))
    assert not page.select_one("input[name=wants_summary]").has_attr("checked")


def test_organiser_marks_attendance_per_row_and_in_bulk(client, registered, organiser, roundtable):
    client.force_login(organiser)
    amina, bilal, chloe = (registered[f"{n}@example.org"] for n in ("amina", "bilal", "chloe"))
    url = f"/admin/events/{roundtable.pk}/attendance/"
    response = client.post(url, {"set": f"{amina.pk}:attended"})
    assert response.status_code == 302
    amina.refresh_from_db()
    assert amina.attended is True and amina.attendance_marked_at

    confirm = client.get(url, {"mark": "absent", "selected-submissions": [bilal.pk, chloe.pk]})
    assert confirm.status_code == 200 and b"Bilal Example" in confirm.content
    bilal.refresh_from_db()
    assert bilal.attended is None  # asking changes nothing
    client.post(url, {"mark": "absent", "registration": [bilal.pk, chloe.pk]})
    assert set(
        EventRegistration.objects.filter(attended=False).values_list("email", flat=True)
    ) == {"bilal@example.org", "chloe@example.org"}
    entries = PageLogEntry.objects.filter(page=roundtable, action="lmn.events.attendance")
    assert sorted(e.data["registrations"] for e in entries) == [1, 2]
    assert "amina" not in json.dumps([e.data for e in entries])
    listing = client.get(f"/admin/forms/submissions/{roundtable.pk}/")
    assert b"1 attended" in listing.content

    assert client.post(url, {"set": "nonsense"}).status_code == 302
    assert client.post(url, {"set": f"{amina.pk}:maybe"}).status_code == 302
    amina.refresh_from_db()
    assert amina.attended is True


def test_editors_cannot_mark_attendance_or_print_the_sheet(client, registered, editor, roundtable):
    client.force_login(editor)
    amina = registered["amina@example.org"]
    url = f"/admin/events/{roundtable.pk}/attendance/"
    assert client.post(url, {"set": f"{amina.pk}:attended"}).status_code in (302, 403)
    sheet = client.get(f"/admin/events/{roundtable.pk}/sign-in-sheet/")
    assert sheet.status_code in (302, 403) and b"Amina" not in sheet.content
    amina.refresh_from_db()
    assert amina.attended is None


def test_sign_in_sheet_lists_confirmed_names_only(client, registered, organiser, roundtable):
    register(client, roundtable, email="late@example.org", name="Waiting Person")
    EventRegistration.objects.filter(email="late@example.org").update(status="waiting")
    client.force_login(organiser)
    response = client.get(f"/admin/events/{roundtable.pk}/sign-in-sheet/")
    page = soup(response)
    names = [td.get_text() for td in page.select("tbody td:nth-of-type(2)")]
    assert names == ["Amina Example", "Bilal Example", "Chloe Example"]
    text = response.content.decode()
    assert "@example.org" not in text and "Example CLP" not in text and "Waiting" not in text
    assert "@media print" in text and page.select_one("main") and page.html["lang"] == "en-GB"


# What we heard, You said / We did, and the email --------------------------------------


def themes(plan, *numbers, credit=""):
    recs = {rec.number: rec for rec in plan.recommendations.all()}
    return [
        {
            "type": "theme",
            "value": {
                "heading": "Complaints people can trust",
                "summary": "<p>People want complaints handled independently.</p>",
                "quotes": [{"text": "Nobody ever replied to me.", "credit": credit}],
                "recommendations": [str(recs[n].pk) for n in numbers],
            },
        },
        {
            "type": "theme",
            "value": {
                "heading": "Training",
                "summary": "<p>Training for every officer.</p>",
                "quotes": [],
                "recommendations": [str(recs[numbers[0]].pk)] if numbers else [],
            },
        },
    ]


def publish_heard(event, plan, *numbers):
    """Publish the themes as an editor does; the email is queued once it has committed."""
    from django.test import TestCase

    event.what_we_heard = themes(plan, *numbers)
    with TestCase.captureOnCommitCallbacks(execute=True):
        event.save_revision().publish()


def test_publishing_what_we_heard_links_and_shows_you_said(client, roundtable, plan):
    publish_heard(roundtable, plan, 1, 2)
    links = RecommendationLink.objects.filter(event=roundtable)
    assert sorted((link.recommendation.number, link.theme) for link in links) == [
        (1, "Complaints people can trust"),
        (1, "Training"),
        (2, "Complaints people can trust"),
    ]
    page = soup(client.get(roundtable.url))
    section = page.select_one("#what-we-heard")
    assert section.select_one("#theme-complaints-people-can-trust-heading")
    assert "Nobody ever replied to me." in section.get_text()
    assert section.select_one("a[href='/report/action-plan/recommendation/1/']")

    rec = soup(client.get("/report/action-plan/recommendation/1/"))
    said = rec.select(".you-said li")
    assert [li.get_text(" ", strip=True) for li in said] == [
        "Members' roundtable : Complaints people can trust",
        "Members' roundtable : Training",
    ]
    assert said[0].select("a")[1]["href"] == roundtable.url + "#theme-complaints-people-can-trust"
    assert rec.select_one("#we-did-heading")
    none = soup(client.get("/report/action-plan/recommendation/3/"))
    assert "No roundtable summary is linked" in none.select_one(".you-said-we-did").get_text()


def test_action_plan_filter_by_roundtable(client, roundtable, plan):
    publish_heard(roundtable, plan, 2)
    response = client.get("/report/action-plan/?roundtable=members-roundtable")
    assert response.status_code == 200
    shown = [h.get_text(" ", strip=True) for h in soup(response).select(".plan-item__title")]
    assert shown == ["2. Recommendation title 2"]
    bad = client.get("/report/action-plan/?roundtable=nope")
    assert bad.status_code == 400
    assert "There is no roundtable with that name" in soup(bad).select_one(".error-summary").text
    roundtable.unpublish()
    assert client.get("/report/action-plan/?roundtable=members-roundtable").status_code == 400


def test_credit_must_belong_to_a_contributor_who_asked(client, roundtable, plan, django_user_model):
    from events.forms import credit_errors

    contribute(client, roundtable, full_name="Named Person", may_credit="on")
    contribute(client, roundtable, full_name="Shy Person", email="shy@example.org")
    roundtable.what_we_heard = themes(plan, 1, credit="Shy Person")
    assert credit_errors(roundtable) == ["Shy Person"]
    roundtable.what_we_heard = themes(plan, 1, credit="Named Person")
    assert credit_errors(roundtable) == []


def test_summary_email_goes_once_to_opted_in_people_who_took_part(
    client, registered, roundtable, plan
):
    EventRegistration.objects.filter(email__in=["amina@example.org", "bilal@example.org"]).update(
        attended=True
    )
    # Chloe opted in but is not marked as attended; Bilal attended without opting in.
    contribute(client, roundtable, email="yusuf@example.org", wants_summary="on")
    contribute(client, roundtable, email="amina@example.org", wants_summary="on", full_name="A")
    contribute(client, roundtable, email="nope@example.org")
    contribute(client, roundtable, anonymous="on")
    mail.outbox.clear()

    publish_heard(roundtable, plan, 1)
    assert sorted(m.to[0] for m in mail.outbox) == ["amina@example.org", "yusuf@example.org"]
    body = mails_to("yusuf@example.org")[0].body
    assert f"{roundtable.full_url}#what-we-heard" in body

    mail.outbox.clear()
    publish_heard(roundtable, plan, 1, 2)  # a correction: nobody is emailed again
    assert mail.outbox == []
    from events.what_we_heard import send_summary

    assert send_summary(roundtable.pk) == 0  # a retried task sends nothing twice


def test_no_email_without_themes(client, registered, roundtable):
    from django.test import TestCase

    EventRegistration.objects.update(attended=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        roundtable.save_revision().publish()
    assert mail.outbox == []
    assert not WhatWeHeardMailing.objects.exists()


# Counts -----------------------------------------------------------------------------


def test_totals_on_the_action_plan_page(client, registered, roundtable, plan, event_index):
    EventRegistration.objects.filter(email__in=["amina@example.org", "bilal@example.org"]).update(
        attended=True
    )
    contribute(client, roundtable, email="amina@example.org", full_name="Amina")  # attended too
    contribute(client, roundtable, anonymous="on")
    with time_machine.travel(roundtable.end + timedelta(days=1)):
        text = soup(client.get("/report/action-plan/")).select_one(".plan-roundtables").text
    # 2 attended + 1 anonymous contribution (Amina's counts once) across 1 roundtable.
    assert "3 people took part across 1 roundtable, with 2 written contributions" in " ".join(
        text.split()
    )


def test_organisers_index_shows_counts(client, registered, roundtable, organiser):
    EventRegistration.objects.filter(email="amina@example.org").update(attended=True)
    contribute(client, roundtable)
    client.force_login(organiser)
    row = soup(client.get("/admin/events/registrations/")).select_one("tbody tr")
    cells = [td.get_text(strip=True) for td in row.select("td")]
    assert cells[2].startswith("3 / 5") and cells[3] == "1" and cells[4] == "1"


def count_queries(client, url):
    client.get(url)  # a publish empties the caches: the first view after it fills them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_contributions_or_links(client, roundtable, plan):
    publish_heard(roundtable, plan, 1)
    contribute(client, roundtable)
    urls = [roundtable.url, "/report/action-plan/", "/report/action-plan/recommendation/1/"]
    before = [count_queries(client, url) for url in urls]
    for n in range(5):
        contribute(client, roundtable, email=f"p{n}@example.org")
    publish_heard(roundtable, plan, 1, 2, 3)
    other = create_event(
        roundtable.get_parent(), title="Councillors' roundtable", slug="councillors"
    )
    publish_heard(other, plan, 1, 2)
    after = [count_queries(client, url) for url in urls]
    assert after == before


# Privacy ------------------------------------------------------------------------------


def test_privacy_export_and_erase_cover_contributions_and_attendance(
    client, registered, roundtable, tmp_path
):
    EventRegistration.objects.filter(email="amina@example.org").update(attended=True)
    contribute(client, roundtable, email="amina@example.org", full_name="Amina", may_credit="on")
    contribution = EventContribution.objects.get()
    contribution.themes.add("Training")
    path = tmp_path / "export.json"
    call_command("privacy_export", "amina@example.org", "--output", str(path), stdout=StringIO())
    data = json.loads(path.read_text())["data"]
    (exported,) = data["contributions"]
    assert exported["answers"]["Anything personal"] == "I was turned away once."
    assert exported["may_be_credited_by_name"] is True
    assert exported["themes_tagged_by_organisers"] == ["Training"]
    assert data["registrations"][0]["attended"] is True

    call_command("privacy_erase", "amina@example.org", "--yes", stdout=StringIO())
    contribution.refresh_from_db()
    assert (contribution.name, contribution.email, contribution.form_data) == ("", "", {})
    assert contribution.anonymised_at and not contribution.themes.exists()


def test_retention_anonymises_contributions_and_keeps_the_count(client, roundtable):
    contribute(client, roundtable)
    contribute(client, roundtable, anonymous="on")
    due = roundtable.end + timedelta(days=roundtable.contributions_days_after + 91)
    with time_machine.travel(due):
        out = StringIO()
        call_command("apply_retention", stdout=out)
    assert "anonymised 2 written contribution(s)" in out.getvalue()
    assert EventContribution.objects.count() == 2
    assert not EventContribution.objects.exclude(form_data={}).exists()
    assert not EventContribution.objects.exclude(name="").exists()


# Demo ---------------------------------------------------------------------------------


def test_demo_shows_the_whole_loop_labelled_as_example(client):
    call_command("load_demo", stdout=StringIO())
    page = client.get("/events/members-roundtable-first-session/")
    heard = soup(page).select_one("#what-we-heard")
    assert heard is not None and "Example text" in page.content.decode()
    assert RecommendationLink.objects.filter(event__slug="members-roundtable-first-session")
    said = soup(client.get("/report/action-plan/recommendation/2/")).select(".you-said li")
    assert said and "Members' roundtable: first session" in said[0].get_text()
    assert EventRegistration.objects.filter(attended=True).exists()
    assert EventContribution.objects.filter(anonymous=True).exists()
    plan = soup(client.get("/report/action-plan/")).select_one(".plan-roundtables__totals")
    assert plan is not None and "took part across 1 roundtable" in " ".join(plan.text.split())
    assert mail.outbox == []
    assert client.get("/events/members-roundtable/contribute/").status_code == 200
