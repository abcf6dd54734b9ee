"""RSS 2.0 and Atom feeds of the blog, whole or per category.

Every link is absolute and every date carries its time zone, so that feed readers
and `feedparser` read them without complaint.
"""

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from home.models import SiteSettings

FEED_ITEMS = 20


class BlogRssFeed(Feed):
    """The newest live, public posts under a blog index, optionally of one category."""

    feed_type = Rss201rev2Feed

    def __init__(self, index, category=None):
        super().__init__()
        self.index = index
        self.category = category

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.category

    def title(self, obj):
        site_name = SiteSettings.load(request_or_site=self.request).organisation_name
        if obj is not None:
            return f"{obj.name} · {self.index.title} · {site_name}"
        return f"{self.index.title} · {site_name}"

    def link(self, obj):
        url = self.index.get_full_url(self.request)
        if obj is not None:
            url += self.index.reverse_subpage("category_route", args=[obj.slug])
        return url

    def feed_url(self, obj):
        return self.request.build_absolute_uri(self.request.path)

    def description(self, obj):
        if obj is not None and obj.description:
            return obj.description
        return self.index.introduction or self.index.listing_summary or self.index.title

    def items(self, obj):
        posts = self.index.posts()
        if obj is not None:
            posts = posts.filter(categories=obj)
        return posts[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.excerpt

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    item_guid_is_permalink = True

    # In London time, so the offset a reader sees matches the date on the post.
    def item_pubdate(self, item):
        return timezone.localtime(item.date)

    def item_updateddate(self, item):
        return timezone.localtime(item.last_published_at or item.date)

    def item_author_name(self, item):
        names = [author.name for author in item.authors.all()]
        return ", ".join(names) or None

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]


class BlogAtomFeed(BlogRssFeed):
    feed_type = Atom1Feed
    subtitle = BlogRssFeed.description
