"""Site chrome: the site root, main menu, breadcrumbs, canonical URL and share image."""

from django import template
from django.utils.text import slugify

from wagtail.models import Page, Site

from home.pages.models import SiteSettings, is_public

register = template.Library()

SHARE_IMAGE_SPEC = "fill-1200x630|format-jpeg|jpegquality-80"


def _site_root(request):
    site = Site.find_for_request(request) if request is not None else None
    return site.root_page if site else None


def menu_current_state(item_url, current_path):
    """How a menu link relates to the page being shown.

    "page" when the link is the current page, "true" when the current page is
    inside that section (a post under News), else None. Works on URL paths so
    that non-page views mounted under a section (/blog/feed/) count too.
    """
    if not item_url or not current_path or item_url == "/":
        return None
    if current_path == item_url:
        return "page"
    if current_path.startswith(item_url if item_url.endswith("/") else item_url + "/"):
        return "true"
    return None


@register.filter
def menu_section(path):
    """What of a URL path the main menu's "current" marks depend on: its first
    segment, and whether the path is exactly that section, inside it, or neither.

    The header is a cached fragment keyed on this rather than on the whole path, so
    every post shares the News header and a confirm link (/events/confirm/<code>/,
    one address per person) reuses the Events one instead of caching a copy of its
    own. Menu items are the site root's children, one segment each, so
    `menu_current_state` gives every path with the same key the same answer
    (tests/home/pages/test_navigation_menu_key.py)."""
    first = path.strip("/").split("/", 1)[0]
    section = f"/{first}/" if first else "/"
    if path == section:
        return section
    return section + ("+" if path.startswith(section) else "?")


@register.simple_tag(takes_context=True)
def get_site_root(context):
    return _site_root(context.get("request"))


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """Live, public children of the site root that editors marked "show in menus",
    each labelled with the page's `menu_title` when its type has one, else its title."""
    request = context.get("request")
    root = _site_root(request)
    if root is None:
        return {"items": []}
    current_path = request.path if request is not None else ""
    items = []
    # One query: the generic pages are enough for titles and URLs.
    for page in root.get_children().live().filter(is_public()).in_menu():
        url = page.get_url(request=request)
        # A page type may offer a shorter `menu_title` (the report's full title
        # is too long for a menu): a class attribute, found without a query.
        title = getattr(page.specific_class, "menu_title", "") or page.title
        items.append({"title": title, "url": url, "current": menu_current_state(url, current_path)})
    return {"items": items}


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """The trail from the home page to the current page; nothing on the home page itself."""
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or page.depth <= 2 or page.pk is None:
        return {"ancestors": []}
    ancestors = Page.objects.ancestor_of(page).filter(depth__gt=1)
    return {
        "ancestors": ancestors,
        "current_url": page.get_url(request=request),
        "current_title": page.title,
        "request": request,
    }


@register.simple_tag(takes_context=True)
def canonical_url(context, override=None):
    """The absolute URL search engines should index: the override, else the page's
    full URL, else this request's URL without its query string."""
    if override:
        return override
    request = context.get("request")
    page = context.get("page")
    if isinstance(page, Page) and page.pk is not None:
        url = page.get_full_url(request=request)
        if url:
            return url
    if request is not None:
        return request.build_absolute_uri(request.path)
    return ""


@register.simple_tag(takes_context=True)
def share_image_url(context, image=None):
    """Absolute URL of a 1200×630 rendition for Open Graph and Twitter cards: the
    given image, else the page's social image, else the site's default one."""
    page = context.get("page")
    request = context.get("request")
    # An unset template variable arrives as "".
    if not hasattr(image, "get_rendition"):
        image = getattr(page, "social_image", None)
    if image is None:
        image = SiteSettings.load(request_or_site=request).default_social_image
    if image is None:
        return ""
    url = image.get_rendition(SHARE_IMAGE_SPEC).url
    return request.build_absolute_uri(url) if request is not None else url


@register.simple_tag(takes_context=True)
def meta_text(context, title="", description=""):
    """Title and description for search and sharing meta: the given ones, else the
    page's SEO title (or title) and meta description, else the site's name and tagline."""
    page = context.get("page")
    request = context.get("request")
    site_settings = SiteSettings.load(request_or_site=request)
    if not title and isinstance(page, Page):
        title = page.seo_title or page.title
    if not description and isinstance(page, Page):
        description = getattr(page, "meta_description", "") or page.search_description
    return {
        "title": title or site_settings.organisation_name,
        "description": description or site_settings.tagline,
    }


@register.simple_tag
def contents(body, minimum=3):
    """The body's level-2 headings as (anchor, text) pairs for an "On this page"
    list; empty when there are fewer than `minimum`, where a list would be clutter."""
    entries = [
        (slugify(block.value["heading_text"]), block.value["heading_text"])
        for block in body or []
        if block.block_type == "heading" and block.value.get("size", "h2") == "h2"
    ]
    return entries if len(entries) >= minimum else []
