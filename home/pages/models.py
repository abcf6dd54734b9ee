"""The lowest layer: site settings, the shared base page, home, standard and form pages.

`blog` and `events` build on this app; nothing here imports them.
"""

import logging

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Left, Length
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.forms import BaseForm, FormBuilder
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField, EmailFormMixin
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from modelcluster.fields import ParentalKey

from home.abuse.antispam import SpamProtectionMixin
from home.pages.blocks import BaseStreamBlock
from home.pages.messages_list import EnquiriesListView
from home.privacy.staff_routing import FormPageAdminForm

logger = logging.getLogger(__name__)


def is_public():
    """A filter for live pages that no view restriction covers, itself or through an
    ancestor: `.filter(is_public())` is Wagtail's `.public()` as a subquery of the
    same statement, where `.public()` first reads every restriction separately."""
    covering = PageViewRestriction.objects.filter(
        page__path=Left(OuterRef("path"), Length("page__path"))
    )
    return ~Exists(covering)


class BumpingGenericSetting(BaseGenericSetting):
    """A generic setting whose save starts a new content version (home/web/caching.py):
    the footer and menus that show it are cached fragments. Read once per request,
    as Wagtail does."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from home.web.caching import bump_content_version

        # Its row is created with defaults on first read (nothing visible changes
        # then), so only later saves count.
        created = self.pk is None
        super().save(*args, **kwargs)
        if not created:
            bump_content_version()


@register_setting(icon="site")
class SiteSettings(BumpingGenericSetting):
    """Contact details, social links and the pages the footer always links to."""

    # Read with the settings (one query): the footer and every form link to the
    # pages, and a page without an image of its own is shared with the default one.
    select_related = ["privacy_page", "accessibility_page", "contact_page", "default_social_image"]

    organisation_name = models.CharField(max_length=120, default="Labour Muslim Network")
    tagline = models.CharField(
        max_length=200,
        blank=True,
        default="Muslim members and supporters of the Labour Party",
    )
    contact_email = models.EmailField(blank=True, default="info@labourmuslims.org")
    contact_address = models.TextField(blank=True, help_text="Postal address shown in the footer.")
    twitter_handle = models.CharField(
        max_length=50, blank=True, default="LabourMuslims", help_text="Without the @."
    )
    facebook_url = models.URLField(blank=True)
    instagram_url = models.URLField(blank=True)
    linkedin_url = models.URLField(blank=True)
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The privacy notice linked from the footer and from every form.",
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when a page shared on social media has no image of its own.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("organisation_name"), FieldPanel("tagline")], heading="Organisation"
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_address"),
                FieldPanel("contact_page"),
            ],
            heading="Contact",
        ),
        MultiFieldPanel(
            [
                FieldPanel("twitter_handle"),
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("linkedin_url"),
            ],
            heading="Social media",
        ),
        MultiFieldPanel(
            [
                FieldPanel("privacy_page"),
                FieldPanel("accessibility_page"),
                FieldPanel("default_social_image"),
            ],
            heading="Footer and sharing",
        ),
    ]

    class Meta:
        verbose_name = "Site settings"

    @property
    def twitter_url(self):
        return f"https://x.com/{self.twitter_handle}" if self.twitter_handle else ""


class BasePage(Page):
    """Abstract page with the sharing image and listing summary every page type needs."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared on social media (1200×630 works best).",
    )
    listing_summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One or two sentences shown in lists and search results.",
    )

    promote_panels = Page.promote_panels + [
        FieldPanel("listing_summary"),
        FieldPanel("social_image"),
    ]
    search_fields = Page.search_fields + [index.SearchField("listing_summary")]

    class Meta:
        abstract = True

    @cached_property
    def meta_description(self):
        return self.search_description or self.listing_summary

    def get_view_restrictions(self):
        """Wagtail's answer in one query instead of two: the restrictions on this
        page or an ancestor (their path starts this page's path), or on the page an
        ancestor is an alias of."""
        here = Value(self.path)
        return PageViewRestriction.objects.filter(
            Q(page__path=Left(here, Length("page__path")))
            | Q(page__aliases__path=Left(here, Length("page__aliases__path")))
        ).distinct()


class HomePage(BasePage):
    """The front page: a hero, the report teaser, the latest posts and next events."""

    hero_heading = models.CharField(max_length=150)
    hero_intro = models.TextField(max_length=500, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_cta_text = models.CharField("Call to action text", max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="Call to action page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    featured_heading = models.CharField(max_length=150, blank=True)
    featured_text = models.TextField(max_length=600, blank=True)
    featured_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Usually the report.",
    )
    featured_cta_text = models.CharField(max_length=60, blank=True, default="Read the report")
    body = StreamField(BaseStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_intro"),
                FieldPanel("hero_image"),
                FieldRowPanel([FieldPanel("hero_cta_text"), FieldPanel("hero_cta_page")]),
            ],
            heading="Hero",
        ),
        MultiFieldPanel(
            [
                FieldPanel("featured_heading"),
                FieldPanel("featured_text"),
                FieldRowPanel([FieldPanel("featured_cta_text"), FieldPanel("featured_page")]),
            ],
            heading="Featured report",
        ),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("hero_intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.StandardPage",
        "home.FormPage",
        "home.ReportPage",
        "blog.BlogIndexPage",
        "events.EventIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "Home page"

    # Where the featured teaser points when no page is chosen: the report lives
    # at /report/ but is built by another app, which this one must not import.
    FEATURED_FALLBACK_SLUG = "report"

    def get_featured_page(self):
        """The live, public page the featured teaser links to: the chosen one, else
        the child page at /report/ when it exists; None hides the teaser's button."""
        if self.featured_page_id:
            chosen = (
                Page.objects.live().filter(is_public()).filter(pk=self.featured_page_id).first()
            )
            if chosen is not None:
                return chosen
        return (
            Page.objects.live()
            .filter(is_public())
            .filter(url_path=f"{self.url_path}{self.FEATURED_FALLBACK_SLUG}/")
            .first()
        )


class StandardPage(BasePage):
    """About, Islamophobia Hub, Services for CLPs, privacy notice, accessibility statement."""

    introduction = models.TextField(max_length=600, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage", "home.FormPage"]


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class SpamProtectedForm(SpamProtectionMixin, BaseForm):
    pass


class SpamProtectedFormBuilder(FormBuilder):
    """Wagtail's form builder, with the honeypot and fill-time check on every form."""

    def get_form_class(self):
        return type("WagtailForm", (SpamProtectedForm,), self.formfields)

    # Native date and time pickers: labelled like any input, usable by keyboard,
    # and the browser sends ISO values that Django's fields accept.
    def create_date_field(self, field, options):
        options.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        return super().create_date_field(field, options)

    def create_datetime_field(self, field, options):
        options.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        return super().create_datetime_field(field, options)


MESSAGE_LIMIT_NOTICE = (
    "We have had a lot of messages from your connection in the last hour. "
    "Please wait a while and try again, or email us."
)


def within_message_limits(request):
    """Count one form attempt against both per-address limits (the same rule as event
    registrations): the visitor hash changes with the user agent, the network hash
    does not, so both are counted on every attempt."""
    from home.abuse.ratelimit import hit
    from home.abuse.visitor import network_hash, visitor_hash

    visitor_ok = hit(
        f"form-message:{visitor_hash(request)}",
        settings.LMN_FORM_MESSAGES_PER_HOUR,
        3600,
    )
    network_ok = hit(
        f"form-message-net:{network_hash(request)}",
        settings.LMN_FORM_MESSAGES_PER_NETWORK_PER_HOUR,
        3600,
    )
    return visitor_ok and network_ok


class EnquiriesPanel(FormSubmissionsPanel):
    """The "N submissions" link on the editor, for the people who may read them only."""

    class BoundPanel(FormSubmissionsPanel.BoundPanel):
        def is_shown(self):
            from home.privacy.staff_routing import can_handle_enquiries

            return can_handle_enquiries(self.request.user) and super().is_shown()


class SpamProtectedFormMixin:
    """Serve a form-builder page so that a filled honeypot looks like success to
    the bot but nothing is stored or emailed."""

    form_builder = SpamProtectedFormBuilder

    def serve(self, request, *args, **kwargs):
        """POST: more than LMN_FORM_MESSAGES_PER_HOUR attempts per visitor hash, or
        LMN_FORM_MESSAGES_PER_NETWORK_PER_HOUR per IP address (or IPv6 network), get
        a 429 with the form and a notice, before anything is validated or stored."""
        if request.method == "POST":
            if not within_message_limits(request):
                context = self.get_context(request)
                context["form"] = self.get_form(page=self, user=request.user)
                context["notice"] = MESSAGE_LIMIT_NOTICE
                return TemplateResponse(request, self.get_template(request), context, status=429)
            form = self.get_form(request.POST, request.FILES, page=self, user=request.user)
            if form.is_valid():
                if form.is_spam:
                    return self.render_landing_page(request, None, *args, **kwargs)
                submission = self.process_form_submission(form)
                return self.render_landing_page(request, submission, *args, **kwargs)
            context = self.get_context(request)
            context["form"] = form
            response = TemplateResponse(request, self.get_template(request), context, status=400)
            # The form shown again carries its own anti-spam token: for this reader only.
            patch_cache_control(response, private=True, no_store=True)
            return response
        return super().serve(request, *args, **kwargs)


class FormPage(SpamProtectedFormMixin, BasePage, AbstractEmailForm):
    """Contact and enquiry forms built by editors with Wagtail's form builder."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    thank_you_text = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="Shown after someone sends the form.",
    )

    content_panels = AbstractEmailForm.content_panels + [
        EnquiriesPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading="Email",
        ),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = []

    class Meta:
        verbose_name = "Form page"
        permissions = [
            (
                "handle_enquiries",
                "Can read, download and delete messages sent through contact and enquiry forms",
            )
        ]

    base_form_class = FormPageAdminForm

    def process_form_submission(self, form):
        """Store the message; the staff email goes through the background worker with
        only the message's id (home/privacy/tasks.py), never from the request."""
        from home.privacy.tasks import send_form_message_notification

        # EmailFormMixin would send the email here, in the request: skip to the
        # storing step of FormMixin.
        submission = super(EmailFormMixin, self).process_form_submission(form)
        if self.to_address:
            try:
                send_form_message_notification.enqueue(submission.pk)
            except Exception:
                # The message is stored even if the queue is down; only the id is logged.
                logger.exception("Could not queue the staff email for message %s", submission.pk)
        return submission

    def get_submissions_list_view_class(self):
        return EnquiriesListView
