"""Rate limits and counting rules keyed on the IP address, not the user agent.

The visitor hash mixes in the user agent, which a client sets to anything it likes;
these tests change it on every request from one address and show that reports,
comments, registrations and view counts still hold to their limits.
"""

import json

from django.test import Client, override_settings

import pytest

from blog import views_count
from blog.comments import moderation
from blog.comments.models import Comment, CommentReport
from blog.comments.views import COMMENTS_PER_NETWORK_PER_HOUR, REPORTS_PER_NETWORK_PER_HOUR
from blog.models import BlogPage
from events.factories import create_event
from events.models import EventRegistration
from home.web.csrf import same_origin_verdict
from tests.blog.comments import test_comments_support as comments_support
from tests.blog.comments.test_comments_support import comment_data, make_comment, post_url
from tests.events import test_events_support as events_support
from tests.events.test_events_support import registration_data

pytestmark = pytest.mark.django_db

blog_index = comments_support.blog_index
post = comments_support.post
comment_settings = comments_support.comment_settings
event_index = events_support.event_index

ATTACKER = "198.51.100.66"


def browser(n):
    """A different, plausible browser user agent for each n."""
    return f"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/{100 + n}.0"


def report(post_comment, ip, ua):
    return Client().post(
        f"/comments/{post_comment.pk}/report/",
        {"reason": "Abusive"},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=ua,
    )


# Reports ------------------------------------------------------------------------


def test_three_reports_from_one_address_with_three_browsers_do_not_hide(post, comment_settings):
    assert comment_settings.reports_to_hide == 3  # the default the attack aims at
    comment = make_comment(post, text="an unpopular but fair comment")
    for n in range(3):
        assert report(comment, ATTACKER, browser(n)).status_code == 302
    comment.refresh_from_db()
    assert comment.status == moderation.APPROVED
    # All three are kept for moderators to see; they count as one reader.
    assert CommentReport.objects.filter(comment=comment).count() == 3


def test_three_readers_on_three_addresses_still_hide(post, comment_settings):
    comment = make_comment(post, text="a comment readers object to")
    report(comment, ATTACKER, browser(0))
    report(comment, ATTACKER, browser(1))
    report(comment, "198.51.100.67", browser(2))
    comment.refresh_from_db()
    assert comment.status == moderation.APPROVED  # two networks so far
    assert report(comment, "198.51.100.68", browser(3)).status_code == 302
    comment.refresh_from_db()
    assert comment.status == moderation.REPORTED
    assert comment.reasons == ["Hidden after 3 reports"]


def test_reports_are_limited_per_address_across_browsers(post):
    comments = [make_comment(post, text=f"c{n}") for n in range(REPORTS_PER_NETWORK_PER_HOUR + 1)]
    statuses = [report(c, ATTACKER, browser(n)).status_code for n, c in enumerate(comments)]
    assert statuses == [302] * REPORTS_PER_NETWORK_PER_HOUR + [429]
    assert CommentReport.objects.count() == REPORTS_PER_NETWORK_PER_HOUR


# Comments -----------------------------------------------------------------------


def test_comment_limit_holds_across_browsers_from_one_address(post):
    statuses = []
    for n in range(COMMENTS_PER_NETWORK_PER_HOUR + 1):
        response = Client().post(
            post_url(post),
            comment_data(email=f"p{n}@example.org", text=f"comment number {n}"),
            REMOTE_ADDR=ATTACKER,
            HTTP_USER_AGENT=browser(n),
        )
        statuses.append(response.status_code)
    assert statuses == [302] * COMMENTS_PER_NETWORK_PER_HOUR + [429]
    assert Comment.objects.count() == COMMENTS_PER_NETWORK_PER_HOUR
    # Someone on another address is not affected.
    other = Client().post(
        post_url(post),
        comment_data(email="other@example.org"),
        REMOTE_ADDR="198.51.100.99",
        HTTP_USER_AGENT=browser(0),
    )
    assert other.status_code == 302


# Registrations ------------------------------------------------------------------


@override_settings(LMN_EVENT_REGISTRATIONS_PER_NETWORK_PER_HOUR=4)
def test_registration_limit_holds_across_browsers_from_one_address(event_index):
    event = create_event(event_index, capacity=None)

    def register(n, ip=ATTACKER):
        return Client().post(
            event.url,
            registration_data(email=f"p{n}@example.org"),
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT=browser(n),
        )

    statuses = [register(n).status_code for n in range(5)]
    assert statuses == [303] * 4 + [429]
    assert EventRegistration.objects.count() == 4
    assert register(5, ip="198.51.100.99").status_code == 303


def test_registration_default_per_address_limit_is_generous():
    from events.serving import registrations_per_hour, registrations_per_network_per_hour

    assert registrations_per_network_per_hour() == 30
    assert registrations_per_network_per_hour() > registrations_per_hour()


# View beacon --------------------------------------------------------------------

BEACON_URL = "/blog/_count-view/"


def send_beacon(page, ip=ATTACKER, ua=None, secure=False, origin=None):
    scheme = "https" if secure else "http"
    return Client().post(
        BEACON_URL,
        json.dumps({"page": page.pk, "token": views_count.page_token(page.pk)}),
        content_type="text/plain",
        secure=secure,
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=ua or browser(0),
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_ORIGIN=origin or f"{scheme}://testserver",
    )


def views(page):
    return BlogPage.objects.get(pk=page.pk).views


def test_varying_the_user_agent_inflates_a_post_by_at_most_five(post):
    statuses = [send_beacon(post, ua=browser(n)).status_code for n in range(12)]
    assert statuses == [204] * 12
    assert views(post) == 5
    # Real readers elsewhere still count.
    send_beacon(post, ip="198.51.100.1")
    send_beacon(post, ip="198.51.100.2")
    assert views(post) == 7


def test_repeat_visits_do_not_use_up_the_addresses_views(post):
    for _ in range(6):
        send_beacon(post, ua=browser(0))  # one reader reloading
    for n in range(1, 5):
        send_beacon(post, ua=browser(n))  # four more people on the same address
    assert views(post) == 5


@override_settings(LMN_BEACONS_PER_NETWORK_PER_DAY=3)
def test_too_many_beacons_from_one_address_get_429_and_count_nothing(post, blog_index):
    from blog.factories import make_post

    others = [make_post(blog_index, f"Other {n}") for n in range(2)]
    assert send_beacon(post, ua=browser(0)).status_code == 204
    assert send_beacon(others[0], ua=browser(1)).status_code == 204
    assert send_beacon(others[1], ua=browser(2)).status_code == 204
    assert send_beacon(post, ua=browser(3)).status_code == 429
    assert views(post) == 1
    assert send_beacon(post, ip="198.51.100.1").status_code == 204
    assert views(post) == 2


def test_an_http_origin_is_refused_on_the_https_site(post):
    response = send_beacon(post, secure=True, origin="http://testserver")
    assert response.status_code == 403
    assert views(post) == 0
    assert send_beacon(post, secure=True, origin="https://testserver").status_code == 204
    assert views(post) == 1


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("https://example.org", True),
        ("HTTPS://Example.org", True),
        ("http://example.org", False),
        ("https://example.org:8443", False),
        ("example.org", False),
        ("//example.org", False),
    ],
)
def test_the_origin_rule_compares_scheme_host_and_port(origin, expected):
    assert (same_origin_verdict(None, origin, "https://example.org") is True) is expected
