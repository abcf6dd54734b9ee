"""What keeps the busy pages cheap (docs/performance.md): the post page's query
budget, a view beacon in one statement, a page-cache hit in one Redis round trip,
one Redis client per server, and the date indexes the listings read in order."""

import shutil
import socket
import subprocess
import time

from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

import pytest

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

pytestmark = pytest.mark.django_db

FRAGMENTS_ON = {"LMN_CHROME_CACHE_SECONDS": 300, "LMN_LISTING_CACHE_SECONDS": 300}

# The post page as production serves it with the page cache off, once its fragments,
# route, page, view restrictions and settings are cached. Was 34 queries, then 18.
POST_PAGE_MAX_QUERIES = 0


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


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


@override_settings(**FRAGMENTS_ON)
def test_post_page_stays_within_its_query_budget(post):
    client = Client()
    # Cold: authors, categories and tags appear in the header, the meta tags, the
    # JSON-LD and the author box, but each is read once.
    # (The related and recent cards read their own posts' authors, not this one's.)
    cold = [q for q in queries(client, post.url) if f"IN ({post.pk})" in q]
    client.get(post.url)  # the route is remembered: now the page is kept too
    for table in ('FROM "blog_author"', 'FROM "blog_blogcategory"', 'FROM "taggit_tag"'):
        assert sum(table in q for q in cold) == 1, table
    warm = queries(client, post.url)
    assert len(warm) <= POST_PAGE_MAX_QUERIES, "\n".join(warm)


@override_settings(**FRAGMENTS_ON)
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


@override_settings(**FRAGMENTS_ON)
def test_a_view_beacon_costs_one_query_and_counts_once(post):
    client = Client()
    beacon(client, post, "Mozilla/5.0 Firefox first")  # the day's salt, the post check
    with CaptureQueriesContext(connection) as ctx:
        assert beacon(client, post, "Mozilla/5.0 Firefox reader").status_code == 204
    assert len(ctx.captured_queries) == 1  # one statement (the day's salt is cached)
    assert beacon(client, post, "Mozilla/5.0 Firefox reader").status_code == 204  # repeat
    post.refresh_from_db()
    assert post.view_count == 2
    assert sum(PostViewDay.objects.filter(post=post).values_list("views", flat=True)) == 2


def test_a_beacon_for_an_unpublished_post_is_refused_at_once(post):
    with override_settings(**FRAGMENTS_ON):
        client = Client()
        assert beacon(client, post, "Mozilla/5.0 Firefox a").status_code == 204
        post.unpublish()  # bumps the content version: the cached "countable" is not used
        assert beacon(client, post, "Mozilla/5.0 Firefox b").status_code == 404
    assert BlogPage.objects.get(pk=post.pk).view_count == 1


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
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
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
    backend = {"BACKEND": "lmn_cms.redis_cache.ReusingRedisCache", "LOCATION": url}
    return {"default": backend, "renditions": {**backend, "KEY_PREFIX": "renditions"}}


def redis_calls(url):
    """Commands the server has run so far (INFO commandstats), less INFO itself."""
    import redis

    stats = redis.Redis.from_url(url).info("commandstats")
    return sum(v["calls"] for k, v in stats.items() if k != "cmdstat_info")


def test_the_redis_backend_keeps_one_client_and_behaves_like_djangos(redis_url):
    from django.core.cache import caches

    with override_settings(CACHES=redis_caches(redis_url)):
        redis_cache = caches.create_connection("default")
        client = redis_cache._cache.get_client()
        assert redis_cache._cache.get_client(write=True) is client
        redis_cache.set("a", {"n": 1}, 30)
        assert redis_cache.get("a") == {"n": 1}
        assert redis_cache.get_many(["a", "missing"]) == {"a": {"n": 1}}
        assert redis_cache.add("a", 2) is False
        redis_cache.set("n", 1)
        assert redis_cache.incr("n") == 2
        redis_cache.delete("a")
        assert redis_cache.get("a") is None


def test_a_page_cache_hit_is_one_redis_round_trip(redis_url, home_page):
    settings = {**FRAGMENTS_ON, "LMN_PAGE_CACHE_SECONDS": 30, "CACHES": redis_caches(redis_url)}
    with override_settings(**settings):
        client = Client()
        first = client.get("/")
        assert first["X-Page-Cache"] == "miss"
        before = redis_calls(redis_url)
        second = client.get("/")
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        assert redis_calls(redis_url) - before == 1  # MGET of the version and the page
        # A publish is still seen at once: the stored page's version is no longer current.
        home_page.title = "Renamed home"
        home_page.save_revision().publish()
        assert client.get("/")["X-Page-Cache"] == "miss"


@pytest.fixture
def no_local_copies():
    from home.caching import local_copies

    local_copies.clear()
    yield local_copies
    local_copies.clear()


def test_count_up_is_one_round_trip_atomic_and_expires(redis_url):
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import caches

    import redis

    with override_settings(CACHES=redis_caches(redis_url)):
        shared = caches.create_connection("default")
        before = redis_calls(redis_url)
        assert shared.count_up("beacons", 60) == 1
        assert redis_calls(redis_url) - before == 2  # SET NX EX and INCR, pipelined
        with ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(lambda _: shared.count_up("beacons", 60), range(40)))
        assert sorted(counts) == list(range(2, 42))  # each caller its own position
        ttl = redis.Redis.from_url(redis_url).ttl(shared.make_and_validate_key("beacons"))
        assert 0 < ttl <= 60
        assert shared.get("beacons") == 41  # readable as Django's own counters


def test_a_post_render_is_served_from_local_copies_and_a_publish_elsewhere_replaces_them(
    redis_url, post, no_local_copies
):
    with override_settings(**FRAGMENTS_ON, CACHES=redis_caches(redis_url)):
        client = Client()
        first = client.get(post.url)
        client.get(post.url)  # the route is remembered: now the page is kept too
        assert len(no_local_copies._items) >= 5  # fragments, route, settings...
        before = redis_calls(redis_url)
        second = client.get(post.url)
        assert second.content == first.content
        # The content version (one GET) and the view restrictions (one MGET): every
        # fragment and the route come from this process's copies.
        assert redis_calls(redis_url) - before <= 2

        # Another server publishes: it bumps the version in Redis, not here.
        from django.core.cache import caches

        from home.caching import VERSION_KEY

        other_server = caches.create_connection("default")
        BlogPage.objects.filter(pk=post.pk).update(title="Retitled elsewhere")
        other_server.set(VERSION_KEY, "published-on-another-server", None)
        assert "Retitled elsewhere" in client.get(post.url).content.decode()


def test_a_local_copy_never_outlives_the_shared_one(redis_url, post, no_local_copies):
    from home.caching import cached_fragment

    renders = []

    def render():
        renders.append(1)
        return f"<p>render {len(renders)}</p>"

    request = Client().get(post.url).wsgi_request
    with override_settings(LMN_LISTING_CACHE_SECONDS=1, CACHES=redis_caches(redis_url)):
        assert cached_fragment(request, "listing", "test", [], render) == "<p>render 1</p>"
        assert cached_fragment(request, "listing", "test", [], render) == "<p>render 1</p>"
        time.sleep(1.1)
        assert cached_fragment(request, "listing", "test", [], render) == "<p>render 2</p>"


def test_local_copies_are_bounded(no_local_copies):
    from home.caching import LocalCopies

    copies = LocalCopies(max_entries=3)
    for n in range(5):
        copies.set(f"k{n}", n, time.time() + 60)
    assert [copies.get(f"k{n}") for n in range(5)] == [None, None, 2, 3, 4]
