"""Registers the blog's demo loader; the content itself is in `blog.demo_content`."""

from home.demo import registry as demo


@demo.register("blog", order=30)
def load_blog_demo(home_page, stdout):
    from .demo_content import build_blog

    build_blog(home_page, stdout)


@demo.register("blog-review-workflow", order=31)
def assign_blog_review_workflow(home_page, stdout):
    """Contributors submit, Editors approve: the workflow the data migration could not
    assign in an empty database, now that the demo has made /blog/."""
    from .models import BlogIndexPage
    from .workflow import assign_to_blog_index

    for index in BlogIndexPage.objects.child_of(home_page):
        assign_to_blog_index(index)
