"""Previews: every page type renders in the editor's preview from what the editor
has typed but not saved, through Wagtail's admin preview URL."""

import io
import json
from datetime import timedelta

from django.utils import timezone

import pytest

from blog.factories import make_post
from events.factories import STANDARD_QUESTIONS, create_event
from home.demo.content import load_home_content
from home.models import FormPage, StandardPage
from tests import test_editors_support as support
from tests.report_factories import make_plan, make_report
from tests.test_editors_support import editor_form_data

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
event_index = support.event_index
superuser = support.superuser


def preview(client, page, user, **changes):
    """Post the editor's form to the preview URL, then open the preview."""
    url = f"/admin/pages/{page.pk}/edit/preview/"
    response = client.post(url, editor_form_data(page, user, **changes))
    assert response.status_code == 200
    assert json.loads(response.content) == {"is_valid": True, "is_available": True}
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def site(home_page, blog_index, event_index):
    load_home_content(home_page, io.StringIO())
    post = make_post(blog_index, title="Roundtables announced")
    event = create_event(
        event_index,
        title="Members' roundtable",
        start=timezone.now() + timedelta(days=10),
        questions=STANDARD_QUESTIONS,
    )
    report = make_report(home_page)
    plan = make_plan(report, ["not_started", "in_progress", "implemented"])
    return {
        "home": home_page,
        "standard": StandardPage.objects.live().first(),
        "form": FormPage.objects.live().first(),
        "blog_index": blog_index,
        "post": post,
        "event_index": event_index,
        "event": event,
        "report": report,
        "plan": plan,
    }


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "kind", ["home", "standard", "form", "blog_index", "post", "event_index", "report", "plan"]
)
def test_preview_shows_unsaved_changes_for_each_page_type(kind, site, admin_client, superuser):
    page = site[kind]
    # The home page shows its hero heading rather than its title.
    field = "hero_heading" if kind == "home" else "title"
    html = preview(admin_client, page, superuser, **{field: "Preview of unsaved words"})
    assert "Preview of unsaved words" in html
    page.refresh_from_db()
    assert getattr(page.specific, field) != "Preview of unsaved words"  # nothing was saved


def test_event_preview_shows_the_registration_form(site, admin_client, superuser):
    event = site["event"]
    data = editor_form_data(event, superuser, title="Roundtable (preview)")
    assert data["form_fields-TOTAL_FORMS"] == str(len(STANDARD_QUESTIONS))
    data["form_fields-0-label"] = "Your constituency (changed in preview)"
    url = f"/admin/pages/{event.pk}/edit/preview/"
    assert json.loads(admin_client.post(url, data).content)["is_valid"] is True
    html = admin_client.get(url).content.decode()
    assert "Roundtable (preview)" in html
    assert "<form" in html and 'class="form event-form"' in html
    assert "Your constituency (changed in preview)" in html
    assert "Access requirements" in html
    assert 'type="checkbox"' in html  # the consent box


def test_report_preview_shows_the_findings_chart(site, admin_client, superuser):
    report = site["report"]
    data = editor_form_data(report, superuser)
    data["key_findings-0-value-figure"] = "64"
    data["key_findings-0-value-label"] = "changed in the preview"
    html = preview(admin_client, report, superuser, **data)
    assert 'class="report-chart"' in html
    assert 'data-figure="64"' in html
    assert "changed in the preview" in html
    assert html.count('class="report-bar"') == 2


def test_a_broken_edit_says_the_preview_is_not_available(site, admin_client, superuser):
    event = site["event"]
    url = f"/admin/pages/{event.pk}/edit/preview/"
    data = editor_form_data(event, superuser, title="")
    data["end"] = data["start"]  # ends when it starts
    response = admin_client.post(url, data)
    assert json.loads(response.content)["is_valid"] is False


def test_view_draft_renders_each_page_type(site, admin_client):
    for kind, page in site.items():
        response = admin_client.get(f"/admin/pages/{page.pk}/view_draft/")
        assert response.status_code == 200, kind
