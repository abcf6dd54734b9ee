"""The rows people send, as opposed to the pages they send them from: event
registrations (Wagtail form submissions with a status), written contributions,
the links from "What we heard" themes to recommendations, and the one-off summary
email.

`events.models` imports these, so Django sees them as events' models. This module
imports no page model: the services that store and read these rows
(`events.pending`, `events.registration`, `events.tasks`, `events.emails`,
`events.contributions`, `events.what_we_heard`) import it, and `EventPage.serve`
can use those services without an import loop. The rules live in those modules.
"""

import secrets

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.forms.models import AbstractFormField, AbstractFormSubmission

from modelcluster.fields import ParentalKey
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD
from home.privacy.consent import CONSENT_FIELD, CONSENT_VERSION_FIELD, current_consent
from home.privacy.models import ConsentText

from . import capacity as rules


def registration_consent():
    """The current consent wording for registrations (created on first use; kept
    in the cache under the content version, see home/privacy/consent.py)."""
    return current_consent(ConsentText.EVENT_REGISTRATION)


def contribution_consent():
    """The current consent wording for written contributions (see home/privacy/consent.py)."""
    return current_consent(ConsentText.EVENT_CONTRIBUTION)


def _new_cancel_token():
    return secrets.token_urlsafe(24)


class EventRegistration(AbstractFormSubmission):
    """One person's registration for an event (a Wagtail form submission).

    Name and email are columns (the email lower-cased, so one active
    registration per email per event can be enforced by the database); the
    answers to the editor's questions stay in `form_data`. The consent
    wording version and time are kept as evidence of consent.

    A submission of the public form is first *pending*: it holds no place, is
    counted nowhere and is shown to nobody until the person confirms it from the
    link emailed to them (see `events.registration`).
    """

    PENDING = rules.PENDING
    CONFIRMED = rules.CONFIRMED
    WAITING = rules.WAITING
    CANCELLED = rules.CANCELLED
    STATUSES = rules.STATUSES
    ALL_STATUSES = rules.ALL_STATUSES

    status = models.CharField(max_length=20, choices=ALL_STATUSES, default=CONFIRMED)
    position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Order on the waiting list (lowest goes first)."
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    consent = models.ForeignKey("home.ConsentText", on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField()
    cancel_token = models.CharField(max_length=64, unique=True, default=_new_cancel_token)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    # A pending request's own random token for its emailed confirm link (never the
    # cancel token), cleared once the link has been used.
    confirm_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    confirm_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the confirm link of a pending request stops working."
    )
    mailing_list_consent = models.ForeignKey(
        "home.ConsentText",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The mailing-list wording a pending request ticked; acted on only once the "
        "person confirms from the emailed link.",
    )
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the name, email address and answers were deleted (retention or "
        "erasure). The status is kept for the event's counts.",
    )
    # Roundtables: whether the person asked for the "What we heard" email (never
    # pre-ticked; a pending request carries it to confirmation), and attendance.
    wants_summary = models.BooleanField(
        default=False, help_text="Asked to be emailed when “What we heard” is published."
    )
    attended = models.BooleanField(
        null=True, blank=True, help_text="Marked by an organiser: blank until marked."
    )
    attendance_marked_at = models.DateTimeField(null=True, blank=True, editable=False)
    summary_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "event registration"
        constraints = [
            # Anonymised rows (blank email) keep their status for statistics, and
            # pending requests hold nothing (anyone may type any address), so both
            # are left out of the one-per-email rule.
            models.UniqueConstraint(
                fields=["page", "email"],
                condition=~Q(status__in=["cancelled", "pending"]) & ~Q(email=""),
                name="one_active_registration_per_email",
            )
        ]
        indexes = [models.Index(fields=["page", "status", "position"])]
        permissions = [
            (
                "manage_registrations",
                "Can see, export, cancel and promote event registrations",
            )
        ]

    def __str__(self):
        return f"Registration {self.pk} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @cached_property
    def waiting_position(self):
        """Place in the queue counting only people still waiting (1 = next)."""
        if self.status != self.WAITING or self.position is None:
            return None
        return EventRegistration.objects.filter(
            page_id=self.page_id, status=self.WAITING, position__lte=self.position
        ).count()

    def get_data(self):
        return {
            **self.form_data,
            "submit_time": self.submit_time,
            "status": self.get_status_display(),
            "waiting_position": self.waiting_position,
            "name": self.name,
            "email": self.email,
            "consent_version": self.consent.version if self.consent_id else None,
            "consented_at": self.consented_at,
            "attended": {True: "Attended", False: "Did not attend"}.get(self.attended, ""),
            "wants_summary": "Yes" if self.wants_summary else "No",
        }


# The contribution form's own fields (events/contributions.py builds the form);
# no editor's question may take one of these names.
ANONYMOUS_FIELD = "anonymous"
SUMMARY_FIELD = "wants_summary"
CREDIT_FIELD = "may_credit"
DEFAULT_QUESTION = "contribution"
RESERVED_NAMES = {
    "full_name",
    "email",
    ANONYMOUS_FIELD,
    SUMMARY_FIELD,
    CREDIT_FIELD,
    CONSENT_FIELD,
    CONSENT_VERSION_FIELD,
    HONEYPOT_FIELD,
    STARTED_FIELD,
}


class ContributionFormField(AbstractFormField):
    """A question an editor adds to an event's written-contribution form."""

    page = ParentalKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="contribution_fields"
    )
    sensitive = models.BooleanField(
        default=False,
        help_text="Answers to sensitive questions are left out of exports unless asked for.",
    )

    panels = AbstractFormField.panels + [FieldPanel("sensitive")]


class TaggedContribution(TaggedItemBase):
    content_object = models.ForeignKey(
        "events.EventContribution", on_delete=models.CASCADE, related_name="tagged_items"
    )


class EventContribution(models.Model):
    """What one person wrote for a roundtable, before or after it.

    An anonymous contribution keeps no name or email at all. The answers are in
    `form_data`; the consent wording version and time are kept as evidence. After
    the retention period the name, email and answers are removed and the row
    stays only to be counted (`anonymised_at`).
    """

    page = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="contributions"
    )
    submit_time = models.DateTimeField(default=timezone.now, verbose_name="Sent at")
    form_data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    anonymous = models.BooleanField(default=False)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    wants_summary = models.BooleanField(
        default=False, help_text="Asked to be emailed when “What we heard” is published."
    )
    may_credit = models.BooleanField(
        default=False, help_text="Agreed to be named if we quote them."
    )
    consent = models.ForeignKey("home.ConsentText", on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField()
    themes = TaggableManager(
        through=TaggedContribution,
        blank=True,
        verbose_name="Themes",
        help_text="Tag the themes this contribution raises (separate them with commas).",
    )
    summary_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "written contribution"
        ordering = ["-submit_time", "-pk"]
        indexes = [models.Index(fields=["page", "submit_time"])]

    def __str__(self):
        return f"Contribution {self.pk}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        if self.anonymous:
            self.name = self.email = ""
            self.wants_summary = self.may_credit = False
        super().save(*args, **kwargs)

    def contributor(self):
        if self.anonymised_at:
            return "Deleted (retention or erasure)"
        if self.anonymous or not self.name:
            return "Anonymous"
        return self.name

    contributor.short_description = "From"

    # Read by the organisers' list, detail view and export (contributions_admin.py).
    @property
    def contributor_text(self):
        return self.contributor()

    @property
    def event_title(self):
        return self.page.title

    @property
    def themes_text(self):
        return ", ".join(sorted(tag.name for tag in self.themes.all()))

    @property
    def answers(self):
        """The answers as "Question: answer" lines, without sensitive ones."""
        return answers_text(self)

    @property
    def summary_text(self):
        text = self.answers.replace("\n", " · ")
        return text if len(text) <= 120 else text[:117] + "…"

    @property
    def consent_version(self):
        return self.consent.version


class RecommendationLink(models.Model):
    """A published "What we heard" theme linked to an action-plan recommendation.

    Rebuilt from the event's StreamField each time the event is published, so the
    recommendation page and the action-plan filter read it in one query.
    """

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="recommendation_links"
    )
    recommendation = models.ForeignKey(
        "home.Recommendation", on_delete=models.CASCADE, related_name="+"
    )
    theme = models.CharField(max_length=120)
    theme_anchor = models.CharField(max_length=140)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["event", "sort_order"]
        indexes = [models.Index(fields=["recommendation", "event"])]

    def __str__(self):
        return f"{self.theme} → recommendation {self.recommendation_id}"


class WhatWeHeardMailing(models.Model):
    """The summary email of one event, started the first time "What we heard" was
    published; its existence is what stops a re-publish from emailing again."""

    event = models.OneToOneField("events.EventPage", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Summary email of event {self.event_id}"


def display_answer(value):
    """One stored answer as text (ticked boxes as Yes/No, several choices joined)."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def question_labels(event):
    """{clean_name: label} of the event's contribution questions, the default included."""
    labels = {field.clean_name: field.label for field in event.contribution_fields.all()}
    labels.setdefault(DEFAULT_QUESTION, "Your contribution")
    return labels


def sensitive_names(event):
    return {field.clean_name for field in event.contribution_fields.all() if field.sensitive}


def answers_text(contribution, include_sensitive=False):
    """A contribution's answers as "Question: answer" lines, sensitive ones left out
    unless asked for; empty once it has been anonymised."""
    if contribution.anonymised_at:
        return ""
    event = contribution.page
    labels = question_labels(event)
    hidden = set() if include_sensitive else sensitive_names(event)
    return "\n".join(
        f"{labels.get(name, name)}: {display_answer(value)}"
        for name, value in contribution.form_data.items()
        if name not in hidden
    )
