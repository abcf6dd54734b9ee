"""The header is cached per menu section (`menu_section`), not per URL: every path
that shares a key must get the same "current" marks in the main menu."""

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.test import Client

import pytest
from hypothesis import given
from hypothesis import strategies as st

from home.templatetags.navigation_tags import menu_current_state, menu_section

# Menu items are the site root's children: one path segment each.
ITEMS = ["/blog/", "/events/", "/report/", "/about/", "/b/"]
SEGMENTS = ["blog", "events", "report", "about", "b", "blogs", "confirm", "x", ""]


def marks(path):
    return [menu_current_state(item, path) for item in ITEMS]


paths = st.lists(st.sampled_from(SEGMENTS), max_size=4).flatmap(
    lambda parts: st.sampled_from(["/" + "/".join(parts), "/" + "/".join(parts) + "/"])
)


@given(first=paths, second=paths)
def test_paths_with_one_key_get_the_same_menu_marks(first, second):
    if menu_section(first) == menu_section(second):
        assert marks(first) == marks(second), (first, second)


def test_a_section_and_everything_under_it_have_two_keys():
    assert menu_section("/blog/") == "/blog/"
    assert menu_section("/blog/a-post/") == menu_section("/blog/another/") == "/blog/+"
    assert menu_section("/events/confirm/code-one/") == menu_section("/events/confirm/code-two/")
    assert menu_section("/") == "/"
    assert menu_section("/blogs/") != menu_section("/blog/")
    assert marks("/blog/a-post/")[0] == "true" and marks("/blog/")[0] == "page"


@pytest.mark.django_db
def test_two_posts_share_one_cached_header_that_marks_their_section(home_page):
    from blog.factories import BlogIndexPageFactory, make_post
    from home.web.caching import content_version

    index = BlogIndexPageFactory(parent=home_page, slug="news", show_in_menus=True)
    first, second = make_post(index, "First post"), make_post(index, "Second post")
    cache.clear()
    client = Client()
    html = [client.get(post.url).content.decode() for post in (first, second)]
    key = make_template_fragment_key("site-header", [content_version(), "testserver", "/news/+"])
    assert cache.get(key) is not None
    for page in html:
        assert 'href="/news/" aria-current="true"' in page
