"""Demo content: the roundtable series, dated relative to today.

After the November 2020 report the network held one roundtable per audience
so that everyone could contribute to the action plan (see docs/CONTENT.md).
The events below are examples in that spirit: their dates, times, places and
registrations are invented for the demo and say so on the page. Registrant
names are obviously fictional and every email address is at example.org.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from wagtail.models import GroupPagePermission
from wagtail.rich_text import RichText

from home.demo import registry as demo
from home.models import ConsentText
from home.privacy.consent import current_consent

from .dates import LONDON
from .factories import STANDARD_QUESTIONS, create_event, create_event_index
from .models import EventIndexPage, EventPage, EventRegistration

EXAMPLE_NOTE = (
    "<p><em>This is an example event on the demo site: the date, time and details are "
    "illustrative.</em></p>"
)

BACKGROUND = (
    "<p>In November 2020 the Labour Muslim Network published "
    "<em>Islamophobia and the Muslim Experience: The Labour Party Report</em>. The party "
    "leadership agreed to work with the network on its recommendations, and the network "
    "organised a roundtable for each group of people with a stake in the action plan, so "
    "that everyone could have their say in a setting that suited them.</p>"
)

FIRST_NAMES = [
    "Amina", "Bilal", "Chloe", "Dawud", "Esme", "Faisal", "Grace", "Hana", "Idris", "Jamila",
    "Khalid", "Layla", "Musa", "Nadia", "Omar", "Parveen", "Qasim", "Rukhsana", "Sami", "Tariq",
]  # fmt: skip


def _at(days, hour, minute=0):
    """Today + `days` at a UK wall-clock time."""
    day = timezone.localdate(timezone=LONDON) + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


EVENTS = [
    {
        "slug": "members-roundtable",
        "title": "Members' roundtable",
        "audience": "members",
        "start": (5, 19, 0),
        "duration": timedelta(hours=1, minutes=30),
        "capacity": 60,
        "confirmed": 7,
        "waiting": 0,
        "summary": "An evening for Labour members to share their experiences and shape the "
        "action plan on Islamophobia.",
        "text": "<p>Members from across the country meet to talk about what the report found, "
        "what has changed since, and what the party should do next. Everyone gets the chance "
        "to speak; you do not need to prepare anything.</p>",
    },
    {
        "slug": "activists-clp-officers-roundtable",
        "title": "Activists' and CLP officers' roundtable",
        "audience": "activists",
        "start": (13, 19, 0),
        "duration": timedelta(hours=1, minutes=30),
        "capacity": 40,
        "confirmed": 38,
        "waiting": 0,
        "summary": "For campaigners and constituency party officers: how local parties can "
        "prevent Islamophobia and support members who report it.",
        "text": "<p>Constituency Labour Party officers and activists compare what works locally: "
        "welcoming new members, handling complaints fairly and running awareness training.</p>",
    },
    {
        "slug": "councillors-roundtable",
        "title": "Councillors' roundtable",
        "audience": "councillors",
        "start": (19, 18, 30),
        "duration": timedelta(hours=1, minutes=30),
        "capacity": 25,
        "confirmed": 25,
        "waiting": 3,
        "summary": "Labour councillors discuss Islamophobia in local government and in their "
        "groups, with the Muslim Councillor Network.",
        "text": "<p>An open discussion for Labour councillors about their experiences in council "
        "groups and in public life, and what support would help.</p>",
    },
    {
        "slug": "mps-roundtable",
        "title": "MPs' roundtable",
        "audience": "mps",
        "start": (48, 10, 0),
        "duration": timedelta(hours=1),
        "capacity": 30,
        "confirmed": 4,
        "waiting": 0,
        "attendance": EventPage.IN_PERSON,
        "venue_name": "Example Meeting Room",
        "venue_address": "1 Example Street\nLondon\nSW1A 0AA",
        "summary": "Labour MPs and their staff discuss how the parliamentary party can lead on "
        "tackling Islamophobia.",
        "text": "<p>A private, in-person conversation for Labour MPs and their staff about the "
        "report's findings and the party's commitments.</p>",
    },
    {
        "slug": "community-stakeholders-roundtable",
        "title": "Community stakeholders' roundtable",
        "audience": "community",
        "start": (54, 18, 0),
        "duration": timedelta(hours=2),
        "capacity": 50,
        "confirmed": 0,
        "waiting": 0,
        "opens_in_days": 5,
        "summary": "Mosques, charities and community organisations tell us what they need from "
        "the Labour Party.",
        "text": "<p>For representatives of community organisations, whether or not they are "
        "party members. Registration opens a few days before the other roundtables fill up.</p>",
    },
    {
        "slug": "report-anniversary-discussion",
        "title": "Report anniversary discussion",
        "audience": "everyone",
        "start": (-21, 19, 0),
        "duration": timedelta(hours=1),
        "capacity": 100,
        "confirmed": 12,
        "waiting": 0,
        "summary": "Looking back at the report during Islamophobia Awareness Month.",
        "text": "<p>A discussion, open to everyone, about what the report found and what has "
        "happened since it was published.</p>",
    },
]


def _add_registrations(event, spec, consent, start_index):
    total = spec["confirmed"] + spec["waiting"]
    now = timezone.now()
    rows = []
    for number in range(total):
        first = FIRST_NAMES[(start_index + number) % len(FIRST_NAMES)]
        name = f"{first} Example-{start_index + number + 1}"
        waiting = number >= spec["confirmed"]
        rows.append(
            EventRegistration(
                page=event,
                name=name,
                email=f"{first.lower()}.{start_index + number + 1}@example.org",
                status=EventRegistration.WAITING if waiting else EventRegistration.CONFIRMED,
                position=(number - spec["confirmed"] + 1) if waiting else None,
                consent=consent,
                consented_at=now,
                form_data={
                    "constituency_labour_party": "Example CLP",
                    "role": "Member",
                    "access_requirements": "",
                },
            )
        )
    EventRegistration.objects.bulk_create(rows)
    return total


def _organisers_may_edit_events(index):
    group = Group.objects.filter(name="Event organisers").first()
    if group is None:
        return
    for codename in ("add_page", "change_page", "publish_page"):
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)


@demo.register("events", order=40)
def load_events(home_page, stdout):
    """The events index at /events/ and the roundtables (idempotent)."""
    index = EventIndexPage.objects.child_of(home_page).first()
    if index is None:
        index = create_event_index(
            home_page,
            introduction="Roundtables, meetings and briefings for members, activists, "
            "councillors, MPs and community organisations. Register for the one that suits you.",
            listing_summary="Roundtables and meetings run by the Labour Muslim Network.",
        )
        stdout.write("Created the events index.")
    _organisers_may_edit_events(index)

    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    made = 0
    for spec in EVENTS:
        if EventPage.objects.child_of(index).filter(slug=spec["slug"]).exists():
            continue
        days, hour, minute = spec["start"]
        start = _at(days, hour, minute)
        extra = {}
        if "attendance" in spec:
            extra.update(
                attendance=spec["attendance"],
                venue_name=spec["venue_name"],
                venue_address=spec["venue_address"],
            )
        if spec.get("opens_in_days"):
            extra["registration_opens"] = _at(spec["opens_in_days"], 9)
        event = create_event(
            index,
            title=spec["title"],
            slug=spec["slug"],
            start=start,
            duration=spec["duration"],
            audience=spec["audience"],
            capacity=spec["capacity"],
            listing_summary=spec["summary"],
            description=[
                ("paragraph", RichText(EXAMPLE_NOTE)),
                ("paragraph", RichText(spec["text"])),
                ("paragraph", RichText(BACKGROUND)),
            ],
            intro="<p>Registration takes a minute. We email you a link to confirm your "
            "place; once you confirm, we send a calendar file and a link to cancel if your "
            "plans change.</p>",
            thank_you_text="<p>Thank you for confirming. We look forward to seeing you.</p>",
            to_address="events@example.org",
            subject=f"New registration: {spec['title']}",
            questions=STANDARD_QUESTIONS,
            **extra,
        )
        _add_registrations(event, spec, consent, start_index=made)
        made += spec["confirmed"] + spec["waiting"]
        stdout.write(f"Created the event {event.title}.")


# The roundtable loop: contributions, attendance and "What we heard" ---------------

LOOP_EVENT = {
    "slug": "members-roundtable-first-session",
    "title": "Members' roundtable: first session",
    "audience": "members",
    "start": (-28, 19, 0),
    "duration": timedelta(hours=1, minutes=30),
    "capacity": 40,
    "confirmed": 10,
    "waiting": 0,
    "summary": "The first members' session on the action plan, and what we heard at it.",
    "text": "<p>The first of the members' sessions on the action plan that followed the "
    "report. Members who could not come sent written contributions.</p>",
}

LOOP_NOTE = (
    "<p><em>Example text: the themes, summaries and quotes below are invented for the demo "
    "site. They are not a record of what was said at the network's roundtables.</em></p>"
)

# (heading, summary, [quotes], [recommendation numbers]); EXAMPLE TEXT.
LOOP_THEMES = [
    (
        "Complaints people can trust",
        "Example text: members wanted complaints about Islamophobia handled by people "
        "independent of the local party, with clear time limits and an answer at the end.",
        ["Example quote: I reported it and never heard anything back."],
        [2],
    ),
    (
        "A clear standard to point to",
        "Example text: members asked for a written code so that everyone knows what is and is "
        "not acceptable, and so that local officers can act with confidence.",
        [],
        [1],
    ),
    (
        "Training that reaches local parties",
        "Example text: many said that training for staff alone would not reach the meetings "
        "where problems start, and asked for sessions for branch and CLP officers.",
        ["Example quote: the people running our meetings need this most."],
        [3, 4],
    ),
]

LOOP_CONTRIBUTIONS = [
    # (anonymous, name, answer); EXAMPLE TEXT, fictional names, no email addresses.
    (True, "", "Example contribution: please publish how long complaints take on average."),
    (False, "Jamila Example", "Example contribution: train the officers who chair meetings."),
    (True, "", "Example contribution: I could not attend because of work; evening sessions "
     "online would help."),
]  # fmt: skip


@demo.register("roundtable-loop", order=45)
def load_roundtable_loop(home_page, stdout):
    """A past roundtable with attendance, written contributions and a published "What we
    heard" linked to the demo action plan; upcoming roundtables accept contributions.
    Idempotent, and never emails anyone (the summary email is marked as done first)."""
    from home.models import Recommendation

    from .models import EventContribution, WhatWeHeardMailing

    index = EventIndexPage.objects.child_of(home_page).first()
    if index is None:
        return
    for event in EventPage.objects.child_of(index).filter(
        end__gt=timezone.now(), contributions_enabled=False, audience__in=["members", "community"]
    ):
        event.contributions_enabled = True
        event.contribution_intro = (
            "<p>Tell us what the action plan should do, and what would make the party a place "
            "where Muslim members feel they belong.</p>"
        )
        event.save_revision().publish()
        stdout.write(f"Contributions switched on for {event.title}.")
    if EventPage.objects.child_of(index).filter(slug=LOOP_EVENT["slug"]).exists():
        return
    spec = LOOP_EVENT
    days, hour, minute = spec["start"]
    event = create_event(
        index,
        title=spec["title"],
        slug=spec["slug"],
        start=_at(days, hour, minute),
        duration=spec["duration"],
        audience=spec["audience"],
        capacity=spec["capacity"],
        listing_summary=spec["summary"],
        description=[
            ("paragraph", RichText(EXAMPLE_NOTE)),
            ("paragraph", RichText(spec["text"])),
            ("paragraph", RichText(BACKGROUND)),
        ],
        to_address="events@example.org",
        questions=STANDARD_QUESTIONS,
        contributions_enabled=True,
        contributions_days_after=14,
        publish=False,
    )
    consent = current_consent(ConsentText.EVENT_REGISTRATION)
    _add_registrations(event, spec, consent, start_index=40)
    attended = EventRegistration.objects.filter(page=event).order_by("pk")[:8]
    EventRegistration.objects.filter(pk__in=[r.pk for r in attended]).update(
        attended=True, attendance_marked_at=timezone.now()
    )
    contribution_consent = current_consent(ConsentText.EVENT_CONTRIBUTION)
    for anonymous, name, answer in LOOP_CONTRIBUTIONS:
        contribution = EventContribution.objects.create(
            page=event,
            anonymous=anonymous,
            name=name,
            form_data={"contribution": answer},
            consent=contribution_consent,
            consented_at=timezone.now(),
        )
        contribution.themes.add("Complaints" if "complaints" in answer else "Training")
    recs = {}
    plan_recs = Recommendation.objects.filter(page__live=True).order_by("page_id", "number")
    for rec in plan_recs:
        recs.setdefault(rec.number, rec)
    event.what_we_heard = [
        (
            "theme",
            {
                "heading": heading,
                "summary": RichText(f"<p>{summary}</p>"),
                "quotes": [{"text": quote, "credit": ""} for quote in quotes],
                "recommendations": [str(recs[n].pk) for n in numbers if n in recs],
            },
        )
        for heading, summary, quotes, numbers in LOOP_THEMES
    ]
    event.description = [*event.description.raw_data, {"type": "paragraph", "value": LOOP_NOTE}]
    WhatWeHeardMailing.objects.get_or_create(event=event)
    event.save_revision().publish()
    stdout.write(f"Created the event {event.title}, with what we heard.")
