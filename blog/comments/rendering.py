"""Turn a comment's plain text into safe HTML.

Comments are stored exactly as typed and rendered here every time: everything
is escaped, web addresses become links that pass no ranking or referrer
(`rel="nofollow ugc noopener"`), and line breaks are kept. No HTML a commenter
types ever reaches the page as markup.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# http(s) addresses and bare "www." ones; anything else (javascript:, data:,
# mailto:) stays as plain text.
URL_RE = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'`]+""")
_TRAILING = ".,;:!?'\"*"
LINK_REL = "nofollow ugc noopener"


def _trim_url(url):
    """Drop punctuation that ends a sentence rather than the address, and a closing
    bracket that has no opening one inside the address: "(see www.x.org)." ."""
    while url:
        last = url[-1]
        unbalanced = last == ")" and url.count("(") < url.count(")")
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def find_urls(text):
    """Every web address in `text`, in order, as it would be linked."""
    urls = []
    for match in URL_RE.finditer(text or ""):
        url = _trim_url(match.group(0))
        if url.lower() not in ("www.", "http://", "https://"):
            urls.append(url)
    return urls


def _split(text):
    """Yield (is_url, piece) pairs covering `text` exactly."""
    position = 0
    for match in URL_RE.finditer(text):
        url = _trim_url(match.group(0))
        if url.lower() in ("www.", "http://", "https://"):
            continue
        start = match.start()
        if start > position:
            yield False, text[position:start]
        yield True, url
        position = start + len(url)
    if position < len(text):
        yield False, text[position:]


def _href(url):
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def linkify(text):
    """Escape `text` and wrap each web address in a nofollow link (no line handling)."""
    parts = []
    for is_url, piece in _split(text):
        if is_url:
            parts.append(f'<a href="{escape(_href(piece))}" rel="{LINK_REL}">{escape(piece)}</a>')
        else:
            parts.append(escape(piece))
    return "".join(parts)


def render_comment(text):
    """The HTML for a comment: paragraphs at blank lines, <br> at single line breaks,
    every character escaped, addresses linked. Returns a SafeString."""
    normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not normalised:
        return SafeString("")
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n+", normalised) if p.strip()]
    html = "".join(
        "<p>" + "<br>".join(linkify(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    return mark_safe(html)  # noqa: S308  (every piece above went through escape())
