"""The optional mailing-list opt-in: subscribe, unsubscribe, and its part in subject
access and erasure (see `home.privacy.registry`).

A separate, never pre-ticked box on the registration and comment forms, apart from
the consent those forms require. The subscription is its own record
(`MailingListSubscriber`): retention of registrations and comments leaves it alone,
and an erasure request removes it along with everything else.

Double opt-in: anyone can type someone else's address into a form, and being on
this list says something about a person's politics and faith. So a new subscription
is only a request until the person confirms it from a link we email them
(`confirmed_at`); only confirmed subscribers are exported, and unconfirmed ones are
deleted after LMN_MAILING_LIST_UNCONFIRMED_DAYS (30) by `apply_retention`. The
confirmation email is sent at most once a day per address, so the forms cannot be
used to flood someone's inbox.

Confirmation and unsubscribe links carry the subscriber's random token signed with
SECRET_KEY (each with its own salt), so a link cannot be forged or guessed, and
carry no email address.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from home.privacy.consent import current_consent
from home.privacy.models import ConsentText, MailingListSubscriber
from home.privacy.registry import normalise_email

_SALT = "lmn.mailing_list.unsubscribe"
_CONFIRM_SALT = "lmn.mailing_list.confirm"
CONFIRMATION_EMAIL_EVERY = timedelta(days=1)


def unconfirmed_days():
    return getattr(settings, "LMN_MAILING_LIST_UNCONFIRMED_DAYS", 30)


EVENT_REGISTRATION = MailingListSubscriber.EVENT_REGISTRATION
COMMENT = MailingListSubscriber.COMMENT


class InvalidLink(Exception):
    """The unsubscribe link was altered, truncated or never issued by us."""


def wording():
    """The current mailing-list wording (the label of the opt-in box)."""
    return current_consent(ConsentText.MAILING_LIST)


def opt_in(email, source, consent=None, now=None):
    """Subscribe `email` (from `source`: registration or comment); returns the subscriber.

    One record per address: opting in again keeps the record (and its unsubscribe
    link) and records the newest wording agreed to and when. `consent` is the
    wording shown on the form (the current one if not given).
    """
    email = normalise_email(email)
    if not email:
        raise ValueError("An email address is needed to subscribe.")
    if source not in dict(MailingListSubscriber.SOURCES):
        raise ValueError(f"Unknown source {source!r}")
    consent = consent or wording()
    now = now or timezone.now()
    # get_or_create retries the read if a simultaneous opt-in wins the unique email.
    subscriber, created = MailingListSubscriber.objects.get_or_create(
        email=email, defaults={"consent": consent, "consented_at": now, "source": source}
    )
    if not created:
        MailingListSubscriber.objects.filter(pk=subscriber.pk).update(
            consent=consent, consented_at=now
        )
        subscriber.consent, subscriber.consented_at = consent, now
    if subscriber.confirmed_at is None:
        request_confirmation(subscriber, now)
    return subscriber


def request_confirmation(subscriber, now=None):
    """Queue the "please confirm" email, unless one went to this address in the last
    day; True when queued. The claim is one UPDATE, so two forms sent at once
    cannot both send it."""
    from home.privacy.tasks import send_mailing_list_confirmation

    now = now or timezone.now()
    claimed = MailingListSubscriber.objects.filter(
        Q(confirmation_sent_at__isnull=True)
        | Q(confirmation_sent_at__lte=now - CONFIRMATION_EMAIL_EVERY),
        pk=subscriber.pk,
        confirmed_at__isnull=True,
    ).update(confirmation_sent_at=now)
    if claimed:
        send_mailing_list_confirmation.enqueue(subscriber.pk)
    return bool(claimed)


def make_confirm_code(subscriber):
    return signing.Signer(salt=_CONFIRM_SALT).sign(subscriber.unsubscribe_token)


def confirm_path(subscriber):
    return reverse("mailing_list_confirm", args=[make_confirm_code(subscriber)])


def find_by_confirm_code(code):
    """The subscriber a genuine confirmation link points at, or None once they have
    unsubscribed or been removed. Raises InvalidLink when the code is not ours."""
    try:
        token = signing.Signer(salt=_CONFIRM_SALT).unsign(code or "")
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    return MailingListSubscriber.objects.filter(unsubscribe_token=token).first()


def confirm(subscriber, now=None):
    """Record that the person confirmed (idempotent: the first time counts);
    True when this call confirmed it."""
    now = now or timezone.now()
    return bool(
        MailingListSubscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
    )


def apply_retention(now, dry_run=False):
    """Delete subscriptions nobody confirmed within LMN_MAILING_LIST_UNCONFIRMED_DAYS."""
    cutoff = now - timedelta(days=unconfirmed_days())
    stale = MailingListSubscriber.objects.filter(confirmed_at__isnull=True, consented_at__lt=cutoff)
    count = stale.count()
    if not count:
        return []
    if not dry_run:
        stale.delete()
    verb = "would delete" if dry_run else "deleted"
    return [
        f"Mailing list: {verb} {count} unconfirmed subscription(s) older than "
        f"{unconfirmed_days()} days."
    ]


def subscriber_for(email):
    """The subscription of `email`, or None."""
    email = normalise_email(email)
    if not email:
        return None
    return MailingListSubscriber.objects.filter(email=email).first()


def make_unsubscribe_code(subscriber):
    return signing.Signer(salt=_SALT).sign(subscriber.unsubscribe_token)


def read_unsubscribe_code(code):
    """The token inside a code we signed; InvalidLink for anything else."""
    try:
        return signing.Signer(salt=_SALT).unsign(code or "")
    except signing.BadSignature as exc:
        raise InvalidLink from exc


def unsubscribe_path(subscriber):
    return reverse("mailing_list_unsubscribe", args=[make_unsubscribe_code(subscriber)])


def unsubscribe_url_for(email, site_root):
    """The full unsubscribe link for `email`, or "" when it is not subscribed."""
    subscriber = subscriber_for(email)
    if subscriber is None:
        return ""
    return site_root.rstrip("/") + unsubscribe_path(subscriber)


def find_by_code(code):
    """The subscriber a genuine link points at, or None once they have unsubscribed.

    Raises InvalidLink when the code is not one we signed.
    """
    token = read_unsubscribe_code(code)
    return MailingListSubscriber.objects.filter(unsubscribe_token=token).first()


def unsubscribe(code):
    """Remove the subscription a genuine link points at.

    Idempotent: True when a subscription was removed, False when it had already
    gone (unsubscribed before, or erased). Raises InvalidLink for a forged code.
    """
    token = read_unsubscribe_code(code)
    deleted, _ = MailingListSubscriber.objects.filter(unsubscribe_token=token).delete()
    return bool(deleted)


def export(email):
    """The subscription of `email` (if any) with the wording agreed to and when."""
    subscriber = subscriber_for(email)
    if subscriber is None:
        return []
    consent = subscriber.consent
    return [
        {
            "id": subscriber.pk,
            "email": subscriber.email,
            "source": subscriber.get_source_display(),
            "subscribed_at": subscriber.created_at.isoformat(),
            "consent_wording_version": consent.version,
            "consent_wording": consent.text,
            "consented_at": subscriber.consented_at.isoformat(),
            "confirmed_at": subscriber.confirmed_at.isoformat()
            if subscriber.confirmed_at
            else None,
        }
    ]


def erase(email):
    """Delete the subscription of `email`; returns how many (0 or 1)."""
    email = normalise_email(email)
    if not email:
        return 0
    deleted, _ = MailingListSubscriber.objects.filter(email=email).delete()
    return deleted


def register():
    from home.privacy import registry as privacy

    privacy.register_holder("mailing_list", export=export, erase=erase)
    privacy.register_retention_rule("mailing_list", apply_retention)
