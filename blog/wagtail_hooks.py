"""The blog's admin hooks: its dashboard parts and the review workflow for a new
blog index."""

from wagtail import hooks

from home.staff import dashboard as home_dashboard

from . import dashboard
from .models import BlogIndexPage
from .workflow import assign_to_blog_index

home_dashboard.register_part(dashboard.comments_part, order=10)
hooks.register("construct_homepage_panels", dashboard.add_readers_panel)


@hooks.register("after_create_page")
def review_workflow_for_new_blog_index(request, page):
    """A blog index made in the admin gets "Review before publishing" straight away."""
    if isinstance(page.specific_deferred, BlogIndexPage):
        assign_to_blog_index(page)
