"""Admin: written contributions, on Wagtail's generic model views.

Event organisers (and superusers) read them, tag their themes and export them;
nobody else sees them, whatever their other permissions (the permission policy
below answers every question with `can_manage_registrations`). Nobody adds a
contribution in the admin: they only come from the public form.
"""

from django import forms
from django.contrib.auth import get_user_model

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

import django_filters

from home.privacy.spreadsheet import neutralise_formula

from .admin_views import can_manage_registrations
from .models import EventContribution, EventPage


class OrganisersOnlyPolicy(BasePermissionPolicy):
    """View, tag (change) and delete for Event organisers and superusers; add for nobody."""

    ACTIONS = {"view", "change", "delete", "export"}

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and can_manage_registrations(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not set(actions) & self.ACTIONS:
            return users.none()
        from django.db.models import Q

        return users.filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="manage_registrations")
            | Q(groups__permissions__codename="manage_registrations")
        ).distinct()


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


class ContributionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("page", "consent")
            .prefetch_related("themes", "page__contribution_fields")
        )

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        return {key: neutralise_formula(value) for key, value in row.items()}

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """Every download is recorded in the audit log: who, when and how many rows."""
        from home.privacy.registry import record_privacy_action

        record_privacy_action(
            "contributions_export",
            self.request.user,
            {"contributions": queryset.count(), "format": spreadsheet_format},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class ThemesForm(forms.ModelForm):
    class Meta:
        model = EventContribution
        fields = ["themes"]


class ContributionViewSet(ModelViewSet):
    model = EventContribution
    icon = "openquote"
    menu_label = "Written contributions"
    menu_order = 711
    add_to_admin_menu = True
    url_prefix = "events/contributions"
    name = "event_contributions"
    permission_policy = OrganisersOnlyPolicy(EventContribution)
    index_view_class = ContributionIndexView
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
