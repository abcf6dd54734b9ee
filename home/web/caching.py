"""The content version that fragment-cache keys name (docs/performance.md).

Templates cache what is expensive and shared (menus, footer, listings) with
Wagtail's `{% wagtailcache %}` tag, which skips previews, keyed on
`content_version` (from the `fragment_cache` context processor below). Publishing,
unpublishing, moving or deleting a page, or saving what pages show beside their
own fields (sites, view restrictions, images, documents, tags, authors,
categories, site settings), starts a new version, so every fragment made before
is never read again and expires by itself.

Fragments are HTML strings: nothing a deploy can make stale is kept. With the
cache down (Redis stopped or hanging), the version is a new one per request and
every fragment is rendered afresh (lmn_cms/cache.py makes the cache fail open).
"""

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import SimpleLazyObject

VERSION_KEY = "lmn:content-version"


def content_version():
    """The current content version, a short string; created on first use."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _new_version()
        # add(), so that two processes starting together agree on one value.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump_content_version(**kwargs):
    """Start a new content version (also a signal receiver). Inside a transaction,
    again once it commits: a request in between would otherwise cache what it read
    of the old data under the new version."""
    _set_new_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_set_new_version)


def _set_new_version():
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def _new_version():
    return f"{time.time_ns():x}{secrets.token_hex(2)}"


def fragment_cache(request):
    """Context processor: the version and lifetimes the templates' cache tags use.
    The version is read from the cache only if a template asks for it."""
    return {
        "content_version": SimpleLazyObject(content_version),
        "chrome_cache_seconds": settings.LMN_CHROME_CACHE_SECONDS,
        "listing_cache_seconds": settings.LMN_LISTING_CACHE_SECONDS,
    }


def connect_content_models(*models):
    """Bump the content version whenever one of `models` is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        uid = f"lmn-cache-{model._meta.label_lower}"
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"{uid}-saved")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"{uid}-deleted")


def connect_signals():
    """Called from HomeConfig.ready(): every receiver names its sender, so Django's
    fast delete stays on for every other model."""
    from django.db.models.signals import post_delete

    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import (
        CollectionViewRestriction,
        PageViewRestriction,
        Site,
        get_page_models,
    )
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from taggit.models import Tag

    connect_content_models(
        Site,
        PageViewRestriction,
        CollectionViewRestriction,
        get_image_model(),
        get_document_model(),
        Tag,
    )
    # Wagtail sends these with the page's specific class as the sender; a page
    # deleted sends post_delete for its specific class and for Page.
    for model in get_page_models():
        uid = f"lmn-cache-{model._meta.label_lower}"
        for name, signal in (
            ("published", page_published),
            ("unpublished", page_unpublished),
            ("moved", post_page_move),
            ("deleted", post_delete),
        ):
            signal.connect(bump_content_version, sender=model, dispatch_uid=f"{uid}-{name}")
