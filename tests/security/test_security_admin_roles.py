"""Every admin URL of the site's own features, walked as each role.

One table says who may open what: anonymous visitors are sent to sign in, and
signed-in staff without the right are refused (403, 404, or Wagtail's redirect to
the dashboard), never shown the page. Personal-data URLs are also covered in detail
by test_privacy_*; this walk is the one place where the whole matrix is visible.
"""

import io

from django.contrib.auth.models import Group
from django.core import mail

from wagtail.contrib.forms.models import FormSubmission

import pytest

from blog.comments.models import Comment, CommentSettings
from events.models import EventRegistration
from home.demo.content import load_home_content
from home.models import ConsentText, FormPage, SiteSettings
from tests.blog.comments import test_comments_support as comments_support
from tests.blog.comments.test_comments_support import make_comment
from tests.events import test_events_support as events_support
from tests.events.test_events_support import register
from tests.report_factories import make_plan, make_report

pytestmark = pytest.mark.django_db

blog_index = comments_support.blog_index
post = comments_support.post
event_index = events_support.event_index
event = events_support.event

ROLES = ["anonymous", "editor", "moderator", "organiser", "superuser"]
GROUPS = {"editor": "Editors", "moderator": "Comment moderators", "organiser": "Event organisers"}

# Who may open a URL, one letter per role: Editors, Comment Moderators, Event
# Organisers, Superusers ("-" for a role that may not).
ROLE_LETTERS = {"editor": "E", "moderator": "M", "organiser": "O", "superuser": "S"}


@pytest.fixture
def site_objects(client, home_page, post, event):
    """One of everything the admin URLs point at."""
    load_home_content(home_page, io.StringIO())
    contact = FormPage.objects.get(slug="contact")
    FormSubmission.objects.create(page=contact, form_data={"your_name": "Someone"})
    comment = make_comment(post, status="pending")
    register(client, event, email="amina@example.org")
    registration = EventRegistration.objects.get()
    report = make_report(home_page, slug="report-walk")
    plan = make_plan(report, ["not_started"])
    consent = ConsentText.objects.first()
    mail.outbox.clear()
    return {
        "post": post,
        "event": event,
        "contact": contact,
        "comment": comment,
        "registration": registration,
        "plan": plan,
        "consent": consent,
    }


@pytest.fixture
def people(django_user_model):
    users = {"anonymous": None}
    for role in ROLES[1:]:
        user = django_user_model.objects.create_user(
            username=f"walk-{role}", email=f"{role}@staff.example.org", password="walk-pass-123"
        )
        if role == "superuser":
            user.is_superuser = user.is_staff = True
            user.save()
        else:
            user.groups.add(Group.objects.get(name=GROUPS[role]))
        users[role] = user
    return users


def walk_table(o, people):
    """(url, who may open it) for every admin URL of the site's own features."""
    post, event, contact = o["post"].pk, o["event"].pk, o["contact"].pk
    return [
        # Signing in and the dashboard: every staff role.
        ("/admin/", "EMOS"),
        # Comments: queue, one comment, the thread switch on a post.
        (
            "/admin/comments/",
            "-M-S",
        ),
        (
            f"/admin/comments/inspect/{o['comment'].pk}/",
            "-M-S",
        ),
        (
            f"/admin/comment-moderation/post/{post}/",
            "EM-S",
        ),
        # Event registrations: index, the list and its exports, one registration's actions.
        (
            "/admin/events/registrations/",
            "--OS",
        ),
        (
            f"/admin/forms/submissions/{event}/",
            "--OS",
        ),
        (
            f"/admin/forms/submissions/{event}/?export=csv",
            "--OS",
        ),
        (
            f"/admin/forms/submissions/{event}/?export=xlsx",
            "--OS",
        ),
        (
            f"/admin/events/registrations/{o['registration'].pk}/cancel/",
            "--OS",
        ),
        # Contact-form messages: Enquiry handlers and superusers only (an Editor edits
        # the contact page but never reads what people send through it).
        (
            f"/admin/forms/submissions/{contact}/",
            "---S",
        ),
        # Pages: editing a post (with its Views tab) and an event.
        (f"/admin/pages/{post}/edit/", "E--S"),
        (f"/admin/pages/{event}/edit/", "E--S"),
        # Action plan quick status view.
        (
            f"/admin/action-plan/{o['plan'].pk}/statuses/",
            "E--S",
        ),
        # Consent wording: superusers only, add and inspect.
        (
            "/admin/snippets/home/consenttext/",
            "---S",
        ),
        (
            f"/admin/snippets/home/consenttext/inspect/{o['consent'].pk}/",
            "---S",
        ),
        # Personal-data requests, settings, users: superusers only.
        (
            "/admin/privacy/subject-access/",
            "---S",
        ),
        (
            f"/admin/settings/home/sitesettings/{SiteSettings.load().pk}/",
            "---S",
        ),
        (
            f"/admin/settings/comments/commentsettings/{CommentSettings.load().pk}/",
            "---S",
        ),
        ("/admin/users/", "---S"),
        ("/admin/groups/", "---S"),
        # Sign-in lockout records and 2FA devices of someone else.
        (
            "/django-admin/axes/accessattempt/",
            "---S",
        ),
        (
            f"/admin/2fa/devices/{people['superuser'].pk}",
            "---S",
        ),
        # Images and documents.
        ("/admin/images/", "E--S"),
        ("/admin/documents/", "E--S"),
    ]


def outcome(response):
    """'allowed', 'login' (sent to sign in) or 'denied'."""
    if response.status_code == 200:
        return "allowed"
    location = response.get("Location", "")
    if response.status_code == 302 and "login" in location:
        return "login"
    if response.status_code in (302, 403, 404):
        return "denied"
    return f"unexpected {response.status_code}"


def test_every_admin_url_as_every_role(client, site_objects, people):
    table = walk_table(site_objects, people)
    wrong = []
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        for url, allowed in table:
            got = outcome(client.get(url))
            if role == "anonymous":
                expected = "login"
            else:
                expected = "allowed" if ROLE_LETTERS[role] in allowed else "denied"
                # The Django admin sends staff it does not know to its own sign-in.
                got = "denied" if got == "login" else got
            if got != expected:
                wrong.append(f"{role} {url}: expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_refused_pages_show_no_personal_data(client, site_objects, people):
    # A refusal must not carry the data in its body (e.g. a 403 page or a redirect
    # that still rendered the list).
    for role in ("editor", "moderator"):
        client.force_login(people[role])
        for url in (
            f"/admin/forms/submissions/{site_objects['event'].pk}/?export=csv",
            "/admin/events/registrations/",
        ):
            assert b"amina@example.org" not in client.get(url).content
    client.force_login(people["organiser"])
    assert b"reader@example.org" not in client.get("/admin/comments/").content


def test_state_changing_admin_actions_are_refused_to_the_wrong_roles(client, site_objects, people):
    comment, registration = site_objects["comment"], site_objects["registration"]
    for role in ("editor", "organiser"):
        client.force_login(people[role])
        response = client.post(f"/admin/comments/decide/{comment.pk}/", {"status": "approved"})
        assert outcome(response) == "denied", role
    comment.refresh_from_db()
    assert comment.status == "pending"
    status_before = registration.status
    for role in ("editor", "moderator"):
        client.force_login(people[role])
        for action in ("cancel", "promote"):
            response = client.post(f"/admin/events/registrations/{registration.pk}/{action}/")
            assert outcome(response) == "denied", (role, action)
    registration.refresh_from_db()
    assert registration.status == status_before
    assert Comment.objects.filter(pk=comment.pk).exists()
