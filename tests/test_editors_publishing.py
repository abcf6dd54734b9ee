"""Scheduled publishing (go-live dates and `publish_scheduled`, tested by moving the
clock) and Wagtail's content checker as the editors get it."""

import json
import re
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from blog.factories import make_post
from blog.models import BlogPage
from home.staff.content_checks import EXTRA_RULES, SiteContentChecker
from tests import test_editors_support as support
from tests.test_editors_support import editor_form_data, fresh

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
contributor = support.contributor
editor = support.editor
superuser = support.superuser

NOW = timezone.make_aware(timezone.datetime(2026, 11, 26, 9, 0))
GO_LIVE = NOW + timedelta(days=1, hours=8)  # Friday 27 November, 5pm


def admin_datetime(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def edit(client, user, post, action, **changes):
    data = editor_form_data(post, fresh(user), **changes)
    data[action] = "1"
    client.force_login(user)
    return client.post(reverse("wagtailadmin_pages:edit", args=[post.pk]), data)


def test_a_scheduled_post_goes_live_when_publish_scheduled_runs_after_its_date(
    client, superuser, blog_index
):
    with time_machine.travel(NOW, tick=False):
        post = make_post(blog_index, title="Statement for Friday", live=False)
        response = edit(
            client, superuser, post, "action-publish", go_live_at=admin_datetime(GO_LIVE)
        )
        assert response.status_code == 302
        post.refresh_from_db()
        assert not post.live
        assert post.approved_schedule

        call_command("publish_scheduled")  # too early: nothing happens
        post.refresh_from_db()
        assert not post.live
        assert client.get(post.url).status_code == 404

    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
        post.refresh_from_db()
        assert post.live
        assert post.first_published_at == GO_LIVE + timedelta(minutes=1)
        client.logout()
        assert "Statement for Friday" in client.get(post.url).content.decode()


def test_an_approved_contribution_waits_for_its_go_live_date(
    client, contributor, editor, blog_index
):
    with time_machine.travel(NOW, tick=False):
        post = make_post(blog_index, title="Weekend reading", live=False)
        edit(client, contributor, post, "action-submit", go_live_at=admin_datetime(GO_LIVE))
        post.refresh_from_db()
        task_state = post.current_workflow_task_state
        client.force_login(editor)
        client.post(
            reverse(
                "wagtailadmin_pages:workflow_action",
                args=[post.pk, "approve", task_state.pk],
            ),
            {"comment": ""},
        )
        post.refresh_from_db()
        assert not post.live
        assert post.approved_schedule

    with time_machine.travel(GO_LIVE - timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
        assert not BlogPage.objects.get(pk=post.pk).live
    with time_machine.travel(GO_LIVE + timedelta(seconds=30), tick=False):
        call_command("publish_scheduled")
        assert BlogPage.objects.get(pk=post.pk).live


def test_an_expiry_date_takes_a_post_down(client, superuser, blog_index):
    with time_machine.travel(NOW, tick=False):
        post = make_post(blog_index, title="Time-limited appeal")
        edit(client, superuser, post, "action-publish", expire_at=admin_datetime(GO_LIVE))
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
        post.refresh_from_db()
        assert not post.live
        assert post.expired


# ---------- Content checker ----------


def axe_configuration(html):
    match = re.search(
        r'<script id="checker-axe-configuration" type="application/json">(.*?)</script>',
        html,
        flags=re.S,
    )
    assert match, "the content checker is not on the page"
    return json.loads(match.group(1))


def test_signed_in_editors_get_the_sites_content_checker_on_pages(client, editor, blog_index):
    post = make_post(blog_index, title="Checked post")
    client.force_login(editor)
    config = axe_configuration(client.get(post.url).content.decode())
    assert config["context"]["include"] == ["main"]
    for rule in ["image-alt", "link-name", "heading-order", "alt-text-quality"]:
        assert rule in config["options"]["runOnly"]
    assert config["messages"]["image-alt"]["error_name"] == "Image has no alt text"


def test_the_checker_runs_in_the_editors_preview_panel_too(client, superuser, blog_index):
    post = make_post(blog_index, title="Previewed post")
    client.force_login(superuser)
    url = f"/admin/pages/{post.pk}/edit/preview/"
    client.post(url, editor_form_data(post, superuser))
    html = client.get(url + "?in_preview_panel=true").content.decode()
    assert set(EXTRA_RULES) <= set(axe_configuration(html)["options"]["runOnly"])


def test_readers_do_not_get_the_checker(client, blog_index):
    post = make_post(blog_index, title="Public post")
    assert "checker-axe-configuration" not in client.get(post.url).content.decode()


def test_checker_keeps_wagtails_own_rules():
    from wagtail.admin.userbar import ContentCheckerItem

    assert set(ContentCheckerItem.axe_run_only) <= set(SiteContentChecker.axe_run_only)


def test_the_page_editors_checks_panel_uses_the_sites_checker(client, editor, blog_index):
    post = make_post(blog_index, title="Post in the editor")
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[post.pk])).content.decode()
    config = axe_configuration(html)
    assert config["context"]["include"] == ["main"]
    assert set(EXTRA_RULES) <= set(config["options"]["runOnly"])
