"""No personal data in logs or error reports.

All logging (root at DEBUG; only SQL logging stays off, because queries carry
parameters by design) is captured through the project's own LOGGING handlers
while a person registers for an event, comments, gets form errors, and while a
view fails with a 500. Error emails to ADMINS (text and HTML) are captured too.
None of the submitted values, nor the visitor's IP address, may appear.
"""

import copy
import io

from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.utils.log import configure_logging

import pytest

from lmn_cms.urls import urlpatterns as site_urlpatterns
from tests.blog.comments.test_comments_support import comment_data
from tests.events.test_events_support import registration_data
from tests.home.privacy import test_privacy_support as support

pytestmark = pytest.mark.django_db

event = support.event
event_index = support.event_index
blog_index = support.blog_index
post = support.post

NAME = "Zainab Loggingtest"
EMAIL = "zainab.loggingtest@example.org"
CLP = "Uniquevalue Constituency 5521"
ACCESS = "Needs quietroom 4471"
COMMENT = "Commentcontent unique 9931 about the roundtable"
IP = "203.0.113.99"
FORWARDED_IP = "198.51.100.23"
SUBMITTED = [NAME, EMAIL, CLP, ACCESS, COMMENT, IP, FORWARDED_IP]
ADMIN_ADDRESS = "errors@staff.example.org"


def explode(request):
    """A view that fails after reading a form, as a bug would (only in this test's URLs)."""
    name = request.POST.get("full_name")  # noqa: F841  (a local the error report could show)
    email = request.POST.get("email")  # noqa: F841
    raise RuntimeError("Simulated failure while handling a form")


def explode_quoting(request):
    """A failure whose message repeats a submitted value, as database errors do."""
    email = request.POST.get("email")
    raise ValueError(f"Key (page_id, email)=(7, {email}) already exists.")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("test-explode/", explode),
    path("test-explode-quoting/", explode_quoting),
    path("test-fine/", fine),
    *site_urlpatterns,
]


@pytest.fixture
def captured_logs(settings):
    """The project's LOGGING with the root logger at DEBUG, its console writing to a
    buffer, and Django's error emails (with HTML) going to ADMINS."""
    settings.ADMINS = [("Errors", ADMIN_ADDRESS)]
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = buffer
    config["handlers"]["console"]["level"] = "DEBUG"
    config["handlers"]["mail_admins"] = {
        "class": "django.utils.log.AdminEmailHandler",
        "level": "ERROR",
        "include_html": True,
    }
    config["root"]["level"] = "DEBUG"
    config["loggers"]["axes"] = {"level": "DEBUG"}
    config["loggers"]["django"] = {"handlers": ["mail_admins"], "level": "DEBUG"}
    # Stricter than production: even the template engine's context dumps are captured.
    config["loggers"]["django.template"] = {"level": "DEBUG"}
    configure_logging(settings.LOGGING_CONFIG, config)
    try:
        yield buffer
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def error_reports():
    """The error emails sent to ADMINS: subject, text and every alternative (HTML)."""
    reports = []
    for message in mail.outbox:
        if ADMIN_ADDRESS in message.to:
            parts = [message.subject, message.body]
            parts += [content for content, _type in getattr(message, "alternatives", [])]
            reports.append("\n".join(parts))
    return reports


def assert_nothing_submitted_in(text, where):
    for value in SUBMITTED:
        assert value not in text, f"{value!r} found in {where}"
        assert value.lower() not in text.lower(), f"{value!r} found in {where}"


def visitor_client():
    return Client(
        REMOTE_ADDR=IP,
        HTTP_X_FORWARDED_FOR=f"{FORWARDED_IP}, {IP}",
        HTTP_USER_AGENT="Test browser",
        raise_request_exception=False,
    )


@pytest.mark.urls("tests.home.privacy.test_privacy_logs")
def test_no_submitted_values_in_logs_or_error_reports(captured_logs, event, post):
    browser = visitor_client()
    form = registration_data(
        name=NAME, email=EMAIL, constituency_labour_party=CLP, access_requirements=ACCESS
    )

    # A registration with a form error (no consent), then a good one.
    assert browser.post(event.url, {**form, "consent": ""}).status_code == 400
    assert browser.post(event.url, form).status_code == 303
    assert event.eventregistration_set.filter(email=EMAIL).exists()

    # A comment with a form error (no consent), then a good one.
    comment_url = f"/comments/post/{post.pk}/"
    comment = comment_data(name=NAME, email=EMAIL, text=COMMENT)
    assert browser.post(comment_url, {**comment, "consent": ""}).status_code == 400
    assert browser.post(comment_url, comment).status_code == 302
    assert post.reader_comments.filter(email=EMAIL).exists()

    # Server errors while handling the same form data (query string included).
    assert browser.post(f"/test-explode/?email={EMAIL}", form).status_code == 500
    assert browser.post("/test-explode-quoting/", form).status_code == 500

    output = captured_logs.getvalue()
    # The capture really worked: the errors and the form errors were logged...
    assert "Internal Server Error: /test-explode/" in output
    assert "RuntimeError: Simulated failure" in output
    assert "Bad Request:" in output
    assert "already exists" in output
    # ...and error emails went out, with submitted fields named but hidden.
    reports = error_reports()
    assert len(reports) == 2
    assert "full_name" in reports[0] and "********************" in reports[0]

    assert_nothing_submitted_in(output, "the log output")
    for report in reports:
        assert_nothing_submitted_in(report, "an error email")


@pytest.mark.urls("tests.home.privacy.test_privacy_logs")
def test_the_report_filter_hides_values_even_with_debug_on(captured_logs, settings):
    """The DEBUG error page uses the same filter: no values there either."""
    settings.DEBUG = True
    browser = visitor_client()
    response = browser.post("/test-explode/", {"full_name": NAME, "email": EMAIL})
    assert response.status_code == 500
    page = response.content.decode()
    assert "Simulated failure" in page
    assert_nothing_submitted_in(page, "the DEBUG error page")


def test_redact_catches_addresses_and_values_quoted_by_the_database():
    from home.privacy.registry import redact

    text = (
        f"Key (page_id, email)=(3, {EMAIL}) already exists.\n"
        f"DETAIL:  Failing row contains (5, {NAME}, null).\n"
        f"client {IP} via {FORWARDED_IP} and 2001:db8::7 at 12:30:45"
    )
    cleaned = redact(text)
    assert_nothing_submitted_in(cleaned, "redacted text")
    assert "2001:db8::7" not in cleaned
    assert "12:30:45" in cleaned and "already exists" in cleaned


@pytest.mark.parametrize(
    "address",
    [
        "o'brien@example.org",
        "a!b@example.org",
        "hash#tag@example.org",
        "dollar$sign@example.org",
        "per%cent@example.org",
        "and&more@example.org",
        "star*ry@example.org",
        "slash/ed@example.org",
        "equal=ity@example.org",
        "quest?ion@example.org",
        "car^et@example.org",
        "{braced}@example.org",
        "pi|pe@example.org",
        "back`tick@example.org",
        "til~de@example.org",
        "first.last+tag@sub.example.org",
        "!#$%&'*+/=?^_`{|}~-@example.org",
        '"quoted name"@example.org',
        '"with \\"escaped\\" quotes"@example.org',
        "zoë.ünïcode@example.org",
        "user@[192.0.2.1]",
        "user@[IPv6:2001:db8::1]",
    ],
)
def test_redact_removes_the_whole_of_any_address(address):
    from home.privacy.registry import redact

    assert redact(f"5.1.1 <{address}>: Recipient address rejected") == (
        "5.1.1 <[removed]>: Recipient address rejected"
    )
    assert redact(f"refused: {address}, retrying") == "refused: [removed], retrying"


def test_redact_leaves_text_around_addresses_and_times_alone():
    from home.privacy.registry import redact

    assert redact("at 12:30:45 user@ and @mention") == "at 12:30:45 user@ and @mention"
