"""Caches fail open (docs/performance.md): with Redis stopped, or hanging (a server
that accepts connections and never answers), every public page and form answers
as usual, uncached, and a rate limit kept in Redis is counted in the database.

Each request waits for Redis at most once (one socket timeout, see
lmn_cms/cache.py): the hanging server sees at most one new connection per request.
"""

import contextlib
import shutil
import socket
import subprocess
import threading
import time

from django.test import Client, override_settings

import pytest

from tests.home.web.test_caching_forms import fill, post_as_browser
from tests.utils import free_port

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def redis_caches(url):
    backend = {
        "BACKEND": "lmn_cms.cache.FailOpenRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    return {"default": backend, "renditions": {**backend, "KEY_PREFIX": "renditions"}}


class HangingServer:
    """Accepts connections and never answers; counts the connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def site(home_page):
    """One page of every public kind, and the URLs to read."""
    from blog.comments import moderation
    from blog.comments.models import Comment
    from blog.factories import BlogIndexPageFactory, ImageFactory, make_post
    from events.factories import create_event, create_event_index
    from tests.report_factories import make_plan, make_report

    index = BlogIndexPageFactory(parent=home_page)
    post = make_post(index, "A post that stays up", hero_image=ImageFactory())
    Comment.objects.create(
        page_id=post.pk, name="A reader", text="Still readable.", status=moderation.APPROVED
    )
    events = create_event_index(home_page)
    event = create_event(events, "A meeting that stays open", capacity=10)
    report = make_report(home_page, title="A report that stays up")
    plan = make_plan(report, ["not_started"])
    return {
        "pages": {
            "/": home_page.hero_heading,
            index.url: index.title,
            post.url: "Still readable.",
            events.url: event.title,
            event.url: event.title,
            report.url: report.title,
            plan.url: plan.title,
        },
        "post": post,
        "event": event,
    }


def read_and_post_everything(site, before_each=None):
    """GET every page and send a registration and a comment, as visitors do."""
    from blog.comments.models import Comment
    from events.models import EventRegistration
    from home.models import RateLimitCounter

    checks = []

    def request(make):
        before = before_each() if before_each else None
        response = make()
        checks.append((before_each() - before) if before_each else 0)
        return response

    client = Client()
    for url, text in site["pages"].items():
        response = request(lambda url=url: client.get(url))
        assert response.status_code == 200, url
        assert text in response.content.decode(), url

    event = site["event"]
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(event.url).content.decode()
    response = request(lambda: post_as_browser(visitor, event.url, fill(html, event.url)))
    assert response.status_code == 303
    response = request(lambda: visitor.get(response["Location"]))
    assert "inbox" in response.content.decode()
    assert EventRegistration.objects.filter(page_id=event.pk).count() == 1

    post = site["post"]
    action = f"/comments/post/{post.pk}/"
    html = visitor.get(post.url).content.decode()
    response = request(lambda: post_as_browser(visitor, action, fill(html, action)))
    assert response.status_code == 302
    assert Comment.objects.filter(page_id=post.pk).count() == 2
    # The rate limits, kept in Redis, were counted in the database instead.
    assert RateLimitCounter.objects.exists()
    return checks


LIMITS_IN_CACHE = {"LMN_RATELIMIT_CACHE": True, "LMN_MIN_FORM_FILL_SECONDS": 0}


@contextlib.contextmanager
def redis_server(tmp_path, port=None):
    """A throwaway redis-server on `port` (a free one by default); yields it."""
    if not shutil.which(REDIS_SERVER):
        pytest.fail("redis-server is needed (make test-tools installs it)")
    port = port or free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    server.port = port
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", port)) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)


def test_everything_answers_with_redis_stopped(site, tmp_path):
    with (
        redis_server(tmp_path) as server,
        override_settings(
            CACHES=redis_caches(f"redis://127.0.0.1:{server.port}/0"), **LIMITS_IN_CACHE
        ),
    ):
        # Warm: fragments and the content version are in Redis.
        for url in site["pages"]:
            assert Client().get(url).status_code == 200
        server.terminate()
        server.wait(timeout=10)
        read_and_post_everything(site)


def test_one_redis_client_serves_every_call_and_outlives_a_restart(tmp_path, monkeypatch):
    """Django's RedisCache builds a new redis.Redis for every call; ours builds one
    per connection pool, which reconnects by itself once Redis is back."""
    import redis

    from lmn_cms import cache as fail_open

    built = []
    build = redis.Redis.__init__

    def counting(client, *args, **kwargs):
        built.append(client)
        build(client, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    monkeypatch.setattr(fail_open, "RETRY_SECONDS", 0)
    with redis_server(tmp_path) as server:
        url = f"redis://127.0.0.1:{server.port}/0"
        cache = fail_open.FailOpenRedisCache(url, redis_caches(url)["default"])
        for i in range(10):
            cache.set(f"key-{i}", i)
            assert cache.get(f"key-{i}") == i
        assert cache.incr("key-1") == 2
        assert len(built) == 1
        server.terminate()
        server.wait(timeout=10)
        assert cache.get("key-1", "missed") == "missed"
    with redis_server(tmp_path, port=server.port):
        cache.set("key-1", "back")
        assert cache.get("key-1") == "back"
    assert len(built) == 1


def test_everything_answers_with_redis_hanging_and_waits_once_at_most(site):
    hanging = HangingServer()
    try:
        with override_settings(
            CACHES=redis_caches(f"redis://127.0.0.1:{hanging.port}/0"), **LIMITS_IN_CACHE
        ):
            new_connections = read_and_post_everything(
                site, before_each=lambda: len(hanging.connections)
            )
    finally:
        hanging.close()
    assert hanging.connections, "the cache was never asked"
    assert max(new_connections) <= 1, new_connections
