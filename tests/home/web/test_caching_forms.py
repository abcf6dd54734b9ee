"""Forms on cached pages: a page rendered for one visitor, and kept by the front
cache (nginx or a CDN), still takes a genuine submission from another, while posts
from other sites are refused.

Each test renders the page for a first visitor, then, as a second visitor with no
cookies, fills in the form found in that very HTML (what the front cache would
serve) and posts it the way a browser does, with Django's CSRF checks enforced.
"""

import io
from html.parser import HTMLParser

from django.test import Client, override_settings

import pytest

from home.web.csrf import same_origin_verdict

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
EVIL = "https://evil.example"


@pytest.fixture(autouse=True)
def no_minimum_fill_time():
    with override_settings(LMN_MIN_FORM_FILL_SECONDS=0):
        yield


class FormFields(HTMLParser):
    """The fields of the first <form method="post"> whose action contains `action`."""

    def __init__(self, action):
        super().__init__()
        self.action = action
        self.inside = False
        self.done = False
        self.fields = []  # (name, type, value)
        self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "").lower() == "post":
            self.inside = self.action in (a.get("action") or "")
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            self.fields.append((a["name"], (a.get("type") or "text").lower(), a.get("value")))
        elif tag == "textarea" and a.get("name"):
            self.fields.append((a["name"], "textarea", None))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and a.get("value"):
            self.fields.append((self.select, "select", a["value"]))
            self.select = None

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True


def fill(html, action, email="reader@example.org"):
    """What a person would send from the form in `html`: every hidden value as
    given (the honeypot left empty), text answered, boxes ticked."""
    parser = FormFields(action)
    parser.feed(html)
    assert parser.fields, f"no form posting to {action}"
    data = {}
    for name, kind, value in parser.fields:
        if name == "website_address":
            data[name] = ""
        elif kind == "hidden":
            data[name] = value or ""
        elif kind == "email":
            data[name] = email
        elif kind in ("checkbox", "radio", "select"):
            data.setdefault(name, value or "on")
        elif kind == "date":
            data[name] = "2027-01-15"
        elif kind == "number":
            data[name] = "1"
        else:
            data[name] = "Example words from a reader, kind and on topic."
    return data


def cached_copy(url):
    """The page as a first visitor got it (and a shared cache may keep: it sets no
    cookie), with a second visitor, who has no cookies, to post from it."""
    first = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="first visitor")
    response = first.get(url)
    assert response.status_code == 200
    assert not response.cookies
    second = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="second visitor")
    return second, response.content.decode()


def post_as_browser(client, url, data, origin=SITE, fetch_site="same-origin"):
    if data.get("form_started") == "":
        # What site.js does when the form is shown: cached HTML carries no time, so
        # the anti-spam token comes from /forms/started/ (tests/test_core_antispam_forms.py).
        data = {**data, "form_started": client.get("/forms/started/").json()["token"]}
    headers = {}
    if origin:
        headers["Origin"] = origin
    if fetch_site:
        headers["Sec-Fetch-Site"] = fetch_site
    return client.post(url, data, headers=headers)


# ----- the rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fetch_site", "origin", "expected"),
    [
        ("same-origin", None, True),
        ("same-origin", "https://evil.example", False),  # both headers must pass
        ("cross-site", SITE, False),
        ("same-site", SITE, False),
        ("none", None, False),
        (None, SITE, True),
        (None, "http://TESTSERVER", True),
        (None, "https://testserver", False),  # another scheme is another origin
        (None, "https://evil.example", False),
        (None, "null", False),
        (None, "not a url", False),
        (None, None, None),
    ],
)
def test_same_origin_verdict(fetch_site, origin, expected):
    assert same_origin_verdict(fetch_site, origin, SITE) is expected


def test_trusted_origins_pass():
    assert same_origin_verdict(None, "https://www.example.org", SITE, ["https://www.example.org"])


# ----- each public form ------------------------------------------------------------------


@pytest.fixture
def contact_page(home_page):
    from home.demo.content import load_home_content
    from home.models import FormPage

    load_home_content(home_page, io.StringIO())
    return FormPage.objects.get(slug="contact")


def test_contact_form_from_a_cached_page_is_accepted(contact_page):
    url = contact_page.url
    client, html = cached_copy(url)
    before = contact_page.get_submission_class().objects.filter(page=contact_page).count()
    response = post_as_browser(client, url, fill(html, url))
    assert response.status_code == 200
    assert "form" not in response.context or not response.context["form"].errors
    after = contact_page.get_submission_class().objects.filter(page=contact_page).count()
    assert after == before + 1


@pytest.mark.parametrize(
    ("origin", "fetch_site"),
    [("https://evil.example", None), (SITE, "cross-site"), (None, None)],
)
def test_contact_form_posted_from_another_site_is_refused(contact_page, origin, fetch_site):
    url = contact_page.url
    client, html = cached_copy(url)
    response = post_as_browser(client, url, fill(html, url), origin=origin, fetch_site=fetch_site)
    assert response.status_code == 403
    assert not contact_page.get_submission_class().objects.filter(page=contact_page).exists()


@pytest.fixture
def post(home_page):
    from blog.factories import BlogIndexPageFactory, make_post

    index = BlogIndexPageFactory(parent=home_page)
    return make_post(index, "A post readers discuss")


def test_comment_from_a_cached_post_is_accepted(post):
    from blog.comments.models import Comment

    client, html = cached_copy(post.url)
    action = f"/comments/post/{post.pk}/"
    response = post_as_browser(client, action, fill(html, action))
    assert response.status_code == 302
    assert Comment.objects.filter(page_id=post.pk).count() == 1


def test_comment_from_another_site_is_refused(post):
    from blog.comments.models import Comment

    client, html = cached_copy(post.url)
    action = f"/comments/post/{post.pk}/"
    data = fill(html, action)
    response = post_as_browser(client, action, data, origin=EVIL, fetch_site="cross-site")
    assert response.status_code == 403
    # An older browser sends only Origin.
    response = post_as_browser(client, action, data, origin=EVIL, fetch_site=None)
    assert response.status_code == 403
    assert not Comment.objects.filter(page_id=post.pk).exists()


def test_comment_report_from_a_cached_post_is_accepted_and_cross_site_refused(post):
    from blog.comments import moderation
    from blog.comments.models import Comment, CommentReport

    comment = Comment.objects.create(
        page_id=post.pk,
        name="A reader",
        email="reader@example.org",
        text="An approved comment.",
        status=moderation.APPROVED,
    )
    client, html = cached_copy(post.url)
    action = f"/comments/{comment.pk}/report/"
    data = fill(html, action)
    refused = post_as_browser(client, action, data, origin=None, fetch_site="cross-site")
    assert refused.status_code == 403
    assert not CommentReport.objects.exists()
    response = post_as_browser(client, action, data)
    assert response.status_code == 302
    assert CommentReport.objects.filter(comment=comment).count() == 1


@pytest.fixture
def event(home_page):
    from events.factories import create_event, create_event_index

    index = create_event_index(home_page)
    return create_event(index, capacity=10)


def test_registration_from_a_cached_event_page_is_accepted(event):
    from events.models import EventRegistration

    client, html = cached_copy(event.url)
    response = post_as_browser(client, event.url, fill(html, event.url, "second@example.org"))
    assert response.status_code == 303
    registration = EventRegistration.objects.get(page_id=event.pk)
    assert registration.email == "second@example.org"
    # Accepted as a request, pending until the emailed link is confirmed.
    assert registration.status == EventRegistration.PENDING


def test_registration_from_another_site_is_refused(event):
    from events.models import EventRegistration

    client, html = cached_copy(event.url)
    data = fill(html, event.url)
    response = post_as_browser(client, event.url, data, origin=EVIL, fetch_site="cross-site")
    assert response.status_code == 403
    response = post_as_browser(client, event.url, data, origin=EVIL, fetch_site=None)
    assert response.status_code == 403
    assert not EventRegistration.objects.exists()


def test_admin_still_needs_a_csrf_token(home_page, django_user_model):
    """The admin is never cached and keeps Django's token check, same-origin or not."""
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "x" * 12)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = post_as_browser(client, "/admin/pages/", {})
    assert response.status_code == 403
