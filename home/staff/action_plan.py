"""Admin: a compact view for editors to update the action plan's statuses quickly.

Every save goes through Wagtail's own flow: a new page revision is saved and,
for editors allowed to publish, published (which records the status history).
Editors who may edit but not publish save a draft for someone else to publish.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Table, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.permissions import page_permission_policy

from home.privacy.admin_generic import Column
from home.report.models import ActionPlanPage, RecommendationStatusChange
from home.report.progress import STATUS_CHOICES


class QuickStatusForm(forms.Form):
    """One recommendation's row: its status and public progress note."""

    status = forms.ChoiceField(choices=STATUS_CHOICES)
    progress_note = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "cols": 40})
    )

    def clean_progress_note(self):
        return self.cleaned_data["progress_note"].strip()


def _blocked_reason(page, user):
    """Why quick updates are refused on this page, or "" when they are allowed.

    Rule: only a page without unpublished changes, not locked by someone else
    and not in a moderation workflow is updated here; otherwise publishing the
    quick change would also publish (or overwrite) someone else's work.
    """
    if page.has_unpublished_changes:
        return (
            "This page has unpublished changes. Publish or discard them in the page editor "
            "before using quick updates."
        )
    lock = page.get_lock()
    if lock and lock.for_user(user):
        return "This page is locked. Ask the person who locked it, or unlock it in the editor."
    if page.workflow_in_progress:
        return "This page is in a moderation workflow. Finish it in the page editor first."
    return ""


def _statuses_url(plan):
    return reverse("home_action_plan_statuses", args=[plan.pk])


class ActionPlansIndexView(IndexView):
    """The action plans the user may edit (Wagtail's page permission policy); with only
    one, straight to its statuses."""

    model = ActionPlanPage
    permission_policy = page_permission_policy
    any_permission_required = ["change"]
    index_url_name = "home_action_plans"
    page_title = "Action plan statuses"
    header_icon = "tasks"
    default_ordering = "path"
    is_searchable = False

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label="Action plan",
                accessor=lambda plan: f"{plan.get_parent().title}: {plan.title}",
                get_url=_statuses_url,
            ),
        ]

    def get_base_queryset(self):
        editable = self.permission_policy.instances_user_has_permission_for(
            self.request.user, "change"
        )
        return ActionPlanPage.objects.filter(pk__in=editable.values("pk"))

    @cached_property
    def no_results_message(self):
        return (
            "There is no action plan you can edit. Create an action plan page under a report page."
        )

    def get(self, request, *args, **kwargs):
        plans = list(self.get_base_queryset()[:2])
        if len(plans) == 1:
            return redirect(_statuses_url(plans[0]))
        return super().get(request, *args, **kwargs)


class StatusColumn(Column):
    """A recommendation's form field, labelled for screen readers ("Status of
    recommendation 4")."""

    cell_template_name = "home/admin/cells/form_field.html"

    def __init__(self, name, label_format, **kwargs):
        super().__init__(name, **kwargs)
        self.label_format = label_format

    def get_cell_context_data(self, row, parent_context):
        context = super().get_cell_context_data(row, parent_context)
        context["field"] = row["form"][self.name]
        context["field_label"] = self.label_format.format(number=row["item"].number)
        return context


class RecommendationColumn(Column):
    """The recommendation's title as the row's heading, with its last change."""

    cell_template_name = "home/admin/cells/row_heading.html"

    def get_cell_context_data(self, row, parent_context):
        context = super().get_cell_context_data(row, parent_context)
        changed = row["item"].last_change_date
        context["note"] = f"Last changed {format_date(changed, 'j M Y')}" if changed else ""
        return context


class HistoryColumn(Column):
    cell_template_name = "home/admin/cells/status_history.html"

    def get_cell_context_data(self, row, parent_context):
        context = super().get_cell_context_data(row, parent_context)
        context["history"] = row["history"]
        return context


STATUS_COLUMNS = [
    Column("number", label="No.", accessor=lambda row: row["item"].number),
    RecommendationColumn("title", label="Recommendation", accessor=lambda row: row["item"].title),
    StatusColumn("status", label="Status", label_format="Status of recommendation {number}"),
    StatusColumn(
        "progress_note",
        label="Public progress note",
        label_format="Progress note for recommendation {number}",
    ),
    HistoryColumn("history", label="History", accessor=lambda row: None),
]


class ActionPlanStatusesView(WagtailAdminTemplateMixin, BaseObjectMixin, TemplateView):
    """List every recommendation with a status select and note; save as a new revision.

    Who may use it is decided as in Wagtail's own page editor: the page's
    permissions for the user (`can_edit`, and `can_publish` to publish at once).
    """

    model = ActionPlanPage
    pk_url_kwarg = "page_id"
    template_name = "home/admin/report_statuses.html"
    page_title = "Update statuses"
    header_icon = "tasks"
    http_method_names = ["get", "post"]

    def get_object(self):
        page = super().get_object()
        self.page_permissions = page.permissions_for_user(self.request.user)
        if not self.page_permissions.can_edit():
            raise PermissionDenied
        return page

    def get_page_subtitle(self):
        return self.object.title

    @cached_property
    def blocked(self):
        return _blocked_reason(self.object, self.request.user)

    @cached_property
    def draft(self):
        return self.object.get_latest_revision_as_object()

    @cached_property
    def items(self):
        return list(self.draft.recommendations.all())

    def get(self, request, *args, **kwargs):
        forms_by_item = [
            (
                item,
                QuickStatusForm(
                    initial={"status": item.status, "progress_note": item.progress_note},
                    prefix=f"rec-{item.pk}",
                ),
            )
            for item in self.items
        ]
        return self.render(forms_by_item)

    def post(self, request, *args, **kwargs):
        page = self.object
        forms_by_item = [
            (item, QuickStatusForm(request.POST, prefix=f"rec-{item.pk}")) for item in self.items
        ]
        if self.blocked:
            messages.error(request, self.blocked)
            return self.render(forms_by_item, status=409)
        if not all(form.is_valid() for _, form in forms_by_item):
            return self.render(forms_by_item, status=400)
        changed = _apply(forms_by_item)
        if not changed:
            messages.info(request, "Nothing changed.")
            return redirect(_statuses_url(page))
        self.draft.recommendations.set(self.items)
        revision = self.draft.save_revision(user=request.user, log_action=True)
        if self.page_permissions.can_publish():
            revision.publish(user=request.user)
            messages.success(request, f"Published {len(changed)} change(s).")
        else:
            messages.success(
                request,
                f"Saved {len(changed)} change(s) as a draft. Someone with publishing "
                "rights needs to publish the page.",
            )
        return redirect(_statuses_url(page))

    def render(self, forms_by_item, status=200):
        history = {}
        changes = RecommendationStatusChange.objects.filter(recommendation__page_id=self.object.pk)
        for change in changes:
            history.setdefault(change.recommendation_id, []).append(change)
        rows = [
            {"item": item, "form": form, "history": history.get(item.pk, [])}
            for item, form in forms_by_item
        ]
        context = self.get_context_data(
            page=self.object,
            table=Table(STATUS_COLUMNS, rows, caption=f"Recommendations of {self.object.title}"),
            blocked=self.blocked,
            can_publish=self.page_permissions.can_publish(),
            has_errors=status == 400,
        )
        return self.render_to_response(context, status=status)


def _apply(forms_by_item):
    """Copy changed values onto the items; returns the items that changed."""
    today = timezone.localdate()
    changed = []
    for item, form in forms_by_item:
        status = form.cleaned_data["status"]
        note = form.cleaned_data["progress_note"]
        if status != item.status or note != item.progress_note:
            item.status = status
            item.progress_note = note
            item.last_changed = today
            changed.append(item)
    return changed


@hooks.register("register_admin_urls")
def register_action_plan_urls():
    return [
        path("action-plan/", ActionPlansIndexView.as_view(), name="home_action_plans"),
        path(
            "action-plan/<int:page_id>/statuses/",
            ActionPlanStatusesView.as_view(),
            name="home_action_plan_statuses",
        ),
    ]


class ActionPlanMenuItem(MenuItem):
    def is_shown(self, request):
        editable = page_permission_policy.instances_user_has_permission_for(request.user, "change")
        return ActionPlanPage.objects.filter(pk__in=editable.values("pk")).exists()


@hooks.register("register_admin_menu_item")
def register_action_plan_menu_item():
    return ActionPlanMenuItem(
        "Action plan statuses", reverse("home_action_plans"), icon_name="tasks", order=250
    )
