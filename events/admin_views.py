"""Admin: the events index, cancel/promote, attendance, the sign-in sheet and phone
bookings, on Wagtail's generic views (the registrations list and export are in
`events.registrations_list`).

Only superusers and people with `events.manage_registrations` (the "Event
organisers" group) reach any of this: every view here checks `registrations_policy`
through Wagtail's `PermissionCheckedMixin` (view, add, change); `wagtail_hooks`
hides event pages from everyone else's Forms listing and submission views.
"""

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from wagtail.admin import messages
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin

from home.privacy.admin_generic import Column, LinkColumn

from . import booking
from . import registration as service
from .capacity import Window
from .models import EventPage, EventRegistration, registration_consent, with_registration_counts
from .permissions import OrganisersOnlyMixin, registrations_policy
from .retention import deletion_date


def _list_url(event):
    return reverse("wagtailforms:list_submissions", args=[event.pk])


def _contributions_url(event):
    if event.contribution_count:
        return reverse("event_contributions:index") + f"?page={event.pk}"
    return None


class EventsIndexView(IndexView):
    """Every event with its counts and a link to its registrations (organisers' start page).

    Wagtail's own Forms listing needs page-editing rights, which organisers
    may not have; this page needs only the registrations permission.
    """

    model = EventPage
    permission_policy = registrations_policy
    any_permission_required = ["view"]
    index_url_name = "events_registrations_index"
    page_title = "Event registrations"
    header_icon = "group"
    paginate_by = 50
    default_ordering = "-start"
    is_searchable = False

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label="Event",
                accessor=lambda event: event.title + ("" if event.live else " (draft)"),
                get_url=_list_url,
            ),
            Column("when", label="Starts"),
            Column("counts", label="Confirmed / places · waiting", accessor="admin_counts_label"),
            Column("attended_count", label="Attended"),
            LinkColumn(
                "contribution_count", label="Written contributions", get_url=_contributions_url
            ),
            Column(
                "deleted_on",
                label="Names, emails and answers deleted on",
                accessor=lambda event: format_date(deletion_date(event), "j F Y"),
            ),
        ]

    def get_base_queryset(self):
        from .attendance import with_roundtable_counts

        return with_roundtable_counts(with_registration_counts(EventPage.objects.all()))


class RegistrationActionView(
    OrganisersOnlyMixin, WagtailAdminTemplateMixin, BaseObjectMixin, TemplateView
):
    """GET asks to confirm; POST does it and goes back to the event's registrations.
    Pending requests are nobody's registration yet, so they are not found (404)."""

    permission_required = "change"
    model = EventRegistration
    template_name = "events/admin/confirm_action.html"
    http_method_names = ["get", "post"]
    header_icon = "form"
    action = None

    def get_base_object_queryset(self):
        return EventRegistration.objects.exclude(status=EventRegistration.PENDING)

    @cached_property
    def event(self):
        return get_object_or_404(EventPage, pk=self.object.page_id)

    def get_page_title(self):
        return self.event.title

    def get_page_subtitle(self):
        return "Registrations"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(registration=self.object, event=self.event, action=self.action)
        return context

    def post(self, request, *args, **kwargs):
        self.perform_action()
        return redirect(_list_url(self.event))


class CancelRegistrationView(RegistrationActionView):
    """Cancel a registration from the admin (the place goes to the next person waiting)."""

    action = "cancel"

    def perform_action(self):
        outcome = service.cancel(self.object)
        if outcome.already_cancelled:
            messages.warning(self.request, "That registration was already cancelled.")
            return
        promoted = len(outcome.promoted)
        text = "Registration cancelled."
        if promoted:
            text += f" {promoted} person from the waiting list now has a place and was emailed."
        messages.success(self.request, text)


class PromoteRegistrationView(RegistrationActionView):
    """Give a free place to this person on the waiting list (never beyond capacity)."""

    action = "promote"

    def perform_action(self):
        try:
            done = service.promote(self.object)
        except service.NoFreePlace:
            messages.error(
                self.request,
                "Every place is taken. Cancel a confirmed registration or raise the capacity "
                "first.",
            )
        else:
            if done:
                messages.success(self.request, "Place confirmed. They have been emailed.")
            else:
                messages.warning(self.request, "That person is not on the waiting list.")


class EventMixin(OrganisersOnlyMixin, BaseObjectMixin):
    """A view about one event (its id in the URL as `event_id`)."""

    model = EventPage
    pk_url_kwarg = "event_id"

    @property
    def event(self):
        return self.object


class AddRegistrationView(EventMixin, WagtailAdminTemplateMixin, FormView):
    """An organiser books a place for someone (a phone booking), without the emailed
    confirm step. Refused (403) to anyone who may not manage registrations, whatever
    the button shows; see `events.booking` for what is stored, sent and logged."""

    permission_required = "add"
    template_name = "events/admin/add_registration.html"
    page_title = "Add registration"
    header_icon = "form"
    http_method_names = ["get", "post"]

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


def _ids(values):
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


class AttendanceView(EventMixin, WagtailAdminTemplateMixin, TemplateView):
    """Mark confirmed registrations as attended, did not attend, or not marked.

    A row's button posts `set=<id>:<choice>`; the bulk buttons of the list send the
    ticked rows here by GET, which only asks to confirm (listing the names), and
    the confirmation posts them back. Every change is audit-logged on the event.
    """

    permission_required = "change"
    template_name = "events/admin/confirm_attendance.html"
    http_method_names = ["get", "post"]

    def post(self, request, *args, **kwargs):
        from . import attendance

        single = request.POST.get("set", "")
        if single:
            pk, _sep, choice = single.partition(":")
            ids = _ids([pk])
        else:
            choice = request.POST.get("mark", "")
            ids = _ids(request.POST.getlist("registration"))
        if choice not in attendance.CHOICES or not ids:
            messages.error(request, "Choose who to mark, and how.")
            return redirect(_list_url(self.event))
        changed = attendance.mark(self.event, ids, choice, request.user)
        label = attendance.LABELS[choice]
        messages.success(request, f"{changed} registration(s) marked as {label}.")
        return redirect(_list_url(self.event))

    def get(self, request, *args, **kwargs):
        from . import attendance

        choice = request.GET.get("mark", "")
        ids = _ids(request.GET.getlist("selected-submissions"))
        registrations = list(
            EventRegistration.objects.filter(
                page_id=self.event.pk, pk__in=ids, status=EventRegistration.CONFIRMED
            ).order_by("name")
        )
        if choice not in attendance.CHOICES or not registrations:
            messages.error(request, "Tick one or more confirmed registrations first.")
            return redirect(_list_url(self.event))
        return self.render_to_response(
            self.get_context_data(
                event=self.event,
                registrations=registrations,
                choice=choice,
                label=attendance.LABELS[choice],
                list_url=_list_url(self.event),
            )
        )


class SignInSheetView(EventMixin, TemplateView):
    """A printable sign-in sheet: confirmed registrants' names only, never answers."""

    template_name = "events/admin/sign_in_sheet.html"
    http_method_names = ["get"]

    def get_context_data(self, **kwargs):
        from .attendance import confirmed_names

        context = super().get_context_data(**kwargs)
        context.update(event=self.event, names=confirmed_names(self.event))
        return context
