from django import template

from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def get_site_root(context):
    return Site.find_for_request(context["request"]).root_page


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page")
    if not isinstance(page, Page) or page.depth <= 2:
        return {"ancestors": [], "page": page}
    ancestors = Page.objects.ancestor_of(page, inclusive=False).filter(depth__gt=1)
    return {"ancestors": ancestors, "page": page, "request": context["request"]}


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context["request"]
    site_root = Site.find_for_request(request).root_page
    items = site_root.get_children().live().public().in_menu() if site_root else []
    return {"items": items, "current": context.get("page"), "request": request}
