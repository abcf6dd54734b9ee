"""What is purged from the front cache, and when (home/web/frontend_cache.py).

The tests run the same purge calls as production through Wagtail's frontend cache
app; the test settings' backend records the URLs (home.web.frontend_cache.PURGED)
instead of sending them to nginx. Purges happen after the commit, so each action
runs inside `django_capture_on_commit_callbacks(execute=True)`.
"""

import logging

from django.contrib.auth.models import Group
from django.test import override_settings

from wagtail.models import Page

import pytest

from blog.comments import moderation
from blog.factories import BlogCategoryFactory, BlogIndexPageFactory, make_post
from events import privacy
from events.factories import STANDARD_QUESTIONS, create_event, create_event_index
from events.models import EventContribution, EventPage, EventRegistration
from home.models import ConsentText, StandardPage
from home.privacy.consent import current_consent
from home.report.progress import STATUS_CHOICES
from home.web import frontend_cache
from tests.blog.comments.test_comments_support import comment_data, make_comment, post_url
from tests.events.test_events_support import register, submit
from tests.report_factories import make_plan, make_report, set_statuses
from tests.utils import free_port, human_form_fields

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture
def purged(django_capture_on_commit_callbacks):
    """`purged.during(action)`: the set of URLs purged by `action()` once committed."""

    class Recorder:
        def during(self, action):
            frontend_cache.PURGED.clear()
            with django_capture_on_commit_callbacks(execute=True):
                result = action()
            self.result = result
            return set(frontend_cache.PURGED)

    return Recorder()


@pytest.fixture
def blog_index(home_page):
    return BlogIndexPageFactory(parent=home_page, slug="news")


def publish(page):
    return page.save_revision().publish()


# Pages ------------------------------------------------------------------------------


def test_publishing_a_post_purges_it_and_every_listing_feed_and_archive_showing_it(
    purged, blog_index
):
    culture = BlogCategoryFactory(name="Culture", slug="culture")
    post = make_post(blog_index, "A draft", live=False, categories=[culture], tags=["roundtable"])
    post.title = "Published at last"

    urls = purged.during(lambda: publish(post))

    news = f"{SITE}/news/"
    for expected in (
        f"{news}{post.slug}/",  # the post itself (Wagtail's own purge)
        news,  # its index
        f"{news}?page=2",  # the listing's next pages shift
        f"{news}feed/",
        f"{news}feed/atom/",
        f"{news}category/culture/",
        f"{news}category/culture/feed/",
        f"{news}category/culture/feed/atom/",
        f"{news}tag/roundtable/",
        f"{SITE}/",  # the home page's latest posts
        f"{SITE}/sitemap.xml",
    ):
        assert expected in urls, expected


def test_unpublishing_and_deleting_a_post_purge_it_and_its_listings(purged, blog_index):
    post = make_post(blog_index, "Short-lived")
    post_url = f"{SITE}/news/{post.slug}/"

    urls = purged.during(lambda: post.unpublish())
    assert {post_url, f"{SITE}/news/", f"{SITE}/news/feed/", f"{SITE}/"} <= urls

    publish(post)
    urls = purged.during(lambda: Page.objects.get(pk=post.pk).delete())
    assert {post_url, f"{SITE}/news/", f"{SITE}/news/feed/", f"{SITE}/sitemap.xml"} <= urls


def test_a_draft_saved_purges_nothing(purged, blog_index):
    post = make_post(blog_index, "Live")
    post.title = "Work in progress"
    assert purged.during(lambda: post.save_revision()) == set()


def test_moving_a_page_purges_its_old_and_new_addresses_and_both_parents(purged, home_page):
    about = StandardPage(title="About", slug="about")
    home_page.add_child(instance=about)
    publish(about)
    hub = StandardPage(title="Hub", slug="hub")
    home_page.add_child(instance=hub)
    publish(hub)
    team = StandardPage(title="Team", slug="team")
    about.add_child(instance=team)
    publish(team)
    people = StandardPage(title="People", slug="people")
    team.add_child(instance=people)
    publish(people)

    urls = purged.during(lambda: team.move(hub, pos="last-child"))

    assert {
        f"{SITE}/about/team/",
        f"{SITE}/about/team/people/",  # a descendant's old address
        f"{SITE}/hub/team/",
        f"{SITE}/hub/team/people/",
        f"{SITE}/about/",  # the old parent no longer lists it
        f"{SITE}/hub/",  # the new parent does
        f"{SITE}/",
        f"{SITE}/sitemap.xml",
    } <= urls


def test_publishing_an_event_purges_the_events_index_its_filters_and_calendar_feeds(
    purged, home_page
):
    index = create_event_index(home_page)
    event = create_event(index, title="Roundtable", publish=False)

    urls = purged.during(lambda: publish(Page.objects.get(pk=event.pk).specific))

    assert {
        f"{SITE}/events/roundtable/",
        f"{SITE}/events/roundtable/?sent=1",  # "check your inbox" shows its title
        f"{SITE}/events/",
        f"{SITE}/events/?audience=members",
        f"{SITE}/events/?upcoming=2",  # the upcoming list's later pages shift
        f"{SITE}/events/?page=2",  # and so do the past events'
        f"{SITE}/events/feed.ics",
        f"{SITE}/events/calendar/{event.pk}.ics",
        f"{SITE}/",
    } <= urls


def test_a_status_change_purges_the_action_plan_its_recommendations_and_status_feed(
    purged, home_page
):
    report = make_report(home_page)
    plan = make_plan(report, [STATUS_CHOICES[0][0], STATUS_CHOICES[0][0]])
    done = STATUS_CHOICES[-1][0]

    urls = purged.during(lambda: set_statuses(plan, {2: done}))

    plan_url = f"{SITE}/report/action-plan/"
    assert {
        plan_url,
        f"{plan_url}recommendation/1/",
        f"{plan_url}recommendation/2/",
        f"{plan_url}feed/",
        f"{plan_url}?status={done}",
        f"{SITE}/report/",
    } <= urls


# Registrations: the places left ----------------------------------------------------------


@pytest.fixture
def event(home_page):
    index = create_event_index(home_page)
    return create_event(index, title="Roundtable", capacity=1, questions=STANDARD_QUESTIONS)


# The index's later pages of upcoming events show places left too.
PLACES_SHOWN_ON = {
    f"{SITE}/events/roundtable/",
    f"{SITE}/events/",
    f"{SITE}/events/?upcoming=2",
    f"{SITE}/",
}


def test_a_confirmed_registration_purges_the_event_the_index_and_the_home_page(
    purged, client, event
):
    # Asking for a place (the form) holds none: nothing shown changes.
    assert purged.during(lambda: submit(client, event, email="other@example.org")) == set()

    urls = purged.during(lambda: register(client, event))

    assert purged.result.status_code == 200
    assert EventRegistration.objects.get(email="amina@example.org").status == "confirmed"
    assert urls >= PLACES_SHOWN_ON


def test_an_organisers_cancellation_and_a_deleted_registration_purge_the_places(
    purged, client, event, django_user_model
):
    register(client, event, email="amina@example.org")
    register(client, event, email="bilal@example.org")  # waiting list
    organiser = django_user_model.objects.create_user("organiser", password="pw-for-tests-1")
    organiser.groups.add(Group.objects.get(name="Event organisers"))
    client.force_login(organiser)
    amina = EventRegistration.objects.get(email="amina@example.org")

    urls = purged.during(lambda: client.post(f"/admin/events/registrations/{amina.pk}/cancel/"))
    assert purged.result.status_code == 302
    assert EventRegistration.objects.get(email="bilal@example.org").status == "confirmed"
    assert urls >= PLACES_SHOWN_ON

    bilal = EventRegistration.objects.get(email="bilal@example.org")
    assert purged.during(lambda: bilal.delete()) >= PLACES_SHOWN_ON


# Roundtables: "What we heard", "You said" and the action plan's totals -----------------------

PLAN = f"{SITE}/report/action-plan/"


def recommendation(number):
    return f"{PLAN}recommendation/{number}/"


@pytest.fixture
def loop(home_page):
    """A roundtable accepting contributions and an action plan of three recommendations."""
    index = create_event_index(home_page)
    event = create_event(
        index,
        title="Roundtable",
        slug="roundtable",
        capacity=5,
        questions=STANDARD_QUESTIONS,
        contributions_enabled=True,
    )
    plan = make_plan(make_report(home_page), [STATUS_CHOICES[0][0]] * 3)
    return event, plan


def heard(plan, *numbers):
    recs = {rec.number: rec for rec in plan.recommendations.all()}
    return [
        {
            "type": "theme",
            "value": {
                "heading": "Complaints people can trust",
                "summary": "<p>Independent complaints.</p>",
                "quotes": [],
                "recommendations": [str(recs[number].pk) for number in numbers],
            },
        }
    ]


def publish_heard(event, plan, *numbers):
    event = EventPage.objects.get(pk=event.pk)
    event.what_we_heard = heard(plan, *numbers)
    return publish(event)


def test_publishing_what_we_heard_purges_the_linked_recommendations_before_and_after(purged, loop):
    event, plan = loop

    urls = purged.during(lambda: publish_heard(event, plan, 1, 2))
    assert {
        recommendation(1),
        recommendation(2),
        PLAN,
        f"{PLAN}?roundtable=roundtable",
        f"{PLAN}?status={STATUS_CHOICES[0][0]}",
    } <= urls
    assert recommendation(3) not in urls

    # The theme now links to 3 only: 1 and 2 lose their "You said" too.
    urls = purged.during(lambda: publish_heard(event, plan, 3))
    assert {recommendation(1), recommendation(2), recommendation(3)} <= urls
    assert f"{PLAN}?roundtable=roundtable" in urls


def test_unpublishing_an_event_purges_the_recommendations_it_informed(purged, loop):
    event, plan = loop
    publish_heard(event, plan, 2)

    urls = purged.during(lambda: EventPage.objects.get(pk=event.pk).unpublish())

    assert {recommendation(2), PLAN, f"{PLAN}?roundtable=roundtable"} <= urls
    assert recommendation(1) not in urls


def test_attendance_contributions_and_their_erasure_purge_the_action_plan_totals(
    purged, client, loop, django_user_model
):
    event, _plan = loop
    register(client, event, email="amina@example.org")
    amina = EventRegistration.objects.get(email="amina@example.org")
    organiser = django_user_model.objects.create_user("organiser", password="pw-for-tests-1")
    organiser.groups.add(Group.objects.get(name="Event organisers"))
    client.force_login(organiser)

    urls = purged.during(
        lambda: client.post(
            f"/admin/events/{event.pk}/attendance/", {"set": f"{amina.pk}:attended"}
        )
    )
    assert purged.result.status_code == 302
    assert PLAN in urls
    # Marking it again changes nothing, so purges nothing.
    assert (
        purged.during(
            lambda: client.post(
                f"/admin/events/{event.pk}/attendance/", {"set": f"{amina.pk}:attended"}
            )
        )
        == set()
    )

    client.logout()
    consent = current_consent(ConsentText.EVENT_CONTRIBUTION)
    urls = purged.during(
        lambda: client.post(
            f"/events/{event.slug}/contribute/",
            {
                "full_name": "Yusuf Example",
                "email": "yusuf@example.org",
                "contribution": "Listen to members.",
                "consent": "on",
                "consent_version": str(consent.version),
                **human_form_fields(),
            },
            REMOTE_ADDR="192.0.2.9",
        )
    )
    assert EventContribution.objects.filter(page_id=event.pk).count() == 1
    assert PLAN in urls

    assert PLAN in purged.during(lambda: privacy.erase_contributions("yusuf@example.org"))
    assert PLAN in purged.during(lambda: privacy.erase("amina@example.org"))


# Comments ------------------------------------------------------------------------------------


def test_a_comment_purges_its_post_when_approved_or_taken_down_not_while_held(
    purged, client, blog_index, django_user_model
):
    post = make_post(blog_index, "Discussed")
    post_page = f"{SITE}/news/{post.slug}/"

    # A new comment waits for moderation: the post does not change.
    urls = purged.during(
        lambda: client.post(post_url(post), comment_data(), REMOTE_ADDR="192.0.2.7")
    )
    assert purged.result.status_code in (200, 302)
    assert urls == set()

    moderator = django_user_model.objects.create_user("mod", password="pw-for-tests-1")
    moderator.groups.add(Group.objects.get(name="Comment moderators"))
    client.force_login(moderator)
    comment = make_comment(post, status=moderation.PENDING)
    for decision in (moderation.APPROVED, moderation.SPAM):
        urls = purged.during(
            lambda decision=decision: client.post(
                f"/admin/comments/decide/{comment.pk}/", {"status": decision}
            )
        )
        assert purged.result.status_code == 302
        assert post_page in urls, decision

    comment.refresh_from_db()
    assert comment.status == moderation.SPAM
    assert post_page in purged.during(lambda: comment.delete())


# Failing open ---------------------------------------------------------------------------------


class Unreachable(frontend_cache.RecordingBackend):
    def purge(self, url):
        raise ConnectionRefusedError("cache down")


def test_an_unreachable_cache_never_breaks_the_action_and_logs_no_personal_data(
    purged, client, event, caplog
):
    settings = {"down": {"BACKEND": f"{__name__}.Unreachable"}}
    with override_settings(WAGTAILFRONTENDCACHE=settings), caplog.at_level(logging.INFO):
        purged.during(lambda: register(client, event, email="private.person@example.org"))
        response = purged.result
    assert response.status_code == 200
    assert EventRegistration.objects.get(email="private.person@example.org").status == ("confirmed")
    assert caplog.records, "the failed purge is logged"
    assert not any("private.person" in record.getMessage() for record in caplog.records)


def test_nginx_backend_gives_up_quietly_when_nginx_is_not_there(caplog):
    port = free_port()  # nothing listens on it
    backend = frontend_cache.NginxBackend({"LOCATION": f"http://127.0.0.1:{port}"})
    with caplog.at_level(logging.WARNING):
        backend.purge("http://www.example.org/news/")
    assert any("could not be reached" in r.getMessage() for r in caplog.records)


# Production settings -------------------------------------------------------------------------

SHOW_BACKENDS = (
    "import django, json; django.setup(); "
    "from wagtail.contrib.frontend_cache.utils import get_backends; "
    "print(json.dumps({name: [type(b).__module__ + '.' + type(b).__name__, "
    "getattr(b, 'cache_netloc', None), getattr(b, 'cloudflare_zoneid', None), "
    "getattr(b, 'cloudfront_distribution_id', None)] for name, b in get_backends().items()}))"
)


def production_backends(**env):
    import os
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NGINX_", "CLOUDFLARE_", "CLOUDFRONT_", "DJANGO_"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="lmn_cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="www.example.org",
        AWS_DEFAULT_REGION="eu-west-2",
        **env,
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", SHOW_BACKENDS],
        cwd=Path(__file__).resolve().parents[3],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result


def test_production_purges_nothing_until_a_front_cache_is_named():
    result = production_backends()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "{}"


def test_production_builds_the_nginx_cloudflare_and_cloudfront_backends_from_the_environment():
    import json

    result = production_backends(
        NGINX_PURGE_URL="http://127.0.0.1:8081",
        CLOUDFLARE_ZONE_ID="zone-123",
        CLOUDFLARE_API_TOKEN="token-for-tests",
        CLOUDFRONT_DISTRIBUTION_ID="E2EXAMPLE",
    )
    assert result.returncode == 0, result.stderr
    backends = json.loads(result.stdout.strip().splitlines()[-1])
    assert backends == {
        "nginx": ["home.web.frontend_cache.NginxBackend", "127.0.0.1:8081", None, None],
        "cloudflare": [
            "wagtail.contrib.frontend_cache.backends.cloudflare.CloudflareBackend",
            None,
            "zone-123",
            None,
        ],
        "cloudfront": [
            "wagtail.contrib.frontend_cache.backends.cloudfront.CloudfrontBackend",
            None,
            None,
            "E2EXAMPLE",
        ],
    }
    assert "token-for-tests" not in result.stdout + result.stderr


def test_production_refuses_a_cloudflare_zone_without_a_token():
    result = production_backends(CLOUDFLARE_ZONE_ID="zone-123")
    assert result.returncode != 0
    assert "CLOUDFLARE_API_TOKEN" in result.stderr
