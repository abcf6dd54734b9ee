"""Admin: superusers download everything held about one email address (subject access).

The same document as `manage.py privacy_export`, for operators who work in the
browser. The address is posted, never put in the URL, so it stays out of server
access logs and browser history; the download is recorded in the audit log
without it.
"""

import json

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from home.privacy import registry as privacy
from home.privacy.models import PrivacyAction


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


def can_download(user):
    """Only superusers: the export holds every answer a person gave, sensitive ones too."""
    return user.is_active and user.is_superuser


@require_http_methods(["GET", "POST"])
def subject_access_view(request):
    """GET: the form and recent privacy actions. POST: the JSON download (recorded)."""
    if not can_download(request.user):
        raise PermissionDenied
    form = SubjectAccessForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            document = privacy.build_export_document(form.cleaned_data["email"])
            privacy.record_privacy_action("export", request.user, document["counts"])
            response = HttpResponse(
                json.dumps(document, indent=2, cls=DjangoJSONEncoder),
                content_type="application/json; charset=utf-8",
            )
            filename = f"privacy-export-{timezone.now():%Y%m%d-%H%M%S}.json"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            add_never_cache_headers(response)
            return response
        status = 400
    response = TemplateResponse(
        request,
        "home/admin/subject_access.html",
        {
            "form": form,
            "actions": PrivacyAction.objects.select_related("performed_by")[:20],
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response
