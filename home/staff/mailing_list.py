"""Admin: the mailing-list subscribers, read-only, for superusers only.

Listed under Settings. Editors, moderators and organisers never see it, whatever
permissions their groups are given: the policy below ignores Django's model
permissions. Nobody adds or edits subscribers here (only the person can opt in,
on a form); every download of the list is recorded in the audit log with who,
when and how many rows, never the addresses.
"""

from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from home.privacy.admin_generic import Column, EmptyDashInspectMixin, SuperusersOnlyPolicy
from home.privacy.models import MailingListSubscriber
from home.privacy.registry import record_privacy_action
from home.privacy.spreadsheet import FormulaSafeExportMixin

# Superusers may view (and so list, inspect and download); nobody may add, edit or
# delete, and nobody else may do anything, whatever permissions their groups hold.
subscribers_policy = SuperusersOnlyPolicy(MailingListSubscriber, actions={"view"})


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


class SubscriberInspectView(EmptyDashInspectMixin, InspectView):
    pass


class MailingListSubscriberViewSet(ModelViewSet):
    model = MailingListSubscriber
    icon = "mail"
    menu_label = "Mailing list"
    url_prefix = "mailing-list"
    add_to_settings_menu = True
    menu_order = 910
    index_view_class = SubscriberIndexView
    inspect_view_class = SubscriberInspectView
    permission_policy = subscribers_policy
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
    list_display = [
        "email",
        Column("source", label="Source", accessor="get_source_display", sort_key="source"),
        Column("consent", label="Consent wording"),
        Column("consented_at", label="Consented at", sort_key="consented_at"),
        Column("confirmed_at", label="Confirmed at", sort_key="confirmed_at"),
        Column("created_at", label="Subscribed at", sort_key="created_at"),
    ]
    list_filter = ["source", "confirmed_at"]
    search_fields = ["email"]
    search_backend_name = None
    list_export = ["email", "source", "consent", "consented_at", "confirmed_at", "created_at"]
    export_headings = {"consent": "Consent wording", "created_at": "Subscribed at"}
    export_filename = "mailing-list"
    # Never used (nobody may add or edit), but ModelViewSet needs a form definition.
    form_fields = []

    def register_permissions(self):
        # No model permissions in the group editor: granting them would change nothing.
        pass
