"""Security headers and transport with the PRODUCTION settings.

A fresh process loads lmn_cms.settings.production (with only the environment an
operator sets) against the test database and requests pages with Django's test
client; it prints what came back as JSON, and the tests read each header. The
deploy check itself is tested in test_foundation_setup.py; here it is repeated only
for the switches that change it (HSTS preload, a TLS-terminating proxy).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

import pytest

# Transactional, so these run after the ordinary tests and the database is flushed
# after them: the probe's data has to be committed for the child process to see it.
# serialized_rollback, as the other transactional tests here use it: the flush after
# each test then leaves no rows behind (Django's post-migrate handlers would
# otherwise recreate content types that the next restoring test collides with).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROJECT = Path(__file__).resolve().parent.parent
HOST = "www.example.org"
ADMIN_PASSWORD = "a long admin password for the probe"  # noqa: S105

# Runs in the child process. Static files are served from the app directories
# rather than a collectstatic manifest (which would take a minute to build): the
# storage of static files changes no header.
PROBE = r"""
import json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings

override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()

HOST = sys.argv[1]
PASSWORD = sys.argv[2]


def describe(response):
    cookies = {
        name: {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
        }
        for name, morsel in response.cookies.items()
    }
    return {
        "status": response.status_code,
        "headers": dict(response.headers.items()),
        "cookies": cookies,
    }


out = {}
anonymous = Client(HTTP_HOST=HOST)
out["home"] = describe(anonymous.get("/", secure=True))
out["search"] = describe(anonymous.get("/search/", {"query": "report"}, secure=True))
out["not_found"] = describe(anonymous.get("/no-such-page/", secure=True))
out["plain_http"] = describe(anonymous.get("/", secure=False))
out["login_page"] = describe(anonymous.get("/admin/login/", secure=True))
staff = Client(HTTP_HOST=HOST)
out["sign_in"] = describe(staff.post(
    "/admin/login/", {"username": "probe.admin", "password": PASSWORD}, secure=True,
))
out["admin"] = describe(staff.get("/admin/", secure=True))
print(json.dumps(out))
"""


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def production_env(**overrides):
    unwanted = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted and not k.startswith("SECURE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="lmn_cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="ERROR",
    )
    env.update(overrides)
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def directives(header):
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


_PROBE_RESULT = {}


@pytest.fixture
def probed(transactional_db):
    """Pages as production serves them, probed once for the module. The data is
    committed (a transactional test) so that the child process, with its own
    connection, sees it; the flush after the test removes it."""
    from io import StringIO

    from home.demo.content import build_home_tree
    from tests.conftest import restore_migration_data

    if "result" in _PROBE_RESULT:
        return _PROBE_RESULT["result"]
    restore_migration_data()
    build_home_tree(StringIO())
    # Hashed as production hashes (the test settings use a fast hasher that
    # production does not accept).
    user = get_user_model().objects.create_superuser(
        username="probe.admin", email="probe@example.org", password=None
    )
    user.password = PBKDF2PasswordHasher().encode(ADMIN_PASSWORD, "probesalt1234567")
    user.save(update_fields=["password"])
    result = run(["-c", PROBE, HOST, ADMIN_PASSWORD], production_env(DATABASE_URL=database_url()))
    assert result.returncode == 0, result.stderr[-3000:]
    _PROBE_RESULT["result"] = json.loads(result.stdout.strip().splitlines()[-1])
    return _PROBE_RESULT["result"]


PUBLIC = ["home", "search", "not_found"]


def test_the_probe_reached_real_pages(probed):
    assert probed["home"]["status"] == 200
    assert probed["search"]["status"] == 200
    assert probed["not_found"]["status"] == 404
    assert probed["login_page"]["status"] == 200
    assert probed["admin"]["status"] == 200


def test_plain_http_is_redirected_to_https(probed):
    response = probed["plain_http"]
    assert response["status"] == 301
    assert response["headers"]["Location"] == f"https://{HOST}/"


@pytest.mark.parametrize("name", [*PUBLIC, "login_page", "admin"])
def test_hsts_for_a_year_with_subdomains(probed, name):
    hsts = probed[name]["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert "preload" not in hsts  # the operator opts in (SECURE_HSTS_PRELOAD=1)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_have_a_strict_policy(probed, name):
    policy = directives(probed[name]["headers"]["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] or (
        "'unsafe-inline'" not in policy["script-src"]
        and "'unsafe-eval'" not in policy["script-src"]
    )
    assert "'unsafe-inline'" not in policy.get("style-src", [])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("name", ["login_page", "admin"])
def test_the_admin_has_its_relaxed_policy_but_is_not_framable_by_others(probed, name):
    policy = directives(probed[name]["headers"]["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert probed[name]["headers"]["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("name", [*PUBLIC, "login_page", "admin"])
def test_other_security_headers(probed, name):
    headers = probed[name]["headers"]
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def test_session_and_csrf_cookies_are_secure(probed):
    signed_in = probed["sign_in"]
    assert signed_in["status"] == 302
    session = signed_in["cookies"]["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = probed["login_page"]["cookies"]["csrftoken"]
    assert csrf["secure"]


def test_admin_pages_are_not_cached_by_shared_caches(probed):
    assert (
        "private" in probed["admin"]["headers"]["Cache-Control"]
        or "no-cache" in (probed["admin"]["headers"]["Cache-Control"])
    )


def test_deploy_check_stays_clean_with_preload_and_a_proxy_switched_on():
    switches = {"SECURE_HSTS_PRELOAD": "1", "SECURE_PROXY_SSL_HEADER": "1"}
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(**switches)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_behind_a_proxy_the_forwarded_scheme_is_trusted_only_when_switched_on():
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        f"r = Client(HTTP_HOST='{HOST}').get('/robots.txt', HTTP_X_FORWARDED_PROTO='https');"
        "print(r.status_code)"
    )
    off = run(["-c", script], production_env(DATABASE_URL=database_url()))
    on = run(
        ["-c", script], production_env(DATABASE_URL=database_url(), SECURE_PROXY_SSL_HEADER="1")
    )
    # Without the switch anyone could claim HTTPS with a header; with it, the proxy's
    # word is taken and the request is served instead of redirected.
    assert off.stdout.strip().splitlines()[-1] == "301", off.stderr[-2000:]
    assert on.stdout.strip().splitlines()[-1] == "200", on.stderr[-2000:]


def test_csrf_protection_is_in_the_middleware_even_though_w003_is_silenced():
    # production.py silences security.W003 because the CSRF middleware is our
    # subclass of Django's; this keeps that silence honest.
    from django.conf import settings
    from django.middleware.csrf import CsrfViewMiddleware
    from django.utils.module_loading import import_string

    classes = [import_string(path) for path in settings.MIDDLEWARE]
    assert any(issubclass(cls, CsrfViewMiddleware) for cls in classes)
    csrf_at = next(i for i, cls in enumerate(classes) if issubclass(cls, CsrfViewMiddleware))
    auth_at = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert csrf_at < auth_at
