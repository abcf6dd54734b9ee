"""The number of SQL queries for the index and for a post does not grow with the
number of posts, authors, categories or tags."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from blog.factories import (
    AuthorFactory,
    BlogCategoryFactory,
    BlogIndexPageFactory,
    ImageFactory,
    make_post,
)

pytestmark = pytest.mark.django_db


def build(home_page, count):
    index = BlogIndexPageFactory(parent=home_page)
    categories = [BlogCategoryFactory(name=f"Cat {i}") for i in range(min(count, 4))]
    last = None
    for i in range(count):
        last = make_post(
            index,
            f"Post {i}",
            authors=[AuthorFactory(photo=ImageFactory()), AuthorFactory()],
            categories=[categories[i % len(categories)], categories[(i + 1) % len(categories)]],
            tags=[f"tag-{i}", f"tag-{i + 1}", "common"],
            hero_image=ImageFactory(),
        )
    return index, last


def queries_for(client, url):
    client.get(url)  # first render makes image renditions; count the steady state
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_of", ["index", "post", "category", "tag", "feed"])
def test_query_count_does_not_grow_with_posts(client, home_page, url_of):
    counts = []
    for count in (3, 30):
        index, post = build(home_page, count)
        url = {
            "index": "/blog/",
            "post": post.url,
            "category": "/blog/category/cat-1/",
            "tag": "/blog/tag/common/",
            "feed": "/blog/feed/",
        }[url_of]
        counts.append(queries_for(client, url))
        index.delete()
    assert counts[0] == counts[1], counts
