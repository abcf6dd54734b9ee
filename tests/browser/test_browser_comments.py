"""Chromium: a reader comments, a moderator approves it from the queue with one key press,
the reader sees it."""

import pytest

from tests.blog.comments.test_comments_support import ensure_base_rows
from tests.conftest import assert_no_axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-test-password-1"
COMMENT = "Thank you for organising these roundtables.\nWill there be one in Leeds?"


@pytest.fixture
def blog_post():
    from blog.factories import BlogIndexPageFactory, make_post

    home_page = ensure_base_rows()
    return make_post(BlogIndexPageFactory(parent=home_page), title="Roundtables announced")


@pytest.fixture
def moderator(blog_post, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "moderator", email="moderator@example.org", password=PASSWORD
    )
    user.groups.add(Group.objects.get(name="Comment moderators"))
    return user


@pytest.fixture
def flagged_comment(blog_post):
    from blog.comments import moderation
    from tests.blog.comments.test_comments_support import make_comment

    return make_comment(
        blog_post,
        status=moderation.PENDING,
        name="Held Sender",
        text="Held for a word on the suspect list",
        reasons=["Suspect words: traitor"],
    )


def test_reader_comments_moderator_approves_reader_sees_it(
    live_server, blog_post, moderator, flagged_comment, browser, settings
):
    settings.LMN_MIN_FORM_FILL_SECONDS = 1
    reader = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = reader.new_page()
        post_url = f"{live_server.url}{blog_post.url}"
        tab.goto(post_url)
        form = tab.locator("#comment-form")
        form.get_by_label("Your name").fill("Aisha Example")
        form.get_by_label("Your email address").fill("aisha@example.org")
        form.get_by_label("Your comment").fill(COMMENT)
        consent = form.locator("input[name=consent]")  # the mailing-list box is separate
        assert not consent.is_checked()
        assert not form.locator("input[name=mailing_list]").is_checked()
        consent.check()
        tab.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
        form.get_by_role("button", name="Send comment").click()
        tab.wait_for_url("**?comment=received#comment-status")
        assert (
            "Thanks — your comment is awaiting moderation"
            in tab.locator("#comment-status").inner_text()
        )
        assert tab.locator(".comment").count() == 0
        assert_no_axe_violations(tab)

        admin = staff.new_page()
        admin.goto(f"{live_server.url}/admin/login/")
        admin.get_by_label("Username").fill("moderator")
        admin.get_by_label("Password").fill(PASSWORD)
        admin.get_by_role("button", name="Sign in").click()
        admin.wait_for_url(f"{live_server.url}/admin/")
        queue_url = f"{live_server.url}/admin/comments/?status=pending"
        admin.goto(queue_url)
        assert_no_axe_violations(admin)

        # Only flagged text is blurred, until the moderator chooses otherwise (from the
        # keyboard too); Aisha's comment was held only because every comment is reviewed.
        toggle = admin.locator("[data-comments-blur-toggle]")
        assert toggle.get_attribute("aria-pressed") == "true"
        flagged_box = admin.locator(".lmn-comment-text--flagged").first
        assert "blur" in flagged_box.evaluate("el => getComputedStyle(el).filter")
        plain_box = admin.locator(".lmn-comment-text", has_text="Leeds")
        assert plain_box.evaluate("el => getComputedStyle(el).filter") == "none"
        toggle.focus()
        admin.keyboard.press("Enter")
        assert toggle.get_attribute("aria-pressed") == "false"
        assert flagged_box.evaluate("el => getComputedStyle(el).filter") == "none"

        # One click on the row's Approve button, from the keyboard alone: Tab to it
        # (it shows where the focus is), then Enter.
        row = admin.locator("tr", has_text="Aisha Example")
        approve = row.get_by_role("button", name="Approve", exact=True)
        for _press in range(120):
            admin.keyboard.press("Tab")
            if approve.evaluate("el => el === document.activeElement"):
                break
        else:
            raise AssertionError("the Approve button cannot be reached with the Tab key")
        focus_ring = approve.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
        )
        assert focus_ring[0] != "none" or focus_ring[2] != "none", focus_ring
        with admin.expect_navigation():
            admin.keyboard.press("Enter")
        assert admin.url == queue_url  # back on the same queue, filter kept
        assert "marked as approved" in admin.locator(".messages").inner_text()
        assert admin.locator("tr", has_text="Aisha Example").count() == 0
        assert admin.locator("tr", has_text="Suspect words").count() == 1
        # Wagtail fades its messages in: check the colours once the fade has finished.
        admin.wait_for_function(
            "() => { const list = document.querySelector('.messages > ul');"
            " return list && getComputedStyle(list).opacity === '1'; }"
        )
        admin.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
        assert_no_axe_violations(admin)

        # Bulk actions stay: tick the held comment with the Space key, then mark it as spam.
        admin.locator("tr", has_text="Held Sender").locator("[data-bulk-action-checkbox]").focus()
        admin.keyboard.press("Space")
        spam = admin.get_by_role("link", name="Mark selected comments as spam")
        spam.wait_for(state="visible")
        with admin.expect_navigation():
            spam.click()
        admin.get_by_role("button", name="Yes, mark as spam").click()
        admin.wait_for_url(queue_url)
        assert "1 comment marked as spam." in admin.locator(".messages").inner_text()
        flagged_comment.refresh_from_db()
        assert flagged_comment.status == "spam"

        tab.goto(post_url)
        comment = tab.locator(".comment")
        assert comment.count() == 1
        assert "Aisha Example" in comment.inner_text()
        # The line break survives as a <br>, and the email is nowhere in the page.
        assert comment.locator(".comment__text br").count() == 1
        assert "aisha@example.org" not in tab.content()
        assert "1 comment" in tab.content()
        assert_no_axe_violations(tab)
    finally:
        reader.close()
        staff.close()
