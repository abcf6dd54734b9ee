from django import template

register = template.Library()


@register.inclusion_tag("blog/includes/latest_posts.html", takes_context=True)
def latest_posts(context, count=3):
    """The newest live, public posts (placeholder until the blog lands)."""
    return {"posts": [], "request": context.get("request")}
