"""The view-count beacon endpoint: cheap, same-origin only, and silent."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from home.abuse.ratelimit import hit
from home.abuse.visitor import network_hash, today, visitor_hash
from home.web.csrf import same_origin_verdict

from . import views_count


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
    signed-in editors are accepted but not counted. One IP address may send
    LMN_BEACONS_PER_NETWORK_PER_DAY beacons a day (then 429), and at most
    LMN_VIEWS_PER_POST_PER_NETWORK of its visitors count for one post a day.
    """
    # A browser sends Sec-Fetch-Site or Origin with a beacon: neither means no browser.
    verdict = same_origin_verdict(
        request.headers.get("Sec-Fetch-Site"),
        request.headers.get("Origin"),
        f"{request.scheme}://{request.get_host()}",
    )
    if verdict is not True:
        return HttpResponseForbidden("Cross-site requests are not accepted.")
    try:
        page_id = views_count.parse_beacon(request.body)
    except views_count.BadBeacon:
        return HttpResponseBadRequest("Malformed view beacon.")
    if not views_count.is_countable_post(page_id):
        return HttpResponse("No such post.", status=404, content_type="text/plain")
    if views_count.is_bot(request.headers.get("User-Agent", "")) or _is_editor(request):
        return HttpResponse(status=204)
    day = today()
    # Limits are keyed on the address alone: a new user agent per beacon must not
    # make one machine many readers. Counters live in the cache to keep the beacon
    # at its two queries.
    network = network_hash(request, day=day)
    if not hit(f"beacon:{network}", settings.LMN_BEACONS_PER_NETWORK_PER_DAY, 86400, in_cache=True):
        return HttpResponse("Too many requests.", status=429, content_type="text/plain")
    if not views_count.take_view_slot(
        page_id, network, day, settings.LMN_VIEWS_PER_POST_PER_NETWORK
    ):
        return HttpResponse(status=204)
    if not views_count.record_view(page_id, visitor_hash(request, day=day), day):
        views_count.give_back_view_slot(page_id, network, day)
    return HttpResponse(status=204)
