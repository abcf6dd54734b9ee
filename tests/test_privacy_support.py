"""Fixtures shared by the privacy tests: one person's registration and comment, and a
user for each admin role (imported by tests/test_privacy_*.py)."""

from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

import pytest

from blog.comments import moderation
from blog.comments.models import Comment
from home.models import ConsentText
from home.privacy.consent import current_consent
from tests import test_comments_support as comments_support
from tests import test_events_support as events_support
from tests.test_events_support import register

event = events_support.event
event_index = events_support.event_index
blog_index = comments_support.blog_index
post = comments_support.post

PERSON = {
    "name": "Amina Testperson",
    "email": "amina.testperson@example.org",
    "clp": "Testshire North CLP",
    "access": "Needs a hearing loop",
    "comment": "A distinctive comment about the roundtables",
}
OTHER = {"name": "Bilal Otherperson", "email": "bilal.otherperson@example.org"}

ROLES = ["anonymous", "editor", "moderator", "organiser", "superuser"]
GROUPS = {"editor": "Editors", "moderator": "Comment moderators", "organiser": "Event organisers"}


@pytest.fixture
def people(django_user_model):
    """A user for each role (None for anonymous). Editors have Wagtail's page edit rights."""
    users = {"anonymous": None}
    for role in ROLES[1:]:
        user = django_user_model.objects.create_user(
            username=role, email=f"{role}@staff.example.org", password="pw-for-tests-1"
        )
        if role == "superuser":
            user.is_superuser = user.is_staff = True
            user.save()
        else:
            user.groups.add(Group.objects.get(name=GROUPS[role]))
        users[role] = user
    return users


def client_for(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


@pytest.fixture
def registration(client, event):
    """The person's confirmed registration (a sensitive answer included), made through
    the public form."""
    response = register(
        client,
        event,
        name=PERSON["name"],
        email=PERSON["email"],
        constituency_labour_party=PERSON["clp"],
        access_requirements=PERSON["access"],
    )
    assert response.status_code == 200
    mail.outbox.clear()
    return event.eventregistration_set.get(email=PERSON["email"])


@pytest.fixture
def comment(post):
    """The person's comment, waiting for moderation, with its consent record."""
    return Comment.objects.create(
        page_id=post.pk,
        name=PERSON["name"],
        email=PERSON["email"],
        text=PERSON["comment"],
        fingerprint=moderation.fingerprint(PERSON["comment"]),
        status=moderation.PENDING,
        consent=current_consent(ConsentText.COMMENT),
        consent_given_at=timezone.now(),
    )


def test_support_builds_a_registration_and_a_comment(registration, comment, people):
    assert registration.name == PERSON["name"] and comment.email == PERSON["email"]
    assert set(people) == set(ROLES)
