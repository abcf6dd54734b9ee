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
time is 0 (the default outside production) the cache is not touched at all.
"""

from django import template
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key

from home import caching

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, kind, name, vary_on):
        self.nodelist = nodelist
        self.kind = kind
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        kind = self.kind.resolve(context)
        seconds = caching.fragment_seconds(kind)
        if not seconds:
            return self.nodelist.render(context)
        version = caching.fragment_version(context.get("request"))
        key = make_template_fragment_key(
            self.name.resolve(context), [version, *(var.resolve(context) for var in self.vary_on)]
        )
        value = cache.get(key)
        if value is None:
            value = self.nodelist.render(context)
            cache.set(key, value, seconds)
        return value


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
