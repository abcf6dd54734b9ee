from django import template

register = template.Library()


@register.simple_tag
def elided_page_range(page_obj, on_each_side=1, on_ends=1):
    """Page numbers to link to, with `Paginator.ELLIPSIS` where runs are skipped."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


@register.simple_tag(takes_context=True)
def page_query(context, number, param=None):
    """The current query string with page `number` in `param` ("page" unless given),
    as Django's {% querystring %} writes it."""
    params = context["request"].GET.copy()
    params[param or "page"] = number
    return f"?{params.urlencode()}"
