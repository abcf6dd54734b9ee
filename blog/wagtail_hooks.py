"""The blog's admin hooks: its dashboard parts and the review workflow for a new
blog index."""

from wagtail import hooks

from home.hooks import DEMO_CONTENT, NEEDS_YOU, RETENTION_RULES

from . import dashboard, views_count
from .models import BlogIndexPage
from .workflow import assign_to_blog_index

hooks.register(NEEDS_YOU, dashboard.comments_part, order=10)
hooks.register("construct_homepage_panels", dashboard.add_readers_panel)
hooks.register(RETENTION_RULES, views_count.retention_rules)


@hooks.register("after_create_page")
def review_workflow_for_new_blog_index(request, page):
    """A blog index made in the admin gets "Review before publishing" straight away."""
    if isinstance(page.specific_deferred, BlogIndexPage):
        assign_to_blog_index(page)


@hooks.register(DEMO_CONTENT, order=30)
def load_blog_demo(home_page, stdout):
    """The news index and its posts (`manage.py load_demo` only)."""
    from .demo import load_blog_demo

    load_blog_demo(home_page, stdout)


@hooks.register(DEMO_CONTENT, order=31)
def assign_blog_review_workflow(home_page, stdout):
    """ "Review before publishing" on the demo's news index, which the data migration
    could not assign in an empty database."""
    from .demo import assign_blog_review_workflow

    assign_blog_review_workflow(home_page, stdout)
