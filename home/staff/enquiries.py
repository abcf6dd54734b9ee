"""Admin: messages sent through the contact and enquiry forms (form-builder pages).

Only superusers and Enquiry handlers (`home.handle_enquiries`) reach them: the
`filter_form_submissions_for_user` hook (home/wagtail_hooks.py) hides these pages
from everyone else's Forms listing, submissions list, downloads and delete view,
and both views here check `enquiries_policy` too (Wagtail's PermissionCheckedMixin).
Every download is recorded in the audit log (who, when, which form, how many rows),
and CSV and XLSX alike neutralise anything a spreadsheet would run as a formula,
headings (the questions' labels) included.
"""

from django.db.models import Count
from django.urls import reverse
from django.utils.functional import cached_property

from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.contrib.forms.views import SubmissionsListView

from home.pages.models import FormPage
from home.privacy.registry import record_privacy_action
from home.privacy.spreadsheet import FormulaSafeExportMixin
from home.privacy.staff_routing import ENQUIRIES_PERMISSION

from .admin_generic import Column, OnePermissionPolicy

# Handlers read, download (view) and delete messages; nothing else here.
enquiries_policy = OnePermissionPolicy(FormPage, ENQUIRIES_PERMISSION, actions={"view", "delete"})


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


def _messages_url(form_page):
    return reverse("wagtailforms:list_submissions", args=[form_page.pk])


class EnquiriesIndexView(IndexView):
    """Every contact and enquiry form with its number of messages: the handlers' start
    page (Wagtail's Forms listing needs page-editing rights, which handlers may lack)."""

    model = FormPage
    permission_policy = enquiries_policy
    any_permission_required = ["view"]
    index_url_name = "home_enquiries"
    page_title = "Form messages"
    header_icon = "mail"
    paginate_by = 50
    default_ordering = "title"
    is_searchable = False

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label="Form",
                accessor=lambda page: page.title + ("" if page.live else " (draft)"),
                get_url=_messages_url,
            ),
            Column("message_count", label="Messages"),
        ]

    def get_base_queryset(self):
        return FormPage.objects.annotate(message_count=Count("formsubmission"))
