"""The view-count beacon endpoint: cheap, same-origin only, and silent."""

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from home import caching
from home.visitor import today, visitor_hash

from . import views_count
from .models import BlogPage


def _is_countable_post(page_id):
    """Whether `page_id` is a live, public post. Every reader of a post sends a
    beacon, so the answer is kept as long as listings are (LMN_LISTING_CACHE_SECONDS),
    keyed on the content version so that unpublishing is seen at once."""
    seconds = caching.fragment_seconds("listing")
    key = f"lmn:countable:{caching.content_version()}:{page_id}"
    if seconds and cache.get(key):
        return True
    countable = BlogPage.objects.live().public().filter(pk=page_id).exists()
    if seconds and countable:
        cache.set(key, True, seconds)
    return countable


def _is_editor(request):
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.has_perm("wagtailadmin.access_admin"))


# CSRF cookies do not survive a shared cache (every reader would get the same page),
# so the beacon proves itself with the same-origin headers and a signed page token.
@csrf_exempt
@never_cache
@require_POST
def view_beacon(request):
    """Count one view of a post; answers 204 whether or not it counted.

    Refuses (4xx) a cross-site or non-browser POST, a malformed body, and a page that
    is not a live, public post. Robots, previews (which never send the beacon) and
    signed-in editors are accepted but not counted.
    """
    if not views_count.is_same_origin(
        request.get_host(),
        sec_fetch_site=request.headers.get("Sec-Fetch-Site"),
        origin=request.headers.get("Origin"),
    ):
        return HttpResponseForbidden("Cross-site requests are not accepted.")
    try:
        page_id = views_count.parse_beacon(request.body)
    except views_count.BadBeacon:
        return HttpResponseBadRequest("Malformed view beacon.")
    if not _is_countable_post(page_id):
        return HttpResponse("No such post.", status=404, content_type="text/plain")
    if views_count.is_bot(request.headers.get("User-Agent", "")) or _is_editor(request):
        return HttpResponse(status=204)
    day = today()
    views_count.record_view(page_id, visitor_hash(request, day=day), day)
    return HttpResponse(status=204)
