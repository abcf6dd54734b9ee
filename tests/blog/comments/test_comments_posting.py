"""Readers posting comments: the form, post/redirect/get, moderation and every defence."""

import re
import threading
from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from blog.comments import moderation
from blog.comments.models import Comment, CommentReport, CommentThread
from home.models import ConsentText
from home.privacy.consent import current_consent, publish_consent
from tests.blog.comments import test_comments_support as support
from tests.blog.comments.test_comments_support import (
    XSS_CORPUS,
    assert_inert,
    comment_data,
    comment_texts,
    make_comment,
    post_url,
)
from tests.utils import human_form_fields

pytestmark = pytest.mark.django_db

# Shared fixtures.
blog_index = support.blog_index
post = support.post
comment_settings = support.comment_settings


def page_html(client, post, query=""):
    response = client.get(post.url + query)
    assert response.status_code == 200
    return response.content.decode()


# ---------- The form ----------


def test_post_page_shows_an_accessible_form_with_privacy_line(client, post, home_page):
    from home.models import SiteSettings, StandardPage

    privacy = StandardPage(title="Privacy notice", slug="privacy")
    home_page.add_child(instance=privacy)
    site_settings = SiteSettings.load()
    site_settings.privacy_page = privacy
    site_settings.save()

    html = page_html(client, post)
    form = re.search(r'<form class="form comment-form".*?</form>', html, flags=re.S).group(0)
    for field in ("name", "email", "text", "consent"):
        assert f'<label for="id_{field}"' in form or f'for="id_{field}">' in form
    assert f'action="/comments/post/{post.pk}/"' in form
    consent_input = re.search(r'<input[^>]*name="consent"[^>]*>', form).group(0)
    assert "checked" not in consent_input
    assert current_consent(ConsentText.COMMENT).text in form
    assert f'href="{privacy.url}"' in form
    # The trap is hidden from people and from assistive technology.
    assert '<div class="honeypot" aria-hidden="true">' in form


def test_posting_redirects_back_with_a_thanks_message(client, post):
    response = client.post(post_url(post), comment_data())
    assert response.status_code == 302
    assert response["Location"] == f"{post.url}?comment=received#comment-status"
    html = page_html(client, post, "?comment=received")
    assert "Thanks — your comment is awaiting moderation" in html
    comment = Comment.objects.get()
    assert comment.status == moderation.PENDING
    assert comment.name == "Aisha Example"
    assert comment.text == "A thoughtful comment about the post."


def test_pending_comments_are_not_shown(client, post):
    client.post(post_url(post), comment_data(text="Waiting for a moderator"))
    assert "Waiting for a moderator" not in page_html(client, post)


def test_consent_version_and_time_are_stored(client, post):
    current_consent(ConsentText.COMMENT)  # version 1, from the default wording
    publish_consent(ConsentText.COMMENT, "New wording version two.")
    client.post(post_url(post), comment_data())
    comment = Comment.objects.get()
    assert comment.consent.version == 2
    assert comment.consent.text == "New wording version two."
    assert abs(comment.consent_given_at - timezone.now()) < timedelta(minutes=1)


def test_missing_consent_and_bad_input_give_accessible_errors(client, post):
    response = client.post(
        post_url(post), comment_data(consent=None, email="not-an-email", name="  ")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary" tabindex="-1"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Please tick the box to agree" in html
    assert not Comment.objects.exists()


def test_text_over_3000_characters_is_refused(client, post):
    response = client.post(post_url(post), comment_data(text="x" * 3001))
    assert response.status_code == 400
    assert "3,000 characters or fewer" in response.content.decode()
    assert client.post(post_url(post), comment_data(text="y" * 3000)).status_code == 302


def test_only_blog_posts_take_comments(client, home_page, post):
    assert client.post(f"/comments/post/{home_page.pk}/", comment_data()).status_code == 404
    assert client.post("/comments/post/999999/", comment_data()).status_code == 404
    assert client.get(post_url(post)).status_code == 405


def test_draft_posts_take_no_comments(client, blog_index):
    from blog.factories import make_post

    draft = make_post(blog_index, title="Draft", live=False)
    assert client.post(post_url(draft), comment_data()).status_code == 404


# ---------- Showing comments ----------


def test_approved_comments_oldest_first_with_replies(client, post):
    now = timezone.now()
    first = make_comment(post, name="First", text="first text", created_at=now - timedelta(2))
    make_comment(post, name="Second", text="second text", created_at=now - timedelta(1))
    make_comment(post, name="Reply", text="reply text", parent=first, created_at=now)
    make_comment(post, status=moderation.REJECTED, name="Hidden", text="rejected text")
    html = page_html(client, post)
    assert html.index("first text") < html.index("reply text") < html.index("second text")
    assert "rejected text" not in html
    assert 'aria-label="Replies to First"' in html


def test_replying_to_a_comment(client, post):
    parent = make_comment(post, name="Parent")
    html = page_html(client, post, f"?reply_to={parent.pk}")
    assert "Reply to Parent" in html
    assert f'name="reply_to" value="{parent.pk}"' in html
    client.post(post_url(post), comment_data(reply_to=parent.pk))
    assert Comment.objects.get(status=moderation.PENDING).parent == parent


def test_a_reply_to_a_reply_joins_the_thread(client, post):
    parent = make_comment(post)
    reply = make_comment(post, parent=parent, text="a reply")
    client.post(post_url(post), comment_data(reply_to=reply.pk))
    assert Comment.objects.get(status=moderation.PENDING).parent == parent


def test_replying_to_an_unapproved_comment_is_refused(client, post):
    hidden = make_comment(post, status=moderation.PENDING)
    response = client.post(post_url(post), comment_data(reply_to=hidden.pk))
    assert response.status_code == 400
    assert "no longer available" in response.content.decode()


def test_email_is_never_in_the_page_source(client, post):
    make_comment(post, email="secret.person@example.org", text="visible text")
    html = page_html(client, post)
    assert "visible text" in html
    assert "secret.person" not in html


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_corpus_is_inert_on_the_post_page(client, post, payload):
    make_comment(post, name=payload, text=payload)
    html = page_html(client, post)
    [rendered] = comment_texts(html)
    assert_inert(rendered)
    # The name is shown as text: no markup from it reaches the page.
    assert payload not in html or "<" not in payload


# ---------- Defences ----------


def test_honeypot_submissions_are_kept_as_spam_and_look_successful(client, post):
    data = comment_data(website_address="https://spam.example", text="buy things")
    response = client.post(post_url(post), data)
    assert response.status_code == 302
    assert "comment=received" in response["Location"]
    spam = Comment.objects.get()
    assert spam.status == moderation.SPAM
    assert spam.reasons == ["Hidden trap field was filled in"]
    assert mail.outbox == []
    assert "buy things" not in page_html(client, post)


def test_too_fast_submissions_are_asked_to_try_again(client, post):
    data = comment_data(**human_form_fields(seconds_ago=0))
    response = client.post(post_url(post), data)
    assert response.status_code == 400
    assert "quicker than we expected" in response.content.decode()
    assert not Comment.objects.exists()


def test_rate_limit_per_visitor(client, post):
    for n in range(5):
        response = client.post(
            post_url(post), comment_data(email=f"p{n}@example.org", text=f"comment {n}")
        )
        assert response.status_code == 302
    response = client.post(post_url(post), comment_data(email="p6@example.org", text="six"))
    assert response.status_code == 429
    assert "wait an hour" in response.content.decode()
    assert Comment.objects.count() == 5


def stranger(n):
    """A separate browser on its own network, as another person would be."""
    return Client(REMOTE_ADDR=f"10.0.0.{n}", HTTP_USER_AGENT=f"Browser {n}")


def answer(response):
    """Everything the sender of a comment sees of the response to it. Cookies by
    name and attributes: their values are random tokens, new in every response, and
    `expires` is the clock time plus `max-age`."""
    cookies = sorted(
        (key, sorted((k, v) for k, v in morsel.items() if k != "expires"))
        for key, morsel in response.cookies.items()
    )
    return (response.status_code, response.get("Location"), cookies, response.content)


def test_rate_limit_per_email_across_visitors_drops_the_extra_comment_silently(post):
    # Different networks and browsers share one limit for the same email address.
    for n in range(5):
        response = stranger(n + 1).post(post_url(post), comment_data(text=f"comment {n}"))
        assert response.status_code == 302
    over = stranger(99).post(
        post_url(post), comment_data(email="AISHA@example.org ", text="a sixth", mailing_list="yes")
    )
    anyone = stranger(98).post(post_url(post), comment_data(email="b@example.org", text="a sixth"))
    # The address's hourly count is not revealed: the same answer as for any address.
    assert answer(over) == answer(anyone)
    assert over["Location"] == f"{post.url}?comment=received#comment-status"
    # ... and nothing is kept from the comment over the limit, not even the opt-in.
    assert Comment.objects.filter(email__iexact="aisha@example.org").count() == 5
    assert Comment.objects.filter(email="b@example.org").count() == 1
    from home.models import MailingListSubscriber

    assert not MailingListSubscriber.objects.exists()


def test_posts_turned_away_do_not_use_up_an_addresss_limit(client, post, comment_settings):
    comment_settings.banned_words = "vermin"
    comment_settings.save()
    # Someone else's visitor limit, then banned words, refuse six posts that carry the
    # address: none of them counts towards the address's own five an hour.
    for n in range(5):
        client.post(post_url(post), comment_data(email=f"p{n}@example.org", text=f"own {n}"))
    for n in range(6):
        assert client.post(post_url(post), comment_data(text=f"more {n}")).status_code == 429
        banned = stranger(50 + n).post(post_url(post), comment_data(text=f"vermin {n}"))
        assert banned.status_code == 400
    for n in range(5):
        response = stranger(n + 1).post(post_url(post), comment_data(text=f"genuine {n}"))
        assert response.status_code == 302
    assert Comment.objects.filter(email="aisha@example.org").count() == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rate_limit_holds_under_concurrent_requests():
    """Ten simultaneous posts from one visitor, each on its own database connection
    (as separate server processes would be): never more than five are taken.

    (home.abuse.ratelimit reads the counter back after incrementing it, so under a rush
    it can refuse one more than strictly needed; it never lets one too many in.)"""
    from blog.factories import BlogIndexPageFactory, make_post

    post = make_post(BlogIndexPageFactory(parent=support.ensure_base_rows()), title="Busy post")
    current_consent(ConsentText.COMMENT)  # the wording exists before the rush
    results = []
    barrier = threading.Barrier(10)

    def submit(n):
        from django.db import connections

        try:
            visitor = Client(REMOTE_ADDR="10.1.1.1", HTTP_USER_AGENT="Same browser")
            barrier.wait()
            response = visitor.post(
                post_url(post), comment_data(email=f"c{n}@example.org", text=f"text {n}")
            )
            results.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10
    accepted = results.count(302)
    assert 1 <= accepted <= 5
    assert results.count(429) == 10 - accepted
    assert Comment.objects.count() == accepted


def test_links_over_the_limit_hold_with_a_reason(client, post, comment_settings):
    comment_settings.max_links = 1
    comment_settings.moderation_mode = moderation.AUTO_APPROVE_KNOWN
    comment_settings.auto_approve_after = 1
    comment_settings.save()
    make_comment(post, email="aisha@example.org", text="earlier")
    client.post(post_url(post), comment_data(text="https://a.example https://b.example"))
    held = Comment.objects.get(status=moderation.PENDING)
    assert held.reasons == ["2 links (more than 1)"]


def test_banned_words_are_refused_politely(client, post, comment_settings):
    comment_settings.banned_words = "vermin"
    comment_settings.save()
    response = client.post(post_url(post), comment_data(text="They are Vermin."))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please rephrase it and send it again" in html
    assert "They are Vermin." in html  # kept in the form so they can edit it
    assert not Comment.objects.exists()


def test_suspect_words_hold_and_say_why(client, post, comment_settings):
    comment_settings.suspect_words = "traitor"
    comment_settings.save()
    client.post(post_url(post), comment_data(text="What a traitor."))
    comment = Comment.objects.get()
    assert comment.status == moderation.PENDING
    assert comment.reasons == ["Suspect words: traitor"]


def test_duplicate_text_from_the_same_person_within_a_day_is_refused(client, post):
    assert client.post(post_url(post), comment_data(text="Same words")).status_code == 302
    again = client.post(post_url(post), comment_data(text="  same   WORDS "))
    assert again.status_code == 400
    assert "already sent this comment today" in again.content.decode()
    # Another person may say the same thing.
    other = Client(REMOTE_ADDR="10.9.9.9")
    response = other.post(post_url(post), comment_data(email="b@example.org", text="Same words"))
    assert response.status_code == 302
    assert Comment.objects.count() == 2


def test_the_same_text_with_an_authors_address_answers_as_any_other_address(post):
    # Someone who knows a comment's words types in an address to learn whether that
    # address sent it: they get the same answer as for an address that did not.
    author = stranger(1)
    assert author.post(post_url(post), comment_data(text="Words they wrote")).status_code == 302
    tried = stranger(2).post(post_url(post), comment_data(text="Words they wrote"))
    other = stranger(3).post(
        post_url(post), comment_data(email="someone.else@example.org", text="Words they wrote")
    )
    assert answer(tried) == answer(other)
    assert tried["Location"] == f"{post.url}?comment=received#comment-status"
    # The repeat is not kept: the author's one comment waits, as it did.
    assert Comment.objects.filter(email="aisha@example.org").count() == 1
    assert Comment.objects.filter(email="someone.else@example.org").count() == 1
    # The author, in their own browser, is still told they sent it already.
    again = author.post(post_url(post), comment_data(text="Words they wrote"))
    assert again.status_code == 400
    assert "already sent this comment today" in again.content.decode()


def test_same_text_after_a_day_is_accepted(client, post):
    make_comment(
        post,
        status=moderation.PENDING,
        email="aisha@example.org",
        text="Same words",
        created_at=timezone.now() - timedelta(days=1, minutes=1),
    )
    assert client.post(post_url(post), comment_data(text="Same words")).status_code == 302


# ---------- Pre-moderation and auto-approval ----------


def test_every_comment_is_held_by_default_even_for_regulars(client, post):
    for n in range(4):
        make_comment(post, email="aisha@example.org", text=f"old {n}")
    client.post(post_url(post), comment_data())
    assert Comment.objects.filter(status=moderation.PENDING).count() == 1


# ---------- Notifications ----------


@pytest.fixture
def moderator(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "mod", email="moderator@example.org", password="pw-for-tests-1"
    )
    user.groups.add(Group.objects.get(name="Comment moderators"))
    return user


def test_held_comment_emails_moderators_without_commenter_email(client, post, moderator):
    client.post(post_url(post), comment_data(text="Please review me"))
    [message] = mail.outbox
    assert message.bcc == ["moderator@example.org"]
    assert message.to == []
    assert "Please review me" in message.body
    assert "aisha@example.org" not in message.body
    assert "aisha@example.org" not in message.alternatives[0].content
    comment = Comment.objects.get()
    assert f"/admin/comments/inspect/{comment.pk}/" in message.body


def test_held_comment_emails_reach_moderators_and_superusers_never_editors(
    client, post, moderator, django_user_model
):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user(
        "ed", email="editor@example.org", password="pw-for-tests-1"
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    django_user_model.objects.create_superuser(
        "boss", email="superuser@example.org", password="pw-for-tests-1"
    )
    client.post(post_url(post), comment_data(text="Please review me"))
    [message] = mail.outbox
    assert sorted(message.bcc) == ["moderator@example.org", "superuser@example.org"]
    assert "editor@example.org" not in message.bcc + message.to + message.cc


def test_notification_logs_hold_no_personal_data(client, post, moderator, caplog):
    caplog.set_level("DEBUG")
    client.post(post_url(post), comment_data(text="Distinctive words here"))
    assert mail.outbox
    for value in ("aisha@example.org", "Aisha Example", "Distinctive words"):
        assert value not in caplog.text
    assert Comment.objects.get().visitor_hash not in caplog.text


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_corpus_is_inert_in_notification_emails(client, post, moderator, payload):
    client.post(post_url(post), comment_data(name=payload[:80], text=payload))
    [message] = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    body = html.split("<body>", 1)[1]
    review = f"http://testserver/admin/comments/inspect/{Comment.objects.get().pk}/"
    assert_inert(
        body, allowed=("p", "dl", "dt", "dd", "blockquote", "br", "a"), own_links=(review,)
    )


# ---------- Reporting ----------


def test_report_button_and_auto_hide(post, comment_settings, moderator):
    comment_settings.reports_to_hide = 2
    comment_settings.save()
    comment = make_comment(post, text="a reported comment")
    first = Client(REMOTE_ADDR="10.2.0.1")
    html = first.get(post.url).content.decode()
    assert f'action="/comments/{comment.pk}/report/"' in html
    assert f'for="report-reason-{comment.pk}"' in html

    response = first.post(f"/comments/{comment.pk}/report/", {"reason": "Abusive"})
    assert response.status_code == 302
    assert "comment=reported" in response["Location"]
    # The same reader reporting again is not counted twice.
    first.post(f"/comments/{comment.pk}/report/", {"reason": "Abusive"})
    comment.refresh_from_db()
    assert comment.status == moderation.APPROVED
    assert CommentReport.objects.count() == 1

    Client(REMOTE_ADDR="10.2.0.2").post(f"/comments/{comment.pk}/report/", {})
    comment.refresh_from_db()
    assert comment.status == moderation.REPORTED
    assert comment.reasons == ["Hidden after 2 reports"]
    assert "a reported comment" not in first.get(post.url).content.decode()
    assert len(mail.outbox) == 1


def test_reports_are_rate_limited_and_validated(client, post):
    comments = [make_comment(post, text=f"c{n}") for n in range(12)]
    assert (
        client.post(f"/comments/{comments[0].pk}/report/", {"reason": "x" * 301}).status_code == 400
    )
    statuses = [client.post(f"/comments/{c.pk}/report/", {}).status_code for c in comments[1:]]
    # The refused (too long) report above did not use up one of the ten an hour.
    assert statuses == [302] * 10 + [429]


def test_only_approved_comments_can_be_reported(client, post):
    pending = make_comment(post, status=moderation.PENDING)
    assert client.post(f"/comments/{pending.pk}/report/", {}).status_code == 404
    assert client.get(f"/comments/{pending.pk}/report/").status_code == 405


# ---------- Closing ----------


def test_switch_closes_comments_on_one_post(client, post):
    CommentThread.objects.create(page=post, closed=True)
    html = page_html(client, post)
    assert "Comments are closed on this post." in html
    assert 'id="comment-form"' not in html
    assert client.post(post_url(post), comment_data()).status_code == 403
    assert not Comment.objects.exists()


def test_comments_close_after_n_days(client, post, comment_settings):
    comment_settings.close_after_days = 30
    comment_settings.save()
    assert 'id="comment-form"' in page_html(client, post)
    post.first_published_at = timezone.now() - timedelta(days=31)
    post.save(update_fields=["first_published_at"])
    assert "Comments are closed on this post." in page_html(client, post)
    assert client.post(post_url(post), comment_data()).status_code == 403


# ---------- Counts and queries ----------


def test_counts_include_approved_comments_only(client, post, blog_index):
    from blog.models import BlogPage

    make_comment(post, text="ok 1")
    make_comment(post, text="ok 2")
    make_comment(post, status=moderation.PENDING, text="p")
    make_comment(post, status=moderation.SPAM, text="s")
    rejected = make_comment(post, text="to reject")
    rejected.status = moderation.REJECTED
    rejected.save()
    assert BlogPage.objects.get(pk=post.pk).comment_count == 2
    assert "2 comments" in page_html(client, post)
    assert "2 comments" in client.get(blog_index.url).content.decode()
    Comment.objects.filter(text="ok 1").delete()
    assert BlogPage.objects.get(pk=post.pk).comment_count == 1


def test_counts_survive_publishing_the_post(post):
    from blog.models import BlogPage

    make_comment(post)
    stale = BlogPage.objects.get(pk=post.pk)
    make_comment(post, text="second")
    stale.save_revision().publish()
    assert BlogPage.objects.get(pk=post.pk).comment_count == 2


def _queries_for_post(client, post):
    client.get(post.url)  # warm caches that every page fills once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(post.url)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_comments(client, blog_index):
    from blog.factories import make_post

    small = make_post(blog_index, title="Small")
    big = make_post(blog_index, title="Big")
    for n in range(2):
        make_comment(small, text=f"small {n}")
    parents = [make_comment(big, text=f"big {n}") for n in range(100)]
    for n, parent in enumerate(parents):
        make_comment(big, text=f"reply {n}", parent=parent)
    assert Comment.objects.filter(page_id=big.pk).count() == 200
    assert _queries_for_post(client, small) == _queries_for_post(client, big)
