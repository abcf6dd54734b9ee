"""Per-address limits and the admin sign-in lockout count an IPv6 address by its
/64 network (one home or phone connection), an IPv4 address by itself; and a
username is locked after repeated failures spread over many addresses."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

import pytest
import time_machine
from axes.models import AccessAttempt

from blog.comments import moderation
from blog.comments.views import REPORTS_PER_NETWORK_PER_HOUR
from home.abuse.visitor import network_hash, network_of
from tests import test_comments_support as comments_support
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

blog_index = comments_support.blog_index
post = comments_support.post
comment_settings = comments_support.comment_settings

HOME_NETWORK = "2001:db8:1:2:"  # one connection's /64: any address in it is one network


def home_address(n):
    """The n-th address a device on the home connection might pick."""
    return f"{HOME_NETWORK}{n + 1:x}:abcd:ef01:{n + 7:x}"


# The network of an address ------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:DB8:1:3:0:0:0:1", "2001:db8:1:3::"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("", ""),
        ("not-an-address", "not-an-address"),
    ],
)
def test_network_of(address, network):
    assert network_of(address) == network


def test_addresses_in_one_ipv6_slash_64_share_a_network_hash():
    day = datetime.date(2026, 11, 26)
    hashes = {
        network_hash(RequestFactory().get("/", REMOTE_ADDR=home_address(n)), day) for n in range(5)
    }
    assert len(hashes) == 1
    neighbour = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert network_hash(neighbour, day) not in hashes


def test_ipv4_addresses_still_count_one_by_one():
    day = datetime.date(2026, 11, 26)
    first = network_hash(RequestFactory().get("/", REMOTE_ADDR="203.0.113.7"), day)
    second = network_hash(RequestFactory().get("/", REMOTE_ADDR="203.0.113.8"), day)
    assert first != second


# Per-address limits, through the comment report endpoint ---------------------------


def report(comment, ip):
    return Client().post(f"/comments/{comment.pk}/report/", {"reason": "Abusive"}, REMOTE_ADDR=ip)


def test_reports_from_many_addresses_of_one_connection_count_as_one_reader(post, comment_settings):
    assert comment_settings.reports_to_hide == 3
    comment = make_comment(post, text="a fair comment someone wants hidden")
    for n in range(3):
        assert report(comment, home_address(n)).status_code == 302
    comment.refresh_from_db()
    assert comment.status == moderation.APPROVED


def test_reports_from_three_connections_still_hide(post, comment_settings):
    comment = make_comment(post, text="a comment readers object to")
    for network in ("2001:db8:1:2::5", "2001:db8:1:3::5", "2001:db8:9:9::5"):
        assert report(comment, network).status_code == 302
    comment.refresh_from_db()
    assert comment.status == moderation.REPORTED


def test_the_report_limit_holds_across_a_connections_addresses(post):
    comments = [make_comment(post, text=f"c{n}") for n in range(REPORTS_PER_NETWORK_PER_HOUR + 1)]
    statuses = [report(c, home_address(n)).status_code for n, c in enumerate(comments)]
    assert statuses == [302] * REPORTS_PER_NETWORK_PER_HOUR + [429]


# Admin sign-in ----------------------------------------------------------------------

LOGIN_URL = "/admin/login/"
PASSWORD = "correct horse battery staple"  # noqa: S105
USERNAME = "editor.person"


@pytest.fixture
def staff_user(home_page):
    return get_user_model().objects.create_superuser(
        username=USERNAME, email="editor@example.org", password=PASSWORD
    )


def sign_in(password, ip, username=USERNAME):
    return Client().post(
        LOGIN_URL,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def is_signed_in(response):
    return response.status_code == 302 and response.url == "/admin/"


def test_sign_in_failures_from_one_ipv6_connection_lock_it_whatever_the_address(staff_user):
    responses = [sign_in(f"wrong-{n}", home_address(n)) for n in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # A new address in the same /64 is the same connection: still locked.
    assert sign_in(PASSWORD, home_address(99)).status_code == 429
    # The attempts are recorded under the network, not the addresses.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"2001:db8:1:2::"}
    # Another connection is not locked out by it.
    assert is_signed_in(sign_in(PASSWORD, "2001:db8:77:1::10"))


def many_addresses(count):
    """`count` IPv4 addresses, each on its own network."""
    return [f"198.51.{100 + n // 250}.{n % 250 + 1}" for n in range(count)]


def test_a_username_is_locked_after_failures_spread_over_many_addresses(staff_user):
    limit = settings.LMN_SIGNIN_USERNAME_FAILURE_LIMIT
    per_address = settings.AXES_FAILURE_LIMIT - 1  # each address stays below its own lock
    attackers = many_addresses(-(-limit // per_address))
    statuses = []
    for ip in attackers:
        statuses += [sign_in(f"wrong-{ip}-{n}", ip).status_code for n in range(per_address)]
    statuses = statuses[:limit]
    assert statuses == [200] * (limit - 1) + [429]
    # Locked everywhere, the real person's own connection included, even with the
    # right password...
    locked = sign_in(PASSWORD, "192.0.2.50")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert USERNAME not in locked.content.decode()
    # ...while other accounts are untouched...
    get_user_model().objects.create_superuser(
        username="someone.else", email="else@example.org", password=PASSWORD
    )
    assert is_signed_in(sign_in(PASSWORD, attackers[0], username="someone.else"))
    # ...and only for the cool-off.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        minutes=settings.AXES_COOLOFF_TIME * 60 + 1
    )
    with time_machine.travel(later, tick=False):
        assert is_signed_in(sign_in(PASSWORD, "192.0.2.50"))


def test_failures_below_the_username_limit_do_not_lock_the_real_person_out(staff_user):
    limit = settings.LMN_SIGNIN_USERNAME_FAILURE_LIMIT
    per_address = settings.AXES_FAILURE_LIMIT - 1
    failures = 0
    for ip in many_addresses(limit):
        for n in range(per_address):
            if failures == limit - 1:
                break
            assert sign_in(f"wrong-{n}", ip).status_code == 200
            failures += 1
    assert failures == limit - 1
    assert is_signed_in(sign_in(PASSWORD, "192.0.2.50"))


def test_the_real_persons_sign_in_does_not_wipe_an_attackers_failures(staff_user):
    attacker = "203.0.113.9"
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(f"wrong-{n}", attacker)
    assert is_signed_in(sign_in(PASSWORD, "192.0.2.50"))
    # One more failure from the attacker's address completes its lock.
    assert sign_in("wrong-again", attacker).status_code == 429
