"""Purging the front cache (nginx, or a CDN) when published content changes.

nginx keeps anonymous pages for minutes (deploy/nginx-site.conf.template), so
whatever a change shows on must be purged. Wagtail's frontend cache app
(`wagtail.contrib.frontend_cache`, settings `WAGTAILFRONTENDCACHE`) purges a page's
own URL when it is published or unpublished (a deletion unpublishes first). This
module adds the pages that *show* it: its parent (an index or listing), the home
page, sitemap.xml and whatever each app registers for its page types (feeds,
archives, calendar files, a page's own sub-routes) with `register()`. It purges a
moved page's old and new URLs, and gives apps `purge_after_commit()` for changes
that are not publishes (a comment decided, a place taken or given back).

Purges are sent only after the change has committed, through Wagtail's purge task
(queued with the other background work in production), and never make the action
that caused them fail: an unreachable cache is logged, without personal data, and
pages then show the change within the cache's lifetime.
"""

import logging
import threading
from collections import deque
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.apps import apps
from django.db import transaction

from wagtail import __version__ as wagtail_version
from wagtail.contrib.frontend_cache.backends import BaseBackend, HTTPBackend
from wagtail.contrib.frontend_cache.backends.http import PurgeRequest
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

logger = logging.getLogger(__name__)

# --- Backends ---------------------------------------------------------------------------

# What RecordingBackend was asked to purge, oldest first (the last 1,000 URLs).
PURGED = deque(maxlen=1000)


class RecordingBackend(BaseBackend):
    """Keeps the URLs it is asked to purge in `PURGED` and sends nothing anywhere.

    Tests and `make run` use it, so they make exactly the purge calls production
    makes, and tests can assert what was purged.
    """

    def purge(self, url):
        PURGED.append(url)


class NginxBackend(HTTPBackend):
    """Wagtail's HTTPBackend (a PURGE request with the page's Host to the nginx purge
    listener in `LOCATION`), with a time limit, so that a hanging nginx cannot hold
    up the background worker, and with "nothing cached under that URL" (nginx's 404)
    taken as success rather than logged as an error."""

    TIMEOUT_SECONDS = 5

    def purge(self, url):
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        target = urlunsplit((self.cache_scheme, self.cache_netloc, parts.path, parts.query, ""))
        request = PurgeRequest(
            url=target,
            headers={"Host": host, "User-Agent": f"Wagtail-frontendcache/{wagtail_version}"},
        )
        try:
            # The address comes from settings (NGINX_PURGE_URL), never from a request.
            with urlopen(request, timeout=self.TIMEOUT_SECONDS):  # noqa: S310
                pass
        except HTTPError as exc:
            if exc.code != 404:  # 404: the page was not in the cache
                logger.warning("nginx refused a purge of %s: HTTP %s", parts.path, exc.code)
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            logger.warning("nginx could not be reached to purge %s: %s", parts.path, reason)


# --- What to purge ----------------------------------------------------------------------

# (page model, paths) and (page model, shown_on) pairs registered by the apps.
_paths = []
_shown_on = []


def register(model, *, paths=None, shown_on=None):
    """Tell the purge about a page type.

    `paths(page)`: the page's own URLs besides its main one, relative to it (as
    Wagtail's `get_cached_paths`): feeds, archives, filtered or later pages of a
    listing. Purged whenever the page is.
    `shown_on(page)`: other pages (Page instances) or absolute URLs that show this
    page (tag archives, calendar feeds). Purged when the page is published,
    unpublished, moved or deleted, with its parent, the home page and the sitemap.
    """
    if paths:
        _paths.append((model, paths))
    if shown_on:
        _shown_on.append((model, shown_on))


def add_page(batch, page):
    """Add `page`'s URLs, with the paths registered for its type, to `batch`."""
    page = page.specific_deferred
    url = page.get_full_url(batch)
    if url is None:  # not routable (e.g. outside every site)
        return
    batch.add_page(page)
    for model, paths in _paths:
        if isinstance(page, model):
            batch.add_urls(url + path.lstrip("/") for path in paths(page))


def add_page_and_what_shows_it(batch, page):
    """`page`, its parent, the home page and sitemap.xml of its site, and whatever
    is registered as showing a page of its type."""
    page = page.specific_deferred
    parts = page.get_url_parts(batch)
    if parts is None:
        return
    _site_id, root_url, _path = parts
    add_page(batch, page)
    parent = page.get_parent()
    if parent is not None and not parent.is_root():
        add_page(batch, parent)
    batch.add_url(root_url + "/")
    batch.add_url(root_url + "/sitemap.xml")
    for model, shown_on in _shown_on:
        if isinstance(page, model):
            for item in shown_on(page):
                if isinstance(item, str):
                    batch.add_url(item)
                else:
                    add_page(batch, item)


def purge_after_commit(batch):
    """Purge `batch` once the current transaction commits (at once outside one)."""
    if batch.urls:
        transaction.on_commit(lambda: _purge(batch))


def purge_pages_after_commit(page_ids, with_ancestors=False):
    """Once the current transaction commits, purge these pages (with their
    registered paths), and their ancestors below the tree's root if asked: for
    changes that show on a page without publishing it. The pages are read after
    the commit, so that no lock is held any longer for it."""
    page_ids = set(page_ids)
    if page_ids:
        transaction.on_commit(lambda: _purge_pages(page_ids, with_ancestors))


def purge_built_after_commit(build):
    """Once the current transaction commits, call `build(batch)` and purge what it
    added to the batch: for changes whose URLs are best worked out after the commit
    (reading what is live then). A failure is logged, never raised."""

    def run():
        try:
            batch = PurgeBatch()
            build(batch)
        except Exception as exc:  # noqa: BLE001 (a purge must never break the action)
            logger.warning("Could not work out what to purge: %s", type(exc).__name__)
            return
        _purge(batch)

    transaction.on_commit(run)


def _purge_pages(page_ids, with_ancestors):
    from wagtail.models import Page

    try:
        batch = PurgeBatch()
        pages = list(Page.objects.live().filter(pk__in=page_ids).specific(defer=True))
        if with_ancestors:
            paths = {ancestor for page in pages for ancestor in _ancestor_paths(page)}
            pages += Page.objects.live().filter(path__in=paths).specific(defer=True)
        for page in pages:
            add_page(batch, page)
    except Exception as exc:  # noqa: BLE001 (a purge must never break the action)
        logger.warning("Could not work out what to purge: %s", type(exc).__name__)
        return
    _purge(batch)


def _ancestor_paths(page):
    """The tree paths of `page`'s ancestors below the root (treebeard's public
    `steplen`), so that all of them are read in one query."""
    step = page.steplen
    return [page.path[:end] for end in range(2 * step, len(page.path), step)]


def _purge(batch):
    try:
        batch.purge()
    except Exception as exc:  # noqa: BLE001 (a purge must never break the action)
        # Only the exception's type: its text could quote a setting or a URL's query.
        logger.warning("The front cache could not be purged: %s", type(exc).__name__)


# --- Signals ------------------------------------------------------------------------------


def _published_or_unpublished(sender, instance, **kwargs):
    batch = PurgeBatch()
    add_page_and_what_shows_it(batch, instance)
    purge_after_commit(batch)


# URLs a page being moved had before the move, by page id (one move per thread at a time).
_moving = threading.local()


def _pages_moved(page):
    """The page and its live descendants: every URL that a move changes."""
    return [page, *page.get_descendants().live().specific(defer=True)]


def _before_move(sender, instance, **kwargs):
    batch = PurgeBatch()
    for page in _pages_moved(instance):
        add_page(batch, page)
    add_page_and_what_shows_it(batch, instance)  # the old parent's listing
    _moving.batches = {**getattr(_moving, "batches", {}), instance.pk: batch}


def _after_move(sender, instance, **kwargs):
    batch = getattr(_moving, "batches", {}).pop(instance.pk, None) or PurgeBatch()
    if instance.live:
        for page in _pages_moved(instance):
            add_page(batch, page)
        add_page_and_what_shows_it(batch, instance)  # the new parent's listing
    purge_after_commit(batch)


def action_plan_paths(plan):
    """The action plan's status feed, each recommendation's page and the plan
    filtered by each status."""
    from home.report.models import Recommendation
    from home.report.progress import STATUS_CHOICES

    numbers = Recommendation.objects.filter(page_id=plan.pk).values_list("number", flat=True)
    return [
        "feed/",
        *(f"recommendation/{number}/" for number in numbers),
        *(f"?status={value}" for value, _label in STATUS_CHOICES),
    ]


def connect_signals():
    """Connect the page signals for every page type (with its sender, as Wagtail's
    own frontend cache handlers are connected), and register home's page types."""
    from wagtail.models import Page

    from home.report.models import ActionPlanPage

    register(ActionPlanPage, paths=action_plan_paths)

    for model in apps.get_models():
        if issubclass(model, Page):
            uid = f"lmn_purge_{model._meta.label_lower}"
            page_published.connect(_published_or_unpublished, sender=model, dispatch_uid=uid)
            page_unpublished.connect(_published_or_unpublished, sender=model, dispatch_uid=uid)
            pre_page_move.connect(_before_move, sender=model, dispatch_uid=uid)
            post_page_move.connect(_after_move, sender=model, dispatch_uid=uid)
