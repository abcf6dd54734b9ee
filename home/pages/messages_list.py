"""Admin: the messages sent through one contact or enquiry form (a `FormPage`).

`FormPage.get_submissions_list_view_class` returns the view below; it reaches the
page through `self.form_page`, so this module does not import `home.pages.models`.
Only superusers and Enquiry handlers (`home.handle_enquiries`) reach it, through
`enquiries_policy` (Wagtail's PermissionCheckedMixin), and every download is
recorded in the audit log.
"""

from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.contrib.forms.views import SubmissionsListView

from home.privacy.admin_generic import OnePermissionPolicy
from home.privacy.registry import record_privacy_action
from home.privacy.spreadsheet import FormulaSafeExportMixin
from home.privacy.staff_routing import ENQUIRIES_PERMISSION

# Handlers read, download (view) and delete messages; nothing else here.
enquiries_policy = OnePermissionPolicy(
    "home.FormPage", ENQUIRIES_PERMISSION, actions={"view", "delete"}
)


class EnquiriesListView(PermissionCheckedMixin, FormulaSafeExportMixin, SubmissionsListView):
    permission_policy = enquiries_policy
    permission_required = "view"

    def as_spreadsheet(self, queryset, spreadsheet_format):
        rows = queryset.count() if hasattr(queryset, "count") else len(queryset)
        record_privacy_action(
            "enquiries_export",
            self.request.user,
            {"form_id": self.form_page.pk, "messages": rows, "format": spreadsheet_format},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)
