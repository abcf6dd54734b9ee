"""The admin never asks an outside avatar service about staff: no Gravatar URL (and
no hash of a staff email address) in any admin page; avatars are the person's
initials or the picture they uploaded."""

import hashlib
import io
import re
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.users.models import UserProfile

import pytest
from PIL import Image

from home.staff.avatars import initials_of

pytestmark = pytest.mark.django_db

EMAIL = "Amina.Patel@Example.org"
ADMIN_PAGES = ["/admin/", "/admin/account/", "/admin/users/", "/admin/pages/"]


@pytest.fixture
def staff(home_page):
    return get_user_model().objects.create_superuser(
        username="amina",
        email=EMAIL,
        password="a-long-test-password",
        first_name="Amina",
        last_name="Patel",
    )


def email_hashes(email):
    """Every form in which an avatar service is sent an email address."""
    normalised = email.strip().lower().encode()
    return {hashlib.md5(normalised).hexdigest(), hashlib.sha256(normalised).hexdigest()}  # noqa: S324


def test_gravatar_lookup_is_off():
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_no_admin_page_sends_a_staff_email_hash_to_an_avatar_service(client, staff, url):
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "gravatar.com" not in html.lower()
    for digest in email_hashes(EMAIL):
        assert digest not in html
    # The avatars that are shown are drawn in the page: the person's initials.
    avatars = re.findall(r'src="(data:image/svg\+xml,[^"]+)"', html)
    avatars += re.findall(r'"avatarUrl": "(data:image/svg\+xml,[^"]+)"', html)
    assert avatars, "no avatar on the page"
    assert all(">AP</text>" in unquote(src) for src in avatars)


def test_an_uploaded_picture_is_shown_instead_of_initials(client, staff):
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(picture, "PNG")
    profile = UserProfile.get_for_user(staff)
    profile.avatar = SimpleUploadedFile("me.png", picture.getvalue(), content_type="image/png")
    profile.save()
    client.force_login(staff)
    html = client.get("/admin/pages/").content.decode()
    assert profile.avatar.url in html
    assert "gravatar.com" not in html.lower()


@pytest.mark.parametrize(
    ("first", "last", "username", "initials"),
    [
        ("Amina", "Patel", "amina", "AP"),
        ("Yusuf", "", "yusuf99", "Y"),
        ("Mary Ann", "Jones", "mj", "MJ"),
        ("", "", "zainab.hussain", "ZH"),
        ("", "", "_", "?"),
    ],
)
def test_initials(first, last, username, initials):
    user = get_user_model()(first_name=first, last_name=last, username=username)
    assert initials_of(user) == initials
