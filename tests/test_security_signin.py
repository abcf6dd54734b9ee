"""Admin sign-in: django-axes locks a username on one address after repeated
failures, with a readable page and a cool-off; the logs name no one."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"
PASSWORD = "correct horse battery staple"  # noqa: S105
USERNAME = "editor.person"
ATTACKER_IP = "203.0.113.9"


@pytest.fixture
def staff_user(home_page):
    return get_user_model().objects.create_superuser(
        username=USERNAME, email="editor@example.org", password=PASSWORD
    )


def sign_in(client, password, username=USERNAME, ip=ATTACKER_IP):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def fail(client, times, username=USERNAME, ip=ATTACKER_IP):
    return [sign_in(client, f"wrong-{n}", username=username, ip=ip) for n in range(times)]


def is_signed_in(response):
    return response.status_code == 302 and response.url == "/admin/"


def test_settings_lock_username_and_address_together():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_below_the_limit_show_the_sign_in_form_again(client, staff_user):
    responses = fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert is_signed_in(sign_in(client, PASSWORD))


def test_the_limit_th_failure_locks_out_with_a_clear_page(client, staff_user):
    responses = fail(client, settings.AXES_FAILURE_LIMIT)
    locked = responses[-1]
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "<h1>Sign-in paused</h1>" in html
    assert 'role="alert"' in html
    assert "for 15 minutes" in html
    assert USERNAME not in html  # the page may be on a shared screen
    assert 'href="/admin/login/"' in html


def test_a_locked_out_username_cannot_sign_in_even_with_the_right_password(client, staff_user):
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_only_for_that_username_on_that_address(client, staff_user):
    fail(client, settings.AXES_FAILURE_LIMIT)
    # The real person, from their own connection, is not locked out by an attacker.
    assert is_signed_in(sign_in(client, PASSWORD, ip="198.51.100.20"))
    client.logout()
    # Another account from the attacker's address is not locked either.
    get_user_model().objects.create_user(
        username="someone.else", password=PASSWORD, is_staff=True, is_superuser=True
    )
    assert is_signed_in(sign_in(client, PASSWORD, username="someone.else"))


def test_the_lock_lifts_after_the_cool_off(client, staff_user):
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, PASSWORD).status_code == 429
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=16)
    with time_machine.travel(later, tick=False):
        assert is_signed_in(sign_in(client, PASSWORD))


def test_a_successful_sign_in_clears_earlier_failures(client, staff_user):
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert is_signed_in(sign_in(client, PASSWORD))
    client.logout()
    assert not AccessAttempt.objects.exists()
    # A fresh budget of failures: one more failure does not lock.
    assert fail(client, 1)[0].status_code == 200


def test_failed_attempts_keep_no_password_and_successful_ones_are_not_logged(client, staff_user):
    fail(client, 2)
    attempt = AccessAttempt.objects.get()
    assert "wrong-" not in attempt.post_data
    assert is_signed_in(sign_in(client, PASSWORD, ip="198.51.100.20"))
    assert not AccessLog.objects.exists()


def test_logs_name_neither_the_username_nor_the_address(client, staff_user, caplog):
    with caplog.at_level(logging.DEBUG, logger="axes"):
        fail(client, settings.AXES_FAILURE_LIMIT)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "Locking out" in text  # the lockout itself is logged...
    assert USERNAME not in text  # ...by pseudonym only
    assert ATTACKER_IP not in text


def test_axes_logger_keeps_only_warnings():
    assert logging.getLogger("axes").getEffectiveLevel() == logging.WARNING


def test_force_login_and_test_client_login_still_work(client, staff_user):
    assert client.login(username=USERNAME, password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    client.logout()
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


def test_django_admin_sign_in_is_protected_too(client, staff_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/django-admin/login/",
            {"username": USERNAME, "password": f"wrong-{n}"},
            REMOTE_ADDR=ATTACKER_IP,
        )
    assert response.status_code == 429


def test_behind_a_proxy_the_lock_follows_the_reader_not_the_proxy(client, staff_user, settings):
    from django.test import Client

    # nginx in front (home/web/proxy.py) passes the reader's address in X-Real-IP.
    settings.LMN_TRUSTED_PROXIES = ["127.0.0.1"]
    proxied = Client()  # the middleware reads the setting when the handler is built
    for n in range(settings.AXES_FAILURE_LIMIT):
        locked = proxied.post(
            LOGIN_URL,
            {"username": USERNAME, "password": f"wrong-{n}"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP=ATTACKER_IP,
        )
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == ATTACKER_IP
    # The real person, through the same proxy, can still sign in.
    response = proxied.post(
        LOGIN_URL,
        {"username": USERNAME, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="198.51.100.20",
    )
    assert is_signed_in(response)
