"""The report (`ReportPage`) and its public action-plan tracker (`ActionPlanPage`).

Imported by `home.models`, the module Django loads for the app.
"""

from django.db import models
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.functional import cached_property
from django.utils.http import urlencode

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, Panel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.signals import page_published

from modelcluster.fields import ParentalKey

from home.pages.models import BasePage, is_public
from home.report.blocks import EvidenceLinkBlock, FindingBlock, ReportStreamBlock, SourceBlock
from home.report.outline import build_outline, suggested_citation, unique_anchor
from home.report.progress import (
    NOT_STARTED,
    STATUS_CHOICES,
    STATUS_LABELS,
    is_valid_status,
    status_changes,
    summarise,
)

FEED_ITEMS = 50

# The hook through which the apps above home say what informed a recommendation
# ("You said"): each function registered under this name takes (plan, request) and
# returns dicts with recommendation_id, roundtable (a slug), roundtable_title,
# event_url, theme and theme_url. Events registers one (events/wagtail_hooks.py).
INFORMED_BY_HOOK = "action_plan_informed_by"


def informed_by(plan, request):
    from wagtail import hooks

    rows = []
    for fn in hooks.get_hooks(INFORMED_BY_HOOK):
        rows.extend(fn(plan, request))
    return rows


class ReportPage(BasePage):
    """A research report published as a readable web page, with its PDF as a download."""

    # The main menu uses this instead of the report's long full title.
    menu_title = "Report"

    publication_date = models.DateField()
    authors = models.CharField(max_length=250, blank=True, help_text="e.g. 'LMN research unit'.")
    foreword_credit = models.CharField(
        max_length=250, blank=True, help_text="e.g. 'Foreword by … MP'."
    )
    summary = RichTextField(features=["bold", "italic", "link"], blank=True)
    sample_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Number of survey respondents, shown with the findings."
    )
    findings_caption = models.CharField(
        max_length=200,
        default="Share of survey respondents",
        help_text="Caption of the key findings chart.",
    )
    key_findings = StreamField([("finding", FindingBlock())], blank=True)
    body = StreamField(
        ReportStreamBlock(),
        blank=True,
        help_text="Start each section with a Heading 2; the contents list is built from them.",
    )
    sources = StreamField(
        [("source", SourceBlock())], blank=True, help_text="Footnotes and sources, in order."
    )
    pdf_document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="PDF",
    )
    citation = models.TextField(
        blank=True,
        help_text="Suggested citation. Left blank, one is built from the title, date and URL.",
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("publication_date"),
                FieldRowPanel([FieldPanel("authors"), FieldPanel("foreword_credit")]),
                FieldPanel("summary"),
            ],
            heading="About the report",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("sample_size"), FieldPanel("findings_caption")]),
                FieldPanel("key_findings"),
            ],
            heading="Key findings",
        ),
        FieldPanel("body"),
        FieldPanel("sources"),
        MultiFieldPanel(
            [FieldPanel("pdf_document"), FieldPanel("citation")], heading="Download and citation"
        ),
        InlinePanel("related_pages", label="Related posts and events"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("key_findings"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.ActionPlanPage"]

    class Meta:
        verbose_name = "Report page"

    @cached_property
    def outline(self):
        return build_outline(self.body)

    def findings_with_anchors(self):
        """Each finding's value with a stable id (`finding-<slug of label>`)."""
        taken = set(self.outline.taken)
        return [
            {"value": value, "anchor": unique_anchor(f"finding {value['label']}", taken)}
            for value in (block.value for block in self.key_findings)
        ]

    def get_citation(self, request=None):
        if self.citation:
            return self.citation
        from home.pages.models import SiteSettings

        organisation = SiteSettings.load(request_or_site=request).organisation_name
        return suggested_citation(
            organisation, self.publication_date.year, self.title, self.get_full_url(request)
        )

    def get_related_pages(self):
        """Editor-chosen pages, in order, that are live and public (others are skipped)."""
        ids = [item.page_id for item in self.related_pages.all() if item.page_id]
        if not ids:
            return []
        pages = Page.objects.live().filter(is_public()).filter(pk__in=ids).specific().in_bulk()
        return [pages[pk] for pk in ids if pk in pages]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["outline"] = self.outline
        context["findings"] = findings = self.findings_with_anchors()
        page_url = self.get_full_url(request) or ""
        for finding in findings:
            figure = f"{finding['value']['figure'].normalize():f}%"
            finding["figure_text"] = figure
            finding["share_url"] = "https://x.com/intent/post?" + urlencode(
                {
                    "text": f"{figure} {finding['value']['label']}",
                    "url": f"{page_url}#{finding['anchor']}",
                }
            )
        context["suggested_citation"] = self.get_citation(request)
        context["related"] = self.get_related_pages()
        context["action_plan"] = (
            ActionPlanPage.objects.child_of(self).live().filter(is_public()).first()
        )
        return context


class ReportRelatedPage(Orderable):
    """A post, event or any other page an editor lists beside the report."""

    report = ParentalKey(ReportPage, on_delete=models.CASCADE, related_name="related_pages")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("page")]


class StatusHistoryPanel(Panel):
    """Read-only list of published status changes, and a link to quick updates."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "home/admin/report_status_history_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["changes"] = (
                RecommendationStatusChange.objects.filter(recommendation__page_id=page.pk)
                .select_related("recommendation")
                .order_by("-changed_at", "-pk")[:30]
                if page.pk
                else []
            )
            context["quick_url"] = (
                reverse("home_action_plan_statuses", args=[page.pk]) if page.pk else ""
            )
            return context


class ActionPlanPageForm(WagtailAdminPageForm):
    """Page editor form: unique numbers, and the last-change date kept up to date."""

    def is_valid(self):
        valid = super().is_valid()
        formset = self.formsets.get("recommendations")
        if formset is None or not valid:
            return valid
        seen = {}
        for form in formset.forms:
            if form in formset.deleted_forms or not form.cleaned_data:
                continue
            number = form.cleaned_data.get("number")
            if number in seen:
                form.add_error("number", f"Recommendation {number} is already on this page.")
                valid = False
            seen[number] = form
        return valid

    def save(self, commit=True):
        # A changed status or progress note moves "last changed" to today, unless
        # the editor set that date themselves (to correct it).
        formset = self.formsets.get("recommendations")
        if formset is not None:
            today = timezone.localdate()
            for form in formset.forms:
                changed = set(form.changed_data)
                if changed & {"status", "progress_note"} and "last_changed" not in changed:
                    form.instance.last_changed = today
        return super().save(commit=commit)


class ActionPlanPage(RoutablePageMixin, BasePage):
    """The public tracker of the report's recommendations and their status."""

    intro = RichTextField(features=["bold", "italic", "link"], blank=True)
    example_content = models.BooleanField(
        default=False,
        help_text="Label every recommendation on the page as example text (for demo sites).",
    )

    base_form_class = ActionPlanPageForm
    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("example_content"),
        InlinePanel("recommendations", label="Recommendations", heading="Recommendations"),
        StatusHistoryPanel(heading="Status history"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("intro"),
        index.RelatedFields(
            "recommendations",
            [index.SearchField("title"), index.SearchField("description")],
        ),
    ]

    parent_page_types = ["home.ReportPage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "Action plan page"

    def get_recommendations(self):
        """Recommendations in editor order, each with `.history` (oldest first) attached.

        Two queries whatever the number of recommendations: the items, then all
        their history rows at once.
        """
        items = list(self.recommendations.all())
        ids = [item.pk for item in items if item.pk]
        history = {}
        if ids:
            for change in RecommendationStatusChange.objects.filter(
                recommendation_id__in=ids
            ).order_by("changed_at", "pk"):
                history.setdefault(change.recommendation_id, []).append(change)
        for item in items:
            item.history = history.get(item.pk, [])
        return items

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = self.get_recommendations()
        context["summary"] = summarise(item.status for item in items)
        context["recommendations"] = items
        base_url = self.get_url(request) or ""
        informed = informed_by(self, request)
        roundtables = {}
        for item in items:
            item.url = base_url + self.reverse_subpage("recommendation", args=[item.number])
            item.you_said = [row for row in informed if row["recommendation_id"] == item.pk]
        for row in informed:
            roundtable = roundtables.setdefault(
                row["roundtable"],
                {"slug": row["roundtable"], "title": row["roundtable_title"], "ids": set()},
            )
            roundtable["ids"].add(row["recommendation_id"])
        context["roundtables"] = list(roundtables.values())
        context["feed_url"] = (self.get_url(request) or "") + self.reverse_subpage("feed")
        return context

    @path("")
    def index_route(self, request):
        """The whole plan, optionally filtered by `?status=` or by `?roundtable=` (the
        recommendations a roundtable informed); an unknown value is a 400."""
        status = request.GET.get("status", "")
        error = ""
        if status and not is_valid_status(status):
            error = "There is no such status. Choose one of the statuses listed."
            status = ""
        context = self.get_context(request)
        items = context["recommendations"]
        roundtable_slug = request.GET.get("roundtable", "")
        roundtable = None
        if roundtable_slug:
            matches = [r for r in context["roundtables"] if r["slug"] == roundtable_slug]
            if matches:
                roundtable = matches[0]
            else:
                error = (
                    "There is no roundtable with that name that informed this plan. Choose one "
                    "of the roundtables listed."
                )
        context["status_filter"] = status
        context["status_filter_label"] = STATUS_LABELS.get(status, "")
        context["roundtable_filter"] = roundtable
        context["filter_error"] = error
        shown = [item for item in items if item.status == status] if status else items
        if roundtable:
            shown = [item for item in shown if item.pk in roundtable["ids"]]
        context["shown"] = shown
        response = self.render(request, context_overrides=context)
        if error:
            response.status_code = 400
        return response

    @path("recommendation/<int:number>/", name="recommendation")
    def recommendation_route(self, request, number):
        context = self.get_context(request)
        matches = [item for item in context["recommendations"] if item.number == number]
        if not matches:
            from django.http import Http404

            raise Http404("No recommendation with that number.")
        context["recommendation"] = matches[0]
        return self.render(
            request,
            context_overrides=context,
            template="home/action_plan_recommendation.html",
        )

    @path("feed/", name="feed")
    def feed_route(self, request):
        """RSS 2.0 feed of published status changes, newest first."""
        page_url = self.get_full_url(request)
        feed = Rss201rev2Feed(
            title=f"{self.title}: status changes",
            link=page_url,
            description=f"Every published change of status in the {self.title.lower()}.",
            language="en-gb",
            feed_url=page_url + self.reverse_subpage("feed"),
        )
        changes = (
            RecommendationStatusChange.objects.filter(recommendation__page_id=self.pk)
            .select_related("recommendation")
            .order_by("-changed_at", "-pk")[:FEED_ITEMS]
        )
        for change in changes:
            rec = change.recommendation
            link = page_url + self.reverse_subpage("recommendation", args=[rec.number])
            status = change.get_to_status_display()
            feed.add_item(
                title=f"Recommendation {rec.number}: {rec.title} — {status}",
                link=link,
                description=" ".join(filter(None, [change.describe(), change.note])),
                unique_id=f"{link}#change-{change.pk}",
                unique_id_is_permalink=False,
                pubdate=change.changed_at,
            )
        response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
        feed.write(response, "utf-8")
        return response


class Recommendation(Orderable):
    """One recommendation of the report and where it stands now."""

    page = ParentalKey(ActionPlanPage, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    owner = models.CharField(
        max_length=200, blank=True, help_text="Who is responsible, e.g. 'General Secretary'."
    )
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=NOT_STARTED)
    progress_note = models.TextField(
        blank=True, max_length=1000, help_text="A short public note on progress."
    )
    evidence = StreamField([("link", EvidenceLinkBlock())], blank=True)
    last_changed = models.DateField(
        null=True,
        blank=True,
        help_text="Set to today when you change the status or note; change it only to correct it.",
    )

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("status")]),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("owner"), FieldPanel("last_changed")]),
        FieldPanel("progress_note"),
        FieldPanel("evidence"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "recommendation"

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def anchor(self):
        return f"recommendation-{self.number}"

    @property
    def last_change_date(self):
        """The editor's date if set, otherwise the date of the latest status change.

        Uses the `history` list that `ActionPlanPage.get_recommendations` attaches,
        so that listing many recommendations costs no extra queries.
        """
        if self.last_changed:
            return self.last_changed
        history = getattr(self, "history", None) or []
        return timezone.localtime(history[-1].changed_at).date() if history else None


class RecommendationStatusChange(models.Model):
    """A published change of a recommendation's status, with when it happened.

    Rows are written when a page revision is published (see `record_status_changes`),
    or by the demo loader for past dates; editors read them but never edit them.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True, help_text="The public progress note at the time.")
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = "status change"

    def __str__(self):
        return f"{self.recommendation}: {self.describe()}"

    def describe(self):
        if not self.from_status:
            return f"Status set to {self.get_to_status_display().lower()}."
        return (
            f"Status changed from {self.get_from_status_display().lower()} "
            f"to {self.get_to_status_display().lower()}."
        )


def record_status_changes(page, revision=None, when=None):
    """Add a history row for each live recommendation whose status differs from its
    latest history row. Returns the rows created."""
    current = {rec.pk: rec for rec in Recommendation.objects.filter(page_id=page.pk)}
    latest = {}
    for change in RecommendationStatusChange.objects.filter(recommendation_id__in=current).order_by(
        "changed_at", "pk"
    ):
        latest[change.recommendation_id] = change.to_status
    when = when or timezone.now()
    rows = [
        RecommendationStatusChange(
            recommendation=current[pk],
            from_status=old,
            to_status=new,
            changed_at=when,
            note=current[pk].progress_note,
            revision=revision,
        )
        for pk, old, new in status_changes({pk: rec.status for pk, rec in current.items()}, latest)
    ]
    return RecommendationStatusChange.objects.bulk_create(rows)


@receiver(page_published, sender=ActionPlanPage)
def _on_action_plan_published(sender, instance, revision=None, **kwargs):
    record_status_changes(instance, revision=revision)
