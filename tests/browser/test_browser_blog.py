"""In Chromium: opening a post counts one view (the beacon really fires and the
server counts it); reloading it the same day does not count again."""

import time

import pytest

from blog.factories import (
    AuthorFactory,
    BlogCategoryFactory,
    BlogIndexPageFactory,
    ensure_wagtail_base,
    make_post,
)
from blog.models import BlogPage, PostViewVisitor
from tests.conftest import assert_no_axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Chromium's headless user agent says "HeadlessChrome", which the counter treats as a
# robot; a reader's browser says "Chrome".
READER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def is_beacon(request):
    return request.method == "POST" and "/blog/_count-view/" in request.url


def wait_for_views(post, expected, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if BlogPage.objects.get(pk=post.pk).views == expected:
            return expected
        time.sleep(0.1)
    return BlogPage.objects.get(pk=post.pk).views


@pytest.fixture
def wagtail_base():
    ensure_wagtail_base()


@pytest.fixture
def post(wagtail_base, home_page):
    index = BlogIndexPageFactory(parent=home_page)
    news = BlogCategoryFactory(name="News", slug="news")
    return make_post(
        index,
        "A post read in a browser",
        authors=[AuthorFactory(name="Test Author")],
        categories=[news],
        tags=["browser"],
        intro="Opened by Chromium.",
    )


def test_opening_a_post_counts_one_view_and_reloading_does_not(live_server, browser, post):
    context = browser.new_context(user_agent=READER_UA)
    tab = context.new_page()
    try:
        with tab.expect_event("requestfinished", is_beacon):
            tab.goto(live_server.url + post.url)
        assert wait_for_views(post, 1) == 1

        with tab.expect_event("requestfinished", is_beacon) as reloaded:
            tab.reload()
        assert reloaded.value.response().status == 204
        assert BlogPage.objects.get(pk=post.pk).views == 1
        assert PostViewVisitor.objects.filter(post=post).count() == 1
        # The reloaded page shows the first visit's view.
        assert tab.locator(".post-stats").first.inner_text().startswith("1 view ·")
    finally:
        context.close()


def test_blog_pages_pass_axe(live_server, browser_page, post):
    for url in ("/blog/", post.url):
        browser_page.goto(live_server.url + url)
        assert_no_axe_violations(browser_page)
