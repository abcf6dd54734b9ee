"""The number of SQL queries of each page the benchmark measures (home, news index,
a post, an event page) is the same on a small site and a larger one, with the
fragment caches cold and warm. `make bench` checks the same on the 10,000-post site."""

from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

import pytest

pytestmark = pytest.mark.django_db

FRAGMENTS_ON = {"LMN_CHROME_CACHE_SECONDS": 300, "LMN_LISTING_CACHE_SECONDS": 300}


def grow(home_page, size):
    """A site with `size` posts (each with `size` comments) and `size` events (each
    with `size` registrations); returns the URLs of one post and one event."""
    from blog.comments import moderation
    from blog.comments.models import Comment
    from blog.factories import BlogIndexPageFactory, make_post
    from events.factories import create_event, create_event_index
    from events.models import EventRegistration, registration_consent

    index = BlogIndexPageFactory(parent=home_page)
    posts = [make_post(index, f"Post {i}") for i in range(size)]
    for post in posts:
        Comment.objects.bulk_create(
            Comment(page_id=post.pk, name=f"R{j}", text="Fine.", status=moderation.APPROVED)
            for j in range(size)
        )
    events_index = create_event_index(home_page)
    events = [create_event(events_index, f"Meeting {i}", capacity=500) for i in range(size)]
    consent = registration_consent()
    for event in events:
        for j in range(size):
            EventRegistration.objects.create(
                page_id=event.pk,
                form_data={},
                name="P",
                email=f"p{j}@example.org",
                consent=consent,
                consented_at=event.start,
            )
    return posts[-1].url, events[-1].url


def counts(urls):
    client = Client()
    result = {}
    for name, url in urls.items():
        cache.clear()
        client.get(url)  # renditions and first-use rows are made once
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as warm:
            client.get(url)
        result[name] = (len(cold), len(warm))
    return result


@pytest.mark.parametrize("fragments", [False, True], ids=["no-fragment-cache", "fragment-cache"])
def test_page_query_counts_do_not_grow_with_the_site(home_page, fragments):
    settings = FRAGMENTS_ON if fragments else {}
    measured = []
    with override_settings(**settings):
        for size in (2, 8):
            post_url, event_url = grow(home_page, size)
            measured.append(
                counts({"home": "/", "index": "/blog/", "post": post_url, "event": event_url})
            )
            for page in home_page.get_children():
                page.delete()
    assert measured[0] == measured[1]
    if fragments:
        for cold, warm in measured[0].values():
            assert warm < cold
