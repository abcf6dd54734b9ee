"""Versioned consent wording: which words a person agreed to, and when."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from home.privacy.models import ConsentText

# A form's consent box, and the hidden version of the wording it showed.
CONSENT_FIELD = "consent"
CONSENT_VERSION_FIELD = "consent_version"


def check_consent_version(form, cleaned, message):
    """Refuse a ticked box whose wording changed while the form was open.

    Takes the hidden version out of `cleaned` (it is never stored) and, when it is not
    the version of `form.consent_text`, puts `message` on the box: nobody is recorded
    as agreeing to words they never saw.
    """
    version = cleaned.pop(CONSENT_VERSION_FIELD, None)
    if cleaned.get(CONSENT_FIELD) and version != form.consent_text.version:
        form.add_error(CONSENT_FIELD, ValidationError(message, code="consent_changed"))


DEFAULT_WORDING = {
    ConsentText.EVENT_REGISTRATION: (
        "I agree that the Labour Muslim Network may use the details I give here to manage "
        "my place at this event and to contact me about it. I understand that registering "
        "may reveal my religion or political opinions, and that my details are deleted "
        "after the event as described in the privacy notice."
    ),
    ConsentText.COMMENT: (
        "I agree that the Labour Muslim Network may store my name, email address and "
        "comment to moderate and publish it. My email address is never shown and is "
        "deleted after moderation as described in the privacy notice."
    ),
    ConsentText.EVENT_CONTRIBUTION: (
        "I agree that the Labour Muslim Network may keep what I write here, with my name and "
        "email address unless I send it anonymously, to prepare the summary of this event and "
        "the action plan. I understand that it may reveal my religion or political opinions. "
        "It is deleted after the event as described in the privacy notice, and any quote is "
        "published without my name unless I ask to be credited."
    ),
    ConsentText.MAILING_LIST: (
        "Yes, I would like to receive occasional emails about the network's campaigns and "
        "events. I can unsubscribe at any time."
    ),
}


def current_consent(purpose):
    """The latest wording for `purpose` (one indexed query), creating version 1
    from the default if none exists."""
    latest = ConsentText.objects.filter(purpose=purpose).order_by("-version").first()
    if latest is None:
        try:
            with transaction.atomic():
                latest = ConsentText(purpose=purpose, text=DEFAULT_WORDING[purpose])
                latest.save()
        except IntegrityError:
            # Another request created version 1 at the same moment: use theirs.
            latest = ConsentText.objects.filter(purpose=purpose).order_by("-version").first()
    return latest


def current_consents(*purposes):
    """{purpose: latest wording} for each of `purposes`, in one query (a form
    showing its own consent box and the mailing-list box reads both at once)."""
    newest = ConsentText.objects.filter(purpose=OuterRef("purpose")).order_by("-version")
    found = {
        consent.purpose: consent
        for consent in ConsentText.objects.filter(
            purpose__in=purposes, version=Subquery(newest.values("version")[:1])
        )
    }
    for purpose in purposes:
        if purpose not in found:  # none yet: version 1 from the default
            found[purpose] = current_consent(purpose)
    return found


def publish_consent(purpose, text):
    """Add a new version of the wording for `purpose` (old versions stay as they were)."""
    consent = ConsentText(purpose=purpose, text=text)
    consent.save()
    return consent
