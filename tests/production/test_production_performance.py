"""What keeps the busy pages cheap (docs/performance.md): the post page reads its
authors, categories and tags once, a view beacon costs a few statements, listings
read the date index, and the Redis cache behaves as Django's own while failing open."""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

import pytest

from blog import views_count
from blog.comments import moderation
from blog.comments.models import Comment
from blog.factories import (
    AuthorFactory,
    BlogCategoryFactory,
    BlogIndexPageFactory,
    ImageFactory,
    make_post,
)
from blog.models import BlogPage, PostViewDay, card_queryset
from blog.views_count import page_token
from home.abuse.visitor import today
from tests.utils import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(home_page):
    index = BlogIndexPageFactory(parent=home_page)
    news, research = BlogCategoryFactory(name="News"), BlogCategoryFactory(name="Research")
    for i in range(4):  # related and recent posts to fill the cards
        make_post(index, f"Older {i}", categories=[news], hero_image=ImageFactory())
    post = make_post(
        index,
        "The post",
        authors=[AuthorFactory(photo=ImageFactory()), AuthorFactory(photo=ImageFactory())],
        categories=[news, research],
        tags=["roundtable", "report", "community"],
        hero_image=ImageFactory(),
    )
    Comment.objects.bulk_create(
        Comment(page_id=post.pk, name=f"Reader {i}", text="Thank you.", status=moderation.APPROVED)
        for i in range(3)
    )
    return post


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_post_page_reads_its_authors_categories_and_tags_once(post):
    # They appear in the header, the meta tags, the JSON-LD and the author box.
    cold = [q for q in queries(Client(), post.url) if f"IN ({post.pk}" in q]
    for table in ('FROM "blog_author"', 'FROM "blog_blogcategory"', 'FROM "taggit_tag"'):
        assert sum(table in q for q in cold) == 1, table


def test_post_page_shows_what_the_prefetch_read(post):
    page = Client().get(post.url).content.decode()
    for author in post.authors.all():
        assert author.name in page
    for tag in ("roundtable", "report", "community"):
        assert f'content="{tag}"' in page  # article:tag meta
    assert "Related posts" in page and "Older 3" in page


def beacon(client, post, user_agent):
    return client.post(
        "/blog/_count-view/",
        f'{{"page": {post.pk}, "token": "{page_token(post.pk)}"}}',
        content_type="text/plain;charset=UTF-8",
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_USER_AGENT=user_agent,
    )


def test_a_view_beacon_costs_three_queries_and_counts_once(post):
    client = Client()
    beacon(client, post, "Mozilla/5.0 Firefox first")  # the day's salt is made once
    with CaptureQueriesContext(connection) as ctx:
        assert beacon(client, post, "Mozilla/5.0 Firefox reader").status_code == 204
    # The post is live and public, the day's salt, and one insert that counts.
    assert len(ctx.captured_queries) <= 3, [q["sql"] for q in ctx.captured_queries]
    # That insert writes no row another view writes too (no shared total).
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT INTO blog_postviewvisitor"), writes
    assert beacon(client, post, "Mozilla/5.0 Firefox reader").status_code == 204  # repeat
    assert BlogPage.objects.get(pk=post.pk).views == 2
    assert views_count.roll_up_views(before=today() + timedelta(days=1)) == 2
    assert sum(PostViewDay.objects.filter(post=post).values_list("views", flat=True)) == 2
    assert BlogPage.objects.get(pk=post.pk).view_count == 2


def test_a_beacon_for_an_unpublished_post_is_refused_at_once(post):
    client = Client()
    assert beacon(client, post, "Mozilla/5.0 Firefox a").status_code == 204
    post.unpublish()
    assert beacon(client, post, "Mozilla/5.0 Firefox b").status_code == 404
    assert BlogPage.objects.get(pk=post.pk).views == 1


def test_listings_can_be_read_newest_first_from_the_date_index(post):
    sql, params = card_queryset(BlogPage.objects.all())[:3].query.sql_with_params()
    with connection.cursor() as cursor:
        # On a handful of rows PostgreSQL would rightly scan; forbid that to see
        # whether the index can give the order by itself.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "blog_post_date_idx" in plan, plan


# ----- Redis ------------------------------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which(REDIS_SERVER):
        pytest.fail("redis-server is needed (make test-tools installs it)")
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def redis_caches(url):
    backend = {"BACKEND": "lmn_cms.cache.FailOpenRedisCache", "LOCATION": url}
    return {"default": backend, "renditions": {**backend, "KEY_PREFIX": "renditions"}}


def test_the_redis_backend_behaves_like_djangos(redis_url):
    from django.core.cache import caches

    with override_settings(CACHES=redis_caches(redis_url)):
        redis_cache = caches.create_connection("default")
        redis_cache.set("a", {"n": 1}, 30)
        assert redis_cache.get("a") == {"n": 1}
        assert redis_cache.get_many(["a", "missing"]) == {"a": {"n": 1}}
        assert redis_cache.add("a", 2) is False
        redis_cache.set("n", 1)
        assert redis_cache.incr("n") == 2
        with pytest.raises(ValueError):
            redis_cache.incr("missing")
        redis_cache.delete("a")
        assert redis_cache.get("a") is None


def test_cache_counters_are_atomic_and_expire(redis_url):
    from concurrent.futures import ThreadPoolExecutor

    import redis

    from home.abuse.ratelimit import count_in_cache

    with override_settings(CACHES=redis_caches(redis_url)):
        with ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(lambda _: count_in_cache("beacons", 60), range(40)))
        assert sorted(counts) == list(range(1, 41))  # each caller its own position
        from django.core.cache import cache

        ttl = redis.Redis.from_url(redis_url).ttl(cache.make_and_validate_key("beacons"))
        assert 0 < ttl <= 60


def redis_commands(client):
    """How many commands the Redis server has run so far (INFO's own excepted)."""
    stats = client.info("commandstats")
    return sum(stat["calls"] for name, stat in stats.items() if name != "cmdstat_info")


def test_a_beacon_makes_four_round_trips_to_redis(post, redis_url):
    import redis

    server = redis.Redis.from_url(redis_url)
    with override_settings(CACHES=redis_caches(redis_url), LMN_RATELIMIT_CACHE=True):
        client = Client()
        seen = []
        # Every beacon comes from one network: the first creates its two counters,
        # the others find them.
        for reader in ("first", "second", "third", "second"):
            before = redis_commands(server)
            assert beacon(client, post, f"Mozilla/5.0 Firefox {reader}").status_code == 204
            seen.append(redis_commands(server) - before)
    # Two counters a beacon (the network's beacons today, its views of this post),
    # each two round trips, new (incr finds none, add) or not (incr). A repeat
    # visitor's view does not count, and its slot is given back: two more.
    assert seen == [4, 4, 4, 6]
    assert BlogPage.objects.get(pk=post.pk).views == 3
