"""Admin: the registrations list and export, cancel/promote actions, and phone bookings.

Only superusers and people with `events.manage_registrations` (the "Event
organisers" group) reach any of this; `wagtail_hooks` hides event pages from
everyone else's Forms listing and submission views.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.contrib.forms.views import SubmissionsListFilterSet, SubmissionsListView

from django_filters import ChoiceFilter

from home.privacy.spreadsheet import FormulaSafeExportMixin

from . import booking
from . import registration as service
from .capacity import Window
from .models import EventPage, EventRegistration, registration_consent, with_registration_counts
from .privacy import deletion_date, retention_notice

PERMISSION = "events.manage_registrations"


def can_manage_registrations(user):
    """Superusers and Event organisers; nobody else, whatever their page permissions."""
    return user.is_active and (user.is_superuser or user.has_perm(PERMISSION))


class RegistrationsFilterSet(SubmissionsListFilterSet):
    status = ChoiceFilter(
        label="Status",
        field_name="status",
        choices=EventRegistration.STATUSES,
        widget=forms.RadioSelect,
        empty_label="All",
    )


class RegistrationsListView(FormulaSafeExportMixin, SubmissionsListView):
    """Wagtail's submissions list with status, a status filter, actions and a safe export.

    Exports leave out answers to sensitive questions unless `sensitive=1` is
    asked for, and neutralise anything a spreadsheet would run as a formula, in
    the cells and in the headings (the questions' labels).
    """

    filterset_class = RegistrationsFilterSet
    results_template_name = "events/admin/registrations_results.html"
    page_title = "Registrations"

    def dispatch(self, request, *args, **kwargs):
        form_page = kwargs.get("form_page")
        if not can_manage_registrations(request.user):
            raise PermissionDenied
        if not get_forms_for_user(request.user).filter(pk=form_page.pk).exists():
            raise PermissionDenied
        self.form_page = form_page
        if self.is_export:
            data_fields = form_page.get_data_fields(include_sensitive=self.include_sensitive)
            self.list_export = [name for name, _label in data_fields]
            self.export_headings = dict(data_fields)
        # Skip SubmissionsListView.dispatch: it would reset the export columns
        # to every field, sensitive ones included.
        return super(SubmissionsListView, self).dispatch(request, *args, **kwargs)

    @cached_property
    def include_sensitive(self):
        return self.request.GET.get("sensitive") == "1"

    def get_base_queryset(self):
        # Pending requests (not confirmed from the emailed link) are nobody's
        # registration yet: never listed, counted or exported.
        return (
            super()
            .get_base_queryset()
            .exclude(status=EventRegistration.PENDING)
            .select_related("consent")
        )

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """Every download of registrations is recorded in the audit log: who, when, which
        event, how many rows and whether sensitive answers were included."""
        from home.privacy.registry import record_privacy_action

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.is_export:
            for row, submission in zip(context["data_rows"], context["submissions"], strict=True):
                row["registration"] = submission
            context["counts"] = self.form_page.specific.counts
            context["attended_count"] = self.get_base_queryset().filter(attended=True).count()
            context["contribution_count"] = self.form_page.specific.contributions.count()
            context["capacity"] = self.form_page.specific.capacity
            context["retention_notice"] = retention_notice(self.form_page.specific)
        return context


def events_index_view(request):
    """Every event with its counts and a link to its registrations (organisers' start page).

    Wagtail's own Forms listing needs page-editing rights, which organisers
    may not have; this page needs only the registrations permission.
    """
    if not can_manage_registrations(request.user):
        raise PermissionDenied
    from .attendance import with_roundtable_counts

    events = list(
        with_roundtable_counts(with_registration_counts(EventPage.objects.all())).order_by("-start")
    )
    for event in events:
        event.registrations_deleted_on = deletion_date(event)
    return TemplateResponse(request, "events/admin/events_index.html", {"events": events})


def _registration_for(request, pk):
    if not can_manage_registrations(request.user):
        raise PermissionDenied
    registration = get_object_or_404(
        EventRegistration.objects.exclude(status=EventRegistration.PENDING), pk=pk
    )
    if not get_forms_for_user(request.user).filter(pk=registration.page_id).exists():
        raise PermissionDenied
    event = get_object_or_404(EventPage, pk=registration.page_id)
    return registration, event


def _list_url(event):
    return reverse("wagtailforms:list_submissions", args=[event.pk])


@require_http_methods(["GET", "POST"])
def cancel_view(request, pk):
    """Cancel a registration from the admin (the place goes to the next person waiting)."""
    registration, event = _registration_for(request, pk)
    if request.method == "POST":
        outcome = service.cancel(registration)
        if outcome.already_cancelled:
            messages.warning(request, "That registration was already cancelled.")
        else:
            promoted = len(outcome.promoted)
            text = "Registration cancelled."
            if promoted:
                text += f" {promoted} person from the waiting list now has a place and was emailed."
            messages.success(request, text)
        return redirect(_list_url(event))
    return TemplateResponse(
        request,
        "events/admin/confirm_action.html",
        {"registration": registration, "event": event, "action": "cancel"},
    )


@require_http_methods(["GET", "POST"])
def promote_view(request, pk):
    """Give a free place to this person on the waiting list (never beyond capacity)."""
    registration, event = _registration_for(request, pk)
    if request.method == "POST":
        try:
            done = service.promote(registration)
        except service.NoFreePlace:
            messages.error(
                request,
                "Every place is taken. Cancel a confirmed registration or raise the capacity "
                "first.",
            )
        else:
            if done:
                messages.success(request, "Place confirmed. They have been emailed.")
            else:
                messages.warning(request, "That person is not on the waiting list.")
        return redirect(_list_url(event))
    return TemplateResponse(
        request,
        "events/admin/confirm_action.html",
        {"registration": registration, "event": event, "action": "promote"},
    )


class AddRegistrationView(WagtailAdminTemplateMixin, FormView):
    """An organiser books a place for someone (a phone booking), without the emailed
    confirm step. Refused (403) to anyone who may not manage registrations, whatever
    the button shows; see `events.booking` for what is stored, sent and logged."""

    template_name = "events/admin/add_registration.html"
    page_title = "Add registration"
    header_icon = "form"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_registrations(request.user):
            raise PermissionDenied
        self.event = get_object_or_404(EventPage, pk=kwargs["event_id"])
        if not get_forms_for_user(request.user).filter(pk=self.event.pk).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.event.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("events_registrations_index"), "label": "Event registrations"},
            {"url": _list_url(self.event), "label": self.event.get_admin_display_title()},
            {"url": "", "label": self.page_title},
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(event=self.event, consent=registration_consent())
        return kwargs

    def get_form_class(self):
        return booking.PhoneBookingForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            event=self.event,
            window=self.event.registration_window(),
            counts=self.event.counts,
            capacity=self.event.capacity,
            action_url=self.request.path,
            submit_button_label="Add registration",
            submit_button_active_label="Adding…",
            list_url=_list_url(self.event),
        )
        return context

    def form_valid(self, form):
        outcome = booking.book(self.event, form, self.request.user)
        _report_booking(self.request, outcome)
        return redirect(_list_url(self.event))


CLOSED_REASONS = {
    Window.NOT_YET_OPEN: "has not opened yet",
    Window.CLOSED: "has closed",
}


def _report_booking(request, outcome):
    """Say what happened, in words that never repeat the person's name or address
    (messages can travel in a cookie)."""
    registration = outcome.registration
    if outcome.kind == service.CONFIRMED:
        messages.success(
            request,
            "Registration added with a confirmed place. They have been emailed their "
            "confirmation with the calendar file and a link to cancel.",
        )
    elif outcome.kind == service.WAITING:
        messages.success(
            request,
            "Every place is taken: added to the waiting list at number "
            f"{registration.waiting_position}. They have been emailed to say so.",
        )
    elif outcome.kind == service.DUPLICATE:
        if registration.status == EventRegistration.WAITING:
            where = f"is on the waiting list at number {registration.waiting_position}"
        elif registration.status == EventRegistration.CONFIRMED:
            where = "already has a confirmed place"
        else:
            where = f"already has a registration ({registration.get_status_display().lower()})"
        messages.warning(
            request,
            f"That email address {where} for this event (registration "
            f"{registration.pk}). Nothing was added.",
        )
    elif outcome.kind == service.FULL:
        messages.error(
            request,
            "Every place is taken and this event has no waiting list, so nobody was added. "
            "Cancel a registration or raise the capacity first.",
        )
    else:
        reason = CLOSED_REASONS.get(outcome.window, "is not open")
        messages.error(
            request,
            f"Registration for this event {reason}, so nobody was added. To take a booking, "
            "change the registration dates on the event first.",
        )


# Attendance and the sign-in sheet ------------------------------------------------


def _event_for_organiser(request, event_id):
    if not can_manage_registrations(request.user):
        raise PermissionDenied
    event = get_object_or_404(EventPage, pk=event_id)
    if not get_forms_for_user(request.user).filter(pk=event.pk).exists():
        raise PermissionDenied
    return event


def _ids(values):
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


@require_http_methods(["GET", "POST"])
def attendance_view(request, event_id):
    """Mark confirmed registrations as attended, did not attend, or not marked.

    A row's button posts `set=<id>:<choice>`; the bulk buttons of the list send the
    ticked rows here by GET, which only asks to confirm (listing the names), and
    the confirmation posts them back. Every change is audit-logged on the event.
    """
    from . import attendance

    event = _event_for_organiser(request, event_id)
    if request.method == "POST":
        single = request.POST.get("set", "")
        if single:
            pk, _sep, choice = single.partition(":")
            ids = _ids([pk])
        else:
            choice = request.POST.get("mark", "")
            ids = _ids(request.POST.getlist("registration"))
        if choice not in attendance.CHOICES or not ids:
            messages.error(request, "Choose who to mark, and how.")
            return redirect(_list_url(event))
        changed = attendance.mark(event, ids, choice, request.user)
        label = attendance.LABELS[choice]
        messages.success(request, f"{changed} registration(s) marked as {label}.")
        return redirect(_list_url(event))
    choice = request.GET.get("mark", "")
    ids = _ids(request.GET.getlist("selected-submissions"))
    registrations = list(
        EventRegistration.objects.filter(
            page_id=event.pk, pk__in=ids, status=EventRegistration.CONFIRMED
        ).order_by("name")
    )
    if choice not in attendance.CHOICES or not registrations:
        messages.error(request, "Tick one or more confirmed registrations first.")
        return redirect(_list_url(event))
    return TemplateResponse(
        request,
        "events/admin/confirm_attendance.html",
        {
            "event": event,
            "registrations": registrations,
            "choice": choice,
            "label": attendance.LABELS[choice],
            "list_url": _list_url(event),
        },
    )


def sign_in_sheet_view(request, event_id):
    """A printable sign-in sheet: confirmed registrants' names only, never answers."""
    from .attendance import confirmed_names

    event = _event_for_organiser(request, event_id)
    return TemplateResponse(
        request,
        "events/admin/sign_in_sheet.html",
        {"event": event, "names": confirmed_names(event)},
    )
