"""iCalendar files for events: the "Add to calendar" download, the feed and
the attachment of confirmation emails.

Times are written in UTC so that every calendar program agrees on them, and
each event keeps the same UID for ever, so importing a file twice (or getting
a second confirmation) updates the entry instead of duplicating it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar

PRODID = "-//Labour Muslim Network//Events//EN"
UID_DOMAIN = "labourmuslims.org"
ALARM_BEFORE = timedelta(days=1)


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    start: datetime
    end: datetime
    url: str = ""
    location: str = ""
    description: str = ""
    last_modified: datetime | None = None


def event_uid(stable_key):
    """A UID that never changes for one event (pass the page's translation key)."""
    return f"event-{stable_key}@{UID_DOMAIN}"


def _utc(value):
    if value.tzinfo is None:
        raise ValueError("Event times must be time-zone aware.")
    return value.astimezone(UTC)


def build_vevent(entry, now=None, cancel=False):
    """One VEVENT with UTC times and a display alarm one day before; with `cancel`,
    the same event (same UID), marked cancelled with a higher sequence number and no
    alarm: opening it updates the copy already in the person's calendar."""
    vevent = icalendar.Event()
    vevent.add("uid", entry.uid)
    if cancel:
        vevent.add("status", "CANCELLED")
        vevent.add("sequence", 1)
    vevent.add("dtstamp", _utc(now or datetime.now(UTC)))
    vevent.add("dtstart", _utc(entry.start))
    vevent.add("dtend", _utc(entry.end))
    vevent.add("summary", f"Cancelled: {entry.title}" if cancel else entry.title)
    if entry.location:
        vevent.add("location", entry.location)
    if entry.description:
        vevent.add("description", entry.description)
    if entry.url:
        vevent.add("url", entry.url)
    if entry.last_modified:
        vevent.add("last-modified", _utc(entry.last_modified))

    if cancel:
        return vevent
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Tomorrow: {entry.title}")
    alarm.add("trigger", -ALARM_BEFORE)
    vevent.add_component(alarm)
    return vevent


def build_calendar(entries, name="Labour Muslim Network events", now=None, cancel=False):
    """A complete calendar file (bytes) holding `entries`; with `cancel`, the same
    entries marked cancelled. Always METHOD:PUBLISH: these are files people add
    themselves, not meeting invitations (METHOD:CANCEL needs an organiser and
    attendees, and calendar programs ignore it without them)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(build_vevent(entry, now=now, cancel=cancel))
    return calendar.to_ical()
