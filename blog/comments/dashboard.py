"""Reader comments in the editors' dashboard: the "Needs you" part that lists the
comments waiting for a moderator (registered in blog/wagtail_hooks.py)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.ui.components import Component

from home.staff.dashboard import Part, Row, waited

from . import moderation
from .models import Comment
from .moderation import can_moderate


class PendingCommentsPanel(Component):
    """The dashboard's view of the queue: counts by status and the oldest waiting."""

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
        list_url = reverse("wagtailsnippets_comments_comment:list")
        return {
            "pending": counts["pending"],
            "reported": counts["reported"],
            "oldest": oldest,
            "pending_url": f"{list_url}?status=pending",
            "reported_url": f"{list_url}?status=reported",
        }


# The queue appears on the dashboard inside "Needs you" (blog/dashboard.py reads
# PendingCommentsPanel's data), rather than as a panel of its own.


def comments_part(request):
    """Comments waiting for a moderator, oldest first, for people who may moderate."""
    if not can_moderate(request.user):
        return None
    data = PendingCommentsPanel().get_context_data({})
    count = data["pending"] + data["reported"]
    now = timezone.now()
    rows = []
    for comment in data["oldest"]:
        why = "; ".join(comment.reasons) if comment.reasons else "every comment is reviewed"
        if comment.status == moderation.REPORTED:
            why = "hidden after reports from readers"
        rows.append(
            Row(
                label=comment.name,
                url=reverse("wagtailsnippets_comments_comment:inspect", args=[comment.pk]),
                detail=f"on “{comment.page.title}”, sent "
                f"{waited(comment.created_at, now)} ago ({why})",
            )
        )
    text = f"{data['pending']} comment{'s' if data['pending'] != 1 else ''} awaiting moderation"
    if data["reported"]:
        text += f" and {data['reported']} hidden after reports"
    return Part(
        key="comments",
        heading="Reader comments to review",
        count=count,
        count_text=text,
        rows=rows,
        link_url=data["pending_url"] if data["pending"] else data["reported_url"],
        link_text="Open the moderation queue",
        empty_text="No comments are waiting. Thank you!",
    )
