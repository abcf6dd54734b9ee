"""`{% comments_section page %}`: the approved comments and the form, under a post.

The number of queries is fixed whatever the number of comments: one for every
approved comment of the post (threads are built in Python), plus settings,
the per-post switch and the consent wording.
"""

from django import template
from django.template.loader import render_to_string

from home.models import SiteSettings

from .. import moderation, services
from ..forms import CommentForm
from ..models import Comment, CommentSettings
from ..rendering import render_comment

register = template.Library()

SECTION_TEMPLATE = "comments/comments_section.html"

NOTICES = {
    # One wording for every comment taken, whatever then happens to it, so the page
    # says nothing about the email address that was typed in.
    "received": (
        "success",
        "Thanks — your comment is awaiting moderation.",
        "It will appear here once it has been approved.",
    ),
    "reported": (
        "info",
        "Thank you for your report.",
        "A moderator will look at the comment.",
    ),
}


def build_threads(comments):
    """Top-level comments, oldest first, each with its replies (one level).

    A reply whose parent is no longer approved is shown on its own, marked as
    such, so that every approved comment counted on the post is visible."""
    by_id = {c.pk: c for c in comments}
    threads = []
    for comment in comments:
        comment.thread_replies = []
        comment.orphaned = False
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.thread_replies.append(comment)
        else:
            comment.orphaned = comment.parent_id is not None
            threads.append(comment)
    return threads


@register.filter
def comment_html(text):
    """A comment's text as escaped, linkified HTML with its line breaks."""
    return render_comment(text)


@register.simple_tag(takes_context=True)
def comments_section(context, page):
    """The comments, the form (or why it is closed) and any notice; rendered on
    every request (the front cache keeps whole pages, purged when a comment is
    approved or removed)."""
    request = context.get("request")
    return render_to_string(SECTION_TEMPLATE, section_context(request, page))


def section_context(request, page):
    if request is None or not services.is_commentable(page):
        return {"show": False}
    settings = CommentSettings.load(request_or_site=request)
    comments = list(
        # Never load the email or visitor hash into a public page.
        Comment.objects.filter(page_id=page.pk, status=moderation.APPROVED)
        .only("pk", "parent_id", "name", "text", "created_at")
        .order_by("created_at", "pk")
    )
    threads = build_threads(comments)
    closed = services.thread_closed(page, settings)

    form = getattr(request, "comment_form", None)
    replying_to = None
    if form is None and not closed:
        reply_id = request.GET.get("reply_to", "")
        replying_to = next((c for c in comments if str(c.pk) == reply_id), None)
        form = CommentForm(page=page, initial={"reply_to": replying_to.pk if replying_to else None})
    elif form is not None:
        reply_id = form.data.get("reply_to", "")
        replying_to = next((c for c in comments if str(c.pk) == str(reply_id)), None)

    notice = NOTICES.get(request.GET.get("comment", "")) if request.method == "GET" else None
    site_settings = SiteSettings.load(request_or_site=request)
    return {
        "show": True,
        "page": page,
        "request": request,
        "threads": threads,
        "count": len(comments),
        "closed": closed,
        "form": None if closed else form,
        "replying_to": replying_to,
        "notice": notice,
        "report_error": getattr(request, "comment_report_error", ""),
        "privacy_page": site_settings.privacy_page,
    }
