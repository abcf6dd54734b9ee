from django.contrib.contenttypes.models import ContentType
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import ListingButton
from wagtail.log_actions import LogFormatter
from wagtail.models import Page

from home.hooks import (
    ACTION_PLAN_INFORMED_BY,
    DEMO_CONTENT,
    NEEDS_YOU,
    PERSONAL_DATA,
    RETENTION_RULES,
)

from . import admin_views, booking, privacy
from .models import EventPage
from .permissions import can_manage_registrations


@hooks.register("filter_form_submissions_for_user")
def registrations_only_for_organisers(user, editable_forms):
    """Registrations reveal religion and political opinion: only Event organisers
    and superusers see them. Organisers see every event's registrations, even
    without edit rights on the page; editors and moderators see none."""
    event_type = ContentType.objects.get_for_model(EventPage)
    if can_manage_registrations(user):
        return Page.objects.filter(pk__in=editable_forms.values("pk")) | Page.objects.filter(
            content_type=event_type
        )
    return editable_forms.exclude(content_type=event_type)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "events/registrations/",
            admin_views.EventsIndexView.as_view(),
            name="events_registrations_index",
        ),
        path(
            "events/registrations/<int:pk>/cancel/",
            admin_views.CancelRegistrationView.as_view(),
            name="events_cancel_registration",
        ),
        path(
            "events/<int:event_id>/registrations/add/",
            admin_views.AddRegistrationView.as_view(),
            name="events_add_registration",
        ),
        path(
            "events/registrations/<int:pk>/promote/",
            admin_views.PromoteRegistrationView.as_view(),
            name="events_promote_registration",
        ),
        path(
            "events/<int:event_id>/attendance/",
            admin_views.AttendanceView.as_view(),
            name="events_mark_attendance",
        ),
        path(
            "events/<int:event_id>/sign-in-sheet/",
            admin_views.SignInSheetView.as_view(),
            name="events_sign_in_sheet",
        ),
    ]


@hooks.register("register_admin_viewset")
def register_contributions_viewset():
    from .contributions_admin import ContributionViewSet

    return ContributionViewSet()


@hooks.register(ACTION_PLAN_INFORMED_BY)
def roundtables_that_informed(plan, request):
    from .what_we_heard import informed_by

    return informed_by(plan, request)


@hooks.register("register_log_actions")
def register_attendance_log_action(actions):
    from . import attendance

    @actions.register_action(attendance.ACTION)
    class AttendanceMarked(LogFormatter):
        label = "Attendance marked by an organiser"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return (
                f"Attendance: {data.get('registrations', 0)} registration(s) marked as "
                f"{data.get('marked', 'unknown')}"
            )


@hooks.register("register_log_actions")
def register_booking_log_action(actions):
    @actions.register_action(booking.ACTION)
    class RegistrationAdded(LogFormatter):
        label = "Registration added by an organiser"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            outcome = data.get("outcome", "unknown")
            registration_id = data.get("registration_id")
            text = f"Registration added by an organiser: {outcome}"
            return f"{text} (registration {registration_id})" if registration_id else text


class RegistrationsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_registrations(request.user)


@hooks.register("register_admin_menu_item")
def register_registrations_menu_item():
    return RegistrationsMenuItem(
        "Event registrations",
        reverse("events_registrations_index"),
        name="event-registrations",
        icon_name="group",
        order=710,
    )


@hooks.register("register_page_listing_buttons")
def registration_counts_button(page, user, next_url=None):
    """ "confirmed / capacity · waiting" beside each event in the page listing."""
    if not isinstance(page.specific_deferred, EventPage):
        return
    event = page.specific_deferred
    label = event.admin_counts_label()
    if can_manage_registrations(user):
        yield ListingButton(
            label,
            url=reverse("wagtailforms:list_submissions", args=[event.pk]),
            attrs={"aria-label": f"Registrations: {label}"},
            priority=5,
        )
    else:
        yield ListingButton(
            label,
            url=reverse("wagtailadmin_pages:edit", args=[event.pk]),
            attrs={"aria-label": f"Places: {label}"},
            priority=5,
        )


# Editors' dashboard: registration dates in "Needs you", and the Events panel.

from . import dashboard  # noqa: E402

hooks.register(NEEDS_YOU, dashboard.registration_windows_part, order=30)
hooks.register("construct_homepage_panels", dashboard.add_events_panel)


# Registrations and written contributions in subject access, erasure and retention.
hooks.register(PERSONAL_DATA, privacy.personal_data)
hooks.register(RETENTION_RULES, privacy.retention_rules)


@hooks.register(DEMO_CONTENT, order=40)
def load_events_demo(home_page, stdout):
    """Events with registrations (`manage.py load_demo` only)."""
    from .demo import load_events

    load_events(home_page, stdout)


@hooks.register(DEMO_CONTENT, order=45)
def load_roundtable_demo(home_page, stdout):
    """A roundtable with contributions and its "What we heard" (`manage.py load_demo` only)."""
    from .demo import load_roundtable_loop

    load_roundtable_loop(home_page, stdout)
