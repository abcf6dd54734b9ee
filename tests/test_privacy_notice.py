"""The demo privacy notice says, in plain words, what docs/privacy.md and the code do."""

from io import StringIO

import pytest

from blog.comments.models import CommentSettings
from events.models import EventPage
from home.demo.content import load_home_content
from home.privacy.form_messages import DEFAULT_RETENTION_DAYS

pytestmark = pytest.mark.django_db


def test_demo_privacy_notice_matches_the_sites_rules(client, home_page):
    load_home_content(home_page, StringIO())
    html = client.get("/privacy-notice/").content.decode()
    assert "Example text" in html
    registrations = EventPage._meta.get_field("delete_registrations_after_days").default
    comments = CommentSettings._meta.get_field("retention_days").default
    assert f"deleted {registrations} days after the event ends" in html
    assert f"your email address is deleted {comments} days after we approve" in html
    assert f"deleted after {DEFAULT_RETENTION_DAYS} days" in html
    for phrase in (
        "Article 9(2)(a)",
        "never ticked for you",
        "only our event organisers",
        "only our comment moderators",
        "never writes what you type into its logs",
        "offer it to the next person waiting",
        "within one month",
    ):
        assert phrase in html, phrase
