"""View counting: once per visitor per day, robots/previews/editors skipped,
cross-site and malformed beacons refused, exact under concurrency."""

import datetime
import io
import json
import threading

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest
import time_machine

from blog import views_count
from blog.factories import BlogIndexPageFactory, ensure_wagtail_base, make_post
from blog.models import BlogPage, PostViewDay, PostViewVisitor
from home.abuse.visitor import today
from home.web.csrf import same_origin_verdict

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
BEACON_URL = "/blog/_count-view/"


@pytest.fixture
def blog_index(home_page):
    return BlogIndexPageFactory(parent=home_page)


@pytest.fixture
def post(blog_index):
    return make_post(blog_index, "Counted post")


def beacon_body(page, token=None):
    return json.dumps({"page": page.pk, "token": token or views_count.page_token(page.pk)})


def send(client, page=None, body=None, ip="203.0.113.5", ua=BROWSER_UA, **headers):
    headers.setdefault("HTTP_SEC_FETCH_SITE", "same-origin")
    headers.setdefault("HTTP_ORIGIN", "http://testserver")
    return client.post(
        BEACON_URL,
        data=body if body is not None else beacon_body(page),
        content_type="text/plain",
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=ua,
        **headers,
    )


def views(post):
    """What the post shows: the views rolled up and those not yet."""
    return BlogPage.objects.get(pk=post.pk).views


def per_day(post):
    """{day: views} as the editors' chart reads them (rolled up or not)."""
    return dict(post.views_per_day(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)))


# --- the rules as plain functions -------------------------------------------------


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36",
    ],
)
def test_robots_and_scripts_are_bots(ua):
    assert views_count.is_bot(ua)


def test_a_browser_is_not_a_bot():
    assert not views_count.is_bot(BROWSER_UA)
    assert not views_count.is_bot(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
    )


@pytest.mark.parametrize(
    ("fetch_site", "origin", "expected"),
    [
        ("same-origin", "https://example.org", True),
        ("same-origin", None, True),
        (None, "https://example.org", True),
        ("cross-site", "https://example.org", False),
        ("same-site", "https://example.org", False),
        (None, "https://evil.example", False),
        (None, "null", False),
        (None, None, False),
        ("same-origin", "https://evil.example", False),
    ],
)
def test_same_origin_rule(fetch_site, origin, expected):
    verdict = same_origin_verdict(fetch_site, origin, "https://example.org")
    assert (verdict is True) is expected


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"page": "7", "token": "x"}',
        b'{"page": true, "token": "x"}',
        b'{"page": 7}',
        b'{"page": 7, "token": "7:forged"}',
        b"{" + b" " * 600 + b"}",
        b"\xff\xfe",
    ],
)
def test_malformed_beacons_are_rejected(body):
    with pytest.raises(views_count.BadBeacon):
        views_count.parse_beacon(body)


def test_a_token_for_one_page_does_not_count_another():
    body = json.dumps({"page": 8, "token": views_count.page_token(7)}).encode()
    with pytest.raises(views_count.BadBeacon):
        views_count.parse_beacon(body)
    assert views_count.parse_beacon(json.dumps({"page": 7, "token": views_count.page_token(7)}))


# --- the endpoint -------------------------------------------------------------------


@pytest.mark.django_db
def test_one_visitor_counts_once_a_day(client, post):
    assert send(client, post).status_code == 204
    assert send(client, post).status_code == 204
    assert views(post) == 1
    assert list(per_day(post).values()) == [1]
    # A beacon writes the visitor's row and nothing shared: totals come from rolling up.
    assert not PostViewDay.objects.exists()
    assert BlogPage.objects.get(pk=post.pk).view_count == 0


@pytest.mark.django_db
def test_distinct_visitors_each_count(client, post):
    send(client, post, ip="203.0.113.5")
    send(client, post, ip="203.0.113.6")
    send(client, post, ip="203.0.113.6", ua=BROWSER_UA + " Edg/131.0")
    assert views(post) == 3


@pytest.mark.django_db
def test_the_same_visitor_counts_again_the_next_london_day(client, post):
    # 23:30 UTC in July is already 00:30 the next day in London.
    with time_machine.travel(datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC)):
        send(client, post)
    with time_machine.travel(datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC)):
        send(client, post)
        send(client, post)
    assert views(post) == 2
    days = {datetime.date(2026, 7, 1): 1, datetime.date(2026, 7, 2): 1}
    assert per_day(post) == days
    # Rolling up the days before 2 July moves 1 July's visitor into the totals and
    # forgets it; what the post shows does not change.
    assert views_count.roll_up_views(before=datetime.date(2026, 7, 2)) == 1
    assert set(PostViewVisitor.objects.values_list("day", flat=True)) == {datetime.date(2026, 7, 2)}
    assert dict(PostViewDay.objects.values_list("day", "views")) == {datetime.date(2026, 7, 1): 1}
    assert views(post) == 2
    assert per_day(post) == days


@pytest.mark.django_db
def test_nothing_identifying_is_stored(client, post):
    send(client, post, ip="198.51.100.77")
    row = PostViewVisitor.objects.get()
    assert len(row.visitor) == 64
    assert "198.51.100.77" not in row.visitor and "Chrome" not in row.visitor


@pytest.mark.django_db
def test_bots_are_not_counted(client, post):
    assert send(client, post, ua="Googlebot/2.1 (+http://www.google.com/bot.html)").status_code
    send(client, post, ua="")
    assert views(post) == 0


@pytest.mark.django_db
def test_signed_in_editors_are_not_counted(client, post):
    editor = User.objects.create_user("editor", password="a-long-password-1")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert send(client, post).status_code == 204
    assert views(post) == 0


@pytest.mark.django_db
def test_a_signed_in_non_editor_is_a_reader(client, post):
    client.force_login(User.objects.create_user("reader", password="a-long-password-1"))
    send(client, post)
    assert views(post) == 1


@pytest.mark.django_db
def test_previews_do_not_send_the_beacon(client, post, rf, django_user_model):
    assert "view-beacon.js" in client.get(post.url).content.decode()
    request = rf.get(post.url)
    request.user = django_user_model.objects.create_superuser("admin", "a@example.org", "pw-12345")
    preview = post.make_preview_request(request)
    assert preview.status_code == 200
    assert "Counted post" in preview.content.decode()
    assert "view-beacon.js" not in preview.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://blog.testserver"},
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-origin"},
    ],
)
def test_cross_site_beacons_are_refused(client, post, headers):
    assert send(client, post, **headers).status_code == 403
    assert views(post) == 0


@pytest.mark.django_db
def test_a_post_without_browser_headers_is_refused(post):
    response = Client().post(
        BEACON_URL, data=beacon_body(post), content_type="text/plain", HTTP_USER_AGENT=BROWSER_UA
    )
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", "{", '{"page": 1}', '{"page": 1, "token": "1:bad"}'])
def test_malformed_bodies_are_400(client, post, body):
    assert send(client, body=body).status_code == 400
    assert views(post) == 0


@pytest.mark.django_db
def test_unknown_draft_and_private_pages_are_404(client, blog_index, post):
    draft = make_post(blog_index, "Draft", live=False)
    private = make_post(blog_index, "Private")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    missing = json.dumps({"page": 999999, "token": views_count.page_token(999999)})
    assert send(client, body=missing).status_code == 404
    assert send(client, draft).status_code == 404
    assert send(client, private).status_code == 404
    # A signed token for the blog index is still not a post.
    assert send(client, blog_index).status_code == 404
    assert PostViewVisitor.objects.count() == 0


@pytest.mark.django_db
def test_a_post_under_a_restricted_index_is_404_and_counts_again_once_lifted(
    client, blog_index, post
):
    restriction = PageViewRestriction.objects.create(
        page=blog_index, restriction_type="password", password="x"
    )
    assert send(client, post).status_code == 404
    assert views(post) == 0
    restriction.delete()
    assert send(client, post).status_code == 204
    assert views(post) == 1


@pytest.mark.django_db
def test_only_post_is_allowed(client, post):
    assert client.get(BEACON_URL).status_code == 405


@pytest.mark.django_db
def test_purge_command_deletes_old_visitor_rows_and_keeps_totals(post):
    yesterday = datetime.date.today() - datetime.timedelta(days=3)
    views_count.record_view(post.pk, "a" * 64, yesterday)
    views_count.record_view(post.pk, "b" * 64, yesterday)
    out = io.StringIO()
    call_command("purge_view_hashes", stdout=out)
    assert "Deleted 2 visitor view rows." in out.getvalue()
    assert PostViewVisitor.objects.count() == 0
    assert PostViewDay.objects.get(post=post, day=yesterday).views == 2
    assert BlogPage.objects.get(pk=post.pk).view_count == 2
    assert views(post) == 2
    call_command("purge_view_hashes", stdout=out)
    assert "Deleted 0 visitor view rows." in out.getvalue()


# --- concurrency on PostgreSQL ------------------------------------------------------


def base_home_page():
    from home.demo.content import build_home_tree

    ensure_wagtail_base()
    return build_home_tree(io.StringIO())


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            barrier.wait()
            target(i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_distinct_visitors_give_exactly_n():
    assert connection.vendor == "postgresql"
    post = make_post(BlogIndexPageFactory(parent=base_home_page()), "Busy post")
    count = 12
    statuses = []
    _in_threads(
        count, lambda i: statuses.append(send(Client(), post, ip=f"198.51.100.{i + 1}").status_code)
    )
    assert statuses == [204] * count
    assert views(post) == count
    assert PostViewVisitor.objects.filter(post=post).count() == count


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicates_count_once():
    post = make_post(BlogIndexPageFactory(parent=base_home_page()), "Refreshed post")
    _in_threads(8, lambda i: send(Client(), post, ip="198.51.100.200"))
    assert views(post) == 1
    assert PostViewVisitor.objects.filter(post=post).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_roll_ups_move_each_view_exactly_once():
    """Four roll-ups at once, while beacons for today keep coming: every past view is
    added to the totals once, and today's rows stay."""
    home = base_home_page()
    index = BlogIndexPageFactory(parent=home)
    posts = [make_post(index, f"Post {n}") for n in range(3)]
    day = today()
    past = [day - datetime.timedelta(days=n) for n in (1, 2, 3)]
    expected = {}
    for n, post in enumerate(posts):
        for d, old in enumerate(past):
            for v in range(5 + n + d):
                views_count.record_view(post.pk, f"{n}-{d}-{v}".ljust(64, "x"), old)
            expected[post.pk, old] = 5 + n + d
    moved = []

    def work(i):
        if i < 4:
            moved.append(views_count.roll_up_views(before=day))
        else:
            send(Client(), posts[i % 3], ip=f"198.51.100.{i}")

    _in_threads(10, work)
    assert sum(moved) == sum(expected.values())
    assert {(r.post_id, r.day): r.views for r in PostViewDay.objects.all()} == expected
    for post in posts:
        today_rows = PostViewVisitor.objects.filter(post=post, day=day).count()
        rolled = sum(v for (pk, _d), v in expected.items() if pk == post.pk)
        assert BlogPage.objects.get(pk=post.pk).view_count == rolled
        assert views(post) == rolled + today_rows
    assert not PostViewVisitor.objects.filter(day__lt=day).exists()
