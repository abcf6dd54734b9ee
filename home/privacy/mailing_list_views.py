"""The public confirm and unsubscribe pages: GET asks, POST acts (idempotent).

A GET never changes anything, because email scanners and link previews open links
on their own. The code in the URL is a key to someone's subscription, so the
pages are kept out of caches, search engines and the Referer header.
"""

from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from home.privacy import mailing_list


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _page(request, name, context=None, status=200):
    """One of the mailing-list pages (templates/home/mailing_list/), kept private."""
    return _private(
        TemplateResponse(request, f"home/mailing_list/{name}.html", context, status=status)
    )


@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, code):
    """A forged or broken link gets a 404 page; a genuine one works any number of times."""
    try:
        subscriber = mailing_list.find_by_code(code)
    except mailing_list.InvalidLink:
        return _page(request, "unsubscribe_invalid", status=404)
    if request.method == "POST":
        removed = mailing_list.unsubscribe(code)
        return _page(request, "unsubscribe_done", {"already": not removed})
    return _page(request, "unsubscribe_confirm", {"subscribed": subscriber is not None})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, code):
    """Double opt-in: a genuine link confirms the subscription it names, once."""
    try:
        subscriber = mailing_list.find_by_confirm_code(code)
    except mailing_list.InvalidLink:
        return _page(request, "unsubscribe_invalid", {"confirming": True}, status=404)
    if subscriber is not None and request.method == "POST":
        confirmed = mailing_list.confirm(subscriber)
        return _page(request, "confirm_done", {"already": not confirmed})
    confirmed = subscriber is not None and subscriber.confirmed_at is not None
    return _page(request, "confirm_ask", {"subscriber": subscriber, "confirmed": confirmed})
