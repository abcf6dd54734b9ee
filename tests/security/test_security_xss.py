"""The XSS corpus through fields shown elsewhere than the comment thread (whose own
tests cover it): site search, contact-form submissions in the admin and their
notification email, event registrations in the organisers' admin and the emails,
comments in the moderators' admin. Everything must come out inert."""

import io

from django.core import mail

from wagtail.contrib.forms.models import FormSubmission

import pytest

from blog.comments.models import Comment
from events.models import EventRegistration
from home.demo.content import load_home_content
from home.models import FormPage
from tests.blog.comments import test_comments_support as comments_support
from tests.blog.comments.test_comments_support import comment_data, make_comment, post_url
from tests.events import test_events_support as events_support
from tests.events.test_events_support import register
from tests.security_payloads import XSS_PAYLOADS, assert_no_live_markup
from tests.utils import human_form_fields

pytestmark = pytest.mark.django_db

blog_index = comments_support.blog_index
post = comments_support.post
event_index = events_support.event_index
event = events_support.event

PAYLOAD = " ".join(XSS_PAYLOADS)


def html_parts(message):
    return [body for body, mimetype in getattr(message, "alternatives", []) if "html" in mimetype]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_search_reflects_the_query_inert(client, home_page, payload):
    html = client.get("/search/", {"query": payload}).content.decode()
    assert_no_live_markup(html)


def test_contact_submission_is_inert_in_the_admin_and_the_email(admin_client, home_page):
    load_home_content(home_page, io.StringIO())
    contact = FormPage.objects.get(slug="contact")
    contact.to_address = "office@example.org"
    contact.save_revision().publish()
    mail.outbox.clear()
    data = {
        "your_name": PAYLOAD[:200],
        "email_address": "amina@example.org",
        "what_is_your_message_about": "A general question",
        "your_message": PAYLOAD,
        **human_form_fields(),
    }
    assert admin_client.post(contact.url, data).status_code == 200
    assert FormSubmission.objects.filter(page=contact).exists()
    listing = admin_client.get(f"/admin/forms/submissions/{contact.pk}/").content.decode()
    assert "xss-" in listing  # the data is there, as text
    assert_no_live_markup(listing)
    for message in mail.outbox:
        for part in html_parts(message):
            assert_no_live_markup(part)


def test_registration_is_inert_for_organisers_and_in_emails(client, admin_client, event):
    mail.outbox.clear()
    response = register(
        client,
        event,
        name=XSS_PAYLOADS[0][:150],
        email="amina@example.org",
        constituency_labour_party=XSS_PAYLOADS[1],
        access_requirements=PAYLOAD[:1000],
    )
    assert response.status_code == 200
    assert EventRegistration.objects.filter(email="amina@example.org").exists()
    for url in (f"/admin/forms/submissions/{event.pk}/", "/admin/events/registrations/"):
        html = admin_client.get(url).content.decode()
        assert_no_live_markup(html)
    assert mail.outbox
    for message in mail.outbox:
        for part in html_parts(message):
            assert_no_live_markup(part)


def test_comments_are_inert_in_the_moderators_admin(client, admin_client, post):
    mail.outbox.clear()
    client.post(post_url(post), comment_data(name=XSS_PAYLOADS[3][:80], text=PAYLOAD[:2900]))
    stored = make_comment(post, status="pending", name=XSS_PAYLOADS[2][:80], text=PAYLOAD[:2900])
    assert Comment.objects.count() >= 1
    for url in (
        "/admin/comments/",
        f"/admin/comments/inspect/{stored.pk}/",
        "/admin/",
    ):
        html = admin_client.get(url).content.decode()
        assert_no_live_markup(html)
    for message in mail.outbox:
        for part in html_parts(message):
            assert_no_live_markup(part)
