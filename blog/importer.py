"""Import the old Wix blog from its RSS feed (`blog-feed.xml`).

Each item becomes a `BlogPage` (draft, or published with `publish=True`) with its
title, date, author, categories, body (sanitised into Wagtail rich text) and image;
the item's GUID and link are stored on the post, so importing the same feed again
finds it instead of copying it; and the old `/post/<slug>` address gets a permanent
redirect to the new page. A bad item is reported and skipped, never fatal.
"""

import calendar
import io
import re
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify

from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.rich_text import RichText

import feedparser
import nh3
from PIL import Image as PILImage

MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT = 20
USER_AGENT = "LMN-site-importer/1.0 (+https://www.labourmuslims.org)"

# What Wagtail's rich text editor keeps for a post body (see home.pages.blocks).
RICH_TEXT_TAGS = {"p", "h2", "h3", "h4", "b", "i", "ul", "ol", "li", "a", "br"}
_BLOCK_TAG = re.compile(r"^\s*<(p|h2|h3|h4|ul|ol)\b")
_RENAMES = [
    (re.compile(r"<(/?)h1\b", re.I), r"<\1h2"),
    (re.compile(r"<(/?)h[56]\b", re.I), r"<\1h4"),
    (re.compile(r"<(/?)strong\b", re.I), r"<\1b"),
    (re.compile(r"<(/?)em\b", re.I), r"<\1i"),
]
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|&nbsp;|<br>)*</p>")


class ImportProblem(Exception):
    """An item that cannot be imported; the message says why."""


@dataclass
class WixItem:
    title: str
    link: str
    guid: str
    date: datetime
    author: str = ""
    categories: list = field(default_factory=list)
    summary: str = ""
    body_html: str = ""
    image_url: str = ""

    @property
    def old_path(self):
        return urlsplit(self.link).path if self.link else ""

    @property
    def slug(self):
        path = self.old_path.rstrip("/")
        candidate = path.rsplit("/", 1)[-1] if path else ""
        return slugify(candidate)[:80] or slugify(self.title)[:80] or "post"


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    redirects: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def clean_html(html):
    """Sanitised HTML in the subset Wagtail's rich text keeps: paragraphs, h2–h4,
    bold, italic, lists and links (http, https, mailto). Scripts, styles, iframes,
    images, attributes other than a link's href, and comments are removed; h1
    becomes h2 so the page keeps one h1."""
    html = html or ""
    for pattern, replacement in _RENAMES:
        html = pattern.sub(replacement, html)
    cleaned = nh3.clean(
        html,
        tags=RICH_TEXT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned).strip()
    if cleaned and not _BLOCK_TAG.match(cleaned):
        cleaned = f"<p>{cleaned}</p>"
    return cleaned


def read_feed(source):
    """The feed's bytes from a file path or an http(s) URL (size-limited)."""
    if re.match(r"^https?://", source, re.I):
        request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})  # noqa: S310
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            data = response.read(MAX_FEED_BYTES + 1)
    else:
        with open(source, "rb") as handle:
            data = handle.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise ImportProblem("The feed is larger than 20 MB.")
    return data


def _item_from_entry(entry):
    title = (entry.get("title") or "").strip()
    if not title:
        raise ImportProblem("no title")
    link = (entry.get("link") or "").strip()
    guid = (entry.get("id") or "").strip()
    if not link and not guid:
        raise ImportProblem("no link or GUID to recognise it by")
    if link and urlsplit(link).scheme not in ("http", "https"):
        raise ImportProblem("the link is not a web address")
    parsed = entry.get("published_parsed")
    if not parsed:
        raise ImportProblem("no readable date")
    date = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)  # feedparser gives UTC
    content = entry.get("content") or []
    body = content[0].get("value", "") if content else ""
    summary_html = entry.get("summary") or ""
    image_url = ""
    for enclosure in entry.get("enclosures") or []:
        if (enclosure.get("type") or "").startswith("image/") and enclosure.get("href"):
            image_url = enclosure["href"]
            break
    return WixItem(
        title=title[:255],
        link=link,
        guid=guid[:255],
        date=date,
        author=(entry.get("author") or "").strip()[:120],
        categories=[tag.get("term", "").strip() for tag in entry.get("tags") or []],
        summary=nh3.clean(summary_html, tags=set()).strip()[:600],
        body_html=body or summary_html,
        image_url=image_url,
    )


def parse_feed(data):
    """(items, problems): every readable item, and a line for each unreadable one."""
    feed = feedparser.parse(data)
    if feed.bozo and not feed.entries:
        raise ImportProblem(f"This is not a readable RSS feed ({feed.get('bozo_exception')}).")
    items, problems = [], []
    for number, entry in enumerate(feed.entries, start=1):
        try:
            items.append(_item_from_entry(entry))
        except ImportProblem as exc:
            label = (entry.get("title") or entry.get("link") or "untitled").strip()
            problems.append(f"Item {number} (“{label[:60]}”): {exc}; skipped.")
    return items, problems


def fetch_image(url, title):
    """A Wagtail image downloaded from `url`, checked by Pillow; raises ImportProblem."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImportProblem("the image address is not a web address")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            data = response.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise ImportProblem(f"the image could not be downloaded ({exc})") from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise ImportProblem("the image is larger than 10 MB")
    try:
        with PILImage.open(io.BytesIO(data)) as probe:
            probe.verify()
            extension = (probe.format or "jpeg").lower().replace("jpeg", "jpg")
    except Exception as exc:  # Pillow raises many kinds for a bad file
        raise ImportProblem("the image is not a picture Pillow can read") from exc
    name = slugify(title)[:60] or "imported-image"
    image = get_image_model()(title=title[:255])
    image.file = ImageFile(io.BytesIO(data), name=f"{name}.{extension}")
    image.save()
    return image


def _unique_slug(index, slug):
    from .models import RESERVED_SLUGS

    taken = set(index.get_children().values_list("slug", flat=True)) | RESERVED_SLUGS
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def _find_existing(item):
    from .models import BlogPage

    if item.guid:
        found = BlogPage.objects.filter(source_guid=item.guid).first()
        if found:
            return found
    if item.link:
        return BlogPage.objects.filter(source_url=item.link).first()
    return None


def _ensure_redirect(item, page, report):
    old_path = item.old_path
    if not old_path or old_path == "/":
        return
    old_path = Redirect.normalise_path(old_path)
    existing = Redirect.objects.filter(old_path=old_path, site__isnull=True).first()
    if existing is None:
        Redirect.objects.create(old_path=old_path, redirect_page=page, is_permanent=True)
        report.redirects.append(old_path)
    elif existing.redirect_page_id != page.pk:
        report.warnings.append(f"{old_path} already redirects elsewhere; left as it is.")


def _create_post(item, index, publish, report, download_images):
    from .models import Author, BlogCategory, BlogPage

    post = BlogPage(
        title=item.title,
        slug=_unique_slug(index, item.slug),
        date=item.date,
        intro=item.summary,
        body=[("paragraph", RichText(clean_html(item.body_html)))] if item.body_html else [],
        source_guid=item.guid,
        source_url=item.link[:500],
        live=False,
    )
    if item.author:
        author = Author.objects.filter(name=item.author).first() or Author.objects.create(
            name=item.author
        )
        post.authors = [author]
    categories = []
    for name in item.categories:
        if not name:
            continue
        slug = slugify(name)[:80] or "category"
        category = BlogCategory.objects.filter(slug=slug).first()
        categories.append(category or BlogCategory.objects.create(name=name[:80], slug=slug))
    post.categories = categories
    if item.image_url and download_images:
        try:
            post.hero_image = fetch_image(item.image_url, item.title)
        except ImportProblem as exc:
            report.warnings.append(f"“{item.title}”: {exc}; imported without it.")
    index.add_child(instance=post)
    revision = post.save_revision()
    if publish:
        # Keep the original publication date rather than today's.
        post.first_published_at = item.date
        post.save(update_fields=["first_published_at"], clean=False)
        revision.publish()
    return post


def import_feed(data, index, *, publish=False, download_images=True):
    """Import every item of the Wix feed `data` under blog `index`; an ImportReport."""
    report = ImportReport()
    items, problems = parse_feed(data)
    report.skipped.extend(problems)
    for item in items:
        try:
            with transaction.atomic():
                post = _find_existing(item)
                if post is not None:
                    report.existing.append(post)
                else:
                    post = _create_post(item, index, publish, report, download_images)
                    report.created.append(post)
                _ensure_redirect(item, post, report)
        except Exception as exc:  # one bad item must never stop the import
            report.skipped.append(f"“{item.title[:60]}”: {type(exc).__name__}: {exc}; skipped.")
    return report
