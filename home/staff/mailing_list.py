"""Admin: the mailing-list subscribers, read-only, for superusers only.

Listed under Settings. Editors, moderators and organisers never see it, whatever
permissions their groups are given: the policy below ignores Django's model
permissions. Nobody adds or edits subscribers here (only the person can opt in,
on a form); every download of the list is recorded in the audit log with who,
when and how many rows, never the addresses.
"""

from django.utils.functional import cached_property

from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from home.privacy.models import MailingListSubscriber
from home.privacy.registry import record_privacy_action
from home.privacy.spreadsheet import FormulaSafeExportMixin

READ_ONLY_ACTIONS = {"view"}


def can_see_subscribers(user):
    """Only active superusers: the list says who wants to hear from a political network."""
    return bool(user and user.is_active and user.is_superuser)


class SuperuserReadOnlyPolicy(BasePermissionPolicy):
    """Superusers may view (and so list, inspect and download); nobody may add, edit or
    delete, and nobody else may do anything."""

    def user_has_permission(self, user, action):
        return can_see_subscribers(user) and action in READ_ONLY_ACTIONS

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(is_active=True, is_superuser=True)
        return users if READ_ONLY_ACTIONS & set(actions) else users.none()


class SubscriberIndexView(FormulaSafeExportMixin, IndexView):
    """The listing (confirmed or not); its CSV and XLSX downloads hold confirmed
    subscribers only (the people who may be emailed) and are recorded in the audit
    log."""

    def as_spreadsheet(self, queryset, spreadsheet_format):
        queryset = queryset.filter(confirmed_at__isnull=False)
        record_privacy_action(
            "mailing_list_export",
            self.request.user,
            {"subscribers": queryset.count(), "format": spreadsheet_format},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class MailingListSubscriberViewSet(ModelViewSet):
    model = MailingListSubscriber
    icon = "mail"
    menu_label = "Mailing list"
    url_prefix = "mailing-list"
    add_to_settings_menu = True
    menu_order = 910
    index_view_class = SubscriberIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_view_fields = [
        "email",
        "source",
        "created_at",
        "consent",
        "consented_at",
        "confirmation_sent_at",
        "confirmed_at",
    ]
    list_display = ["email", "source", "consent", "consented_at", "confirmed_at", "created_at"]
    list_filter = ["source", "confirmed_at"]
    search_fields = ["email"]
    search_backend_name = None
    list_export = ["email", "source", "consent", "consented_at", "confirmed_at", "created_at"]
    export_headings = {"consent": "Consent wording", "created_at": "Subscribed at"}
    export_filename = "mailing-list"
    # Never used (nobody may add or edit), but ModelViewSet needs a form definition.
    form_fields = []

    @cached_property
    def permission_policy(self):
        return SuperuserReadOnlyPolicy(self.model)

    def register_permissions(self):
        # No model permissions in the group editor: granting them would change nothing.
        pass
