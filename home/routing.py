"""Faster routing to the pages of a section whose children are all of one type.

Wagtail routes a URL one level at a time: at each level it reads the child page,
then its specific row (two queries). An index page that only holds one page type
(the blog's posts, the events) can read the child of that type directly, with the
images its template shows, in one query.
"""

import hashlib

from django.apps import apps

from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from . import caching
from .security import is_admin_path


def child_of_type(parent, slug, model, select_related=()):
    """The child of `parent` with `slug` as an instance of `model`, or None."""
    child = model.objects.child_of(parent).filter(slug=slug).select_related(*select_related).first()
    if child is not None:
        child._cached_parent_obj = parent  # treebeard's get_parent() reads it
    return child


def route_to_child(parent, request, path_components, model, select_related=()):
    """Wagtail's `route()` result for a one-segment path naming a `model` child of
    `parent`, or None when the path is anything else (the caller then routes the
    usual way, so 404s, drafts and other page types behave exactly as before)."""
    if len(path_components) != 1:
        return None
    child = child_of_type(parent, path_components[0], model, select_related)
    if child is None:
        return None
    return child.route(request, [])


# ----- Remembered routes ---------------------------------------------------------
#
# Before any page renders, Wagtail finds the site for the request (one query) and
# walks the tree to the page (two or three more). The outcome only changes when a
# page is published, unpublished, moved or deleted, or a site is saved, all of which
# bump the content version (home/caching.py). So the site and the page's type and id
# are remembered under the content version, host and path, and the next request
# reads the page by its id alone. Only plain routes are remembered (no routable
# sub-pages); whatever is not remembered is routed the usual way.
#
# View restrictions are not part of a route: Wagtail's own `before_serve_page` hook
# still checks them on every request (see `BasePage.get_view_restrictions`).


def route_cache_key(request, version):
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    raw = "\n".join((version, host, request.META.get("SERVER_PORT", ""), request.path_info))
    return "lmn:route:" + hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def remembered_page(model_label, pk, request):
    """The live page, as its own type, or None (it went away: route afresh).

    The page itself is also kept, for the "listing" lifetime (LISTING_CACHE_SECONDS)
    under the content version: a publish replaces it at once, and the counts it
    carries (a post's views and comments) are as fresh as the listings showing them."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return None

    def load():
        return model.objects.filter(pk=pk, live=True).first()

    seconds = caching.fragment_seconds("listing")
    if not seconds:
        return load()
    # The fragment version: whoever just acted (a comment, a registration) gets the
    # page read afresh, with its new counts.
    key = f"lmn:page-copy:{caching.fragment_version(request)}:{model_label}:{pk}"
    page = caching.read_copy(key)
    if page is None:
        page = load()
        if page is not None:
            caching.store_copy(key, page, seconds)
    return page


class RouteCacheMiddleware:
    """Remember where Wagtail's routing of a request ended, for the content version
    (any method: a form's POST routes like its page's GET).

    Only requests that Django's URLs hand to Wagtail's `serve` view look anything up
    (`process_view`), so the app's own views (feeds, the view beacon) pay nothing.
    Uses the "chrome" fragment lifetime: off when that is 0 (tests, development)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_lmn_route_key", None)
        if key and response.status_code == 200:
            self.remember(request, key)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_serve or is_admin_path(request.path_info):
            return None
        if not caching.fragment_seconds("chrome"):
            return None
        key = route_cache_key(request, caching.request_content_version(request))
        remembered = caching.read_copy(key)
        if remembered is None:
            request._lmn_route_key = key  # remembered once the page has been served
            return None
        site, model_label, pk = remembered
        page = remembered_page(model_label, pk, request)
        if page is not None:
            request._wagtail_site = site
            request._wagtail_route_for_request = RouteResult(page)
        return None

    @staticmethod
    def remember(request, key):
        route = getattr(request, "_wagtail_route_for_request", None)
        site = getattr(request, "_wagtail_site", None)
        if route is None or site is None or route.args or route.kwargs:
            return
        page = route.page
        if page.pk is None or not page.live:
            return
        caching.store_copy(
            key, (site, page._meta.label_lower, page.pk), caching.fragment_seconds("chrome")
        )
