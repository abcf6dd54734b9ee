"""The blog's parts of the editors' dashboard: comments waiting in "Needs you", and
the "Readers" panel (most-read posts of the last 30 days, with a views chart)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from wagtail.admin.ui.components import Component

from home.abuse.visitor import today
from home.staff.dashboard import DASHBOARD_MEDIA, Part, Row, waited

from . import charts

READERS_DAYS = 30
TOP_POSTS = 5
CHART_WIDTH = 300
CHART_HEIGHT = 80


# ---------- "Needs you": reader comments ----------


def comments_part(request):
    """Comments waiting for a moderator, oldest first, for people who may moderate."""
    from .comments import moderation
    from .comments.queue import PendingCommentsPanel, can_moderate

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
                url=reverse("comment_queue:inspect", args=[comment.pk]),
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


# ---------- "Readers" ----------


def can_see_readers(user):
    """Anyone who may edit the blog (contributors, editors, superusers): the counts are
    not personal data, but moderators and organisers have no use for them."""
    from .models import BlogIndexPage

    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    index = BlogIndexPage.objects.order_by("path").first()
    return index is not None and index.permissions_for_user(user).can_edit()


def readers_data(end=None):
    """Top posts by views over the last 30 London days, and the daily totals for the
    chart: two queries whatever the number of posts or days."""
    from .models import views_by

    end = end or today()
    start = end - timedelta(days=READERS_DAYS - 1)
    per_post = views_by(("post_id", "post__title"), start, end)
    top = sorted(per_post.items(), key=lambda row: (-row[1], row[0][1]))[:TOP_POSTS]
    totals = {day: views for (day,), views in views_by(("day",), start, end).items()}
    series = charts.daily_series(totals, end, days=READERS_DAYS)
    bars, top_value = charts.bars(series, CHART_WIDTH, CHART_HEIGHT)
    return {
        "posts": [
            {
                "title": title,
                "views": views,
                "url": reverse("wagtailadmin_pages:edit", args=[pk]),
            }
            for (pk, title), views in top
        ],
        "series": series,
        "bars": bars,
        "top": top_value,
        "summary": charts.summary(series),
        "total": sum(value for _day, value in series),
    }


class ReadersPanel(Component):
    """The most-read posts of the last 30 days with a small SVG chart of daily views;
    the chart's text alternative is a sentence and a table of the days."""

    name = "readers"
    template_name = "blog/dashboard/readers.html"
    media = DASHBOARD_MEDIA
    order = 160

    def get_context_data(self, parent_context=None):
        context = readers_data()
        context.update(width=CHART_WIDTH, height=CHART_HEIGHT, days=READERS_DAYS)
        return context


def add_readers_panel(request, panels):
    if can_see_readers(request.user):
        panels.append(ReadersPanel())
