"""Admin: messages sent through the contact and enquiry forms (form-builder pages).

Only superusers and Enquiry handlers reach them: the `filter_form_submissions_for_user`
hook (home/wagtail_hooks.py) hides these pages from everyone else's Forms listing,
submissions list, downloads and delete view, and this list checks again. Every
download is recorded in the audit log (who, when, which form, how many rows), and
CSV and XLSX alike neutralise anything a spreadsheet would run as a formula, headings
(the questions' labels) included.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse

from wagtail.contrib.forms.views import SubmissionsListView

from home.pages.models import FormPage
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


def enquiries_index_view(request):
    """Every contact and enquiry form with its number of messages: the handlers' start
    page (Wagtail's Forms listing needs page-editing rights, which handlers may lack)."""
    if not can_handle_enquiries(request.user):
        raise PermissionDenied
    form_pages = FormPage.objects.annotate(message_count=Count("formsubmission")).order_by("title")
    return TemplateResponse(request, "home/admin/enquiries_index.html", {"form_pages": form_pages})
