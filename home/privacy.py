"""Registries for personal data: subject access, erasure and retention.

Registrations and comments reveal religion and political opinion (UK GDPR
special category data). Each app that stores such data registers, in its
`AppConfig.ready()`, how to export and erase what it holds about an email
address, and how to apply its retention rule. The management commands
`privacy_export`, `privacy_erase` and `apply_retention` (and the admin
download) call every registered part, so `home` never imports the apps above it.
"""

from collections.abc import Callable
from dataclasses import dataclass

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


def build_export_document(email):
    """The subject access document: every holder's records plus counts."""
    from django.utils import timezone

    data = export_person(email)
    return {
        "generated_at": timezone.now().isoformat(),
        "subject_email": normalise_email(email),
        "counts": {name: len(records) for name, records in data.items()},
        "data": data,
    }


def record_privacy_action(kind, user, counts):
    """Record an export, erasure or retention run in Wagtail's audit log.

    The record keeps who, when and how many — never whose data it was.
    """
    from wagtail.log_actions import log

    from .models import PrivacyAction

    action = PrivacyAction.objects.create(kind=kind, performed_by=user, counts=counts)
    log(instance=action, action=f"lmn.privacy.{kind}", user=user)
    return action
