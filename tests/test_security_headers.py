"""Security headers: strict CSP on public pages, relaxed for the admin only."""

import pytest

from home.web.security import policy_for_path

pytestmark = pytest.mark.django_db


def directives(header):
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def test_public_page_has_strict_policy(client, home_page):
    response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


def test_public_page_has_the_other_headers(client, home_page):
    response = client.get("/")
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_admin_gets_its_relaxed_policy(admin_client, home_page):
    response = admin_client.get("/admin/")
    policy = directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_policy_choice_by_path():
    assert "'unsafe-inline'" in policy_for_path("/admin/pages/")["script-src"]
    assert "'unsafe-inline'" not in policy_for_path("/administrator/")["script-src"]
    assert "'unsafe-inline'" not in policy_for_path("/blog/")["script-src"]
