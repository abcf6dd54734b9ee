"""Admin: superusers download everything held about one email address (subject access).

The same document as `manage.py privacy_export`, for operators who work in the
browser. The address is posted, never put in the URL, so it stays out of server
access logs and browser history; the download is recorded in the audit log
without it. A Wagtail generic form view; `subject_access_policy` lets superusers
only in (the export holds every answer a person gave, sensitive ones too).
"""

import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateformat import format as format_date
from django.views.generic import FormView

from wagtail.admin.ui.tables import Table
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from home.privacy import registry as privacy
from home.privacy.admin_generic import Column, SuperusersOnlyPolicy
from home.privacy.models import PrivacyAction

subject_access_policy = SuperusersOnlyPolicy(PrivacyAction, actions={"export"})


class SubjectAccessForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address the person used to register or comment.",
        error_messages={
            "required": "Enter the email address to look up",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _performed_by(action):
    if action.performed_by:
        return action.performed_by.get_username()
    return "A command on the server"


def _records(action):
    return ", ".join(f"{name}: {count}" for name, count in (action.counts or {}).items())


RECENT_ACTIONS_COLUMNS = [
    Column("kind", label="What", accessor="get_kind_display"),
    Column(
        "performed_at",
        label="When",
        accessor=lambda action: format_date(timezone.localtime(action.performed_at), "j F Y H:i"),
    ),
    Column("performed_by", label="By", accessor=_performed_by),
    Column("counts", label="Records", accessor=_records),
]


class SubjectAccessView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """GET: the form and recent privacy actions. POST: the JSON download (recorded)."""

    permission_policy = subject_access_policy
    permission_required = "export"
    form_class = SubjectAccessForm
    template_name = "home/admin/subject_access.html"
    page_title = "Personal data requests"
    header_icon = "download"
    http_method_names = ["get", "post"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions_table"] = Table(
            RECENT_ACTIONS_COLUMNS,
            PrivacyAction.objects.select_related("performed_by")[:20],
            caption="Recent exports, erasures and retention runs",
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        add_never_cache_headers(response)
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        document = privacy.build_export_document(form.cleaned_data["email"])
        privacy.record_privacy_action("export", self.request.user, document["counts"])
        response = HttpResponse(
            json.dumps(document, indent=2, cls=DjangoJSONEncoder),
            content_type="application/json; charset=utf-8",
        )
        filename = f"privacy-export-{timezone.now():%Y%m%d-%H%M%S}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        add_never_cache_headers(response)
        return response
