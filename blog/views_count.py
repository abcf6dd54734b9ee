"""Honest view counts: one visitor reading one post on one day is one view.

The post page sends a small same-origin beacon (so a page served from a cache is
still counted); `blog.views.view_beacon` checks it with the plain functions here
and then calls `record_view`. Nothing here stores an IP address or user agent:
only the day's anonymous visitor hash from `home.abuse.visitor`, and those rows are
deleted once the day is over while the daily totals stay.
"""

import contextlib
import json
import re

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from home.abuse.ratelimit import count_in_cache, hit

MAX_BODY_BYTES = 512
TOKEN_SALT = "blog.view-beacon"  # noqa: S105  (a signing namespace, not a secret)
SLOT_SECONDS = 2 * 24 * 60 * 60  # outlives the (London) day the slots belong to

# Self-declared robots, crawlers, link previewers and scripted clients. Browsers
# driven by scrapers often say "Headless" too.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|fetch|preview|monitor|headless|phantom|"
    r"lighthouse|pingdom|python|curl|wget|httpclient|java/|go-http|node-fetch|axios|"
    r"facebookexternalhit|embedly|whatsapp|telegram|discord|skype",
    re.IGNORECASE,
)


class BadBeacon(ValueError):
    """The beacon's body is not what our page sends."""


def is_bot(user_agent):
    """True for an empty user agent or one that names a robot or script."""
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


def _slot_key(post_id, network, day):
    return f"lmn:views-per-network:{day.isoformat()}:{post_id}:{network}"


def take_view_slot(post_id, network, day, limit):
    """Claim one of the `limit` views post `post_id` may get from one network
    (IP address) on `day`; False when they are all taken.

    A visitor is an IP and a user agent, so one machine sending a new user agent
    with every beacon would otherwise be a new reader each time. The counter lives
    in the cache (Redis in production, shared by every app server) and is
    incremented atomically, so concurrent beacons never take more than `limit`.
    A beacon that then does not count (a repeat visitor) gives its slot back.
    While the cache is not answering, the database counts (a day's window).
    """
    taken = count_in_cache(_slot_key(post_id, network, day), SLOT_SECONDS)
    if taken is None:
        return hit(f"view-slot:{post_id}:{network}", limit, window_seconds=24 * 60 * 60)
    if taken > limit:
        give_back_view_slot(post_id, network, day)
        return False
    return True


def give_back_view_slot(post_id, network, day):
    """Return a slot taken by `take_view_slot` for a beacon that did not count."""
    with contextlib.suppress(ValueError):  # already gone: nothing to give back
        cache.decr(_slot_key(post_id, network, day))


def page_token(page_id):
    """A signed token naming the page, put in the page for its beacon.

    It holds nothing about the reader, so it is the same for everyone and safe in a
    shared cache; it stops scripts from counting views of pages by guessing ids.
    """
    return signing.Signer(salt=TOKEN_SALT).sign(str(page_id))


def parse_beacon(body):
    """The page id from a beacon body `{"page": <id>, "token": "<signed>"}`.

    Raises `BadBeacon` for anything else: too long, not JSON, wrong shape, or a token
    that does not match the page.
    """
    if not body or len(body) > MAX_BODY_BYTES:
        raise BadBeacon("empty or too long")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadBeacon("not JSON") from exc
    if not isinstance(data, dict):
        raise BadBeacon("not an object")
    page_id, token = data.get("page"), data.get("token")
    if not isinstance(page_id, int) or isinstance(page_id, bool) or page_id <= 0:
        raise BadBeacon("no page id")
    if not isinstance(token, str):
        raise BadBeacon("no token")
    try:
        signed_id = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise BadBeacon("bad token") from exc
    if signed_id != str(page_id):
        raise BadBeacon("token for another page")
    return page_id


# BlogPage.objects.live().filter(is_public()).filter(pk=...).exists() written out:
# the beacon asks it on every request, and building that ORM statement cost more
# than running it. SUBSTR rather than LEFT so that SQLite (`make run`) runs it too.
_COUNTABLE_SQL = """
SELECT 1 FROM blog_blogpage post
JOIN wagtailcore_page page ON page.id = post.page_ptr_id
WHERE post.page_ptr_id = %s AND page.live AND NOT EXISTS (
    SELECT 1 FROM wagtailcore_pageviewrestriction restriction
    JOIN wagtailcore_page covered ON covered.id = restriction.page_id
    WHERE covered.path = SUBSTR(page.path, 1, LENGTH(covered.path))
)
"""


def is_countable_post(post_id):
    """Whether `post_id` is a live post that no view restriction covers (itself
    or an ancestor): the same rule as `home.models.is_public`, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTABLE_SQL, [post_id])
        return cursor.fetchone() is not None


def record_view(post_id, visitor, day):
    """Count `visitor` reading post `post_id` on `day`, once; True if it counted.

    The visitor row's unique (post, day, visitor) INSERT decides: the first insert
    wins and a duplicate — also one racing in another process — fails and changes
    nothing. Only the winner adds one to the day's total and to the post's total,
    each with a single UPDATE ... SET n = n + 1, so concurrent views never overwrite
    one another.
    """
    if connection.vendor == "postgresql":
        counted, first_of_day = _record_view_in_one_statement(post_id, visitor, day)
        if first_of_day:
            # First view of this post today: a good moment to forget earlier visitors.
            purge_visitor_rows(before=day)
        return counted
    return _record_view_portable(post_id, visitor, day)


# The same three steps as `_record_view_portable`, as one PostgreSQL statement: the
# visitor row's INSERT ... ON CONFLICT DO NOTHING decides, and only when it inserted
# do the day's row (an upsert) and the post's total get + 1. One round trip, and the
# post's and day's rows are locked only while this statement runs, so a burst of
# beacons for one post does not queue behind transactions.
_RECORD_VIEW_SQL = """
WITH visitor AS (
    INSERT INTO blog_postviewvisitor (post_id, day, visitor)
    SELECT %(post)s, %(day)s, %(who)s
    WHERE EXISTS (SELECT 1 FROM blog_blogpage WHERE page_ptr_id = %(post)s)
    ON CONFLICT (post_id, day, visitor) DO NOTHING
    RETURNING 1
), day_total AS (
    INSERT INTO blog_postviewday (post_id, day, views)
    SELECT %(post)s, %(day)s, 1 FROM visitor
    ON CONFLICT (post_id, day) DO UPDATE SET views = blog_postviewday.views + 1
    RETURNING (xmax = 0) AS created
), post_total AS (
    UPDATE blog_blogpage SET view_count = view_count + 1
    WHERE page_ptr_id = %(post)s AND EXISTS (SELECT 1 FROM visitor)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM visitor), COALESCE((SELECT bool_or(created) FROM day_total), false),
       (SELECT count(*) FROM post_total)
"""


def _record_view_in_one_statement(post_id, visitor, day):
    """(counted, first view of the post that day), from one SQL statement. A post
    that does not exist (deleted a moment ago) counts nothing."""
    with connection.cursor() as cursor:
        try:
            cursor.execute(_RECORD_VIEW_SQL, {"post": post_id, "day": day, "who": visitor})
        except IntegrityError:  # deleted between the check and the insert
            return False, False
        counted, first_of_day, _ = cursor.fetchone()
    return counted, first_of_day


def _record_view_portable(post_id, visitor, day):
    from .models import BlogPage, PostViewDay, PostViewVisitor

    with transaction.atomic():
        try:
            with transaction.atomic():
                PostViewVisitor.objects.create(post_id=post_id, day=day, visitor=visitor)
        except IntegrityError:
            return False
        if not PostViewDay.objects.filter(post_id=post_id, day=day).update(views=F("views") + 1):
            try:
                with transaction.atomic():
                    PostViewDay.objects.create(post_id=post_id, day=day, views=1)
            except IntegrityError:
                # Another process created the day's row first; add to it instead.
                PostViewDay.objects.filter(post_id=post_id, day=day).update(views=F("views") + 1)
            else:
                # First view of this post today: a good moment to forget earlier visitors.
                purge_visitor_rows(before=day)
        BlogPage.objects.filter(pk=post_id).update(view_count=F("view_count") + 1)
    return True


def purge_visitor_rows(before):
    """Delete the per-visitor rows of every day before `before`; returns how many.

    Those rows exist only to make a second visit on the same day count once; after
    the day they serve no purpose, and the day's salt is gone too.
    """
    from .models import PostViewVisitor

    deleted, _ = PostViewVisitor.objects.filter(day__lt=before).delete()
    return deleted
