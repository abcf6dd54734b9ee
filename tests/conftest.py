"""Shared fixtures: the site tree, and headless Chromium for browser tests."""

import io
import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run there unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Every transactional test must use serialized rollback. Without it, the flush
    after the test re-runs post_migrate, which re-creates content types under new
    ids, and the next serialized test's setup then collides with them (a unique
    violation on django_content_type): which test failed depended on the order."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )


@pytest.fixture(autouse=True)
def empty_caches():
    """Every test starts with empty caches (Redis when REDIS_URL is set, as `make test`
    sets it) and a cache that is answering, so tests stay independent."""
    from django.core.cache import caches

    from lmn_cms import cache

    cache._down_until.clear()
    for each in caches.all():
        each.clear()
    yield
    cache._down_until.clear()


def restore_migration_data():
    """Put back the rows Wagtail's migrations create, which a transactional test's
    flush removes: the default locale, the root page and the root collection.

    pytest-django runs transactional tests (and live-server browser tests) last,
    so only they can meet an emptied database; this is a no-op elsewhere.
    """
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Collection, Locale, Page

    ContentType.objects.clear_cache()
    if not Locale.objects.exists():
        Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    restore_groups()


# The data migrations that create the site's groups, re-run after a flush. Each
# function is idempotent (get_or_create), so this is a no-op on an intact database.
GROUP_MIGRATIONS = [
    ("home.migrations.0005_editors_group", "set_up_editors"),
    ("blog.comments.migrations.0002_comment_moderators_group", "create_group"),
    ("events.migrations.0002_event_organisers_group", "create_group"),
    ("home.migrations.0008_enquiry_handlers", "create_group"),
]


def restore_groups():
    """Re-create the Editors, Contributors, Comment moderators and Event organisers
    groups (and the blog's review workflow) exactly as the migrations make them."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    if (
        Group.objects.filter(name="Event organisers").exists()
        and Group.objects.filter(name="Enquiry handlers").exists()
        and Group.objects.filter(name="Editors", permissions__codename="access_admin").exists()
    ):
        return
    for module, function in GROUP_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
    from blog.workflow import setup_review_workflow

    setup_review_workflow(apps)


@pytest.fixture
def home_page(db):
    """The home page as the default site's root, as `load_demo` makes it."""
    from home.demo.content import build_home_tree

    restore_migration_data()
    return build_home_tree(io.StringIO())


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser):
    """A fresh browser tab (own cookies) at desktop width."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def assert_no_axe_violations(tab):
    """Run axe-core (bundled with axe-playwright-python) on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()
