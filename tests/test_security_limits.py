"""Request size limits: public endpoints refuse oversized bodies with a readable 413
before reading them; the admin keeps room for long pages; too many fields and
forged hosts get the 400 page, never a 500."""

from django.conf import settings
from django.test import override_settings

import pytest

from blog.comments.models import Comment
from home.web.security import body_too_large
from tests import test_comments_support as support
from tests.test_comments_support import comment_data, post_url

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
post = support.post

LIMIT = settings.PUBLIC_MAX_REQUEST_BODY


def oversized_text():
    return "x" * (LIMIT + 1)


def test_public_limit_is_small_and_the_admin_keeps_djangos():
    assert LIMIT == 64 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("path", "length", "refused"),
    [
        ("/comments/post/1/", LIMIT, False),
        ("/comments/post/1/", LIMIT + 1, True),
        ("/blog/_count-view/", "not a number", True),
        ("/blog/_count-view/", "-1", True),
        ("/blog/_count-view/", "", False),
        ("/blog/_count-view/", None, False),
        ("/admin/pages/3/edit/", LIMIT * 10, False),
        ("/django-admin/auth/user/add/", LIMIT * 10, False),
        ("/administrator/", LIMIT + 1, True),
    ],
)
def test_which_bodies_are_too_large(path, length, refused):
    assert body_too_large(path, None if length is None else str(length), LIMIT) is refused


def test_an_oversized_comment_gets_a_readable_413_and_nothing_is_saved(client, post):
    response = client.post(post_url(post), comment_data(text=oversized_text()))
    assert response.status_code == 413
    html = response.content.decode()
    assert "<h1>Too much data sent</h1>" in html
    assert "64 KB" in html
    assert not Comment.objects.exists()


def test_an_oversized_view_beacon_gets_413(client, post):
    response = client.post(
        "/blog/_count-view/",
        data=b"{" + b" " * (LIMIT + 10) + b"}",
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 413


def test_an_oversized_search_post_and_form_page_post_get_413(client, home_page):
    assert client.post("/search/", {"query": oversized_text()}).status_code == 413
    assert client.post(home_page.url, {"anything": oversized_text()}).status_code == 413


def test_a_body_over_the_public_limit_still_reaches_the_admin(client, home_page):
    # The page editor posts long pages; the sign-in form stands in for it here.
    response = client.post("/admin/login/", {"username": "someone", "password": "x" * (LIMIT * 2)})
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_too_many_fields_get_the_400_page_not_a_500(client, post):
    body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert len(body) < LIMIT * 2
    response = client.post(
        "/admin/login/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "<h1>Request not understood</h1>" in response.content.decode()


def test_an_admin_body_over_djangos_limit_gets_the_400_page(admin_client, home_page):
    response = admin_client.post(
        f"/admin/pages/{home_page.pk}/edit/",
        {"title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert response.status_code == 400
    assert "Request not understood" in response.content.decode()


@override_settings(ALLOWED_HOSTS=["www.example.org"])
def test_a_forged_host_gets_the_400_page_not_a_500(client, home_page):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "<h1>Request not understood</h1>" in response.content.decode()
