"""Moderating comments in the Wagtail admin: who may, the queue, decisions and the audit log."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.models import ModelLogEntry

import pytest

from blog.comments import moderation, services
from blog.comments.models import Comment, CommentThread
from blog.comments.queue import PendingCommentsPanel
from tests.blog.comments import test_comments_support as support
from tests.blog.comments.test_comments_support import XSS_CORPUS, assert_inert, make_comment

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
post = support.post

LIST_URL = "/admin/comments/"


def inspect_url(comment):
    return f"{LIST_URL}inspect/{comment.pk}/"


def decide_url(comment):
    return f"{LIST_URL}decide/{comment.pk}/"


def decide(client, comment, status, **data):
    """One click on a row's Approve, Reject or Spam button."""
    return client.post(decide_url(comment), {"status": status, **data})


def bulk_url(action, *comments):
    ids = "&".join(f"id={c.pk}" for c in comments)
    return f"/admin/bulk/comments/comment/{action}/?{ids}&next={LIST_URL}"


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(
        "moderator", email="moderator@example.org", password="pw-for-tests-1"
    )
    user.groups.add(Group.objects.get(name="Comment moderators"))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", email="editor@example.org", password="pw-for-tests-1"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def denied(response):
    """Wagtail answers a signed-in user without permission with a redirect to the
    dashboard (or a 403); an anonymous one with a redirect to the login page."""
    if response.status_code == 302 and response["Location"].startswith("/admin/settings/"):
        # Site settings first redirect to the settings object's own URL.
        response = response.client.get(response["Location"])
    if response.status_code == 403:
        return True
    return response.status_code == 302 and (
        response["Location"].startswith("/admin/login/") or response["Location"] == "/admin/"
    )


# ---------- The group and who may do what ----------


def test_moderators_group_has_comment_permissions_and_admin_access_only():
    group = Group.objects.get(name="Comment moderators")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert codenames == {
        ("comments", "view_comment"),
        ("comments", "change_comment"),
        ("comments", "delete_comment"),
        ("wagtailadmin", "access_admin"),
    }
    assert not group.page_permissions.exists()
    assert not group.collection_permissions.exists()


def test_moderator_can_use_the_queue(moderator_client, post):
    comment = make_comment(post, status=moderation.PENDING, text="waiting text")
    assert moderator_client.get(LIST_URL).status_code == 200
    assert moderator_client.get(inspect_url(comment)).status_code == 200
    response = decide(moderator_client, comment, moderation.APPROVED)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == moderation.APPROVED


def test_moderator_cannot_edit_pages(moderator_client, post, home_page):
    for url in (
        f"/admin/pages/{post.pk}/edit/",
        f"/admin/pages/{home_page.pk}/edit/",
        f"/admin/pages/{post.pk}/delete/",
        f"/admin/pages/add/blog/blogpage/{post.get_parent().pk}/",
    ):
        assert denied(moderator_client.get(url)), url
    response = moderator_client.post(f"/admin/pages/{post.pk}/edit/", {"title": "Changed"})
    assert denied(response)
    post.refresh_from_db()
    assert post.title == "Roundtables on Islamophobia"


def test_moderator_cannot_see_event_registrations(moderator_client, home_page):
    from events.factories import create_event, create_event_index

    event = create_event(create_event_index(home_page))
    assert denied(moderator_client.get(f"/admin/forms/submissions/{event.pk}/"))
    listing = moderator_client.get("/admin/forms/")
    assert listing.status_code in (200, 302, 403)
    if listing.status_code == 200:
        assert f"/admin/forms/submissions/{event.pk}/" not in listing.content.decode()


def test_moderator_cannot_change_comment_settings_or_users(moderator_client):
    assert denied(moderator_client.get("/admin/settings/comments/commentsettings/"))
    assert denied(moderator_client.get("/admin/users/"))


def test_anonymous_users_reach_no_moderation_url(client, post):
    comment = make_comment(post, status=moderation.PENDING)
    urls = [
        LIST_URL,
        inspect_url(comment),
        f"{LIST_URL}results/",
        f"{LIST_URL}edit/{comment.pk}/",
        f"{LIST_URL}delete/{comment.pk}/",
        f"{LIST_URL}history/{comment.pk}/",
        bulk_url("approve", comment),
        bulk_url("delete", comment),
        f"/admin/comment-moderation/post/{post.pk}/",
        "/admin/settings/comments/commentsettings/",
    ]
    for url in urls:
        assert denied(client.get(url)), url
        assert denied(client.post(url)), url
    assert denied(decide(client, comment, moderation.APPROVED))
    assert denied(client.get(decide_url(comment)))
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING


def test_editors_without_comment_permission_cannot_moderate(client, editor, post):
    comment = make_comment(post, status=moderation.PENDING)
    client.force_login(editor)
    assert denied(client.get(LIST_URL))
    assert denied(client.get(inspect_url(comment)))
    assert denied(decide(client, comment, moderation.APPROVED))
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING


def test_a_forged_get_decides_nothing(moderator_client, post):
    comment = make_comment(post, status=moderation.PENDING)
    response = moderator_client.get(decide_url(comment), {"status": moderation.APPROVED})
    assert response.status_code == 405
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING
    assert not ModelLogEntry.objects.filter(object_id=str(comment.pk)).exists()


@pytest.mark.parametrize("status", ["pending", "reported", "", "deleted"])
def test_an_unknown_decision_is_a_bad_request(moderator_client, post, status):
    comment = make_comment(post, status=moderation.PENDING)
    response = decide(moderator_client, comment, status)
    assert response.status_code == 400
    assert "Request not understood" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING


def test_a_decision_on_a_missing_comment_is_not_found(moderator_client, post):
    comment = make_comment(post, status=moderation.PENDING)
    comment.delete()
    assert decide(moderator_client, comment, moderation.APPROVED).status_code == 404


def test_decisions_need_a_csrf_token(moderator, post):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)
    comment = make_comment(post, status=moderation.PENDING)
    assert decide(strict, comment, moderation.APPROVED).status_code == 403
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING


# ---------- The queue ----------


def test_menu_shows_how_many_comments_wait(moderator_client, post):
    make_comment(post, status=moderation.PENDING)
    make_comment(post, status=moderation.REPORTED, text="reported one")
    make_comment(post, status=moderation.APPROVED, text="fine")
    html = moderator_client.get("/admin/").content.decode()
    assert "Comments (2 to review)" in html


def test_dashboard_panel_for_moderators_only(client, moderator, editor, post):
    make_comment(post, status=moderation.PENDING, name="Waiting Person")
    client.force_login(moderator)
    html = client.get("/admin/").content.decode()
    assert "Reader comments to review" in html
    assert "Waiting Person" in html
    client.force_login(editor)
    assert "Reader comments to review" not in client.get("/admin/").content.decode()


def test_dashboard_panel_query_count_is_fixed(post):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            PendingCommentsPanel().get_context_data({})
        return len(captured)

    make_comment(post, status=moderation.PENDING, text="one")
    few = queries()
    for n in range(30):
        make_comment(post, status=moderation.PENDING, text=f"more {n}")
    assert queries() == few


def test_list_filters_by_status_post_and_date(moderator_client, blog_index, post):
    from datetime import timedelta

    from django.utils import timezone

    from blog.factories import make_post

    other = make_post(blog_index, title="Another post")
    make_comment(post, status=moderation.PENDING, text="pending here")
    make_comment(post, status=moderation.SPAM, text="spam here")
    make_comment(other, status=moderation.PENDING, text="pending elsewhere")
    make_comment(
        post,
        status=moderation.APPROVED,
        text="old approved",
        created_at=timezone.now() - timedelta(days=40),
    )

    def listed(query):
        html = moderator_client.get(LIST_URL + query).content.decode()
        return {
            t
            for t in ("pending here", "spam here", "pending elsewhere", "old approved")
            if t in html
        }

    assert listed("?status=pending") == {"pending here", "pending elsewhere"}
    assert listed("?status=spam") == {"spam here"}
    assert listed(f"?page={other.pk}") == {"pending elsewhere"}
    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    assert listed(f"?created_at_from={since}") == {
        "pending here",
        "spam here",
        "pending elsewhere",
    }
    assert listed("?q=elsewhere") == {"pending elsewhere"}


def test_list_shows_why_a_comment_was_held(moderator_client, post):
    make_comment(post, status=moderation.PENDING, reasons=["Suspect words: traitor"])
    html = moderator_client.get(LIST_URL).content.decode()
    assert "Suspect words: traitor" in html
    assert "data-comments-blur-toggle" in html
    assert "comments/js/admin-blur.js" in html


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_corpus_is_inert_in_the_admin(moderator_client, post, payload):
    comment = make_comment(post, status=moderation.PENDING, name=payload[:80], text=payload)
    for url in (LIST_URL, inspect_url(comment)):
        html = moderator_client.get(url).content.decode()
        cells = re.findall(r'<div class="lmn-comment-text" tabindex="0">(.*?)</div>', html, re.S)
        assert cells, url
        for cell in cells:
            assert_inert(cell, allowed=())


def test_inspect_shows_email_consent_and_reports_to_moderators(moderator_client, post):
    from home.models import ConsentText
    from home.privacy.consent import current_consent

    consent = current_consent(ConsentText.COMMENT)
    comment = make_comment(post, email="commenter@example.org", consent=consent)
    comment.reports.create(reason="Abusive language")
    html = moderator_client.get(inspect_url(comment)).content.decode()
    assert "commenter@example.org" in html
    assert "Posting a comment, version 1" in html
    assert "Abusive language" in html


def test_nobody_adds_copies_or_edits_a_readers_comment(moderator_client, admin_client, post):
    comment = make_comment(post, text="as the reader wrote it")
    for client in (moderator_client, admin_client):
        html = client.get(LIST_URL).content.decode()
        assert "Add comment" not in html
        assert f"{LIST_URL}new/" not in html
        assert f"{LIST_URL}edit/" not in html
        assert f"{LIST_URL}copy/" not in html
        inspect = client.get(inspect_url(comment)).content.decode()
        assert f"{LIST_URL}edit/" not in inspect
        assert denied(client.get(f"{LIST_URL}new/"))
        assert denied(client.get(f"{LIST_URL}edit/{comment.pk}/"))
        assert denied(client.post(f"{LIST_URL}edit/{comment.pk}/", {"text": "changed"}))
        assert client.get(f"{LIST_URL}copy/{comment.pk}/").status_code == 404
    comment.refresh_from_db()
    assert comment.text == "as the reader wrote it"
    assert Comment.objects.count() == 1


def test_empty_values_read_as_a_dash_never_none(moderator_client, post):
    comment = make_comment(post, status=moderation.PENDING, reasons=[], email="")
    listing = moderator_client.get(LIST_URL).content.decode()
    inspect = moderator_client.get(inspect_url(comment)).content.decode()
    for html in (listing, inspect):
        assert not re.search(r">\s*None\s*<", html)  # as text ("None" is also a CSS class)
        assert "—" in html
    # Not yet decided, no consent wording and no personal data cleared: each reads "—".
    fields = re.findall(r"<dd[^>]*>\s*(.*?)\s*</dd>", inspect, re.S)
    assert fields.count("—") >= 4, fields


def test_flagged_comments_are_blurred_others_are_not(moderator_client, post):
    make_comment(post, status=moderation.PENDING, text="ordinary words", reasons=[])
    make_comment(
        post, status=moderation.PENDING, text="suspect words", reasons=["Suspect words: x"]
    )
    make_comment(post, status=moderation.REPORTED, text="reported words")
    html = moderator_client.get(LIST_URL).content.decode()
    cells = {
        text: classes
        for classes, text in re.findall(
            r'<div class="(lmn-comment-text[^"]*)" tabindex="0"[^>]*>(.*?)</div>', html
        )
    }
    assert cells == {
        "ordinary words": "lmn-comment-text",
        "suspect words": "lmn-comment-text lmn-comment-text--flagged",
        "reported words": "lmn-comment-text lmn-comment-text--flagged",
    }


# ---------- One click per comment ----------


def row_forms(html):
    """(action, next, [(status, label)]) for each row's decision form in the queue."""
    forms = []
    for action, body in re.findall(
        r'<form method="post" action="([^"]+)" class="lmn-comment-decide__form">(.*?)</form>',
        html,
        re.S,
    ):
        [next_url] = re.findall(r'name="next" value="([^"]*)"', body)
        buttons = re.findall(
            r'<button type="submit" name="status" value="([^"]+)"[^>]*>([^<]+)</button>', body
        )
        assert "csrfmiddlewaretoken" in body
        forms.append((action, unescape(next_url), buttons))
    return forms


@pytest.mark.parametrize(
    ("status", "label", "public"),
    [
        (moderation.APPROVED, "Approve", True),
        (moderation.REJECTED, "Reject", False),
        (moderation.SPAM, "Spam", False),
    ],
)
def test_one_click_on_a_row_decides_the_comment_and_returns_to_the_queue(
    moderator_client, moderator, client, post, status, label, public
):
    comment = make_comment(post, status=moderation.PENDING, text="One click decides me")
    queue = moderator_client.get(LIST_URL, {"status": "pending"})
    [(action, next_url, buttons)] = row_forms(queue.content.decode())
    assert action == decide_url(comment)
    assert buttons == [
        (moderation.APPROVED, "Approve"),
        (moderation.REJECTED, "Reject"),
        (moderation.SPAM, "Spam"),
    ]

    response = moderator_client.post(action, {"status": status, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?status=pending"
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.decided_by == moderator
    entry = ModelLogEntry.objects.get(object_id=str(comment.pk))
    assert (entry.action, entry.user_id) == (services.LOG_ACTIONS[status], moderator.pk)
    followed = moderator_client.get(response["Location"]).content.decode()
    assert f"marked as {comment.get_status_display().lower()}" in followed
    assert "One click decides me" not in followed  # no longer pending
    shown = client.get(post.url).content.decode()
    assert ("One click decides me" in shown) is public


def test_the_queue_keeps_its_filters_search_and_page_after_a_decision(
    moderator_client, blog_index, post
):
    from blog.factories import make_post

    other = make_post(blog_index, title="Another post")
    for n in range(3):
        make_comment(post, status=moderation.PENDING, text=f"here {n}")
    make_comment(other, status=moderation.PENDING, text="elsewhere")
    query = {"status": "pending", "page": post.pk, "q": "here", "p": "1"}
    for url in (LIST_URL, f"{LIST_URL}results/"):
        forms = row_forms(moderator_client.get(url, query).content.decode())
        assert len(forms) == 3
        for _action, next_url, _buttons in forms:
            assert next_url.startswith(f"{LIST_URL}?")
            assert parse_qs(urlsplit(next_url).query) == {
                "status": ["pending"],
                "page": [str(post.pk)],
                "q": ["here"],
                "p": ["1"],
            }
    action, next_url, _buttons = forms[0]
    response = moderator_client.post(action, {"status": moderation.APPROVED, "next": next_url})
    assert response["Location"] == next_url
    assert len(row_forms(moderator_client.get(next_url).content.decode())) == 2


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/admin/", "//evil.example/admin/", "/news/", ""]
)
def test_a_decision_never_redirects_outside_the_admin(moderator_client, post, next_url):
    comment = make_comment(post, status=moderation.PENDING)
    response = decide(moderator_client, comment, moderation.REJECTED, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == LIST_URL


def test_a_row_offers_only_the_decisions_not_yet_taken(moderator_client, post):
    make_comment(post, status=moderation.APPROVED, text="already approved")
    [(_action, _next, buttons)] = row_forms(moderator_client.get(LIST_URL).content.decode())
    assert [label for _status, label in buttons] == ["Reject", "Spam"]


def test_the_buttons_are_described_by_the_commenters_name(moderator_client, post):
    comment = make_comment(post, status=moderation.PENDING, name="Named Reader")
    html = moderator_client.get(LIST_URL).content.decode()
    assert f'<span id="comment_{comment.pk}_title">Named Reader</span>' in html
    assert html.count(f'aria-describedby="comment_{comment.pk}_title"') == 4  # 3 + checkbox


def test_people_who_may_not_moderate_see_no_decision_buttons(client, django_user_model, post):
    from django.contrib.auth.models import Permission

    reader = django_user_model.objects.create_user("viewer", password="pw-for-tests-1")
    reader.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(content_type__app_label="comments", codename="view_comment"),
    )
    comment = make_comment(post, status=moderation.PENDING, text="only to be read")
    client.force_login(reader)
    html = client.get(LIST_URL).content.decode()
    assert "only to be read" in html
    assert row_forms(html) == []
    assert "data-bulk-action-checkbox" not in html
    assert "/admin/bulk/comments/comment/" not in html
    assert denied(decide(client, comment, moderation.APPROVED))
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING


# ---------- Decisions, bulk actions and the audit log ----------


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", moderation.APPROVED),
        ("reject", moderation.REJECTED),
        ("spam", moderation.SPAM),
    ],
)
def test_bulk_decisions(moderator_client, moderator, post, action, status):
    comments = [make_comment(post, status=moderation.PENDING, text=f"c{n}") for n in range(3)]
    untouched = make_comment(post, status=moderation.PENDING, text="not selected")
    queue = moderator_client.get(LIST_URL).content.decode()
    assert f'href="/admin/bulk/comments/comment/{action}/"' in queue
    confirm = moderator_client.get(bulk_url(action, *comments))
    assert confirm.status_code == 200
    response = moderator_client.post(bulk_url(action, *comments))
    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == status
        assert comment.decided_by == moderator
        assert comment.decided_at is not None
    untouched.refresh_from_db()
    assert untouched.status == moderation.PENDING
    entries = ModelLogEntry.objects.filter(action=f"comments.{action}")
    assert entries.count() == 3
    assert {e.user_id for e in entries} == {moderator.pk}
    assert {int(e.object_id) for e in entries} == {c.pk for c in comments}


def test_bulk_delete(moderator_client, post):
    comments = [make_comment(post, status=moderation.SPAM, text=f"s{n}") for n in range(2)]
    keep = make_comment(post, text="keep")
    assert moderator_client.get(bulk_url("delete", *comments)).status_code == 200
    assert moderator_client.post(bulk_url("delete", *comments)).status_code == 302
    assert list(Comment.objects.all()) == [keep]


def test_editors_cannot_use_bulk_actions(client, editor, post):
    comment = make_comment(post, status=moderation.PENDING)
    client.force_login(editor)
    client.post(bulk_url("approve", comment))
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING


def test_single_decisions_are_audited_and_listed_in_history(moderator_client, moderator, post):
    comment = make_comment(post, status=moderation.PENDING)
    decide(moderator_client, comment, moderation.SPAM)
    decide(moderator_client, comment, moderation.APPROVED)
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(comment.pk))
        .order_by("timestamp", "pk")
        .values_list("action", "user_id")
    )
    assert actions == [("comments.spam", moderator.pk), ("comments.approve", moderator.pk)]
    history = moderator_client.get(f"{LIST_URL}history/{comment.pk}/").content.decode()
    assert "Comment marked as spam" in history
    assert "Comment approved" in history


def test_approving_a_reported_comment_closes_its_reports(moderator_client, post):
    comment = make_comment(post, status=moderation.REPORTED)
    comment.reports.create(reason="x", visitor_hash="a")
    decide(moderator_client, comment, moderation.APPROVED)
    assert not comment.reports.filter(reviewed=False).exists()


def test_approving_updates_the_post_count(moderator_client, post):
    from blog.models import BlogPage

    comment = make_comment(post, status=moderation.PENDING)
    assert BlogPage.objects.get(pk=post.pk).comment_count == 0
    decide(moderator_client, comment, moderation.APPROVED)
    assert BlogPage.objects.get(pk=post.pk).comment_count == 1


# ---------- Closing a thread ----------


def test_moderator_closes_and_reopens_comments_on_a_post(moderator_client, moderator, post):
    url = f"/admin/comment-moderation/post/{post.pk}/"
    assert "Close comments" in moderator_client.get(url).content.decode()
    moderator_client.post(url, {"closed": "1"})
    thread = CommentThread.objects.get(page=post)
    assert thread.closed and thread.changed_by == moderator
    moderator_client.post(url, {"closed": "0"})
    thread.refresh_from_db()
    assert not thread.closed


def test_editor_with_page_permission_sees_the_switch_on_the_post(client, editor, post):
    client.force_login(editor)
    html = client.get(f"/admin/pages/{post.pk}/edit/").content.decode()
    assert reverse("comments_admin:thread", args=[post.pk]) in html
    client.post(reverse("comments_admin:thread", args=[post.pk]), {"closed": "1"})
    assert CommentThread.objects.get(page=post).closed


def test_no_switch_for_pages_that_are_not_posts(moderator_client, home_page):
    assert denied(moderator_client.get(f"/admin/comment-moderation/post/{home_page.pk}/"))


def test_moderator_permission_is_the_change_permission():
    # The views check this codename; make sure it is a real permission.
    assert Permission.objects.filter(
        content_type__app_label="comments", codename="change_comment"
    ).exists()


def test_superuser_edits_comment_settings(admin_client):
    response = admin_client.get("/admin/settings/comments/commentsettings/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Banned words", "Suspect words", "Keep commenters&#x27; personal data"):
        assert label in html


def test_group_editor_offers_view_moderate_and_delete_for_comments_not_add(admin_client):
    group = Group.objects.get(name="Comment moderators")
    html = admin_client.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    offered = {int(pk) for pk in re.findall(r'name="permissions" value="(\d+)"', html)}
    comment_perms = dict(
        Permission.objects.filter(
            content_type__app_label="comments", content_type__model="comment"
        ).values_list("codename", "pk")
    )
    assert {comment_perms["view_comment"], comment_perms["change_comment"]} <= offered
    assert comment_perms["delete_comment"] in offered
    assert comment_perms["add_comment"] not in offered


def test_the_queue_query_count_does_not_grow_with_its_rows(moderator_client, blog_index, post):
    from blog.factories import make_post

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert moderator_client.get(LIST_URL).status_code == 200
        return len(captured)

    make_comment(post, status=moderation.PENDING, text="first", reasons=["Suspect words: x"])
    moderator_client.get(LIST_URL)  # warm per-process caches (content types, settings)
    few = queries()
    other = make_post(blog_index, title="Another post")
    for n in range(20):
        make_comment(other if n % 2 else post, status=moderation.PENDING, text=f"more {n}")
    assert queries() == few
