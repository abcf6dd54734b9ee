"""Hostile strings shared by the security tests: script injection in the forms a
browser runs, and formula injection for spreadsheets. Extends the comments
engineers' corpus (tests/test_comments_support.py) rather than replacing it."""

from tests.blog.comments.test_comments_support import XSS_CORPUS as COMMENT_CORPUS

XSS_PAYLOADS = [
    *COMMENT_CORPUS,
    "<body onload=alert('xss-11')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-12')>",
    "<input autofocus onfocus=alert('xss-13')>",
    "</textarea><script>alert('xss-14')</script>",
    "</title><script>alert('xss-15')</script>",
    "'-alert('xss-16')-'",
    "<details open ontoggle=alert('xss-17')>",
    "\u003cscript\u003ealert('xss-18')\u003c/script\u003e",
]

# A marker that only a live, unescaped element would put in the page.
LIVE_MARKERS = [
    "<script>alert(",
    "<img src=x onerror",
    "<svg/onload",
    "<iframe src=",
    "<body onload",
    "<input autofocus",
    "<details open",
    "<style>body",
    'href="javascript:',
    '<a href="javascript:',
]


def assert_no_live_markup(html):
    """None of the payloads survived as markup a browser would run."""
    for marker in LIVE_MARKERS:
        assert marker not in html, marker
