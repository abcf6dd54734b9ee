"""The minimum fill time holds on cached pages, for every public form.

A page may be served from nginx's cache minutes after it was rendered, so the
time must not be in the HTML: these tests render each form's page for two
visitors at two different times and require the same bytes, then act as a bot
that posts the cached copy at once (refused), as a person whose browser fetched
a token from /forms/started/ (refused before the minimum time, accepted after),
and as a person without JavaScript (asked once to send again, then accepted).
"""

import io
import logging
import re
import time
from html import unescape
from html.parser import HTMLParser

from django.core import mail
from django.test import Client

import pytest
import time_machine

from home.abuse.antispam import (
    MISSING_MESSAGE,
    STARTED_FIELD,
    TOO_QUICK_MESSAGE,
    USED_MESSAGE,
    seconds_since_started,
)

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
BROWSER = {"Origin": SITE, "Sec-Fetch-Site": "same-origin"}
MIN_SECONDS = 5


@pytest.fixture(autouse=True)
def fill_time(settings):
    settings.LMN_MIN_FORM_FILL_SECONDS = MIN_SECONDS


def later(seconds):
    """The clock moved on by `seconds` (the page sat in a cache, a person typed)."""
    return time_machine.travel(time.time() + seconds, tick=False)


class FormFields(HTMLParser):
    """(name, type, value) of each field of the post form whose action is `action`
    (a select's first option stands for the select)."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.select, self.fields = action, False, None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.inside = a.get("action") == self.action
        elif not self.inside:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            self.fields.append((a["name"], a.get("type") or tag, a.get("value")))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and a.get("value"):
            self.fields.append((self.select, "select", a["value"]))
            self.select = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def fill(html, action):
    """What a person (or a bot) sends from the form in `html`: hidden values as they
    are, the honeypot empty, one choice of each group and every text answered."""
    parser = FormFields(action)
    parser.feed(html)
    assert parser.fields, f"no form posting to {action}"
    data = {}
    for name, kind, value in parser.fields:
        if name == "website_address" or kind == "hidden":
            data[name] = value or ""
        elif kind in ("checkbox", "radio", "select"):
            data.setdefault(name, value or "on")
        elif kind == "email":
            data[name] = "reader@example.org"
        elif kind == "date":
            data[name] = "2027-01-15"
        elif kind == "number":
            data[name] = "1"
        else:
            data[name] = "Example words from a reader, kind and on topic."
    return data


# ----- each public form: where its page is, where it posts, what it keeps -------------


def _contact(home_page):
    from home.demo.content import load_home_content
    from home.models import FormPage

    load_home_content(home_page, io.StringIO())
    page = FormPage.objects.get(slug="contact")
    submissions = page.get_submission_class().objects.filter(page=page)
    return page.url, page.url, submissions.count, (200,)


def _comment(home_page):
    from blog.comments.models import Comment
    from blog.factories import BlogIndexPageFactory, make_post

    post = make_post(BlogIndexPageFactory(parent=home_page), "A post readers discuss")
    return (
        post.url,
        f"/comments/post/{post.pk}/",
        Comment.objects.filter(page_id=post.pk).count,
        (302,),
    )


def _registration(home_page):
    from events.factories import create_event, create_event_index
    from events.models import EventRegistration

    event = create_event(create_event_index(home_page), capacity=10)
    return event.url, event.url, EventRegistration.objects.filter(page_id=event.pk).count, (303,)


FORMS = {"contact": _contact, "comment": _comment, "registration": _registration}


@pytest.fixture(params=sorted(FORMS))
def public_form(request, home_page):
    url, action, kept, accepted = FORMS[request.param](home_page)
    return {"url": url, "action": action, "kept": kept, "accepted": accepted}


def visitor(n):
    return Client(HTTP_USER_AGENT=f"Reader {n}", REMOTE_ADDR=f"192.0.2.{n}")


def post(client, form, data):
    return client.post(form["action"], data, headers=BROWSER)


def fetch_token(client):
    response = client.get("/forms/started/")
    assert response.status_code == 200
    return response.json()["token"]


def started_value(html, action):
    return fill(html, action)[STARTED_FIELD]


# ----- the cached page ---------------------------------------------------------------------


def test_the_page_is_the_same_for_every_visitor_at_any_time(public_form):
    first = visitor(1).get(public_form["url"])
    with later(600):
        second = visitor(2).get(public_form["url"])
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    html = first.content.decode()
    assert started_value(html, public_form["action"]) == ""
    assert 'data-started-url="/forms/started/"' in html


def test_a_bot_posting_a_cached_page_at_once_is_refused(public_form):
    html = visitor(1).get(public_form["url"]).content.decode()
    with later(600):  # served from the cache ten minutes later, and posted at once
        bot = visitor(66)
        response = post(bot, public_form, fill(html, public_form["action"]))
    assert response.status_code == 400
    assert MISSING_MESSAGE in unescape(response.content.decode())
    assert public_form["kept"]() == 0
    assert mail.outbox == []


def test_a_token_fetched_less_than_the_minimum_time_ago_is_refused(public_form):
    client = visitor(3)
    data = fill(client.get(public_form["url"]).content.decode(), public_form["action"])
    data[STARTED_FIELD] = fetch_token(client)
    with later(MIN_SECONDS - 1):
        response = post(client, public_form, data)
    assert response.status_code == 400
    assert TOO_QUICK_MESSAGE in unescape(response.content.decode())
    assert public_form["kept"]() == 0


def test_a_person_who_took_longer_than_the_minimum_time_is_accepted(public_form):
    client = visitor(4)
    data = fill(client.get(public_form["url"]).content.decode(), public_form["action"])
    data[STARTED_FIELD] = fetch_token(client)  # site.js, when the form is shown
    with later(MIN_SECONDS + 1):
        response = post(client, public_form, data)
    assert response.status_code in public_form["accepted"], response.content.decode()[:500]
    assert public_form["kept"]() == 1


def test_without_javascript_the_second_send_is_accepted(public_form):
    client = visitor(5)
    data = fill(client.get(public_form["url"]).content.decode(), public_form["action"])
    with later(30):
        first = post(client, public_form, data)
    assert first.status_code == 400
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    again = fill(first.content.decode(), public_form["action"])
    # The answers come back filled in, with a token issued in this response.
    assert seconds_since_started(again[STARTED_FIELD]) is not None
    assert public_form["kept"]() == 0
    with later(30 + MIN_SECONDS + 1):
        second = post(client, public_form, {**data, STARTED_FIELD: again[STARTED_FIELD]})
    assert second.status_code in public_form["accepted"], second.content.decode()[:500]
    assert public_form["kept"]() == 1


def test_sending_again_at_once_is_still_too_quick(public_form):
    client = visitor(6)
    data = fill(client.get(public_form["url"]).content.decode(), public_form["action"])
    first = post(client, public_form, data)
    again = fill(first.content.decode(), public_form["action"])
    second = post(client, public_form, {**data, STARTED_FIELD: again[STARTED_FIELD]})
    assert second.status_code == 400
    assert TOO_QUICK_MESSAGE in unescape(second.content.decode())
    assert public_form["kept"]() == 0


def test_a_token_cannot_be_reused_beyond_its_limit(public_form, settings):
    settings.LMN_FORM_TOKEN_USES = 1
    client = visitor(7)
    data = fill(client.get(public_form["url"]).content.decode(), public_form["action"])
    data[STARTED_FIELD] = fetch_token(client)
    with later(MIN_SECONDS + 1):
        accepted = post(client, public_form, data)
        email_field = next(name for name in data if "email" in name)
        reused = post(client, public_form, {**data, email_field: "another@example.org"})
    assert accepted.status_code in public_form["accepted"]
    assert reused.status_code == 400
    assert USED_MESSAGE in unescape(reused.content.decode())
    assert public_form["kept"]() == 1


# ----- the token endpoint --------------------------------------------------------------


def test_the_token_endpoint_is_never_cached(caplog):
    caplog.set_level(logging.DEBUG)
    response = visitor(8).get("/forms/started/")
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private", "max-age=0"} <= cache_control
    assert response["Content-Type"] == "application/json"
    token = response.json()["token"]
    assert 0 <= seconds_since_started(token) < 60
    assert token not in caplog.text
    assert "192.0.2.8" not in caplog.text


def test_the_token_endpoint_is_limited_per_address(settings, caplog):
    settings.LMN_FORM_TOKENS_PER_NETWORK_PER_HOUR = 2
    caplog.set_level(logging.DEBUG)
    busy = visitor(9)
    assert [busy.get("/forms/started/").status_code for _ in range(3)] == [200, 200, 429]
    refused = busy.get("/forms/started/")
    assert refused.status_code == 429
    assert "no-store" in refused["Cache-Control"]
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "token" not in refused.json()
    # Another address is not affected; neither address is logged.
    assert visitor(10).get("/forms/started/").status_code == 200
    assert not re.search(r"192\.0\.2\.(9|10)\b", caplog.text)


def test_the_token_endpoint_only_answers_get():
    assert visitor(11).post("/forms/started/", headers=BROWSER).status_code == 405
