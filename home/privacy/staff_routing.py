"""Settings that route personal data: who may change them, where they may point, and
the audit record of every change.

A form page's notification address (`to_address`) and sender (`from_address`)
decide who receives what visitors type. On event pages the questions' "sensitive"
flags and the retention period do too (see events/forms.py). Only the people who may
see that data anyway may change these settings: Event organisers for events,
Enquiry handlers for the contact and enquiry forms, and superusers. The check is
made on save against the page as it stands (its latest revision), so it also holds
for a revert to an older revision or a hand-made request, not only in the editor.
Copying a page keeps its settings as they were, which changes nothing.

Notification addresses may also be limited to the organisation's own domains
(LMN_STAFF_EMAIL_DOMAINS; empty means no limit).
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail.contrib.forms.forms import WagtailAdminFormPageForm
from wagtail.log_actions import LogFormatter, log

from home.privacy.spreadsheet import check_question_labels

LOG_ACTION = "lmn.routing.changed"
ENQUIRIES_PERMISSION = "home.handle_enquiries"
ENQUIRY_HANDLERS = "Enquiry handlers"


def can_handle_enquiries(user):
    """Superusers and Enquiry handlers: the only people who read contact and enquiry
    messages, and so the only people who may decide where they are sent."""
    return bool(
        user and user.is_active and (user.is_superuser or user.has_perm(ENQUIRIES_PERMISSION))
    )


def staff_email_domains():
    """LMN_STAFF_EMAIL_DOMAINS as a list of lower-case domains (empty: no limit)."""
    value = getattr(settings, "LMN_STAFF_EMAIL_DOMAINS", [])
    if isinstance(value, str):
        value = value.split(",")
    return [domain.strip().lower().lstrip("@") for domain in value if domain.strip()]


def split_addresses(value):
    """The addresses of a comma-separated `to_address`."""
    return [address.strip() for address in (value or "").split(",") if address.strip()]


def outside_staff_domains(value):
    """The addresses in `value` that are not at one of the staff domains."""
    domains = staff_email_domains()
    if not domains:
        return []
    return [
        address
        for address in split_addresses(value)
        if address.rpartition("@")[2].lower() not in domains
    ]


def staff_addresses(value):
    """The addresses in `value` that email may be sent to: at a staff domain (when
    there is a limit). A page saved before the limit was set never sends elsewhere."""
    outside = set(outside_staff_domains(value))
    return [address for address in split_addresses(value) if address not in outside]


def check_staff_domains(value):
    """Raise a ValidationError naming the addresses outside the staff domains."""
    outside = outside_staff_domains(value)
    if outside:
        domains = ", ".join(staff_email_domains())
        raise ValidationError(
            f"Notification emails can only go to the organisation's own addresses "
            f"(at {domains}). Change or remove: {', '.join(outside)}.",
            code="outside_staff_domains",
        )


def log_changes(page, user, changes):
    """Write the changes to the page's history (Wagtail's audit log).

    The entry keeps the old and new addresses: they are staff addresses, not the
    registrants' or senders' own, and without them nobody could later tell where
    people's details were sent, or by whose choice.
    """
    if changes:
        log(instance=page, action=LOG_ACTION, user=user, data={"changes": changes})


def describe_change(change):
    """One change as a sentence for the page's history."""
    setting = change["setting"]
    # Questions of a second form on the page (an event's contribution form) say so.
    question = f"{change['form']} question" if change.get("form") else "question"
    if setting == "question_added":
        kind = "sensitive" if change["sensitive"] else "not sensitive"
        return f"{question} “{change['question']}” added ({kind})"
    if setting == "question_removed":
        return f"sensitive {question} “{change['question']}” removed"
    if setting == "sensitive":
        now = "sensitive" if change["to"] else "not sensitive"
        return f"{question} “{change['question']}” made {now}"
    if setting == "question_changed":
        return (
            f"{question} “{change['question']}” (not sensitive) changed its "
            f"{change['part'].replace('_', ' ')} from {change['from'] or 'empty'} to "
            f"{change['to'] or 'empty'}"
        )
    before = change["from"] if change["from"] not in ("", None) else "empty"
    after = change["to"] if change["to"] not in ("", None) else "empty"
    return f"{setting.replace('_', ' ')} changed from {before} to {after}"


class RoutingChangeFormatter(LogFormatter):
    label = "Personal data routing changed"

    def format_message(self, log_entry):
        changes = (log_entry.data or {}).get("changes", [])
        return "Personal data routing changed: " + "; ".join(map(describe_change, changes))


def same_setting(before, after):
    """Whether a save leaves a setting as it was. Date-times are compared to the
    minute, as the admin's date-time field shows them: an unchanged save of a time
    stored with seconds is no change."""
    if isinstance(before, datetime) and isinstance(after, datetime):
        return before.replace(second=0, microsecond=0) == after.replace(second=0, microsecond=0)
    return before == after


def shown(value):
    """A setting's value as the audit log and messages show it (UK time for dates)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


class ProtectedSettingsFormMixin:
    """For a page's admin form: refuse changes to `protected_fields` from users who
    may not make them, and record every accepted change in the page's history.

    Subclasses set `protected_fields` ({field name: how to name it in a message}),
    `protected_owner` (who may change them, for messages) and `may_change_protected`.
    """

    protected_fields = {"to_address": "notification address", "from_address": "sender address"}
    # Why a setting is protected, for messages ({field name: reason}); by default
    # DEFAULT_REASON.
    protected_reasons = {}
    DEFAULT_REASON = "it decides who receives people's details"
    protected_owner = "superusers"

    def may_change_protected(self, user):
        return bool(user and user.is_active and user.is_superuser)

    @property
    def user_may_change_protected(self):
        return self.may_change_protected(getattr(self, "for_user", None))

    def protected_baseline(self):
        """The page as it stands before this save: its latest revision (so reverting to
        an older revision counts as a change), or for a new page the defaults."""
        instance = self.instance
        if instance.pk is None:
            return type(instance)()
        current = type(instance).objects.filter(pk=instance.pk).first()
        if current is None:
            return type(instance)()
        return current.get_latest_revision_as_object()

    def get_protected_fields(self):
        """{field name: how to name it} of the settings this save may not change
        without permission (subclasses may add some depending on the page)."""
        return self.protected_fields

    def refuse(self, field, message, form=None):
        (form or self).add_error(field, ValidationError(message, code="organisers_only"))

    def clean(self):
        cleaned = super().clean()
        self.protected_changes = []
        self.baseline = self.protected_baseline()
        allowed = self.user_may_change_protected
        for name, label in self.get_protected_fields().items():
            if name not in self.fields or name not in cleaned:
                continue
            before, after = getattr(self.baseline, name), cleaned[name]
            if same_setting(before, after):
                continue
            if not allowed:
                was = f"“{shown(before)}”" if before not in ("", None) else "empty"
                reason = self.protected_reasons.get(name, self.DEFAULT_REASON)
                self.refuse(
                    name,
                    f"Only {self.protected_owner} can change the {label}, as {reason}. "
                    f"It is {was}: put that back to save your other changes, or ask one "
                    "of them.",
                )
                continue
            self.protected_changes.append(
                {"setting": name, "from": shown(before), "to": shown(after)}
            )
        to_address = cleaned.get("to_address")
        # Checked when the address changes, and on every save by the people who own it
        # (so they are asked to fix an old address once the limit is set); Editors are
        # never blocked by an address they may not change.
        if "to_address" in self.fields and (
            allowed or to_address != getattr(self.baseline, "to_address", to_address)
        ):
            try:
                check_staff_domains(to_address)
            except ValidationError as error:
                if "to_address" not in self.errors:
                    self.add_error("to_address", error)
        return cleaned

    def save(self, commit=True):
        page = super().save(commit=commit)
        changes = getattr(self, "protected_changes", [])
        if page.pk:
            log_changes(page, self.for_user, changes)
        else:
            # A new page has no id until Wagtail adds it to the tree: the
            # after_create_page hook (home/wagtail_hooks.py) writes the entry then.
            page.routing_changes_to_log = (self.for_user, changes)
        return page


class FormPageAdminForm(ProtectedSettingsFormMixin, WagtailAdminFormPageForm):
    """The contact and enquiry forms' editor: where messages are emailed is for the
    people who read them (Enquiry handlers and superusers)."""

    protected_owner = "Enquiry handlers"

    def may_change_protected(self, user):
        return can_handle_enquiries(user)

    def clean(self):
        cleaned = super().clean()
        check_question_labels(self.formsets.get("form_fields"))
        return cleaned
