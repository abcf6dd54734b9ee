"""Fixtures shared by the editors' tests (dashboard, workflow, previews): people in
each role and a small site. No tests here."""

import pytest

PASSWORD = "a-long-test-password-1"


def make_user(django_user_model, username, *groups, **fields):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username, email=f"{username}@example.org", password=PASSWORD, **fields
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def fresh(user):
    """The same account without cached permissions, as a new request would see it."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def blog_index(home_page):
    from blog.factories import BlogIndexPageFactory
    from blog.workflow import assign_to_blog_index

    index = BlogIndexPageFactory(parent=home_page)
    assign_to_blog_index(index)
    return index


@pytest.fixture
def event_index(home_page):
    from events.factories import create_event_index

    return create_event_index(home_page)


@pytest.fixture
def contributor(django_user_model, blog_index):
    return make_user(django_user_model, "contributor", "Contributors")


@pytest.fixture
def editor(django_user_model, blog_index):
    return make_user(django_user_model, "editor", "Editors")


@pytest.fixture
def moderator(django_user_model):
    return make_user(django_user_model, "moderator", "Comment moderators")


@pytest.fixture
def organiser(django_user_model):
    return make_user(django_user_model, "organiser", "Event organisers")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        "admin", email="admin@example.org", password=PASSWORD
    )


def register_people(event, confirmed=0, waiting=0):
    """Registrations made directly (the registration rules are the events tests' job)."""
    from django.utils import timezone

    from events.models import EventRegistration, registration_consent

    consent = registration_consent()
    rows = []
    for status, how_many in [
        (EventRegistration.CONFIRMED, confirmed),
        (EventRegistration.WAITING, waiting),
    ]:
        for n in range(how_many):
            rows.append(
                EventRegistration(
                    page=event,
                    form_data={},
                    status=status,
                    position=n + 1 if status == EventRegistration.WAITING else None,
                    name=f"Person {status} {n}",
                    email=f"{status}{n}@example.org",
                    consent=consent,
                    consented_at=timezone.now(),
                )
            )
    EventRegistration.objects.bulk_create(rows)
