"""Reader comments on blog posts, their reports, and the moderation settings.

The post is a plain foreign key to Wagtail's `Page` (views only accept blog
posts), so these tables never depend on the blog app's migrations.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import register_setting

from home.pages.models import BumpingGenericSetting

from . import moderation

MAX_COMMENT_LENGTH = 3000


@register_setting(icon="comment")
class CommentSettings(BumpingGenericSetting):
    """How reader comments are moderated, when threads close, and how long
    commenters' personal data is kept."""

    moderation_mode = models.CharField(
        max_length=10,
        choices=moderation.MODE_CHOICES,
        default=moderation.MODERATE_EVERY,
    )
    auto_approve_after = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text="With automatic approval: how many approved comments an email address "
        "needs before we email a link to publish its new comments without review. Only "
        "the person who reads that inbox can use the link.",
    )
    max_links = models.PositiveSmallIntegerField(
        default=2, help_text="Comments with more links than this are held for review."
    )
    banned_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line. Comments containing them are refused with a "
        "polite message. End a word with * to match any ending.",
    )
    suspect_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line. Comments containing them are always held for "
        "review, and the moderator is told which words matched.",
    )
    close_after_days = models.PositiveSmallIntegerField(
        default=60, help_text="Close comments this many days after a post is published (0: never)."
    )
    reports_to_hide = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Hide an approved comment for review after this many readers report it.",
    )
    retention_days = models.PositiveSmallIntegerField(
        "Keep commenters' personal data for (days)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Email addresses and visitor hashes are deleted this many days after a "
        "comment is approved, rejected or marked as spam. Names and published comments stay; "
        "rejected and spam comments are deleted after a period set on the server (30 days "
        "by default).",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("moderation_mode"), FieldPanel("auto_approve_after")],
            heading="Moderation",
        ),
        MultiFieldPanel(
            [FieldPanel("max_links"), FieldPanel("banned_words"), FieldPanel("suspect_words")],
            heading="Spam and abuse",
        ),
        MultiFieldPanel(
            [FieldPanel("close_after_days"), FieldPanel("reports_to_hide")],
            heading="Threads and reports",
        ),
        FieldPanel("retention_days"),
    ]

    class Meta:
        verbose_name = "Comment settings"

    def rules(self):
        return moderation.Rules(
            mode=self.moderation_mode,
            auto_approve_after=self.auto_approve_after,
            max_links=self.max_links,
            banned_words=moderation.parse_word_list(self.banned_words),
            suspect_words=moderation.parse_word_list(self.suspect_words),
        )


class Comment(models.Model):
    """A reader's comment on a blog post, or a reply to one (one level deep).

    The text is stored exactly as typed and only ever rendered escaped. The
    email and visitor hash are personal data, cleared by `purge_comment_data`
    once the comment has been decided and the retention period has passed.
    """

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="post",
        on_delete=models.CASCADE,
        related_name="reader_comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="reply to",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    name = models.CharField(max_length=80)
    email = models.EmailField(blank=True, help_text="Never shown publicly.")
    text = models.TextField(max_length=MAX_COMMENT_LENGTH)
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    status = models.CharField(
        max_length=10, choices=moderation.STATUS_CHOICES, default=moderation.PENDING
    )
    reasons = models.JSONField(
        default=list, blank=True, help_text="Why the comment was held or decided as it was."
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visitor_hash = models.CharField(max_length=64, blank=True, editable=False)
    consent = models.ForeignKey(
        "home.ConsentText",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The consent wording the commenter agreed to.",
    )
    consent_given_at = models.DateTimeField(null=True, blank=True)
    personal_data_cleared_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["page", "status", "created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]
        verbose_name = "comment"

    def __str__(self):
        excerpt = " ".join(self.text.split())
        if len(excerpt) > 60:
            excerpt = excerpt[:59] + "…"
        return f"{self.name}: {excerpt}"

    @property
    def is_reply(self):
        return self.parent_id is not None


class CommentReport(models.Model):
    """A reader's report that an approved comment breaks the rules.

    `network_hash` (the day's hash of the IP address alone) decides how many
    readers reported: reports from one address count once towards hiding the
    comment, however many user agents they came with.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=300, blank=True)
    visitor_hash = models.CharField(max_length=64, blank=True, editable=False)
    network_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed = models.BooleanField(
        default=False, help_text="Set when a moderator decides the reported comment."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One report per reader per comment (the hash changes daily, so this
            # slows repeat reporting rather than making it impossible).
            models.UniqueConstraint(
                fields=["comment", "visitor_hash"],
                condition=~Q(visitor_hash=""),
                name="one_report_per_visitor",
            )
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id}"


class CommentThread(models.Model):
    """The per-post switch: editors can close comments on one post."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="comment_thread"
    )
    closed = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Comments {'closed' if self.closed else 'open'} on page {self.page_id}"
