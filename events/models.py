"""Events: the listing page and event pages with their own registration forms.

The rows people send from these pages (registrations, contributions, ...) are
models too, defined in `events.records` and imported here so Django finds them.
The rules live in small modules beside this one: `capacity` (places, waiting
list, window), `dates` (how times read), `ics` (calendar files), `serving` (what
an event page does with a GET or the form's POST), `pending` (the public form's
pending requests), `registration` (the locked, transactional
register/confirm/cancel/promote steps) and `emails`/`tasks` (what people are
sent, sent in the background). None of them imports this module back.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site
from wagtail.search import index

from modelcluster.fields import ParentalKey

from home.models import BasePage, is_public
from home.pages.blocks import BaseStreamBlock

from . import capacity as rules
from .blocks import WhatWeHeardBlock
from .dates import human_date_range
from .forms import EventFormBuilder, EventPageAdminForm
from .ics import CalendarEntry, event_uid
from .panels import RetentionPanel
from .records import (  # noqa: F401 (Django finds the app's models here)
    ContributionFormField,
    EventContribution,
    EventRegistration,
    RecommendationLink,
    TaggedContribution,
    WhatWeHeardMailing,
    _new_cancel_token,  # named by migration 0001
    contribution_consent,
    registration_consent,
)
from .registrations_list import RegistrationsListView
from .serving import serve_event_page

AUDIENCES = [
    ("members", "Members"),
    ("activists", "Activists and CLP officers"),
    ("councillors", "Councillors"),
    ("mps", "MPs"),
    ("community", "Community stakeholders"),
    ("everyone", "Open to everyone"),
]


class EventIndexPage(BasePage):
    """/events/: upcoming events soonest first, then past events, filterable by audience."""

    introduction = models.TextField(max_length=600, blank=True)
    # Both lists are paginated, so the page's size does not grow with the events.
    upcoming_per_page = 12
    past_per_page = 10

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]

    max_count = 1
    show_in_menus_default = True

    class Meta:
        verbose_name = "Event index page"

    def route(self, request, path_components):
        """An event's address (/events/<slug>/) finds the event in one query, where
        Page.route reads the child page and then its event row (as
        BlogIndexPage.route does for posts); anything else is routed as usual."""
        if self.live and len(path_components) == 1:
            event = EventPage.objects.child_of(self).filter(slug=path_components[0]).first()
            if event is not None:
                return event.route(request, [])
        return super().route(request, path_components)

    def events(self):
        """Live, public events under this page, with their registration counts."""
        return with_registration_counts(
            EventPage.objects.child_of(self)
            .live()
            .filter(is_public())
            .select_related("social_image")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        audience = request.GET.get("audience", "")
        if audience not in dict(AUDIENCES):
            audience = ""
        events = self.events()
        if audience:
            events = events.filter(audience=audience)
        upcoming = _page_of(
            events.filter(end__gte=now).order_by("start", "pk"),
            self.upcoming_per_page,
            request.GET.get("upcoming"),
        )
        past = _page_of(
            events.filter(end__lt=now).order_by("-start", "-pk"),
            self.past_per_page,
            request.GET.get("page"),
        )
        context.update(
            upcoming=upcoming,
            past_events=past,
            audiences=AUDIENCES,
            audience=audience,
        )
        return context


def _page_of(queryset, per_page, number):
    """Page `number` of `queryset`: the first page for a number that is not a
    whole number, the last for one past the end."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(number or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def _registrations_with_status(status):
    """A subquery counting one event's registrations with `status`."""
    return Coalesce(
        Subquery(
            EventRegistration.objects.filter(page_id=OuterRef("pk"), status=status)
            .order_by()
            .values("page_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def with_registration_counts(queryset):
    """Annotate events with `confirmed_count` and `waiting_count` in one query.

    Correlated subqueries rather than a join with GROUP BY: PostgreSQL then counts
    (from the page/status index) only for the events a listing shows, after sorting
    and slicing, instead of aggregating every registration of every matching event.
    """
    return queryset.annotate(
        confirmed_count=_registrations_with_status(EventRegistration.CONFIRMED),
        waiting_count=_registrations_with_status(EventRegistration.WAITING),
    )


class EventFormField(AbstractFormField):
    """A question an editor adds to an event's registration form."""

    page = ParentalKey("EventPage", on_delete=models.CASCADE, related_name="form_fields")
    sensitive = models.BooleanField(
        default=False,
        help_text=(
            "Answers to sensitive questions (such as access or health needs) are left out of "
            "staff notification emails and of exports unless asked for."
        ),
    )

    panels = AbstractFormField.panels + [FieldPanel("sensitive")]


class EventPage(BasePage, AbstractEmailForm):
    """One event (a roundtable, a meeting) with its own registration form.

    Editors add questions with the form builder; full name, email and the
    consent checkbox are always on the form. The joining link of an online
    event is never shown on the page: it is only sent to confirmed people.
    """

    IN_PERSON = "in_person"
    ONLINE = "online"
    ATTENDANCE = [(IN_PERSON, "In person"), (ONLINE, "Online")]

    audience = models.CharField(max_length=20, choices=AUDIENCES, default="members")
    start = models.DateTimeField(help_text="UK time.")
    end = models.DateTimeField(help_text="UK time.")
    attendance = models.CharField(max_length=20, choices=ATTENDANCE, default=IN_PERSON)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True, help_text="For in-person events.")
    joining_link = models.URLField(
        blank=True,
        help_text="For online events. Only sent in confirmation emails, never shown on the page.",
    )
    joining_instructions = models.TextField(
        blank=True, help_text="Sent with the joining link (meeting ID, passcode, etc.)."
    )
    description = StreamField(BaseStreamBlock(), blank=True, use_json_field=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Number of places. Leave blank for no limit."
    )
    waiting_list_enabled = models.BooleanField(
        "Waiting list",
        default=True,
        help_text="When the event is full, let people join a waiting list.",
    )
    registration_opens = models.DateTimeField(
        null=True, blank=True, help_text="Leave blank to open registration straight away."
    )
    registration_closes = models.DateTimeField(
        null=True, blank=True, help_text="Leave blank to close registration when the event starts."
    )
    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="Shown above the registration form.",
    )
    thank_you_text = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="Shown to people once they have confirmed their place from the emailed link.",
    )
    delete_registrations_after_days = models.PositiveIntegerField(
        default=90,
        help_text="Registrations (names, emails and answers) are deleted this many days after "
        "the event ends. Counts are kept.",
    )
    # Roundtables: written contributions and "What we heard" (events/records.py).
    contributions_enabled = models.BooleanField(
        "Accept written contributions",
        default=False,
        help_text="Let people who cannot come (or want to add something) send a written "
        "contribution.",
    )
    contributions_open = models.DateTimeField(
        null=True, blank=True, help_text="Leave blank to accept contributions straight away."
    )
    contributions_days_after = models.PositiveIntegerField(
        "Days after the event",
        default=14,
        help_text="Contributions are accepted until this many days after the event ends.",
    )
    contribution_intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="Shown above the contribution form: what you would like people to write about.",
    )
    delete_contributions_after_days = models.PositiveIntegerField(
        default=90,
        help_text="Names, email addresses and answers of contributions are deleted this many "
        "days after contributions close. Counts are kept.",
    )
    what_we_heard = StreamField(
        WhatWeHeardBlock(),
        blank=True,
        use_json_field=True,
        verbose_name="What we heard",
        help_text="After the event: the themes people raised. The first time this is published, "
        "people who took part and asked for it are emailed a link.",
    )

    content_panels = AbstractEmailForm.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
            ],
            heading="When and who",
        ),
        MultiFieldPanel(
            [
                FieldPanel("attendance"),
                FieldPanel("venue_name"),
                FieldPanel("venue_address"),
                FieldPanel("joining_link"),
                FieldPanel("joining_instructions"),
            ],
            heading="Where",
        ),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("waiting_list_enabled")]),
                FieldRowPanel(
                    [FieldPanel("registration_opens"), FieldPanel("registration_closes")]
                ),
                FieldPanel("delete_registrations_after_days"),
                RetentionPanel(heading="When registrations are deleted"),
            ],
            heading="Registration",
        ),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Registration questions"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading="Staff notification email",
        ),
        MultiFieldPanel(
            [
                FieldPanel("contributions_enabled"),
                FieldRowPanel(
                    [FieldPanel("contributions_open"), FieldPanel("contributions_days_after")]
                ),
                FieldPanel("contribution_intro"),
                FieldPanel("delete_contributions_after_days"),
            ],
            heading="Written contributions",
        ),
        InlinePanel("contribution_fields", label="Contribution questions"),
        FieldPanel("what_we_heard"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("description"),
        index.FilterField("start"),
        index.FilterField("audience"),
    ]

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    base_form_class = EventPageAdminForm
    landing_page_template = "events/event_page_landing.html"

    class Meta:
        verbose_name = "Event page"
        # Listings are in date order ("upcoming": the soonest first): with this index
        # PostgreSQL reads events in order and stops after the few a listing shows.
        indexes = [models.Index(fields=["start"], name="events_event_start_idx")]

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The event must end after it starts."
        opens, closes = self.registration_opens, self.registration_closes
        if opens and closes and closes <= opens:
            errors["registration_closes"] = "Registration must close after it opens."
        if self.attendance == self.IN_PERSON and not (self.venue_name or self.venue_address):
            errors["venue_address"] = "Give the venue of an in-person event."
        if self.attendance == self.ONLINE and not self.joining_link:
            errors["joining_link"] = "Give the joining link of an online event."
        if errors:
            raise ValidationError(errors)

    # Form builder -------------------------------------------------------

    def get_form_class(self):
        return EventFormBuilder(self.get_form_fields()).get_form_class()

    def use_published_form_fields(self, request):
        """For the public page: read the questions once for this request (the form,
        its fields and the landing page each ask). Never for a preview, whose
        questions may be unsaved."""
        self._published_form_fields = list(self.form_fields.all())

    def get_form_fields(self):
        published = getattr(self, "_published_form_fields", None)
        return published if published is not None else super().get_form_fields()

    def get_form(self, *args, **kwargs):
        if "consent" not in kwargs:
            from home.models import ConsentText
            from home.privacy.consent import current_consents

            # Both wordings the form shows, in one query.
            consents = current_consents(ConsentText.EVENT_REGISTRATION, ConsentText.MAILING_LIST)
            kwargs["consent"] = consents[ConsentText.EVENT_REGISTRATION]
            kwargs.setdefault("mailing_list_consent", consents[ConsentText.MAILING_LIST])
        return super().get_form(*args, **kwargs)

    def get_submission_class(self):
        return EventRegistration

    def get_submissions_list_view_class(self):
        return RegistrationsListView

    def get_data_fields(self, include_sensitive=True):
        """Columns of the registrations list and export, sensitive answers optional."""
        fields = [
            ("submit_time", "Registered at"),
            ("status", "Status"),
            ("waiting_position", "Waiting list place"),
            ("name", "Full name"),
            ("email", "Email"),
        ]
        fields += [
            (field.clean_name, field.label)
            for field in self.get_form_fields()
            if include_sensitive or not field.sensitive
        ]
        fields += [
            ("attended", "Attended"),
            ("wants_summary", "Wants the summary email"),
            ("consent_version", "Consent wording version"),
            ("consented_at", "Consented at"),
        ]
        return fields

    def serve(self, request, *args, **kwargs):
        return serve_event_page(self, request, *args, **kwargs)

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        """ "Check your inbox": the one page every accepted form gets, whatever the
        address's state (new, registered, waiting, cancelled, pending) or spam."""
        context = self.get_context(request)
        context.update(confirm_link_hours=settings.LMN_EVENT_CONFIRM_LINK_HOURS)
        return TemplateResponse(request, self.get_landing_page_template(request), context)

    # State --------------------------------------------------------------

    def registration_window(self, now=None):
        return rules.registration_window(
            now or timezone.now(), self.start, self.registration_opens, self.registration_closes
        )

    @cached_property
    def counts(self):
        """{"confirmed": n, "waiting": n}, from annotations when the listing made them."""
        if hasattr(self, "confirmed_count"):
            return {"confirmed": self.confirmed_count, "waiting": self.waiting_count}
        rows = (
            EventRegistration.objects.filter(page_id=self.pk)
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        counts = dict(rows)
        return {
            "confirmed": counts.get(EventRegistration.CONFIRMED, 0),
            "waiting": counts.get(EventRegistration.WAITING, 0),
        }

    @property
    def places_left(self):
        return rules.places_left(self.capacity, self.counts["confirmed"])

    @property
    def availability(self):
        return rules.availability_label(
            self.registration_window(),
            self.capacity,
            self.counts["confirmed"],
            self.waiting_list_enabled,
        )

    @property
    def is_past(self):
        return self.end < timezone.now()

    @property
    def when(self):
        return human_date_range(self.start, self.end)

    @property
    def registration_opens_text(self):
        return human_date_range(self.registration_opens) if self.registration_opens else ""

    @property
    def is_online(self):
        return self.attendance == self.ONLINE

    @property
    def where(self):
        """Where, for pages, cards and calendar files (never the joining link)."""
        if self.is_online:
            return "Online"
        parts = [self.venue_name] + [
            line.strip() for line in self.venue_address.splitlines() if line.strip()
        ]
        return ", ".join(part for part in parts if part)

    def admin_counts_label(self):
        """ "confirmed / capacity · waiting" for the admin page listing."""
        capacity = "∞" if self.capacity is None else self.capacity
        return f"{self.counts['confirmed']} / {capacity} · {self.counts['waiting']} waiting"

    # Calendars and structured data --------------------------------------

    def calendar_entry(self, include_joining_link=False):
        """This event for an .ics file; the joining link only goes to registrants."""
        url = self.full_url or ""
        description = [self.listing_summary or self.search_description or ""]
        location = self.where
        if include_joining_link and self.is_online and self.joining_link:
            location = self.joining_link
            description.append(f"Join online: {self.joining_link}")
            if self.joining_instructions:
                description.append(self.joining_instructions)
        if url:
            description.append(f"Details: {url}")
        return CalendarEntry(
            uid=event_uid(self.translation_key),
            title=self.title,
            start=self.start,
            end=self.end,
            url=url,
            location=location,
            description="\n\n".join(part for part in description if part),
            last_modified=self.last_published_at,
        )

    def calendar_download_url(self):
        return reverse("events:event_ics", args=[self.pk])

    def json_ld(self, request=None):
        """schema.org Event, escaped for a <script type="application/ld+json"> block.
        With the `request`, its site and URLs are the ones the request already found."""
        # Without a request: a query each time it is asked.
        site = Site.find_for_request(request) if request is not None else self.get_site()
        full_url = self.get_full_url(request)
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "startDate": self.start.isoformat(),
            "endDate": self.end.isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "url": full_url,
            "organizer": {
                "@type": "Organization",
                "name": "Labour Muslim Network",
                "url": site.root_url if site else "",
            },
        }
        if self.listing_summary or self.search_description:
            data["description"] = self.listing_summary or self.search_description
        if self.is_online:
            data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
            # The public page, never the joining link.
            data["location"] = {"@type": "VirtualLocation", "url": full_url}
        else:
            data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
            data["location"] = {
                "@type": "Place",
                "name": self.venue_name or self.where,
                "address": ", ".join(
                    line.strip() for line in self.venue_address.splitlines() if line.strip()
                ),
            }
        text = json.dumps(data, ensure_ascii=False)
        # Keep "</script>" and friends from ending the block early.
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
