"""Admin: a compact view for editors to update the action plan's statuses quickly.

Every save goes through Wagtail's own flow: a new page revision is saved and,
for editors allowed to publish, published (which records the status history).
Editors who may edit but not publish save a draft for someone else to publish.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from home.report.models import ActionPlanPage, RecommendationStatusChange
from home.report.progress import STATUS_CHOICES


class QuickStatusForm(forms.Form):
    """One recommendation's row: its status and public progress note."""

    status = forms.ChoiceField(choices=STATUS_CHOICES)
    progress_note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea)

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


def action_plan_index(request):
    plans = [
        plan
        for plan in ActionPlanPage.objects.all().order_by("path")
        if plan.permissions_for_user(request.user).can_edit()
    ]
    if len(plans) == 1:
        return redirect("home_action_plan_statuses", plans[0].pk)
    return TemplateResponse(request, "home/admin/report_action_plans.html", {"plans": plans})


def action_plan_statuses(request, page_id):
    """List every recommendation with a status select and note; save as a new revision."""
    page = get_object_or_404(ActionPlanPage, pk=page_id)
    permissions = page.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise PermissionDenied
    can_publish = permissions.can_publish()
    blocked = _blocked_reason(page, request.user)
    draft = page.get_latest_revision_as_object()
    items = list(draft.recommendations.all())

    status = 200
    if request.method == "POST":
        forms_by_item = [
            (item, QuickStatusForm(request.POST, prefix=f"rec-{item.pk}")) for item in items
        ]
        if blocked:
            messages.error(request, blocked)
            status = 409
        elif all(form.is_valid() for _, form in forms_by_item):
            changed = _apply(forms_by_item)
            if not changed:
                messages.info(request, "Nothing changed.")
                return redirect("home_action_plan_statuses", page.pk)
            draft.recommendations.set(items)
            revision = draft.save_revision(user=request.user, log_action=True)
            if can_publish:
                revision.publish(user=request.user)
                messages.success(request, f"Published {len(changed)} change(s).")
            else:
                messages.success(
                    request,
                    f"Saved {len(changed)} change(s) as a draft. Someone with publishing "
                    "rights needs to publish the page.",
                )
            return redirect("home_action_plan_statuses", page.pk)
        else:
            status = 400
    else:
        forms_by_item = [
            (
                item,
                QuickStatusForm(
                    initial={"status": item.status, "progress_note": item.progress_note},
                    prefix=f"rec-{item.pk}",
                ),
            )
            for item in items
        ]

    history = {}
    for change in RecommendationStatusChange.objects.filter(recommendation__page_id=page.pk):
        history.setdefault(change.recommendation_id, []).append(change)
    rows = [
        {"item": item, "form": form, "history": history.get(item.pk, [])}
        for item, form in forms_by_item
    ]
    return TemplateResponse(
        request,
        "home/admin/report_statuses.html",
        {
            "page": page,
            "rows": rows,
            "blocked": blocked,
            "can_publish": can_publish,
            "has_errors": status == 400,
        },
        status=status,
    )


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
        path("action-plan/", action_plan_index, name="home_action_plans"),
        path(
            "action-plan/<int:page_id>/statuses/",
            action_plan_statuses,
            name="home_action_plan_statuses",
        ),
    ]


class ActionPlanMenuItem(MenuItem):
    def is_shown(self, request):
        return any(
            plan.permissions_for_user(request.user).can_edit()
            for plan in ActionPlanPage.objects.all()[:5]
        )


@hooks.register("register_admin_menu_item")
def register_action_plan_menu_item():
    return ActionPlanMenuItem(
        "Action plan statuses", reverse("home_action_plans"), icon_name="tasks", order=250
    )
