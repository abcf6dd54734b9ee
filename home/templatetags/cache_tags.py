"""`{% cached_fragment %}`: Django's `{% cache %}` for menus, footers and listings,
keyed on the content version so that a publish replaces every copy at once.

    {% load cache_tags %}
    {% cached_fragment "chrome" "site-header" request.get_host request.path %}
        ...
    {% endcached_fragment %}

The first argument is the kind, which sets how long a copy lives (see
`home.caching.fragment_seconds`): "chrome" (menus, footers, which change only on
publish) or "listing" (cards showing counts that change all the time). The second
names the fragment; the rest are what the fragment varies on. When the kind's
time is 0 (the default outside production), without a request, or in a preview
(which shows a draft), the cache is not touched at all.
"""

from django import template

from home import caching

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, kind, name, vary_on):
        self.nodelist = nodelist
        self.kind = kind
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        return caching.cached_fragment(
            context.get("request"),
            self.kind.resolve(context),
            self.name.resolve(context),
            [var.resolve(context) for var in self.vary_on],
            lambda: self.nodelist.render(context),
        )


@register.tag
def cached_fragment(parser, token):
    """{% cached_fragment KIND NAME [VARY_ON ...] %} ... {% endcached_fragment %}"""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a kind and a name.")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        parser.compile_filter(bits[2]),
        [parser.compile_filter(bit) for bit in bits[3:]],
    )
