"""The public unsubscribe page: GET asks to confirm, POST unsubscribes (idempotent).

A GET never unsubscribes, because email scanners and link previews open links
on their own. The code in the URL is a key to someone's subscription, so the
page is kept out of caches, search engines and the Referer header.
"""

from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from . import mailing_list


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, code):
    """A forged or broken link gets a 404 page; a genuine one works any number of times."""
    try:
        subscriber = mailing_list.find_by_code(code)
    except mailing_list.InvalidLink:
        return _private(
            TemplateResponse(request, "home/mailing_list/unsubscribe_invalid.html", status=404)
        )
    if request.method == "POST":
        removed = mailing_list.unsubscribe(code)
        return _private(
            TemplateResponse(
                request, "home/mailing_list/unsubscribe_done.html", {"already": not removed}
            )
        )
    return _private(
        TemplateResponse(
            request,
            "home/mailing_list/unsubscribe_confirm.html",
            {"subscribed": subscriber is not None},
        )
    )
