"""Event pages: page rules, the listing, the event page, the home-page tag,
calendar files and the demo content."""

import io
import json
import re
from datetime import timedelta

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

import icalendar
import pytest

from events.dates import human_date_range
from events.demo import load_events
from events.factories import create_event
from events.models import EventIndexPage, EventPage, EventRegistration
from home.models import HomePage, StandardPage
from tests.events import test_events_support as support
from tests.events.test_events_support import in_days, register

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index


DUMMY_CACHE = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def make_private(page):
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="secret")


# Page rules -------------------------------------------------------------------


def test_page_tree_rules(home_page, event_index):
    assert EventIndexPage.can_create_at(home_page) is False  # only one index
    assert EventIndexPage.allowed_parent_page_models() == [HomePage]
    assert EventPage.allowed_parent_page_models() == [EventIndexPage]
    assert EventPage.allowed_subpage_models() == []
    assert EventPage.can_create_at(event_index)
    assert not EventPage.can_create_at(home_page)
    assert StandardPage not in EventIndexPage.allowed_subpage_models()


def test_event_must_end_after_it_starts(event_index):
    from django.core.exceptions import ValidationError

    start = in_days(5)
    with pytest.raises(ValidationError) as error:
        create_event(event_index, start=start, end=start - timedelta(hours=1))
    assert "end" in error.value.message_dict


def test_index_is_at_events_and_in_the_menu(client, event_index):
    assert event_index.url == "/events/"
    assert event_index.show_in_menus


# Listing ------------------------------------------------------------------------


def test_index_lists_upcoming_soonest_first_then_past(client, event_index):
    later = create_event(event_index, title="Later event", start=in_days(20))
    sooner = create_event(event_index, title="Sooner event", start=in_days(3))
    past = create_event(event_index, title="Past event", start=in_days(-10))
    html = client.get("/events/").content.decode()
    upcoming_part, past_part = html.split('id="past-heading"')
    assert upcoming_part.index(sooner.title) < upcoming_part.index(later.title)
    assert past.title not in upcoming_part and past.title in past_part
    assert human_date_range(sooner.start, sooner.end) in html


def test_index_shows_places_left_and_waiting_list(client, event_index):
    roomy = create_event(event_index, title="Roomy", capacity=12)
    full = create_event(event_index, title="Full", capacity=1)
    register(client, full, email="one@example.org")
    html = client.get("/events/").content.decode()
    card = html[html.index(roomy.title) :]
    assert "12 places left" in card[:1500]
    card = html[html.index(">Full<") :]
    assert "Waiting list" in card[:1500]


def test_index_filters_by_audience(client, event_index):
    create_event(event_index, title="For councillors", audience="councillors")
    create_event(event_index, title="For members", audience="members")
    html = client.get("/events/?audience=councillors").content.decode()
    assert "For councillors" in html and "For members" not in html
    # Unknown values are ignored rather than erroring.
    html = client.get("/events/?audience=<script>").content.decode()
    assert "For councillors" in html and "For members" in html


def test_past_events_are_paginated(client, event_index):
    for number in range(12):
        create_event(event_index, title=f"Old event {number:02d}", start=in_days(-30 - number))
    first = client.get("/events/").content.decode()
    second = client.get("/events/?page=2").content.decode()
    assert "Old event 00" in first and "Old event 10" not in first
    assert "Old event 10" in second and "Old event 11" in second
    assert client.get("/events/?page=999").status_code == 200
    assert client.get("/events/?page=abc").status_code == 200


def test_upcoming_events_are_paginated_apart_from_past_events(client, event_index):
    per_page = EventIndexPage.upcoming_per_page
    for number in range(per_page + 2):
        create_event(event_index, title=f"Coming event {number:02d}", start=in_days(2 + number))
    create_event(event_index, title="Old event", start=in_days(-30))
    first = client.get("/events/").content.decode()
    assert f"Coming event {per_page - 1:02d}" in first
    assert f"Coming event {per_page:02d}" not in first
    assert 'aria-label="Upcoming events pages"' in first
    assert 'href="?upcoming=2"' in first
    second = client.get("/events/?upcoming=2").content.decode()
    upcoming_part, past_part = second.split('id="past-heading"')
    assert "Coming event 00" not in upcoming_part
    assert f"Coming event {per_page:02d}" in upcoming_part
    assert f"Coming event {per_page + 1:02d}" in upcoming_part
    assert "Old event" in past_part  # the past list keeps its own page
    for bad in ("999", "abc", "-1"):
        assert client.get(f"/events/?upcoming={bad}").status_code == 200


@override_settings(CACHES={"default": DUMMY_CACHE, "renditions": DUMMY_CACHE})
def test_index_size_and_queries_do_not_grow_with_upcoming_events(client, event_index):
    # Every cache off: the listing's own queries are counted.

    def listing():
        client.get("/events/")
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/events/").content.decode()
        return len(queries), html.count('<li class="card')

    for number in range(3):
        create_event(event_index, title=f"Soon {number}", start=in_days(2 + number))
    few = listing()
    for number in range(3, 3 + 2 * EventIndexPage.upcoming_per_page):
        create_event(event_index, title=f"Soon {number}", start=in_days(2 + number))
    many = listing()
    assert few == (many[0], 3)
    assert many[1] == EventIndexPage.upcoming_per_page


def test_drafts_and_private_events_are_not_listed(client, event_index):
    create_event(event_index, title="Draft event", publish=False)
    private = create_event(event_index, title="Private event")
    make_private(private)
    html = client.get("/events/").content.decode()
    assert "Draft event" not in html and "Private event" not in html


# Event page -----------------------------------------------------------------------


def test_event_page_has_schema_org_event_without_joining_link(client, event):
    html = client.get(event.url).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["startDate"] == event.start.isoformat()
    assert data["eventAttendanceMode"].endswith("OnlineEventAttendanceMode")
    assert event.joining_link not in match.group(1)


def test_in_person_event_shows_venue(client, event_index):
    event = create_event(
        event_index,
        attendance="in_person",
        venue_name="Example Hall",
        venue_address="1 Example Road\nManchester",
    )
    html = client.get(event.url).content.decode()
    assert "Example Hall" in html and "Manchester" in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["location"]["@type"] == "Place"


def test_past_event_page_has_no_form(client, event_index):
    past = create_event(event_index, start=in_days(-3))
    html = client.get(past.url).content.decode()
    assert "This event has finished" in html and 'name="email"' not in html


# Home page tag ---------------------------------------------------------------------


def test_home_page_shows_the_next_three_events(client, event_index):
    for number, days in enumerate([9, 2, 5, 7]):
        create_event(event_index, title=f"Upcoming {number}", start=in_days(days))
    create_event(event_index, title="Gone", start=in_days(-2))
    html = client.get("/").content.decode()
    shown = re.findall(r"Upcoming \d", html)
    assert shown == ["Upcoming 1", "Upcoming 2", "Upcoming 3"]
    assert "Gone" not in html


# Calendars -------------------------------------------------------------------------


def test_feed_contains_only_live_public_events(client, event_index):
    live = create_event(event_index, title="Live event")
    create_event(event_index, title="Draft event", publish=False)
    private = create_event(event_index, title="Private event")
    make_private(private)
    response = client.get("/events/feed.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = [str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")]
    assert summaries == ["Live event"]
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == live.start
    assert live.joining_link not in response.content.decode()


def test_add_to_calendar_download(client, event):
    html = client.get(event.url).content.decode()
    assert f'href="/events/calendar/{event.pk}.ics"' in html
    response = client.get(f"/events/calendar/{event.pk}.ics")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title
    assert vevent.decoded("DTEND") == event.end
    assert event.joining_link not in response.content.decode()


def test_download_refuses_drafts_private_and_other_pages(client, event_index, home_page):
    draft = create_event(event_index, title="Draft", publish=False)
    private = create_event(event_index, title="Private")
    make_private(private)
    for page_id in (draft.pk, private.pk, home_page.pk, 999999):
        assert client.get(f"/events/calendar/{page_id}.ics").status_code == 404


# Demo content ----------------------------------------------------------------------


def test_demo_loader_builds_the_roundtables_once(home_page):
    load_events(home_page, io.StringIO())
    load_events(home_page, io.StringIO())  # idempotent
    events = EventPage.objects.all()
    assert events.count() == 6
    now = timezone.now()
    assert events.filter(start__gt=now).count() == 5
    assert events.filter(end__lt=now).count() == 1
    councillors = events.get(slug="councillors-roundtable")
    assert councillors.counts == {"confirmed": 25, "waiting": 3}
    activists = events.get(slug="activists-clp-officers-roundtable")
    assert activists.places_left == 2
    assert all(e.form_fields.filter(sensitive=True).exists() for e in events)
    emails = EventRegistration.objects.values_list("email", flat=True)
    assert all(email.endswith("@example.org") for email in emails)
