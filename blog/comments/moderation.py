"""The moderation rules, as plain functions that take plain values.

Nothing a stranger writes appears until it is safe: by default every comment
waits for a moderator. These functions decide what happens to a new comment,
whether a thread is closed, and when reports hide a comment; the views and
models only gather the inputs and store the outcome.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.core import signing

from .rendering import find_urls

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
SPAM = "spam"
REPORTED = "reported"
# Not stored statuses. REFUSED: the comment is turned away with a polite message.
# DROPPED: it is not kept, and the sender is told it was received, because the
# reason would say something about the email address they typed (that it sent this
# text today, or has sent many comments this hour), which may not be theirs.
REFUSED = "refused"
DROPPED = "dropped"

STATUS_CHOICES = [
    (PENDING, "Pending"),
    (APPROVED, "Approved"),
    (REJECTED, "Rejected"),
    (SPAM, "Spam"),
    (REPORTED, "Hidden after reports"),
]

MODERATE_EVERY = "every"
AUTO_APPROVE_KNOWN = "auto"
MODE_CHOICES = [
    (MODERATE_EVERY, "Review every comment"),
    (
        AUTO_APPROVE_KNOWN,
        "Let people with enough approved comments publish from a link emailed to them",
    ),
]

BANNED_MESSAGE = (
    "Sorry, we can't publish this comment because it contains language we don't allow. "
    "Please rephrase it and send it again."
)
DUPLICATE_MESSAGE = "You have already sent this comment today. It will appear once it is approved."
RATE_LIMIT_MESSAGE = (
    "You have sent several comments in a short time. Please wait an hour and try again."
)


# The start of the reasons recorded when a comment is held for what it contains.
SUSPECT_WORDS_REASON = "Suspect words"
TOO_MANY_LINKS_REASON = "links (more than"
# Statuses whose text a moderator should not have to read unasked.
FLAGGED_STATUSES = {SPAM, REPORTED}


@dataclass(frozen=True)
class Rules:
    """The site's moderation settings, as plain values."""

    mode: str = MODERATE_EVERY
    auto_approve_after: int = 3
    max_links: int = 2
    banned_words: tuple = ()
    suspect_words: tuple = ()


@dataclass(frozen=True)
class Decision:
    """What happens to a new comment: its status, why, and what the commenter is told."""

    status: str
    reasons: tuple = field(default_factory=tuple)
    message: str = ""
    # Held, but its author may publish it from a link sent to the comment's email
    # address (see `decide`).
    author_may_publish: bool = False


def parse_word_list(text):
    """One word or phrase per line (commas also separate); blank lines ignored."""
    words = []
    for line in (text or "").replace(",", "\n").splitlines():
        word = line.strip()
        if word and word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return tuple(words)


def _normalise(text):
    # NFKC folds look-alike characters (full-width letters, ligatures) onto
    # plain ones, so "ｓｌｕｒ" matches "slur".
    return unicodedata.normalize("NFKC", text or "").casefold()


def _word_pattern(word):
    """Whole word or phrase, case-insensitive; a trailing * matches any ending."""
    word = _normalise(word).strip()
    prefix = word.endswith("*")
    word = word.rstrip("*").strip()
    if not word:
        return None
    body = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(r"(?<!\w)" + body + (r"\w*" if prefix else r"(?!\w)"))


def find_words(text, words):
    """The entries of `words` that occur in `text` as whole words or phrases."""
    haystack = _normalise(text)
    found = []
    for word in words:
        pattern = _word_pattern(word)
        if pattern is not None and pattern.search(haystack):
            found.append(word)
    return found


def count_links(text):
    """How many web addresses the comment contains (the ones that would be linked)."""
    return len(find_urls(text))


def fingerprint(text):
    """A hash of the comment with case and spacing ignored, to spot repeats."""
    collapsed = " ".join(_normalise(text).split())
    return hashlib.sha256(collapsed.encode("utf-8")).hexdigest()


def decide(text, rules, approved_before=0):
    """Decide what happens to a new comment.

    - any banned word: refused, with a polite message (nothing is stored);
    - suspect words or more than `max_links` links: held for a moderator, with
      the reasons recorded;
    - otherwise held for review. When the site approves regular commenters
      automatically and this email address already has `auto_approve_after`
      approved comments, the comment is still held, but marked so that a link
      to publish it is emailed to that address.

    An email address alone is never trusted: anyone can type someone else's.
    Only the person who can read that inbox can use the link, so nothing is
    published on the strength of what was typed into the form, and the page
    after posting is the same whatever the address's history.
    """
    banned = find_words(text, rules.banned_words)
    if banned:
        return Decision(REFUSED, (f"Banned words: {', '.join(banned)}",), BANNED_MESSAGE)

    reasons = []
    suspect = find_words(text, rules.suspect_words)
    if suspect:
        reasons.append(f"{SUSPECT_WORDS_REASON}: {', '.join(suspect)}")
    links = count_links(text)
    if links > rules.max_links:
        reasons.append(f"{links} {TOO_MANY_LINKS_REASON} {rules.max_links})")
    if reasons:
        return Decision(PENDING, tuple(reasons))

    if (
        rules.mode == AUTO_APPROVE_KNOWN
        and rules.auto_approve_after > 0
        and approved_before >= rules.auto_approve_after
    ):
        return Decision(
            PENDING,
            (
                f"Its author can publish it from the emailed link: "
                f"{approved_before} earlier comments approved",
            ),
            author_may_publish=True,
        )
    return Decision(PENDING, ())


def is_closed(closed_by_editor, published_at, close_after_days, now):
    """Comments are closed when an editor switched them off for the post, or
    `close_after_days` (0 = never) have passed since it was first published."""
    if closed_by_editor:
        return True
    if close_after_days and published_at is not None:
        return now >= published_at + timedelta(days=close_after_days)
    return False


def should_hide(open_reports, threshold):
    """An approved comment is hidden for review once `threshold` readers reported it."""
    return threshold > 0 and open_reports >= threshold


def retention_cutoff(now, retention_days):
    """Comments decided before this moment lose their email and visitor hash."""
    return now - timedelta(days=retention_days)


PUBLISH_SALT = "lmn.comments.publish"
# Long enough for someone who reads their email once a day or over a weekend.
PUBLISH_LINK_MAX_AGE = timedelta(days=3)


def make_publish_code(comment):
    """The signed code of the link that lets a comment's author publish it."""
    return signing.TimestampSigner(salt=PUBLISH_SALT).sign(str(comment.pk))


def is_flagged(status, reasons):
    """Whether a comment's text may be abusive, so the admin blurs it until a
    moderator chooses to read it: spam, hidden after readers' reports, or held
    for suspect words or too many links. A comment held only because every
    comment is reviewed (or waiting for its author's emailed link) is not."""
    if status in FLAGGED_STATUSES:
        return True
    return any(
        reason.startswith(SUSPECT_WORDS_REASON) or TOO_MANY_LINKS_REASON in reason
        for reason in reasons or ()
    )
