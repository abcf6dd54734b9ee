"""Registries for personal data: subject access, erasure and retention.

Registrations and comments reveal religion and political opinion (UK GDPR
special category data). Each app that stores such data registers, in its
`AppConfig.ready()`, how to export and erase what it holds about an email
address, and how to apply its retention rule. The management commands
`privacy_export`, `privacy_erase` and `apply_retention` (and the admin
download) call every registered part, so `home` never imports the apps above it.
"""

import ipaddress
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

_holders = {}
_retention_rules = {}


@dataclass(frozen=True)
class PersonalDataHolder:
    """One kind of personal data: `export(email) -> list[dict]` (JSON-ready records
    about that person only) and `erase(email) -> int` (how many records were
    deleted or anonymised)."""

    name: str
    export: Callable
    erase: Callable


@dataclass(frozen=True)
class RetentionRule:
    """`apply(now, dry_run) -> list[str]`: lines describing what was (or would be)
    deleted or anonymised. Must be idempotent."""

    name: str
    apply: Callable


def register_holder(name, export, erase):
    _holders[name] = PersonalDataHolder(name=name, export=export, erase=erase)


def register_retention_rule(name, apply):
    _retention_rules[name] = RetentionRule(name=name, apply=apply)


def holders():
    return [_holders[name] for name in sorted(_holders)]


def retention_rules():
    return [_retention_rules[name] for name in sorted(_retention_rules)]


def normalise_email(email):
    return (email or "").strip().lower()


def describe_counts(counts):
    """ "2 comments and 1 registration" from {"comments": 2, "registrations": 1}; zeros left out."""
    parts = [
        f"{count} {(name[:-1] if count == 1 and name.endswith('s') else name).replace('_', ' ')}"
        for name, count in counts.items()
        if count
    ]
    if not parts:
        return "nothing"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def export_person(email):
    """Everything held about `email`, keyed by holder name."""
    email = normalise_email(email)
    return {holder.name: holder.export(email) for holder in holders()}


def erase_person(email):
    """Erase everything held about `email`; returns counts per holder."""
    email = normalise_email(email)
    return {holder.name: holder.erase(email) for holder in holders()}


def apply_retention(now, dry_run=False):
    """Run every retention rule; returns {rule name: [lines]}."""
    return {rule.name: rule.apply(now=now, dry_run=dry_run) for rule in retention_rules()}


def consent_records(data):
    """The consent evidence found in the holders' records: which wording (version and
    text) was agreed to, for what, and when."""
    records = []
    for holder, rows in data.items():
        for row in rows:
            if row.get("consent_wording_version") is None:
                continue
            records.append(
                {
                    "given_for": holder,
                    "record_id": row.get("id"),
                    "wording_version": row["consent_wording_version"],
                    "wording": row.get("consent_wording"),
                    "given_at": row.get("consented_at") or row.get("consent_given_at"),
                }
            )
    return records


def build_export_document(email):
    """The subject access document: every holder's records, the consent records and counts."""
    from django.utils import timezone

    data = export_person(email)
    return {
        "about": (
            "Everything the Labour Muslim Network website holds about this email address: "
            "event registrations (with answers), comments, messages, the mailing-list "
            "subscription and the consent wording agreed to."
        ),
        "generated_at": timezone.now().isoformat(),
        "subject_email": normalise_email(email),
        "counts": {name: len(records) for name, records in data.items()},
        "data": data,
        "consent_records": consent_records(data),
    }


def record_privacy_action(kind, user, counts):
    """Record an export, erasure or retention run in Wagtail's audit log.

    The record keeps who, when and how many — never whose data it was.
    """
    from wagtail.log_actions import log

    from home.privacy.models import PrivacyAction

    action = PrivacyAction.objects.create(kind=kind, performed_by=user, counts=counts)
    log(instance=action, action=f"lmn.privacy.{kind}", user=user)
    return action


# Logs and error reports ---------------------------------------------------------
#
# What people type into public forms (names, emails, answers, comments) and their
# IP addresses must never reach log files or the error emails sent to ADMINS.
# Views never log them; these are the safety net for what Django itself writes
# when something fails (settings: LOGGING's "personal_data" filter,
# DEFAULT_EXCEPTION_REPORTER_FILTER and DEFAULT_EXCEPTION_REPORTER).

REDACTED = "[removed]"
# An email address, whole: a local part of RFC 5322 "atext" (letters and digits in
# any script, and ! # $ % & ' * + - / = ? ^ _ ` { | } ~) and dots, matched from the
# start of its run so no part of it is left behind, or a quoted local part ("a b");
# then a domain name with a dot, or an address literal ([192.0.2.1]).
_ATEXT = r"\w!#$%&'*+/=?^`{|}~-"
_EMAIL = re.compile(
    rf"(?:(?<![.{_ATEXT}])[.{_ATEXT}]+|\"(?:[^\"\\\r\n]|\\.)*\")"
    r"@(?:[\w-]+(?:\.[\w-]+)+|\[[\w.:-]+\])"
)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
# PostgreSQL repeats the offending values in constraint errors.
_DB_VALUES = [
    re.compile(r"(Key \([^)]*\)=\().*(\) already exists)"),
    re.compile(r"(Key \([^)]*\)=\().*(\) is not present)"),
    re.compile(r"(Failing row contains \().*(\))"),
]


def _redact_ipv6(match):
    text = match.group(0)
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return text  # a time such as 12:30:45, not an address
    return REDACTED if any(char.isalnum() for char in text) else text


def redact(text):
    """`text` with email addresses, IP addresses and values quoted by database errors
    replaced by "[removed]". Names and free text cannot be recognised, which is why
    nothing is logged with them in the first place; this catches what slips through."""
    if not text:
        return text
    for pattern in _DB_VALUES:
        text = pattern.sub(lambda m: m.group(1) + REDACTED + m.group(2), text)
    text = _EMAIL.sub(REDACTED, text)
    text = _IPV4.sub(REDACTED, text)
    return _IPV6.sub(_redact_ipv6, text)


class RedactPersonalData(logging.Filter):
    """Logging filter: redacts the message, exception and stack text of every record."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports show no submitted values, cookies, addresses or local variables.

    Django's default only hides parameters a view marks as sensitive, and only when
    DEBUG is off. Every form on this site may reveal religion or politics, so every
    POST value and query-string value is hidden, in every environment, as are the
    local variables of each frame (they hold the same values, e.g. a form's
    cleaned_data) and the request headers that identify the visitor.
    """

    PERSONAL_META = {
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "HTTP_X_FORWARDED_FOR",
        "HTTP_X_REAL_IP",
        "HTTP_FORWARDED",
        "HTTP_CLIENT_IP",
        "HTTP_USER_AGENT",
        "HTTP_REFERER",
        "HTTP_COOKIE",
        "QUERY_STRING",
    }

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {
            key: self.cleansed_substitute if key in self.PERSONAL_META else value
            for key, value in meta.items()
        }

    def get_safe_cookies(self, request):
        if not hasattr(request, "COOKIES"):
            return {}
        return dict.fromkeys(request.COOKIES, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PrivateExceptionReporter(ExceptionReporter):
    """Django's error report with query-string values hidden and the exception's own
    text redacted (database errors repeat the values that broke a constraint)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if "request_GET_items" in data:
            substitute = self.filter.cleansed_substitute
            data["request_GET_items"] = [(key, substitute) for key in self.request.GET]
        if "request_insecure_uri" in data:
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?")[0]
        if "exception_value" in data:
            data["exception_value"] = redact(data["exception_value"])
        return data
