"""Roundtables that shape the action plan: written contributions, the links from
"What we heard" themes to recommendations, and the one-off summary email.

Imported at the end of `events.models`, so Django sees these as events' models.
The rules live in `events.contributions` (window, submitting) and
`events.what_we_heard` (links and the summary email).
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.forms.models import AbstractFormField

from modelcluster.fields import ParentalKey
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from home.abuse.antispam import HONEYPOT_FIELD, STARTED_FIELD
from home.privacy.consent import CONSENT_FIELD, CONSENT_VERSION_FIELD

__all__ = [
    "ContributionFormField",
    "EventContribution",
    "TaggedContribution",
    "RecommendationLink",
    "WhatWeHeardMailing",
]


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
