"""Hostile input: Hypothesis posts random and adversarial data to every public form
and endpoint and checks that the site never fails (no 500), answers with a 4xx or a
page that shows the form again, and never changes or loses what was saved before.

Each test keeps its examples bounded (the suite runs on two cores); examples in one
test share one database transaction, so rate limits may start answering 429, which
is one of the clear refusals this accepts.
"""

from urllib.parse import quote

from django.test import Client

from wagtail.contrib.forms.models import FormSubmission

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog.comments.models import Comment, CommentReport
from blog.models import BlogPage
from blog.views_count import page_token
from events.models import EventRegistration
from home.models import FormPage
from tests.blog.comments import test_comments_support as comments_support
from tests.blog.comments.test_comments_support import comment_data, make_comment
from tests.events import test_events_support as events_support
from tests.events.test_events_support import register, registration_data
from tests.utils import human_form_fields

pytestmark = pytest.mark.django_db

blog_index = comments_support.blog_index
post = comments_support.post
event_index = events_support.event_index
event = events_support.event

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a failure is reproducible
)

# Characters that break naive code: NUL and other controls, lone surrogates' UTF-8
# neighbours, bidi overrides, zero-width joiners, combining marks, emoji.
NASTY = "\x00\x01\x08\x0b\x1b\x7f\u0085\u2028\u2029\u202e\u200d\u0301\ufeff\U0001f600<>&\"'%;\\"

nasty_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=NASTY, max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "null", "true", "[]", "{}"]),
    # Long, but under the public body limit: the forms' own length checks must answer.
    st.integers(min_value=1_000, max_value=15_000).map(lambda n: "x" * n),
)
values = st.one_of(nasty_text, st.lists(nasty_text, min_size=2, max_size=3))
extra_fields = st.dictionaries(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-[]", min_size=1, max_size=12), values, max_size=3
)
invalid_utf8 = st.sampled_from(
    [b"\xff\xfe\xfd", b"name=\xc3\x28", b"text=%ff%fe", b"a=\xed\xa0\x80", b"\x00" * 10]
) | st.binary(max_size=300)


def mutate(base, overrides, drop, extra):
    """`base` with some fields replaced, some removed and some unknown ones added."""
    data = {**base, **{k: v for k, v in overrides.items() if k in base}}
    for key in drop:
        data.pop(key, None)
    data.update(extra)
    return data


def fuzzed_form(base):
    keys = sorted(base)
    return st.tuples(
        st.dictionaries(st.sampled_from(keys), values, max_size=len(keys)),
        st.lists(st.sampled_from(keys), max_size=2, unique=True),
        extra_fields,
    ).map(lambda t: mutate(base, *t))


def assert_refused_or_handled(response):
    """Never a server error; every answer is a page, a redirect or a clear refusal."""
    assert response.status_code < 500, response.status_code
    assert response.status_code in (200, 204, 301, 302, 303, 400, 403, 404, 405, 410, 413, 429)


def snapshot(*querysets):
    return [sorted(map(repr, qs)) for qs in querysets]


@pytest.fixture
def saved(client, post, event, home_page):
    """Data that exists before the attack and must come out of it unchanged."""
    from io import StringIO

    from home.demo.content import load_home_content

    load_home_content(home_page, StringIO())
    contact = FormPage.objects.get(slug="contact")
    FormSubmission.objects.create(page=contact, form_data={"your_name": "Earlier sender"})
    earlier = make_comment(post, text="An earlier approved comment.")
    register(client, event, email="earlier@example.org")
    return {
        "contact": contact,
        "comment": earlier,
        "querysets": lambda: (
            Comment.objects.filter(pk=earlier.pk).values(),
            EventRegistration.objects.filter(email="earlier@example.org").values(),
            FormSubmission.objects.filter(form_data__your_name="Earlier sender").values(),
            BlogPage.objects.filter(pk=post.pk).values("title", "live", "view_count"),
        ),
    }


@pytest.fixture
def before(saved):
    return snapshot(*saved["querysets"]())


def assert_unchanged(saved, before):
    assert snapshot(*saved["querysets"]()) == before


CONTACT_BASE = {
    "your_name": "Amina Example",
    "email_address": "amina@example.org",
    "what_is_your_message_about": "A general question",
    "your_message": "Hello",
}


@FUZZ
@given(data=fuzzed_form(CONTACT_BASE))
def test_contact_form(saved, before, data):
    response = Client().post(saved["contact"].url, {**human_form_fields(), **data})
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


@FUZZ
@given(data=fuzzed_form({"name": "A", "email": "a@example.org", "text": "Hi", "consent": "on"}))
def test_comment_post(saved, before, post, data):
    response = Client().post(f"/comments/post/{post.pk}/", {**comment_data(), **data})
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


@FUZZ
@given(data=fuzzed_form({"reason": "Abusive"}), target=st.sampled_from(["own", "other", "junk"]))
def test_comment_report(saved, before, post, data, target):
    # Reports may hide the comment they are about, so they go to a comment made for
    # the purpose (or to ids that do not exist), never to the saved one.
    reported = make_comment(post, text="A comment to be reported.")
    comment_id = {"own": reported.pk, "other": reported.pk + 999, "junk": 0}[target]
    response = Client().post(f"/comments/{comment_id}/report/", data)
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


EVENT_FIELDS = {
    "full_name": "",
    "email": "",
    "constituency_labour_party": "",
    "role": "",
    "access_requirements": "",
    "consent": "",
    "consent_version": "",
}


@FUZZ
@given(changes=fuzzed_form(EVENT_FIELDS).map(lambda data: data))
def test_event_registration(saved, before, event, changes):
    # Start from what a person's browser sends, then apply the drawn changes
    # (fields dropped by the strategy are dropped here too).
    data = {**human_form_fields(), **registration_data()}
    data.update({k: v for k, v in changes.items() if k not in EVENT_FIELDS or v != ""})
    for key in EVENT_FIELDS.keys() - changes.keys():
        data.pop(key, None)
    response = Client().post(event.url, data)
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


@FUZZ
@given(code=st.text(max_size=120), method=st.sampled_from(["get", "post"]))
def test_cancel_link(saved, before, code, method):
    url = f"/events/cancel/{quote(code, safe='')}/" if code else "/events/cancel/x/"
    response = getattr(Client(), method)(url)
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


@FUZZ
@given(
    code=st.text(max_size=120),
    method=st.sampled_from(["get", "post"]),
    kind=st.sampled_from(["confirm", "unsubscribe"]),
)
def test_mailing_list_links(saved, before, code, method, kind):
    url = f"/mailing-list/{kind}/{quote(code, safe='')}/" if code else f"/mailing-list/{kind}/x/"
    response = getattr(Client(), method)(url)
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


@FUZZ
@given(
    body=st.one_of(
        invalid_utf8,
        st.binary(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty_text, inner),
            max_leaves=6,
        ).map(lambda v: __import__("json").dumps({"page": v, "token": v}).encode()),
    )
)
def test_view_beacon(saved, before, post, body):
    views_before = list(post.daily_views.values()) if hasattr(post, "daily_views") else None
    response = Client().generic(
        "POST",
        "/blog/_count-view/",
        data=body,
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert_refused_or_handled(response)
    assert response.status_code in (400, 404, 413)  # none of these is a valid beacon
    if views_before is not None:
        assert list(post.daily_views.values()) == views_before
    assert_unchanged(saved, before)


@FUZZ
@given(query=nasty_text, page=nasty_text)
def test_search(saved, before, query, page):
    response = Client().get("/search/", {"query": query, "page": page})
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


@FUZZ
@given(
    path=st.sampled_from(["contact", "comment", "report", "event", "search"]),
    body=invalid_utf8,
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "application/x-www-form-urlencoded; charset=utf-16",
        ]
    ),
)
def test_raw_bodies_that_are_not_forms(saved, before, post, event, path, body, content_type):
    url = {
        "contact": saved["contact"].url,
        "comment": f"/comments/post/{post.pk}/",
        "report": f"/comments/{saved['comment'].pk}/report/",
        "event": event.url,
        "search": "/search/",
    }[path]
    # generic() sends the bytes as they are (post() would re-encode them).
    response = Client().generic("POST", url, data=body, content_type=content_type)
    assert_refused_or_handled(response)
    assert_unchanged(saved, before)


def test_a_valid_beacon_is_still_counted_after_the_noise(client, post):
    # The fuzzing above must not have hidden a broken happy path.
    response = client.post(
        "/blog/_count-view/",
        data={"page": post.pk, "token": page_token(post.pk)},
        content_type="application/json",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 204
    assert CommentReport.objects.count() == 0


def test_search_with_control_characters_searches_for_the_rest(client, home_page):
    # Found by the fuzzing above: a NUL reached PostgreSQL and raised (a 500).
    response = client.get("/search/", {"query": "\x00Home\x1b"})
    assert response.status_code == 200
    assert response.context["search_query"] == "Home"
