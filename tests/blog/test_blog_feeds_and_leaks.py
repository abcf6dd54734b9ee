"""Feeds are valid and complete; drafts and private posts never leak into
listings, feeds, search or the sitemap."""

import datetime

from django.utils import timezone

from wagtail.models import PageViewRestriction

import feedparser
import pytest

from blog.factories import AuthorFactory, BlogCategoryFactory, BlogIndexPageFactory, make_post

pytestmark = pytest.mark.django_db

FEEDS = [
    "/blog/feed/",
    "/blog/feed/atom/",
    "/blog/category/news/feed/",
    "/blog/category/news/feed/atom/",
]


@pytest.fixture
def blog_index(home_page):
    return BlogIndexPageFactory(parent=home_page)


@pytest.fixture
def news():
    return BlogCategoryFactory(name="News", slug="news")


@pytest.fixture
def posts(blog_index, news):
    """A public post, a draft, a password-protected post and a members-only post."""
    public = make_post(
        blog_index,
        "Zanzibar public post",
        authors=[AuthorFactory(name="Hana Patel")],
        categories=[news],
        intro="Readable by everyone.",
        date=timezone.make_aware(datetime.datetime(2026, 7, 14, 9, 30)),
    )
    draft = make_post(blog_index, "Zanzibar draft post", categories=[news], live=False)
    password = make_post(blog_index, "Zanzibar password post", categories=[news])
    PageViewRestriction.objects.create(
        page=password, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    members = make_post(blog_index, "Zanzibar members post", categories=[news], tags=["zed"])
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    return {"public": public, "draft": draft, "password": password, "members": members}


HIDDEN = ["Zanzibar draft post", "Zanzibar password post", "Zanzibar members post"]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_parse_without_errors(client, posts, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version in ("rss20", "atom10")
    entry = feed.entries[0]
    assert entry.title == "Zanzibar public post"
    assert entry.link == "http://testserver" + posts["public"].url
    assert entry.link.startswith("http://")
    assert entry.published_parsed is not None
    assert entry.author == "Hana Patel"
    assert [tag.term for tag in entry.tags] == ["News"]
    assert feed.feed.link.startswith("http://testserver/blog/")


def test_feed_dates_carry_the_time_zone(client, posts):
    rss = client.get("/blog/feed/").content.decode()
    # 9:30 in London in July is 08:30 UTC; RSS writes the offset.
    assert "<pubDate>Tue, 14 Jul 2026 09:30:00 +0100</pubDate>" in rss
    atom = client.get("/blog/feed/atom/").content.decode()
    assert "2026-07-14T09:30:00+01:00" in atom


def test_category_feed_only_has_its_category(client, blog_index, posts):
    research = BlogCategoryFactory(name="Research", slug="research")
    make_post(blog_index, "Research only", categories=[research])
    feed = feedparser.parse(client.get("/blog/category/news/feed/").content)
    titles = [entry.title for entry in feed.entries]
    assert "Research only" not in titles
    assert client.get("/blog/category/missing/feed/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/blog/", "/blog/category/news/", "/blog/tag/zed/", *FEEDS, "/sitemap.xml"]
)
def test_private_and_draft_posts_never_leak(client, posts, url):
    html = client.get(url).content.decode()
    assert "Zanzibar public post" in html or url.endswith("zed/") or url == "/sitemap.xml"
    for title in HIDDEN:
        assert title not in html


def test_sitemap_lists_public_posts_only(client, posts):
    xml = client.get("/sitemap.xml").content.decode()
    assert posts["public"].url in xml
    for key in ("draft", "password", "members"):
        assert posts[key].url not in xml


def test_search_finds_public_posts_only(client, posts):
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    html = client.get("/search/", {"query": "Zanzibar"}).content.decode()
    assert "Zanzibar public post" in html
    for title in HIDDEN:
        assert title not in html


def test_latest_and_related_posts_skip_hidden_posts(client, posts):
    response = client.get(posts["public"].url)
    html = response.content.decode()
    assert list(response.context["related_posts"]) == []
    for title in HIDDEN:
        assert title not in html
