"""Grow a demo database into the benchmark's large site, fast, with bulk inserts:
10,000 posts, 100,000 comments, 500 events and 50,000 registrations.

    DJANGO_SETTINGS_MODULE=lmn_cms.settings.production DATABASE_URL=... \
        python bench/seed_large.py

Run it on a copy of a database that `load_demo` filled. Pages are Wagtail pages in a
treebeard tree, which has no bulk API, so the rows are written directly: the page
rows with `bulk_create`, each page type's own table with one INSERT per batch, and
the tree's paths computed the way treebeard does. New posts are dated before every
demo post and new events are spread over past and future dates, so the demo's own
pages (the ones the benchmark measures) keep their content and only the amount of
data around them grows. Comments and registrations all belong to the new pages.
Prints what it made and how long it took.
"""

import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lmn_cms.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail.models import Page  # noqa: E402

POSTS = int(os.environ.get("BENCH_POSTS", 10_000))
COMMENTS = int(os.environ.get("BENCH_COMMENTS", 100_000))
EVENTS = int(os.environ.get("BENCH_EVENTS", 500))
REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", 50_000))
BATCH = 1000
PREFIX = "bench-"


def bulk_child_pages(parent, template, rows):
    """Insert pages of `template`'s type under `parent`, one per dict in `rows`
    (each gives at least title and slug, plus any field to change); returns the
    new pages' ids in order."""
    model = type(template)
    page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    own_fields = list(model._meta.local_concrete_fields)
    parent = Page.objects.get(pk=parent.pk)
    first_step = parent.numchild + 1
    now = timezone.now()
    ids = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        pages = []
        for offset, row in enumerate(chunk):
            values = {f.attname: getattr(template, f.attname) for f in page_fields}
            values.update(
                path=Page._get_path(parent.path, parent.depth + 1, first_step + start + offset),
                depth=parent.depth + 1,
                numchild=0,
                title=row["title"],
                draft_title=row["title"],
                slug=row["slug"],
                url_path=f"{parent.url_path}{row['slug']}/",
                live=True,
                has_unpublished_changes=False,
                translation_key=uuid.uuid4(),
                latest_revision_id=None,
                live_revision_id=None,
                first_published_at=row.get("published_at", now),
                last_published_at=row.get("published_at", now),
                latest_revision_created_at=None,
                locked=False,
                locked_at=None,
                locked_by_id=None,
                alias_of_id=None,
            )
            pages.append(Page(**values))
        created = Page.objects.bulk_create(pages)
        children = []
        for page, row in zip(created, chunk, strict=True):
            values = {f.attname: getattr(template, f.attname) for f in own_fields}
            values.update({k: v for k, v in row.items() if k not in ("title", "slug")})
            values[model._meta.pk.attname] = page.pk
            values.pop("published_at", None)
            own = {f.attname for f in own_fields}
            child = model(**{k: v for k, v in values.items() if k in own})
            children.append(child)
            ids.append(page.pk)
        model._base_manager._insert(children, fields=own_fields, using=connection.alias, raw=True)
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + len(rows))
    return ids


def seed_posts(now):
    from blog.models import BlogIndexPage, BlogPage

    index = BlogIndexPage.objects.get()
    template = BlogPage.objects.child_of(index).order_by("date").first()
    oldest = template.date
    per_post_comments = COMMENTS // POSTS if POSTS else 0
    rows = [
        {
            "title": f"Example archive post {n} (benchmark data)",
            "slug": f"{PREFIX}post-{n}",
            "date": oldest - timedelta(hours=6 * (n + 1)),
            "published_at": oldest - timedelta(hours=6 * (n + 1)),
            "view_count": n % 500,
            "comment_count": per_post_comments,
            "source_guid": "",
            "source_url": "",
        }
        for n in range(POSTS)
    ]
    ids = bulk_child_pages(index, template, rows)
    # Same authors and categories as the template post, so cards look alike.
    for field in ("authors", "categories"):
        through = getattr(BlogPage, field).through
        related = list(getattr(template, field).values_list("pk", flat=True))
        names = {f.attname for f in through._meta.concrete_fields}
        source = next(n for n in names if n not in ("id", "blogpage_id"))
        through.objects.bulk_create(
            [through(blogpage_id=pk, **{source: rel}) for pk in ids for rel in related],
            batch_size=5000,
        )
    return ids


def seed_comments(post_ids, now):
    from blog.comments.models import Comment

    approved = Comment._meta.get_field("status").default
    try:
        from blog.comments import moderation

        approved = moderation.APPROVED
    except (ImportError, AttributeError):
        pass
    per_post = COMMENTS // len(post_ids) if post_ids else 0
    batch = []
    made = 0
    for i, post_id in enumerate(post_ids):
        for j in range(per_post):
            batch.append(
                Comment(
                    page_id=post_id,
                    name=f"Example reader {j}",
                    email="",
                    text="An example comment written for the benchmark. " * 3,
                    fingerprint=f"{i:08x}{j:08x}".ljust(64, "0"),
                    status=approved,
                    reasons=[],
                    created_at=now - timedelta(minutes=i * per_post + j),
                )
            )
        if len(batch) >= 10_000:
            Comment.objects.bulk_create(batch, batch_size=5000)
            made += len(batch)
            batch = []
    Comment.objects.bulk_create(batch, batch_size=5000)
    return made + len(batch)


def seed_events(now):
    from events.models import EventFormField, EventIndexPage, EventPage

    index = EventIndexPage.objects.get()
    template = EventPage.objects.child_of(index).order_by("start").first()
    length = template.end - template.start
    rows = []
    for n in range(EVENTS):
        # Half in the past, half in the future, a day apart, after the demo's.
        start = now + timedelta(days=(n - EVENTS // 2) * 2 + 400 * (1 if n >= EVENTS // 2 else -1))
        rows.append(
            {
                "title": f"Example meeting {n} (benchmark data)",
                "slug": f"{PREFIX}event-{n}",
                "start": start,
                "end": start + length,
                "registration_opens": None,
                "registration_closes": None,
                "capacity": 200,
            }
        )
    ids = bulk_child_pages(index, template, rows)
    fields = list(EventFormField.objects.filter(page_id=template.pk))
    EventFormField.objects.bulk_create(
        [
            EventFormField(
                page_id=pk,
                sort_order=f.sort_order,
                clean_name=f.clean_name,
                label=f.label,
                field_type=f.field_type,
                required=f.required,
                choices=f.choices,
                default_value=f.default_value,
                help_text=f.help_text,
                sensitive=f.sensitive,
            )
            for pk in ids
            for f in fields
        ],
        batch_size=5000,
    )
    return ids


def seed_registrations(event_ids, now):
    from events.models import EventRegistration, registration_consent

    consent = registration_consent()
    per_event = REGISTRATIONS // len(event_ids) if event_ids else 0
    batch = []
    for i, event_id in enumerate(event_ids):
        for j in range(per_event):
            batch.append(
                EventRegistration(
                    page_id=event_id,
                    form_data={},
                    status=EventRegistration.CONFIRMED,
                    name=f"Example person {j}",
                    email=f"example-{i}-{j}@example.invalid",
                    consent=consent,
                    consented_at=now,
                )
            )
    EventRegistration.objects.bulk_create(batch, batch_size=5000)
    return len(batch)


def main():
    from blog.models import BlogPage

    if BlogPage.objects.filter(slug__startswith=PREFIX).exists():
        print("The large site is already seeded.")
        return
    now = timezone.now()
    started = time.monotonic()
    with transaction.atomic():
        post_ids = seed_posts(now)
        comments = seed_comments(post_ids, now)
        event_ids = seed_events(now)
        registrations = seed_registrations(event_ids, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Seeded {len(post_ids)} posts, {comments} comments, {len(event_ids)} events and "
        f"{registrations} registrations in {time.monotonic() - started:.1f} s."
    )


if __name__ == "__main__":
    main()
