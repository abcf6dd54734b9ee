"""The pure rules: dates, capacity, window, cancel codes, spreadsheet safety and ICS."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events import capacity
from events.capacity import Decision, Window
from events.dates import format_time, human_date_range
from events.ics import CalendarEntry, build_calendar
from events.tokens import ExpiredLink, InvalidLink, make_cancel_code, read_cancel_code
from home.privacy.spreadsheet import neutralise_formula

LONDON = ZoneInfo("Europe/London")
THIS_YEAR = date(2026, 11, 26)


def london(*args):
    return datetime(*args, tzinfo=LONDON)


# Dates --------------------------------------------------------------------


def test_same_day_range_names_pm_once():
    # 3 March 2026 is a Tuesday.
    text = human_date_range(london(2026, 3, 3, 19, 0), london(2026, 3, 3, 20, 30), today=THIS_YEAR)
    assert text == "Tuesday 3 March, 7\u20138.30pm"


def test_range_across_midday_names_both_meridiems():
    text = human_date_range(london(2026, 3, 3, 11, 0), london(2026, 3, 3, 13, 0), today=THIS_YEAR)
    assert text == "Tuesday 3 March, 11am\u20131pm"


def test_midday_and_midnight_are_words():
    assert format_time(london(2026, 3, 3, 12, 0)) == "midday"
    assert format_time(london(2026, 3, 3, 0, 0)) == "midnight"
    assert format_time(london(2026, 3, 3, 9, 5)) == "9.05am"


def test_times_are_shown_in_uk_time_from_utc_values():
    # 18:00 UTC in July is 7pm British Summer Time.
    start = datetime(2026, 7, 14, 18, 0, tzinfo=UTC)
    assert human_date_range(start, start + timedelta(hours=1), today=THIS_YEAR) == (
        "Tuesday 14 July, 7\u20138pm"
    )


def test_other_years_show_the_year():
    text = human_date_range(london(2027, 1, 12, 18, 30), None, today=THIS_YEAR)
    assert text == "Tuesday 12 January 2027, 6.30pm"


def test_multi_day_event_names_both_days():
    text = human_date_range(london(2026, 3, 6, 18, 0), london(2026, 3, 7, 16, 0), today=THIS_YEAR)
    assert text == "Friday 6 March, 6pm to Saturday 7 March, 4pm"


def test_naive_values_are_refused():
    with pytest.raises(TypeError):
        human_date_range("2026-03-03")


# Capacity and window -------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity_", "confirmed", "waiting_list", "expected"),
    [
        (10, 9, True, Decision.CONFIRMED),
        (10, 10, True, Decision.WAITING),
        (10, 10, False, Decision.FULL),
        (None, 500, False, Decision.CONFIRMED),
        (0, 0, True, Decision.WAITING),
    ],
)
def test_decide(capacity_, confirmed, waiting_list, expected):
    assert capacity.decide(capacity_, confirmed, waiting_list) == expected


def test_places_to_fill_never_exceeds_free_places_or_queue():
    assert capacity.places_to_fill(10, 9, 5) == 1
    assert capacity.places_to_fill(10, 10, 5) == 0
    assert capacity.places_to_fill(20, 10, 3) == 3
    assert capacity.places_to_fill(None, 10, 4) == 4


def test_window_defaults_close_at_start():
    start = london(2026, 12, 10, 19)
    assert capacity.registration_window(start - timedelta(seconds=1), start) == Window.OPEN
    assert capacity.registration_window(start, start) == Window.CLOSED


def test_window_respects_opening_and_closing_times():
    start = london(2026, 12, 10, 19)
    opens, closes = london(2026, 12, 1, 9), london(2026, 12, 8, 17)
    assert capacity.registration_window(opens - timedelta(minutes=1), start, opens, closes) == (
        Window.NOT_YET_OPEN
    )
    assert capacity.registration_window(opens, start, opens, closes) == Window.OPEN
    assert capacity.registration_window(closes, start, opens, closes) == Window.CLOSED


def test_window_never_stays_open_after_start():
    start = london(2026, 12, 10, 19)
    late_close = start + timedelta(days=1)
    assert capacity.registration_window(start, start, None, late_close) == Window.CLOSED


@pytest.mark.parametrize(
    ("window", "capacity_", "confirmed", "waiting_list", "label"),
    [
        (Window.OPEN, 20, 8, True, "12 places left"),
        (Window.OPEN, 20, 19, True, "1 place left"),
        (Window.OPEN, 20, 20, True, "Waiting list"),
        (Window.OPEN, 20, 20, False, "Fully booked"),
        (Window.OPEN, None, 20, False, "Places available"),
        (Window.CLOSED, 20, 3, True, "Registration closed"),
        (Window.NOT_YET_OPEN, 20, 0, True, "Registration not open yet"),
    ],
)
def test_availability_label(window, capacity_, confirmed, waiting_list, label):
    assert capacity.availability_label(window, capacity_, confirmed, waiting_list) == label


# Cancel codes --------------------------------------------------------------


def test_cancel_code_round_trip_until_expiry():
    expires = datetime(2026, 12, 10, 19, tzinfo=UTC)
    code = make_cancel_code("token-abc", expires)
    assert read_cancel_code(code, now=expires.timestamp() - 1) == "token-abc"
    with pytest.raises(ExpiredLink):
        read_cancel_code(code, now=expires.timestamp())


@pytest.mark.parametrize(
    "mangle", [lambda c: c[:-2], lambda c: c + "x", lambda c: "", lambda c: "abc"]
)
def test_altered_cancel_codes_are_invalid(mangle):
    code = make_cancel_code("token-abc", datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidLink):
        read_cancel_code(mangle(code))


# Spreadsheets ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_like_text_is_neutralised(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["Amina", "", None, 5, -3, "a=b"])
def test_other_values_are_untouched(value):
    assert neutralise_formula(value) == value


# ICS -------------------------------------------------------------------------


def test_calendar_has_utc_times_stable_uid_and_day_before_alarm():
    entry = CalendarEntry(
        uid="event-abc@labourmuslims.org",
        title="Members' roundtable",
        start=london(2026, 7, 14, 19, 0),
        end=london(2026, 7, 14, 20, 30),
        location="Online",
    )
    raw = build_calendar([entry])
    assert b"DTSTART:20260714T180000Z" in raw  # written in UTC, not as a local time
    calendar = icalendar.Calendar.from_ical(raw)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == "event-abc@labourmuslims.org"
    assert vevent.decoded("DTSTART") == datetime(2026, 7, 14, 18, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime(2026, 7, 14, 19, 30, tzinfo=UTC)
    (alarm,) = vevent.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=1)
    # Building again gives the same UID: calendars update rather than duplicate.
    again = icalendar.Calendar.from_ical(build_calendar([entry]))
    assert str(again.walk("VEVENT")[0]["UID"]) == str(vevent["UID"])
