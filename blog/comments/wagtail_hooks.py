"""Admin registrations for reader comments: the moderation queue (blog/comments/queue.py),
its bulk actions, the audit-log actions, and the per-post switch that opens or
closes comments.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.models import Page

from home.hooks import DEMO_CONTENT, PERSONAL_DATA, RETENTION_RULES

from . import privacy as comments_privacy
from . import services
from .models import CommentThread
from .queue import BULK_ACTIONS, CommentQueueViewSet, can_moderate


@hooks.register("register_admin_viewset")
def register_comment_queue():
    return CommentQueueViewSet("comment_queue")


for bulk_action in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action)


def can_switch_thread(user, page):
    return can_moderate(user) or page.permissions_for_user(user).can_edit()


def thread_view(request, page_id):
    """Open or close comments on one post (GET shows the switch, POST flips it)."""
    from django.template.response import TemplateResponse

    page = get_object_or_404(Page, pk=page_id).specific
    if not services.is_commentable(page):
        raise PermissionDenied
    if not can_switch_thread(request.user, page):
        raise PermissionDenied
    thread = CommentThread.objects.filter(page_id=page.pk).first()
    closed = bool(thread and thread.closed)
    if request.method == "POST":
        closed = request.POST.get("closed") == "1"
        services.set_thread_closed(page, closed, request.user)
        messages.success(
            request, f"Comments are now {'closed' if closed else 'open'} on “{page.title}”."
        )
        return redirect("comments_admin:thread", page.pk)
    return TemplateResponse(
        request,
        "comments/admin/thread.html",
        {"page": page, "closed": closed, "thread": thread, "header_icon": "comment"},
    )


@hooks.register("register_admin_urls")
def register_admin_urls():
    from django.urls import include

    urls = [
        path("post/<int:page_id>/", thread_view, name="thread"),
    ]
    return [path("comment-moderation/", include((urls, "comments_admin")))]


# ---------- Audit log ----------


@hooks.register("register_log_actions")
def register_comment_log_actions(actions):
    actions.register_action("comments.approve", "Approve comment", "Comment approved")
    actions.register_action("comments.reject", "Reject comment", "Comment rejected")
    actions.register_action("comments.spam", "Mark comment as spam", "Comment marked as spam")
    actions.register_action(
        "comments.hidden_by_reports",
        "Hide reported comment",
        "Comment hidden for review after reader reports",
    )


# ---------- Dashboard and page buttons ----------


@hooks.register("register_page_header_buttons")
def comments_switch_button(page, user, view_name, next_url=None):
    if services.is_commentable(page) and can_switch_thread(user, page):
        yield Button(
            "Open or close comments",
            reverse("comments_admin:thread", args=[page.pk]),
            icon_name="comment",
            priority=90,
        )


# Comments in subject access, erasure and retention, and the demo's comments
# (home/hooks.py says what each hook expects).
hooks.register(PERSONAL_DATA, comments_privacy.personal_data)
hooks.register(RETENTION_RULES, comments_privacy.retention_rules)


@hooks.register(DEMO_CONTENT, order=35)
def load_comments_demo(home_page, stdout):
    """Comments on the demo posts (`manage.py load_demo` only)."""
    from .demo import load_comments

    load_comments(home_page, stdout)
