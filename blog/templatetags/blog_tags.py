"""Template tags the blog offers to every page: latest posts (the home page uses
them), the recent-posts strip, feed links, share links and a post's JSON-LD."""

import json

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from home.models import SiteSettings, is_public

from ..models import RECENT_POSTS, BlogIndexPage, BlogPage, card_queryset
from ..sharing import share_links as build_share_links
from ..structured_data import blog_posting
from ..views_count import page_token

register = template.Library()

SHARE_IMAGE_SPEC = "fill-1200x630"

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _blog_index(page=None):
    if isinstance(page, BlogIndexPage):
        return page
    if isinstance(page, BlogPage):
        return page.blog_index
    return BlogIndexPage.objects.live().filter(is_public()).first()


@register.inclusion_tag("blog/includes/latest_posts.html", takes_context=True)
def latest_posts(context, count=3, heading="Latest news"):
    """Cards of the `count` newest live, public posts, with a link to all posts."""
    request = context.get("request")
    return {
        "posts": list(card_queryset(BlogPage.objects.all())[:count]),
        "blog_index": _blog_index(),
        "heading": heading,
        "request": request,
    }


@register.inclusion_tag("blog/includes/recent_posts.html", takes_context=True)
def recent_posts(context, count=3):
    """The "Recent posts · See all" strip under a post: the newest other posts."""
    page = context.get("page")
    # Read with the post's own authors and categories (BlogPage.prefetch_for_display).
    posts = getattr(page, "recent_posts", None)
    if posts is None or count > RECENT_POSTS:
        posts = card_queryset(BlogPage.objects.all())
        if isinstance(page, BlogPage):
            posts = posts.exclude(pk=page.pk)
    return {
        "posts": list(posts[:count]),
        "blog_index": _blog_index(page),
        "request": context.get("request"),
    }


@register.inclusion_tag("blog/includes/feed_links.html", takes_context=True)
def blog_feed_links(context, category=None):
    """`<link rel="alternate">` for the blog's RSS and Atom feeds (and a category's)."""
    request = context["request"]
    index = _blog_index(context.get("page"))
    links = []
    if index is not None:
        base = index.get_full_url(request)
        links = [
            ("application/rss+xml", f"{index.title} (RSS)", base + "feed/"),
            ("application/atom+xml", f"{index.title} (Atom)", base + "feed/atom/"),
        ]
        if category is not None:
            category_base = f"{base}category/{category.slug}/feed/"
            links += [
                ("application/rss+xml", f"{category.name} (RSS)", category_base),
                ("application/atom+xml", f"{category.name} (Atom)", category_base + "atom/"),
            ]
    return {"links": links}


@register.inclusion_tag("blog/includes/share_links.html", takes_context=True)
def share_links(context, page):
    request = context["request"]
    return {"links": build_share_links(page.get_full_url(request), page.title)}


@register.simple_tag(takes_context=True)
def view_beacon(context, page):
    """The script that counts a view of `page`, or nothing in a preview."""
    request = context["request"]
    if getattr(request, "is_preview", False) or not page.live:
        return ""
    from django.urls import reverse

    return format_html(
        '<script src="{}" defer data-beacon-url="{}" data-page="{}" data-token="{}"></script>',
        static("blog/view-beacon.js"),
        reverse("blog_view_beacon"),
        page.pk,
        page_token(page.pk),
    )


@register.simple_tag(takes_context=True)
def prefetch_post(context, page):
    """Read a post's authors, categories and tags once, at the start of the first
    fragment that shows them: when every fragment comes from the cache, never."""
    if not getattr(context.get("request"), "is_preview", False):
        page.prefetch_for_display()
    return ""


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    return context["request"].build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def post_json_ld(context, page):
    """A post's schema.org BlogPosting as a JSON-LD script element (data, not code)."""
    request = context["request"]
    settings = SiteSettings.load(request_or_site=request)
    image = page.social_image or page.hero_image
    rendition = image.get_rendition(SHARE_IMAGE_SPEC) if image else None
    data = blog_posting(
        url=page.get_full_url(request),
        headline=page.seo_title or page.title,
        description=page.meta_description or page.intro,
        date_published=page.date,
        date_modified=page.last_published_at,
        authors=[author.name for author in page.authors.all()],
        image_url=request.build_absolute_uri(rendition.url) if rendition else "",
        publisher_name=settings.organisation_name,
        publisher_logo_url=request.build_absolute_uri(static("img/favicon.svg")),
        keywords=[tag.name for tag in page.tags.all()],
        sections=[category.name for category in page.categories.all()],
    )
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308
