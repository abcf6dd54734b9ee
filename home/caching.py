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
import pickle
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
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
    is never read again (and expires by itself). Inside a transaction, again once
    it commits: a request in between would otherwise cache what it read of the old
    data under the new version."""
    _set_new_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_set_new_version)


def _set_new_version():
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def _new_version():
    return f"{time.time_ns():x}{secrets.token_hex(2)}"


def on_content_change(sender, **kwargs):
    """Signal handler for publish, unpublish, move and delete of pages, for sites,
    and for what pages show beside their own fields (images, documents, tags, and
    the models apps connect with `connect_content_models`)."""
    bump_content_version()


def connect_content_models(*models):
    """Bump the content version whenever one of `models` is saved or deleted: for
    snippets and other rows that cached pages and fragments show (an author's name
    and photo, a category's name), so that a change shows at once."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        uid = f"lmn-cache-{model._meta.label_lower}"
        post_save.connect(on_content_change, sender=model, dispatch_uid=f"{uid}-saved")
        post_delete.connect(on_content_change, sender=model, dispatch_uid=f"{uid}-deleted")


def on_delete(sender, instance, **kwargs):
    """Any page deleted (the signal comes for each model of a specific page, so it
    is connected without a sender and checked here)."""
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump_content_version()


def on_consent_saved(sender, instance, **kwargs):
    """New consent wording replaces the old on the public forms (home/consent.py).
    Version 1 is created on first use, when nothing can show an older one."""
    if instance.version > 1:
        bump_content_version()


def connect_signals():
    """Called from HomeConfig.ready()."""
    from django.db.models.signals import post_delete, post_save

    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import CollectionViewRestriction, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from taggit.models import Tag

    from .models import ConsentText

    # Sites route requests; a view restriction saved or deleted makes a page or
    # collection private or public again; images, documents and tags show on pages.
    connect_content_models(
        Site,
        PageViewRestriction,
        CollectionViewRestriction,
        get_image_model(),
        get_document_model(),
        Tag,
    )
    page_published.connect(on_content_change, dispatch_uid="lmn-cache-published")
    page_unpublished.connect(on_content_change, dispatch_uid="lmn-cache-unpublished")
    post_page_move.connect(on_content_change, dispatch_uid="lmn-cache-moved")
    post_delete.connect(on_delete, dispatch_uid="lmn-cache-deleted")
    post_save.connect(on_consent_saved, sender=ConsentText, dispatch_uid="lmn-cache-consent")


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
    """The content version for this request, read from the cache once (a page has
    several fragments; each would otherwise cost a cache round trip). The admin,
    where a request can itself publish, reads it afresh each time."""
    if request is None or is_admin_path(getattr(request, "path_info", "/admin/")):
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


class LocalCopies:
    """A small copy, in this process, of values read from a shared cache (Redis):
    reading a fragment from memory costs microseconds, a Redis round trip a tenth
    of a millisecond of CPU and more of waiting, and a page has a dozen fragments.

    Keys always include the content version, so a publish on any server is seen at
    once (the version itself is always read from the shared cache); each copy keeps
    the expiry time of the shared entry it came from, so nothing lives longer than
    its kind allows. Bounded (least recently used first out). Off when the cache is
    already local memory (development, tests): it would only hold a second copy."""

    def __init__(self, max_entries=1000):
        self.max_entries = max_entries
        self._items = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def enabled():
        return not isinstance(caches["default"], LocMemCache)

    def get(self, key):
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        with self._lock:
            if expires <= time.time():
                self._items.pop(key, None)
                return None
            if key in self._items:
                self._items.move_to_end(key)
        return value

    def set(self, key, value, expires):
        with self._lock:
            self._items[key] = (expires, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


local_copies = LocalCopies()


def read_copy(key):
    """A value stored by `store_copy` (from this process's copy when it has one),
    or None."""
    use_local = LocalCopies.enabled()
    if use_local and (pickled := local_copies.get(key)) is not None:
        return pickle.loads(pickled)  # noqa: S301 (our own values, from this process)
    stored = cache.get(key)
    if not (isinstance(stored, tuple) and len(stored) == 2):
        return None
    expires, value = stored
    if use_local:
        local_copies.set(key, pickle.dumps(value), expires)
    return value


def store_copy(key, value, seconds):
    """Keep `value` under `key` (which must name the content version) for `seconds`,
    in the shared cache and this process's copy."""
    expires = time.time() + seconds
    cache.set(key, (expires, value), seconds)
    if LocalCopies.enabled():
        local_copies.set(key, pickle.dumps(value), expires)


def cached_fragment(request, kind, name, vary_on, render):
    """`render()`'s HTML, kept for the lifetime of `kind` under the fragment version
    (the content version, plus the fresh token of a visitor who just acted) and
    `vary_on`. Rendered afresh when that lifetime is 0, without a request, or in a
    preview (a draft must neither read nor leave a public copy)."""
    seconds = fragment_seconds(kind)
    if not seconds or request is None or getattr(request, "is_preview", False):
        return render()
    key = make_template_fragment_key(name, [fragment_version(request), *vary_on])
    html = read_copy(key)
    if html is None:
        html = render()
        store_copy(key, html, seconds)
    return html


def count_up(key, timeout):
    """Add one to the counter `key` in the cache, created for `timeout` seconds when
    missing; returns the new count. One round trip with the Redis backend
    (`lmn_cms.redis_cache`), else add() and incr()."""
    counter = getattr(cache, "count_up", None)
    if counter is not None:
        return counter(key, timeout)
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=timeout)
        return 1


def remember(name, compute, kind="chrome", request=None):
    """`compute()`'s value, kept for the fragment lifetime of `kind` under the
    content version: for data that only a publish (or a settings or restriction
    change) alters. With `request`, the version is the one this request already
    read; without, it is read from the cache. Every caller gets its own copy
    (values are pickled), so changing one changes nothing for others. (A value of
    None is not kept: it is computed each time.)"""
    seconds = fragment_seconds(kind)
    if not seconds:
        return compute()
    key = f"lmn:remember:{name}:{request_content_version(request)}"
    value = read_copy(key)
    if value is None:
        value = compute()
        store_copy(key, value, seconds)
    return value


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
