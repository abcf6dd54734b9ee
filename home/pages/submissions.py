"""The list of messages sent through one contact or enquiry form (Wagtail's
submissions list), for superusers and Enquiry handlers only, with every download
recorded and made safe for spreadsheets (see home/staff/enquiries.py)."""

from django.core.exceptions import PermissionDenied

from wagtail.contrib.forms.views import SubmissionsListView

from home.privacy.registry import record_privacy_action
from home.privacy.spreadsheet import FormulaSafeExportMixin
from home.privacy.staff_routing import can_handle_enquiries


class EnquiriesListView(FormulaSafeExportMixin, SubmissionsListView):
    def dispatch(self, request, *args, **kwargs):
        if not can_handle_enquiries(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        rows = queryset.count() if hasattr(queryset, "count") else len(queryset)
        record_privacy_action(
            "enquiries_export",
            self.request.user,
            {"form_id": self.form_page.pk, "messages": rows, "format": spreadsheet_format},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)
