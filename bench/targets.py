"""What the benchmark measures in one database, printed as one JSON line.

    python bench/targets.py            # URLs, ids and the beacon token
    python bench/targets.py --prepare  # also open registration on the burst event
    python bench/targets.py --queries  # also SQL queries per page

The pages are the demo's own (home, news index, the newest demo post, the events
index, the burst event, the report and the action plan), which exist with the same
content in the demo and the large database.

Query counts: each page is viewed once first (so the process is warm: templates
loaded, site and routes found), then counted. Run with
DJANGO_SETTINGS_MODULE=bench.settings_cold (as bench/run.py does) every cache is a
DummyCache, so the count is the cold one: what a page costs with nothing cached.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmn_cms.settings.production")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from stack import PAGES  # noqa: E402

BURST_EVENT_SLUG_HINT = "roundtable"
BURST_CAPACITY = 100_000  # registrations in the bench never run out of places


def burst_event(prepare=False):
    """The demo event whose registration the benchmark posts to: the first live
    upcoming demo event; with `prepare`, its registration is opened and given room."""
    from django.utils import timezone

    from events.models import EventPage

    events = EventPage.objects.live().public().exclude(slug__startswith="bench-")
    event = events.filter(end__gte=timezone.now()).order_by("start").first() or events.first()
    if prepare:
        EventPage.objects.filter(pk=event.pk).update(
            registration_opens=None,
            registration_closes=None,
            capacity=BURST_CAPACITY,
            waiting_list_enabled=True,
        )
        event.refresh_from_db()
    return event


def targets(prepare=False):
    from blog.models import BlogPage
    from blog.views_count import page_token
    from events.models import EventIndexPage
    from home.models import ActionPlanPage, ReportPage

    post = BlogPage.objects.live().public().exclude(slug__startswith="bench-").order_by("-date")[0]
    event = burst_event(prepare)
    return {
        "home": "/",
        "blog_index": "/blog/",
        "post": post.url,
        "post_id": post.pk,
        "beacon_token": page_token(post.pk),
        "events_index": EventIndexPage.objects.live().public().first().url,
        "event": event.url,
        "report": ReportPage.objects.live().public().first().url,
        "action_plan": ActionPlanPage.objects.live().public().first().url,
        "event_id": event.pk,
        "event_capacity": event.capacity,
    }


def query_counts(urls):
    """Queries each page needs, the process warm, with an empty cache (cold) and
    right after (warm; the same as cold when every cache is a DummyCache)."""
    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for name, url in urls.items():
        client.get(url)  # warm the process: templates, site, routes
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            status = client.get(url).status_code
        with CaptureQueriesContext(connection) as warm:
            client.get(url)
        counts[name] = {"status": status, "cold": len(cold), "warm": len(warm)}
    return counts


def main():
    data = targets(prepare="--prepare" in sys.argv)
    if "--queries" in sys.argv:
        pages = {name: data[name] for name in PAGES}
        data["queries"] = query_counts(pages)
    print("TARGETS " + json.dumps(data))


if __name__ == "__main__":
    main()
