"""Who can open each admin URL that shows personal data, for every role.

Registrations (names, emails, answers): superusers and Event organisers only.
Commenters' emails: Comment moderators and superusers only. A person's subject
access download: superusers only. Denied means a redirect to the login page or
dashboard, or a 403, and never the data itself.
"""

import pytest

from tests.home.privacy import test_privacy_support as support
from tests.home.privacy.test_privacy_support import PERSON, ROLES, client_for

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index
blog_index = support.blog_index
post = support.post
people = support.people
registration = support.registration
comment = support.comment

REGISTRATION_READERS = {"organiser", "superuser"}
COMMENT_READERS = {"moderator", "superuser"}


def denied(response):
    if response.status_code == 403:
        return True
    return response.status_code == 302 and (
        response["Location"].startswith("/admin/login/") or response["Location"] == "/admin/"
    )


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def registration_urls(registration):
    event_id = registration.page_id
    listing = f"/admin/forms/submissions/{event_id}/"
    return {
        "list": (listing, PERSON["email"]),
        "csv": (listing + "?export=csv", PERSON["email"]),
        "csv with sensitive answers": (listing + "?export=csv&sensitive=1", PERSON["access"]),
        "xlsx": (listing + "?export=xlsx", None),
        "xlsx with sensitive answers": (listing + "?export=xlsx&sensitive=1", None),
        "delete": (
            f"/admin/forms/submissions/{event_id}/delete/?selected-submissions={registration.pk}",
            None,
        ),
        "cancel": (f"/admin/events/registrations/{registration.pk}/cancel/", PERSON["email"]),
        "promote": (f"/admin/events/registrations/{registration.pk}/promote/", PERSON["email"]),
        "organisers' index": ("/admin/events/registrations/", None),
    }


def comment_urls(comment):
    base = "/admin/comments/"
    return {
        "review page": (f"{base}inspect/{comment.pk}/", PERSON["email"]),
        "queue": (base, PERSON["name"]),
        "queue search": (f"{base}?q=distinctive", PERSON["name"]),
        "history": (f"{base}history/{comment.pk}/", None),
        "delete": (f"{base}delete/{comment.pk}/", None),
        "queue results": (f"{base}results/?q=distinctive", PERSON["name"]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_registration_urls_per_role(client, people, registration, role):
    client = client_for(client, people, role)
    for name, (url, marker) in registration_urls(registration).items():
        response = client.get(url)
        content = body(response)
        if role in REGISTRATION_READERS:
            assert response.status_code == 200, (name, response.status_code)
            if marker:
                assert marker.encode() in content, name
        else:
            assert denied(response), (name, response.status_code)
            assert PERSON["email"].encode() not in content, name
            assert PERSON["access"].encode() not in content, name


@pytest.mark.parametrize("role", ROLES)
def test_registration_actions_per_role(client, people, registration, role):
    client = client_for(client, people, role)
    response = client.post(f"/admin/events/registrations/{registration.pk}/cancel/")
    registration.refresh_from_db()
    if role in REGISTRATION_READERS:
        assert response.status_code == 302 and registration.status == "cancelled"
    else:
        assert denied(response) and registration.status == "confirmed"


@pytest.mark.parametrize("role", ROLES)
def test_forms_listing_offers_events_only_to_organisers_and_superusers(
    client, people, registration, role
):
    client = client_for(client, people, role)
    response = client.get("/admin/forms/")
    listing = f"/admin/forms/submissions/{registration.page_id}/".encode()
    if role == "anonymous":
        assert denied(response)
    elif role == "superuser":
        assert listing in response.content
    else:
        # Organisers without page rights start from "Event registrations" instead.
        assert response.status_code in (200, 302, 403) and listing not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_comment_urls_per_role(client, people, comment, role):
    client = client_for(client, people, role)
    for name, (url, marker) in comment_urls(comment).items():
        response = client.get(url)
        if role in COMMENT_READERS:
            assert response.status_code == 200, (name, response.status_code)
            if marker:
                assert marker.encode() in response.content, name
        else:
            assert denied(response), (name, response.status_code)
            assert PERSON["email"].encode() not in response.content, name
            assert PERSON["comment"].encode() not in response.content, name


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_never_shows_commenters_to_others(client, people, comment, role):
    client = client_for(client, people, role)
    response = client.get("/admin/")
    if role == "anonymous":
        assert denied(response)
        return
    assert response.status_code == 200
    assert PERSON["email"].encode() not in response.content
    if role not in COMMENT_READERS:
        assert PERSON["name"].encode() not in response.content
        assert PERSON["comment"].encode() not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_report_never_names_commenters_to_others(client, people, comment, role):
    from blog.comments import services

    services.decide([comment], "approved", people["superuser"])
    client = client_for(client, people, role)
    response = client.get("/admin/reports/site-history/")
    if role == "anonymous":
        assert denied(response)
        return
    assert PERSON["email"].encode() not in response.content
    if role not in COMMENT_READERS:
        assert PERSON["name"].encode() not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_subject_access_download_is_for_superusers_only(
    client, people, registration, comment, role
):
    client = client_for(client, people, role)
    url = "/admin/privacy/subject-access/"
    page = client.get(url)
    download = client.post(url, {"email": PERSON["email"]})
    if role == "superuser":
        assert page.status_code == 200
        assert download.status_code == 200
        assert PERSON["access"].encode() in download.content
    else:
        assert denied(page) and denied(download)
        assert PERSON["email"].encode() not in download.content


@pytest.mark.parametrize("role", ROLES)
def test_settings_menu_offers_personal_data_requests_only_to_superusers(client, people, role):
    if role == "anonymous":
        return
    client = client_for(client, people, role)
    html = client.get("/admin/").content.decode()
    assert ("/admin/privacy/subject-access/" in html) == (role == "superuser")
