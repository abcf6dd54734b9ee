"""Fixtures and helpers shared by the comment tests (imported by them; no tests here)."""

import re
from html.parser import HTMLParser

import pytest

from blog.comments import moderation
from blog.comments.models import Comment, CommentSettings
from tests.utils import human_form_fields

XSS_CORPUS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=\"alert('xss-2')\">",
    "<svg/onload=alert('xss-3')>",
    '"><script>alert("xss-4")</script>',
    "<a href=\"javascript:alert('xss-5')\">click</a>",
    "javascript:alert('xss-6')",
    '<iframe src="https://evil.example/xss-7"></iframe>',
    "https://example.org/\"onmouseover=\"alert('xss-8')",
    "<style>body{display:none}</style>xss-9",
    "&lt;script&gt;alert('xss-10')&lt;/script&gt;",
]


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(html):
    """Every element a browser would build from `html`, with its attributes."""
    collector = _TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def assert_inert(html, allowed=("p", "br", "a"), own_links=()):
    """Only our own paragraph, line-break and nofollow-link elements; links only to
    http(s) and with no attribute but href and rel (`own_links`: hrefs the template
    itself puts there, checked exactly)."""
    for tag, attrs in tags_in(html):
        assert tag in allowed, f"unexpected <{tag}> in {html!r}"
        if tag == "a" and attrs.get("href") in own_links:
            assert set(attrs) == {"href"}, attrs
        elif tag == "a":
            assert set(attrs) == {"href", "rel"}, attrs
            assert attrs["href"].startswith(("http://", "https://")), attrs
            assert attrs["rel"] == "nofollow ugc noopener"
        else:
            assert attrs == {}, attrs


def comment_texts(page_html):
    """The inner HTML of each rendered comment text on a post page."""
    return re.findall(r'<div class="comment__text">(.*?)</div>', page_html, flags=re.S)


def ensure_base_rows():
    """For transactional tests: put back what migrations made (Wagtail's root page,
    content types, the "Comment moderators" group) if an earlier transactional test
    flushed the database, and return the home page."""
    import importlib
    import io

    from django.apps import apps

    from blog.factories import ensure_wagtail_base
    from home.demo.content import build_home_tree

    ensure_wagtail_base()
    migration = importlib.import_module("blog.comments.migrations.0002_comment_moderators_group")
    migration.create_group(apps, None)
    return build_home_tree(io.StringIO())


@pytest.fixture
def blog_index(home_page):
    from blog.factories import BlogIndexPageFactory

    return BlogIndexPageFactory(parent=home_page)


@pytest.fixture
def post(blog_index):
    from blog.factories import make_post

    return make_post(blog_index, title="Roundtables on Islamophobia")


@pytest.fixture
def comment_settings(db):
    return CommentSettings.load()


def comment_data(**overrides):
    data = {
        "name": "Aisha Example",
        "email": "aisha@example.org",
        "text": "A thoughtful comment about the post.",
        "consent": "on",
        **human_form_fields(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_url(post):
    return f"/comments/post/{post.pk}/"


def make_comment(post, status=moderation.APPROVED, **fields):
    defaults = {
        "name": "Reader",
        "email": "reader@example.org",
        "text": "Some comment",
    }
    defaults.update(fields)
    defaults.setdefault("fingerprint", moderation.fingerprint(defaults["text"]))
    return Comment.objects.create(page_id=post.pk, status=status, **defaults)
