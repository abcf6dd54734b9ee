"""Optional TOTP two-factor sign-in (wagtail-2fa on django-otp): off by default,
and when ADMIN_2FA_REQUIRED is on, the admin needs a code from the staff member's
authenticator app. Codes are computed with django-otp's own TOTP function."""

import datetime

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # noqa: S105


@pytest.fixture
def staff(home_page):
    return get_user_model().objects.create_superuser(
        username="staff.member", email="staff@example.org", password=PASSWORD
    )


def code_for(device, offset=0):
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
    return f"{code:06d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def test_off_by_default_so_the_admin_opens_without_a_device(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_when_required_a_member_without_a_device_is_sent_to_enrol(client, staff):
    client.force_login(staff)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/2fa/devices/new")
    enrol = client.get(response.url)
    assert enrol.status_code == 200
    assert 'name="otp_token"' in enrol.content.decode()


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_enrolling_needs_the_password_and_a_current_code(client, staff):
    client.force_login(staff)
    client.get("/admin/2fa/devices/new")  # creates the unconfirmed device
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    refused = client.post(
        "/admin/2fa/devices/new",
        {"name": "Phone", "otp_token": code_for(device), "password": "wrong password"},
    )
    assert refused.status_code == 200
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    # The refused attempt used up the current code (django-otp refuses a code twice),
    # so the next one, which the device's tolerance of one step accepts, is sent.
    accepted = client.post(
        "/admin/2fa/devices/new",
        {"name": "Phone", "otp_token": code_for(device, 1), "password": PASSWORD},
    )
    assert accepted.status_code == 302
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1
    assert client.get("/admin/pages/").status_code == 200


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_a_member_with_a_device_must_enter_a_code_after_the_password(client, staff):
    device = confirmed_device(staff)
    client.force_login(staff)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/2fa/auth")
    assert client.get(response.url).status_code == 200

    wrong = client.post("/admin/2fa/auth", {"otp_token": "000000", "next": "/admin/pages/"})
    if code_for(device) == "000000":  # one chance in a million
        pytest.skip("the current code happens to be 000000")
    assert wrong.status_code == 200
    assert "Invalid code" in wrong.content.decode()
    assert client.get("/admin/pages/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp throttles after a failure
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post("/admin/2fa/auth", {"otp_token": code_for(device), "next": "/admin/pages/"})
    assert right.status_code == 302
    assert right.url == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_a_used_code_cannot_be_replayed_in_another_session(client, staff):
    device = confirmed_device(staff)
    code = code_for(device)
    client.force_login(staff)
    assert client.post("/admin/2fa/auth", {"otp_token": code}).status_code == 302

    other = type(client)()
    other.force_login(staff)
    replay = other.post("/admin/2fa/auth", {"otp_token": code})
    assert replay.status_code == 200
    assert other.get("/admin/pages/").status_code == 302


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_a_stale_code_from_minutes_ago_is_refused(client, staff):
    device = confirmed_device(staff)
    stale = code_for(device, -10)  # ten 30-second steps (five minutes) ago
    if stale == code_for(device) or stale in {code_for(device, -1), code_for(device, 1)}:
        pytest.skip("collision with a current code")
    client.force_login(staff)
    assert client.post("/admin/2fa/auth", {"otp_token": stale}).status_code == 200
    assert client.get("/admin/pages/").status_code == 302


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_a_password_alone_opens_nothing_that_needs_sign_in(client, staff):
    # Until the code is entered the session is only half signed in, so even public
    # URLs (where private pages and the editors' bar live) ask for the code.
    confirmed_device(staff)
    client.force_login(staff)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/2fa/auth")
    anonymous = type(client)()
    assert anonymous.get("/").status_code == 200


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_with_two_devices_a_code_from_either_signs_in(client, staff):
    first = confirmed_device(staff)
    second = TOTPDevice.objects.create(user=staff, name="Spare phone", confirmed=True)
    client.force_login(staff)
    assert client.post("/admin/2fa/auth", {"otp_token": code_for(second)}).status_code == 302
    first.refresh_from_db()
    assert first.throttling_failure_count == 0  # the unused device is not penalised
    client.logout()
    client.force_login(staff)
    assert client.post("/admin/2fa/auth", {"otp_token": code_for(first)}).status_code == 302


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_another_users_code_does_not_sign_in(client, staff):
    other = get_user_model().objects.create_superuser(username="other", password=PASSWORD)
    their_device = confirmed_device(other)
    confirmed_device(staff)
    client.force_login(staff)
    response = client.post("/admin/2fa/auth", {"otp_token": code_for(their_device)})
    assert response.status_code == 200
    assert client.get("/admin/pages/").status_code == 302


# An enrolled device is always asked for ----------------------------------------


def sign_in_with_password(client, username="staff.member"):
    response = client.post(
        "/admin/login/",
        {"username": username, "password": PASSWORD, "next": "/admin/pages/"},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    return response


@override_settings(WAGTAIL_2FA_REQUIRED=False)
def test_with_2fa_not_required_a_member_with_a_device_is_still_asked_for_a_code(client, staff):
    device = confirmed_device(staff)
    sign_in_with_password(client)
    for url in ("/admin/", "/admin/pages/", "/django-admin/", "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/admin/2fa/auth"), url
    assert client.get("/admin/2fa/auth").status_code == 200
    right = client.post("/admin/2fa/auth", {"otp_token": code_for(device), "next": "/admin/"})
    assert right.status_code == 302
    assert client.get("/admin/pages/").status_code == 200


@override_settings(WAGTAIL_2FA_REQUIRED=False)
def test_with_2fa_not_required_a_member_without_a_device_needs_only_the_password(client, staff):
    TOTPDevice.objects.create(user=staff, name="Half-enrolled", confirmed=False)
    sign_in_with_password(client)
    assert client.get("/admin/pages/").status_code == 200


# Wrong codes are throttled per person ---------------------------------------------

# django-otp waits THROTTLE_FACTOR * 2 ** (failures - 1) seconds after a failure;
# a long wait keeps these tests independent of how fast they run.
SLOW_THROTTLE = {"OTP_TOTP_THROTTLE_FACTOR": 600}


def wrong_code_for(*devices):
    """A six-digit code that is none of the devices' current codes."""
    current = {code_for(d, offset) for d in devices for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in current)


@override_settings(WAGTAIL_2FA_REQUIRED=True, **SLOW_THROTTLE)
def test_a_wrong_code_throttles_every_device_of_the_person(client, staff):
    first = confirmed_device(staff)
    second = TOTPDevice.objects.create(user=staff, name="Spare phone", confirmed=True)
    client.force_login(staff)
    wrong = client.post("/admin/2fa/auth", {"otp_token": wrong_code_for(first, second)})
    assert wrong.status_code == 200
    for device in (first, second):
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        assert device.throttling_failure_timestamp is not None
    # The other device's right code is not a fresh set of guesses: it waits too.
    refused = client.post("/admin/2fa/auth", {"otp_token": code_for(second)})
    assert refused.status_code == 200
    assert "temporarily disabled" in " ".join(refused.context["form"].non_field_errors())
    assert client.get("/admin/pages/").status_code == 302
    second.refresh_from_db()
    assert second.throttling_failure_count == 1  # a refusal while waiting is not a guess


@override_settings(WAGTAIL_2FA_REQUIRED=True, **SLOW_THROTTLE)
def test_the_person_is_throttled_across_sessions(client, staff):
    device = confirmed_device(staff)
    client.force_login(staff)
    client.post("/admin/2fa/auth", {"otp_token": wrong_code_for(device)})
    other = type(client)()
    other.force_login(staff)
    refused = other.post("/admin/2fa/auth", {"otp_token": code_for(device)})
    assert refused.status_code == 200
    assert other.get("/admin/pages/").status_code == 302


@override_settings(WAGTAIL_2FA_REQUIRED=True)
def test_a_right_code_clears_the_throttle_of_every_device(client, staff):
    first = confirmed_device(staff)
    second = TOTPDevice.objects.create(user=staff, name="Spare phone", confirmed=True)
    TOTPDevice.objects.filter(user=staff).update(
        throttling_failure_count=3,
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(staff)
    assert client.post("/admin/2fa/auth", {"otp_token": code_for(second)}).status_code == 302
    for device in (first, second):
        device.refresh_from_db()
        assert device.throttling_failure_count == 0
        assert device.throttling_failure_timestamp is None
