"""The moderation queue in the Wagtail admin.

Comments are a snippet list (filters, search, bulk actions) whose rows open a
review page with approve / reject / spam buttons. Every decision goes through
`services.decide`, which records who did what in Wagtail's audit log.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    IndexView,
    InspectView,
    SnippetViewSet,
)

import django_filters

from home.hooks import DEMO_CONTENT, NEEDS_YOU, PERSONAL_DATA, RETENTION_RULES

from . import dashboard as comments_dashboard
from . import moderation, services
from . import privacy as comments_privacy
from .models import Comment, CommentThread
from .moderation import can_moderate


def pending_count():
    return Comment.objects.filter(status__in=[moderation.PENDING, moderation.REPORTED]).count()


# ---------- List ----------


class CommentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=moderation.STATUS_CHOICES, label="Status")
    page = django_filters.ModelChoiceFilter(
        label="Post",
        queryset=lambda request: Page.objects.filter(
            pk__in=Comment.objects.values("page_id")
        ).order_by("title"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        label="Date sent", widget=DateRangePickerWidget
    )

    class Meta:
        model = Comment
        fields = ["status", "page", "created_at"]


class CommentTextColumn(Column):
    """The comment, escaped, in a blur-able box a moderator can focus to read."""

    cell_template_name = "comments/admin/text_cell.html"


class ReasonsColumn(Column):
    cell_template_name = "comments/admin/reasons_cell.html"


class CommentIndexView(IndexView):
    def get_edit_url(self, instance):
        # Comments are reviewed, not edited: every row opens the review page.
        return reverse(self.inspect_url_name, args=[instance.pk])

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page")


class CommentInspectView(InspectView):
    template_name = "comments/admin/inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comment = self.object
        context.update(
            {
                "comment": comment,
                "reports": list(comment.reports.all()[:50]),
                "can_moderate": can_moderate(self.request.user),
                "decisions": [
                    (status, label)
                    for status, label in [
                        (moderation.APPROVED, "Approve"),
                        (moderation.REJECTED, "Reject"),
                        (moderation.SPAM, "Mark as spam"),
                    ]
                    if status != comment.status
                ],
                "thread_closed": CommentThread.objects.filter(
                    page_id=comment.page_id, closed=True
                ).exists(),
                "post_url": comment.page.specific_deferred.get_url(self.request),
            }
        )
        return context


class ReviewOnlyEditView(EditView):
    """Comment text stays as the reader wrote it: send moderators to the review page."""

    def dispatch(self, request, *args, **kwargs):
        return redirect(self.inspect_url_name, kwargs["pk"])


class NoCreateView(CreateView):
    def dispatch(self, request, *args, **kwargs):
        messages.info(request, "Comments are written by readers on the posts themselves.")
        return redirect(self.index_url_name)


class ModeratorsOnlyMixin:
    """Wagtail opens every snippet chooser to anyone with admin access; the comment
    chooser would show commenters' names and words to editors and organisers."""

    def dispatch(self, request, *args, **kwargs):
        if not can_moderate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CommentChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("CommentChooseView", (ModeratorsOnlyMixin, ChooseView), {})
    choose_results_view_class = type(
        "CommentChooseResultsView", (ModeratorsOnlyMixin, ChooseResultsView), {}
    )
    chosen_view_class = type("CommentChosenView", (ModeratorsOnlyMixin, SnippetChosenView), {})
    chosen_multiple_view_class = type(
        "CommentChosenMultipleView", (ModeratorsOnlyMixin, SnippetChosenMultipleView), {}
    )
    create_view_class = type(
        "CommentChooserCreateView", (ModeratorsOnlyMixin, SnippetCreateView), {}
    )


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = CommentIndexView
    inspect_view_class = CommentInspectView
    edit_view_class = ReviewOnlyEditView
    chooser_viewset_class = CommentChooserViewSet
    add_view_class = NoCreateView
    index_template_name = "comments/admin/index.html"
    filterset_class = CommentFilterSet
    search_fields = ["text", "name"]
    search_backend_name = None
    ordering = ["-created_at"]
    list_per_page = 50
    list_display = [
        "name",
        CommentTextColumn("text", label="Comment"),
        Column("page", label="Post"),
        Column("status", label="Status", accessor="get_status_display"),
        ReasonsColumn("reasons", label="Why held"),
        "created_at",
    ]
    inspect_view_fields = [
        "page",
        "name",
        "email",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "consent",
        "consent_given_at",
        "personal_data_cleared_at",
    ]

    @property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem
        from wagtail.admin.ui.sidebar import LinkMenuItem

        viewset = self

        class CommentsMenuItem(MenuItem):
            def is_shown(self, request):
                return viewset.permission_policy.user_has_any_permission(
                    request.user, viewset.index_view_class.any_permission_required
                )

            def render_component(self, request):
                count = pending_count()
                # The sidebar has no badge slot, so the count goes in the label
                # (read out by screen readers as part of the link).
                label = f"{self.label} ({count} to review)" if count else self.label
                url = self.url + ("?status=pending" if count else "")
                return LinkMenuItem(
                    self.name,
                    label,
                    url,
                    icon_name=self.icon_name,
                    classname=self.classname,
                    attrs=self.attrs,
                )

        return CommentsMenuItem


register_snippet(CommentViewSet)


# ---------- Decisions (single and bulk) ----------


@require_POST
def decide_view(request, pk, status):
    if not can_moderate(request.user):
        raise PermissionDenied
    if status not in services.LOG_ACTIONS:
        raise PermissionDenied
    comment = get_object_or_404(Comment, pk=pk)
    services.decide([comment], status, request.user)
    messages.success(
        request, f"Comment by {comment.name} marked as {comment.get_status_display().lower()}."
    )
    next_url = request.POST.get("next", "")
    if next_url.startswith("/admin/") and "//" not in next_url:
        return redirect(next_url)
    return redirect("wagtailsnippets_comments_comment:list")


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
        path("<int:pk>/<str:status>/", decide_view, name="decide"),
        path("post/<int:page_id>/", thread_view, name="thread"),
    ]
    return [path("comment-moderation/", include((urls, "comments_admin")))]


class DecisionBulkAction(SnippetBulkAction):
    """Approve, reject or mark many comments as spam at once."""

    status = None
    template_name = "comments/admin/confirm_bulk_decision.html"
    models = [Comment]

    def check_perm(self, obj):
        return can_moderate(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_label"] = self.display_name
        return context

    @classmethod
    def execute_action(cls, objects, **kwargs):
        view = kwargs["self"]
        count = services.decide(objects, cls.status, view.request.user)
        return count, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        status = dict(moderation.STATUS_CHOICES)[self.status].lower()
        if num_parent_objects == 1:
            return f"1 comment marked as {status}."
        return f"{num_parent_objects} comments marked as {status}."


@hooks.register("register_bulk_action")
class ApproveBulkAction(DecisionBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve selected comments"
    action_priority = 10
    status = moderation.APPROVED


@hooks.register("register_bulk_action")
class RejectBulkAction(DecisionBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject selected comments"
    action_priority = 15
    status = moderation.REJECTED


@hooks.register("register_bulk_action")
class SpamBulkAction(DecisionBulkAction):
    display_name = "Mark as spam"
    action_type = "spam"
    aria_label = "Mark selected comments as spam"
    action_priority = 20
    status = moderation.SPAM


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


# Comments waiting for a moderator in the dashboard's "Needs you"; comments in subject
# access, erasure and retention; demo comments (home/hooks.py says what each expects).
hooks.register(NEEDS_YOU, comments_dashboard.comments_part, order=10)
hooks.register(PERSONAL_DATA, comments_privacy.personal_data)
hooks.register(RETENTION_RULES, comments_privacy.retention_rules)


@hooks.register(DEMO_CONTENT, order=35)
def load_comments_demo(home_page, stdout):
    """Comments on the demo posts (`manage.py load_demo` only)."""
    from .demo import load_comments

    load_comments(home_page, stdout)
