"""Admin: written contributions, on Wagtail's generic model views.

Event organisers (and superusers) read them, tag their themes and export them;
nobody else sees them, whatever their other permissions (the permission policy
below needs `events.manage_registrations`, as every registrations screen does).
Nobody adds a contribution in the admin: they only come from the public form.
"""

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from home.privacy.admin_generic import Column, EmptyDashInspectMixin, OnePermissionPolicy
from home.privacy.spreadsheet import FormulaSafeExportMixin

from .models import EventContribution, EventPage
from .permissions import PERMISSION


class ContributionFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(
        label="Event", queryset=EventPage.objects.order_by("-start"), empty_label="All events"
    )
    themes = django_filters.CharFilter(
        label="Theme", field_name="themes__name", lookup_expr="iexact", distinct=True
    )

    class Meta:
        model = EventContribution
        fields = ["page", "themes"]


class ContributionIndexView(FormulaSafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("page", "consent")
            .prefetch_related("themes", "page__contribution_fields")
        )

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """Every download is recorded in the audit log: who, when and how many rows."""
        from home.privacy.registry import record_privacy_action

        record_privacy_action(
            "contributions_export",
            self.request.user,
            {"contributions": queryset.count(), "format": spreadsheet_format},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class ContributionInspectView(EmptyDashInspectMixin, generic.InspectView):
    pass


class ContributionViewSet(ModelViewSet):
    model = EventContribution
    icon = "openquote"
    menu_label = "Written contributions"
    menu_order = 711
    add_to_admin_menu = True
    url_prefix = "events/contributions"
    name = "event_contributions"
    # Read, tag (change) and delete; add for nobody.
    permission_policy = OnePermissionPolicy(
        EventContribution, PERMISSION, actions={"view", "change", "delete"}
    )
    index_view_class = ContributionIndexView
    inspect_view_class = ContributionInspectView
    filterset_class = ContributionFilterSet
    form_fields = ["themes"]
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        Column("page", label="Event", accessor="page"),
        Column("submit_time", label="Sent at"),
        Column("contributor", label="From", accessor="contributor"),
        Column("summary", label="Contribution", accessor="summary_text"),
        Column("themes_text", label="Themes", accessor="themes_text"),
    ]
    list_export = [
        "event_title",
        "submit_time",
        "contributor",
        "email",
        "answers",
        "themes_text",
        "wants_summary",
        "may_credit",
        "consent_version",
        "consented_at",
    ]
    export_headings = {
        "event_title": "Event",
        "submit_time": "Sent at",
        "contributor": "From",
        "email": "Email",
        "answers": "Answers",
        "themes_text": "Themes",
        "wants_summary": "Wants the summary",
        "may_credit": "May be credited by name",
        "consent_version": "Consent wording version",
        "consented_at": "Consented at",
    }
    inspect_view_fields = [
        "page",
        "submit_time",
        "contributor_text",
        "email",
        "answers",
        "themes_text",
        "wants_summary",
        "may_credit",
        "consent_version",
        "consented_at",
    ]
    export_filename = "written-contributions"
