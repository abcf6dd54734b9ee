"""The comment moderation queue in the Wagtail admin, built on Wagtail's generic views.

A `ModelViewSet` (not a snippet: comments are written by readers, never added,
copied or edited in the admin) with a listing filtered by status and post, one
form per row whose Approve, Reject and Spam buttons decide the comment in one
click and bring the moderator back to the same filtered page of the queue, bulk
actions, and a per-comment page (inspect) for the full detail. Every decision
goes through `services.decide`, which records who did what in Wagtail's audit
log (and whose status change purges the post from the front cache).

Who may moderate is unchanged: the `comments.change_comment` permission (the
"Comment moderators" group has it), exposed to the views as the "moderate"
action of `CommentPermissionPolicy`.
"""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db.models import Count, Q
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import View

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy

import django_filters

from . import moderation, services
from .models import Comment, CommentThread

MODERATE_PERMISSION = "comments.change_comment"
EMPTY = "—"
# The buttons on each row and on the comment's own page, in this order.
DECISIONS = [
    (moderation.APPROVED, "Approve"),
    (moderation.REJECTED, "Reject"),
    (moderation.SPAM, "Spam"),
]


def can_moderate(user):
    return user.is_active and user.has_perm(MODERATE_PERMISSION)


def pending_count():
    return Comment.objects.filter(status__in=[moderation.PENDING, moderation.REPORTED]).count()


def decisions_for(comment):
    """The decisions a moderator can still take on `comment` (not its current status)."""
    return [(status, label) for status, label in DECISIONS if status != comment.status]


def title_id(comment):
    return f"comment_{comment.pk}_title"


class CommentPermissionPolicy(ModelPermissionPolicy):
    """Readers write comments; staff only read and decide them. Nobody (not even a
    superuser) adds, copies or edits a comment in the admin. "moderate" (approve,
    reject, spam) is Django's change permission on comments, as before; "view" and
    "delete" are Django's own."""

    REFUSED = {"add", "change"}

    def user_has_permission(self, user, action):
        if action in self.REFUSED:
            return False
        if action == "moderate":
            action = "change"
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = {"change" if a == "moderate" else a for a in actions if a not in self.REFUSED}
        return super().users_with_any_permission(actions)


# ---------- The queue ----------


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
    """The comment, escaped, in a box a moderator can focus to read it; blurred when
    flagged (see `moderation.is_flagged`)."""

    cell_template_name = "comments/admin/text_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["flagged"] = moderation.is_flagged(instance.status, instance.reasons)
        return context


class ReasonsColumn(Column):
    cell_template_name = "comments/admin/reasons_cell.html"
    empty_value_display = EMPTY


class DecideColumn(Column):
    """Approve, Reject and Spam as real buttons in one POST form per row. The form
    sends the queue's current URL (filters, search and page number) as `next`, so the
    moderator lands back where they were."""

    cell_template_name = "comments/admin/decide_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = context["request"]
        # The listing's own URL (not the AJAX results URL) with the same query.
        query = request.GET.urlencode()
        next_url = context["table"].base_url + (f"?{query}" if query else "")
        context.update(
            {
                "decisions": decisions_for(instance),
                "decide_url": reverse("comment_queue:decide", args=[instance.pk]),
                "next_url": next_url,
                "csrf_token": get_token(request),
                "title_id": title_id(instance),
            }
        )
        return context


class CommentIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page")

    @cached_property
    def can_moderate(self):
        return self.user_has_permission("moderate")

    @cached_property
    def columns(self):
        columns = list(super().columns)
        if self.can_moderate:
            # Wagtail's bulk-action checkboxes, described by each row's name cell.
            columns.insert(0, BulkActionsCheckboxColumn("bulk_actions", obj_type="comment"))
            columns.append(DecideColumn("decide", label="Decide"))
        return columns


class CommentInspectView(InspectView):
    template_name = "comments/admin/inspect.html"

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return EMPTY if value is None or value == "" else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comment = self.object
        context.update(
            {
                "comment": comment,
                "flagged": moderation.is_flagged(comment.status, comment.reasons),
                "reports": list(comment.reports.all()[:50]),
                "can_moderate": self.user_has_permission("moderate"),
                "decisions": decisions_for(comment),
                "thread_closed": CommentThread.objects.filter(
                    page_id=comment.page_id, closed=True
                ).exists(),
                "post_url": comment.page.specific_deferred.get_url(self.request),
            }
        )
        return context


class DecideView(PermissionCheckedMixin, View):
    """POST only (with Django's CSRF check): set the chosen status on one comment,
    say so in a success message and go back to `next` (the queue with its filters, or
    the comment's page), or to the queue."""

    http_method_names = ["post"]
    permission_policy = None  # set by the viewset
    permission_required = "moderate"
    index_url_name = None

    def post(self, request, pk):
        status = request.POST.get("status", "")
        if status not in services.LOG_ACTIONS:
            raise BadRequest("Unknown moderation decision")
        comment = get_object_or_404(Comment, pk=pk)
        services.decide([comment], status, request.user)
        messages.success(
            request,
            f"Comment by {comment.name} marked as {comment.get_status_display().lower()}.",
        )
        return redirect(self.get_next_url())

    def get_next_url(self):
        next_url = self.request.POST.get("next", "")
        admin_root = reverse("wagtailadmin_home")
        if (
            next_url.startswith(admin_root)
            and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None)
            and "//" not in next_url
        ):
            return next_url
        return reverse(self.index_url_name)


class CommentQueueViewSet(ModelViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    menu_order = 250
    add_to_admin_menu = True
    url_prefix = "comments"
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = CommentIndexView
    inspect_view_class = CommentInspectView
    index_template_name = "comments/admin/index.html"
    index_results_template_name = "comments/admin/index_results.html"
    filterset_class = CommentFilterSet
    search_fields = ["text", "name"]
    search_backend_name = None
    ordering = ["-created_at"]
    list_per_page = 50
    # Never used (nobody may add or edit), but ModelViewSet needs a form definition.
    form_fields = []
    list_display = [
        TitleColumn(
            "name",
            label="From",
            url_name="comment_queue:inspect",
            get_title_id=title_id,
        ),
        CommentTextColumn("text", label="Comment"),
        Column("page", label="Post"),
        Column("status", label="Status", accessor="get_status_display"),
        ReasonsColumn("reasons", label="Why held"),
        DateColumn("created_at", label="Sent", sort_key="created_at"),
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

    @cached_property
    def permission_policy(self):
        return CommentPermissionPolicy(self.model)

    def get_permissions_to_register(self):
        # The group editor offers view, change (= moderate) and delete; granting "add"
        # would change nothing.
        return super().get_permissions_to_register().exclude(codename="add_comment")

    @property
    def decide_view(self):
        return self.construct_view(DecideView, index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("decide/<int:pk>/", self.decide_view, name="decide"),
        ]

    @property
    def menu_item_class(self):
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


# ---------- Bulk actions ----------


class CommentBulkAction(BulkAction):
    """A Wagtail bulk action on comments, for moderators only."""

    models = [Comment]
    template_name = "comments/admin/confirm_bulk_decision.html"

    def check_perm(self, obj):
        return can_moderate(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_label"] = self.display_name
        context["header_icon"] = "comment"
        return context

    def get_execution_context(self):
        return {**super().get_execution_context(), "self": self}


class DecisionBulkAction(CommentBulkAction):
    """Approve, reject or mark many comments as spam at once."""

    status = None

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


class ApproveBulkAction(DecisionBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve selected comments"
    action_priority = 10
    status = moderation.APPROVED


class RejectBulkAction(DecisionBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject selected comments"
    action_priority = 15
    status = moderation.REJECTED


class SpamBulkAction(DecisionBulkAction):
    display_name = "Mark as spam"
    action_type = "spam"
    aria_label = "Mark selected comments as spam"
    action_priority = 20
    status = moderation.SPAM


class DeleteBulkAction(CommentBulkAction):
    """Delete comments (spam, mostly) for good; each deletion is in the audit log."""

    display_name = "Delete"
    action_type = "delete"
    aria_label = "Delete selected comments"
    action_priority = 30
    classes = {"serious"}

    def check_perm(self, obj):
        return self.request.user.is_active and self.request.user.has_perm("comments.delete_comment")

    @classmethod
    def execute_action(cls, objects, **kwargs):
        from django.db import transaction

        from wagtail.log_actions import log

        with transaction.atomic():
            for comment in objects:
                log(instance=comment, action="wagtail.delete")
                comment.delete()
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        if num_parent_objects == 1:
            return "1 comment deleted."
        return f"{num_parent_objects} comments deleted."


BULK_ACTIONS = [ApproveBulkAction, RejectBulkAction, SpamBulkAction, DeleteBulkAction]


# ---------- The dashboard's view of the queue ----------


class PendingCommentsPanel(Component):
    """Counts by status and the oldest waiting comments, for the dashboard."""

    name = "pending_comments"
    template_name = "comments/admin/dashboard_panel.html"
    order = 120

    def get_context_data(self, parent_context=None):
        counts = Comment.objects.aggregate(
            pending=Count("pk", filter=Q(status=moderation.PENDING)),
            reported=Count("pk", filter=Q(status=moderation.REPORTED)),
        )
        oldest = list(
            Comment.objects.filter(status__in=[moderation.PENDING, moderation.REPORTED])
            .select_related("page")
            .only("pk", "name", "status", "reasons", "created_at", "page__title")
            .order_by("created_at")[:5]
        )
        list_url = reverse("comment_queue:index")
        return {
            "pending": counts["pending"],
            "reported": counts["reported"],
            "oldest": oldest,
            "pending_url": f"{list_url}?status=pending",
            "reported_url": f"{list_url}?status=reported",
        }
