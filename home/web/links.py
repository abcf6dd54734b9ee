"""Absolute links for emails: the public site's root URL."""

from django.conf import settings

from wagtail.models import Site


def site_root(page=None):
    """The root URL (no trailing slash) of the site `page` is on, or of the default
    site; WAGTAILADMIN_BASE_URL when there is no such site."""
    if page is not None:
        site = page.get_site()
    else:
        site = Site.objects.filter(is_default_site=True).first()
    return (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")
