"""Caching that stays correct: a content version bumped on publish, fragment-cache
arguments for templates, a short full-page cache for anonymous readers, and the
"fresh" cookie that lets the person who just acted see the result at once.

How long anything can be stale (see docs/performance.md):

- a published, unpublished, moved or deleted page, a page or collection made
  private or public again (a view restriction saved or deleted), or changed site
  settings, bump the content version, which is part of every fragment and page cache key, so
  the app shows the change on the next request; only nginx's micro-cache
  (NGINX_MICROCACHE_SECONDS in deploy/nginx.conf.template) can still serve the old
  page, for a few seconds;
- counts that change without a publish (views, approved comments, places left)
  can be stale for at most nginx's micro-cache lifetime plus LMN_PAGE_CACHE_SECONDS
  plus LMN_LISTING_CACHE_SECONDS, which production keeps at 10 seconds or less;
- whoever just posted a form gets the `lmn_fresh` cookie for FRESH_COOKIE_SECONDS:
  nginx and the page cache step aside for them and fragments are rendered anew.
  The cookie is signed (django.core.signing, with its time): the app honours only
  a cookie it made in the last FRESH_COOKIE_SECONDS. nginx cannot check a signature
  and steps aside for any `lmn_fresh` cookie, so a forged one costs an nginx miss
  but is still served from the app's page cache, not rendered.

Nothing is cached for signed-in people, for requests with a session, for POSTs,
or for the admin. Without a shared cache (no REDIS_URL) each process has its own,
and the short time limits above still bound staleness.
"""

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse

from .security import is_admin_path

VERSION_KEY = "lmn:content-version"
FRESH_COOKIE = "lmn_fresh"
FRESH_COOKIE_SECONDS = 10
FRESH_COOKIE_SALT = "lmn.caching.fresh-cookie"
# A genuine cookie (16-hex token, timestamp, signature) is well under this.
_FRESH_COOKIE_MAX_LENGTH = 100
PAGE_CACHE_HEADER = "X-Page-Cache"

# Fragments that only change on publish (menus, footers) and those that show
# counts changing all the time (cards with views, comments and places left).
FRAGMENT_KINDS = {"chrome": "LMN_CHROME_CACHE_SECONDS", "listing": "LMN_LISTING_CACHE_SECONDS"}

# Cookies that mean the response may be personal: a session (signed in, or a
# password-protected page unlocked) or pending messages. The fresh cookie counts
# only when its signature checks (has_personal_cookie).
PERSONAL_COOKIES = ("SESSION_COOKIE_NAME", "messages")

# Response headers a cached copy must not replay to someone else.
_UNCACHED_HEADERS = {"set-cookie", "date", "age", PAGE_CACHE_HEADER.lower()}


# ----- The content version -------------------------------------------------


def content_version():
    """The current content version, a short string; created on first use."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _new_version()
        # add(), so that two processes starting together agree on one value.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump_content_version():
    """Start a new content version: every fragment and cached page made before
    is never read again (and expires by itself)."""
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def _new_version():
    return f"{time.time_ns():x}{secrets.token_hex(2)}"


def on_content_change(sender, **kwargs):
    """Signal handler for publish, unpublish, move and delete of pages and for
    site settings changes: anything that can change menus, footers or listings."""
    bump_content_version()


def on_settings_saved(sender, created=False, **kwargs):
    """Site settings changed. Their row is created with defaults on first read
    (nothing visible changes then), so only later saves count."""
    if not created:
        bump_content_version()


def on_delete(sender, instance, **kwargs):
    from wagtail.models import BaseViewRestriction, Page

    # A view restriction deleted makes a private page or collection public again.
    if isinstance(instance, (Page, BaseViewRestriction)):
        bump_content_version()


def on_view_restriction_saved(sender, **kwargs):
    """A page or collection made private (or its restriction changed): cached public
    copies and menus listing it must not be served again."""
    bump_content_version()


def connect_signals():
    """Called from HomeConfig.ready()."""
    from django.db.models.signals import post_delete, post_save

    from wagtail.models import CollectionViewRestriction, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import SiteSettings

    page_published.connect(on_content_change, dispatch_uid="lmn-cache-published")
    page_unpublished.connect(on_content_change, dispatch_uid="lmn-cache-unpublished")
    post_page_move.connect(on_content_change, dispatch_uid="lmn-cache-moved")
    post_delete.connect(on_delete, dispatch_uid="lmn-cache-deleted")
    post_save.connect(on_settings_saved, sender=SiteSettings, dispatch_uid="lmn-cache-settings")
    post_save.connect(on_content_change, sender=Site, dispatch_uid="lmn-cache-site")
    for model in (PageViewRestriction, CollectionViewRestriction):
        post_save.connect(
            on_view_restriction_saved,
            sender=model,
            dispatch_uid=f"lmn-cache-restriction-{model.__name__}",
        )


# ----- Fragments --------------------------------------------------------------


def make_fresh_cookie_value():
    """A new random token, signed with the time it was made."""
    return signing.TimestampSigner(salt=FRESH_COOKIE_SALT).sign(secrets.token_hex(8))


def verified_fresh_token(value):
    """The token in a `lmn_fresh` cookie value if we signed it in the last
    FRESH_COOKIE_SECONDS, else "": a forged, altered or expired cookie is ignored,
    so it cannot take anyone off the page cache."""
    if not value or len(value) > _FRESH_COOKIE_MAX_LENGTH:
        return ""
    try:
        token = signing.TimestampSigner(salt=FRESH_COOKIE_SALT).unsign(
            value, max_age=FRESH_COOKIE_SECONDS
        )
    except signing.BadSignature:  # includes SignatureExpired
        return ""
    # Only our own short tokens: nothing else goes into cache keys.
    return token if token.isalnum() and len(token) <= 32 else ""


def fresh_token(request):
    """The visitor's verified fresh-action token (from the `lmn_fresh` cookie), or ""."""
    if request is None:
        return ""
    token = getattr(request, "_lmn_fresh_token", None)
    if token is None:
        token = verified_fresh_token(request.COOKIES.get(FRESH_COOKIE, ""))
        request._lmn_fresh_token = token  # checked once per request, not per fragment
    return token


def fragment_seconds(kind):
    """How long a fragment of `kind` ("chrome" or "listing") is kept; 0 turns
    fragment caching off (the default outside production)."""
    return max(0, int(getattr(settings, FRAGMENT_KINDS[kind], 0) or 0))


def request_content_version(request):
    """The content version for this request, read from the cache once per GET or
    HEAD (a page has several fragments; each would otherwise cost a cache round
    trip). Other methods read it afresh, in case the request itself published."""
    if request is None or request.method not in ("GET", "HEAD"):
        return content_version()
    version = getattr(request, "_lmn_content_version", None)
    if version is None:
        version = request._lmn_content_version = content_version()
    return version


def fragment_version(request):
    """The version part of fragment keys: the content version, plus the visitor's
    fresh token after they acted, so that they get fragments rendered anew."""
    token = fresh_token(request)
    version = request_content_version(request)
    return f"{version}.{token}" if token else version


# ----- The anonymous page cache -----------------------------------------------


def page_cache_seconds():
    return max(0, int(getattr(settings, "LMN_PAGE_CACHE_SECONDS", 0) or 0))


def has_personal_cookie(cookies):
    """Whether a request carries a cookie that can make its page personal: a
    session, pending messages, or a fresh cookie whose signature checks."""
    names = [getattr(settings, name, name) for name in PERSONAL_COOKIES]
    if any(cookies.get(name) for name in names):
        return True
    return bool(verified_fresh_token(cookies.get(FRESH_COOKIE, "")))


def request_is_cacheable(method, path, cookies):
    """Only anonymous GETs of public paths: never the admin, never anyone with a
    session, pending messages or a genuine fresh cookie."""
    return method == "GET" and not is_admin_path(path) and not has_personal_cookie(cookies)


def response_is_cacheable(response):
    """A complete 200 that sets no cookie and does not forbid shared caching."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-cache", "no-store"))


def page_cache_key(request):
    digest = hashlib.sha256(request.get_full_path().encode("utf-8", "replace")).hexdigest()
    return f"lmn:page:{request.get_host()}:{digest}"


def read_cached_page(key):
    """(content version, stored page or None), both from one cache round trip.

    A stored page carries the content version it was rendered under and is used
    only while that is still the current version, so a publish is seen at once."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or content_version()
    stored = found.get(key)
    if stored is not None and stored[0] != version:
        stored = None
    return version, stored


class AnonymousPageCacheMiddleware:
    """A full-page cache of anonymous GETs, for LMN_PAGE_CACHE_SECONDS (0: off).

    Sits just after WhiteNoise, before sessions and authentication, so a hit costs
    one cache round trip (the page and the content version together). A page is
    used only under the content version it was made in, so a publish is seen at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = page_cache_seconds()
        if not seconds or not request_is_cacheable(
            request.method, request.path_info, request.COOKIES
        ):
            return self.get_response(request)
        key = page_cache_key(request)
        version, stored = read_cached_page(key)
        request._lmn_content_version = version  # fragments use the same version
        if stored is not None:
            _, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response[PAGE_CACHE_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if response_is_cacheable(response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in _UNCACHED_HEADERS
            ]
            cache.set(key, (version, response.status_code, headers, response.content), seconds)
            response[PAGE_CACHE_HEADER] = "miss"
        return response


# ----- Fresh content for whoever acted -----------------------------------------


def sets_fresh_cookie(method, path, status_code, skip_paths):
    """Whether a response earns the `lmn_fresh` cookie: a form sent to a public
    path that was not refused outright (the view beacon, sent on every read, and
    server errors do not)."""
    if method in ("GET", "HEAD", "OPTIONS", "TRACE") or is_admin_path(path):
        return False
    if any(path.startswith(prefix) for prefix in skip_paths):
        return False
    return status_code < 500 and status_code not in (403, 405, 413)


class FreshContentMiddleware:
    """After a public form post, a cookie that tells nginx and the page cache to
    step aside for FRESH_COOKIE_SECONDS, so the sender sees their change at once.

    The cookie holds a random token, signed with the time it was made, and nothing
    about the person.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # The view beacon is posted on every read: it must not take readers off the cache.
        self.skip_paths = tuple(
            getattr(settings, "LMN_FRESH_COOKIE_SKIP_PATHS", ("/blog/_count-view/",))
        )

    def __call__(self, request):
        response = self.get_response(request)
        if sets_fresh_cookie(
            request.method, request.path_info, response.status_code, self.skip_paths
        ):
            response.set_cookie(
                FRESH_COOKIE,
                make_fresh_cookie_value(),
                max_age=FRESH_COOKIE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
