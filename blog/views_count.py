"""Honest view counts: one visitor reading one post on one day is one view.

The post page sends a small same-origin beacon (so a page served from a cache is
still counted); `blog.views.view_beacon` checks it with the plain functions here
and then calls `record_view`. Nothing here stores an IP address or user agent:
only the day's anonymous visitor hash from `home.abuse.visitor`, and those rows are
rolled up into the daily totals and deleted once the day is over.
"""

import contextlib
import json
import re
from collections import Counter

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from home.abuse.ratelimit import count_in_cache, hit
from home.privacy.registry import RetentionRule

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

    A view is one row: the visitor row's unique (post, day, visitor) INSERT decides,
    so the first insert wins and a duplicate, also one racing in another process,
    changes nothing. Nothing else is written, so beacons never wait for one another
    on a shared total; a post's count is its rows not yet rolled up plus what
    `roll_up_views` has added (`BlogPage.views`). A post deleted a moment ago counts
    nothing.
    """
    from .models import BlogPage, PostViewVisitor

    visitors, posts = PostViewVisitor._meta.db_table, BlogPage._meta.db_table
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                f"INSERT INTO {visitors} (post_id, day, visitor) "  # noqa: S608 (our tables)
                f"SELECT %s, %s, %s WHERE EXISTS (SELECT 1 FROM {posts} WHERE page_ptr_id = %s) "
                "ON CONFLICT (post_id, day, visitor) DO NOTHING",
                [post_id, day, visitor, post_id],
            )
        except IntegrityError:  # deleted between the check and the insert
            return False
        return cursor.rowcount == 1


def roll_up_views(before):
    """Move the visitor rows of every day before `before` into the daily totals
    (`PostViewDay`) and the posts' totals (`BlogPage.view_count`); returns how many
    rows it moved.

    The rows are deleted and read back in one statement (DELETE ... RETURNING), so
    each is added exactly once even when two roll-ups run at once; the additions
    commit with the deletion or not at all. Those rows exist only to make a second
    visit on the same day count once: after their day they serve no purpose, and the
    day's salt is gone too. Run hourly by `apply_retention` (the "view_hashes" rule)
    and by `purge_view_hashes`.
    """
    from .models import BlogPage, PostViewDay, PostViewVisitor

    table = PostViewVisitor._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE day < %s RETURNING post_id, day",  # noqa: S608
                [before],
            )
            per_day = Counter(cursor.fetchall())
        per_post = Counter()
        # In a fixed order, so that two roll-ups never wait for each other in a circle.
        for (post_id, day), views in sorted(per_day.items(), key=str):
            per_post[post_id] += views
            days = PostViewDay.objects.filter(post_id=post_id, day=day)
            if days.update(views=F("views") + views):
                continue
            try:
                with transaction.atomic():
                    PostViewDay.objects.create(post_id=post_id, day=day, views=views)
            except IntegrityError:  # another roll-up created it first
                days.update(views=F("views") + views)
        for post_id, views in sorted(per_post.items()):
            BlogPage.objects.filter(pk=post_id).update(view_count=F("view_count") + views)
    return sum(per_day.values())


def apply_retention(now, dry_run=False):
    """The "view_hashes" retention rule: roll up the visitor rows of days before
    `now`'s London day; a line when there were any, none otherwise."""
    from .models import PostViewVisitor

    before = timezone.localdate(now)
    if dry_run:
        count = PostViewVisitor.objects.filter(day__lt=before).count()
        verb = "Would roll up"
    else:
        count, verb = roll_up_views(before), "Rolled up"
    if not count:
        return []
    return [f"{verb} {count} visitor view row(s) from before today into the daily totals."]


def retention_rules():
    return [RetentionRule("view_hashes", apply=apply_retention)]
