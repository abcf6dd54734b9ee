"""The app's caches: fragments (menus, footers, listings) and the anonymous page
cache keep copies until a publish, never serve signed-in people, and step aside for
whoever just posted a form (the `lmn_fresh` cookie)."""

import io
import time

from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction

import pytest

from home import caching

pytestmark = pytest.mark.django_db

FRAGMENTS_ON = {"LMN_CHROME_CACHE_SECONDS": 300, "LMN_LISTING_CACHE_SECONDS": 300}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(home_page):
    from home.demo_content import load_home_content

    load_home_content(home_page, io.StringIO())
    return home_page


def about():
    return Page.objects.get(slug="about").specific


def genuine_fresh_cookie():
    """The `lmn_fresh` cookie value the site sets after a contact-form post."""
    from tests.utils import human_form_fields

    with override_settings(LMN_MIN_FORM_FILL_SECONDS=0):
        response = Client().post(
            "/contact/",
            {"name": "A reader", "email": "reader@example.org", **human_form_fields()},
        )
    return response.cookies[caching.FRESH_COOKIE].value


def signed_at(token, seconds_ago):
    """A fresh-cookie value signed with our key and salt, as if made `seconds_ago`."""
    stamp = signing.b62_encode(int(time.time()) - seconds_ago)
    return signing.Signer(salt=caching.FRESH_COOKIE_SALT).sign(f"{token}:{stamp}")


def rename_silently(page, title):
    """Change a live page's title in the database without publishing: no signal,
    so only an uncached render can show it."""
    Page.objects.filter(pk=page.pk).update(title=title)


# ----- fragments -----------------------------------------------------------------------


@override_settings(**FRAGMENTS_ON)
def test_menu_is_cached_until_a_page_is_published(site, client):
    page = about()
    assert f">{page.title}</a>" in client.get("/").content.decode()
    rename_silently(page, "Renamed quietly")
    assert "Renamed quietly" not in client.get("/").content.decode()

    page.refresh_from_db()
    page.title = "Renamed and published"
    page.save_revision().publish()
    assert "Renamed and published" in client.get("/").content.decode()


@override_settings(**FRAGMENTS_ON)
def test_unpublishing_a_page_takes_it_out_of_the_cached_menu(site, client):
    page = about()
    assert f'href="{page.url}"' in client.get("/search/").content.decode()
    page.unpublish()
    assert f'href="{page.url}"' not in client.get("/search/").content.decode()


@override_settings(**FRAGMENTS_ON)
def test_site_settings_change_refreshes_the_cached_footer(site, client):
    from home.models import SiteSettings

    assert "PO Box 0000" in client.get("/").content.decode()
    settings = SiteSettings.load()
    settings.contact_address = "1 Example Street (example address)"
    settings.save()
    html = client.get("/").content.decode()
    assert "1 Example Street" in html


@override_settings(**FRAGMENTS_ON)
def test_cached_fragments_save_queries(site, client):
    client.get("/about/")
    with CaptureQueriesContext(connection) as first:
        client.get("/search/")
    with CaptureQueriesContext(connection) as second:
        client.get("/search/")
    assert len(second) < len(first)


def test_fragments_are_not_cached_by_default(site, client):
    client.get("/")
    rename_silently(about(), "Renamed quietly")
    assert "Renamed quietly" in client.get("/").content.decode()


@override_settings(**FRAGMENTS_ON)
def test_whoever_just_acted_gets_fresh_fragments(site, client):
    client.get("/")
    rename_silently(about(), "Renamed quietly")
    fresh = Client()
    fresh.cookies[caching.FRESH_COOKIE] = genuine_fresh_cookie()
    assert "Renamed quietly" in fresh.get("/").content.decode()


@override_settings(**FRAGMENTS_ON)
def test_a_forged_fresh_cookie_gets_the_cached_fragments(site, client):
    client.get("/")
    rename_silently(about(), "Renamed quietly")
    forged = Client()
    forged.cookies[caching.FRESH_COOKIE] = "a1b2c3"
    assert "Renamed quietly" not in forged.get("/").content.decode()


# ----- the anonymous page cache ------------------------------------------------------------


@override_settings(LMN_PAGE_CACHE_SECONDS=60)
def test_anonymous_pages_are_cached_until_a_publish(site, client):
    page = about()
    assert client.get(page.url)["X-Page-Cache"] == "miss"
    rename_silently(page, "Renamed quietly")
    cached = client.get(page.url)
    assert cached["X-Page-Cache"] == "hit"
    assert "Renamed quietly" not in cached.content.decode()

    page.refresh_from_db()
    page.title = "Renamed and published"
    page.save_revision().publish()
    fresh = client.get(page.url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Renamed and published" in fresh.content.decode()


@override_settings(LMN_PAGE_CACHE_SECONDS=60)
def test_signed_in_people_are_never_served_or_stored(site, client, django_user_model):
    user = django_user_model.objects.create_user("reader", "r@example.org", "x" * 12)
    client.force_login(user)
    first = client.get("/about/")
    assert "X-Page-Cache" not in first
    anonymous = Client().get("/about/")
    assert anonymous["X-Page-Cache"] == "miss"


@override_settings(LMN_PAGE_CACHE_SECONDS=60)
def test_the_fresh_cookie_bypasses_the_page_cache(site, client):
    client.get("/about/")
    rename_silently(about(), "Renamed quietly")
    fresh = Client()
    fresh.cookies[caching.FRESH_COOKIE] = genuine_fresh_cookie()
    response = fresh.get("/about/")
    assert "X-Page-Cache" not in response
    assert "Renamed quietly" in response.content.decode()


@override_settings(LMN_PAGE_CACHE_SECONDS=60)
@pytest.mark.parametrize(
    "forged",
    [
        "a1b2c3",  # the old unsigned form
        "a1b2c3:1tAbCd:not-a-real-signature",
        lambda: genuine_fresh_cookie() + "0",  # a genuine cookie, altered
        lambda: signed_at("a1b2c3", caching.FRESH_COOKIE_SECONDS + 5),  # expired
    ],
)
def test_a_forged_or_expired_fresh_cookie_is_served_from_the_page_cache(site, client, forged):
    value = forged() if callable(forged) else forged
    client.get("/about/")
    rename_silently(about(), "Renamed quietly")
    visitor = Client()
    visitor.cookies[caching.FRESH_COOKIE] = value
    response = visitor.get("/about/")
    assert response["X-Page-Cache"] == "hit"
    assert "Renamed quietly" not in response.content.decode()


@override_settings(LMN_PAGE_CACHE_SECONDS=60, **FRAGMENTS_ON)
def test_making_a_page_private_clears_its_cached_copies(site, client):
    page = about()
    assert client.get(page.url)["X-Page-Cache"] == "miss"
    assert client.get(page.url)["X-Page-Cache"] == "hit"
    assert f'href="{page.url}"' in client.get("/search/").content.decode()

    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    response = Client().get(page.url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert f'href="{page.url}"' not in Client().get("/search/").content.decode()

    restriction.delete()  # public again: back in the menu at once
    assert Client().get(page.url).status_code == 200
    assert f'href="{page.url}"' in Client().get("/search/").content.decode()


@override_settings(LMN_PAGE_CACHE_SECONDS=60)
def test_the_cache_key_includes_the_query_string(site, client):
    assert client.get("/search/?query=report")["X-Page-Cache"] == "miss"
    assert client.get("/search/?query=other")["X-Page-Cache"] == "miss"
    assert client.get("/search/?query=report")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    ("method", "path", "cookies", "expected"),
    [
        ("GET", "/about/", {}, True),
        ("HEAD", "/about/", {}, False),
        ("POST", "/about/", {}, False),
        ("GET", "/admin/", {}, False),
        ("GET", "/django-admin/", {}, False),
        ("GET", "/about/", {"sessionid": "x"}, False),
        ("GET", "/about/", {"messages": "x"}, False),
        ("GET", "/about/", {caching.FRESH_COOKIE: "x"}, True),  # forged: ignored
        ("GET", "/about/", {"csrftoken": "x"}, True),
    ],
)
def test_which_requests_may_use_the_page_cache(method, path, cookies, expected):
    assert caching.request_is_cacheable(method, path, cookies) is expected


def test_only_a_recently_signed_fresh_cookie_counts():
    assert caching.verified_fresh_token(signed_at("a1b2c3", 0)) == "a1b2c3"
    assert caching.verified_fresh_token(signed_at("a1b2c3", caching.FRESH_COOKIE_SECONDS + 2)) == ""
    assert caching.verified_fresh_token(signed_at("a1b2c3", 0).replace("a1b2c3", "a1b2c4")) == ""
    assert caching.verified_fresh_token("a1b2c3") == ""
    assert caching.verified_fresh_token("x" * 5000) == ""
    assert not caching.request_is_cacheable(
        "GET", "/about/", {caching.FRESH_COOKIE: signed_at("a1b2c3", 0)}
    )


@pytest.mark.parametrize(
    ("method", "path", "status", "expected"),
    [
        ("POST", "/contact/", 200, True),
        ("POST", "/comments/post/3/", 302, True),
        ("POST", "/events/roundtable/", 409, True),
        ("POST", "/contact/", 400, True),
        ("POST", "/blog/_count-view/", 204, False),
        ("POST", "/contact/", 403, False),
        ("POST", "/contact/", 500, False),
        ("POST", "/admin/pages/", 302, False),
        ("GET", "/contact/", 200, False),
    ],
)
def test_which_responses_earn_the_fresh_cookie(method, path, status, expected):
    assert caching.sets_fresh_cookie(method, path, status, ("/blog/_count-view/",)) is expected


@override_settings(LMN_MIN_FORM_FILL_SECONDS=0)
def test_a_form_post_sets_the_fresh_cookie_and_the_beacon_does_not(site, client):
    from tests.utils import human_form_fields

    response = client.post(
        "/contact/",
        {"name": "A reader", "email": "reader@example.org", **human_form_fields()},
    )
    cookie = response.cookies[caching.FRESH_COOKIE]
    assert int(cookie["max-age"]) == caching.FRESH_COOKIE_SECONDS
    assert cookie["httponly"]
    beacon = Client().post(
        "/blog/_count-view/", "{}", content_type="text/plain", headers={"Origin": "http://x"}
    )
    assert caching.FRESH_COOKIE not in beacon.cookies


def test_content_version_changes_on_publish(site):
    before = caching.content_version()
    assert caching.content_version() == before
    about().save_revision().publish()
    assert caching.content_version() != before
