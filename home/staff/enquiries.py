"""Admin: the contact and enquiry forms with their number of messages (form-builder
pages); each form's messages list is home/pages/messages_list.py.

Only superusers and Enquiry handlers (`home.handle_enquiries`) reach them: the
`filter_form_submissions_for_user` hook (home/wagtail_hooks.py) hides these pages
from everyone else's Forms listing, submissions list, downloads and delete view,
and both views check `enquiries_policy` too (Wagtail's PermissionCheckedMixin).
Every download is recorded in the audit log (who, when, which form, how many rows),
and CSV and XLSX alike neutralise anything a spreadsheet would run as a formula,
headings (the questions' labels) included.
"""

from django.db.models import Count
from django.urls import reverse
from django.utils.functional import cached_property

from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views.generic import IndexView

from home.pages.messages_list import enquiries_policy
from home.pages.models import FormPage
from home.privacy.admin_generic import Column


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
