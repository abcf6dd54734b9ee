"""Blog pages: page-type rules, listing order, pagination, archives, rendering."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction

import pytest

from blog.factories import (
    AuthorFactory,
    BlogCategoryFactory,
    BlogIndexPageFactory,
    ImageFactory,
    make_post,
)
from blog.models import BlogIndexPage, BlogPage
from home.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog_index(home_page):
    return BlogIndexPageFactory(parent=home_page)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_page_type_rules():
    assert BlogIndexPage.parent_page_types == ["home.HomePage"]
    assert BlogIndexPage.subpage_types == ["blog.BlogPage"]
    assert BlogIndexPage.max_count == 1
    assert BlogPage.parent_page_types == ["blog.BlogIndexPage"]
    assert BlogPage.subpage_types == []
    assert BlogIndexPage in HomePage.allowed_subpage_models()
    assert not BlogPage.can_create_at(Page.get_first_root_node())


def test_a_post_cannot_live_outside_the_blog(home_page):
    assert not BlogPage.can_create_at(home_page)
    about = StandardPage(title="About")
    home_page.add_child(instance=about)
    assert not BlogPage.can_create_at(about)


def test_only_one_blog_index(blog_index, home_page):
    assert not BlogIndexPage.can_create_at(home_page)


def test_reserved_slugs_are_refused(blog_index):
    post = make_post(blog_index, "Feed me", live=False)
    post.slug = "feed"
    with pytest.raises(ValidationError) as excinfo:
        post.full_clean()
    assert "slug" in excinfo.value.message_dict


def test_index_lists_newest_first(client, blog_index):
    make_post(blog_index, "Older post", date=days_ago(10))
    make_post(blog_index, "Newest post", date=days_ago(1))
    make_post(blog_index, "Middle post", date=days_ago(5))
    html = client.get("/blog/").content.decode()
    positions = [html.index(t) for t in ("Newest post", "Middle post", "Older post")]
    assert positions == sorted(positions)


def test_index_paginates_ten_per_page(client, blog_index):
    for i in range(23):
        make_post(blog_index, f"Numbered post {i:02d}", date=days_ago(i + 1))
    first = client.get("/blog/")
    assert first.context["posts"].object_list.__len__() == 10
    assert "Numbered post 00" in first.content.decode()
    third = client.get("/blog/?page=3")
    titles = [post.title for post in third.context["posts"]]
    assert titles == ["Numbered post 20", "Numbered post 21", "Numbered post 22"]
    html = third.content.decode()
    assert 'aria-label="Pages of posts"' in html
    assert 'aria-current="page"' in html
    assert 'rel="prev"' in html and 'rel="next"' not in html


@pytest.mark.parametrize("bad", ["4", "0", "abc", "-1"])
def test_pages_past_the_end_or_not_numbers_are_404(client, blog_index, bad):
    for i in range(12):
        make_post(blog_index, f"Post {i}")
    assert client.get(f"/blog/?page={bad}").status_code == 404


def test_category_archive_shows_only_that_category(client, blog_index):
    news = BlogCategoryFactory(name="News", slug="news")
    research = BlogCategoryFactory(name="Research", slug="research")
    make_post(blog_index, "A news post", categories=[news])
    make_post(blog_index, "A research post", categories=[research])
    response = client.get("/blog/category/research/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A research post" in html and "A news post" not in html
    assert client.get("/blog/category/no-such-thing/").status_code == 404


def test_tag_archive_shows_only_tagged_posts(client, blog_index):
    make_post(blog_index, "Tagged post", tags=["roundtables"])
    make_post(blog_index, "Untagged post")
    response = client.get("/blog/tag/roundtables/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tagged post" in html and "Untagged post" not in html
    assert client.get("/blog/tag/nothing-here/").status_code == 404


def test_card_shows_title_date_author_reading_time_excerpt_image_and_counts(client, blog_index):
    author = AuthorFactory(name="Amina Rahman")
    post = make_post(
        blog_index,
        "Card post",
        date=timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0)),
        authors=[author],
        hero_image=ImageFactory(),
        intro="An intro for the card.",
    )
    BlogPage.objects.filter(pk=post.pk).update(view_count=113)
    html = client.get("/blog/").content.decode()
    assert "Card post" in html
    assert "2 March 2026" in html
    assert "Amina Rahman" in html
    assert "1 min read" in html
    assert "An intro for the card." in html
    assert "<img" in html
    assert "113 views · 0 comments" in html


def test_post_page_renders_everything(client, blog_index):
    news = BlogCategoryFactory(name="News", slug="news")
    author = AuthorFactory(name="Yusuf Ali", role="Chair", bio="Leads the network.")
    post = make_post(
        blog_index,
        "A full post",
        authors=[author],
        categories=[news],
        tags=["islamophobia"],
        hero_image=ImageFactory(),
        hero_image_alt="Members around a table",
        intro="Why this matters.",
    )
    sibling = make_post(blog_index, "A sibling post", categories=[news])
    other = make_post(blog_index, "An unrelated post")
    response = client.get(post.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>A full post</h1>" in html
    assert 'alt="Members around a table"' in html
    assert "Yusuf Ali</strong>, Chair" in html and "Leads the network." in html
    assert 'href="/blog/tag/islamophobia/"' in html
    assert 'href="/blog/category/news/"' in html
    assert "0 views · 0 comments" in html
    related = [p.title for p in response.context["related_posts"]]
    assert related == [sibling.title]
    assert "Recent posts" in html and "See all" in html and other.title in html
    for service in (
        "mailto:?",
        "https://wa.me/?",
        "https://x.com/intent/post?",
        "https://www.facebook.com/sharer/sharer.php?",
        "https://www.linkedin.com/sharing/share-offsite/?",
    ):
        assert service in html
    # Plain links only: every script is our own, and one of them is the beacon.
    import re

    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources and all(src.startswith("/static/") for src in sources)
    assert any("blog/view-beacon.js" in src for src in sources)


def test_post_has_blogposting_json_ld_and_open_graph(client, blog_index):
    import json
    import re

    author = AuthorFactory(name="Sara Khan")
    post = make_post(
        blog_index, "Structured post </script><b>", authors=[author], hero_image=ImageFactory()
    )
    html = client.get(post.url).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == post.title
    assert data["url"] == "http://localhost" + post.url or data["url"].endswith(post.url)
    assert data["author"] == [{"@type": "Person", "name": "Sara Khan"}]
    assert datetime.datetime.fromisoformat(data["datePublished"]).tzinfo is not None
    assert data["image"][0].startswith("http")
    assert "</script><b>" not in match.group(1)
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="article:author" content="Sara Khan">' in html
    assert 'property="og:image" content="http' in html


def test_feed_links_in_head(client, blog_index):
    import re

    post = make_post(blog_index, "Any post")
    for url in ("/blog/", post.url):
        html = client.get(url).content.decode()
        head = html.split("</head>")[0]
        assert 'rel="alternate" type="application/rss+xml"' in head
        assert re.search(r'href="https?://[^/"]+/blog/feed/"', head)
        assert 'type="application/atom+xml"' in head


def test_latest_posts_tag_shows_the_three_newest_live_public_posts(rf, blog_index):
    """The home page uses `{% latest_posts 3 %}`; render the tag as it does."""
    from django.template import engines

    for i in range(5):
        make_post(blog_index, f"Home post {i}", date=days_ago(i + 1))
    make_post(blog_index, "Home draft", live=False)
    private = make_post(blog_index, "Home private", date=days_ago(0))
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    template = engines["django"].from_string("{% load blog_tags %}{% latest_posts 3 %}")
    html = template.render({}, rf.get("/"))
    shown = [f"Home post {i}" for i in range(5) if f"Home post {i}" in html]
    assert shown == ["Home post 0", "Home post 1", "Home post 2"]
    assert "Home draft" not in html and "Home private" not in html
    assert 'href="/blog/"' in html and "See all" in html


def test_reading_time_is_stored_on_publish(blog_index):
    words = " ".join(["word"] * 950)
    post = make_post(blog_index, "Long read", body=[("paragraph", f"<p>{words}</p>")])
    assert post.reading_time == 5


def test_publishing_does_not_reset_counters(blog_index):
    post = make_post(blog_index, "Counted post")
    stale_revision = post.save_revision()
    BlogPage.objects.filter(pk=post.pk).update(view_count=41, comment_count=3)
    stale_revision.publish()
    post.refresh_from_db()
    assert (post.view_count, post.comment_count) == (41, 3)
