"""The blog's demo content: an index at /blog/, a dozen posts, idempotent."""

import io

import pytest

from blog.demo_content import build_blog
from blog.models import BlogCategory, BlogIndexPage, BlogPage, PostViewDay
from home.demo import registry as demo

pytestmark = pytest.mark.django_db


def test_blog_demo_loader_is_registered():
    names = {loader.name: loader.order for loader in demo.loaders()}
    assert names.get("blog") == 30


def test_demo_builds_the_blog_once(client, home_page):
    build_blog(home_page, io.StringIO())
    counts = (BlogPage.objects.count(), PostViewDay.objects.count())
    out = io.StringIO()
    build_blog(home_page, out)
    assert (BlogPage.objects.count(), PostViewDay.objects.count()) == counts
    assert out.getvalue() == ""

    index = BlogIndexPage.objects.get()
    assert index.url == "/blog/" and index.title == "News" and index.show_in_menus
    assert 10 <= BlogPage.objects.live().count() <= 14
    assert set(BlogCategory.objects.values_list("name", flat=True)) >= {
        "News",
        "Events",
        "Research",
        "Statements",
    }
    announcement = BlogPage.objects.get(slug="islamophobia-roundtables-announcement")
    assert "Example content" in announcement.body[0].value.source
    for post in BlogPage.objects.all():
        assert post.authors.exists() and post.tags.exists() and post.hero_image_id
        days = PostViewDay.objects.filter(post=post)
        assert post.view_count == sum(days.values_list("views", flat=True)) > 0

    response = client.get("/blog/")
    assert response.status_code == 200
    assert "Announcing our Islamophobia roundtables" in response.content.decode()
    assert client.get(announcement.url).status_code == 200
