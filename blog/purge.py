"""What the front cache must drop when a post, the blog index or a comment changes
(see home/web/frontend_cache.py): the index's feeds, archives and first pages, a post's
tag archives, and a post when one of its comments is approved or taken down."""

from django.db.models.signals import post_delete, post_save

from home.web import frontend_cache

from .comments.models import Comment
from .comments.moderation import APPROVED
from .models import BlogCategory, BlogIndexPage, BlogPage

# Pages of the index (and of category archives) purged when a post changes; later
# pages show the new order within the cache's lifetime.
LISTING_PAGES = 5


def index_paths(index):
    """The index's own routes: its feeds, the first pages of the listing, and each
    category's archive (first pages) and feeds."""
    pages = [f"?page={number}" for number in range(2, LISTING_PAGES + 1)]
    paths = ["feed/", "feed/atom/", *pages]
    for slug in BlogCategory.objects.values_list("slug", flat=True):
        archive = f"category/{slug}/"
        paths += [archive, f"{archive}feed/", f"{archive}feed/atom/"]
        paths += [archive + page for page in pages]
    return paths


def post_shown_on(post):
    """The archives of the post's tags (its categories' are among the index's paths)."""
    index = post.get_parent()
    index_url = index.get_full_url() if index else None
    if not index_url:
        return []
    return [f"{index_url}tag/{slug}/" for slug in post.tags.values_list("slug", flat=True)]


def _comment_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    """A comment shows on its post once approved, and disappears when its status
    changes again; a new comment that is not approved shows nowhere."""
    if raw or (created and instance.status != APPROVED):
        return
    if update_fields is not None and "status" not in update_fields:
        return  # e.g. personal data cleared: nothing shown changes
    frontend_cache.purge_pages_after_commit([instance.page_id])


def _comment_deleted(sender, instance, **kwargs):
    frontend_cache.purge_pages_after_commit([instance.page_id])


def connect():
    frontend_cache.register(BlogIndexPage, paths=index_paths)
    frontend_cache.register(BlogPage, shown_on=post_shown_on)
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="blog_purge_comment_saved")
    post_delete.connect(_comment_deleted, sender=Comment, dispatch_uid="blog_purge_comment_deleted")
