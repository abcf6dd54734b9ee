"""The pure moderation and rendering rules, called directly."""

from datetime import UTC, datetime, timedelta

import pytest

from blog.comments import moderation
from blog.comments.rendering import find_urls, render_comment
from tests.blog.comments.test_comments_support import XSS_CORPUS, assert_inert, tags_in

RULES = moderation.Rules(
    mode=moderation.MODERATE_EVERY,
    max_links=2,
    banned_words=("slur", "bad phrase", "hate*"),
    suspect_words=("traitor",),
)


def test_every_comment_is_held_by_default():
    decision = moderation.decide("Thank you for this.", moderation.Rules(), approved_before=50)
    assert decision.status == moderation.PENDING
    assert decision.reasons == ()


def test_auto_approval_never_publishes_on_an_email_address_alone():
    rules = moderation.Rules(mode=moderation.AUTO_APPROVE_KNOWN, auto_approve_after=3)
    newcomer = moderation.decide("Hello", rules, approved_before=2)
    assert newcomer.status == moderation.PENDING
    assert newcomer.author_may_publish is False
    regular = moderation.decide("Hello", rules, approved_before=3)
    assert regular.status == moderation.PENDING
    assert regular.author_may_publish is True
    assert "3 earlier comments approved" in regular.reasons[0]


def test_review_every_comment_never_offers_a_publish_link():
    decision = moderation.decide("Hello", moderation.Rules(), approved_before=50)
    assert decision.author_may_publish is False


def test_auto_approval_never_skips_the_suspect_and_link_checks():
    rules = moderation.Rules(
        mode=moderation.AUTO_APPROVE_KNOWN, auto_approve_after=1, suspect_words=("traitor",)
    )
    decision = moderation.decide("You traitor", rules, approved_before=10)
    assert decision.status == moderation.PENDING
    assert decision.reasons == ("Suspect words: traitor",)


def test_banned_words_refuse_politely_and_match_whole_words_only():
    refused = moderation.decide("What a SLUR that was", RULES)
    assert refused.status == moderation.REFUSED
    assert "rephrase" in refused.message
    assert moderation.decide("Slurry is farm waste", RULES).status == moderation.PENDING


def test_banned_phrases_match_across_spacing_and_wildcards_match_endings():
    assert moderation.decide("a bad\n   phrase here", RULES).status == moderation.REFUSED
    assert moderation.decide("such hateful words", RULES).status == moderation.REFUSED
    assert moderation.decide("I hate it", RULES).status == moderation.REFUSED


def test_lookalike_characters_do_not_dodge_the_lists():
    # Full-width letters fold onto plain ones.
    assert moderation.decide("ｓｌｕｒ", RULES).status == moderation.REFUSED


def test_suspect_words_hold_and_say_why():
    decision = moderation.decide("He is a Traitor to the cause", RULES)
    assert decision.status == moderation.PENDING
    assert decision.reasons == ("Suspect words: traitor",)


def test_more_than_n_links_holds_the_comment():
    two = "see https://a.example and www.b.example"
    three = two + " and http://c.example/x"
    assert moderation.decide(two, RULES).reasons == ()
    decision = moderation.decide(three, RULES)
    assert decision.status == moderation.PENDING
    assert decision.reasons == ("3 links (more than 2)",)


def test_reasons_accumulate():
    text = "traitor https://a.example https://b.example https://c.example"
    assert len(moderation.decide(text, RULES).reasons) == 2


def test_word_list_parsing_ignores_blanks_and_repeats():
    assert moderation.parse_word_list(" one \n\nTwo, three\nONE\n") == ("one", "Two", "three")


def test_fingerprint_ignores_case_and_spacing_only():
    assert moderation.fingerprint("Hello   World\n") == moderation.fingerprint("hello world")
    assert moderation.fingerprint("Hello world") != moderation.fingerprint("Hello world!")


NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("switch", "published_days_ago", "close_after", "closed"),
    [
        (False, 10, 30, False),
        (False, 30, 30, True),
        (False, 400, 0, False),
        (True, 1, 30, True),
        (False, None, 30, False),
    ],
)
def test_closing(switch, published_days_ago, close_after, closed):
    published = NOW - timedelta(days=published_days_ago) if published_days_ago else None
    assert moderation.is_closed(switch, published, close_after, NOW) is closed


def test_reports_hide_at_the_threshold():
    assert not moderation.should_hide(2, 3)
    assert moderation.should_hide(3, 3)


def test_retention_cutoff():
    assert moderation.retention_cutoff(NOW, 90) == NOW - timedelta(days=90)


# ---------- Rendering ----------


def test_text_is_escaped_and_line_breaks_kept():
    html = render_comment("Line <b>one</b>\nline two\n\nNew & paragraph")
    assert html == "<p>Line &lt;b&gt;one&lt;/b&gt;<br>line two</p><p>New &amp; paragraph</p>"


def test_urls_are_linked_with_nofollow_ugc_noopener():
    html = render_comment("Read https://example.org/a?b=1&c=2.")
    assert html == (
        '<p>Read <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.org/a?b=1&amp;c=2</a>.</p>"
    )


def test_bare_www_addresses_get_https_and_brackets_are_balanced():
    html = render_comment("(see www.example.org/page)")
    assert '<a href="https://www.example.org/page" rel="nofollow ugc noopener">' in html
    assert html.endswith("</a>)</p>")
    assert find_urls("https://en.wikipedia.org/wiki/Foo_(bar)") == [
        "https://en.wikipedia.org/wiki/Foo_(bar)"
    ]


def test_other_schemes_are_never_linked():
    html = render_comment("javascript:alert(1) data:text/html,hi mailto:a@example.org")
    assert "<a" not in html


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_corpus_renders_inert(payload):
    html = str(render_comment(payload))
    assert_inert(html)


def test_the_inert_check_itself_catches_markup():
    # The checker must fail on what it is meant to catch.
    with pytest.raises(AssertionError):
        assert_inert('<p><img src=x onerror="alert(1)"></p>')
    with pytest.raises(AssertionError):
        assert_inert('<a href="javascript:alert(1)" rel="nofollow ugc noopener">x</a>')
    assert tags_in("<p>a<br>b</p>") == [("p", {}), ("br", {})]


def test_comments_held_for_what_they_contain_are_flagged():
    suspect = moderation.decide("You traitor", RULES)
    links = moderation.decide("https://a.example www.b.example http://c.example/x", RULES)
    assert links.reasons  # held for its links
    assert moderation.is_flagged(suspect.status, suspect.reasons)
    assert moderation.is_flagged(links.status, links.reasons)


def test_spam_and_reported_comments_are_flagged_whatever_their_reasons():
    assert moderation.is_flagged(moderation.SPAM, [])
    assert moderation.is_flagged(moderation.REPORTED, [])


def test_comments_held_only_for_review_or_their_authors_link_are_not_flagged():
    plain = moderation.decide("Thank you for this.", RULES)
    regular = moderation.decide(
        "Thank you", moderation.Rules(mode=moderation.AUTO_APPROVE_KNOWN), approved_before=5
    )
    assert regular.reasons
    for decision in (plain, regular):
        assert not moderation.is_flagged(decision.status, decision.reasons)
    assert not moderation.is_flagged(moderation.APPROVED, ["Published by its author"])
