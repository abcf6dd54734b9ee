"""Registers the blog's demo loader; the content itself is in `blog.demo_content`."""

from home import demo


@demo.register("blog", order=30)
def load_blog_demo(home_page, stdout):
    from .demo_content import build_blog

    build_blog(home_page, stdout)
