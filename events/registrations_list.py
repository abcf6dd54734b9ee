"""Admin: an event's registrations list and export (Wagtail's submissions list).

`EventPage.get_submissions_list_view_class` returns the view below, so this module
reaches the page and its registrations only through `self.form_page` and never
imports `events.models`.
"""

from django import forms
from django.urls import reverse
from django.utils.functional import cached_property

from wagtail.admin.ui.tables import BaseColumn, Table
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.contrib.forms.views import SubmissionsListFilterSet, SubmissionsListView

from django_filters import ChoiceFilter

from home.privacy.admin_generic import Column
from home.privacy.spreadsheet import FormulaSafeExportMixin

from .capacity import PENDING, STATUSES
from .permissions import OrganisersOnlyMixin
from .retention import retention_notice


class RegistrationsFilterSet(SubmissionsListFilterSet):
    status = ChoiceFilter(
        label="Status",
        field_name="status",
        choices=STATUSES,
        widget=forms.RadioSelect,
        empty_label="All",
    )


class SelectColumn(BaseColumn):
    """The tick box that Wagtail's bulk controller (delete, mark attendance) reads."""

    header_template_name = "events/admin/cells/select_all.html"
    cell_template_name = "events/admin/cells/select.html"


class AnswerColumn(Column):
    """One field of a registration (`EventRegistration.get_data`); "Registered at"
    links to the opposite order, as Wagtail's submissions list does (`order_by`)."""

    header_template_name = "events/admin/cells/ordered_header.html"

    def __init__(self, name, order=None, **kwargs):
        super().__init__(name, **kwargs)
        self.order = order

    def get_value(self, instance):
        value = instance.get_data().get(self.name)
        if isinstance(value, list):
            value = ", ".join(value)
        return "" if value is None else value


class ActionsColumn(BaseColumn):
    """Attended / did not attend, promote and cancel, as the registration allows."""

    cell_template_name = "events/admin/cells/actions.html"


class RegistrationsListView(OrganisersOnlyMixin, FormulaSafeExportMixin, SubmissionsListView):
    """Wagtail's submissions list with status, a status filter, actions and a safe export.

    Exports leave out answers to sensitive questions unless `sensitive=1` is
    asked for, and neutralise anything a spreadsheet would run as a formula, in
    the cells and in the headings (the questions' labels).
    """

    filterset_class = RegistrationsFilterSet
    results_template_name = "events/admin/registrations_results.html"
    page_title = "Registrations"

    @cached_property
    def include_sensitive(self):
        return self.request.GET.get("sensitive") == "1"

    def get_base_queryset(self):
        # Pending requests (not confirmed from the emailed link) are nobody's
        # registration yet: never listed, counted or exported.
        return super().get_base_queryset().exclude(status=PENDING).select_related("consent")

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """Every download of registrations is recorded in the audit log: who, when, which
        event, how many rows and whether sensitive answers were included.

        The columns are chosen here: Wagtail's list sets every field, sensitive
        answers included, which only `sensitive=1` asks for."""
        from home.privacy.registry import record_privacy_action

        data_fields = self.form_page.get_data_fields(include_sensitive=self.include_sensitive)
        self.list_export = [name for name, _label in data_fields]
        self.export_headings = dict(data_fields)

        rows = queryset.count() if hasattr(queryset, "count") else len(queryset)
        record_privacy_action(
            "registrations_export",
            self.request.user,
            {
                "event_id": self.form_page.pk,
                "registrations": rows,
                "format": spreadsheet_format,
                "sensitive_answers": self.include_sensitive,
            },
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def get_filename(self):
        suffix = "-with-sensitive" if self.include_sensitive else ""
        return super().get_filename() + suffix

    def get_export_url(self, format, sensitive=False):
        params = self.request.GET.copy()
        params["export"] = format
        if sensitive:
            params["sensitive"] = "1"
        else:
            params.pop("sensitive", None)
        return self.request.path + "?" + params.urlencode()

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                "Add registration",
                url=reverse("events_add_registration", args=[self.form_page.pk]),
                icon_name="plus",
            ),
            HeaderButton(
                "Sign-in sheet",
                url=reverse("events_sign_in_sheet", args=[self.form_page.pk]),
                icon_name="doc-full",
            ),
        ]

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons.copy()
        buttons += [
            Button(
                "Download XLSX with sensitive answers",
                url=self.get_export_url("xlsx", sensitive=True),
                icon_name="warning",
                priority=110,
            ),
            Button(
                "Download CSV with sensitive answers",
                url=self.get_export_url("csv", sensitive=True),
                icon_name="warning",
                priority=120,
            ),
        ]
        return buttons

    def registration_columns(self):
        """A tick box, one column per field (sensitive answers too: organisers may
        see them on screen) and the row's actions."""
        ordering = self.get_validated_ordering()
        columns = [SelectColumn("select", label="")]
        for name, label in self.form_page.get_data_fields():
            columns.append(
                AnswerColumn(name, label=label, order=ordering.get(name, (None, None))[1])
            )
        columns.append(ActionsColumn("actions", label="Actions"))
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.is_export:
            context["registrations_table"] = Table(
                self.registration_columns(),
                context["submissions"],
                caption=f"Registrations for {self.form_page.title}",
            )
            context["counts"] = self.form_page.specific.counts
            context["attended_count"] = self.get_base_queryset().filter(attended=True).count()
            context["contribution_count"] = self.form_page.specific.contributions.count()
            context["capacity"] = self.form_page.specific.capacity
            context["retention_notice"] = retention_notice(self.form_page.specific)
        return context
