"""Privacy's tables: versioned consent wording, the audit record of exports and
erasures, and the mailing list's subscribers."""

from django.conf import settings
from django.db import models


class ConsentText(models.Model):
    """One version of a consent statement shown beside a checkbox.

    Texts are never edited once saved: changing the wording means adding a new
    version, so every registration or comment can point at exactly the words
    the person agreed to.
    """

    EVENT_REGISTRATION = "event_registration"
    COMMENT = "comment"
    MAILING_LIST = "mailing_list"
    EVENT_CONTRIBUTION = "event_contribution"
    PURPOSES = [
        (EVENT_REGISTRATION, "Event registration"),
        (COMMENT, "Posting a comment"),
        (MAILING_LIST, "Mailing list (optional)"),
        (EVENT_CONTRIBUTION, "Written contribution to an event"),
    ]

    purpose = models.CharField(max_length=40, choices=PURPOSES)
    version = models.PositiveIntegerField(editable=False)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="unique_consent_version")
        ]
        verbose_name = "consent wording"
        verbose_name_plural = "consent wording"

    def __str__(self):
        return f"{self.get_purpose_display()}, version {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Consent wording is never edited: add a new version instead.")
        if not self.version:
            latest = (
                ConsentText.objects.filter(purpose=self.purpose)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)


class PrivacyAction(models.Model):
    """A record that personal data was exported, erased or removed by retention.

    It says who acted, when and how many records were involved, never whose data
    it was: an erasure record must not itself keep the erased email address.
    """

    KINDS = [
        ("export", "Subject access export"),
        ("erasure", "Erasure"),
        ("retention", "Retention run"),
        ("registrations_export", "Registrations export"),
        ("mailing_list_export", "Mailing list export"),
        ("enquiries_export", "Form messages export"),
        ("contributions_export", "Written contributions export"),
    ]

    kind = models.CharField(max_length=30, choices=KINDS)
    performed_at = models.DateTimeField(auto_now_add=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-performed_at"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.performed_at:%d %B %Y %H:%M}"


def _new_unsubscribe_token():
    import secrets

    return secrets.token_urlsafe(32)


class MailingListSubscriber(models.Model):
    """Someone who ticked the optional mailing-list box on a registration or comment form.

    Its own record, apart from the registration or comment it came with: those are
    deleted on their own schedule, the subscription stays until the person
    unsubscribes (from the signed link in our emails) or asks for erasure. One row
    per email address (lower-case); opting in again records the newest wording
    agreed to. The unsubscribe token is random and only ever sent signed.

    Double opt-in: a subscription counts only once the person has confirmed it from
    the link we email them (`confirmed_at`); unconfirmed ones are deleted after
    LMN_MAILING_LIST_UNCONFIRMED_DAYS by `apply_retention`.
    """

    EVENT_REGISTRATION = "event_registration"
    COMMENT = "comment"
    SOURCES = [
        (EVENT_REGISTRATION, "Event registration"),
        (COMMENT, "Comment"),
    ]

    email = models.EmailField(max_length=254, unique=True)
    consent = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"purpose": ConsentText.MAILING_LIST},
        verbose_name="consent wording",
    )
    consented_at = models.DateTimeField()
    source = models.CharField(
        max_length=30, choices=SOURCES, help_text="The form on which the person first opted in."
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="subscribed at")
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the person confirmed from the link we emailed them. Only "
        "confirmed subscribers are exported: anyone can type someone else's address.",
    )
    unsubscribe_token = models.CharField(
        max_length=64, unique=True, default=_new_unsubscribe_token, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "mailing list subscriber"

    def __str__(self):
        # Shown in admin titles and audit labels: never the address itself.
        return f"Subscriber {self.pk}"
