"""Event dates and times as people read them, in UK time.

"Tuesday 3 March, 7–8.30pm": the weekday, day and month (the year only when it
is not this year), then a time range that names am/pm once when both ends
share it. Midday and midnight are written as words, because "12pm" is read
both ways.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")
EN_DASH = "\u2013"


def to_london(value):
    """`value` (an aware datetime) in Europe/London."""
    return value.astimezone(LONDON)


def _clock(value):
    hour12 = value.hour % 12 or 12
    return str(hour12) if value.minute == 0 else f"{hour12}.{value.minute:02d}"


def _meridiem(value):
    return "am" if value.hour < 12 else "pm"


def format_time(value):
    """A London time such as "7pm", "8.30am", "midday" or "midnight"."""
    value = to_london(value)
    if value.minute == 0 and value.hour == 12:
        return "midday"
    if value.minute == 0 and value.hour == 0:
        return "midnight"
    return f"{_clock(value)}{_meridiem(value)}"


def format_day(value, today=None):
    """A London date such as "Tuesday 3 March" (with the year when it is not this year)."""
    value = to_london(value)
    today = today or timezone.localdate(timezone=LONDON)
    text = f"{value:%A} {value.day} {value:%B}"
    if value.year != today.year:
        text += f" {value.year}"
    return text


def format_time_range(start, end):
    """Two London times on one day: "7–8.30pm", "11am–1pm", "10am–midday"."""
    start, end = to_london(start), to_london(end)
    first, last = format_time(start), format_time(end)
    if first in ("midday", "midnight") or last in ("midday", "midnight"):
        return f"{first}{EN_DASH}{last}"
    if _meridiem(start) == _meridiem(end):
        return f"{_clock(start)}{EN_DASH}{last}"
    return f"{first}{EN_DASH}{last}"


def human_date_range(start, end=None, today=None):
    """When an event happens, in UK time, the way people say it.

    Same day: "Tuesday 3 March, 7–8.30pm". No end, or an end equal to the
    start: "Tuesday 3 March, 7pm". Over several days: "Friday 6 March, 6pm to
    Saturday 7 March, 4pm".
    """
    if not isinstance(start, datetime):
        raise TypeError("start must be a datetime")
    local_start = to_london(start)
    if end is None or end <= start:
        return f"{format_day(start, today)}, {format_time(start)}"
    local_end = to_london(end)
    if local_start.date() == local_end.date():
        return f"{format_day(start, today)}, {format_time_range(start, end)}"
    return (
        f"{format_day(start, today)}, {format_time(start)} to "
        f"{format_day(end, today)}, {format_time(end)}"
    )
