"""The action plan: summary and filters, status history on publish, feed, admin updates."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import GroupPagePermission, PageViewRestriction
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import feedparser
import pytest
import time_machine
from bs4 import BeautifulSoup

from home.report.models import ActionPlanPage, RecommendationStatusChange
from home.report.progress import IMPLEMENTED, IN_PROGRESS, NOT_AGREED, NOT_STARTED
from tests.report_factories import make_plan, make_report, set_statuses

pytestmark = pytest.mark.django_db

STATUSES = [IMPLEMENTED, IN_PROGRESS, IMPLEMENTED, NOT_STARTED, NOT_AGREED]


def soup_of(response, status=200):
    assert response.status_code == status, response.status_code
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def plan(home_page):
    return make_plan(make_report(home_page), STATUSES)


def history_of(plan, number):
    return list(
        RecommendationStatusChange.objects.filter(
            recommendation__page=plan, recommendation__number=number
        ).order_by("changed_at", "pk")
    )


# ---------- Public page ----------


def test_summary_counts_and_progress_come_from_the_items(client, plan):
    soup = soup_of(client.get("/report/action-plan/"))
    implemented = STATUSES.count(IMPLEMENTED)
    assert soup.select_one(".plan-summary__text").get_text(" ", strip=True) == (
        f"{implemented} of {len(STATUSES)} recommendations implemented"
    )
    progress = soup.select_one("progress")
    assert (progress["value"], progress["max"]) == (str(implemented), str(len(STATUSES)))
    assert progress["aria-labelledby"] == "progress-text"

    counts = {}
    for link in soup.select(".plan-filters a"):
        label = link.select_one(".status")
        if label:
            counts[label.get_text()] = int(link.select_one(".plan-filters__count").get_text())
    assert counts == {
        "Not started": STATUSES.count(NOT_STARTED),
        "In progress": STATUSES.count(IN_PROGRESS),
        "Implemented": implemented,
        "Not agreed": STATUSES.count(NOT_AGREED),
    }


def test_summary_follows_a_published_status_change(client, plan):
    set_statuses(plan, {2: IMPLEMENTED})
    soup = soup_of(client.get("/report/action-plan/"))
    assert soup.select_one("progress")["value"] == str(STATUSES.count(IMPLEMENTED) + 1)


def test_each_recommendation_shows_its_fields_and_anchor(client, plan):
    soup = soup_of(client.get("/report/action-plan/"))
    items = soup.select(".plan-item")
    assert [item["id"] for item in items] == [f"recommendation-{n}" for n in range(1, 6)]
    first = items[0]
    text = first.get_text(" ", strip=True)
    assert "Recommendation title 1" in text
    assert "What recommendation 1 asks for." in text
    assert "General Secretary" in text
    assert "Note 1" in text
    assert first.select_one(".plan-item__status .status").get_text() == "Implemented"
    assert first.find("a", href="https://example.org/e").get_text() == "Evidence 1"
    assert first.find("a", href="/report/action-plan/recommendation/1/")


def test_filter_by_status_shows_only_matching_recommendations(client, plan):
    soup = soup_of(client.get("/report/action-plan/?status=implemented"))
    shown = [item["id"] for item in soup.select(".plan-item")]
    expected = [f"recommendation-{i}" for i, s in enumerate(STATUSES, 1) if s == IMPLEMENTED]
    assert shown == expected
    current = soup.select_one(".plan-filters a[aria-current]")
    assert "status=implemented" in current["href"]
    # The summary still describes the whole plan.
    assert soup.select_one("progress")["max"] == str(len(STATUSES))


def test_unknown_status_filter_is_a_400_with_a_clear_message(client, plan):
    soup = soup_of(client.get("/report/action-plan/?status=done%3Cscript%3E"), status=400)
    summary = soup.select_one(".error-summary")
    assert summary["role"] == "alert"
    assert "no such status" in summary.get_text()
    assert b"<script>" not in client.get("/report/action-plan/?status=%3Cscript%3E").content
    assert len(soup.select(".plan-item")) == len(STATUSES)


def test_each_recommendation_has_its_own_url(client, plan):
    soup = soup_of(client.get("/report/action-plan/recommendation/2/"))
    assert "Recommendation title 2" in soup.h1.get_text()
    assert soup.find("a", href="/report/action-plan/#recommendation-2")
    assert client.get("/report/action-plan/recommendation/99/").status_code == 404


def test_example_plans_label_every_recommendation(client, home_page):
    make_plan(make_report(home_page), [IMPLEMENTED, NOT_STARTED], example_content=True)
    soup = soup_of(client.get("/report/action-plan/"))
    assert "example text" in soup.select_one(".plan-example").get_text().lower()
    assert len(soup.select(".plan-item .example-label")) == 2


def test_page_queries_do_not_grow_with_the_number_of_recommendations(client, home_page):
    small = make_plan(make_report(home_page, slug="small"), [IN_PROGRESS] * 3)
    large = make_plan(make_report(home_page, slug="large"), [IN_PROGRESS] * 30)
    for plan in (small, large):
        set_statuses(plan, {1: IMPLEMENTED, 2: NOT_AGREED})  # some history to show

    counts = []
    for plan in (small, large):
        url = plan.url
        client.get(url)  # warm per-process caches (site root paths)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.count(b'class="plan-item"') == len(plan.recommendations.all())
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ---------- Status history ----------


def test_first_publish_records_each_initial_status(plan):
    rows = RecommendationStatusChange.objects.filter(recommendation__page=plan)
    assert sorted((r.recommendation.number, r.from_status, r.to_status) for r in rows) == [
        (n, "", status) for n, status in enumerate(STATUSES, 1)
    ]


def test_publishing_a_changed_status_records_it_with_its_date(plan):
    with time_machine.travel(datetime.datetime(2027, 3, 4, 10, 0, tzinfo=datetime.UTC)):
        revision = set_statuses(plan, {2: IMPLEMENTED})
    history = history_of(plan, 2)
    assert [(h.from_status, h.to_status) for h in history] == [
        ("", IN_PROGRESS),
        (IN_PROGRESS, IMPLEMENTED),
    ]
    latest = history[-1]
    assert timezone.localtime(latest.changed_at).date() == datetime.date(2027, 3, 4)
    assert latest.revision_id == revision.pk
    assert latest.note == "Note 2"


def test_republishing_without_a_status_change_records_nothing(plan):
    before = RecommendationStatusChange.objects.count()
    plan.get_latest_revision_as_object().save_revision().publish()
    set_statuses(plan, {1: IMPLEMENTED})  # already implemented
    assert RecommendationStatusChange.objects.count() == before


def test_a_saved_draft_records_nothing_until_it_is_published(client, plan):
    revision = set_statuses(plan, {4: IN_PROGRESS}, publish=False)
    assert [h.to_status for h in history_of(plan, 4)] == [NOT_STARTED]
    revision.publish()
    assert [h.to_status for h in history_of(plan, 4)] == [NOT_STARTED, IN_PROGRESS]


def test_timeline_shows_every_change_with_its_date(client, plan):
    with time_machine.travel(datetime.datetime(2027, 1, 15, 12, 0, tzinfo=datetime.UTC)):
        set_statuses(plan, {4: IN_PROGRESS})
    with time_machine.travel(datetime.datetime(2027, 6, 1, 12, 0, tzinfo=datetime.UTC)):
        set_statuses(plan, {4: IMPLEMENTED})
    soup = soup_of(client.get("/report/action-plan/"))
    timeline = soup.select("#recommendation-4 .timeline__item")
    assert [item.find("time")["datetime"] for item in timeline][1:] == [
        "2027-01-15",
        "2027-06-01",
    ]
    assert [item.select_one(".status").get_text() for item in timeline] == [
        "Not started",
        "In progress",
        "Implemented",
    ]
    # With no date set by an editor, "last changed" is the latest status change.
    assert soup.select_one("#recommendation-4 .plan-item__facts time")["datetime"] == "2027-06-01"


# ---------- Feed ----------


def test_feed_lists_status_changes_newest_first_and_parses(client, plan):
    with time_machine.travel(datetime.datetime(2027, 5, 5, 9, 0, tzinfo=datetime.UTC)):
        set_statuses(plan, {2: IMPLEMENTED})
    response = client.get("/report/action-plan/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert len(feed.entries) == RecommendationStatusChange.objects.count()
    newest = feed.entries[0]
    assert newest.title == "Recommendation 2: Recommendation title 2 — Implemented"
    assert newest.published_parsed[:3] == (2027, 5, 5)
    assert "from in progress to implemented" in newest.summary
    link = newest.link.removeprefix("http://testserver")
    assert client.get(link).status_code == 200
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)


def test_feed_of_an_unpublished_plan_is_not_found(client, plan):
    plan.unpublish()
    assert client.get("/report/action-plan/feed/").status_code == 404


def test_feed_of_a_private_plan_asks_for_login(client, plan):
    PageViewRestriction.objects.create(page=plan, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/report/action-plan/feed/")
    assert response.status_code == 302
    assert "login" in response["Location"]


# ---------- Admin ----------


@pytest.fixture
def editor(django_user_model, plan):
    """Can edit (not publish) pages under the report."""
    group = Group.objects.create(name="Report editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=plan.get_parent(),
        permission=Permission.objects.get(codename="change_page"),
    )
    user = django_user_model.objects.create_user("editor", password="password-for-tests")
    user.groups.add(group)
    return user


def quick_data(plan, changes):
    """POST data for the quick status view: current values, with `changes` by number."""
    data = {}
    for rec in plan.recommendations.all():
        status, note = changes.get(rec.number, (rec.status, rec.progress_note))
        data[f"rec-{rec.pk}-status"] = status
        data[f"rec-{rec.pk}-progress_note"] = note
    return data


def test_quick_update_publishes_a_revision_and_records_history(admin_client, plan):
    url = f"/admin/action-plan/{plan.pk}/statuses/"
    page = soup_of(admin_client.get(url))
    assert page.find("label", string="Status of recommendation 4")
    data = quick_data(plan, {4: (IN_PROGRESS, "Work has started.")})
    response = admin_client.post(url, data)
    assert response.status_code == 302

    plan.refresh_from_db()
    live = plan.recommendations.get(number=4)
    assert (live.status, live.progress_note) == (IN_PROGRESS, "Work has started.")
    assert live.last_changed == timezone.localdate()
    assert [h.to_status for h in history_of(plan, 4)] == [NOT_STARTED, IN_PROGRESS]
    assert plan.live_revision.user.is_superuser


def test_quick_update_by_an_editor_without_publish_rights_saves_a_draft(client, editor, plan):
    client.force_login(editor)
    url = f"/admin/action-plan/{plan.pk}/statuses/"
    response = client.post(url, quick_data(plan, {4: (IMPLEMENTED, "")}))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.has_unpublished_changes
    assert plan.recommendations.get(number=4).status == NOT_STARTED
    assert [h.to_status for h in history_of(plan, 4)] == [NOT_STARTED]
    draft = plan.get_latest_revision_as_object()
    assert next(r for r in draft.recommendations.all() if r.number == 4).status == IMPLEMENTED


def test_quick_update_refuses_users_who_cannot_edit_the_page(client, django_user_model, plan):
    group = Group.objects.create(name="Admin only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = django_user_model.objects.create_user("viewer", password="password-for-tests")
    user.groups.add(group)
    client.force_login(user)
    url = f"/admin/action-plan/{plan.pk}/statuses/"
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard.
    for response in (
        client.get(url),
        client.post(url, quick_data(plan, {4: (IMPLEMENTED, "")})),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert plan.recommendations.get(number=4).status == NOT_STARTED


def test_quick_update_rejects_an_unknown_status_with_a_400(admin_client, plan):
    url = f"/admin/action-plan/{plan.pk}/statuses/"
    response = admin_client.post(url, quick_data(plan, {4: ("finished", "")}))
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    plan.refresh_from_db()
    assert not plan.has_unpublished_changes
    assert plan.recommendations.get(number=4).status == NOT_STARTED


def test_quick_update_refuses_to_publish_over_unpublished_work(admin_client, plan):
    draft = plan.get_latest_revision_as_object()
    draft.title = "Action plan (draft title)"
    draft.save_revision()
    url = f"/admin/action-plan/{plan.pk}/statuses/"
    response = admin_client.post(url, quick_data(plan, {4: (IMPLEMENTED, "")}))
    assert response.status_code == 409
    plan.refresh_from_db()
    assert plan.title == "Action plan"
    assert plan.recommendations.get(number=4).status == NOT_STARTED


def editor_form_data(plan, changes, last_changed=None):
    """The page editor's POST data for `plan`, with `changes` {number: status}."""
    recs = list(plan.recommendations.all())
    items = []
    for rec in recs:
        items.append(
            {
                "id": rec.pk,
                "number": rec.number,
                "title": rec.title,
                "description": rec.description,
                "owner": rec.owner,
                "status": changes.get(rec.number, rec.status),
                "progress_note": rec.progress_note,
                "evidence": streamfield([]),
                "last_changed": (last_changed or {}).get(rec.number, rec.last_changed or ""),
                "ORDER": rec.sort_order,
                "DELETE": "",
            }
        )
    return nested_form_data(
        {
            "title": plan.title,
            "slug": plan.slug,
            "intro": rich_text(""),
            "recommendations": inline_formset(items, initial=len(recs)),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )


def test_publishing_from_the_page_editor_records_history_and_dates_the_change(admin_client, plan):
    url = f"/admin/pages/{plan.pk}/edit/"
    response = admin_client.post(url, editor_form_data(plan, {5: IN_PROGRESS}))
    assert response.status_code == 302, response.content[:2000]
    plan.refresh_from_db()
    rec = plan.recommendations.get(number=5)
    assert rec.status == IN_PROGRESS
    assert rec.last_changed == timezone.localdate()
    assert [h.to_status for h in history_of(plan, 5)] == [NOT_AGREED, IN_PROGRESS]
    # Untouched recommendations keep their (empty) date.
    assert plan.recommendations.get(number=1).last_changed is None


def test_page_editor_rejects_duplicate_numbers(admin_client, plan):
    data = editor_form_data(plan, {})
    data["recommendations-1-number"] = "1"
    response = admin_client.post(f"/admin/pages/{plan.pk}/edit/", data)
    assert response.status_code == 200  # the editor shows the form again with errors
    assert b"Recommendation 1 is already on this page." in response.content
    plan.refresh_from_db()
    assert sorted(r.number for r in plan.recommendations.all()) == [1, 2, 3, 4, 5]


def test_page_editor_shows_the_status_history_panel(admin_client, plan):
    set_statuses(plan, {4: IMPLEMENTED})
    response = admin_client.get(f"/admin/pages/{plan.pk}/edit/")
    assert response.status_code == 200
    assert b"Status changed from not started to implemented." in response.content
    assert f"/admin/action-plan/{plan.pk}/statuses/".encode() in response.content


def test_plan_model_is_importable_from_home_models():
    from home import models

    assert models.ActionPlanPage is ActionPlanPage
