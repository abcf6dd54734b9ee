"""Every `<time datetime>` on the public pages is a valid HTML date or date-and-time string.

The HTML standard allows at most three digits of fractions of a second (and the Nu
HTML checker rejects more), so times stored with microseconds must not be printed
as they are. Each page is built with microsecond times to prove it.
"""

import re
from datetime import date, datetime, timedelta

from django.utils import timezone

import pytest
from bs4 import BeautifulSoup

from blog.comments import moderation
from tests.blog.comments import test_comments_support as support
from tests.blog.comments.test_comments_support import make_comment
from tests.report_factories import make_plan, make_report, set_statuses

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
post = support.post

# The HTML standard's "valid date string", "valid normalized local date and time
# string" and "valid global date and time string" (the forms these pages use).
DATE = r"(?P<year>\d{4,})-(?P<month>\d{2})-(?P<day>\d{2})"
TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,3})?)?"
OFFSET = r"(?:Z|[+-](?P<oh>\d{2}):?(?P<om>\d{2}))"
VALID = re.compile(rf"^{DATE}(?:[T ]{TIME}{OFFSET}?)?$")


def is_valid_html_datetime(value):
    match = VALID.match(value)
    if not match:
        return False
    parts = match.groupdict()
    try:
        date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return False
    if parts["hour"] is not None:
        if int(parts["hour"]) > 23 or int(parts["minute"]) > 59:
            return False
        if parts["second"] is not None and int(parts["second"]) > 59:
            return False
    return not (parts["oh"] is not None and (int(parts["oh"]) > 23 or int(parts["om"]) > 59))


def datetimes_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    soup = BeautifulSoup(response.content, "html.parser")
    return [tag["datetime"] for tag in soup.find_all(attrs={"datetime": True})]


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-06",
        "2026-12-06T09:05:00+0000",
        "2026-12-06T09:05:00+01:00",
        "2026-12-06T09:05:00.123Z",
        "2026-12-06 09:05",
    ],
)
def test_the_pattern_accepts_valid_strings(value):
    assert is_valid_html_datetime(value)


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-06T09:05:00.123456+00:00",  # what date:'c' printed for comment times
        "2026-13-06",
        "2026-02-30T10:00:00Z",
        "2026-12-06T24:00:00Z",
        "6 December 2026",
        "2026-12-06T09:05:00+0000 ",
        "",
    ],
)
def test_the_pattern_rejects_invalid_strings(value):
    assert not is_valid_html_datetime(value)


def test_post_page_times_are_valid(client, post):
    post.date = timezone.now().replace(microsecond=123456) - timedelta(days=1)
    post.save_revision().publish()
    make_comment(post, status=moderation.APPROVED, text="A first comment")
    make_comment(post, status=moderation.APPROVED, text="A second comment")
    values = datetimes_on(client, post.url)
    assert len(values) >= 3  # the post's date and each comment's
    assert all(is_valid_html_datetime(v) for v in values), values


def test_event_page_and_listing_times_are_valid(client, home_page):
    from events.factories import create_event, create_event_index

    index = create_event_index(home_page)
    start = datetime(2027, 6, 1, 18, 30, 15, 654321, tzinfo=timezone.get_current_timezone())
    event = create_event(index, start=start)
    for url in (event.url, index.url):
        values = datetimes_on(client, url)
        assert values, url
        assert all(is_valid_html_datetime(v) for v in values), (url, values)


def test_report_and_action_plan_times_are_valid(client, home_page):
    report = make_report(home_page)
    plan = make_plan(report, ["not_started", "in_progress"])
    set_statuses(plan, {1: "in_progress"})
    for url in (report.url, plan.url):
        values = datetimes_on(client, url)
        assert values, url
        assert all(is_valid_html_datetime(v) for v in values), (url, values)
