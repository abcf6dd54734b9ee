"""Production settings for the scaled-out stack: Redis as the shared cache and
rate-limit store when REDIS_URL is set (and the site without it), S3 media when a
bucket is named, the real client address behind nginx, and the gunicorn and nginx
configuration files in deploy/."""

import json
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

from django.core.cache import cache
from django.db import close_old_connections
from django.test import override_settings

import pytest

from home.abuse import ratelimit
from home.web.proxy import real_client_ip
from tests.utils import free_port

PROJECT = Path(__file__).resolve().parents[2]

SHOW_SETTINGS = [
    "-c",
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], "
    "'ratelimit_cache': getattr(s, 'LMN_RATELIMIT_CACHE', False), "
    "'media': s.STORAGES['default']['BACKEND'], "
    "'bucket': getattr(s, 'AWS_STORAGE_BUCKET_NAME', None), "
    "'endpoint': getattr(s, 'AWS_S3_ENDPOINT_URL', None), "
    "'options': s.CACHES['default'].get('OPTIONS', {}), "
    "'middleware': s.MIDDLEWARE, "
    "'listing': s.LMN_LISTING_CACHE_SECONDS, "
    "'chrome': s.LMN_CHROME_CACHE_SECONDS, 'proxies': s.LMN_TRUSTED_PROXIES}))",
]


def production_settings(**env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update(
        DJANGO_SETTINGS_MODULE="lmn_cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="www.example.org",
        **env,
    )
    result = subprocess.run(
        [sys.executable, *SHOW_SETTINGS],
        cwd=PROJECT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_redis_the_site_uses_local_memory_and_database_rate_limits():
    s = production_settings()
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["ratelimit_cache"] is False
    assert s["media"] == "django.core.files.storage.FileSystemStorage"
    # The same fragment caches as with Redis, in this process's memory.
    assert s["listing"] > 0 and s["chrome"] > 0


def test_redis_url_makes_redis_the_shared_cache_and_rate_limit_store():
    s = production_settings(REDIS_URL="redis://127.0.0.1:6379/0")
    # Django's Redis backend, failing open (lmn_cms/cache.py), each call bounded.
    assert s["cache"] == "lmn_cms.cache.FailOpenRedisCache"
    assert s["ratelimit_cache"] is True
    assert 0 < s["options"]["socket_timeout"] <= 0.5
    assert 0 < s["options"]["socket_connect_timeout"] <= 0.5
    assert s["listing"] > 0 and s["chrome"] > 0
    # No app page cache, no remembered routes, no fresh cookie.
    assert not [m for m in s["middleware"] if m.startswith(("home.web.caching", "home.routing"))]


def test_a_bucket_name_puts_media_on_s3_compatible_storage():
    s = production_settings(
        AWS_STORAGE_BUCKET_NAME="lmn-media", AWS_S3_ENDPOINT_URL="https://s3.example.org"
    )
    # Django-storages' S3 backend, with documents written as private objects (lmn_cms/storage.py).
    assert s["media"] == "lmn_cms.storage.MediaStorage"
    assert s["bucket"] == "lmn-media"
    assert s["endpoint"] == "https://s3.example.org"


def test_only_the_local_proxy_is_trusted_by_default():
    assert production_settings()["proxies"] == ["127.0.0.1", "::1"]


@pytest.mark.parametrize(
    ("remote", "header", "expected"),
    [
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not our proxy: header ignored
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "<script>", "127.0.0.1"),
        ("127.0.0.1", "1" * 60, "127.0.0.1"),
    ],
)
def test_real_client_ip(remote, header, expected):
    assert real_client_ip(remote, header, {"127.0.0.1", "::1"}) == expected


@pytest.mark.django_db
@override_settings(LMN_TRUSTED_PROXIES=["127.0.0.1"])
def test_visitors_behind_nginx_are_told_apart(client, home_page):
    from home.abuse.visitor import visitor_hash

    seen = []

    def remember(request):
        seen.append(visitor_hash(request))

    from django.test import RequestFactory

    from home.web.proxy import TrustedProxyMiddleware

    middleware = TrustedProxyMiddleware(lambda request: remember(request))
    for address in ("203.0.113.1", "203.0.113.2"):
        middleware(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=address))
    assert seen[0] != seen[1]


# ----- rate limits in the cache --------------------------------------------------------------


@pytest.fixture
def cache_rate_limits():
    cache.clear()
    with override_settings(LMN_RATELIMIT_CACHE=True):
        yield
    cache.clear()


def test_cache_rate_limit_allows_exactly_the_limit(cache_rate_limits):
    results = [ratelimit.hit("test:one", 3, 60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.hit("test:other", 3, 60)


@pytest.mark.django_db
def test_cache_rate_limit_writes_no_database_rows(cache_rate_limits):
    from home.models import RateLimitCounter

    ratelimit.hit("test:rows", 3, 60)
    assert not RateLimitCounter.objects.exists()


def test_cache_rate_limit_holds_under_concurrency(cache_rate_limits):
    outcomes = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def attempt():
        start.wait()
        allowed = ratelimit.hit("test:burst", 10, 60)
        with lock:
            outcomes.append(allowed)
        close_old_connections()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(True) == 10


# ----- deploy/ --------------------------------------------------------------------------------


def test_gunicorn_config_reads_the_environment():
    config = PROJECT / "deploy" / "gunicorn.conf.py"
    namespace = {}
    env = {"GUNICORN_BIND": "127.0.0.1:9001", "GUNICORN_WORKERS": "2"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        exec(compile(config.read_text(), str(config), "exec"), namespace)  # noqa: S102
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert namespace["bind"] == "127.0.0.1:9001"
    assert namespace["workers"] == 2
    assert namespace["accesslog"] is None  # nginx keeps the (address-free) access log


def test_gunicorn_workers_start_with_the_preloaded_objects_frozen():
    """deploy/gunicorn.conf.py freezes the master's objects before each fork, so a
    worker's garbage collections never walk (and copy) the memory it shares."""
    import time
    import urllib.request

    port = free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
        + ["tests.production.frozen_app:app"],
        cwd=PROJECT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    frozen = int(answer.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert frozen > 1000  # the interpreter's and gunicorn's objects, at the least


def test_nginx_template_never_caches_what_must_stay_personal():
    text = (PROJECT / "deploy" / "nginx-site.conf.template").read_text()
    for needed in (
        "proxy_cache_use_stale updating",
        "proxy_cache_background_update on",
        "proxy_cache_lock on",
        "proxy_cache_methods GET HEAD",
        "(sessionid|messages)=",
        "~^/admin/ 1",
        "~^/blog/_count-view/ 1",
        "~^/forms/started/ 1",
        "proxy_no_cache $lmn_personal $lmn_never_cache",
        "proxy_cache_valid 200 301 404 ${NGINX_PAGE_CACHE_MINUTES}m",
        # Purges only from this machine, never on the public address.
        "allow 127.0.0.1;\n    deny all;",
        "if ($request_method = PURGE) {\n        return 405;",
    ):
        assert needed in text, needed


def _public_routes(patterns, prefix=""):
    """Every route string under the site's URLconf (path() patterns only)."""
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _public_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def test_nginx_log_hides_every_code_in_a_public_url():
    """A link carrying a secret (a `code` or `token` in its path) must reach the
    access log as a placeholder, and never be micro-cached."""
    import re

    from django.urls import get_resolver

    text = (PROJECT / "deploy" / "nginx-site.conf.template").read_text()
    log_map = re.search(r"map \$uri \$lmn_log_uri \{(.*?)\}", text, re.S).group(1)
    never_cache = re.search(r"map \$uri \$lmn_never_cache \{(.*?)\}", text, re.S).group(1)
    tokenised = sorted(
        {
            "/" + route.split("<")[0]
            for route in _public_routes(get_resolver().url_patterns)
            if re.search(r"<(\w+:)?(code|token)>", route)
            and not route.startswith(("admin/", "django-admin/"))
        }
    )
    assert "/events/cancel/" in tokenised
    assert "/mailing-list/unsubscribe/" in tokenised
    for prefix in tokenised:
        assert f"~^{prefix} {prefix}[code]/;" in log_map, prefix
        assert f"~^{prefix} 1;" in never_cache, prefix
