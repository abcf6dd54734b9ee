"""Cold SQL query counts: every cache replaced by Django's DummyCache, the process
already warm (docs/performance.md). Each page stays within its budget, and its
count does not grow with the number of posts, comments, events or registrations."""

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

import pytest

pytestmark = pytest.mark.django_db

DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
NO_CACHES = {"default": DUMMY, "renditions": DUMMY}

# Today's counts, each within the ceiling the issue sets (#15: post 22, home 30,
# blog index 25): a change that adds a query to a page has to say so here.
BUDGETS = {"post": 21, "home": 13, "index": 15, "events": 12, "event": 13, "report": 11, "plan": 23}


def index_categories(i):
    """A category every post shares, so that each post has related posts."""
    from blog.models import BlogCategory

    return [BlogCategory.objects.get_or_create(name="News", defaults={"slug": "news"})[0]]


def grow(home_page, size):
    """`size` more posts (each with `size` approved comments), events (each with
    `size` registrations) and report recommendations."""
    from blog.comments import moderation
    from blog.comments.models import Comment
    from blog.factories import (
        AuthorFactory,
        BlogCategoryFactory,
        BlogIndexPageFactory,
        ImageFactory,
        make_post,
    )
    from blog.models import BlogIndexPage
    from events.factories import create_event, create_event_index
    from events.models import EventIndexPage, EventRegistration, registration_consent
    from home.models import SiteSettings, StandardPage

    index = BlogIndexPage.objects.first() or BlogIndexPageFactory(parent=home_page)
    # The footer and the forms link to these pages, as on the real site.
    settings = SiteSettings.load()
    if settings.privacy_page_id is None:
        for field, title in [
            ("privacy_page", "Privacy notice"),
            ("accessibility_page", "Accessibility"),
            ("contact_page", "Contact us"),
        ]:
            setattr(settings, field, home_page.add_child(instance=StandardPage(title=title)))
        settings.save()
    events_index = EventIndexPage.objects.first() or create_event_index(home_page)
    consent = registration_consent()
    start = index.get_children().count()
    for i in range(start, start + size):
        post = make_post(
            index,
            f"Post {i}",
            hero_image=ImageFactory(),
            authors=[AuthorFactory(photo=ImageFactory()), AuthorFactory(photo=ImageFactory())],
            categories=[BlogCategoryFactory(name=f"Category {i}"), *index_categories(i)],
            tags=["roundtable", f"tag-{i}"],
        )
        Comment.objects.bulk_create(
            Comment(page_id=post.pk, name=f"R{j}", text="Fine.", status=moderation.APPROVED)
            for j in range(size)
        )
        event = create_event(events_index, f"Meeting {i}", capacity=500)
        EventRegistration.objects.bulk_create(
            EventRegistration(
                page_id=event.pk,
                form_data={},
                name="P",
                email=f"p{i}-{j}@example.org",
                consent=consent,
                consented_at=event.start,
                status=EventRegistration.CONFIRMED,
            )
            for j in range(size)
        )
    from home.report.models import ActionPlanPage, ReportPage
    from tests.report_factories import make_plan, make_report

    report = ReportPage.objects.first() or make_report(home_page)
    plan = ActionPlanPage.objects.first() or make_plan(report, ["not_started"] * 3)
    return {
        "home": "/",
        "index": index.url,
        "post": post.url,
        "events": events_index.url,
        "event": event.url,
        "report": report.url,
        "plan": plan.url,
    }


def cold_counts(urls):
    client = Client()
    result = {}
    for name, url in urls.items():
        client.get(url)  # first-use rows (renditions, settings, salts) are made once
        with CaptureQueriesContext(connection) as cold:
            response = client.get(url)
        assert response.status_code == 200, url
        result[name] = len(cold)
    return result


@override_settings(CACHES=NO_CACHES)
def test_cold_query_counts_stay_within_budget_and_do_not_grow(home_page):
    small = cold_counts(grow(home_page, 2))
    large = cold_counts(grow(home_page, 6))
    print("cold queries", small, large)
    assert large == small
    for name, budget in BUDGETS.items():
        assert small[name] <= budget, (name, small[name])
