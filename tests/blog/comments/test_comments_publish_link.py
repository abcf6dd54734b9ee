"""Automatic approval trusts an inbox, not a typed email address: a regular
commenter's new comment is published only from a link emailed to that address,
and the page after posting is the same whoever sent it."""

import re
import time

from django.core import mail, signing
from django.test import Client

import pytest

from blog.comments import moderation, services
from blog.comments.models import Comment
from tests.blog.comments import test_comments_support as support
from tests.blog.comments.test_comments_support import comment_data, make_comment, post_url

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
post = support.post
comment_settings = support.comment_settings

REGULAR = "aisha@example.org"


@pytest.fixture
def auto_mode(comment_settings, post):
    comment_settings.moderation_mode = moderation.AUTO_APPROVE_KNOWN
    comment_settings.auto_approve_after = 2
    comment_settings.save()
    make_comment(post, email=REGULAR, text="old 1")
    make_comment(post, email="Aisha@Example.org", text="old 2")
    return comment_settings


@pytest.fixture
def moderator(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "mod", email="moderator@example.org", password="pw-for-tests-1"
    )
    user.groups.add(Group.objects.get(name="Comment moderators"))
    return user


def publish_path(message):
    match = re.search(r"http://[^/\s]+(/comments/publish/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_regulars_comment_is_held_and_a_link_goes_to_the_address(
    client, post, auto_mode, moderator
):
    response = client.post(post_url(post), comment_data(text="third comment"))
    assert response.status_code == 302
    assert response["Location"] == f"{post.url}?comment=received#comment-status"
    comment = Comment.objects.get(text="third comment")
    assert comment.status == moderation.PENDING
    assert "third comment" not in client.get(post.url).content.decode()
    [message] = mail.outbox
    assert message.to == [REGULAR]
    assert "third comment" in message.body
    assert publish_path(message) in message.alternatives[0].content


def test_the_answer_to_posting_is_the_same_for_a_newcomer_and_a_regular(post, auto_mode, moderator):
    answers = []
    for n, email in enumerate(["newcomer@example.org", REGULAR]):
        client = Client(REMOTE_ADDR=f"10.7.0.{n + 1}")
        response = client.post(post_url(post), comment_data(email=email, text=f"hello {n}"))
        page = client.get(response["Location"])
        notice = re.search(r'id="comment-status".*?</div>', page.content.decode(), re.S)
        answers.append((response.status_code, response["Location"], page.status_code, notice[0]))
    assert answers[0] == answers[1]
    statuses = Comment.objects.filter(text__startswith="hello").values_list("status", flat=True)
    assert set(statuses) == {moderation.PENDING}
    # Only the regular's inbox was offered a link; the newcomer's waits for a moderator.
    assert [m.to for m in mail.outbox if m.to] == [[REGULAR]]


def test_someone_typing_a_regulars_address_publishes_nothing(post, auto_mode, moderator):
    impostor = Client(REMOTE_ADDR="10.8.0.1")
    response = impostor.post(post_url(post), comment_data(name="Not Aisha", text="fake words"))
    assert response.status_code == 302
    assert Comment.objects.get(text="fake words").status == moderation.PENDING
    # The only link went to the inbox of the address typed, never to the sender.
    assert [m.to for m in mail.outbox] == [[REGULAR]]
    assert "fake words" not in impostor.get(post.url).content.decode()


def test_opening_the_link_changes_nothing_and_pressing_publish_publishes(
    client, post, auto_mode, moderator
):
    from wagtail.models import ModelLogEntry

    client.post(post_url(post), comment_data(text="my new comment"))
    path = publish_path(mail.outbox[0])
    reader = Client()
    page = reader.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Publish your comment?</h1>" in html
    assert "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex"
    comment = Comment.objects.get(text="my new comment")
    assert comment.status == moderation.PENDING

    done = reader.post(path)
    assert done.status_code == 200
    assert "Your comment is published" in done.content.decode()
    comment.refresh_from_db()
    assert comment.status == moderation.APPROVED
    assert comment.decided_at is not None
    assert comment.decided_by is None
    assert "my new comment" in client.get(post.url).content.decode()
    entry = ModelLogEntry.objects.get(object_id=str(comment.pk), action="comments.approve")
    assert entry.user is None


def test_a_link_used_again_or_after_a_moderators_decision_changes_nothing(
    client, post, auto_mode, moderator
):
    client.post(post_url(post), comment_data(text="first"))
    client.post(post_url(post), comment_data(text="second"))
    first_path, second_path = (publish_path(m) for m in mail.outbox)
    assert Client().post(first_path).status_code == 200
    again = Client().post(first_path)
    assert "Your comment is published" in again.content.decode()

    second = Comment.objects.get(text="second")
    services.decide([second], moderation.REJECTED, moderator)
    refused = Client().post(second_path)
    assert refused.status_code == 200
    assert "A moderator has already reviewed this comment" in refused.content.decode()
    second.refresh_from_db()
    assert second.status == moderation.REJECTED


def test_forged_broken_and_expired_links_get_a_404_page(client, post, auto_mode, moderator):
    client.post(post_url(post), comment_data(text="waiting"))
    comment = Comment.objects.get(text="waiting")
    good = publish_path(mail.outbox[0])
    forged = signing.Signer(salt="some other purpose").sign(str(comment.pk))
    old = int(time.time()) - int(moderation.PUBLISH_LINK_MAX_AGE.total_seconds()) - 60
    expired = signing.Signer(salt=moderation.PUBLISH_SALT).sign(
        f"{comment.pk}:{signing.b62_encode(old)}"
    )
    for path in (good[:-6] + "/", f"/comments/publish/{forged}/", f"/comments/publish/{expired}/"):
        for method in (Client().get, Client().post):
            response = method(path)
            assert response.status_code == 404, path
            assert "This link does not work" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == moderation.PENDING


def test_publish_links_to_one_address_are_capped_then_moderators_are_told(
    post, auto_mode, moderator
):
    # Straight to the service: the per-address comment limit (5 an hour) would
    # otherwise stop the form before the daily cap on links is reached.
    rules = auto_mode.rules()
    for n in range(services.PUBLISH_LINKS_PER_DAY + 2):
        cleaned = {"name": "Aisha", "email": REGULAR, "text": f"try {n}", "parent": None}
        comment, decision = services.submit(post, cleaned, f"visitor-{n}", rules)
        assert comment.status == moderation.PENDING
    to_regular = [m for m in mail.outbox if m.to == [REGULAR]]
    to_moderators = [m for m in mail.outbox if m.bcc == ["moderator@example.org"]]
    assert len(to_regular) == services.PUBLISH_LINKS_PER_DAY
    assert len(to_moderators) == 2


def test_an_erased_comments_link_says_there_is_nothing_to_publish(
    client, post, auto_mode, moderator
):
    from blog.comments import privacy

    client.post(post_url(post), comment_data(text="soon erased"))
    path = publish_path(mail.outbox[0])
    privacy.erase(REGULAR)
    response = Client().post(path)
    assert response.status_code == 200
    assert "no longer held" in response.content.decode()
