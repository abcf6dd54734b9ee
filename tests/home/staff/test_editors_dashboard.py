"""The editors' dashboard: "Needs you", "Events" and "Readers" — what each shows, who
sees it, and that each costs the same number of queries for 2 items as for 20."""

import re
from datetime import timedelta

from django.test import RequestFactory
from django.utils import timezone

import pytest

from blog.comments import moderation
from blog.dashboard import ReadersPanel, add_readers_panel
from blog.factories import make_post
from blog.models import PostViewDay
from events.dashboard import EventsPanel, add_events_panel
from events.factories import create_event
from home.abuse.visitor import today
from home.staff.dashboard import add_needs_you_panel
from tests.blog.comments.test_comments_support import make_comment
from tests.home.staff import test_editors_support as support
from tests.home.staff.test_editors_support import fresh, make_user, register_people

blog_index = support.blog_index
event_index = support.event_index
contributor = support.contributor
editor = support.editor
moderator = support.moderator
organiser = support.organiser
superuser = support.superuser

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = fresh(user)
    return request


def needs_you(user):
    """The rendered "Needs you" panel for `user`, or None when it is left off."""
    request = request_for(user)
    panels = []
    add_needs_you_panel(request, panels)
    if not panels:
        return None
    return panels[0].render_html({"request": request})


def part(html, key):
    match = re.search(rf'<section[^>]*data-needs-you="{key}".*?</section>', html, flags=re.S)
    return match.group(0) if match else None


def dashboard(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def submit_for_review(post, user):
    """What "Submit for review" does: a revision by `user`, then the workflow started."""
    revision = post.save_revision(user=user)
    post.get_workflow().start(post, user)
    return revision


# ---------- Needs you: comments ----------


def test_moderator_sees_comments_waiting_oldest_first_with_a_link_to_the_queue(
    moderator, blog_index
):
    post = make_post(blog_index, title="Roundtables announced")
    newer = make_comment(post, status=moderation.PENDING, name="Newer Reader")
    older = make_comment(post, status=moderation.PENDING, name="Older Reader", text="b")
    older.created_at = timezone.now() - timedelta(days=2)
    older.save(update_fields=["created_at"])
    make_comment(post, status=moderation.REPORTED, name="Reported Reader", text="c")
    make_comment(post, status=moderation.APPROVED, name="Approved Reader", text="d")

    html = part(needs_you(moderator), "comments")
    assert "2 comments awaiting moderation and 1 hidden after reports" in html
    assert html.index("Older Reader") < html.index("Newer Reader")
    assert "Approved Reader" not in html
    assert 'href="/admin/comments/?status=pending"' in html
    assert f'href="/admin/comments/inspect/{newer.pk}/"' in html


def test_comments_part_is_only_for_people_who_may_moderate(moderator, editor, contributor):
    assert part(needs_you(moderator), "comments") is not None
    for user in (editor, contributor):
        html = needs_you(user)
        assert html is None or part(html, "comments") is None


def test_needs_you_is_left_off_for_someone_it_has_nothing_for(django_user_model, home_page):
    from django.contrib.auth.models import Permission

    user = make_user(django_user_model, "viewer")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert needs_you(user) is None


def test_moderators_dashboard_shows_needs_you_and_no_page_panels(client, moderator, blog_index):
    post = make_post(blog_index)
    make_comment(post, status=moderation.PENDING, name="Waiting Person")
    html = dashboard(client, moderator)
    assert 'id="needs-you-section"' in html
    assert "Waiting Person" in html
    assert 'id="readers-section"' not in html
    assert 'id="events-section"' not in html


# ---------- Needs you: pages waiting for review ----------


def test_editor_sees_a_post_a_contributor_submitted(editor, contributor, blog_index):
    post = make_post(blog_index, title="Draft about the action plan", live=False)
    submit_for_review(post, contributor)
    html = part(needs_you(editor), "review")
    assert "1 page waiting for review" in html
    assert "Draft about the action plan" in html
    assert f'href="/admin/pages/{post.pk}/edit/"' in html
    assert "Sent by contributor" in html


def test_review_part_is_only_for_approvers(contributor, moderator, organiser, superuser):
    assert part(needs_you(superuser), "review") is not None
    for user in (contributor, moderator, organiser):
        html = needs_you(user)
        assert html is None or part(html, "review") is None


# ---------- Needs you: registration dates this week ----------


def test_registration_opening_or_closing_this_week(organiser, event_index):
    now = timezone.now()
    opening = create_event(
        event_index,
        title="Opens soon",
        start=now + timedelta(days=30),
        registration_opens=now + timedelta(days=3),
    )
    create_event(
        event_index,
        title="Closes soon",
        start=now + timedelta(days=20),
        registration_closes=now + timedelta(days=5),
    )
    create_event(event_index, title="Starts in four days", start=now + timedelta(days=4))
    create_event(event_index, title="Far away", start=now + timedelta(days=40))
    create_event(
        event_index,
        title="Draft closing soon",
        start=now + timedelta(days=2),
        publish=False,
    )

    html = part(needs_you(organiser), "registration-windows")
    assert "3 registration dates in the next 7 days" in html
    assert "Opens soon" in html and "registration opens" in html
    assert "Closes soon" in html and "registration closes" in html
    # Blank closing date: registration closes when the event starts.
    assert "Starts in four days" in html
    assert "Far away" not in html
    assert "Draft closing soon" not in html
    # Soonest first; organisers are taken to the registrations.
    assert html.index("Opens soon") < html.index("Starts in four days")
    assert html.index("Starts in four days") < html.index("Closes soon")
    assert f'href="/admin/forms/submissions/{opening.pk}/"' in html


def test_registration_dates_for_organisers_and_page_editors_only(
    organiser, editor, moderator, contributor, event_index
):
    assert part(needs_you(organiser), "registration-windows") is not None
    assert part(needs_you(editor), "registration-windows") is not None
    for user in (moderator, contributor):
        html = needs_you(user)
        assert html is None or part(html, "registration-windows") is None


# ---------- Events ----------


def test_events_panel_shows_places_and_links_to_registrations(organiser, event_index):
    now = timezone.now()
    full = create_event(event_index, title="Full roundtable", capacity=2)
    register_people(full, confirmed=2, waiting=3)
    open_ended = create_event(
        event_index, title="Open meeting", start=now + timedelta(days=10), capacity=None
    )
    register_people(open_ended, confirmed=1)
    create_event(event_index, title="Last month", start=now - timedelta(days=30), capacity=5)

    html = EventsPanel().render_html({"request": request_for(organiser)})
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)[1:]
    assert len(rows) == 2
    assert "Full roundtable" in rows[0] and "2 / 2" in rows[0] and "<td>3</td>" in rows[0]
    assert "Open meeting" in rows[1] and "1 / no limit" in rows[1] and "<td>0</td>" in rows[1]
    assert f'href="/admin/forms/submissions/{full.pk}/"' in rows[0]
    assert "Last month" not in html
    assert 'href="/admin/events/registrations/"' in html


def test_events_panel_only_for_people_allowed_to_see_registrations(
    client, organiser, superuser, editor, moderator, contributor, event_index
):
    create_event(event_index, title="Roundtable in Leeds")
    for user in (organiser, superuser):
        panels = []
        add_events_panel(request_for(user), panels)
        assert [type(panel) for panel in panels] == [EventsPanel]
    for user in (editor, moderator, contributor):
        panels = []
        add_events_panel(request_for(user), panels)
        assert panels == []
    assert 'id="events-section"' in dashboard(client, organiser)
    assert 'id="events-section"' not in dashboard(client, editor)


# ---------- Readers ----------


def add_views(post, days_ago, views):
    PostViewDay.objects.create(post=post, day=today() - timedelta(days=days_ago), views=views)


def test_readers_panel_lists_most_read_posts_of_the_last_30_days(contributor, blog_index):
    popular = make_post(blog_index, title="Popular post")
    quiet = make_post(blog_index, title="Quiet post")
    old_hit = make_post(blog_index, title="Old hit")
    add_views(popular, 0, 40)
    add_views(popular, 29, 10)
    add_views(quiet, 3, 7)
    add_views(old_hit, 30, 500)  # 31 days ago counting today: outside the window

    html = ReadersPanel().render_html({"request": request_for(contributor)})
    rows = re.findall(r"<tr><td><a.*?</tr>", html, flags=re.S)
    assert [re.search(r">([^<]+)</a>", row).group(1) for row in rows] == [
        "Popular post",
        "Quiet post",
    ]
    assert "<td>50</td>" in rows[0] and "<td>7</td>" in rows[1]
    assert f'href="/admin/pages/{popular.pk}/edit/"' in rows[0]
    # The chart: an image with a title and a description that says what it shows.
    svg = re.search(r'<svg role="img".*?</svg>', html, flags=re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="readers-chart-title readers-chart-desc"' in svg
    assert len(re.findall(r"<rect ", svg)) == 30
    desc = re.search(r'<desc id="readers-chart-desc">(.*?)</desc>', svg).group(1)
    assert desc.startswith("57 views in the 30 days from ")
    assert "with 40 views" in desc
    # ...and the days as a table for anyone who prefers one.
    assert len(re.findall(r"<tr><td>[A-Z][a-z]{2} \d", html)) == 30


def test_readers_panel_for_people_who_edit_the_blog(
    contributor, editor, superuser, moderator, organiser, blog_index
):
    for user in (contributor, editor, superuser):
        panels = []
        add_readers_panel(request_for(user), panels)
        assert [type(panel) for panel in panels] == [ReadersPanel]
    for user in (moderator, organiser):
        panels = []
        add_readers_panel(request_for(user), panels)
        assert panels == []


# ---------- A fixed number of queries ----------


@pytest.mark.parametrize("role", ["moderator", "editor", "organiser"])
def test_needs_you_costs_the_same_for_2_and_20_items(
    role, request, django_assert_num_queries, blog_index, event_index, contributor
):
    user = request.getfixturevalue(role)
    post = make_post(blog_index)
    now = timezone.now()

    def add_items(n):
        for i in range(n):
            make_comment(post, status=moderation.PENDING, text=f"comment {i} {n}")
            draft = make_post(blog_index, title=f"Draft {n}-{i}", live=False)
            submit_for_review(draft, contributor)
            create_event(
                event_index,
                title=f"Event {n}-{i}",
                start=now + timedelta(days=2, minutes=i),
            )

    add_items(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        needs_you(user)
    add_items(18)
    with django_assert_num_queries(len(few)):
        html = needs_you(user)
    # The count covers everything; the list shows the oldest five.
    assert re.search(r"\b20 (comments|pages|registration dates)\b", html)


def test_events_panel_costs_one_query_for_any_number_of_events(
    organiser, event_index, django_assert_num_queries
):
    request = request_for(organiser)
    for n in (2, 20):
        while event_index.get_children().count() < n:
            event = create_event(event_index, title=f"Event {event_index.get_children().count()}")
            register_people(event, confirmed=1, waiting=1)
        with django_assert_num_queries(1):
            html = EventsPanel().render_html({"request": request})
        assert html.count("/admin/forms/submissions/") == min(n, 8)


def test_readers_panel_costs_two_queries_for_any_number_of_posts(
    contributor, blog_index, django_assert_num_queries
):
    request = request_for(contributor)
    for n in (2, 20):
        while PostViewDay.objects.values("post").distinct().count() < n:
            post = make_post(blog_index)
            for day in range(10):
                add_views(post, day, day + 1)
        with django_assert_num_queries(2):
            ReadersPanel().render_html({"request": request})
