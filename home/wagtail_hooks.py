"""Admin registrations for the home app."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet

from home.abuse import ratelimit
from home.hooks import DEMO_CONTENT, NEEDS_YOU, PERSONAL_DATA, RETENTION_RULES
from home.pages import form_messages
from home.pages.messages_list import enquiries_policy
from home.pages.models import FormPage
from home.privacy import (
    mailing_list,
    staff_routing,  # noqa: F401
    task_records,
)
from home.privacy.models import ConsentText
from home.staff import (
    action_plan,  # noqa: F401
    avatars,
    content_checks,
    dashboard,
)
from home.staff import enquiries as enquiries_admin
from home.staff import privacy as privacy_views
from home.staff.mailing_list import MailingListSubscriberViewSet


class ConsentTextEditView(EditView):
    """Saved consent wording is read-only: send editors to the record instead."""

    def dispatch(self, request, *args, **kwargs):
        messages.info(
            request,
            "Consent wording is never changed once saved. Add a new version instead; "
            "people keep the version they agreed to.",
        )
        return redirect(self.inspect_url_name, kwargs["pk"])


class ConsentTextDeleteView(DeleteView):
    def dispatch(self, request, *args, **kwargs):
        messages.error(request, "Consent wording is kept as a record and cannot be deleted.")
        return redirect(self.inspect_url_name, kwargs["pk"])


class ConsentTextViewSet(SnippetViewSet):
    model = ConsentText
    icon = "clipboard-list"
    menu_label = "Consent wording"
    add_to_settings_menu = True
    inspect_view_enabled = True
    list_display = ["purpose", "version", "created_at"]
    list_filter = ["purpose"]
    form_fields = ["purpose", "text"]
    edit_view_class = ConsentTextEditView
    delete_view_class = ConsentTextDeleteView


register_snippet(ConsentTextViewSet)


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    actions.register_action(
        "lmn.privacy.export", "Personal data exported", "Personal data exported"
    )
    actions.register_action("lmn.privacy.erasure", "Personal data erased", "Personal data erased")
    actions.register_action(
        "lmn.privacy.retention", "Retention rules applied", "Retention rules applied"
    )
    actions.register_action(
        "lmn.privacy.registrations_export",
        "Registrations exported",
        "Registrations exported",
    )
    actions.register_action(
        "lmn.privacy.mailing_list_export", "Mailing list exported", "Mailing list exported"
    )
    actions.register_action(
        "lmn.privacy.enquiries_export", "Form messages exported", "Form messages exported"
    )
    actions.register_action(
        "lmn.privacy.contributions_export",
        "Written contributions exported",
        "Written contributions exported",
    )
    actions.register_action(staff_routing.LOG_ACTION)(staff_routing.RoutingChangeFormatter)


@hooks.register("after_create_page")
def log_routing_of_new_page(request, page):
    """A new page's routing settings, recorded once it has an id (home/privacy/staff_routing.py)."""
    pending = getattr(page, "routing_changes_to_log", None)
    if pending:
        user, changes = pending
        staff_routing.log_changes(page, user, changes)
        page.routing_changes_to_log = None


@hooks.register("filter_form_submissions_for_user")
def enquiries_only_for_handlers(user, editable_forms):
    """Messages from the contact and enquiry forms are read by Enquiry handlers and
    superusers only, whether or not they may edit the page; Editors see none."""
    form_page_type = ContentType.objects.get_for_model(FormPage)
    if staff_routing.can_handle_enquiries(user):
        return Page.objects.filter(pk__in=editable_forms.values("pk")) | Page.objects.filter(
            content_type=form_page_type
        )
    return editable_forms.exclude(content_type=form_page_type)


# Editors' dashboard ("Needs you", to which blog and events add their parts) and the
# content checker; see home/staff/dashboard.py and home/staff/content_checks.py.

hooks.register("construct_homepage_panels", dashboard.add_needs_you_panel)
hooks.register(NEEDS_YOU, dashboard.pages_awaiting_review, order=20)
hooks.register("construct_wagtail_userbar", content_checks.use_site_content_checker)


# Personal data requests: superusers download a person's data (home/staff/privacy.py).


@hooks.register("register_admin_urls")
def register_privacy_admin_urls():
    return [
        path(
            "privacy/subject-access/",
            privacy_views.SubjectAccessView.as_view(),
            name="home_privacy_subject_access",
        )
    ]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return privacy_views.subject_access_policy.user_has_permission(request.user, "export")


@hooks.register("register_settings_menu_item")
def register_privacy_menu_item():
    return SuperuserMenuItem(
        "Personal data requests",
        reverse("home_privacy_subject_access"),
        name="personal-data-requests",
        icon_name="download",
        order=900,
    )


# Mailing-list subscribers: read-only, superusers only (home/staff/mailing_list.py).


@hooks.register("register_admin_viewset")
def register_mailing_list_viewset():
    return MailingListSubscriberViewSet("mailing_list_subscribers")


# Staff avatars: an uploaded picture or initials, never Gravatar (home/staff/avatars.py).


@hooks.register("get_avatar_url")
def staff_avatar_url(user, size):
    return avatars.avatar_url(user, size)


# Contact and enquiry messages: Enquiry handlers and superusers (home/staff/enquiries.py).


@hooks.register("register_admin_urls")
def register_enquiries_admin_urls():
    return [
        path(
            "form-messages/",
            enquiries_admin.EnquiriesIndexView.as_view(),
            name="home_enquiries",
        )
    ]


class EnquiriesMenuItem(MenuItem):
    def is_shown(self, request):
        return enquiries_policy.user_has_permission(request.user, "view")


@hooks.register("register_admin_menu_item")
def register_enquiries_menu_item():
    return EnquiriesMenuItem(
        "Form messages",
        reverse("home_enquiries"),
        name="form-messages",
        icon_name="mail",
        order=720,
    )


# Personal data held by home's own parts, for subject access, erasure and retention
# (home/hooks.py says what each hook expects).
hooks.register(PERSONAL_DATA, form_messages.personal_data)
hooks.register(RETENTION_RULES, form_messages.retention_rules)
hooks.register(PERSONAL_DATA, mailing_list.personal_data)
hooks.register(RETENTION_RULES, mailing_list.retention_rules)
hooks.register(PERSONAL_DATA, ratelimit.personal_data)
hooks.register(RETENTION_RULES, ratelimit.retention_rules)
hooks.register(PERSONAL_DATA, task_records.personal_data)
hooks.register(RETENTION_RULES, task_records.retention_rules)


@hooks.register(DEMO_CONTENT, order=20)
def load_report_demo(home_page, stdout):
    """The report and an example action plan (`manage.py load_demo` only)."""
    from home.demo.report import load_report

    load_report(home_page, stdout)
