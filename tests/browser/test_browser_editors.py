"""Chromium: a contributor writes a post and submits it for review; an editor sees it
under "Needs you" and publishes it. Also the guide's screenshots (admin and site, at
1280px and 375px): into a temporary folder in a normal run, into docs/screenshots/
with `make screenshots` (SCREENSHOT_DIR)."""

import io
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps

import pytest

from tests.conftest import assert_no_axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-test-password-1"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 740}


def ensure_groups():
    """Groups and workflow as the migrations make them (a flush may have removed them)."""
    import importlib

    from blog.workflow import setup_review_workflow

    for module in (
        "blog.comments.migrations.0002_comment_moderators_group",
        "events.migrations.0002_event_organisers_group",
    ):
        importlib.import_module(module).create_group(apps, None)
    setup_review_workflow(apps)


def make_user(username, group, **fields):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username, email=f"{username}@example.org", password=PASSWORD, **fields
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def sign_in(tab, base_url, username):
    tab.goto(f"{base_url}/admin/login/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{base_url}/admin/")


def wait_until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.fixture
def blog(home_page, live_server):
    from wagtail.models import Site

    from blog.factories import BlogIndexPageFactory, ensure_wagtail_base

    ensure_wagtail_base()
    ensure_groups()
    address = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
    from blog.workflow import assign_to_blog_index

    index = BlogIndexPageFactory(parent=home_page)
    assign_to_blog_index(index)
    return index


def test_contributor_submits_a_post_and_an_editor_publishes_it(browser, live_server, blog):
    from blog.models import Author, BlogPage

    contributor = make_user("samira", "Contributors", first_name="Samira")
    Author.objects.create(name="Samira Example", role="Volunteer writer", user=contributor)
    make_user("omar", "Editors", first_name="Omar")
    base = live_server.url

    writer = browser.new_context(viewport=DESKTOP)
    approver = browser.new_context(viewport=DESKTOP)
    try:
        tab = writer.new_page()
        tab.set_default_timeout(20000)
        sign_in(tab, base, "samira")
        tab.goto(f"{base}/admin/pages/add/blog/blogpage/{blog.pk}/")
        tab.locator("#id_title").fill("Volunteers wanted for the Leeds roundtable")
        tab.locator("#id_intro").fill("Help us welcome members to our next roundtable.")
        # The writer's own author profile is already ticked.
        assert tab.get_by_label("Samira Example").is_checked()
        tab.locator("[data-w-dropdown-target='toggle']").last.click()
        tab.get_by_role("button", name="Submit to Review before publishing").click()
        tab.wait_for_url("**/admin/pages/**")
        assert wait_until(
            lambda: BlogPage.objects.filter(
                title="Volunteers wanted for the Leeds roundtable"
            ).exists()
        )
        post = BlogPage.objects.get(title="Volunteers wanted for the Leeds roundtable")
        assert post.workflow_in_progress and not post.live
        assert [author.name for author in post.get_latest_revision_as_object().authors.all()] == [
            "Samira Example"
        ]

        review = approver.new_page()
        review.set_default_timeout(20000)
        sign_in(review, base, "omar")
        needs_you = review.locator("#needs-you-section")
        link = needs_you.get_by_role("link", name="Volunteers wanted for the Leeds roundtable")
        assert link.count() == 1
        link.click()
        review.wait_for_url(f"**/admin/pages/{post.pk}/edit/")
        review.locator("[data-w-dropdown-target='toggle']").last.click()
        review.get_by_role("button", name="Approve and Publish").first.click()
        assert wait_until(lambda: BlogPage.objects.get(pk=post.pk).live)

        reader = browser.new_context(viewport=DESKTOP).new_page()
        try:
            reader.goto(base + BlogPage.objects.get(pk=post.pk).url)
            assert reader.get_by_role(
                "heading", name="Volunteers wanted for the Leeds roundtable"
            ).is_visible()
            assert_no_axe_violations(reader)
        finally:
            reader.context.close()
    finally:
        writer.close()
        approver.close()


# ---------- The guide's screenshots ----------


def scroll_to(locator):
    """Bring an element to the top of the window (without sideways scrolling)."""
    locator.first.evaluate(
        """el => {
            el.scrollIntoView({block: 'start', inline: 'nearest'});
            // Some admin containers scroll sideways too; put them back.
            document.querySelectorAll('*').forEach(node => { node.scrollLeft = 0; });
            window.scrollTo(0, window.scrollY);
        }"""
    )


def shot(tab, folder, name):
    tab.wait_for_load_state("networkidle")
    tab.screenshot(path=str(folder / f"{name}.png"), full_page=False, animations="disabled")


@pytest.fixture
def screenshot_dir(tmp_path):
    folder = os.environ.get("SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_screenshots_for_the_editors_guide(browser, live_server, home_page, screenshot_dir):
    """Loads the demo site and photographs the pages the guide talks about."""
    from django.core.management import call_command

    from wagtail.models import Site

    from blog.factories import ensure_wagtail_base
    from blog.models import BlogPage
    from events.models import EventPage
    from home.report.models import ActionPlanPage

    ensure_wagtail_base()
    ensure_groups()
    call_command("load_demo", stdout=io.StringIO())
    address = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
    from django.contrib.auth.models import User

    User.objects.create_superuser("guide", email="guide@example.org", password=PASSWORD)
    base = live_server.url
    post = BlogPage.objects.live().filter(comment_count__gt=0).order_by("-comment_count").first()
    from django.utils import timezone

    # An upcoming event whose registration is open, so that its form shows.
    event = next(
        event
        for event in EventPage.objects.live().filter(start__gt=timezone.now()).order_by("start")
        if event.registration_window() == "open" and event.places_left != 0
    )
    plan = ActionPlanPage.objects.first()
    assert post is not None and event is not None and plan is not None

    site_pages = {
        "site-home": "/",
        "site-post-with-comments": post.url,
        "site-event-registration": event.url,
    }
    for width_name, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        context = browser.new_context(viewport=viewport)
        try:
            tab = context.new_page()
            for name, path in site_pages.items():
                tab.goto(base + path)
                if name == "site-post-with-comments":
                    scroll_to(tab.get_by_role("heading", name="Comments"))
                if name == "site-event-registration":
                    scroll_to(tab.locator("form.event-form"))
                shot(tab, screenshot_dir, f"{name}-{width_name}")
        finally:
            context.close()

    admin_pages = {
        "admin-dashboard": "/admin/",
        "admin-post-editor": f"/admin/pages/{post.pk}/edit/",
        "admin-event-form-builder": f"/admin/pages/{event.pk}/edit/",
        "admin-comment-queue": "/admin/comments/",
        "admin-registrations": f"/admin/forms/submissions/{event.pk}/",
        "admin-action-plan-statuses": f"/admin/action-plan/{plan.pk}/statuses/",
    }
    for width_name, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        context = browser.new_context(viewport=viewport)
        try:
            tab = context.new_page()
            sign_in(tab, base, "guide")
            for name, path in admin_pages.items():
                if width_name == "mobile" and name not in ("admin-dashboard", "admin-post-editor"):
                    continue
                response = tab.goto(base + path)
                assert response.status == 200, path
                if name == "admin-event-form-builder":
                    scroll_to(tab.get_by_role("heading", name="Registration questions"))
                shot(tab, screenshot_dir, f"{name}-{width_name}")
        finally:
            context.close()

    pictures = sorted(screenshot_dir.glob("*.png"))
    assert len(pictures) == 14
    assert sum(picture.stat().st_size for picture in pictures) < 5 * 1024 * 1024
