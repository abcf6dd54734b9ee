"""Plain helpers that build event pages: used by the demo loader and by tests."""

from datetime import timedelta

from django.utils import timezone

from .models import EventFormField, EventIndexPage, EventPage

STANDARD_QUESTIONS = [
    {
        "label": "Constituency Labour Party",
        "field_type": "singleline",
        "required": False,
        "help_text": "For example, Manchester Gorton CLP.",
    },
    {
        "label": "Role",
        "field_type": "radio",
        "required": True,
        "choices": "Member\nCLP officer\nCouncillor\nMP or staff\nCommunity organisation\nOther",
    },
    {
        "label": "Access requirements",
        "field_type": "multiline",
        "required": False,
        "help_text": "Anything we should arrange so that you can take part fully.",
        "sensitive": True,
    },
]


def create_event_index(parent, title="Events", slug="events", **fields):
    """A published events index under `parent`."""
    index = EventIndexPage(title=title, slug=slug, show_in_menus=True, **fields)
    parent.add_child(instance=index)
    index.save_revision().publish()
    return index


def create_event(
    index,
    title="Members' roundtable",
    start=None,
    duration=timedelta(hours=1, minutes=30),
    questions=(),
    publish=True,
    **fields,
):
    """An event under `index`, starting in a week unless `start` is given.

    `questions` are dicts of EventFormField fields (label, field_type, ...).
    Online events get an example joining link unless one is given.
    """
    start = start or timezone.now().replace(microsecond=0) + timedelta(days=7)
    fields.setdefault("end", start + duration)
    fields.setdefault("attendance", EventPage.ONLINE)
    if fields["attendance"] == EventPage.ONLINE:
        fields.setdefault("joining_link", "https://meet.example.org/lmn-roundtable")
    else:
        fields.setdefault("venue_name", "Example Community Centre")
    event = EventPage(title=title, start=start, **fields)
    event.form_fields = [
        EventFormField(sort_order=order, **question) for order, question in enumerate(questions)
    ]
    if not publish:
        event.live = False
    index.add_child(instance=event)
    if publish:
        event.save_revision().publish()
    return event
