"""The editors' dashboard: a "Needs you" panel that other apps add parts to.

`home` cannot know about comments or events, so each app registers a part
function here (from its own `wagtail_hooks.py`); `home` itself contributes the
pages waiting for review in a workflow. A part function takes the request and
returns a `Part`, or None when the user may not see it; the panel is left off
the dashboard when no part is for this user. Each part makes a fixed number of
queries however many items it lists.
"""

from dataclasses import dataclass, field

from django.forms import Media
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from wagtail.admin.ui.components import Component

# How many waiting items a part lists (its count covers them all).
LIST_LIMIT = 5

# Spacing for text in dashboard panels; every app's panel uses it.
DASHBOARD_MEDIA = Media(css={"all": ["home/css/dashboard.css"]})

_parts = []


@dataclass
class Row:
    """One waiting item: a link and a plain-words detail."""

    label: str
    url: str
    detail: str = ""


@dataclass
class Part:
    """One section of "Needs you": how many wait, the oldest few, where to deal with them."""

    key: str
    heading: str
    count: int
    rows: list = field(default_factory=list)
    link_url: str = ""
    link_text: str = ""
    empty_text: str = "Nothing is waiting."
    count_text: str = ""


def waited(since, now=None):
    """How long ago, in one unit: "3 days", "5 hours"."""
    return timesince(since, now or timezone.now(), depth=1)


def register_part(func, order=100):
    """Add a part function `func(request) -> Part | None` to "Needs you"."""
    _parts.append((order, func))
    _parts.sort(key=lambda item: item[0])
    return func


def parts_for(request):
    """The parts this user may see, in order."""
    return [part for _order, func in _parts if (part := func(request)) is not None]


class NeedsYouPanel(Component):
    """The first thing on the dashboard: what is waiting for this person."""

    name = "needs_you"
    template_name = "home/dashboard/needs_you.html"
    order = 50
    media = DASHBOARD_MEDIA

    def __init__(self, parts):
        self.parts = parts

    def get_context_data(self, parent_context=None):
        return {"parts": self.parts, "total": sum(part.count for part in self.parts)}


def add_needs_you_panel(request, panels):
    """The `construct_homepage_panels` hook: the panel, when any part is for this user."""
    parts = parts_for(request)
    if parts:
        panels.append(NeedsYouPanel(parts))


# ---------- Home's own part: pages waiting for review ----------


def can_review(user):
    """Superusers and members of a group that approves an active workflow task."""
    from wagtail.models import GroupApprovalTask

    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return GroupApprovalTask.objects.filter(active=True, groups__in=user.groups.all()).exists()


def pages_awaiting_review(request):
    """Pages submitted for review that this user can approve, oldest first."""
    from wagtail.models import Page, TaskState

    user = request.user
    if not can_review(user):
        return None
    states = (
        TaskState.objects.reviewable_by(user)
        .filter(workflow_state__base_content_type__app_label="wagtailcore")
        .filter(workflow_state__base_content_type__model=Page._meta.model_name)
        .select_related("revision", "revision__user", "task")
        .order_by("started_at")
    )
    count = states.count()
    rows = []
    now = timezone.now()
    for state in states[:LIST_LIMIT]:
        author = state.revision.user
        who = (author.get_full_name() or author.get_username()) if author else "someone"
        rows.append(
            Row(
                label=state.revision.object_str,
                url=reverse("wagtailadmin_pages:edit", args=[state.revision.object_id]),
                detail=f"Sent by {who} {waited(state.started_at, now)} ago · {state.task.name}",
            )
        )
    return Part(
        key="review",
        heading="Pages waiting for your review",
        count=count,
        count_text=f"{count} page{'s' if count != 1 else ''} waiting for review",
        rows=rows,
        empty_text="No pages are waiting for review.",
    )


register_part(pages_awaiting_review, order=20)
